"""CSV record files: encoding, separator, header row, body (Arrow first, then the csv module)."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool._errors import InputError, shown_path
from geotool.io.cells import _arrow_strings, constant
from geotool.io.columns import HEADER_VALUES, _key, canonical_column
from geotool.io.decoding import decode, head_text, plain_utf8, read_bytes
from geotool.io.parsing import KIND_WORDS, normalize_text
from geotool.text import Note

_HEADER_SCAN_ROWS = 20
_DELIMITERS = (",", "\t", ";", "|", "，")


_AMBIGUOUS_KIND_HEADERS = {"类型", "类别"}


@dataclass
class Table:
    """Raw cells of one file (all sheets), with where each row came from.

    ``data`` has the canonical column names that were recognised plus
    ``_file``, ``_sheet``, ``_row`` (1-based spreadsheet row number) and
    ``_extra`` (text of non-blank cells beyond the header, else ``None``).
    """

    path: Path
    data: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None


def _find_header(rows: Sequence[Sequence[object]], extra: dict[str, str] | None) -> tuple[int, int]:
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = len({canonical_column(c, extra) for c in row if c is not None and str(c).strip()}
                   - {None})
        if hits > best_hits:
            best, best_hits = i, hits
    return best, best_hits


def _kind_is_category(values: pd.Series) -> bool:
    """True when most values of a ``类型`` column are not record kinds (so: categories)."""
    text = normalize_text(values).dropna()
    if text.empty:
        return False
    known = text.str.lower().isin(list(KIND_WORDS))
    return bool(known.mean() < 0.5)


def _map_values(df: pd.DataFrame, headers: dict[str, str],
                values: dict[str, dict[str, str]] | None, table: Table) -> None:
    """Replace the cells of columns whose header has a value mapping (``[records.values]``)."""
    maps = {_key(h): {_key(k): v for k, v in m.items()} for h, m in HEADER_VALUES.items()}
    for h, m in (values or {}).items():
        maps.setdefault(_key(h), {}).update({_key(k): v for k, v in m.items()})
    for canon, label in headers.items():
        mapping = maps.get(_key(label))
        if not mapping or canon not in df.columns:
            continue
        cells = df[canon]
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        if not len(uniques):
            continue
        mapped = np.array([mapping.get(_key(u)) if u is not None and str(u).strip() else None
                           for u in uniques], dtype=object)
        hit = pd.notna(mapped)
        if not hit.any():
            continue
        new = np.where(hit, mapped, np.asarray(uniques, dtype=object))
        out = cells.to_numpy(dtype=object).copy()
        present = codes >= 0
        out[present] = new[codes[present]]
        df[canon] = pd.Series(out, index=df.index, dtype=object)
        n = int(hit[codes[present]].sum())
        if n:
            table.notes.append(Note("note.values_mapped", column=label, n=n))


def _frame(header: Sequence[object], body: pd.DataFrame, header_idx: int, path: Path,
           sheet: str | None, extra: dict[str, str] | None, table: Table,
           values: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    specials = [c for c in _SPECIAL if c in body.columns]
    width = max(len(header), body.shape[1] - len(specials))
    names: list[str] = []
    where = Note("where.sheet", sheet=sheet) if sheet else Note("where.header")
    headers: dict[str, str] = {}
    for j in range(width):
        cell = header[j] if j < len(header) else None
        canon = canonical_column(cell, extra) if cell is not None else None
        if canon is None or canon in names:
            if cell is not None and str(cell).strip():
                label = str(cell).strip()
                if canon in names:
                    label = Note("word.duplicate_column", label=label)
                if label not in table.ignored_columns:
                    table.ignored_columns.append(label)
            names.append(f"_ignored_{j}")
        else:
            names.append(canon)
            headers[canon] = str(cell).strip()
    extra_cells = body["_extra"] if "_extra" in body.columns else None
    rownos = body["_rowno"].to_numpy() if "_rowno" in body.columns else None
    merged = body["_merged"].to_numpy(dtype=object) if "_merged" in body.columns else None
    kept = {c: body[c].to_numpy(dtype=object) for c in ("_outside", "_formula")
            if c in body.columns}
    body = body.drop(columns=specials)
    body = body.reindex(columns=range(width))
    body.columns = names
    unused = body[[c for c in names if c.startswith("_ignored_")]]
    df = body[[c for c in names if not c.startswith("_ignored_")]].copy()
    if ("kind" in df.columns and "category" not in df.columns
            and _key(headers["kind"]) in _AMBIGUOUS_KIND_HEADERS and _kind_is_category(df["kind"])):
        df = df.rename(columns={"kind": "category"})
        headers["category"] = headers.pop("kind")
        table.notes.append(Note("note.kind_is_category", where=where,
                                column=headers["category"]))
    if "_formula" in kept:  # by field: the records step knows which ones it needs
        fields = ["category" if n == "kind" and "kind" not in df.columns else n for n in names]
        kept["_formula"] = _formula_fields(kept["_formula"], fields)
    _map_values(df, headers, values, table)
    for canon, label in headers.items():
        table.columns.setdefault(canon, label)
    data_cols = list(df.columns)
    start = header_idx + 2  # the spreadsheet row number of the first body row
    n = len(df)
    df["_file"] = pd.Series(constant(n, shown_path(path)), index=df.index,
                            dtype=object)
    df["_sheet"] = pd.Series(constant(n, sheet or ""), index=df.index, dtype=object)
    df["_row"] = rownos if rownos is not None else np.arange(start, start + n)
    df["_extra"] = pd.Series(extra_cells.to_numpy(dtype=object) if extra_cells is not None
                             else np.full(n, None, dtype=object), index=df.index, dtype=object)
    if merged is not None:  # a cell that swallowed whole rows: report it through _extra's path
        df["_merged"] = pd.Series(merged, index=df.index, dtype=object)
    for col, cells in kept.items():
        df[col] = pd.Series(cells, index=df.index, dtype=object)
    if header_idx > 0:
        table.notes.append(Note("note.title_rows", where=where, n=header_idx))
    blank = np.ones(len(df), dtype=bool)
    for col in data_cols:
        blank &= _cheap_blank(df[col])
    if extra_cells is not None:
        blank &= df["_extra"].isna().to_numpy()
    if not data_cols:
        blank[:] = True
    blank = _keep_outside(df, unused, blank)
    # blank rows after the last record are the sheet's end, not worth a note
    inner = int(blank[: (np.flatnonzero(~blank)[-1] + 1) if (~blank).any() else 0].sum())
    if inner:
        table.notes.append(Note("note.blank_rows", where=where, n=inner))
    return df[~blank]


def _formula_fields(formulas: np.ndarray, names: list[str]) -> np.ndarray:
    """Each row's formulas without a value keyed by field: ``{"found_at": "B4: =..."}``.

    Parameters
    ----------
    formulas : ndarray of object
        ``_formula`` of :func:`sheet_body`: ``{0-based column: text}`` or ``None``.
    names : list of str
        The field each column was mapped to (``_ignored_<j>`` when none); a
        column beyond them is ``_outside``.

    Examples
    --------
    >>> _formula_fields(np.array([None, {0: "A3: =1", 2: "C3: =X()"}], dtype=object),
    ...                ["found_at", "unit"]).tolist()
    [None, {'found_at': 'A3: =1', '_outside': 'C3: =X()'}]
    """
    out = np.full(len(formulas), None, dtype=object)
    for i in np.flatnonzero(pd.notna(formulas)):  # rows holding such a formula: a few
        out[i] = {names[c] if c < len(names) else "_outside": text
                  for c, text in sorted(formulas[i].items())}
    return out


_SPECIAL = ("_extra", "_rowno", "_merged", "_outside", "_formula")


def _keep_outside(df: pd.DataFrame, unused: pd.DataFrame, blank: np.ndarray) -> np.ndarray:
    """Rows blank in the used columns but holding text elsewhere are kept, never dropped.

    Such a row (a footer ``制表人：张三`` in a column without a header, a note
    beyond the header's last column, formulas saved without values) is not
    blank: it gets ``_outside`` (or keeps ``_formula``) and the records step
    quarantines it, so that read = used + quarantined counts it.
    """
    outside = df["_outside"].to_numpy(dtype=object).copy() if "_outside" in df.columns else \
        np.full(len(df), None, dtype=object)
    rows = np.flatnonzero(blank)
    if len(rows) and unused.shape[1]:
        sub = unused.iloc[rows]
        filled = np.zeros(len(rows), dtype=bool)
        for col in sub.columns:
            filled |= ~_cheap_blank(sub[col])
        for i in rows[filled]:
            cells = [str(v) for v in unused.iloc[i].to_numpy(dtype=object)
                     if not pd.isna(v) and str(v) != ""]
            text = " | ".join(cells)
            outside[i] = text if outside[i] is None else f"{text} | {outside[i]}"
    outside[~blank] = None  # a record with a note beside it is a record: the note is unused
    df["_outside"] = pd.Series(outside, index=df.index, dtype=object)
    has = pd.notna(outside)
    if "_formula" in df.columns:
        has |= df["_formula"].notna().to_numpy()
    return blank & ~has


def _cheap_blank(values: pd.Series) -> np.ndarray:
    """Empty cells (missing or ""); whitespace and blank words are left to the records step."""
    if values.dtype.kind == "f":
        return np.isnan(values.to_numpy())
    strings = _arrow_strings(values)
    if strings is not None:  # Arrow strings: no Python object per cell
        empty = pc.fill_null(pc.equal(strings, ""), True)
        return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)
    arr = values.to_numpy(dtype=object)
    blank = pd.isna(arr)
    if values.dtype.kind == "f":
        return blank
    text = ~blank
    blank[text] = arr[text] == ""
    return blank


def _head_rows(text: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text[:500_000], newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= _HEADER_SCAN_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _pick_delimiter(text: str, extra: dict[str, str] | None
                    ) -> tuple[str, list[list[str]], int, int]:
    """The separator whose split of the first rows finds the best header row."""
    best: tuple[str, list[list[str]], int, int] = (",", [], -1, 0)
    for delim in _DELIMITERS:
        rows = _head_rows(text, delim)
        idx, hits = _find_header(rows, extra)
        if hits > best[3]:
            best = (delim, rows, idx, hits)
    return best


def _csv_body_fallback(text: str, delimiter: str, skip: int, width: int) -> pd.DataFrame:
    """Body rows with the csv module: short rows padded, extra cells kept in ``_extra``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells: list[list[str]] = []
    extras: list[str | None] = []
    for i, row in enumerate(reader):
        if i < skip:
            continue
        if len(row) > width:
            more = [c for c in row[width:] if c.strip()]
            extras.append(delimiter.join(more) if more else None)
            cells.append(row[:width])
        else:
            extras.append(None)
            cells.append(row + [""] * (width - len(row)))
    body = pd.DataFrame(cells, columns=range(width), dtype=object) if cells else \
        pd.DataFrame(columns=range(width), dtype=object)
    body["_extra"] = pd.Series(extras, index=body.index, dtype=object)
    return body


def _csv_body_arrow(text: str | None, delimiter: str, skip: int, width: int,
                    numeric: set[int], utf8: bytes | None = None) -> pd.DataFrame | None:
    """Body rows with pyarrow's multi-threaded parser (about 4x pandas' C parser).

    Only for regular files: any row that is blank, short or long, or a lon/lat
    cell that is not a plain number, makes it return None and the callers'
    slower parsers (which handle and report those rows) take over. ``utf8``,
    when given, is ``text`` encoded as UTF-8 (the file's own bytes).
    """
    try:
        import pyarrow.csv as pacsv  # noqa: PLC0415 - imported here to avoid an import cycle
    except ImportError:
        return None
    names = [str(j) for j in range(width)]
    # large_string: what pandas keeps its Arrow strings in (a cast of every column saved)
    types = {n: (pa.float64() if j in numeric else pa.large_string()) for j, n in enumerate(names)}
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8 if utf8 is not None else str(text).encode("utf-8")),
            read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                 null_values=[""],
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    body = table.to_pandas()  # text stays in Arrow strings: a tenth of Python str objects' memory
    body.columns = range(width)
    return body


