"""A hand-computed two-week city for the history store and ``geotool diff``.

Metres relative to (500000 E, 3720000 N), EPSG:32650; three districts in a
row, all points on y = 500, records exactly on their point::

    A = [0,1000]     PA1 (200)  PA2 (700)
    B = [1000,2000]  PB1 (1200) PB2 (1700)
    C = [2000,3000]  PC1 (2200) PC2 (2500) PC3 (2800)

D1 = 2026-10-12 (window 10-06..10-12), D2 = 2026-10-19 (window 10-13..10-19);
recurrence_days = 1 (no recurrence), blind spots off (min area 10⁷ m², each district is 10⁶ m²).

    I1 PA1 found 10-08, deadline 10-30, open                 no change
    I2 PB1 found 10-09, deadline 10-20, rectified 10-15       closed
    I3 PC1 found 10-05, rectified 10-11, reopened 10-16 with deadline 10-25
                                                              reopened (not overdue)
    I4 PA2 found 10-07, deadline 10-14, open                  newly overdue
    I5 PB2 found 10-14, deadline 10-30, open                  new issue
    I6 PC2 found 10-03, deadline 10-10 (overdue at D1), rectified 10-14   closed
    inspections: PB2 10-10, PC1 10-11, PC2 10-12 (D1 window);
                 PA1 10-15, PC3 10-16, PB1 10-17, PC1 10-18, PC2 10-19 (D2 window)

Coverage: PA2 covered at D1 (I4) only -> newly forgotten; PC3 never touched
before 10-16 -> recovered. Every other feature is covered at both dates.

Scores (blind share 0, no recurrence: 100 × (0.4 cov + 0.25 + 0.2 (1 − od/open) + 0.15)):

    D1  A cov 1,   open 2 od 0 -> 100.00   rank 2 (ties by id)
        B cov 1,   open 1 od 0 -> 100.00   rank 3
        C cov 2/3, open 1 od 1 ->  66.67   rank 1
    D2  A cov 1/2, open 2 od 1 ->  70.00   rank 1
        B cov 1,   open 1 od 0 -> 100.00   rank 2
        C cov 1,   open 1 od 0 -> 100.00   rank 3   (C up two places)
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
from shapely import affinity
from shapely.geometry import Point, box

X0, Y0 = 500_000.0, 3_720_000.0
CRS = "EPSG:32650"
D1, D2 = dt.date(2026, 10, 12), dt.date(2026, 10, 19)
POINTS = {"PA1": 200, "PA2": 700, "PB1": 1200, "PB2": 1700, "PC1": 2200, "PC2": 2500,
          "PC3": 2800}

#: (id, kind, found, point, category, deadline, status, rectified, updated)
ROWS = [
    ("I1", "问题", "2026-10-08 09:00", "PA1", "乱堆乱倒", "2026-10-30", "未整改", "", ""),
    ("I2", "问题", "2026-10-09 09:00", "PB1", "小广告", "2026-10-20", "未整改", "", ""),
    ("I2", "问题", "2026-10-09 09:00", "PB1", "小广告", "2026-10-20", "已整改",
     "2026-10-15 10:00", ""),
    ("I3", "问题", "2026-10-05 09:00", "PC1", "积水", "2026-10-10", "已整改",
     "2026-10-11 08:00", ""),
    ("I3", "问题", "2026-10-05 09:00", "PC1", "积水", "2026-10-25", "未整改", "",
     "2026-10-16 09:00"),
    ("I4", "问题", "2026-10-07 09:00", "PA2", "乱停乱放", "2026-10-14", "未整改", "", ""),
    ("I5", "问题", "2026-10-14 09:00", "PB2", "占道经营", "2026-10-30", "未整改", "", ""),
    ("I6", "问题", "2026-10-03 09:00", "PC2", "路面破损", "2026-10-10", "未整改", "", ""),
    ("I6", "问题", "2026-10-03 09:00", "PC2", "路面破损", "2026-10-10", "已整改",
     "2026-10-14 10:00", ""),
    ("X4", "巡查", "2026-10-10 10:00", "PB2", "", "", "", "", ""),
    ("X5", "巡查", "2026-10-11 10:00", "PC1", "", "", "", "", ""),
    ("X7", "巡查", "2026-10-12 10:00", "PC2", "", "", "", "", ""),
    ("X1", "巡查", "2026-10-15 10:00", "PA1", "", "", "", "", ""),
    ("X9", "巡查", "2026-10-16 10:00", "PC3", "", "", "", "", ""),
    ("X3", "巡查", "2026-10-17 10:00", "PB1", "", "", "", "", ""),
    ("X6", "巡查", "2026-10-18 10:00", "PC1", "", "", "", "", ""),
    ("X8", "巡查", "2026-10-19 10:00", "PC2", "", "", "", "", ""),
]

#: The changes ``geotool diff --from D1 --to D2`` must list, in its order.
EXPECTED_CHANGES = [
    ("new_issue", "B", "I5"),
    ("closed", "B", "I2"),
    ("closed", "C", "I6"),
    ("newly_overdue", "A", "I4"),
    ("reopened", "C", "I3"),
    ("newly_forgotten", "A", "PA2"),
    ("recovered", "C", "PC3"),
]


def _g(geom):
    return affinity.translate(geom, X0, Y0)


def build_two_weeks(root, history: str = "") -> None:
    """Write the workspace into ``root``; ``history`` is the ``[history]`` table's body."""
    (root / "records").mkdir(parents=True)
    gpd.GeoDataFrame({"code": ["A", "B", "C"], "name": ["甲区", "乙区", "丙区"],
                      "parent": [None, None, None]},
                     geometry=[_g(box(x, 0, x + 1000, 1000)) for x in (0, 1000, 2000)],
                     crs=CRS).to_file(root / "districts.gpkg")
    gpd.GeoDataFrame({"id": list(POINTS), "name": [f"点位{k}" for k in POINTS],
                      "unit": ["单位" + k[1] for k in POINTS]},
                     geometry=[_g(Point(x, 500)) for x in POINTS.values()],
                     crs=CRS).to_file(root / "points.gpkg")
    head = "问题编号,记录类型,发现时间,经度,纬度,点位编号,问题类型,整改时限,整改状态,整改完成时间,更新时间\n"
    lines = [",".join([rid, kind, found, f"{X0 + POINTS[p]:.3f}", f"{Y0 + 500:.3f}", p,
                       cat, deadline, status, rect, upd])
             for rid, kind, found, p, cat, deadline, status, rect, upd in ROWS]
    (root / "records" / "records.csv").write_text(head + "\n".join(lines) + "\n",
                                                  encoding="utf-8")
    (root / "geotool.toml").write_text(f"""
[city]
name = "两周市"

[defaults]
window_days = 7
match_radius_m = 50
reach_m = 300
min_blindspot_m2 = 1e7
recurrence_days = 1

[layers.districts]
path = "districts.gpkg"
id = "code"
crs = "{CRS}"

[layers.points]
path = "points.gpkg"
unit = "unit"
label = "测评点位"

[records]
paths = ["records/*.csv"]
crs = "{CRS}"

[history]
{history}
""", encoding="utf-8")
