"""The morning inspection route (晨查): a short tour through the places to see.

:func:`plan_route` picks the stops in a district (at any level: a district,
a street or town, a community): the forgotten places (nobody inspected them
in the window), the places whose fixing cuts the expected evaluation loss
most (:mod:`geotool.analysis.risk`), or both. It orders them with
`fast-tsp <https://pypi.org/project/fast-tsp/>`_ (MIT; exact Held-Karp up to
20 stops, local search beyond) on straight-line distances in the data's UTM
zone, from a start point (the district's representative point unless
given), back to the start or, with ``closed=False``, ending at the last stop.

Where a stop lies: a point is itself, a line (an alley) its midpoint along
the line, an area (a market, a compound) a point inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import fast_tsp
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import GeotoolError
from geotool.crs import WGS84
from geotool.text import Note

__all__ = ["ROUTE_COLUMNS", "START_MAX_M", "STOP_KINDS", "Route", "plan_route", "solve_tour",
           "stop_points", "tour_length"]

ROUTE_COLUMNS = ["order", "layer", "feature_id", "name", "address", "lon", "lat", "leg_km",
                 "cumulative_km"]
STOP_KINDS = ("forgotten", "risk", "all")

#: fast-tsp takes integer distances up to 65,535: the longest leg is scaled to this.
_SCALE_TO = 30_000
#: A ``--start`` farther than this from the district (metres) is refused: a morning tour
#: starts in or near it.
START_MAX_M = 30_000.0
#: The open-path trick: a dummy stop this far from every stop but the start.
_DUMMY = 31_000


@dataclass
class Route:
    """A planned inspection route.

    Attributes
    ----------
    stops : GeoDataFrame
        :data:`ROUTE_COLUMNS`, WGS-84 points; row 0 is the start (``order`` 0)
        and, for a closed tour, the last row the return to it.
    total_km : float
        Length of the tour, straight lines, kilometres.
    """

    district_id: str
    district_name: str
    stops: gpd.GeoDataFrame
    total_km: float
    closed: bool
    notes: list[Note] = field(default_factory=list)


def stop_points(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Where to stop for each feature: points as they are, lines at their midpoint, areas inside.

    Examples
    --------
    >>> s = gpd.GeoSeries([shapely.LineString([(0, 0), (10, 0)]), shapely.box(0, 0, 2, 2)])
    >>> [(p.x, p.y) for p in stop_points(s)]
    [(5.0, 0.0), (1.0, 1.0)]
    """
    values = geoms.values
    kind = shapely.get_type_id(values)
    lines = np.isin(kind, (1, 5))
    out = shapely.point_on_surface(values)
    out[lines] = shapely.line_interpolate_point(values[lines], 0.5, normalized=True)
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def tour_length(dist: np.ndarray, order: np.ndarray, *, closed: bool = True) -> float:
    """Length of visiting ``order`` (indices into ``dist``), back to the first when ``closed``."""
    order = np.asarray(order, dtype=np.int64)
    legs = dist[order[:-1], order[1:]].sum()
    return float(legs + (dist[order[-1], order[0]] if closed and len(order) > 1 else 0.0))


def solve_tour(dist: np.ndarray, *, closed: bool = True, seconds: float = 1.0) -> np.ndarray:
    """Visit order of every point, starting at point 0.

    Parameters
    ----------
    dist : ndarray
        Symmetric distances, metres (any unit).
    closed : bool
        Return to point 0 (a tour), or end anywhere (a path from point 0).
    seconds : float
        Time budget of the local search beyond 20 points (fewer are solved
        exactly); it stops earlier once it converges.

    Returns
    -------
    ndarray
        Indices, ``order[0] == 0``, each point once.

    Examples
    --------
    >>> xy = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    >>> solve_tour(d).tolist()
    [0, 1, 3, 2]
    """
    n = len(dist)
    if n <= 2:
        return np.arange(n)
    top = float(np.max(dist))
    scaled = np.rint(dist * (_SCALE_TO / top)).astype(np.int64) if top > 0 else \
        np.zeros((n, n), dtype=np.int64)
    if not closed:  # a dummy next to the start makes the best tour the best open path
        scaled = np.pad(scaled, ((0, 1), (0, 1)), constant_values=_DUMMY)
        scaled[n, n] = 0
        scaled[0, n] = scaled[n, 0] = 0
    tour = np.asarray(fast_tsp.find_tour(scaled, duration_seconds=seconds,
                                         stop_when_converged=True), dtype=np.int64)
    tour = np.roll(tour, -int(np.flatnonzero(tour == 0)[0]))
    if not closed:
        if tour[1] == n:  # the dummy is the start's other neighbour: walk the other way
            tour = np.r_[tour[:1], tour[1:][::-1]]
        return tour[tour != n]
    return tour if tour[1] <= tour[-1] else np.r_[tour[:1], tour[1:][::-1]]


def _in_area(frame: pd.DataFrame, district_id: str) -> np.ndarray:
    cols = [c for c in frame.columns if c.startswith("level_")] or ["district"]
    hit = np.zeros(len(frame), dtype=bool)
    for col in cols:
        hit |= (frame[col].astype("string").fillna("") == district_id).to_numpy()
    return hit


