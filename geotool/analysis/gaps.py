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
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geotool._collector import collector_paused
from geotool.analysis.blindspots import count_features
from geotool.analysis.codes import arrow, equals, text
from geotool.analysis.coverage import coverage, touches
from geotool.analysis.districts import district_paths
from geotool.analysis.extent import extent_areas
from geotool.analysis.issue_rows import issue_table, issue_texts
from geotool.analysis.issues import issue_states, recurrences
from geotool.analysis.record_start import (
    HeadStart,
    MetricLayers,
    RecordStart,
    located,
    metric_layers,
    start_records,
)
from geotool.analysis.scoring import district_table, units_table
from geotool.analysis.visits import visit_states
from geotool.crs import WGS84
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


@collector_paused()
def find_gaps(loaded: Loaded, *, params: Defaults, head: HeadStart | None = None,
              on_issues: Callable[[gpd.GeoDataFrame], object] | None = None) -> GapResult:
    """Run the whole gap analysis on a loaded workspace.

    Parameters
    ----------
    loaded : Loaded
        From :func:`geotool.io.workspace.load_workspace`.
    params : Defaults
        Analysis parameters; ``params.as_of`` is required.
    head : HeadStart, optional
        Given to that ``load_workspace`` as ``on_records``: its first steps are
        used when they were made from ``loaded``'s records with ``params``.
    on_issues : callable, optional
        Called with the issue table as soon as it is made, while the rest of
        the analysis goes on; it is the result's ``issues`` (unchanged from
        then on), which the hook must not change (the command starts writing
        ``issues.csv`` from there: :class:`~geotool.output.report.EarlyIssueList`).

    Returns
    -------
    GapResult
    """
    taken = head.take(loaded, params) if head is not None else None
    m, started = taken if taken is not None else (metric_layers(loaded, params), None)
    part = analyse_records(loaded.records, m.features_m, m.districts_m, m.blind_top,
                           params=params, started=started, on_issues=on_issues)
    return assemble_gaps(loaded, part, m.features_m, m.districts_m, params=params,
                         extent_m=m.extent_m)


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
                    params: Defaults, started: RecordStart | None = None,
                    on_issues: Callable[[gpd.GeoDataFrame], object] | None = None
                    ) -> RecordAnalysis:
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
    started : RecordStart, optional
        :func:`~geotool.analysis.record_start.start_records` of these records,
        ``top`` and ``params``, when already started.
    on_issues : callable, optional
        Called with the issue table once made (see :func:`find_gaps`).

    Returns
    -------
    RecordAnalysis
    """
    as_of = params.as_of
    assert as_of is not None
    crs = districts_m.crs
    if started is None:
        started = start_records(records, top, crs, params=params)
    first, blind_parts = started.first, started.blind_parts
    located_m = located(started, records, crs)
    started.located_m = None  # freed below, with the other local names
    del started

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
    if on_issues is not None:  # final from here on
        on_issues(issues)
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
