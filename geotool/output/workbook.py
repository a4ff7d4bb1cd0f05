"""Writing formatted, printable .xlsx workbooks fast (xlsxwriter around Arrow-built rows).

A workbook is a list of :class:`Sheet`: a table (a DataFrame whose column
types decide the cell types) with its shown headers, optional rows above the
header (a title and summary) and a print title. Every sheet gets:

* real Excel cells: numbers as numbers, dates and datetimes as date cells
  (``yyyy-mm-dd``, or ``yyyy-mm-dd hh:mm`` when the column has times),
  fractions (``*rate``, ``*share`` columns) as percentages, yes/no for booleans;
* text that can never run as a formula (:mod:`~geotool.output.formulas`,
  and xlsxwriter's formula/URL/number guessing switched off);
* a frozen, filterable header row;
* a page set up for printing: A4 landscape, the title and as-of date in the
  page header, page numbers in the footer, the header row repeated on every
  page, fitted to the page width.

xlsxwriter writes everything around the tables; each column is converted
once (dates to Excel serial numbers in one step, text escaped once per
distinct value) and the data rows are built column-wise by
:mod:`geotool.output.xlsx_rows`. See ``bench/bench_xlsx.py`` for how this
compares with the other writers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool._atomic import write_atomic
from geotool.output.formulas import arrow_text, escape_formulas, safe_words, text_codes
from geotool.output.xlsx_rows import Column, Table, splice_rows, text_column

__all__ = ["Sheet", "Table", "excel_serials", "header_text", "sheet_name", "table",
           "write_workbook"]

_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
_DAY_NS = np.float64(86_400 * 10**9)
_HEADER_MAX = 250  # Excel's page header is at most 255 characters
_SAMPLE = 200  # values looked at for a column's width
_DISTINCT_SAMPLE = 2000  # values looked at to tell an id column from a repeating one
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One worksheet: a table with shown headers, rows above it and a print title.

    Attributes
    ----------
    name : str
        Sheet name (at most 31 characters; cut when longer).
    frame : DataFrame or Table
        The table, already in the words to show (translated statuses, labels);
        or rows taken from a :func:`table` encoded once.
    headers : list of str
        The shown header of each column of ``frame``.
    top : list of list
        Rows written above the header (title, as-of date, counts).
    title : str
        Left part of the printed page header.
    as_of : str
        Right part of the printed page header (e.g. ``分析日期 2026-10-26``).
    percent : set of str
        Columns shown as percentages (default: names ending in ``rate``/``share``).
    """

    name: str
    frame: pd.DataFrame | Table
    headers: list[str]
    top: list[list[object]] = field(default_factory=list)
    title: str = ""
    as_of: str = ""
    percent: set[str] | None = None


def excel_serials(values: pd.Series) -> list[float | None]:
    """Excel serial day numbers (1900 date system) of datetimes; ``None`` for missing.

    Examples
    --------
    >>> excel_serials(pd.Series(pd.to_datetime(["2026-10-26 12:00", None])))
    [46321.5, None]
    """
    serial = _serials(values)
    return [None if np.isnan(v) else float(v) for v in serial]


def _serials(values: pd.Series) -> np.ndarray:
    """Excel serial day numbers as floats, NaN for missing."""
    ns = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    serial = np.round((ns - _EPOCH).astype(np.int64) / _DAY_NS, 8)
    serial[np.isnat(ns)] = np.nan
    return serial


def sheet_name(text: str) -> str:
    """``text`` as a valid sheet name: no ``[]:*?/\\``, no edge quote, at most 31 characters.

    Examples
    --------
    >>> sheet_name("Streets / towns: ranked")
    'Streets - towns- ranked'
    """
    name = _BAD_SHEET.sub("-", str(text)).strip("'")[:31].strip("'")
    return name or "-"


def header_text(text: str) -> str:
    """``text`` made literal inside an Excel page header/footer (``&`` starts a code there).

    Examples
    --------
    >>> header_text("A&B")
    'A&&B'
    """
    return str(text).replace("&", "&&")[:_HEADER_MAX // 2]


def _column(s: pd.Series, yes: str, no: str) -> Column:
    """One column encoded for writing: its dtype decides the cell type and format."""
    if pd.api.types.is_datetime64_any_dtype(s):
        when = pd.to_datetime(s)
        timed = (when.notna() & (when != when.dt.normalize())).to_numpy(dtype=bool)
        return Column("date", numbers=pa.array(_serials(s), from_pandas=True), timed=timed)
    if pd.api.types.is_bool_dtype(s):
        codes = np.where(s.fillna(False).to_numpy(dtype=bool), 0, 1)
        return text_column([yes, no], codes)
    if pd.api.types.is_integer_dtype(s):
        return Column("int", numbers=pa.array(s, from_pandas=True).cast(pa.int64()))
    if pd.api.types.is_float_dtype(s):
        floats = s.to_numpy(dtype=float, na_value=np.nan)
        floats = np.where(np.isfinite(floats), floats, np.nan)
        return Column("float", numbers=pa.array(floats, from_pandas=True))
    if isinstance(s.dtype, pd.StringDtype) and _mostly_distinct(s):
        # record ids and the like: each row is its own word (a dictionary would only hash them)
        return text_column(safe_words(arrow_text(s)), np.arange(len(s)))
    codes, words = text_codes(s)  # distinct values only; strings made safe here, objects before
    return text_column(safe_words(words) if isinstance(s.dtype, pd.StringDtype) else words, codes)


def _mostly_distinct(s: pd.Series) -> bool:
    """Whether nearly every value of the first rows differs from the others (Arrow strings)."""
    head = arrow_text(s.iloc[:_DISTINCT_SAMPLE])
    return len(head) > 0 and pc.count_distinct(head).as_py() > 0.9 * len(head)


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype) or \
        pd.api.types.is_string_dtype(s.dtype)


