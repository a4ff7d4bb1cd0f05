"""Blind spots (盲区/死角): district areas no inspection reaches.

The blind spots of a district are the parts of its polygon farther than
``reach_m`` from every record location found in the window (records across
the border count too), split into separate parts; parts smaller than
``min_blindspot_m2`` are dropped. Each part reports its area and the ledger
features inside it (a feature is inside when its anchor point, the middle of
a line or a point inside a polygon, lies in the part).

The reach is the union of discs of radius ``reach_m`` (32-gon
approximations, as PostGIS ``ST_Buffer`` draws them) around the distinct
record locations. It is built per district from the points within reach of
that district only, which keeps every union small, and leaves out the discs
the others provably cover (:mod:`geotool.analysis.discs`): in a dense town
most of them, with the same reach, so the same blind spots.

The unions take most of the analysis's time and GEOS releases the GIL, so
:func:`start_blindspots` runs them in a background thread while the rest of
the analysis goes on in the calling one.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._halves import own_copy
from geotool.analysis.discs import union_of_discs
from geotool.crs import require_metric
from geotool.io.records import feature_anchor_points

__all__ = ["blind_parts", "blindspots", "count_features", "reach_area", "start_blindspots"]

_QUAD_SEGS = 8


def reach_area(points: np.ndarray, reach_m: float, clip: shapely.Geometry | None = None
               ) -> shapely.Geometry:
    """Union of discs of radius ``reach_m`` around points (metric coordinates).

    Parameters
    ----------
    points : array of shapely Points
    reach_m : float
    clip : geometry, optional
        Only points within ``reach_m`` of this geometry are used.
    """
    points = np.asarray(points, dtype=object)
    points = points[~shapely.is_empty(points) & ~pd.isna(points)]
    if clip is not None and len(points):
        points = points[shapely.STRtree(points).query(clip, predicate="dwithin",
                                                      distance=reach_m)]
    return union_of_discs(shapely.get_coordinates(points), reach_m, quad_segs=_QUAD_SEGS)


def _district_blind(geom: shapely.Geometry, xy: np.ndarray, reach_m: float) -> shapely.Geometry:
    reach = union_of_discs(xy, reach_m, quad_segs=_QUAD_SEGS)
    return shapely.difference(geom, reach) if not reach.is_empty else geom


def blindspots(districts: gpd.GeoDataFrame, points: gpd.GeoSeries, *, reach_m: float = 300.0,
               min_blindspot_m2: float = 10_000.0,
               features: gpd.GeoDataFrame | None = None,
               covered: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Blind-spot parts of each district.

    Parameters
    ----------
    districts : GeoDataFrame
        Polygons with ``district_id``, metric CRS.
    points : GeoSeries
        Locations of the records found in the window, same CRS.
    reach_m : float
        Metres a record's reach extends.
    min_blindspot_m2 : float
        Parts smaller than this (m²) are dropped.
    features : GeoDataFrame, optional
        Ledger features (``feature_id``), same CRS, to count inside each part.
    covered : Series of bool, optional
        Coverage of ``features`` (indexed like it) to count uncovered ones.

    Returns
    -------
    GeoDataFrame
        ``district_id, part, area_m2, features_inside, uncovered_inside,
        feature_ids_inside`` and the part polygons, in the input CRS, sorted
        by district and then by area (largest first).

    Examples
    --------
    A 1 km square with one record in a corner and a 300 m reach: all but a
    quarter-disc (about 70,686 m²) is blind.

    >>> from shapely.geometry import box, Point
    >>> d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 1000, 1000)], crs=32650)
    >>> b = blindspots(d, gpd.GeoSeries([Point(0, 0)], crs=32650))
    >>> round(b.area_m2.iloc[0] / 1e4)
    93
    """
    parts = blind_parts(districts, points, reach_m=reach_m, min_blindspot_m2=min_blindspot_m2)
    return count_features(parts, features, covered)


def start_blindspots(districts: gpd.GeoDataFrame, points: gpd.GeoSeries | np.ndarray, *,
                     reach_m: float = 300.0, min_blindspot_m2: float = 10_000.0
                     ) -> Future[gpd.GeoDataFrame]:
    """:func:`blind_parts` started in a background thread.

    The caller goes on with other work (GEOS releases the GIL, so the union
    runs on another core) and takes the parts with ``.result()``, which
    re-raises whatever the union raised. The inputs are checked and copied
    here, in the calling thread, so the background thread shares no geometry
    with it.

    Parameters
    ----------
    districts, reach_m, min_blindspot_m2
        As for :func:`blind_parts`.
    points : GeoSeries or ndarray of shape (n, 2)
        As for :func:`blind_parts`, or the points' x, y already in the
        districts' CRS (rows with NaN are left out, as missing points are).

    Returns
    -------
    concurrent.futures.Future
        Of the :func:`blind_parts` frame.

    Raises
    ------
    CRSError
        At once, as :func:`blind_parts`.
    """
    if isinstance(points, np.ndarray):  # x, y rows
        require_metric(districts)
        xy = points[~np.isnan(points).any(axis=1)]
    else:
        require_metric(districts, points)
        xy = _coordinates(points)
    ids = districts["district_id"].to_numpy(copy=True)
    geoms = own_copy(np.asarray(districts.geometry.values, dtype=object))
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-blindspots")
    try:
        return pool.submit(_parts, ids, geoms, districts.crs, xy, reach_m, min_blindspot_m2)
    finally:
        pool.shutdown(wait=False)  # the thread ends once the union is done