def _csv_body_fast(text: str, delimiter: str, skip: int, width: int,
                   numeric: set[int]) -> pd.DataFrame | None:
    """Body rows with pandas' C parser; None when a row has more cells than the header."""
    dtypes = {j: object for j in range(width) if j not in numeric}  # object: faster than str
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            body = pd.read_csv(io.StringIO(text, newline=""), sep=delimiter, header=None,
                               dtype=dtypes, keep_default_na=False,
                               na_values={j: [""] for j in numeric}, skiprows=skip,
                               names=list(range(width)), index_col=False,
                               skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=range(width), dtype=object)
    except (pd.errors.ParserError, ValueError, OverflowError):
        return None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        return None  # pandas would drop the cells beyond the header
    for j in numeric:
        if body[j].dtype.kind not in "fi":
            body[j] = body[j].astype(object)
    return body


def _csv_body_slow(text: str, delimiter: str, skip: int, width: int, numeric: set[int],
                   path: Path) -> pd.DataFrame:
    """Body rows of a file Arrow could not read: pandas' C parser, else the csv module."""
    body = _csv_body_fast(text, delimiter, skip, width, numeric) if delimiter.isascii() else None
    if body is None:
        try:
            body = _csv_body_fallback(text, delimiter, skip, width)
        except csv.Error as exc:
            raise InputError(Note("table.bad_csv", detail=str(exc)), path=path) from None
    return body


