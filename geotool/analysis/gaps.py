"""The gap analysis as of a date: everything ``geotool gaps`` writes.

:func:`find_gaps` joins a loaded workspace's layers with its records and
returns a :class:`GapResult` of GeoDataFrames (WGS-84) that the report and
the maps are drawn from. Each step is a function of its own module:
:mod:`~geotool.analysis.coverage`, :mod:`~geotool.analysis.issues`,
:mod:`~geotool.analysis.blindspots`, :mod:`~geotool.analysis.districts`,
:mod:`~geotool.analysis.scoring`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import shapely

from geotool._collector import collector_paused
from geotool._halves import in_halves
from geotool.analysis.blindspots import count_features, start_blindspots
from geotool.analysis.codes import arrow, equals, text
from geotool.analysis.coverage import coverage, touches, window_bounds
from geotool.analysis.districts import district_paths
from geotool.analysis.extent import analysis_extent, clip_to_extent, extent_areas
from geotool.analysis.issue_rows import issue_table, issue_texts
from geotool.analysis.issues import first_versions, issue_states, recurrences
from geotool.analysis.scoring import district_table, units_table
from geotool.analysis.visits import visit_states
from geotool.crs import WGS84, metric_crs_for
from geotool.io.config import Defaults
from geotool.io.workspace import Loaded
from geotool.schema import BLINDSPOT_COLUMNS, FEATURE_COLUMNS, ISSUE_COLUMNS

__all__ = ["BLINDSPOT_COLUMNS", "FEATURE_COLUMNS", "ISSUE_COLUMNS", "GapResult", "MetricLayers",
           "RecordAnalysis", "analyse_records", "assemble_gaps", "find_gaps", "metric_layers"]




@dataclass
class GapResult:
    """What a campaign office needs to see, as of a date. All frames in WGS-84.

    Attributes
    ----------
    features : GeoDataFrame
        One row per ledger feature (:data:`FEATURE_COLUMNS`).
    districts : GeoDataFrame
        One row per district and nested level, with readiness and rank.
    issues : GeoDataFrame
        Every issue known as of the date (:data:`ISSUE_COLUMNS`), points.
    blindspots : GeoDataFrame
        Blind-spot parts of the top-level districts (:data:`BLINDSPOT_COLUMNS`).
    units : DataFrame
        Per responsible unit.
    recurrences : DataFrame
        Each recurrence found (feature, issue, previous issue).
    quarantine : DataFrame
        Input rows not used, with reasons.
    params : Defaults
        The parameters used (``as_of`` set).
    """

    city: str
    params: Defaults
    features: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    issues: gpd.GeoDataFrame
    blindspots: gpd.GeoDataFrame
    units: pd.DataFrame
    recurrences: pd.DataFrame
    quarantine: pd.DataFrame
    layer_labels: dict[str, str] = field(default_factory=dict)
    layer_labels_en: dict[str, str] = field(default_factory=dict)
    metric_crs: str = ""
    flagged: pd.DataFrame = field(default_factory=pd.DataFrame)
    extent: gpd.GeoSeries | None = None  # the analysis extent ([extent]), WGS-84

    @property
    def as_of(self) -> dt.date:
        """The analysis date."""
        assert self.params.as_of is not None
        return self.params.as_of


def _located(records: gpd.GeoDataFrame, first: np.ndarray, crs,
             xy: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """The first version of each record found by the window's end (where it was found).

    Only the columns the analysis reads, with the point in the metric CRS, positional index;
    ``xy``: those points' coordinates already projected (:func:`_metric_xy`).
    """
    cols = ["record_id", "kind", "found_at", "feature_id", "feature_name"]
    sub = records[cols]
    if len(first) != len(records):
        sub = sub.iloc[first]
    geometry = (_to_metric(records.geometry.values[first], crs) if xy is None
                else _metric_points(xy, crs))
    return gpd.GeoDataFrame(sub.reset_index(drop=True), geometry=geometry, crs=crs)


def _metric_xy(points: Any, crs) -> np.ndarray | None:
    """x, y (n × 2) of WGS-84 points projected into ``crs`` with one pyproj call.

    ``None`` unless every value is a non-empty point (then :func:`_to_metric`
    projects them by ``to_crs``).
    """
    values = np.asarray(points)
    if (not len(values) or (shapely.get_type_id(values) != 0).any()
            or shapely.is_empty(values).any()):
        return None
    transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    # PROJ releases the GIL (and a transformer may be shared by threads): two cores
    x, y = in_halves(transformer.transform, shapely.get_x(values), shapely.get_y(values))
    return np.column_stack([x, y])


def _metric_xy_with(window_xy: np.ndarray, in_window: np.ndarray, points: Any, crs
                    ) -> np.ndarray | None:
    """:func:`_metric_xy` of all ``points`` when those ``in_window`` are projected already.

    The others are projected now; each point's numbers are the ones one call over
    all of them gives (the projection works point by point).
    """
    rest = _metric_xy(points[~in_window], crs) if (~in_window).any() else window_xy[:0]
    if rest is None:
        return None
    xy = np.empty((len(points), 2))
    xy[in_window] = window_xy
    xy[~in_window] = rest
    return xy


def _to_metric(points: Any, crs) -> Any:
    """WGS-84 points in ``crs``: the coordinates projected at once (no copy of each geometry).

    The same numbers as ``to_crs``; anything but non-empty points goes through ``to_crs``.
    """
    xy = _metric_xy(points, crs)
    if xy is None:
        return gpd.GeoSeries(points, crs=WGS84).to_crs(crs).values
    return _metric_points(xy, crs)


def _metric_points(xy: np.ndarray, crs) -> Any:
    """Points at the projected ``xy`` (n × 2), as a geometry array in ``crs``."""
    with collector_paused():  # a million new objects, none in a cycle
        made = shapely.points(xy)
    return gpd.GeoSeries(made, crs=crs).values


@collector_paused()
def find_gaps(loaded: Loaded, *, params: Defaults) -> GapResult:
    """Run the whole gap analysis on a loaded workspace.

    Parameters
    ----------
    loaded : Loaded
        From :func:`geotool.io.workspace.load_workspace`.
    params : Defaults
        Analysis parameters; ``params.as_of`` is required.

    Returns
    -------
    GapResult
    """
    m = metric_layers(loaded, params)
    part = analyse_records(loaded.records, m.features_m, m.districts_m, m.blind_top,
                           params=params)
    return assemble_gaps(loaded, part, m.features_m, m.districts_m, params=params,
                         extent_m=m.extent_m)


@dataclass
class MetricLayers:
    """The layers in the analysis's metric CRS: what every way of running it starts from.

    Attributes
    ----------
    crs : pyproj.CRS
        The metric CRS (:func:`~geotool.crs.metric_crs_for` the districts).
    districts_m : GeoDataFrame
        Every district, at every level.
    features_m : GeoDataFrame
        Every ledger feature, positional index.
    top : GeoDataFrame
        The top-level districts (whole).
    blind_top : GeoDataFrame
        The top-level districts cut to the analysis extent (``[extent]``): where
        blind spots are looked for; ``top`` itself without an extent.
    extent_m : shapely geometry or None
        The analysis extent.
    """

    crs: Any
    districts_m: gpd.GeoDataFrame
    features_m: gpd.GeoDataFrame
    top: gpd.GeoDataFrame
    blind_top: gpd.GeoDataFrame
    extent_m: shapely.Geometry | None


def metric_layers(loaded: Loaded, params: Defaults) -> MetricLayers:
    """Check ``params`` and project the layers of ``loaded`` for the analysis.

    Parameters
    ----------
    loaded : Loaded
    params : Defaults
        ``params.as_of`` is required.

    Raises
    ------
    ValueError
        Without ``params.as_of``.
    """
    if params.as_of is None:
        msg = "params.as_of is required"
        raise ValueError(msg)
    crs = metric_crs_for(loaded.districts)
    districts_m = loaded.districts.to_crs(crs)
    features_m = loaded.features.to_crs(crs).reset_index(drop=True)
    top = districts_m[districts_m["level"] == districts_m["level"].min()]
    extent_m = analysis_extent(loaded, crs)  # [extent]: blind spots only inside it
    return MetricLayers(crs, districts_m, features_m, top, clip_to_extent(top, extent_m),
                        extent_m)


@dataclass
class RecordAnalysis:
    """The record-scaled part of the analysis, for a set of records and districts.

    :func:`find_gaps` runs it once on every record; the distributed engine
    (:mod:`geotool.analysis.distributed`) runs it once per partition and
    keeps the rows each partition owns.

    Attributes
    ----------
    features : DataFrame
        Indexed like the features: attributes, coverage and issue counts
        (no ``level_<n>`` columns yet).
    issues : GeoDataFrame
        The issue table (:data:`ISSUE_COLUMNS`, ``level_<n>``, ``open``).
    blindspots : GeoDataFrame
        Blind-spot parts of the districts given, metric CRS.
    recurrences : DataFrame
        :func:`~geotool.analysis.issues.recurring_pairs` output.
    """

    features: pd.DataFrame
    issues: gpd.GeoDataFrame
    blindspots: gpd.GeoDataFrame
    recurrences: pd.DataFrame


def analyse_records(records: gpd.GeoDataFrame, features_m: gpd.GeoDataFrame,
                    districts_m: gpd.GeoDataFrame, top: gpd.GeoDataFrame, *,
                    params: Defaults) -> RecordAnalysis:
    """Coverage, issues, recurrence and blind spots of ``records``.

    Parameters
    ----------
    records : GeoDataFrame
        Canonical records (WGS-84), every version of each ``record_id`` given.
    features_m, districts_m : GeoDataFrame
        All ledger features (positional index) and all districts, metric CRS.
    top : GeoDataFrame
        The top-level districts whose blind spots to find, metric CRS.
    params : Defaults
        ``params.as_of`` set.

    Returns
    -------
    RecordAnalysis
    """
    as_of = params.as_of
    assert as_of is not None
    crs = districts_m.crs
    start, end = window_bounds(as_of, params.window_days)
    first = first_versions(records, end=end)
    # the union starts from the window's projected coordinates, before the rest are
    # projected and the million metric points made (it needs none of them)
    points = records.geometry.values[first]
    in_window = (records["found_at"].iloc[first] >= start).to_numpy()
    window: Any = _metric_xy(points[in_window], crs)
    xy = None if window is None else _metric_xy_with(window, in_window, points, crs)
    located_m = None
    if xy is None:  # not only points: projected by to_crs, the union from the geometries
        located_m = _located(records, first, crs)
        window = located_m.geometry[in_window]
    blind_parts = start_blindspots(top, window, reach_m=params.reach_m,
                                   min_blindspot_m2=params.min_blindspot_m2)
    if located_m is None:
        located_m = _located(records, first, crs, xy)
    del xy, window, points

    pairs = touches(features_m, located_m, match_radius_m=params.match_radius_m)
    cov = coverage(features_m, located_m, as_of=as_of, window_days=params.window_days,
                   pairs=pairs)

    # the same first versions (found by the end of D) give each issue its place
    states = issue_states(records, as_of=as_of,
                          first=first[equals(located_m["kind"], "issue")])
    issue_features = _issue_links(first, pairs, states, len(records))
    texts = issue_texts(records, states)
    rec, rec_states = recurrences(states, issue_features, texts["category"],
                                  recurrence_days=params.recurrence_days)
    no_levels = pd.DataFrame(index=features_m.index)
    features = _feature_table(features_m, cov, states, issue_features, rec, no_levels)
    features = features.join(visit_states(
        pairs, located_m, n_features=len(features_m), as_of=as_of,
        window_days=params.window_days, open_issues=features["open_issues"].to_numpy()))
    recurring = np.zeros(len(states), dtype=bool)
    recurring[rec_states] = True
    points_m = located_m.geometry.iloc[np.searchsorted(first, states["first"].to_numpy())]
    issues = issue_table(records, states, texts, issue_features, features_m, recurring,
                         points_m, districts_m)
    # the million metric points are freed now, while the blind spots are still being
    # drawn, rather than after them on the way out
    del located_m, points_m
    blind = count_features(blind_parts.result(), features_m, cov["covered"])
    return RecordAnalysis(features=features, issues=issues, blindspots=blind, recurrences=rec)


def assemble_gaps(loaded: Loaded, part: RecordAnalysis, features_m: gpd.GeoDataFrame,
                  districts_m: gpd.GeoDataFrame, *, params: Defaults,
                  extent_m: shapely.Geometry | None = None) -> GapResult:
    """The final reduce: district ranking, units and the result frames in WGS-84.

    Parameters
    ----------
    loaded : Loaded
        The workspace (layers, quarantine, labels).
    part : RecordAnalysis
        For every feature, issue and top-level district.
    features_m, districts_m : GeoDataFrame
        As given to :func:`analyse_records`.
    params : Defaults
    extent_m : shapely geometry, optional
        The analysis extent (metric): blind-spot shares are taken of the
        district area inside it.

    Returns
    -------
    GapResult
    """
    crs = districts_m.crs
    feat_levels = district_paths(features_m.geometry, districts_m)
    features = part.features.join(feat_levels)
    issues, blind, rec = part.issues, part.blindspots, part.recurrences
    blind_area = _blind_area_by_district(blind, districts_m)
    layers = list(loaded.layer_labels())
    table = district_table(districts_m, features, issues, blind_area, layers,
                           extent_area_m2=None if extent_m is None
                           else extent_areas(districts_m, extent_m))
    dgeom = districts_m.set_index("district_id").geometry
    districts_out = gpd.GeoDataFrame(table, geometry=dgeom.reindex(table["district_id"]).values,
                                     crs=crs).to_crs(WGS84)
    units = units_table(features, issues)
    return GapResult(
        city=loaded.workspace.city,
        params=params,
        features=gpd.GeoDataFrame(features[FEATURE_COLUMNS + [c for c in features.columns
                                                              if c.startswith("level_")]],
                                  geometry=features_m.geometry.values, crs=crs).to_crs(WGS84),
        districts=districts_out,
        issues=issues,
        blindspots=blind.to_crs(WGS84),
        units=units,
        recurrences=_recurrence_table(rec, features_m),
        quarantine=loaded.quarantine,
        layer_labels=loaded.layer_labels(),
        layer_labels_en=loaded.layer_labels("en"),
        metric_crs=crs.to_string(),
        flagged=loaded.flagged,
        extent=None if extent_m is None
        else gpd.GeoSeries([extent_m], crs=crs).to_crs(WGS84),
    )


def _issue_links(first: np.ndarray, pairs: pd.DataFrame, states: pd.DataFrame,
                 n_records: int) -> pd.DataFrame:
    """(issue, feature) links: ``record_id, feature, state`` (``state``: row in ``states``).

    ``first`` are the records' positions of the located rows the ``pairs``
    point into. A located row that is an issue's first version maps to that
    issue's row in ``states`` (both take the earliest ``found_at``, ties in
    file order), by position rather than by hashing the ids.
    """
    row_state = np.full(n_records, -1, dtype=np.int64)
    row_state[states["first"].to_numpy(dtype=np.int64)] = np.arange(len(states))
    pair_state = row_state[first][pairs["record"].to_numpy()]
    keep = pair_state >= 0
    state = pair_state[keep]
    return pd.DataFrame({"record_id": text(arrow(states["record_id"]).take(pa.array(state))),
                         "feature": pairs["feature"].to_numpy()[keep], "state": state})


def _feature_table(features_m: gpd.GeoDataFrame, cov: pd.DataFrame, states: pd.DataFrame,
                   issue_features: pd.DataFrame, rec: pd.DataFrame,
                   levels: pd.DataFrame) -> pd.DataFrame:
    f = pd.DataFrame(features_m.drop(columns="geometry"))
    f = f.join(cov).join(levels)
    feature = issue_features["feature"].to_numpy(dtype=np.int64)
    state = issue_features["state"].to_numpy(dtype=np.int64)
    for col in ("open", "overdue"):
        per = np.bincount(feature, weights=states[col].to_numpy(dtype=bool)[state],
                          minlength=len(f))
        f[f"{col}_issues"] = per[:len(f)].astype(np.int64)
    f["recurring"] = f.index.isin(rec["feature"].unique())
    return f


def _blind_area_by_district(blind: gpd.GeoDataFrame, districts_m: gpd.GeoDataFrame) -> pd.Series:
    """Blind-spot area inside every district at every level (m²).

    A part lies in its own (top-level) district: its area is taken as it is;
    only the parts met by other districts are intersected with them.
    """
    if blind.empty:
        return pd.Series(dtype=float)
    tree = shapely.STRtree(blind.geometry.values)
    d_idx, b_idx = tree.query(districts_m.geometry.values, predicate="intersects")
    ids = districts_m["district_id"].to_numpy()
    level = districts_m["level"].to_numpy()
    own = (ids[d_idx] == blind["district_id"].to_numpy()[b_idx]) & (level[d_idx] == level.min())
    area = blind["area_m2"].to_numpy(dtype=float)[b_idx]
    area[~own] = shapely.area(shapely.intersection(districts_m.geometry.values[d_idx[~own]],
                                                   blind.geometry.values[b_idx[~own]]))
    areas = pd.Series(area).groupby(d_idx).sum()
    return pd.Series(areas.to_numpy(), index=ids[areas.index.to_numpy()])


def _recurrence_table(rec: pd.DataFrame, features_m: gpd.GeoDataFrame) -> pd.DataFrame:
    out = rec.copy()
    if not len(rec):
        out.insert(0, "layer", [])
        out.insert(1, "feature_id", [])
        return out.drop(columns="feature")
    at = pa.array(rec["feature"].to_numpy().astype(np.int64))
    for i, col in enumerate(("layer", "feature_id")):  # as text, whatever the layer's dtype
        out.insert(i, col, text(arrow(features_m[col].astype(str)).take(at)))
    return out.drop(columns="feature")