def blind_parts(districts: gpd.GeoDataFrame, points: gpd.GeoSeries, *, reach_m: float = 300.0,
                min_blindspot_m2: float = 10_000.0) -> gpd.GeoDataFrame:
    """Blind-spot parts of each district, without the features inside them.

    Parameters
    ----------
    districts, points, reach_m, min_blindspot_m2
        As for :func:`blindspots`.

    Returns
    -------
    GeoDataFrame
        ``district_id, area_m2, part`` and the part polygons, sorted by district
        and then by area (largest first); :func:`count_features` adds the rest.
    """
    require_metric(districts, points)
    return _parts(districts["district_id"].to_numpy(),
                  np.asarray(districts.geometry.values, dtype=object), districts.crs,
                  _coordinates(points), reach_m, min_blindspot_m2)


def _coordinates(points: gpd.GeoSeries) -> np.ndarray:
    """x, y of the points that are there (not missing, not empty)."""
    pts = np.asarray(points.values, dtype=object)
    pts = pts[~pd.isna(pts)]
    return shapely.get_coordinates(pts[~shapely.is_empty(pts)])


def _parts(ids: np.ndarray, geoms: np.ndarray, crs: Any, xy: np.ndarray, reach_m: float,
           min_blindspot_m2: float) -> gpd.GeoDataFrame:
    # GEOS releases the GIL: two threads use both cores of a planner's laptop (the
    # points near each district are found in them too); the districts with the most
    # points go first, the results keep the districts' order
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        near = list(pool.map(lambda geom: xy[_within(geom, xy, reach_m)], geoms))
        order = np.argsort([-len(points) for points in near], kind="stable")
        done = list(pool.map(lambda i: _district_blind(geoms[i], near[i], reach_m), order))
    blinds = [done[k] for k in np.argsort(order)]
    rows = []
    for district_id, blind in zip(ids, blinds, strict=True):
        for part in shapely.get_parts(shapely.get_parts(blind)):
            if part.geom_type == "Polygon" and part.area >= min_blindspot_m2 and part.area > 0:
                rows.append((district_id, part))
    out = gpd.GeoDataFrame({"district_id": [r[0] for r in rows]},
                           geometry=[r[1] for r in rows], crs=crs)
    out["area_m2"] = out.area
    out = out.sort_values(["district_id", "area_m2"], ascending=[True, False], kind="stable")
    out["part"] = out.groupby("district_id").cumcount() + 1
    return out.reset_index(drop=True)


def count_features(parts: gpd.GeoDataFrame, features: gpd.GeoDataFrame | None = None,
                   covered: pd.Series | None = None) -> gpd.GeoDataFrame:
    """The blind-spot table: :func:`blind_parts` with the features inside each part.

    Parameters
    ----------
    parts : GeoDataFrame
        From :func:`blind_parts` (not changed).
    features, covered
        As for :func:`blindspots`.

    Returns
    -------
    GeoDataFrame
        As :func:`blindspots` returns it.
    """
    out = parts.copy()
    _count_features(out, features, covered)
    return out[["district_id", "part", "area_m2", "features_inside", "uncovered_inside",
                "feature_ids_inside", "geometry"]]


def _within(geom: shapely.Geometry, xy: np.ndarray, distance_m: float) -> np.ndarray:
    """Positions of the points of ``xy`` within ``distance_m`` of ``geom`` (``dwithin``).

    Points inside a buffer drawn a little short of the distance are within it,
    points outside one drawn a little beyond it (the buffer's chords lie at
    ``cos(pi / 32)`` of its radius) are not: only those between are measured.
    """
    if len(xy) == 0 or geom.is_empty:
        return np.array([], dtype=np.int64)
    outer = shapely.buffer(geom, distance_m / math.cos(math.pi / 32) + 1.0, quad_segs=8)
    inner = shapely.buffer(geom, 0.999 * distance_m - 1.0, quad_segs=8)
    x0, y0, x1, y1 = shapely.bounds(outer)
    cand = np.flatnonzero((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
    x, y = xy[cand, 0], xy[cand, 1]
    shapely.prepare(inner)
    shapely.prepare(outer)
    ok = shapely.contains_xy(inner, x, y)
    between = np.flatnonzero(~ok & shapely.intersects_xy(outer, x, y))
    ok[between] = shapely.dwithin(geom, shapely.points(xy[cand[between]]), distance_m)
    return cand[ok]


def _count_features(parts: gpd.GeoDataFrame, features: gpd.GeoDataFrame | None,
                    covered: pd.Series | None) -> None:
    parts["features_inside"] = 0
    parts["uncovered_inside"] = 0
    parts["feature_ids_inside"] = ""
    if features is None or features.empty or parts.empty:
        return

    anchors = feature_anchor_points(features).values
    tree = shapely.STRtree(parts.geometry.values)
    f_idx, p_idx = tree.query(anchors, predicate="within")
    if len(f_idx) == 0:
        return
    cov = (covered.to_numpy(dtype=bool) if covered is not None
           else np.ones(len(features), dtype=bool))
    df = pd.DataFrame({"part": p_idx, "fid": features["feature_id"].astype(str).to_numpy()[f_idx],
                       "uncovered": ~cov[f_idx]})
    df = df.sort_values(["part", "fid"], kind="stable")
    grouped = df.groupby("part")
    parts.loc[grouped.size().index, "features_inside"] = grouped.size().to_numpy()
    parts.loc[grouped.size().index, "uncovered_inside"] = grouped["uncovered"].sum().to_numpy()
    parts.loc[grouped.size().index, "feature_ids_inside"] = grouped["fid"].agg(";".join).to_numpy()