def _candidates(result, district_id: str, stops: str, risk) -> pd.DataFrame:
    feats = result.features.reset_index(drop=True)
    inside = feats[_in_area(feats, district_id)].copy()
    inside["_forgotten"] = ~inside["covered"].fillna(False).astype(bool)
    inside["_drop"] = 0.0
    if risk is not None:
        drops = risk.places.set_index(["layer", "feature_id"])["drop_if_fixed"]
        key = pd.MultiIndex.from_arrays([inside["layer"].astype(str),
                                         inside["feature_id"].astype(str)])
        inside["_drop"] = drops.reindex(key).fillna(0.0).to_numpy()
    if stops == "forgotten":
        chosen = inside[inside["_forgotten"]]
        never = chosen["last_touched"].isna()
        return chosen.assign(_never=never).sort_values(
            ["_never", "last_touched", "open_issues", "layer", "feature_id"],
            ascending=[False, True, False, True, True], kind="stable")
    if stops == "risk":
        chosen = inside[inside["_drop"] > 0]
    else:
        chosen = inside[inside["_forgotten"] | (inside["_drop"] > 0)]
    return chosen.sort_values(["_forgotten", "_drop", "layer", "feature_id"],
                              ascending=[False, False, True, True], kind="stable")


def _addresses(result, places: pd.DataFrame) -> list[str]:
    names = dict(zip(result.districts["district_id"].astype(str),
                     result.districts["name"].astype("string").fillna(""), strict=True))
    paths = places["district_path"].astype("string").fillna("")
    return [" ".join(names.get(part, part) for part in str(p).split("/") if part) for p in paths]


def plan_route(result, district_id: str, *, start: tuple[float, float] | None = None,
               stops: str = "forgotten", max_stops: int | None = None, risk=None,
               closed: bool = True, seconds: float = 1.0) -> Route:
    """Plan a short inspection tour through a district's places.

    Parameters
    ----------
    result : GapResult
        From :func:`geotool.analysis.gaps.find_gaps`.
    district_id : str
        A district id at any level (a district, a street or town, a community).
    start : (lon, lat), optional
        WGS-84 start; default the district's representative point (inside it).
    stops : {"forgotten", "risk", "all"}
        Forgotten places (never inspected first, then the longest unseen);
        places whose fixing saves expected evaluation points (needs ``risk``),
        largest saving first; or both.
    max_stops : int, optional
        Keep only the first N stops in that order.
    risk : RiskResult, optional
        From :func:`geotool.analysis.risk.evaluation_risk`.
    closed : bool
        Come back to the start (default) or end at the last stop.
    seconds : float
        Solver time budget beyond 20 stops (see :func:`solve_tour`).

    Returns
    -------
    Route

    Raises
    ------
    GeotoolError
        Unknown district id, unknown ``stops``, ``risk`` stops without a risk, a
        ``start`` more than :data:`START_MAX_M` from the district.
    """
    ids = result.districts["district_id"].astype(str)
    if district_id not in set(ids):
        raise GeotoolError(Note("maps.unknown_district", district=district_id,
                                ids=", ".join(sorted(ids))))
    if stops not in STOP_KINDS:
        raise GeotoolError(Note("route.bad_stops", stops=stops, kinds=", ".join(STOP_KINDS)))
    if stops != "forgotten" and risk is None:
        raise GeotoolError(Note("route.needs_risk", stops=stops))
    row = result.districts[ids == district_id].iloc[0]
    chosen = _candidates(result, district_id, stops, risk)
    notes: list[Note] = []
    if max_stops is not None and len(chosen) > max_stops:
        notes.append(Note("route.cut", n=len(chosen), kept=max_stops))
        chosen = chosen.iloc[:max_stops]
    crs = result.metric_crs or result.districts.estimate_utm_crs()
    points = stop_points(gpd.GeoSeries(chosen.geometry.values, crs=WGS84).to_crs(crs))
    if start is None:
        outline = gpd.GeoSeries([row.geometry], crs=WGS84).to_crs(crs)
        origin = shapely.point_on_surface(outline.values[0])
    else:
        origin = gpd.GeoSeries(shapely.points([start]), crs=WGS84).to_crs(crs).values[0]
        outline = gpd.GeoSeries([row.geometry], crs=WGS84).to_crs(crs)
        away_m = float(shapely.distance(origin, outline.values[0]))
        if not away_m <= START_MAX_M:  # 0,0 (a placeholder) or a swapped pair: no tour from there
            raise GeotoolError(Note("route.start_far", lon=start[0], lat=start[1],
                                    km=round(away_m / 1000.0), district=str(row["name"]),
                                    max_km=round(START_MAX_M / 1000.0)))
    xy = np.vstack([shapely.get_coordinates(origin), shapely.get_coordinates(points.values)])
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    order = solve_tour(dist, closed=closed, seconds=seconds)
    visit = np.r_[order, 0] if closed and len(order) > 1 else order
    legs = np.r_[0.0, dist[visit[:-1], visit[1:]]] / 1000.0
    stop_rows = pd.DataFrame({
        "layer": chosen["layer"].astype(str), "feature_id": chosen["feature_id"].astype(str),
        "name": chosen["name"].astype("string").fillna(""),
        "address": _addresses(result, chosen)})
    start_row = pd.DataFrame({"layer": [""], "feature_id": [""], "name": [""],
                              "address": [str(row["name"])]})
    table = pd.concat([start_row, stop_rows], ignore_index=True).iloc[visit].reset_index(
        drop=True)
    wgs = gpd.GeoSeries(shapely.points(xy[visit]), crs=crs).to_crs(WGS84)
    table.insert(0, "order", np.r_[np.arange(len(order)), [0] * (len(visit) - len(order))])
    table["lon"] = np.round(wgs.x.to_numpy(), 6)
    table["lat"] = np.round(wgs.y.to_numpy(), 6)
    table["leg_km"] = np.round(legs, 3)
    table["cumulative_km"] = np.round(np.cumsum(legs), 3)
    gdf = gpd.GeoDataFrame(table[ROUTE_COLUMNS], geometry=wgs.values, crs=WGS84)
    return Route(district_id=district_id, district_name=str(row["name"]), stops=gdf,
                 total_km=round(float(legs.sum()), 3), closed=closed, notes=notes)
