"""Measuring the story on the written files (read back with plain geopandas/pandas)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.crs import gcj02_to_wgs84
from sample_city.geometry import to_metric
from sample_city.words import _TO_UTM, D3, D4, DISTRICTS, METRIC_CRS, START, STATUSES


def read_back(out: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Ledger features and districts as written, in the metric CRS (points GCJ -> WGS)."""
    layers = []
    for fname, idc, namec, layer in (
        ("alleys.gpkg", "alley_id", "name", "alleys"),
        ("markets.shp", "mkt_id", "mkt_name", "markets"),
        ("points.geojson", "point_id", "name", "points"),
        ("compounds.kml", "cmp_id", "Name", "compounds"),
    ):
        g = gpd.read_file(out / fname)
        geom = shapely.force_2d(np.asarray(g.geometry.values))
        if layer == "points":  # stored in GCJ-02
            geom = shapely.points(*gcj02_to_wgs84(shapely.get_x(geom), shapely.get_y(geom)))
        layers.append(
            pd.DataFrame(
                {
                    "fid": g[idc],
                    "name": g[namec],
                    "unit": g["unit"],
                    "layer": layer,
                    "geometry": to_metric(geom),
                }
            )
        )
    feats = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs=METRIC_CRS)
    dist = gpd.read_file(out / "districts.geojson")
    dist = gpd.GeoDataFrame(
        dist.drop(columns="geometry"),
        crs=METRIC_CRS,
        geometry=to_metric(np.asarray(dist.geometry.values)),
    )
    d_only = dist[dist.level == "区"].reset_index(drop=True)
    idx = shapely.STRtree(d_only.geometry.values).query(
        shapely.point_on_surface(feats.geometry.values), predicate="intersects"
    )
    feats["district"] = pd.Series(idx[1], index=idx[0]).groupby(level=0).first()
    return feats, dist


