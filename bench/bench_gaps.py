"""Benchmark: ``geotool gaps`` end to end on a synthetic city of a given scale.

Generates (once, cached under ``bench/_work/``) a workspace with N records
(GCJ-02 coordinates in a UTF-8 CSV, 8 weeks, issues and inspections),
F ledger features (lines, polygons, points in a GeoPackage) and D districts,
then runs ``geotool gaps`` in a fresh process and prints records, features,
wall seconds per stage and peak memory (max RSS).

Usage::

    python bench/bench_gaps.py                    # 1,000,000 records, 20,000 features, 200 districts
    python bench/bench_gaps.py --records 100000 --features 5000 --districts 50
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
X0, Y0 = 560_000.0, 3_700_000.0  # UTM 50N, about 117.6 E 33.4 N
CELL_M = 2_000.0


def make_workspace(root: Path, *, records: int, features: int, districts: int,
                   seed: int = 1) -> Path:
    """Write a synthetic workspace into ``root`` (skipped when it exists)."""
    if (root / "geotool.toml").exists():
        return root
    from province import (  # bench/ is on sys.path when run as a script
        ledger_frame,
        workspace_config,
    )

    from geotool.crs import wgs84_to_gcj02

    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    cols = math.ceil(math.sqrt(districts * 2))
    rows = math.ceil(districts / cols)
    cells = [shapely.box(X0 + c * CELL_M, Y0 + r * CELL_M, X0 + (c + 1) * CELL_M,
                         Y0 + (r + 1) * CELL_M) for r in range(rows) for c in range(cols)]
    cells = cells[:districts]
    d = gpd.GeoDataFrame({"id": [f"D{i:03d}" for i in range(districts)],
                          "name": [f"区{i}" for i in range(districts)]},
                         geometry=cells, crs=32650)
    d.to_crs(4326).to_file(root / "districts.gpkg")
    minx, miny, maxx, maxy = d.total_bounds
    # features: 40 % lines, 10 % polygons, 50 % points
    fx = rng.uniform(minx + 50, maxx - 50, features)
    fy = rng.uniform(miny + 50, maxy - 50, features)
    kind = rng.choice([0, 1, 2], size=features, p=[0.4, 0.1, 0.5])
    length = rng.uniform(150, 600, features)
    angle = rng.uniform(0, math.pi, features)
    f = ledger_frame(fx, fy, kind, length, angle, id_digits=6)
    geoms = np.asarray(f.geometry.values, dtype=object)
    f.to_crs(4326).to_file(root / "ledger.gpkg")
    # records: 70 % near a feature, 30 % anywhere, over 56 days
    near = rng.random(records) < 0.7
    target = rng.integers(0, features, records)
    anchor = shapely.get_coordinates(shapely.point_on_surface(geoms))[target]
    rx = np.where(near, anchor[:, 0] + rng.normal(0, 20, records),
                  rng.uniform(minx, maxx, records))
    ry = np.where(near, anchor[:, 1] + rng.normal(0, 20, records),
                  rng.uniform(miny, maxy, records))
    wgs = gpd.GeoSeries(shapely.points(rx, ry), crs=32650).to_crs(4326)
    lon, lat = wgs84_to_gcj02(wgs.x.to_numpy(), wgs.y.to_numpy())
    start = pd.Timestamp("2026-09-01")
    found = start + pd.to_timedelta(rng.uniform(0, 56 * 86400, records).astype(np.int64), unit="s")
    issue = rng.random(records) < 0.3
    status = rng.choice(np.array(["未整改", "整改中", "已整改", "已销号"]), records)
    cats = np.array(["乱停乱放", "乱贴乱画", "卫生死角", "占道经营", "路面破损", "小广告"])
    df = pd.DataFrame({
        "问题编号": [f"R{i:07d}" for i in range(records)],
        "记录类型": np.where(issue, "问题", "巡查"),
        "发现时间": found.strftime("%Y-%m-%d %H:%M"),
        "经度": np.round(lon, 6),
        "纬度": np.round(lat, 6),
        "问题类型": np.where(issue, cats[rng.integers(0, len(cats), records)], ""),
        "责任单位": [f"单位{i % 300}" for i in range(records)],
        "整改时限": np.where(issue, (found + pd.Timedelta(days=5)).strftime("%Y-%m-%d"), ""),
        "整改状态": np.where(issue, status, ""),
        "整改完成时间": np.where(issue & np.isin(status, ["已整改", "已销号"]),
                           (found + pd.Timedelta(days=3)).strftime("%Y-%m-%d"), ""),
    })
    (root / "records").mkdir(exist_ok=True)
    df.to_csv(root / "records" / "records.csv", index=False, encoding="utf-8")
    (root / "geotool.toml").write_text(workspace_config("基准市", "records/*.csv", "GCJ-02"),
                                       encoding="utf-8")
    return root


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--features", type=int, default=20_000)
    p.add_argument("--districts", type=int, default=200)
    p.add_argument("--work", type=Path, default=HERE / "_work")
    args = p.parse_args()
    root = args.work / f"city_{args.records}_{args.features}_{args.districts}"
    t = time.perf_counter()
    make_workspace(root, records=args.records, features=args.features, districts=args.districts)
    print(f"workspace {root} ready in {time.perf_counter() - t:.1f} s")
    startup = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    startup = time.perf_counter() - startup
    proc = subprocess.run([sys.executable, str(HERE / "stages.py"), str(root), str(root / "out"),
                           "--xlsx-apart"],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr)
        sys.exit(proc.returncode)
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"records {m['records']:,}  features {m['features']:,}  districts {m['districts']}  "
          f"quarantined {m['quarantined']}")
    print(f"import {m['import_s']:.1f} s  read+convert {m['read_s']:.1f} s  "
          f"analyse {m['analyse_s']:.1f} s  write CSV+GeoJSON {m['write_s']:.1f} s")
    print(f"end to end {m['total_s']:.1f} s with imports (Python start-up adds "
          f"{startup:.2f} s); peak memory {m['peak_mb']:,.0f} MB")
    print(f"gaps.xlsx (formatted spreadsheet, open issues) adds {m['xlsx_s']:.1f} s")


if __name__ == "__main__":
    main()
