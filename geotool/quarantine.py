"""The quarantine: input rows geotool could not use, each with a reason.

Every row read ends up either used or here, with its file, sheet, row
number (the number a spreadsheet shows; for layers the feature's 1-based
position), the column at fault, the value found and a reason a planner
understands, in Chinese and English. ``read = used + quarantined`` always.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["QUARANTINE_COLUMNS", "REASONS", "quarantine_frame", "reason_text"]

QUARANTINE_COLUMNS = ["file", "sheet", "layer", "row", "column", "value", "reason_code", "reason"]

#: reason code -> (Chinese, English) text for planners.
REASONS: dict[str, tuple[str, str]] = {
    "unclosed_quote": ("引号未闭合：后面的若干行被并进了这一格，这些行都未使用，请补上右引号后重新导出",
                       ("an unclosed quote merged the following rows into one cell: none of "
                        "them was used; close the quote and export again")),
    "extra_cells": ("该行单元格比表头多（可能有未加引号的逗号），列已错位",
                    "more cells than the header (an unquoted separator?): columns shifted"),
    "missing_location": ("缺少经纬度，且没有点位编号或点位名称，无法定位",
                         "no coordinates and no feature id or name: cannot be located"),
    "bad_coordinates": ("经纬度无法识别（应为十进制度或度分秒）",
                        "coordinates not understood (use decimal degrees or D°M'S\")"),
    "partial_coordinates": ("只有经度或只有纬度", "only one of longitude/latitude given"),
    "zero_coordinates": ("经纬度为0,0（占位值）", "coordinates are 0,0 (a placeholder)"),
    "swapped_coordinates": ("经纬度填反（经度列是纬度）", "longitude and latitude are swapped"),
    "outside_city": ("坐标在本市范围之外", "coordinates outside the city"),
    "unknown_feature_id": ("点位编号在台账中不存在", "feature id not in any ledger layer"),
    "unknown_feature_name": ("点位名称在台账中不存在或不唯一",
                             "feature name not in the ledgers, or not unique"),
    "bad_found_at": ("发现时间无法识别", "found-at date not understood"),
    "missing_found_at": ("缺少发现时间", "no found-at date"),
    "bad_deadline": ("整改时限无法识别", "deadline not understood"),
    "bad_rectified_at": ("整改完成时间无法识别", "rectified-at date not understood"),
    "bad_updated_at": ("更新时间无法识别", "updated-at date not understood"),
    "unknown_status": ("整改状态无法识别（应为未整改/整改中/已整改/已销号）",
                       "status not understood (use open/rectifying/rectified/closed)"),
    "unknown_kind": ("记录类型无法识别（应为问题或巡查/打卡）",
                     "record kind not understood (use issue or inspection)"),
    "duplicate_row": ("与前面某行完全重复", "exact duplicate of an earlier row"),
    "conflicting_duplicate": ("同一问题编号、同一时间有内容矛盾的多行",
                              "same record id and time as an earlier row but different content"),
    "empty_geometry": ("几何为空", "empty or missing geometry"),
    "unrepairable_geometry": ("几何无效且无法修复", "invalid geometry that cannot be repaired"),
    "missing_feature_id": ("缺少编号", "missing id"),
    "duplicate_feature_id": ("编号重复（保留第一条）", "duplicate id (the first one is kept)"),
    "district_not_polygon": ("区划不是面要素", "district is not a polygon"),
}


def reason_text(code: str, lang: str = "zh") -> str:
    """The planner-facing text of a reason code."""
    zh, en = REASONS[code]
    return en if lang == "en" else zh


def quarantine_frame(path: str | Path, rows: np.ndarray | list[int], column: str | None,
                     values: np.ndarray | list | None, code: str, *, sheet: str | np.ndarray = "",
                     layer: str = "", lang: str = "zh") -> pd.DataFrame:
    """Build quarantine rows for one reason.

    Parameters
    ----------
    path : str or Path
        The file the rows came from.
    rows : array of int
        Row numbers.
    column : str or None
        The column at fault.
    values : array or None
        The offending values, one per row.
    code : str
        A key of :data:`REASONS`.

    Examples
    --------
    >>> q = quarantine_frame("a.geojson", [3], "id", None, "missing_feature_id", layer="points")
    >>> q[["file", "layer", "row", "reason_code", "reason"]].values.tolist()
    [['a.geojson', 'points', 3, 'missing_feature_id', '缺少编号']]
    """
    rows = np.asarray(rows)
    n = len(rows)
    if values is None:
        values = [""] * n
    vals = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in values]
    return pd.DataFrame({
        "file": [str(path)] * n,
        "sheet": sheet if not isinstance(sheet, str) else [sheet] * n,
        "layer": [layer] * n,
        "row": rows.astype(int),
        "column": [column or ""] * n,
        "value": vals,
        "reason_code": [code] * n,
        "reason": [reason_text(code, lang)] * n,
    }, columns=QUARANTINE_COLUMNS)