def read_records(out: Path, feats) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(all records with metric x/y/time/fid, issues with the latest update applied)."""
    iss = pd.read_excel(out / "records/issues_2026.xlsx", dtype=str)
    upd = pd.read_csv(out / "records/rectification_updates.csv", dtype=str, encoding="utf-8-sig")
    chk = pd.read_csv(out / "records/inspections_gbk.csv", dtype=str, encoding="gbk")
    recs = pd.concat([iss, chk], ignore_index=True)
    recs["time"] = pd.to_datetime(recs["发现时间"], format="%Y-%m-%d %H:%M", errors="coerce")
    lon = pd.to_numeric(recs["经度"], errors="coerce").values
    lat = pd.to_numeric(recs["纬度"], errors="coerce").values
    ok = (lon > 114.5) & (lon < 114.8) & (lat > 33.5) & (lat < 33.75)
    wl, wa = gcj02_to_wgs84(np.where(ok, lon, 114.65), np.where(ok, lat, 33.62))
    x, y = _TO_UTM.transform(wl, wa)
    name_to_fid = pd.Series(feats.fid.values, index=feats.name.values)
    ref = recs["点位编号"].where(recs["点位编号"].isin(feats.fid.values))
    ref = ref.fillna(recs["点位名称"].map(name_to_fid))
    recs["ref"] = np.where(ok, None, ref)
    recs["x"], recs["y"], recs["has_xy"] = np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok
    upd["t_upd"] = pd.to_datetime(upd["更新时间"], errors="coerce")
    last = upd.sort_values("t_upd").groupby("问题编号").last()
    fin = iss.drop_duplicates("问题编号").set_index("问题编号")
    common = fin.index.intersection(last.index)
    fin.loc[common, "整改状态"] = last.loc[common, "整改状态"]
    fin.loc[common, "整改完成时间"] = last.loc[common, "整改完成时间"]
    fin = fin.reset_index()
    fin = fin.merge(
        recs.drop_duplicates("问题编号")[["问题编号", "x", "y", "ref", "time"]], on="问题编号"
    )
    return recs[recs.time.notna()].reset_index(drop=True), fin


def touched(feats, recs: pd.DataFrame, radius_m: float = 50) -> pd.Series:
    """Per feature: the time of its latest record (within ``radius_m`` or naming it)."""
    xy = recs[recs.has_xy]
    fi, ri = shapely.STRtree(shapely.points(xy.x.values, xy.y.values)).query(
        feats.geometry.values, predicate="dwithin", distance=radius_m
    )
    a = pd.DataFrame({"fid": feats.fid.values[fi], "time": xy.time.values[ri]})
    b = recs.loc[recs.ref.notna(), ["ref", "time"]].rename(columns={"ref": "fid"})
    last = pd.concat([a, b]).groupby("fid").time.max()
    return last.reindex(feats.fid.values)


def verify_story(out: Path, story: dict) -> dict:
    """Measure the story on the written files and return the numbers."""
    feats, dist = read_back(out)
    recs, fin = read_records(out, feats)
    t_end = pd.Timestamp("2026-10-27")
    win = recs[(recs.time >= pd.Timestamp("2026-10-20")) & (recs.time < t_end)]
    last_any = touched(feats, recs[recs.time < t_end])
    last_win = touched(feats, win)
    open_ = fin["整改状态"].isin(STATUSES[:2])
    deadline = pd.to_datetime(fin["整改时限"], errors="coerce")
    overdue = open_ & (deadline < pd.Timestamp("2026-10-26"))
    res = {"districts": []}
    for d, (_, dname) in enumerate(DISTRICTS):
        m = feats.district.values == d
        res["districts"].append(
            {
                "name": dname,
                "features": int(m.sum()),
                "touched_7d": int(last_win.notna().values[m].sum()),
                "issues": int((fin["所属区"] == dname).sum()),
                "open": int((open_ & (fin["所属区"] == dname)).sum()),
                "overdue": int((overdue & (fin["所属区"] == dname)).sum()),
            }
        )
    fa = feats.fid.isin(story["forgotten"]).values
    res["forgotten"] = {
        "street": story["forgotten_street"],
        "alleys": int(fa.sum()),
        "last": str(pd.Series(last_any.values[fa]).max()),
        "touched_since_1005": int((last_any.values[fa] >= np.datetime64("2026-10-05")).sum()),
    }
    res["blind"] = blind_spots(dist, win, feats)
    od4 = fin[overdue & (fin["所属区"] == DISTRICTS[D4][1])]
    res["overdue_d4_top"] = od4["责任单位"].value_counts().head(3).to_dict()
    res["recurrence"] = recurrences(fin, feats)
    never = feats[last_any.isna().values]
    res["never"] = never.groupby("layer").size().to_dict()
    res["never_by_district"] = never.groupby("district").size().to_dict()
    res["volume"] = weekly_volume(recs)
    return res


def blind_spots(dist, win: pd.DataFrame, feats) -> dict:
    """Blind spots of 新城区: parts >= 1 ha with no window record within 300 m."""
    d3 = dist.geometry[(dist["level"] == "区") & (dist["name"] == DISTRICTS[D3][1])].iloc[0]
    pts = shapely.points(win.x[win.has_xy].values, win.y[win.has_xy].values)
    refs = feats.geometry[feats.fid.isin(win.ref.dropna())].values
    reach = shapely.union_all(
        np.concatenate(
            [shapely.buffer(pts, 300, quad_segs=8), shapely.buffer(refs, 300, quad_segs=8)]
        )
    )
    parts = [p for p in shapely.get_parts(shapely.difference(d3, reach)) if p.area >= 1e4]
    big = max(parts, key=lambda p: p.area)
    inside = feats[shapely.within(feats.geometry.values, big)]
    return {
        "largest_km2": round(big.area / 1e6, 2),
        "total_km2": round(sum(p.area for p in parts) / 1e6, 2),
        "parts": len(parts),
        "inside": inside.groupby("layer").size().to_dict(),
    }


def recurrences(fin: pd.DataFrame, feats) -> dict:
    """Recurrence pairs per market (same type again within 30 days after a fix)."""
    mk = feats[feats.layer == "markets"]
    iss = fin[fin.x.notna()]
    fi, ii = shapely.STRtree(shapely.points(iss.x.values, iss.y.values)).query(
        mk.geometry.values, predicate="dwithin", distance=50
    )
    j = pd.DataFrame(
        {
            "fid": mk.fid.values[fi],
            "type": iss["问题类型"].values[ii],
            "t": iss.time.values[ii],
            "done": pd.to_datetime(iss["整改完成时间"].values[ii], errors="coerce"),
            "st": iss["整改状态"].values[ii],
        }
    )
    m = j.merge(j, on=["fid", "type"], suffixes=("_a", "_b"))
    m = m[
        m.st_a.isin(["已整改", "已销号"])
        & (m.done_a < m.t_b)
        & (m.t_b <= m.done_a + pd.Timedelta(days=30))
    ]
    return m.groupby("fid").size().to_dict()


def weekly_volume(recs: pd.DataFrame) -> dict:
    """Records per week, per weekday vs weekend day, and the 晨查 time range."""
    t = recs.time[(recs.time >= START) & (recs.time < pd.Timestamp("2026-10-27"))]
    week = ((t - START).dt.days // 7 + 1).value_counts().sort_index()
    wkend = t.dt.day_of_week >= 5
    morning = recs.time[recs["来源"] == "晨查"].dt.strftime("%H:%M")
    return {
        "weeks": week.tolist(),
        "weekday_per_day": round(float((~wkend).sum()) / 40, 1),
        "weekend_per_day": round(float(wkend.sum()) / 16, 1),
        "morning": (morning.min(), morning.max()),
    }
