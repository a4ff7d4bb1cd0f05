"""A bench workspace shaped like a real city: 10 real county polygons, few hundred ledgers.

周口市's 10 counties (DataV, GCJ-02, 300-1,800 km² each) are read from
``../shared/realdata`` when it is there (never copied: the workspace's
config points at the file); elsewhere 10 generated squares of the same sizes
stand in. Ledger features (alleys as lines, markets as polygons, points) sit
around each county seat, where a real office's ledgers are; records cover 8
weeks, about 57 % issues (half of them still open at the end), many issues of
one category coming back at the same places (recurrence-heavy), in one UTF-8
CSV with GCJ-02 coordinates, as a phone app writes them.

Usage (from another bench script)::

    from realcity import make_realcity
    root = make_realcity(Path("bench/_work/real_1000000"), records=1_000_000)
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "realdata" / "boundaries" / "411600_full.json"
METRIC = 32650
CATEGORIES = np.array(["乱停乱放", "乱贴乱画", "卫生死角", "占道经营", "路面破损", "小广告",
                       "乱堆乱倒", "飞线充电"])
STATUSES = np.array(["未整改", "整改中", "已整改", "已销号"])


def _districts() -> tuple[gpd.GeoDataFrame, str]:
    """The county polygons (WGS-84 frame for placing things) and the config lines for them."""
    if REAL.exists():
        from geotool.crs import to_wgs84
        from geotool.io.workspace import load_workspace  # noqa: F401  (geotool installed)

        raw = gpd.read_file(REAL)[["adcode", "name", "geometry"]].set_crs(4326, allow_override=True)
        wgs = to_wgs84(raw, "GCJ-02")
        conf = (f'[layers.districts]\npath = "{REAL.as_posix()}"\nid = "adcode"\nname = "name"\n'
                'crs = "GCJ-02"\n')
        return wgs.rename(columns={"adcode": "id"}), conf
    sizes_km = [18.3, 33.4, 34.9, 36.3, 33.3, 34.6, 36.5, 42.0, 35.4, 33.6]
    x, cells = 560_000.0, []
    for s in sizes_km:
        cells.append(shapely.box(x, 3_700_000.0, x + s * 1000, 3_700_000.0 + s * 1000))
        x += s * 1000
    d = gpd.GeoDataFrame({"id": [f"4116{i:02d}" for i in range(10)],
                          "name": [f"县{i}" for i in range(10)]}, geometry=cells, crs=METRIC)
    return d.to_crs(4326), '[layers.districts]\npath = "districts.gpkg"\n'


def make_realcity(root: Path, *, records: int, features_per_county: int = 79,
                  seed: int = 7) -> Path:
    """Write the workspace into ``root`` (skipped when it exists); return ``root``."""
    if (root / "geotool.toml").exists():
        return root
    from geotool.crs import wgs84_to_gcj02

    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    dist, dist_conf = _districts()
    if not REAL.exists():
        dist.to_file(root / "districts.gpkg")
    dm = dist.to_crs(METRIC)
    seats = shapely.get_coordinates(dm.geometry.representative_point())
    n_c = len(dm)
    # ledgers: 40 % alleys, 10 % markets, 50 % points, within ~4 km of the county seat
    n_f = n_c * features_per_county
    county = np.repeat(np.arange(n_c), features_per_county)
    fx = seats[county, 0] + rng.normal(0, 2500, n_f)
    fy = seats[county, 1] + rng.normal(0, 2500, n_f)
    kind = rng.choice(3, size=n_f, p=[0.4, 0.1, 0.5])
    length, angle = rng.uniform(150, 600, n_f), rng.uniform(0, math.pi, n_f)
    geoms = np.empty(n_f, dtype=object)
    lines, polys, pts = kind == 0, kind == 1, kind == 2
    geoms[lines] = shapely.linestrings(np.stack([
        np.stack([fx[lines], fy[lines]], axis=1),
        np.stack([fx[lines] + length[lines] * np.cos(angle[lines]),
                  fy[lines] + length[lines] * np.sin(angle[lines])], axis=1)], axis=1))
    geoms[polys] = shapely.box(fx[polys], fy[polys], fx[polys] + 120, fy[polys] + 90)
    geoms[pts] = shapely.points(fx[pts], fy[pts])
    layer = np.array(["alleys", "markets", "points"])[kind]
    feats = gpd.GeoDataFrame({"id": [f"F{i:05d}" for i in range(n_f)],
                              "name": [f"点位{i}" for i in range(n_f)],
                              "unit": [f"单位{i % 60}" for i in range(n_f)]},
                             geometry=geoms, crs=METRIC).to_crs(4326)
    for key in ("alleys", "markets", "points"):
        feats[layer == key].to_file(root / f"{key}.gpkg")
    # records: 75 % at a ledger feature (few hot places get most), 25 % around the seats
    hot = rng.zipf(1.6, records) % n_f
    near = rng.random(records) < 0.75
    anchor = shapely.get_coordinates(shapely.point_on_surface(geoms))[hot]
    rc = rng.integers(0, n_c, records)
    rx = np.where(near, anchor[:, 0] + rng.normal(0, 15, records),
                  seats[rc, 0] + rng.normal(0, 6000, records))
    ry = np.where(near, anchor[:, 1] + rng.normal(0, 15, records),
                  seats[rc, 1] + rng.normal(0, 6000, records))
    wgs = gpd.GeoSeries(shapely.points(rx, ry), crs=METRIC).to_crs(4326)
    lon, lat = wgs84_to_gcj02(wgs.x.to_numpy(), wgs.y.to_numpy())
    start = pd.Timestamp("2026-09-01")
    found = start + pd.to_timedelta(rng.uniform(0, 56 * 86400, records).astype(np.int64), "s")
    issue = rng.random(records) < 0.575
    # the same few categories at the same places: recurrence-heavy
    cat = CATEGORIES[(hot * 3 + rng.integers(0, 2, records)) % len(CATEGORIES)]
    status = STATUSES[rng.choice(4, records, p=[0.3, 0.2, 0.3, 0.2])]
    done = np.isin(status, ["已整改", "已销号"])
    df = pd.DataFrame({
        "问题编号": [f"R{i:07d}" for i in range(records)],
        "记录类型": np.where(issue, "问题", "巡查"),
        "发现时间": found.strftime("%Y-%m-%d %H:%M"),
        "经度": np.round(lon, 6),
        "纬度": np.round(lat, 6),
        "问题类型": np.where(issue, cat, ""),
        "问题描述": np.where(issue, "现场发现" + cat, ""),
        "责任单位": [f"单位{i % 60}" for i in range(records)],
        "整改时限": np.where(issue, (found + pd.Timedelta(days=5)).strftime("%Y-%m-%d"), ""),
        "整改状态": np.where(issue, status, ""),
        "整改完成时间": np.where(issue & done,
                           (found + pd.Timedelta(days=2)).strftime("%Y-%m-%d"), ""),
    })
    (root / "records").mkdir(exist_ok=True)
    df.to_csv(root / "records" / "records.csv", index=False, encoding="utf-8")
    layers = "".join(f'[layers.{k}]\npath = "{k}.gpkg"\nunit = "unit"\n' for k in
                     ("alleys", "markets", "points"))
    (root / "geotool.toml").write_text(
        f'[city]\nname = "周口市（基准）"\n[defaults]\nas_of = "2026-10-26"\n{dist_conf}{layers}'
        '[records]\npaths = ["records/*.csv"]\ncrs = "GCJ-02"\n', encoding="utf-8")
    return root
