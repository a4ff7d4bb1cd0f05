"""CSV text, byte for byte as ``DataFrame.to_csv`` writes it, built a column at a time.

``to_csv`` formats and quotes every field in Python (about 3 s for the
575,000 × 30 issue list of a 1,000,000-record city). geotool's CSVs keep that
format exactly (tests compare the bytes): comma separated, ``\\n`` line ends,
fields quoted only when they hold a comma, a quote or a line break (quotes
doubled), missing values empty, floats as NumPy prints them (``0.1``,
``3.0``, ``1e+20``), times as ``YYYY-MM-DD HH:MM``, other values as ``str()``.
Each column is formatted once per distinct value (text, floats, minutes)
with NumPy and Arrow, taken for the rows, and the lines are joined by Arrow
into one buffer per block: no Python object per row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool.output.formulas import arrow_text, escape_formulas, safe_words, text_codes
from geotool.output.text_bytes import joined_bytes, utf8_view

__all__ = ["csv_chunks", "field_texts"]

_CHUNK_ROWS = 50_000
_TIME_FORMAT = "%Y-%m-%d %H:%M"
_MINUTE_NS = 60 * 10**9


def _quoted(texts: pa.Array) -> pa.Array:
    """Quote the fields that need it (comma, quote, line feed), quotes doubled."""
    data, _ = utf8_view(texts)
    if not ((data == ord(",")) | (data == ord('"')) | (data == ord("\n"))).any():
        return texts  # a quick look at the bytes: most columns have none
    needs = pc.match_substring_regex(texts, '[,"\n]')
    if not pc.any(needs).as_py():
        return texts
    doubled = pc.replace_substring(texts, '"', '""')
    return pc.if_else(needs, pc.binary_join_element_wise('"', doubled, '"', ""), texts)


def _taken(words: pa.Array, codes: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Each row's word (code -1 or ``missing``: the empty field)."""
    words = pa.concat_arrays([words.cast(pa.string()), pa.array([""], pa.string())])
    empty = codes < 0 if missing is None else (codes < 0) | missing
    return words.take(pa.array(np.where(empty, len(words) - 1, codes)))


def _floats(values: np.ndarray) -> pa.Array:
    """NumPy's text of each float (``repr``: ``0.1``, ``3.0``, ``-0.0``, ``1e+20``).

    Arrow prints the same shortest digits; its text is the same as NumPy's for
    finite values of 1e-4 to 1e10 that are not whole numbers (positional in
    both), which are most coordinates and measures. The others are printed by
    NumPy, once per distinct value (by bit pattern: ``-0.0`` is kept).
    """
    if values.dtype != np.float64:  # float32, float16: NumPy prints their own shortest digits
        codes, bits = pd.factorize(values.view(f"i{values.itemsize}"))
        return pa.array(bits.view(values.dtype).astype(str), pa.string()).take(pa.array(codes))
    texts = pa.array(values).cast(pa.string())
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain = (size >= 1e-4) & (size < 1e10) & (values != np.floor(values))
    if plain.all():
        return texts
    rest = values[~plain]
    codes, bits = pd.factorize(rest.view(np.int64))
    words = pa.array(bits.view(np.float64).astype(str), pa.string())
    return pc.replace_with_mask(texts, pa.array(~plain), words.take(pa.array(codes)))


def _times(s: pd.Series, date_format: str) -> tuple[np.ndarray, pa.Array]:
    """Codes and the text of each distinct time (each minute, for the default format)."""
    ns = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
    key = ns // _MINUTE_NS * _MINUTE_NS if date_format == _TIME_FORMAT else ns
    codes, uniques = pd.factorize(key)
    stamps = pa.array(uniques.view("datetime64[ns]"), pa.timestamp("ns"))
    return codes, _quoted(pc.fill_null(pc.strftime(stamps, format=date_format), ""))


def _escaped(s: pd.Series) -> pd.Series:
    """``s`` formula-escaped the way :func:`escape_formulas` does it for a whole frame."""
    return escape_formulas(s.to_frame(name="v"))["v"]


def field_texts(s: pd.Series, *, date_format: str = _TIME_FORMAT, safe: bool = False) -> pa.Array:
    '''The CSV field of every value of ``s``, quoted where needed (no nulls).

    ``safe=True`` escapes text a spreadsheet could run as a formula
    (:mod:`geotool.output.formulas`), as every geotool CSV does.

    Examples
    --------
    >>> field_texts(pd.Series([0.1, 3.0, -0.0, None])).to_pylist()
    ['0.1', '3.0', '-0.0', '']
    >>> field_texts(pd.Series(["a,b", 'say "hi"', None, "=x"]), safe=True).to_pylist()
    ['"a,b"', '"say ""hi"""', '', "'=x"]
    >>> field_texts(pd.Series(pd.to_datetime(["2026-10-26 08:05:59", None]))).to_pylist()
    ['2026-10-26 08:05', '']
    '''
    if safe and not isinstance(s.dtype, pd.StringDtype) and (
            s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(s.dtype)):
        s = _escaped(s)  # Python objects, categories: rare and small
    missing = s.isna().to_numpy(dtype=bool)
    dtype = s.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) and not isinstance(dtype, pd.DatetimeTZDtype):
        codes, words = _times(s, date_format)
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        texts = _floats(s.to_numpy())
        return pc.if_else(pa.array(missing), "", texts) if missing.any() else texts
    elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pa.array(s.to_numpy()).cast(pa.string())  # str() of an integer
    elif isinstance(dtype, np.dtype) and dtype.kind == "b":
        codes, words = s.to_numpy().astype(np.int64), pa.array(["False", "True"])
    elif isinstance(dtype, np.dtype) and dtype.kind == "O" and pd.api.types.infer_dtype(
            s, skipna=True) not in ("string", "empty"):
        # mixed Python objects: str() of each (factorizing would merge 1, 1.0 and True)
        texts = pa.array(s.astype(object).where(~missing, "").astype(str).to_numpy(), pa.string())
        return _quoted(texts)
    elif isinstance(dtype, pd.StringDtype):  # Arrow strings: checked in place, no copy
        texts = pc.fill_null(arrow_text(s), "")
        return _quoted(safe_words(texts) if safe else texts)
    else:  # categories, objects (escaped above), nullable numbers: once per distinct value
        codes, words = text_codes(s)
        words = _quoted(words)
    return _taken(words, codes, missing)


def csv_chunks(df: pd.DataFrame, *, safe: bool = False,
               columns: list[str] | None = None) -> Iterator[pa.Buffer | bytes]:
    """The UTF-8 CSV of ``df`` (header line first, no index), a block of lines at a time.

    ``safe=True`` escapes text cells a spreadsheet could run as a formula.
    ``columns`` writes only those columns, in that order (no copy of ``df``).
    """
    names = [str(c) for c in df.columns] if columns is None else [str(c) for c in columns]
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow(names)
    yield head.getvalue().encode("utf-8")
    if not names or not len(df):
        return
    series = [df.iloc[:, j] for j in range(len(df.columns))] if columns is None \
        else [df[c] for c in columns]
    fields = [field_texts(s, safe=safe) for s in series]
    if len(fields) == 1:  # Python's csv writes a lone empty field as ""
        fields = [pc.if_else(pc.equal(fields[0], ""), '""', fields[0])]
    fields[-1] = pc.binary_join_element_wise(fields[-1], "\n", "")  # the line end
    for start in range(0, len(df), _CHUNK_ROWS):
        part = [f.slice(start, _CHUNK_ROWS) for f in fields]
        yield joined_bytes(pc.binary_join_element_wise(*part, ",") if len(part) > 1 else part[0])
