"""Small file builders shared by the reader tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def write_workbook(path: Path, sheets: dict[str, list[list[object]]], merges=(),
                   hidden=()) -> Path:
    """Write an .xlsx with the given sheets (rows of cells), merged ranges and hidden sheets."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for title in hidden:
        book[title].sheet_state = "hidden"
    for title, ref in merges:
        book[title].merge_cells(ref)
    book.save(path)
    return path
