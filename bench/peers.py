"""The same coverage and blind-spot work in DuckDB + spatial (and PostGIS when a server is given).

What a GIS engineer would write instead of geotool: read the records CSV
with pandas, bring GCJ-02 to WGS-84 and project to the UTM zone (pyproj),
load records, ledger features and districts into the engine, then

* coverage: each ledger feature is covered when a record of the 7-day window
  lies within ``match_radius_m`` (``ST_DWithin``);
* blind spots: per district, the polygon minus the union of ``reach_m``
  discs (``ST_Buffer(p, r, 8)``, 32-gons) around the window's record points
  within reach, its area (``ST_Difference``, ``ST_Union_Agg``);

and write both tables as CSV. Printed: seconds per step and end to end.
The extension is loaded from the installed wheel (``duckdb-extension-spatial``),
autoinstall off: no network.

Usage::

    python bench/peers.py WORKSPACE [--as-of 2026-10-26] [--postgis postgresql://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely


def _prepare(ws: Path, as_of: dt.date) -> dict:
    """Records, features and districts as metric WKB arrays (pandas + pyproj), timed."""
    import tomllib

    import geopandas as gpd

    from geotool.crs import gcj02_to_wgs84, to_wgs84

    t0 = time.perf_counter()
    conf = tomllib.loads((ws / "geotool.toml").read_text(encoding="utf-8"))
    recs = pd.read_csv(next((ws / "records").glob("*.csv")),
                       usecols=["记录类型", "发现时间", "经度", "纬度"])
    found = pd.to_datetime(recs["发现时间"], format="%Y-%m-%d %H:%M")
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    win = recs[(found >= end - pd.Timedelta(days=7)) & (found < end)]
    lon, lat = gcj02_to_wgs84(win["经度"].to_numpy(), win["纬度"].to_numpy())
    utm = pyproj.Transformer.from_crs(4326, 32650, always_xy=True)
    x, y = utm.transform(lon, lat)
    d_spec = conf["layers"]["districts"]
    d_path = Path(d_spec["path"])
    dist = gpd.read_file(d_path if d_path.is_absolute() else ws / d_path)
    if d_spec.get("crs") == "GCJ-02":
        dist = to_wgs84(dist.set_crs(4326, allow_override=True), "GCJ-02")
    dist = dist.to_crs(32650)
    id_col = d_spec.get("id", "id")
    feats = pd.concat([gpd.read_file(ws / spec["path"]).to_crs(32650).assign(layer=key)
                       for key, spec in conf["layers"].items() if key != "districts"],
                      ignore_index=True)
    t1 = time.perf_counter()
    return {"x": x, "y": y, "dist_id": dist[id_col].astype(str).to_numpy(),
            "dist_wkb": shapely.to_wkb(dist.geometry.values),
            "feat_id": feats["id"].astype(str).to_numpy(),
            "feat_wkb": shapely.to_wkb(feats.geometry.values), "prep_s": t1 - t0}


def run_duckdb(data: dict, out: Path, *, match_radius_m: float = 50.0,
               reach_m: float = 300.0) -> dict:
    """Coverage and blind spots in DuckDB + spatial; returns step timings."""
    import duckdb
    import duckdb_extensions

    con = duckdb.connect(config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    duckdb_extensions.import_extension("spatial", con=con)  # INSTALL from the wheel
    con.execute("LOAD spatial")
    t0 = time.perf_counter()
    con.register("rec_df", pd.DataFrame({"x": data["x"], "y": data["y"]}))
    con.execute("CREATE TABLE rec AS SELECT ST_Point(x, y) AS geom FROM rec_df")
    con.register("feat_df", pd.DataFrame({"id": data["feat_id"], "wkb": data["feat_wkb"]}))
    con.execute("CREATE TABLE feat AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM feat_df")
    con.register("dist_df", pd.DataFrame({"id": data["dist_id"], "wkb": data["dist_wkb"]}))
    con.execute("CREATE TABLE dist AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM dist_df")
    t1 = time.perf_counter()
    cov = con.execute(f"""
        SELECT f.id, EXISTS (SELECT 1 FROM rec r WHERE ST_DWithin(f.geom, r.geom, {match_radius_m}))
               AS covered
        FROM feat f ORDER BY f.id""").df()
    t2 = time.perf_counter()
    blind = con.execute(f"""
        WITH near AS (
            SELECT d.id, ST_Union_Agg(ST_Buffer(r.geom, {reach_m}, 8)) AS reach
            FROM dist d JOIN rec r ON ST_DWithin(d.geom, r.geom, {reach_m})
            GROUP BY d.id)
        SELECT d.id, ST_Area(COALESCE(ST_Difference(d.geom, n.reach), d.geom)) AS blind_m2
        FROM dist d LEFT JOIN near n USING (id) ORDER BY d.id""").df()
    t3 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    cov.to_csv(out / "duckdb_coverage.csv", index=False)
    blind.to_csv(out / "duckdb_blind.csv", index=False)
    t4 = time.perf_counter()
    return {"load_s": t1 - t0, "coverage_s": t2 - t1, "blind_s": t3 - t2, "write_s": t4 - t3,
            "covered": int(cov["covered"].sum()), "blind_m2": float(blind["blind_m2"].sum())}


def run_postgis(data: dict, url: str, *, match_radius_m: float = 50.0,
                reach_m: float = 300.0) -> dict:
    """The same work in PostGIS (a server the caller started); returns step timings."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(url) as con, con.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("DROP TABLE IF EXISTS rec, feat, dist")
        cur.execute("CREATE TABLE rec (geom geometry(Point, 32650))")
        with cur.copy("COPY rec (geom) FROM STDIN") as copy:
            for x, y in zip(data["x"], data["y"], strict=True):
                copy.write_row((f"SRID=32650;POINT({x} {y})",))
        cur.execute("CREATE TABLE feat (id text, geom geometry)")
        cur.executemany("INSERT INTO feat VALUES (%s, ST_SetSRID(ST_GeomFromWKB(%s), 32650))",
                        list(zip(data["feat_id"], data["feat_wkb"], strict=True)))
        cur.execute("CREATE TABLE dist (id text, geom geometry)")
        cur.executemany("INSERT INTO dist VALUES (%s, ST_SetSRID(ST_GeomFromWKB(%s), 32650))",
                        list(zip(data["dist_id"], data["dist_wkb"], strict=True)))
        cur.execute("CREATE INDEX ON rec USING gist (geom); ANALYZE rec")
        t1 = time.perf_counter()
        cur.execute(f"""SELECT count(*) FILTER (WHERE covered) FROM (
            SELECT EXISTS (SELECT 1 FROM rec r WHERE ST_DWithin(f.geom, r.geom, {match_radius_m}))
                   AS covered FROM feat f) c""")
        covered = cur.fetchone()[0]
        t2 = time.perf_counter()
        cur.execute(f"""
            WITH near AS (
                SELECT d.id, ST_Union(ST_Buffer(r.geom, {reach_m}, 8)) AS reach
                FROM dist d JOIN rec r ON ST_DWithin(d.geom, r.geom, {reach_m}) GROUP BY d.id)
            SELECT sum(ST_Area(COALESCE(ST_Difference(d.geom, n.reach), d.geom)))
            FROM dist d LEFT JOIN near n USING (id)""")
        blind_m2 = cur.fetchone()[0]
        t3 = time.perf_counter()
    return {"load_s": t1 - t0, "coverage_s": t2 - t1, "blind_s": t3 - t2, "covered": covered,
            "blind_m2": float(blind_m2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workspace", type=Path)
    p.add_argument("--as-of", default="2026-10-26")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--postgis", default=None, help="postgresql:// URL of a running server")
    args = p.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    out = args.out or args.workspace / "peers_out"
    t0 = time.perf_counter()
    data = _prepare(args.workspace, as_of)
    duck = run_duckdb(data, out)
    res = {"duckdb_total_s": time.perf_counter() - t0, "prep_s": data["prep_s"],
           "duckdb": duck, "records_in_window": len(data["x"])}
    if args.postgis:
        t1 = time.perf_counter()
        res["postgis"] = run_postgis(data, args.postgis)
        res["postgis_total_s"] = data["prep_s"] + time.perf_counter() - t1
    print(json.dumps(res, default=lambda v: round(v, 2) if isinstance(v, float) else v))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
