"""The analysis's first steps: metric layers, first versions, the blind spots started.

The blind-spot unions take most of the analysis's CPU and need only the
window's record locations, so they are started first, in background threads
(:func:`~geotool.analysis.blindspots.start_blindspots`), and the rest of the
analysis runs beside them. :func:`start_records` does that much: the first
version of each record, the window's points projected, the unions started;
:func:`located` then projects the other points.

:class:`HeadStart` runs those steps while the workspace is still loading:
given to :func:`~geotool.io.workspace.load_workspace` as its ``on_records``
hook, it starts them in a thread as soon as the records are read (their work
is Arrow's, PROJ's and GEOS's, which release the GIL), while the loader goes
on checking the datum and counting the files' rows. :func:`~geotool.analysis.
gaps.find_gaps` uses what it made only when it was made from the very records,
layers and parameters it is given (else it starts afresh): the result is the
same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geotool._collector import collector_paused
from geotool._halves import in_halves
from geotool.analysis.blindspots import start_blindspots
from geotool.analysis.coverage import window_bounds
from geotool.analysis.extent import analysis_extent, clip_to_extent
from geotool.analysis.issues import first_versions
from geotool.crs import WGS84, metric_crs_for
from geotool.io.config import Defaults, Workspace
from geotool.io.workspace import Loaded

__all__ = ["HeadStart", "MetricLayers", "RecordStart", "located", "metric_layers",
           "start_records"]


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
class RecordStart:
    """The first versions of the records, and their blind spots being drawn.

    Attributes
    ----------
    first : ndarray of int
        Positions of each record's first version found by the window's end.
    in_window : ndarray of bool
        Of those, the ones found in the window.
    window_xy : ndarray of shape (n, 2) or None
        The window's points projected (``None`` when not every first version is
        a non-empty point: then ``located_m`` is made at once).
    located_m : GeoDataFrame or None
        The first versions in the metric CRS, once made.
    blind_parts : Future
        Of :func:`~geotool.analysis.blindspots.blind_parts`.
    """

    first: np.ndarray
    in_window: np.ndarray
    window_xy: np.ndarray | None
    located_m: gpd.GeoDataFrame | None
    blind_parts: Future


def start_records(records: gpd.GeoDataFrame, top: gpd.GeoDataFrame, crs: Any, *,
                  params: Defaults) -> RecordStart:
    """Find the first versions and start the blind spots of ``records`` in ``top``.

    Parameters
    ----------
    records : GeoDataFrame
        Canonical records (WGS-84).
    top : GeoDataFrame
        The districts whose blind spots to find, in ``crs``.
    crs : pyproj.CRS
        The metric CRS of the analysis.
    params : Defaults
        ``params.as_of`` set.
    """
    assert params.as_of is not None
    start, end = window_bounds(params.as_of, params.window_days)
    first = first_versions(records, end=end)
    points = records.geometry.values[first]
    in_window = (records["found_at"].iloc[first] >= start).to_numpy()
    located_m = None
    window: Any
    if _all_points(points):
        # the union starts from the window's projected coordinates, before the rest are
        # projected and the million metric points made (it needs none of them)
        window_xy = _metric_xy(points[in_window], crs) if in_window.any() else np.empty((0, 2))
        window = window_xy
    else:  # not only points: projected by to_crs, the union from the geometries
        window_xy = None
        located_m = _located(records, first, crs)
        window = located_m.geometry[in_window]
    blind_parts = start_blindspots(top, window, reach_m=params.reach_m,
                                   min_blindspot_m2=params.min_blindspot_m2)
    return RecordStart(first, in_window, window_xy, located_m, blind_parts)


def located(start: RecordStart, records: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    """The first versions of ``records`` in ``crs`` (made once, kept in ``start``).

    The window's points were projected by :func:`start_records`; each point's
    numbers are the ones one projection of all of them gives (the projection
    works point by point).
    """
    if start.located_m is None:
        assert start.window_xy is not None
        points = records.geometry.values[start.first]
        xy = np.empty((len(points), 2))
        xy[start.in_window] = start.window_xy
        if (~start.in_window).any():
            xy[~start.in_window] = _metric_xy(points[~start.in_window], crs)
        start.located_m = _located(records, start.first, crs, xy)
    return start.located_m


class HeadStart:
    """``load_workspace(on_records=...)``: the analysis's first steps, in a thread while loading.

    Parameters
    ----------
    params_for : callable
        ``Workspace -> Defaults``: the parameters the analysis will be given
        (``as_of`` set). Should it raise (or anything after it), nothing is
        used: the analysis then meets the same error itself.

    Examples
    --------
    >>> head = HeadStart(lambda ws: ws.defaults)
    >>> head.take(None, None) is None  # nothing started
    True
    """

    def __init__(self, params_for: Callable[[Workspace], Defaults]) -> None:
        self._params_for = params_for
        self._early: Loaded | None = None
        self._params: Defaults | None = None
        self._steps: Future | None = None

    def __call__(self, early: Loaded) -> None:
        """Start the first steps on the records just read (``early``: no accounts yet)."""
        try:
            params = self._params_for(early.workspace)
        except Exception:  # only a head start: the analysis meets the same error itself
            return
        if params.as_of is None:
            return
        self._early, self._params = early, params
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-head-start")
        try:
            self._steps = pool.submit(_first_steps, early, params)
        finally:
            pool.shutdown(wait=False)  # the thread ends with the steps

    def take(self, loaded: Loaded | None, params: Defaults | None
             ) -> tuple[MetricLayers, RecordStart] | None:
        """What was started, if from the same records, layers and parameters (once).

        Waits for the steps to end; ``None`` when they failed or were made from
        anything else.
        """
        steps, early, self._steps, self._early = self._steps, self._early, None, None
        if steps is None or early is None or loaded is None:
            return None
        same = (early.records is loaded.records and early.districts is loaded.districts
                and early.features is loaded.features and early.extent is loaded.extent
                and early.workspace is loaded.workspace and self._params == params)
        try:
            made = steps.result()
        except Exception:  # the analysis starts afresh and meets the error itself
            return None
        return made if same else None


def _first_steps(early: Loaded, params: Defaults) -> tuple[MetricLayers, RecordStart]:
    with collector_paused():  # a million new points (see geotool._collector)
        layers = metric_layers(early, params)
        start = start_records(early.records, layers.blind_top, layers.crs, params=params)
        located(start, early.records, layers.crs)
    return layers, start


def _all_points(points: np.ndarray) -> bool:
    values = np.asarray(points)
    return bool(len(values)) and not ((shapely.get_type_id(values) != 0).any()
                                      or shapely.is_empty(values).any())


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
    if not _all_points(values):
        return None
    transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    # PROJ releases the GIL (and a transformer may be shared by threads): two cores
    x, y = in_halves(transformer.transform, shapely.get_x(values), shapely.get_y(values))
    return np.column_stack([x, y])


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
