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
from isal import isal_zlib
from xlsxwriter.utility import xl_col_to_name

from geotool.output.text_bytes import joined_bytes, utf8_view

__all__ = ["Column", "Table", "cell_texts", "splice_rows", "text_column"]

_CHUNK_ROWS = 20_000
_LEVEL = 1  # deflate level: 3x faster than the default 6, files ~25 % larger
_RAW_DEFLATE = -15  # window bits of a zip member's deflate stream (no zlib header)
_MAX_TEXT = 32_767  # Excel's longest cell text
_SHEET_PART = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
_COL = re.compile(rb'<col min="(\d+)" max="(\d+)"([^>]*)/>')
_STYLE = re.compile(rb' style="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_CONTROL = "[\x00-\x08\x0b-\x1f\ufffe\uffff]"  # Python's re
_CONTROL_RE2 = r"[\x00-\x08\x0b-\x1f\x{FFFE}\x{FFFF}]"  # the same for Arrow (RE2)


@dataclass
class Column:
    """One column of a sheet's data, encoded for writing (and for taking rows from).

    Attributes
    ----------
    kind : {"text", "int", "float", "date", "datetime"}
        The cell type; ``date`` columns with a time of day in the taken rows
        are shown as ``datetime`` (see :meth:`shown_kind`).
    words : pyarrow.StringArray, optional
        Text: the distinct values, each as its escaped ``<t>`` element.
    codes : ndarray of int32, optional
        Text: per row, the index into ``words`` (-1: no cell).
    widths : ndarray of int, optional
        Text: the shown width of each word (CJK characters count 2).
    numbers : pyarrow.Array, optional
        Numbers (and dates as Excel serials): per row, null where no cell.
    timed : ndarray of bool, optional
        Dates: per row, whether it has a time of day.
    """

    kind: str
    words: pa.Array | None = None
    codes: np.ndarray | None = None
    widths: np.ndarray | None = None
    numbers: pa.Array | None = None
    timed: np.ndarray | None = None

    def __len__(self) -> int:
        if self.codes is not None:
            return len(self.codes)
        return len(self.numbers) if self.numbers is not None else 0

    def take(self, rows: np.ndarray) -> Column:
        """The column of the given rows (positions), in that order."""
        if self.codes is not None:
            return Column(self.kind, self.words, self.codes[rows], self.widths)
        numbers = self.numbers.take(pa.array(rows, pa.int64())) if self.numbers is not None \
            else None
        timed = self.timed[rows] if self.timed is not None else None
        return Column(self.kind, numbers=numbers, timed=timed)

    def shown_kind(self) -> str:
        """The kind the cells are formatted as."""
        if self.kind == "date" and self.timed is not None and self.timed.any():
            return "datetime"
        return self.kind

    def sample_widths(self, n: int) -> list[int]:
        """Shown widths of the first ``n`` values (no empty cells)."""
        if self.codes is not None and self.widths is not None:
            first = self.codes[:n]
            return self.widths[first[first >= 0]].tolist()
        values = [] if self.numbers is None else self.numbers.slice(0, n).to_pylist()
        return [len(str(v)) for v in values if v is not None]

    def cells(self, start: int, stop: int) -> pa.Array:
        """What goes in the cells of rows ``start:stop`` (null: no cell)."""
        if self.codes is not None and self.words is not None:
            codes = self.codes[start:stop]
            return self.words.take(pa.array(codes, mask=codes < 0))
        assert self.numbers is not None
        return self.numbers.slice(start, stop - start).cast(pa.string())


@dataclass
class Table:
    """A sheet's data: named, encoded columns of equal length."""

    names: list[str]
    columns: list[Column]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def take(self, rows: np.ndarray) -> Table:
        """The table of the given rows (positions)."""
        rows = np.asarray(rows, dtype=np.int64)
        return Table(list(self.names), [c.take(rows) for c in self.columns])


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
    out = values.cast(pa.string())
    data, at = utf8_view(out)  # a quick look at the bytes skips the steps with nothing to do
    if len(out) and int(np.diff(at).max()) > _MAX_TEXT:
        out = pc.utf8_slice_codeunits(out, 0, _MAX_TEXT)
    if (data == ord("_")).any():
        out = pc.replace_substring_regex(out, r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1")
    for sign, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if (data == ord(sign)).any():
            out = pc.replace_substring(out, sign, entity)
    maybe_odd = ((data < 0x20) & (data != 0x09) & (data != 0x0A)) | (data == 0xEF)  # U+FFFE/F
    odd = pc.fill_null(pc.match_substring_regex(out, _CONTROL_RE2), False) if maybe_odd.any() \
        else None
    if odd is not None and pc.any(odd).as_py():  # rare: fix those values one by one
        fixed = [None if v is None else _escape_controls(v) for v in out.to_pylist()]
        out = pa.array(fixed, pa.string())
    spaced = pc.match_substring_regex(out, r"^\s|\s$")  # kept as written only when marked
    opening = pc.if_else(spaced, '<t xml:space="preserve">', "<t>")
    return pc.binary_join_element_wise(opening, out, "</t>", "")


def text_column(shown: list[str] | pa.Array, codes: np.ndarray) -> Column:
    """A text column from its distinct values (as shown) and each row's index into them.

    Empty values get no cell.

    Examples
    --------
    >>> c = text_column(["城管", "", "a&b"], np.array([0, 1, 2, -1]))
    >>> c.cells(0, 4).to_pylist(), c.sample_widths(9)
    (['<t>城管</t>', None, '<t>a&amp;b</t>', None], [4, 3])
    """
    shown = pc.fill_null(pa.array(shown, pa.string()).cast(pa.string()), "")
    lengths = pc.utf8_length(shown).to_numpy(zero_copy_only=False).astype(np.int64)
    empty = np.append(lengths == 0, True)  # the last: code -1
    codes = np.where(empty[codes], -1, codes).astype(np.int32)
    ascii_ = pc.string_is_ascii(shown).to_numpy(zero_copy_only=False)
    widths = lengths * np.where(ascii_, 1, 2)
    return Column("text", words=cell_texts(shown), codes=codes, widths=widths)


def _column_styles(sheet_xml: bytes) -> dict[int, str]:
    """0-based column -> style index, from the ``<cols>`` xlsxwriter wrote."""
    styles: dict[int, str] = {}
    for lo, hi, rest in _COL.findall(sheet_xml.split(b"<sheetData", 1)[0]):
        style = _STYLE.search(rest)
        if style:
            for j in range(int(lo) - 1, int(hi)):
                styles[j] = style[1].decode()
    return styles


def _merged(parts: list[str | pa.Array]) -> list[str | pa.Array]:
    """``parts`` with neighbouring constant strings joined into one."""
    out: list[str | pa.Array] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out


def _chunks(table: Table, first_row: int, styles: dict[int, str]) -> Iterator[pa.Buffer | bytes]:
    """The ``<row>`` elements of ``table``, a block of rows at a time (UTF-8 buffers).

    A block is one Arrow join of the constant markup, the row numbers and each
    column's cell contents; a column with empty cells in the block is joined
    into its cells first (no cell where there is no value).
    """
    letters = [xl_col_to_name(j) for j in range(len(table.columns))]
    for start in range(0, len(table), _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, len(table))
        numbers = pa.array(np.arange(start, stop) + first_row).cast(pa.string())
        parts: list[str | pa.Array] = ['<row r="', numbers, '">']
        for j, column in enumerate(table.columns):
            style = f' s="{styles[j]}"' if j in styles else ""
            text = column.codes is not None
            cell = [f'<c r="{letters[j]}', numbers,
                    f'"{style} t="inlineStr"><is>' if text else f'"{style}><v>',
                    column.cells(start, stop), "</is></c>" if text else "</v></c>"]
            if cell[3].null_count:
                parts.append(pc.binary_join_element_wise(*cell, ""))  # null: no cell
            else:
                parts += cell
        rows = pc.binary_join_element_wise(*_merged([*parts, "</row>"]), "",
                                           null_handling="replace", null_replacement="")
        yield joined_bytes(rows)


def _dimension(table: Table, first_row: int) -> bytes:
    last = xl_col_to_name(max(len(table.columns), 1) - 1)
    return f'<dimension ref="A1:{last}{first_row + len(table) - 1}"/>'.encode()


def splice_rows(skeleton: IO[bytes], target: IO[bytes],
                sheets: Sequence[tuple[Table, int]]) -> None:
    """Copy the xlsx package ``skeleton`` into ``target``, adding each sheet's data rows.

    Parameters
    ----------
    skeleton : binary file
        The workbook as xlsxwriter wrote it, without the data rows.
    target : binary file
        Where the complete workbook is written.
    sheets : sequence of (Table, int)
        The data of ``xl/worksheets/sheet1.xml``, ``sheet2.xml``, ... in order,
        each with the Excel row number (1-based) of its first data row.
    """
    with zipfile.ZipFile(skeleton) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as dst:
        for info in src.infolist():
            data = src.read(info)
            match = _SHEET_PART.fullmatch(info.filename)
            table, first_row = sheets[int(match[1]) - 1] if match else (None, 0)
            if table is None or not len(table):
                part_info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                part_info.external_attr = info.external_attr
                dst.writestr(part_info, data, zipfile.ZIP_DEFLATED, _LEVEL)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            if not tail:  # an empty <sheetData/>
                head, _, tail = data.partition(b"<sheetData/>")
                head += b"<sheetData>"
            head = _DIMENSION.sub(_dimension(table, first_row), head, count=1)
            styles = _column_styles(head)
            # a name, not the ZipInfo: the part gets the file's deflate level (and the
            # fixed 1980-01-01 time stamp xlsxwriter gives every part)
            with dst.open(info.filename, "w", force_zip64=True) as part:
                _isal_deflate(part)
                part.write(head)
                for block in _chunks(table, first_row, styles):
                    part.write(block)
                part.write(b"</sheetData>" + tail)


def _isal_deflate(part: IO[bytes]) -> None:
    """Let ISA-L deflate the zip member ``part`` instead of zlib (just opened for writing).

    The stream is the same format (raw deflate, level 1) and about as small,
    made 3.5x faster: the sheet parts of a 1,000,000-record city are 465 MB of
    XML, 1.9 s of zlib. The standard library's zip writer takes no compressor,
    so its member's one is swapped before anything is written; should a later
    Python keep it elsewhere, the member keeps zlib's (the same file, slower).
    """
    if getattr(part, "_compressor", None) is not None:
        part._compressor = isal_zlib.compressobj(  # type: ignore[attr-defined]
            _LEVEL, isal_zlib.DEFLATED, _RAW_DEFLATE)
