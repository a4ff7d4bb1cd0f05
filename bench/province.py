"""A synthetic province: counties (区县) with streets, ledger features and records.

Counties are 6 km squares on a grid (UTM 50N), each with 4 streets; ledger
features are points, short lines (many cross a county border) and small
polygons; records cluster near features (70 %) or fall anywhere, over 8
weeks, 30 % issues. Some issues have a second version (rectified later, a few
metres away), some records name their feature by id without coordinates and
a few name a feature of another county. Everything is drawn from one seed.

Two outputs:

* ``records="csv"``: record spreadsheets (UTF-8 CSV, Chinese headers, GCJ-02)
  read by the normal loader, for tests and ``geotool convert``;
* ``records="parquet"``: canonical records written straight into geotool
  Parquet partitions county by county (bounded memory; for 10M–30M+ records).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

X0, Y0 = 300_000.0, 3_600_000.0  # UTM 50N, about 114.9 E 32.5 N (Henan)
COUNTY_M = 6_000.0
CATEGORIES = np.array(["乱停乱放", "乱贴乱画", "卫生死角", "占道经营", "路面破损", "小广告"])
STATUS_ZH = np.array(["未整改", "整改中", "已整改", "已销号"])
STATUS_CANON = np.array(["open", "rectifying", "rectified", "closed"])

_CONFIG = """[city]
name = "{name}"

[defaults]
as_of = "2026-10-26"

[layers.districts]
path = "districts.gpkg"

[layers.ledger]
path = "ledger.gpkg"
unit = "unit"
label = "测评点位"
label_en = "Ledger"

