"""Streaming .xlsx worksheets: the cells that hold data, and nothing the sheet only claims.

A worksheet's ``<dimension>`` and its styled empty cells say nothing about
its data: a 5 KB file with one formatted blank cell at ``XFD1048576`` makes
a reader that fills the claimed grid build 17 billion cells. This module
streams each sheet's XML once (openpyxl's parser, read-only workbook) and
keeps only cells that hold a value, so time and memory are bounded by the
data: rows up to the last one holding a value, each as a ``{column: value}``
mapping. It also keeps what the grid would hide: merged ranges, and
formulas saved without a computed value (files written by scripts), which a
value-only reader sees as blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.xml.constants import SHEET_MAIN_NS

__all__ = ["Sheet", "dense_row", "fill_merged", "read_sheets", "sheet_body"]

_FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"


class _CellParser(WorkSheetParser):
    """openpyxl's sheet parser, that also notes formulas which have no saved value."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None:
            formula = element.find(_FORMULA_TAG)
            if formula is not None:
                cell["formula"] = "=" + (formula.text or "")
        return cell


@dataclass
class Sheet:
    """One worksheet's data.

    ``rows[i]`` is the sheet's row ``i + 1`` as ``{0-based column: value}``,
    or ``None`` when it holds no value; the list ends at the last row holding
    one. ``merged`` are the merged ranges as ``(min_col, min_row, max_col,
    max_row)`` (1-based); ``formulas`` maps ``(row index, column)`` of a
    formula saved without a value to its text; ``cells`` counts the cells
    holding a value; ``hidden``: the sheet is hidden (or very hidden) in Excel.
    """

    title: str
    rows: list[dict[int, object] | None]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    cells: int = 0
    hidden: bool = False


def _read_sheet(book, ws) -> Sheet:
    found: dict[int, dict[int, object]] = {}
    formulas: dict[tuple[int, int], str] = {}
    cells = 0
    with ws._get_source() as src:
        parser = _CellParser(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                             date_formats=book._date_formats,
                             timedelta_formats=book._timedelta_formats)
        for rowno, row in parser.parse():
            for cell in row:
                value = cell["value"]
                if value is None or value == "":
                    if "formula" in cell:
                        formulas[(rowno - 1, cell["column"] - 1)] = cell["formula"]
                    continue
                found.setdefault(rowno - 1, {})[cell["column"] - 1] = value
                cells += 1
        merged_cells = parser.merged_cells
    last = max([*found, *(r for r, _ in formulas)], default=-1)
    rows = [found.get(i) for i in range(last + 1)]
    merged = []
    if merged_cells is not None:
        merged = [tuple(CellRange(m.ref).bounds) for m in merged_cells.mergeCell]
    return Sheet(title=ws.title, rows=rows, merged=merged, formulas=formulas, cells=cells,
                 hidden=getattr(ws, "sheet_state", "visible") != "visible")


def read_sheets(book) -> list[Sheet]:
    """Every worksheet of a workbook opened with ``load_workbook(read_only=True)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook, load_workbook
    >>> from openpyxl.styles import Font
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
    >>> wb = Workbook(); wb.active.append(["id", "when"]); wb.active.append(["R1", "=TODAY()"])
    >>> wb.active["XFD1048576"].font = Font(bold=True)  # a styled blank cell: no data
    >>> wb.save(path)
    >>> sheet, = read_sheets(load_workbook(path, read_only=True, data_only=True))
    >>> sheet.rows, sheet.formulas, sheet.cells
    ([{0: 'id', 1: 'when'}, {0: 'R1'}], {(1, 1): '=TODAY()'}, 3)
    """
    return [_read_sheet(book, ws) for ws in book.worksheets]


def fill_merged(rows: list[dict[int, object] | None],
                 merged: list[tuple[int, int, int, int]], header_idx: int, width: int) -> int:
    """Give every cell of a range merged down several rows below the header its value.

    Only the cells under the header and above the last row holding data are
    filled: a range claiming the whole sheet costs no more than the data.
    """
    filled = 0
    for min_col, min_row, max_col, max_row in merged:
        if min_row - 1 <= header_idx or max_row == min_row or min_row > len(rows):
            continue
        value = (rows[min_row - 1] or {}).get(min_col - 1)
        if value is None:
            continue
        for r in range(min_row - 1, min(max_row, len(rows))):
            row = rows[r]
            if row is None:
                row = rows[r] = {}
            for c in range(min_col - 1, min(max_col, width)):
                if (r, c) != (min_row - 1, min_col - 1):
                    row[c] = value
                    filled += 1
    return filled


def dense_row(row: dict[int, object] | None, width: int | None = None) -> list[object]:
    if not row:
        return []
    n = max(row) + 1 if width is None else width
    return [row.get(j) for j in range(n)]


def sheet_body(sheet: Sheet, header_idx: int, width: int) -> pd.DataFrame:
    """The rows below the header as ``width`` cells, plus what lies outside them.

    ``_outside`` holds the text of cells beyond the header's last column;
    ``_formula`` the formulas saved without a value, as ``{0-based column:
    "K4: =..."}`` (``None`` in a row without one; the table step names the
    columns once the header is read); ``_rowno`` the row number
    Excel shows.
    """
    body = sheet.rows[header_idx + 1:]
    cells = [dense_row(row, width) if row else [None] * width for row in body]
    outside: list[str | None] = [None] * len(body)
    for i, row in enumerate(body):
        if row and max(row) >= width:
            more = [str(row[j]) for j in sorted(row) if j >= width]
            outside[i] = " | ".join(more)[:200]
    formula: list[dict[int, str] | None] = [None] * len(body)
    for (r, c), text in sorted(sheet.formulas.items()):  # the few formula cells only
        i = r - header_idx - 1
        if 0 <= i < len(body):
            cells_of = formula[i] = formula[i] or {}
            cells_of[c] = f"{get_column_letter(c + 1)}{r + 1}: {text}"[:200]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object) if cells else \
        pd.DataFrame(columns=range(width), dtype=object)
    frame["_rowno"] = np.arange(header_idx + 2, header_idx + 2 + len(body))
    frame["_outside"] = pd.Series(outside, index=frame.index, dtype=object)
    frame["_formula"] = pd.Series(formula, index=frame.index, dtype=object)
    return frame
