"""The data rows of a worksheet as SpreadsheetML, built a column at a time with Arrow.

xlsxwriter writes everything a planner sees around a table (formats, column
widths, the title rows, the header, frozen panes, filters, print setup) but
spends about 30 µs of Python per cell on the rows themselves: 150 s for the
285,000 × 18 open-issue sheet of a 1,000,000-record city. No maintained writer
does both (rustpy-xlsxwriter is fast but has no rows above the header and
stamps the clock into the file; PyExcelerate and polars are slower than
that, see ``bench/bench_xlsx.py``). So geotool lets xlsxwriter write the
workbook with only the rows above the data, and this module writes the
``<row>`` elements of the data: every column is turned into cell XML with
Arrow compute functions (escaping included) and the rows are joined without
a Python loop over cells. :func:`splice_rows` then copies xlsxwriter's
package into the final file, inserting the rows into each sheet part.

The cells are exactly the ones xlsxwriter writes: inline strings with its
escaping of ``&<>``, control characters (``_xHHHH_``) and literal
``_xHHHH_`` text, numbers as ``<v>``, the column's format as the cell
style, missing values as no cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Columns", "cell_texts", "column_letter", "numbers_text", "splice_rows"]

_CHUNK_ROWS = 20_000
_LEVEL = 1  # deflate level: 3x faster than the default 6, files ~25 % larger
_MAX_TEXT = 32_767  # Excel's longest cell text
_SHEET_PART = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
_COL = re.compile(rb'<col min="(\d+)" max="(\d+)"([^>]*)/>')
_STYLE = re.compile(rb' style="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_CONTROL = "[\x00-\x08\x0b-\x1f\ufffe\uffff]"  # Python's re
_CONTROL_RE2 = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]"  # the same for Arrow (RE2)


@dataclass
class Columns:
    """The data of one sheet, ready to be written as rows.

    Attributes
    ----------
    values : list of pyarrow.StringArray
        Per column, the cell content (escaped text, or a number's digits);
        null where the cell is empty.
    text : list of bool
        Per column, whether the cells are strings (``True``) or numbers.
    first_row : int
        Excel row number (1-based) of the first data row.
    """

    values: list[pa.Array]
    text: list[bool]
    first_row: int

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.values[0]) if self.values else 0


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index.

    Examples
    --------
    >>> [column_letter(i) for i in (0, 25, 26, 701, 702)]
    ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape_controls(text: str) -> str:
    return re.sub(_CONTROL, lambda m: f"_x{ord(m.group(0)):04X}_", text)


def cell_texts(values: pa.Array) -> pa.Array:
    """Text values as the ``<t>`` element of inline strings, escaped as xlsxwriter does.

    Nulls stay null (no cell).

    Examples
    --------
    >>> cell_texts(pa.array(["a<b & c", "_x0041_", "bell\\x07", " x", None])).to_pylist()
    ['<t>a&lt;b &amp; c</t>', '<t>_x005F_x0041_</t>', '<t>bell_x0007_</t>', \
'<t xml:space="preserve"> x</t>', None]
    """
    out = pc.utf8_slice_codeunits(values.cast(pa.string()), 0, _MAX_TEXT)
    out = pc.replace_substring_regex(out, r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1")
    out = pc.replace_substring(out, "&", "&amp;")
    out = pc.replace_substring(out, "<", "&lt;")
    out = pc.replace_substring(out, ">", "&gt;")
    odd = pc.fill_null(pc.match_substring_regex(out, _CONTROL_RE2), False)
    if pc.any(odd).as_py():  # rare: fix those values one by one
        fixed = [None if v is None else _escape_controls(v) for v in out.to_pylist()]
        out = pa.array(fixed, pa.string())
    spaced = pc.match_substring_regex(out, r"^\s|\s$")  # kept as written only when marked
    opening = pc.if_else(spaced, '<t xml:space="preserve">', "<t>")
    return pc.binary_join_element_wise(opening, out, "</t>", "")


def numbers_text(values: np.ndarray) -> pa.Array:
    """Numbers (float or int, NaN for missing) as the digits of ``<v>`` cells."""
    arr = pa.array(values, from_pandas=True)
    return arr.cast(pa.string())


def _column_styles(sheet_xml: bytes) -> dict[int, str]:
    """0-based column -> style index, from the ``<cols>`` xlsxwriter wrote."""
    styles: dict[int, str] = {}
    for lo, hi, rest in _COL.findall(sheet_xml.split(b"<sheetData", 1)[0]):
        style = _STYLE.search(rest)
        if style:
            for j in range(int(lo) - 1, int(hi)):
                styles[j] = style[1].decode()
    return styles


def _chunks(columns: Columns, styles: dict[int, str]) -> Iterator[bytes]:
    """The ``<row>`` elements of ``columns``, a block of rows at a time."""
    letters = [column_letter(j) for j in range(len(columns.values))]
    for start in range(0, columns.n_rows, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, columns.n_rows)
        numbers = pa.array(np.arange(start, stop) + columns.first_row).cast(pa.string())
        cells = []
        for j, (values, text) in enumerate(zip(columns.values, columns.text, strict=True)):
            style = f' s="{styles[j]}"' if j in styles else ""
            middle = f'"{style} t="inlineStr"><is>' if text else f'"{style}><v>'
            end = "</is></c>" if text else "</v></c>"
            cell = pc.binary_join_element_wise(f'<c r="{letters[j]}', numbers, middle,
                                               values.slice(start, stop - start), end, "")
            cells.append(pc.fill_null(cell, ""))
        rows = pc.binary_join_element_wise('<row r="', numbers, '">', *cells, "</row>", "")
        yield "".join(rows.to_pylist()).encode("utf-8")


def _dimension(columns: Columns) -> bytes:
    last = column_letter(max(len(columns.values), 1) - 1)
    return f'<dimension ref="A1:{last}{columns.first_row + columns.n_rows - 1}"/>'.encode()


def splice_rows(skeleton: IO[bytes], target: IO[bytes], sheets: Sequence[Columns]) -> None:
    """Copy the xlsx package ``skeleton`` into ``target``, adding each sheet's data rows.

    Parameters
    ----------
    skeleton : binary file
        The workbook as xlsxwriter wrote it, without the data rows.
    target : binary file
        Where the complete workbook is written.
    sheets : sequence of Columns
        The data of ``xl/worksheets/sheet1.xml``, ``sheet2.xml``, ... in order.
    """
    with zipfile.ZipFile(skeleton) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as dst:
        for info in src.infolist():
            data = src.read(info)
            match = _SHEET_PART.fullmatch(info.filename)
            columns = sheets[int(match[1]) - 1] if match else None
            if columns is None or not columns.n_rows:
                part_info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                part_info.external_attr = info.external_attr
                dst.writestr(part_info, data, zipfile.ZIP_DEFLATED, _LEVEL)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            if not tail:  # an empty <sheetData/>
                head, _, tail = data.partition(b"<sheetData/>")
                head += b"<sheetData>"
            head = _DIMENSION.sub(_dimension(columns), head, count=1)
            styles = _column_styles(head)
            # a name, not the ZipInfo: the part gets the file's deflate level (and the
            # fixed 1980-01-01 time stamp xlsxwriter gives every part)
            with dst.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                for block in _chunks(columns, styles):
                    part.write(block)
                part.write(b"</sheetData>" + tail)