def _read_csv(path: Path, extra: dict[str, str] | None,
              values: dict[str, dict[str, str]] | None = None) -> Table:
    raw = read_bytes(path)
    text: str | None = None  # plain UTF-8 is decoded only if a slow reader needs it
    utf8: bytes | None = raw
    if plain_utf8(raw):
        head, encoding = head_text(raw), "utf-8"
        if not head or head.isspace():
            text = head = raw.decode("utf-8")
    else:
        text, encoding = decode(raw, path)
        head, utf8 = text, (raw if encoding == "utf-8" else None)
    if not head or head.isspace():  # as `not text.strip()`, without copying the text
        raise InputError(Note("table.empty"), path=path)
    nuls = text.count("\x00") if text is not None else 0
    if text is not None and nuls > max(8, len(text) // 100):
        raise InputError(Note("table.binary"), path=path)
    delimiter, rows, header_idx, hits = _pick_delimiter(head.replace("\x00", "") if nuls else head,
                                                        extra)
    if hits < 2:
        raise InputError(Note("table.no_header"), path=path)
    table = Table(path=path, data=pd.DataFrame(), encoding=encoding)
    if nuls and text is not None:
        text, utf8 = text.replace("\x00", ""), None
        table.notes.append(Note("note.nul_chars", n=nuls))
    if delimiter != ",":
        shown = {"\t": Note("sep.tab"), "，": Note("sep.fullwidth_comma")}.get(
            delimiter, Note("sep.other", sep=delimiter))
        table.notes.append(Note("note.separator", sep=shown))
    header = rows[header_idx]
    width = len(header)
    body = None
    # every column is read as text (ids keep their leading zeros) except plain lon/lat
    # columns, which the C parser turns into numbers much faster than Python can
    numeric = {j for j, cell in enumerate(header)
               if canonical_column(cell, extra) in ("lon", "lat")}
    if delimiter.isascii():
        body = _csv_body_arrow(text, delimiter, header_idx + 1, width, numeric, utf8)
    if body is None:
        text = raw.decode("utf-8") if text is None else text
        body = _csv_body_slow(text, delimiter, header_idx + 1, width, numeric, path)
    lines = (text.count("\n") - (0 if text.endswith("\n") else -1)) if text is not None \
        else raw.count(b"\n") - (0 if raw.endswith(b"\n") else -1)  # the same count, in UTF-8
    _multiline_rows(body, lines, delimiter, header_idx, width)
    table.data = _frame(header, body, header_idx, path, None, extra, table, values)
    data_cols = [c for c in table.data.columns if not c.startswith("_")]
    shifted = table.data["_extra"].notna().to_numpy()
    if shifted.any() and data_cols:  # a row with text only past the header is a footer, not shifted
        filled = np.zeros(len(table.data), dtype=bool)
        for col in data_cols:
            filled |= ~_cheap_blank(table.data[col])
        n_extra = int((shifted & filled).sum())
        if n_extra:
            table.notes.append(Note("note.extra_cells", n=n_extra))
    if table.data.empty:
        table.notes.append(Note("note.header_only"))
    return table


def _multiline_rows(body: pd.DataFrame, lines: int, delimiter: str, header_idx: int,
                    width: int) -> None:
    """Number rows by their first line when quoted cells span lines; mark swallowed rows.

    A quoted cell may legitimately hold line breaks (Alt+Enter in Excel), which
    shifts the line numbers of every later row. A quote that is never closed
    instead swallows the following rows into one cell: a cell line holding
    half a header's worth of separators is taken for such a swallowed row, and
    the row is marked in ``_merged`` (quarantined later, never used silently).
    ``lines`` is the number of lines of the file.
    """
    if lines - (header_idx + 1) <= len(body) or body.empty:
        return
    spans = np.zeros(len(body), dtype=np.int64)
    merged = np.full(len(body), None, dtype=object)
    need = max(1, width // 2)
    for col in body.columns:
        values = body[col]
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue
        text_values = values.astype("string")
        counts = text_values.str.count("\n").fillna(0).to_numpy(dtype=np.int64)
        spans += counts
        for i in np.flatnonzero(counts):
            cell_lines = str(values.iloc[i]).split("\n")
            if any(line.count(delimiter) >= need for line in cell_lines[1:]):
                merged[i] = cell_lines[0][:40] + " ⏎ " + cell_lines[1][:40] + " …"
    start = header_idx + 2
    body["_rowno"] = start + np.concatenate([[0], np.cumsum(spans + 1)[:-1]])
    if any(m is not None for m in merged):
        body["_merged"] = merged