def table(frame: pd.DataFrame, *, lang: str = "zh") -> Table:
    """``frame`` encoded for writing, text made safe from formulas; take rows with ``.take``.

    Encode a large table once and take each workbook's rows from it (as the
    unit lists do) instead of converting every part again. Text is escaped
    (:mod:`~geotool.output.formulas`) once per distinct value.
    """
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    columns = []
    for j in range(len(frame.columns)):
        s = frame.iloc[:, j]
        if _is_text(s) and not isinstance(s.dtype, pd.StringDtype):
            s = escape_formulas(s.to_frame(name="v"))["v"]  # Python objects: rare, small
        columns.append(_column(s, yes, no))
    return Table([str(c) for c in frame.columns], columns)


def _width(header: str, column: Column, kind: str) -> float:
    if kind in ("date",):
        return 12
    if kind == "datetime":
        return 17
    sample = column.sample_widths(_SAMPLE)
    head = len(header) * (2 if not header.isascii() else 1)
    return float(min(max([head + 2, 8, *sample]), 50))


def _formats(book) -> dict[str, object]:
    return {
        "head": book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                                 "text_wrap": True, "valign": "vcenter", "border": 1}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "top": book.add_format({"bold": True}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "pct": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "0"}),
    }


def _safe_texts(texts: list[str]) -> list[str]:
    """``texts`` escaped from formulas (:func:`~geotool.output.formulas.safe_words`)."""
    return safe_words(pa.array(texts, pa.string())).to_pylist()


def _write_top(ws, rows: Sequence[Sequence[object]], formats: dict[str, object]) -> None:
    texts = [str(v) for row in rows for v in row if isinstance(v, str)]
    safe: dict[object, str] = dict(zip(texts, _safe_texts(texts), strict=True))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                stamp = dt.datetime.combine(value, dt.time()) if not isinstance(
                    value, dt.datetime) else value
                ws.write_datetime(i, j, stamp, formats["date"])
            elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                    value, bool):
                ws.write_number(i, j, float(value), formats["top"])
            else:
                style = formats["title"] if i == 0 and j == 0 else formats["top"]
                ws.write_string(i, j, safe.get(value, str(value)), style)


def _write_sheet(book, sheet: Sheet, formats: dict[str, object],
                 lang: str) -> tuple[Table, int]:
    """Everything of ``sheet`` but its data rows (xlsxwriter); returns the rows to add."""
    ws = book.add_worksheet(sheet_name(sheet.name))
    data = sheet.frame if isinstance(sheet.frame, Table) else table(sheet.frame, lang=lang)
    percent = sheet.percent if sheet.percent is not None else {
        c for c in data.names if c.endswith(("rate", "share")) or c.startswith("coverage_rate")}
    for j, (col, column) in enumerate(zip(data.names, data.columns, strict=True)):
        kind = column.shown_kind()
        fmt = formats["pct"] if col in percent and kind == "float" else formats.get(kind)
        ws.set_column(j, j, _width(sheet.headers[j], column, kind), fmt)
    header_row = len(sheet.top) + (1 if sheet.top else 0)  # a blank row below the summary
    _write_top(ws, sheet.top, formats)
    headers = _safe_texts([str(h) for h in sheet.headers])
    ws.write_row(header_row, 0, headers, formats["head"])
    last = header_row + max(len(data), 1)
    ws.freeze_panes(header_row + 1, 0)
    if data.names:
        ws.autofilter(header_row, 0, last, len(data.names) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(header_row)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&L{header_text(sheet.title)}&R{header_text(sheet.as_of)}")
    ws.set_footer("&C&P / &N")
    return data, header_row + 2


def write_workbook(path: Path, sheets: Sequence[Sheet], *, lang: str = "zh",
                   created: dt.datetime = dt.datetime(2000, 1, 1)) -> Path:
    """Write ``sheets`` into one .xlsx at ``path`` (atomically); returns the path.

    xlsxwriter writes the workbook around the tables (formats, widths, titles,
    headers, panes, filters, print setup) in memory; the data rows are built
    column-wise and added as the package is copied to ``path``
    (:mod:`geotool.output.xlsx_rows`).

    Parameters
    ----------
    path : Path
    sheets : sequence of Sheet
    lang : {"zh", "en"}
        Language of the yes/no words.
    created : datetime
        The workbook's creation time property (not the clock: the same input
        gives the same bytes).
    """
    import xlsxwriter  # noqa: PLC0415 - loaded only when a workbook is written

    def writer(tmp: Path) -> None:
        skeleton = io.BytesIO()
        book = xlsxwriter.Workbook(skeleton, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": True})
        book.set_properties({"created": created})
        formats = _formats(book)
        try:
            data = [_write_sheet(book, sheet, formats, lang) for sheet in sheets]
        finally:
            book.close()
        skeleton.seek(0)
        with open(tmp, "wb") as target:
            splice_rows(skeleton, target, data)

    return write_atomic(Path(path), writer)
