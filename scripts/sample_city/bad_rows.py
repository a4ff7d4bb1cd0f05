"""The bad rows planted in the record files (each one listed in BAD_ROWS.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geotool.crs import wgs84_to_bd09
from sample_city.geometry import choice, metric_to_gcj
from sample_city.records import street_spots, violates
from sample_city.words import _TO_WGS, CUTOFF_MIN, D1, DESCRIPTIONS, DISTRICTS, ISSUE_TYPES

BAD_ISSUE_ROWS = {  # 1-based data row in issues_2026.xlsx -> defect
    57: "no_location",
    612: "far_away",
    1288: "swapped",
    2050: "zero",
    2777: "bad_found",
    3390: "bad_deadline",
    4105: "bad_status",
    4800: "dup",
    5600: "bad_id",
    6200: "done_before",
}


BAD_CHECK_ROWS = {
    901: "empty_time",
    4444: "one_cell",
    7777: "future",
    10500: "bad_name",
    13000: "bad_kind",
    14200: "bd09",
}


BAD_UPDATE_ROWS = {120: "orphan", 480: "upd_before"}


BAD_TEXT = {
    "no_location": "经度/纬度 empty, no 点位编号 and no 点位名称 (no location at all)",
    "far_away": "coordinates 116.397428, 39.90923 (Beijing), far outside the city",
    "swapped": "经度 and 纬度 swapped (经度 ≈ 33.6, 纬度 ≈ 114.6)",
    "zero": "coordinates 0, 0",
    "bad_found": "发现时间 `2026-13-45 09:10` (no such date)",
    "bad_deadline": "整改时限 `下周一` (not a date)",
    "bad_status": "整改状态 `待定` (not a known status)",
    "dup": "问题编号 also on the next row, same 发现时间 but different 问题类型 and coordinates",
    "bad_id": "点位编号 `BJ-9999` (no such feature) and no coordinates",
    "done_before": "整改完成时间 two days before 发现时间",
    "empty_time": "发现时间 empty",
    "one_cell": "both coordinates in the 经度 cell (`lon,lat`), 纬度 empty",
    "future": "发现时间 2026-11-03, after the as-of date 2026-10-26",
    "bad_name": "点位名称 `人民公园东门广场` is on no ledger, no coordinates, no 点位编号",
    "bad_kind": "记录类型 `检查` (neither 巡查 nor 打卡)",
    "bd09": "coordinates copied from Baidu maps (BD-09, about 700 m off the GCJ-02 spot)",
    "orphan": "问题编号 `WT2025-00417` is not in issues_2026.xlsx",
    "upd_before": "更新时间 two days before the issue's 发现时间",
}


def spare_spots(rng, admin, feats, story, n: int) -> np.ndarray:
    """Street spots in 川东区 that no rule forbids, for the bad rows' coordinates."""
    xy = street_spots(rng, admin, feats, D1, 4 * n, story)
    ok = ~violates(
        story["rules"],
        xy[:, 0],
        xy[:, 1],
        np.full(len(xy), CUTOFF_MIN),
        np.full(len(xy), -1),
        feats,
    )
    return xy[ok][:n]


def insert_rows(frame: pd.DataFrame, rows: dict) -> pd.DataFrame:
    """Insert ``rows`` (1-based final data row -> dict) into ``frame``, in row order."""
    parts, prev = [], 0
    for pos in sorted(rows):
        n_before = pos - 1 - sum(1 for q in rows if q < pos)
        parts.append(frame.iloc[prev:n_before])
        parts.append(pd.DataFrame([rows[pos]], columns=frame.columns))
        prev = n_before
    parts.append(frame.iloc[prev:])
    return pd.concat(parts, ignore_index=True)


BAD_ISSUE_EDITS = {  # the simple defects: cells to overwrite
    "no_location": {"经度": None, "纬度": None},
    "far_away": {"经度": 116.397428, "纬度": 39.90923},
    "zero": {"经度": 0.0, "纬度": 0.0},
    "bad_found": {"发现时间": "2026-13-45 09:10", "整改状态": "未整改", "整改完成时间": ""},
    "bad_deadline": {"整改时限": "下周一"},
    "bad_status": {"整改状态": "待定", "整改完成时间": ""},
    "bad_id": {"经度": None, "纬度": None, "点位编号": "BJ-9999"},
}


