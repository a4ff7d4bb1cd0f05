"""Writing formatted, printable .xlsx workbooks fast (xlsxwriter, ``constant_memory``).

A workbook is a list of :class:`Sheet`: a table (a DataFrame whose column
types decide the cell types) with its shown headers, optional rows above the
header (a title and summary) and a print title. Every sheet gets:

* real Excel cells: numbers as numbers, dates and datetimes as date cells
  (``yyyy-mm-dd``, or ``yyyy-mm-dd hh:mm`` when the column has times),
  fractions (``*rate``, ``*share`` columns) as percentages, yes/no for booleans;
* text that can never run as a formula (:func:`~geotool.output.report.escape_formulas`,
  and xlsxwriter's formula/URL/number guessing switched off);
* a frozen, filterable header row;
* a page set up for printing: A4 landscape, the title and as-of date in the
  page header, page numbers in the footer, the header row repeated on every
  page, fitted to the page width.

Columns are converted once with NumPy/pandas (dates to Excel serial numbers
in one step) and each row is written with one ``write_row`` call, in
``constant_memory`` mode (rows streamed to disk, memory flat). See
``bench/bench_xlsx.py`` for how this compares with the other writers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geotool._atomic import scratch_dir, write_atomic

__all__ = ["Sheet", "excel_serials", "header_text", "sheet_name", "write_workbook"]

_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
_DAY_NS = np.float64(86_400 * 10**9)
_HEADER_MAX = 250  # Excel's page header is at most 255 characters
_STREAM_ROWS = 20_000  # above this many rows in a workbook, rows stream to temporary files
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One worksheet: a table with shown headers, rows above it and a print title.

    Attributes
    ----------
    name : str
        Sheet name (at most 31 characters; cut when longer).
    frame : DataFrame
        The table, already in the words to show (translated statuses, labels).
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
    frame: pd.DataFrame
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
    ns = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    serial = (ns - _EPOCH).astype(np.int64) / _DAY_NS
    missing = np.isnat(ns)
    return [None if m else float(v) for v, m in zip(np.round(serial, 8), missing, strict=True)]


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


def _has_time(values: pd.Series) -> bool:
    s = pd.to_datetime(values).dropna()
    return bool(len(s)) and bool((s != s.dt.normalize()).any())


def _column(s: pd.Series, yes: str, no: str) -> tuple[str, Sequence[object]]:
    """(kind, cell values) of one column: kind is date/datetime/int/float/text."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return ("datetime" if _has_time(s) else "date"), excel_serials(s)
    if pd.api.types.is_bool_dtype(s):
        shown = np.where(s.fillna(False).to_numpy(dtype=bool), yes, no)
        return "text", shown.astype(object).tolist()
    if pd.api.types.is_integer_dtype(s):
        return "int", s.astype(object).where(s.notna(), None).tolist()
    if pd.api.types.is_float_dtype(s):
        clean = s.where(np.isfinite(s.to_numpy(dtype=float, na_value=np.nan)))
        return "float", clean.astype(object).where(clean.notna(), None).tolist()
    text = s.astype(object).where(s.notna(), None)
    return "text", [None if v is None else str(v) for v in text.tolist()]


def _width(header: str, values: Sequence[object], kind: str) -> float:
    if kind in ("date",):
        return 12
    if kind == "datetime":
        return 17
    sample = [len(str(v)) * (2 if not str(v).isascii() else 1) for v in values[:200]
              if v is not None]
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


def _write_top(ws, rows: Sequence[Sequence[object]], formats: dict[str, object]) -> None:
    from geotool.output.report import escape_formulas  # noqa: PLC0415 - imported here to avoid an import cycle

    texts = [str(v) for row in rows for v in row if isinstance(v, str)]
    safe: dict[object, str] = dict(zip(texts, escape_formulas(pd.DataFrame({"v": texts}))["v"],
                                       strict=True))
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
                ws.write_string(i, j, safe.get(value, str(value)),
                                formats["title"] if i == 0 and j == 0 else formats["top"])


def _write_sheet(book, sheet: Sheet, formats: dict[str, object], yes: str, no: str) -> None:
    from geotool.output.report import escape_formulas  # noqa: PLC0415 - imported here to avoid an import cycle (report uses the workbook writer)

    ws = book.add_worksheet(sheet_name(sheet.name))
    frame = escape_formulas(sheet.frame)
    percent = sheet.percent if sheet.percent is not None else {
        c for c in frame.columns if str(c).endswith(("rate", "share"))
        or str(c).startswith("coverage_rate")}
    columns = []
    for j, col in enumerate(frame.columns):
        kind, values = _column(frame[col], yes, no)
        fmt = formats["pct"] if col in percent and kind == "float" else formats.get(kind)
        ws.set_column(j, j, _width(sheet.headers[j], values, kind), fmt)
        columns.append(values)
    header_row = len(sheet.top) + (1 if sheet.top else 0)  # a blank row below the summary
    _write_top(ws, sheet.top, formats)
    headers = escape_formulas(pd.DataFrame({"h": [str(h) for h in sheet.headers]}))["h"]
    ws.write_row(header_row, 0, list(headers), formats["head"])
    for i, row in enumerate(zip(*columns, strict=True), start=header_row + 1):
        ws.write_row(i, 0, row)
    last = header_row + max(len(frame), 1)
    ws.freeze_panes(header_row + 1, 0)
    if len(frame.columns):
        ws.autofilter(header_row, 0, last, len(frame.columns) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(header_row)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&L{header_text(sheet.title)}&R{header_text(sheet.as_of)}")
    ws.set_footer("&C&P / &N")


def write_workbook(path: Path, sheets: Sequence[Sheet], *, lang: str = "zh",
                   created: dt.datetime = dt.datetime(2000, 1, 1),
                   stream: bool | None = None) -> Path:
    """Write ``sheets`` into one .xlsx at ``path`` (atomically); returns the path.

    Parameters
    ----------
    path : Path
    sheets : sequence of Sheet
    lang : {"zh", "en"}
        Language of the yes/no words.
    created : datetime
        The workbook's creation time property (not the clock: the same input
        gives the same bytes).
    stream : bool, optional
        Stream rows to temporary parts (xlsxwriter ``constant_memory``) in a
        scratch folder beside ``path``; by default only above 20,000 rows.
    """
    import xlsxwriter  # noqa: PLC0415 - loaded only when a workbook is written

    yes, no = ("yes", "no") if lang == "en" else ("是", "否")

    # big sheets stream their rows to temporary files; small workbooks stay in memory
    if stream is None:
        stream = sum(len(s.frame) for s in sheets) > _STREAM_ROWS

    def writer(tmp: Path) -> None:
        if not stream:
            book_parts(tmp, None)
            return
        with scratch_dir(Path(path).parent, "xlsx-parts") as parts:  # never $TMPDIR
            book_parts(tmp, parts)

    def book_parts(tmp: Path, parts: Path | None) -> None:
        options: dict[str, bool | str] = {
            "constant_memory": stream, "in_memory": not stream, "strings_to_formulas": False,
            "strings_to_urls": False, "strings_to_numbers": False, "nan_inf_to_errors": True}
        if parts is not None:
            options["tmpdir"] = str(parts)
        book = xlsxwriter.Workbook(str(tmp), options)
        book.set_properties({"created": created})
        formats = _formats(book)
        try:
            for sheet in sheets:
                _write_sheet(book, sheet, formats, yes, no)
        finally:
            book.close()

    return write_atomic(Path(path), writer)
