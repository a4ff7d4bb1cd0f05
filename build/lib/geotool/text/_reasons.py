"""Quarantine reasons (``reason.<code>``): why an input row was not used."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "reason.unclosed_quote": ("引号未闭合：后面的若干行被并进了这一格，这些行都未使用，请补上右引号后重新导出",
                       ("an unclosed quote merged the following rows into one cell: none of "
                        "them was used; close the quote and export again")),
    "reason.extra_cells": ("该行单元格比表头多（可能有未加引号的逗号），列已错位",
                    "more cells than the header (an unquoted separator?): columns shifted"),
    "reason.missing_location": ("缺少经纬度，且没有点位编号或点位名称，无法定位",
                         "no coordinates and no feature id or name: cannot be located"),
    "reason.bad_coordinates": ("经纬度无法识别（应为十进制度或度分秒）",
                        "coordinates not understood (use decimal degrees or D°M'S\")"),
    "reason.partial_coordinates": ("只有经度或只有纬度", "only one of longitude/latitude given"),
    "reason.zero_coordinates": ("经纬度为0,0（占位值）", "coordinates are 0,0 (a placeholder)"),
    "reason.swapped_coordinates": ("经纬度填反（经度列是纬度）", "longitude and latitude are swapped"),
    "reason.outside_city": ("坐标在本市范围之外", "coordinates outside the city"),
    "reason.unknown_feature_id": ("点位编号在台账中不存在", "feature id not in any ledger layer"),
    "reason.unknown_feature_name": ("点位名称在台账中不存在或不唯一",
                             "feature name not in the ledgers, or not unique"),
    "reason.bad_found_at": ("发现时间无法识别", "found-at date not understood"),
    "reason.missing_found_at": ("缺少发现时间", "no found-at date"),
    "reason.bad_deadline": ("整改时限无法识别", "deadline not understood"),
    "reason.bad_rectified_at": ("整改完成时间无法识别", "rectified-at date not understood"),
    "reason.bad_updated_at": ("更新时间无法识别", "updated-at date not understood"),
    "reason.unknown_status": ("整改状态无法识别（应为未整改/整改中/已整改/已销号）",
                       "status not understood (use open/rectifying/rectified/closed)"),
    "reason.unknown_kind": ("记录类型无法识别（应为问题或巡查/打卡）",
                     "record kind not understood (use issue or inspection)"),
    "reason.duplicate_row": ("与前面某行完全重复", "exact duplicate of an earlier row"),
    "reason.conflicting_duplicate": ("同一问题编号、同一时间有内容矛盾的多行",
                              "same record id and time as an earlier row but different content"),
    "reason.empty_geometry": ("几何为空", "empty or missing geometry"),
    "reason.unrepairable_geometry": ("几何无效且无法修复", "invalid geometry that cannot be repaired"),
    "reason.missing_feature_id": ("缺少编号", "missing id"),
    "reason.duplicate_feature_id": ("编号重复（保留第一条）", "duplicate id (the first one is kept)"),
    "reason.district_not_polygon": ("区划不是面要素", "district is not a polygon"),
}
