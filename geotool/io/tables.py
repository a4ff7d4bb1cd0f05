"""Reading record spreadsheets: CSV (any common encoding) and .xlsx.

Planners' spreadsheets have title rows above the header ("XX区创文问题台账"),
merged cells, several sheets, GBK encoding with no declaration and the odd
semicolon-, tab- or full-width-comma-separated export. :func:`read_table`
finds the separator and the header row by looking for known column names
(:data:`COLUMN_ALIASES`), reads every sheet that has one, and returns raw
cells plus each row's file, sheet and spreadsheet row number (the number
Excel shows), so a quarantined row can be found again.

What it repairs, each reported in :attr:`Table.notes`: title rows above the
header (skipped), cells merged down several rows below the header (each cell
gets the merged value), blank rows (skipped: they hold no record), a
``类型``/``类别`` column that holds issue categories rather than record kinds
(read as the category). A row with more cells than the header keeps its
extra cells in ``_extra``; the records step quarantines it.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pandas as pd

from geotool._errors import InputError
from geotool.io.columns import (
    CANONICAL_COLUMNS,
    COLUMN_ALIASES,
    HEADER_VALUES,
    canonical_column,
)
from geotool.io.csv_file import (
    _HEADER_SCAN_ROWS,
    Table,
    _find_header,
    _frame,
    _read_csv,
)
from geotool.io.decoding import _sniff_container
from geotool.text import Note

__all__ = ["CANONICAL_COLUMNS", "COLUMN_ALIASES", "HEADER_VALUES", "Table", "canonical_column",
           "read_table"]


def _open_workbook(path: Path):
    from openpyxl import load_workbook  # noqa: PLC0415 - only .xlsx needs it (60 ms to import)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # WPS/Excel style and extension warnings
            return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        try:
            raw = path.read_bytes()[:8]
        except OSError:
            raw = b""
        _sniff_container(raw if not raw.startswith(b"PK") else b"", path)
        if not zipfile.is_zipfile(path):
            msg = Note("table.not_xlsx")
        else:
            msg = Note("table.xlsx_unopenable", detail=type(exc).__name__)
        raise InputError(msg, path=path) from None


def _read_xlsx(path: Path, extra: dict[str, str] | None,
               values: dict[str, dict[str, str]] | None = None) -> Table:
    # openpyxl (under geotool.io.sheets) is imported only when a workbook is read
    from geotool.io.sheets import dense_row, fill_merged, read_sheets, sheet_body  # noqa: PLC0415

    book = _open_workbook(path)
    table = Table(path=path, data=pd.DataFrame())
    frames = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            sheets = read_sheets(book)  # bounded by the cells holding data, not <dimension>
    except Exception as exc:  # a damaged sheet part
        msg = Note("table.workbook_unreadable", detail=f"{type(exc).__name__}: {exc}")
        raise InputError(msg, path=path) from None
    finally:
        book.close()
    for sheet in sheets:
        head = [dense_row(row) for row in sheet.rows[:_HEADER_SCAN_ROWS]]
        header_idx, hits = _find_header(head, extra)
        if hits < 2:
            if sheet.cells:
                table.notes.append(Note("note.sheet_no_header", sheet=sheet.title))
            continue
        header = head[header_idx]
        filled = fill_merged(sheet.rows, sheet.merged, header_idx, len(header))
        if filled:
            table.notes.append(Note("note.merged_cells", sheet=sheet.title, n=filled))
        body = sheet_body(sheet, header_idx, len(header))
        frames.append(_frame(header, body, header_idx, path, sheet.title, extra, table,
                             values))
        if sheet.hidden:  # read like any other, but an old or lookup sheet is often hidden
            table.notes.append(Note("note.hidden_sheet", sheet=sheet.title, n=len(frames[-1])))
    if not frames:
        raise InputError(Note("table.no_sheet_header"), path=path)
    table.data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if table.data.empty:
        table.notes.append(Note("note.header_only"))
    return table


def read_table(path: str | Path, *, columns: dict[str, str] | None = None,
               values: dict[str, dict[str, str]] | None = None) -> Table:
    """Read a CSV or .xlsx file of records into raw canonical columns.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt``/``.tsv`` or ``.xlsx``/``.xlsm`` file.
    columns : dict, optional
        Extra header -> canonical name mappings (``[records.columns]``).
    values : dict, optional
        Header -> {cell value -> value} mappings (``[records.values]``), e.g.
        ``{"是否整改": {"是": "rectified", "否": "open"}}``; applied before parsing.

    Returns
    -------
    Table

    Raises
    ------
    InputError
        Empty or unreadable file, unknown encoding, no recognisable header,
        or not a spreadsheet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(Note("table.not_found"), path=path)
    if path.stat().st_size == 0:
        raise InputError(Note("table.zero_bytes"), path=path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, columns, values)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, columns, values)
    if suffix == ".xls":
        raise InputError(Note("table.old_xls"), path=path)
    raise InputError(Note("table.unsupported", suffix=suffix), path=path)