def bad_issue_rows(rng, admin, feats, story, issues: pd.DataFrame) -> dict:
    """The bad rows of issues_2026.xlsx, each a rectified 川东区 street issue plus a defect."""
    spots = spare_spots(rng, admin, feats, story, len(BAD_ISSUE_ROWS) + 2)
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_ISSUE_ROWS.items())):
        base = issues.iloc[pos - 1 - k].to_dict()
        glon, glat = metric_to_gcj(spots[k : k + 1, 0], spots[k : k + 1, 1])
        found = pd.Timestamp(base["发现时间"])
        base.update(
            {
                "问题编号": f"WT2026-9{k + 1:04d}",  # entered by hand, outside the sequence
                "经度": glon[0],
                "纬度": glat[0],
                "点位编号": "",
                "点位名称": "",
                "所属区": DISTRICTS[D1][1],
                "责任单位": "川东区城管局",
                "整改状态": "已整改",
                "问题描述": DESCRIPTIONS[base["问题类型"]][0].format(p="路口"),
                "整改完成时间": (found + pd.Timedelta(hours=26)).strftime("%Y-%m-%d %H:%M"),
            }
        )
        base.update(BAD_ISSUE_EDITS.get(kind, {}))
        if kind == "swapped":
            base.update({"经度": glat[0], "纬度": glon[0]})
        elif kind == "done_before":
            base["整改完成时间"] = (found - pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        elif kind == "dup":  # the same id again on the next row, with other content
            rows[pos] = dict(base)
            glon2, glat2 = metric_to_gcj(spots[-1:, 0], spots[-1:, 1])
            typ = choice(rng, [t for t in ISSUE_TYPES if t != base["问题类型"]])
            base.update(
                {
                    "经度": glon2[0],
                    "纬度": glat2[0],
                    "问题类型": typ,
                    "问题描述": DESCRIPTIONS[typ][1].format(p="路口"),
                }
            )
        rows[pos + 1 if kind == "dup" else pos] = base  # a "dup" goes on the next row
    return rows


def bad_check_rows(rng, admin, feats, story, checks: pd.DataFrame) -> dict:
    """The bad rows of inspections_gbk.csv."""
    spots = spare_spots(rng, admin, feats, story, len(BAD_CHECK_ROWS))
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_CHECK_ROWS.items())):
        base = checks.iloc[pos - 1 - k].to_dict()
        base["记录编号"] = f"XC2026-9{k + 1:05d}"
        glon, glat = metric_to_gcj([spots[k, 0]], [spots[k, 1]])
        base.update(
            {
                "经度": glon[0],
                "纬度": glat[0],
                "点位编号": "",
                "点位名称": "",
                "所属区": DISTRICTS[D1][1],
                "责任单位": "川东区城管局",
            }
        )
        if kind == "empty_time":
            base["发现时间"] = ""
        elif kind == "one_cell":
            base.update({"经度": f"{glon[0]:.6f},{glat[0]:.6f}", "纬度": None})
        elif kind == "future":
            base["发现时间"] = "2026-11-03 08:15"
        elif kind == "bad_name":
            base.update({"经度": None, "纬度": None, "点位名称": "人民公园东门广场"})
        elif kind == "bad_kind":
            base["记录类型"] = "检查"
        elif kind == "bd09":
            lon, lat = _TO_WGS.transform(spots[k, 0], spots[k, 1])
            blon, blat = wgs84_to_bd09(lon, lat)
            base.update({"经度": round(float(blon), 6), "纬度": round(float(blat), 6)})
        rows[pos] = base
    return rows


def bad_update_rows(issues: pd.DataFrame, updates: pd.DataFrame) -> dict:
    """The bad rows of rectification_updates.csv."""
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_UPDATE_ROWS.items())):
        base = updates.iloc[pos - 1 - k].to_dict()
        if kind == "orphan":
            base["问题编号"] = "WT2025-00417"
        else:  # an already 已销号 issue: the bad update cannot change its outcome
            good = issues[
                (issues["整改状态"] == "已销号")
                & (issues["所属区"] == "川东区")
                & ~issues["问题编号"].isin(updates["问题编号"])
            ].iloc[k * 37]
            base = good.to_dict()
            base["整改状态"] = "已整改"
            t = pd.Timestamp(good["发现时间"]) - pd.Timedelta(days=2)
            base["更新时间"] = t.strftime("%Y-%m-%d %H:%M")
        rows[pos] = base
    return rows
