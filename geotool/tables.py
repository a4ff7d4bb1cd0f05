"""Reading record spreadsheets: CSV (any common encoding) and .xlsx.

Planners' spreadsheets have title rows above the header ("XX区创文问题台账"),
merged cells, several sheets, GBK encoding with no declaration and the odd
semicolon-separated export. :func:`read_table` finds the header row by
looking for known column names (:data:`COLUMN_ALIASES`), reads every sheet
that has one, and returns raw cells plus each row's file, sheet and
spreadsheet row number (the number Excel shows), so a quarantined row can be
found again.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geotool._errors import InputError

__all__ = ["COLUMN_ALIASES", "CANONICAL_COLUMNS", "Table", "read_table", "canonical_column"]

#: Canonical record columns, in output order.
CANONICAL_COLUMNS = (
    "record_id", "kind", "found_at", "lon", "lat", "feature_id", "feature_name", "category",
    "description", "source", "unit", "deadline", "status", "rectified_at", "district",
)

#: Header text (NFKC, lower case, no spaces) -> canonical column.
COLUMN_ALIASES: dict[str, str] = {
    **{c: c for c in CANONICAL_COLUMNS},
    "updated_at": "updated_at", "lonlat": "lonlat",
    "问题编号": "record_id", "记录编号": "record_id", "编号": "record_id", "工单编号": "record_id",
    "案件编号": "record_id", "id": "record_id",
    "记录类型": "kind", "类型": "kind", "记录类别": "kind", "类别": "kind",
    "发现时间": "found_at", "发现日期": "found_at", "巡查时间": "found_at", "打卡时间": "found_at",
    "检查时间": "found_at", "上报时间": "found_at", "时间": "found_at", "日期": "found_at",
    "经度": "lon", "lng": "lon", "longitude": "lon", "x坐标": "lon",
    "纬度": "lat", "latitude": "lat", "y坐标": "lat",
    "经纬度": "lonlat", "坐标": "lonlat", "位置坐标": "lonlat", "经度,纬度": "lonlat",
    "经度，纬度": "lonlat",
    "点位编号": "feature_id", "台账编号": "feature_id", "设施编号": "feature_id",
    "场所编号": "feature_id", "点位id": "feature_id",
    "点位名称": "feature_name", "场所名称": "feature_name", "地点": "feature_name",
    "点位": "feature_name",
    "问题类型": "category", "问题类别": "category", "问题分类": "category",
    "问题描述": "description", "描述": "description", "情况说明": "description",
    "问题详情": "description", "备注": "description",
    "来源": "source", "问题来源": "source", "发现途径": "source",
    "责任单位": "unit", "整改单位": "unit", "责任部门": "unit",
    "整改时限": "deadline", "整改期限": "deadline", "限期": "deadline", "整改截止时间": "deadline",
    "整改状态": "status", "状态": "status", "办理状态": "status", "处理状态": "status",
    "整改完成时间": "rectified_at", "完成时间": "rectified_at", "整改时间": "rectified_at",
    "销号时间": "rectified_at",
    "所属区": "district", "所属区县": "district", "区": "district", "所属城区": "district",
    "辖区": "district",
    "更新时间": "updated_at", "状态更新时间": "updated_at",
}

_HEADER_SCAN_ROWS = 20


def _key(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


def canonical_column(header: object, extra: dict[str, str] | None = None) -> str | None:
    """Canonical name for a header cell, or ``None`` when it is not recognised."""
    key = _key(header)
    if extra:
        for raw, canon in extra.items():
            if _key(raw) == key:
                return canon
    return COLUMN_ALIASES.get(key)


@dataclass
class Table:
    """Raw cells of one file (all sheets), with where each row came from.

    ``data`` has the canonical column names that were recognised plus
    ``_file``, ``_sheet`` and ``_row`` (1-based spreadsheet row number).
    """

    path: Path
    data: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None


def _decode(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        msg = "cannot tell the text encoding: save it as UTF-8 or GBK CSV"
        raise InputError(msg, path=path)
    return str(best), best.encoding


def _find_header(rows: list[list[object]], extra: dict[str, str] | None) -> tuple[int, int]:
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        hits = len({canonical_column(c, extra) for c in row if c is not None and str(c).strip()}
                   - {None})
        if hits > best_hits:
            best, best_hits = i, hits
    return best, best_hits


def _frame(header: list[object], body: pd.DataFrame, header_idx: int, path: Path,
           sheet: str | None, extra: dict[str, str] | None, table: Table) -> pd.DataFrame:
    width = max(len(header), body.shape[1])
    names: list[str] = []
    where = f"sheet {sheet!r}" if sheet else "the header"
    for j in range(width):
        cell = header[j] if j < len(header) else None
        canon = canonical_column(cell, extra) if cell is not None else None
        if canon is None or canon in names:
            if cell is not None and str(cell).strip():
                label = str(cell).strip()
                if canon in names:
                    label += " (duplicate)"
                if label not in table.ignored_columns:
                    table.ignored_columns.append(label)
            names.append(f"_ignored_{j}")
        else:
            names.append(canon)
            table.columns.setdefault(canon, str(cell).strip())
    body = body.reindex(columns=range(width))
    body.columns = names
    df = body[[c for c in names if not c.startswith("_ignored_")]].copy()
    data_cols = list(df.columns)
    df["_file"] = str(path)
    df["_sheet"] = sheet or ""
    df["_row"] = range(header_idx + 2, header_idx + 2 + len(df))
    if header_idx > 0:
        table.notes.append(f"{where}: skipped {header_idx} title row(s) above the header")
    if not data_cols:
        return df.iloc[0:0]
    blank = pd.Series(True, index=df.index)
    for col in data_cols:
        text = df[col].astype("string").str.strip()
        blank &= text.isna() | (text == "")
    return df[~blank]


def _read_csv(path: Path, extra: dict[str, str] | None) -> Table:
    text, encoding = _decode(path)
    if not text.strip():
        raise InputError("the file is empty: export the records again", path=path)
    head = text.splitlines()[:_HEADER_SCAN_ROWS]
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff("\n".join(head), delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    table = Table(path=path, data=pd.DataFrame(), encoding=encoding)
    if delimiter != ",":
        table.notes.append(f"columns separated by {delimiter!r} instead of ','")
    rows = [list(r) for r in csv.reader(io.StringIO("\n".join(head)), delimiter=delimiter)]
    header_idx, hits = _find_header(rows, extra)
    if hits < 2:
        msg = ("no header row with known column names (e.g. 问题编号, 发现时间, 经度, 纬度) "
               "in the first 20 rows: add one, or map your headers in [records.columns]")
        raise InputError(msg, path=path)
    try:
        body = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                           keep_default_na=False, skiprows=header_idx + 1,
                           skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except pd.errors.EmptyDataError:
        body = pd.DataFrame()
    except pd.errors.ParserError as exc:
        msg = f"rows have different numbers of columns ({exc}): check the separator and quotes"
        raise InputError(msg, path=path) from None
    table.data = _frame(rows[header_idx], body, header_idx, path, None, extra, table)
    if table.data.empty:
        table.notes.append("header only: no data rows")
    return table


def _read_xlsx(path: Path, extra: dict[str, str] | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        msg = f"cannot open as .xlsx ({type(exc).__name__}): save it again from Excel/WPS as .xlsx"
        raise InputError(msg, path=path) from None
    table = Table(path=path, data=pd.DataFrame())
    frames = []
    try:
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            header_idx, hits = _find_header(rows, extra)
            if hits < 2:
                if any(any(c is not None for c in r) for r in rows):
                    table.notes.append(f"sheet {sheet.title!r}: no recognisable header, skipped")
                continue
            body = pd.DataFrame(rows[header_idx + 1:], dtype="object")
            frames.append(_frame(rows[header_idx], body, header_idx, path, sheet.title, extra,
                                 table))
    finally:
        book.close()
    if not frames:
        msg = ("no sheet has a header row with known column names (e.g. 问题编号, 发现时间, "
               "经度, 纬度): add one, or map your headers in [records.columns]")
        raise InputError(msg, path=path)
    table.data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return table


def read_table(path: str | Path, *, columns: dict[str, str] | None = None) -> Table:
    """Read a CSV or .xlsx file of records into raw canonical columns.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
    columns : dict, optional
        Extra header -> canonical name mappings (``[records.columns]``).

    Raises
    ------
    InputError
        Empty file, unknown encoding, no recognisable header, or not a
        spreadsheet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty (0 bytes): export the records again", path=path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, columns)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, columns)
    if suffix == ".xls":
        msg = "old .xls format is not supported: open it in Excel/WPS and save as .xlsx"
        raise InputError(msg, path=path)
    raise InputError(f"unsupported record file type {suffix!r}: use .csv or .xlsx", path=path)
