"""A tiny hand-made workspace for the map tests and the map benchmark.

:func:`make_workspace` writes districts, three ledger layers and a records
CSV into a folder, as a planner would hand them over; load it with
:func:`geotool.io.workspace.load_workspace` and run
:func:`geotool.analysis.gaps.find_gaps` with :data:`AS_OF`.

The city (WGS-84, around 114.65 E, 33.62 N):

* two districts side by side, each 0.05° square: ``A`` (甲区) and ``B``
  whose name carries an HTML injection (:data:`XSS`); each has 2 streets
  (``A-1``, ``A-2``...) and each street 2 communities (``A-1-a``...);
* alleys (lines) ``AL-*``, markets (polygons) ``MK-*``, inspection points
  ``PT-*``, spread over both districts; the markets' layer label and one
  alley name carry the injection too;
* issues: a few fixed ones (open, overdue, rectified, a recurrence, the
  injection in a description and a unit) plus ``n_issues`` random ones in
  district ``A``; inspections touch every second alley in the window.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np

__all__ = ["AS_OF", "XSS", "load_result", "make_workspace"]

AS_OF = dt.date(2026, 9, 30)
#: Sets ``window.__xss`` if it ever runs.
XSS = "<img src=x onerror=window.__xss=1>"

_CATEGORIES = ["乱停乱放", "乱贴乱画", "占道经营", "卫生死角", "飞线", "路面破损"]
_SOURCES = ["晨查", "暗访", "督导", "模拟测评", "群众举报"]
_UNITS = ["城管局", "住建局", "紫荆路街道办", "交警大队"]


def _box(x0: float, y0: float, x1: float, y1: float) -> list:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _write_geojson(path: Path, features: list[dict]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")


def _feature(props: dict, gtype: str, coords: list) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": gtype, "coordinates": coords}}


def _districts() -> list[dict]:
    out = []
    names = {"A": "甲区", "B": f"乙区{XSS}"}
    for k, (did, name) in enumerate(names.items()):
        x0 = 114.60 + 0.05 * k
        out.append(_feature({"id": did, "name": name, "parent": None}, "Polygon",
                            _box(x0, 33.60, x0 + 0.05, 33.65)))
        for s in range(2):
            sx = x0 + 0.025 * s
            sid = f"{did}-{s + 1}"
            out.append(_feature({"id": sid, "name": f"{name[:2]}{s + 1}街道", "parent": did},
                                "Polygon", _box(sx, 33.60, sx + 0.025, 33.65)))
            for c in range(2):
                cy = 33.60 + 0.025 * c
                out.append(_feature({"id": f"{sid}-{'ab'[c]}", "name": f"{sid}社区{c + 1}",
                                     "parent": sid}, "Polygon",
                                    _box(sx, cy, sx + 0.025, cy + 0.025)))
    return out


def make_workspace(root: Path, *, n_issues: int = 40, n_alleys: int = 12, seed: int = 7) -> Path:
    """Write the workspace into ``root`` and return ``root``.

    Parameters
    ----------
    root : Path
        Folder to write (created).
    n_issues : int
        Random issues in district ``A`` on top of the fixed ones.
    n_alleys : int
        Alleys per district.
    seed : int
        Random seed (same seed, same files).
    """
    rng = np.random.default_rng(seed)
    root = Path(root)
    (root / "records").mkdir(parents=True, exist_ok=True)
    _write_geojson(root / "districts.geojson", _districts())
    alleys, markets, points = [], [], []
    for k, did in enumerate("AB"):
        x0 = 114.60 + 0.05 * k
        for i in range(n_alleys):
            x = x0 + 0.004 + 0.042 * rng.random()
            y = 33.604 + 0.042 * rng.random()
            name = XSS if (did == "A" and i == 0) else f"{did}巷{i + 1}"
            alleys.append(_feature({"id": f"AL-{did}{i + 1}", "name": name, "unit": _UNITS[i % 4]},
                                   "LineString", [[x, y], [x + 0.003, y + 0.0004]]))
        for i in range(3):
            x = x0 + 0.01 + 0.013 * i
            y = 33.62 + 0.006 * i
            markets.append(_feature({"id": f"MK-{did}{i + 1}", "name": f"{did}市场{i + 1}",
                                     "unit": "市场监管局"}, "Polygon",
                                    _box(x, y, x + 0.0008, y + 0.0008)))
        for i in range(5):
            x = x0 + 0.005 + 0.009 * i
            y = 33.645 - 0.008 * i
            points.append(_feature({"id": f"PT-{did}{i + 1}", "name": f"{did}点位{i + 1}",
                                    "unit": "文明办", "type": "学校"}, "Point", [x, y]))
    _write_geojson(root / "alleys.geojson", alleys)
    _write_geojson(root / "markets.geojson", markets)
    _write_geojson(root / "points.geojson", points)
    (root / "geotool.toml").write_text(
        '[city]\nname = "测试市"\n\n'
        '[layers.districts]\npath = "districts.geojson"\n\n'
        '[layers.alleys]\npath = "alleys.geojson"\nunit = "unit"\nlabel = "背街小巷"\n\n'
        f'[layers.markets]\npath = "markets.geojson"\nunit = "unit"\nlabel = "农贸市场{XSS}"\n\n'
        '[layers.points]\npath = "points.geojson"\nunit = "unit"\ntype = "type"\n'
        'label = "测评点位"\n\n'
        '[records]\npaths = ["records/*.csv"]\ncrs = "EPSG:4326"\n', encoding="utf-8")
    _write_records(root / "records" / "records.csv", alleys, markets, rng, n_issues)
    return root


def _write_records(path: Path, alleys: list[dict], markets: list[dict],
                   rng: np.random.Generator, n_issues: int) -> None:
    cols = ["record_id", "kind", "found_at", "lon", "lat", "feature_id", "category",
            "description", "source", "unit", "deadline", "status", "rectified_at"]
    rows: list[list[object]] = []
    day = AS_OF - dt.timedelta(days=3)
    # inspections: every second alley, inside the window
    for i, f in enumerate(alleys):
        if i % 2 == 0:
            (x, y) = f["geometry"]["coordinates"][0]
            rows.append(["", "巡查", f"{day} 07:30", x + 0.0005, y + 0.00005, "", "", "", "晨查",
                         "", "", "", ""])
    (mx, my) = markets[0]["geometry"]["coordinates"][0][0]
    fixed = [
        # the injection, in a description and a unit
        ["X-1", "问题", f"{AS_OF - dt.timedelta(days=2)} 09:00", 114.61, 33.61, "", "乱贴乱画",
         XSS, "暗访", f"城管局{XSS}", str(AS_OF + dt.timedelta(days=5)), "未整改", ""],
        # overdue
        ["X-2", "问题", f"{AS_OF - dt.timedelta(days=20)} 10:00", 114.62, 33.63, "", "飞线",
         "杂乱线缆", "督导", "住建局", str(AS_OF - dt.timedelta(days=10)), "整改中", ""],
        # rectified, then the same category again at the same market: a recurrence
        ["X-3", "问题", f"{AS_OF - dt.timedelta(days=25)} 08:00", mx + 0.0004, my + 0.0004, "",
         "占道经营", "店外经营", "晨查", "市场监管局", str(AS_OF - dt.timedelta(days=20)),
         "已整改", str(AS_OF - dt.timedelta(days=21))],
        ["X-4", "问题", f"{AS_OF - dt.timedelta(days=5)} 08:00", mx + 0.0004, my + 0.0004, "",
         "占道经营", "店外经营又出现", "晨查", "市场监管局", str(AS_OF + dt.timedelta(days=2)),
         "未整改", ""],
        # in district B
        ["X-5", "问题", f"{AS_OF - dt.timedelta(days=1)} 08:00", 114.68, 33.62, "", "卫生死角",
         "垃圾堆放", "群众举报", "乙区环卫所", str(AS_OF + dt.timedelta(days=3)), "未整改", ""],
    ]
    rows += fixed
    statuses = ["未整改", "整改中", "已整改", "已销号"]
    for i in range(n_issues):
        found = (dt.datetime.combine(AS_OF, dt.time(18))
                 - dt.timedelta(days=int(rng.integers(0, 40)), hours=int(rng.integers(0, 12))))
        status = statuses[int(rng.integers(0, 4))]
        rect = str((found + dt.timedelta(days=2)).date()) if status in ("已整改", "已销号") else ""
        rows.append([f"R-{i + 1:05d}", "问题", found.strftime("%Y-%m-%d %H:%M"),
                     round(114.602 + 0.046 * rng.random(), 6),
                     round(33.602 + 0.046 * rng.random(), 6), "",
                     _CATEGORIES[i % len(_CATEGORIES)], f"问题描述{i + 1}：{_CATEGORIES[i % 6]}",
                     _SOURCES[i % len(_SOURCES)], _UNITS[i % len(_UNITS)],
                     str((found + dt.timedelta(days=7)).date()), status, rect])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(rows)


def load_result(root: Path):
    """Load the workspace at ``root`` and run the gap analysis as of :data:`AS_OF`."""
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(root)
    return find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=AS_OF))