[records]
paths = ["{pattern}"]
crs = "{crs}"
"""


def workspace_config(name: str, pattern: str, crs: str) -> str:
    """``geotool.toml`` of a synthetic workspace (districts, one ledger layer, records)."""
    return _CONFIG.format(name=name, pattern=pattern, crs=crs)


def _layers(root: Path, counties: int, features_per_county: int, rng: np.random.Generator
            ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    cols = math.ceil(math.sqrt(counties))
    i = np.arange(counties)
    x, y = X0 + (i % cols) * COUNTY_M, Y0 + (i // cols) * COUNTY_M
    ids = [f"41{k:04d}" for k in i]
    boxes = shapely.box(x, y, x + COUNTY_M, y + COUNTY_M)
    half = COUNTY_M / 2
    sx = np.repeat(x, 4) + np.tile([0, half, 0, half], counties)
    sy = np.repeat(y, 4) + np.tile([0, 0, half, half], counties)
    streets = shapely.box(sx, sy, sx + half, sy + half)
    d = gpd.GeoDataFrame({
        "id": ids + [f"{c}{s:03d}" for c in ids for s in range(1, 5)],
        "name": [f"县{k}" for k in i] + [f"县{k}街道{s}" for k in i for s in range(1, 5)],
        "parent": [None] * counties + [c for c in ids for _ in range(4)],
    }, geometry=np.concatenate([boxes, streets]), crs=32650)
    n = counties * features_per_county
    county = np.repeat(i, features_per_county)
    fx = x[county] + rng.uniform(30, COUNTY_M - 30, n)
    fy = y[county] + rng.uniform(30, COUNTY_M - 30, n)
    kind = rng.choice([0, 1, 2], size=n, p=[0.4, 0.1, 0.5])
    length = rng.uniform(150, 600, n)
    angle = rng.uniform(0, 2 * math.pi, n)
    f = ledger_frame(fx, fy, kind, length, angle, id_digits=7)
    root.mkdir(parents=True, exist_ok=True)
    d.to_crs(4326).to_file(root / "districts.gpkg")
    f.to_crs(4326).to_file(root / "ledger.gpkg")
    return d, f


def ledger_frame(fx: np.ndarray, fy: np.ndarray, kind: np.ndarray, length: np.ndarray,
                 angle: np.ndarray, *, id_digits: int) -> gpd.GeoDataFrame:
    """Synthetic ledger features (UTM 50N) at ``fx, fy``: ``id, name, unit``.

    ``kind`` 0 is a straight line of ``length`` metres at ``angle`` radians,
    1 a 120 m × 90 m rectangle, 2 a point. Shared with ``bench_gaps.py``.
    """
    n = len(fx)
    geoms = np.empty(n, dtype=object)
    lines = kind == 0
    geoms[lines] = shapely.linestrings(np.stack([
        np.stack([fx[lines], fy[lines]], axis=1),
        np.stack([fx[lines] + length[lines] * np.cos(angle[lines]),
                  fy[lines] + length[lines] * np.sin(angle[lines])], axis=1)], axis=1))
    polys = kind == 1
    geoms[polys] = shapely.box(fx[polys], fy[polys], fx[polys] + 120, fy[polys] + 90)
    geoms[kind == 2] = shapely.points(fx[kind == 2], fy[kind == 2])
    return gpd.GeoDataFrame({"id": [f"F{k:0{id_digits}d}" for k in range(n)],
                             "name": [f"点位{k}" for k in range(n)],
                             "unit": [f"单位{k % 300}" for k in range(n)]},
                            geometry=geoms, crs=32650)


def _county_records(c: int, n: int, start_id: int, d: gpd.GeoDataFrame, f: gpd.GeoDataFrame,
                    anchors: np.ndarray, per_county: int, rng: np.random.Generator
                    ) -> pd.DataFrame:
    """``n`` records of county ``c`` (metric x/y, canonical statuses), versions included."""
    x0, y0, x1, y1 = shapely.bounds(d.geometry.values[c])
    near = rng.random(n) < 0.7
    target = c * per_county + rng.integers(0, per_county, n)
    rx = np.where(near, anchors[target, 0] + rng.normal(0, 20, n), rng.uniform(x0, x1, n))
    ry = np.where(near, anchors[target, 1] + rng.normal(0, 20, n), rng.uniform(y0, y1, n))
    start = pd.Timestamp("2026-09-01")
    found = start + pd.to_timedelta(rng.uniform(0, 56 * 86400, n).astype(np.int64), unit="s")
    issue = rng.random(n) < 0.3
    status = rng.integers(0, 4, n)
    done = issue & (status >= 2)
    by_id = rng.random(n) < 0.03  # named by id only: located at the feature
    cross = rng.random(n) < 0.005  # names a feature of a neighbouring county
    fid = np.where(by_id, f["id"].to_numpy()[target], None).astype(object)
    other = (target + per_county) % len(f)
    fid[cross & ~by_id] = f["id"].to_numpy()[other[cross & ~by_id]]
    rx[by_id], ry[by_id] = anchors[target[by_id], 0], anchors[target[by_id], 1]
    out = pd.DataFrame({
        "record_id": [f"R{k:09d}" for k in range(start_id, start_id + n)],
        "kind": np.where(issue, "issue", "inspection"),
        "found_at": found, "x": rx, "y": ry, "feature_id": fid,
        "category": np.where(issue, CATEGORIES[rng.integers(0, len(CATEGORIES), n)], None),
        "unit": [f"单位{k % 300}" for k in range(start_id, start_id + n)],
        "deadline": pd.Series(found + pd.Timedelta(days=5)).where(issue),
        "status": np.where(issue, STATUS_CANON[status], None),
        "rectified_at": pd.Series(found + pd.Timedelta(days=3)).where(done),
        "updated_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
        "by_id": by_id,
    })
    # a second version of 10 % of the open issues: rectified two days later, nearby
    again = np.flatnonzero(issue & ~done & (rng.random(n) < 0.1))
    v2 = out.iloc[again].copy()
    v2["x"] += rng.normal(0, 5, len(v2))
    v2["y"] += rng.normal(0, 5, len(v2))
    v2["status"] = "rectified"
    v2["rectified_at"] = v2["found_at"] + pd.Timedelta(days=2)
    v2["updated_at"] = v2["rectified_at"]
    v2["by_id"] = False
    return pd.concat([out, v2], ignore_index=True)


def make_province(root: Path, *, counties: int = 120, records: int = 10_000_000,
                  features_per_county: int = 150, fmt: str = "parquet", seed: int = 1) -> Path:
    """Write a synthetic province workspace into ``root`` (skipped when it exists).

    Parameters
    ----------
    root : Path
    counties : int
        Top-level districts (each with 4 streets).
    records : int
        First versions of records (a few percent more rows are second versions).
    features_per_county : int
    fmt : {"parquet", "csv"}
        How records are stored (see the module docstring).
    seed : int
    """
    if (root / "geotool.toml").exists():
        return root
    rng = np.random.default_rng(seed)
    d, f = _layers(root, counties, features_per_county, rng)
    from geotool.io.records import feature_anchor_points

    anchors = shapely.get_coordinates(feature_anchor_points(f).values)
    per = np.full(counties, records // counties)
    per[: records % counties] += 1
    starts = np.r_[0, np.cumsum(per)]
    (root / "records").mkdir(exist_ok=True)
    writer = _ParquetWriter(root, d, f) if fmt == "parquet" else None
    for c in range(counties):
        chunk = _county_records(c, int(per[c]), int(starts[c]), d, f, anchors,
                                features_per_county, rng)
        if writer is not None:
            writer.add(chunk)
        else:
            _write_csv(chunk, root / "records" / f"county_{c:04d}.csv")
    pattern = "records/*.parquet" if fmt == "parquet" else "records/*.csv"
    crs = "EPSG:4326" if fmt == "parquet" else "GCJ-02"
    (root / "geotool.toml").write_text(workspace_config("基准省", pattern, crs), encoding="utf-8")
    return root


def _lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    wgs = gpd.GeoSeries(shapely.points(x, y), crs=32650).to_crs(4326)
    return np.round(wgs.x.to_numpy(), 7), np.round(wgs.y.to_numpy(), 7)


def _write_csv(chunk: pd.DataFrame, path: Path) -> None:
    from geotool.crs import wgs84_to_gcj02

    lon, lat = _lonlat(chunk["x"].to_numpy(), chunk["y"].to_numpy())
    glon, glat = wgs84_to_gcj02(lon, lat)
    by_id = chunk["by_id"].to_numpy()
    zh = dict(zip(STATUS_CANON, STATUS_ZH, strict=True))
    fmt = "%Y-%m-%d %H:%M"
    pd.DataFrame({
        "问题编号": chunk["record_id"],
        "记录类型": np.where(chunk["kind"] == "issue", "问题", "巡查"),
        "发现时间": chunk["found_at"].dt.strftime(fmt),
        "经度": np.where(by_id, "", np.round(glon, 6).astype(str)),
        "纬度": np.where(by_id, "", np.round(glat, 6).astype(str)),
        "点位编号": chunk["feature_id"].fillna(""),
        "问题类型": chunk["category"].fillna(""),
        "责任单位": chunk["unit"],
        "整改时限": chunk["deadline"].dt.strftime("%Y-%m-%d").fillna(""),
        "整改状态": chunk["status"].map(zh).fillna(""),
        "整改完成时间": chunk["rectified_at"].dt.strftime(fmt).fillna(""),
        "更新时间": chunk["updated_at"].dt.strftime(fmt).fillna(""),
    }).to_csv(path, index=False, encoding="utf-8")


class _ParquetWriter:
    """Canonical records straight into geotool Parquet files, one county's rows at a time."""

    def __init__(self, root: Path, d: gpd.GeoDataFrame, f: gpd.GeoDataFrame) -> None:
        from geotool.analysis.partition import plan_partitions
        from geotool.io.config import Defaults
        from geotool.io.parquet import layers_fingerprint
        from geotool.io.workspace import load_workspace

        (root / "geotool.toml").write_text(  # the layers alone (no records yet)
            workspace_config("基准省", "", "EPSG:4326").replace('[""]', "[]"),
            encoding="utf-8")
        loaded = load_workspace(root)
        (root / "geotool.toml").unlink()
        from geotool.crs import metric_crs_for

        crs = metric_crs_for(loaded.districts)
        self.crs = crs
        self.features_m = loaded.features.to_crs(crs).reset_index(drop=True)
        districts_m = loaded.districts.to_crs(crs)
        self.top = districts_m[districts_m["level"] == districts_m["level"].min()]
        self.plan = plan_partitions(self.features_m, self.top, params=Defaults())
        self.fingerprint = layers_fingerprint(loaded.districts, loaded.features)
        self.folder = root / "records"
        self.files = 0
        self.order = 0
        self.feature_names = dict(zip(loaded.features["feature_id"].astype(str),
                                      loaded.features["name"].astype(str), strict=False))

    def add(self, chunk: pd.DataFrame) -> None:
        from geotool.analysis.partition import partition_keys
        from geotool.io.parquet import write_records
        from geotool.io.records import RECORD_COLUMNS

        lon, lat = _lonlat(chunk["x"].to_numpy(), chunk["y"].to_numpy())
        n = len(chunk)
        s = "string"
        df = pd.DataFrame({
            "record_id": chunk["record_id"].astype(s), "kind": chunk["kind"].astype(s),
            "found_at": chunk["found_at"].astype("datetime64[ns]"), "lon": lon, "lat": lat,
            "feature_id": chunk["feature_id"].astype(s),
            "feature_name": pd.Series(pd.NA, index=chunk.index, dtype=s),
            "category": chunk["category"].astype(s),
            "description": pd.Series(pd.NA, index=chunk.index, dtype=s),
            "source": pd.Series(pd.NA, index=chunk.index, dtype=s),
            "unit": chunk["unit"].astype(s),
            "deadline": chunk["deadline"].astype("datetime64[ns]"),
            "status": chunk["status"].astype(s),
            "rectified_at": chunk["rectified_at"].astype("datetime64[ns]"),
            "district": pd.Series(pd.NA, index=chunk.index, dtype=s),
            "updated_at": chunk["updated_at"].astype("datetime64[ns]"),
            "located_by": np.where(chunk["by_id"], "feature_id", "coordinates"),
            "_file": "generated", "_sheet": "", "_row": np.arange(2, n + 2),
            "_order": np.arange(self.order, self.order + n),
        })
        self.order += n
        for col in RECORD_COLUMNS:  # fields the generator leaves empty (address, ...)
            if col not in df:
                df[col] = pd.Series(pd.NA, index=df.index, dtype=s)
        records = gpd.GeoDataFrame(df[RECORD_COLUMNS], geometry=gpd.points_from_xy(lon, lat),
                                   crs=4326)
        keys, refs = partition_keys(records, self.features_m, self.top, self.plan.feature_owner)
        paths = write_records(records, keys, refs, self.folder, fingerprint=self.fingerprint,
                              start=self.files)
        self.files += len(paths)
