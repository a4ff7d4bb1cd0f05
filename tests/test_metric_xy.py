"""The analysis's first steps: the window's points projected first, the rest after, the same
numbers as one projection; a head start used only for the records it was made from."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.analysis.record_start import HeadStart, _metric_xy, located, start_records
from geotool.io.config import Defaults

AS_OF = dt.date(2026, 10, 26)


def _records(n: int = 23) -> gpd.GeoDataFrame:
    lon = np.linspace(114.60, 114.70, n)
    lat = np.linspace(33.60, 33.65, n)
    # every third record found in the 7-day window, the others three weeks earlier
    found = np.where(np.arange(n) % 3 == 0, np.datetime64("2026-10-25T09:00"),
                     np.datetime64("2026-10-05T09:00")).astype("datetime64[ns]")
    return gpd.GeoDataFrame({
        "record_id": pd.array([f"R{i}" for i in range(n)], dtype="string"),
        "kind": pd.array(["inspection"] * n, dtype="string"),
        "found_at": found,
        "feature_id": pd.array([None] * n, dtype="string"),
        "feature_name": pd.array([None] * n, dtype="string"),
        "_order": np.arange(n)}, geometry=shapely.points(lon, lat), crs=4326)


def _top() -> gpd.GeoDataFrame:
    square = shapely.box(270_000, 3_710_000, 300_000, 3_740_000)
    return gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[square], crs=32650)


def test_split_projection_is_bit_equal_to_one_call() -> None:
    records = _records()
    start = start_records(records, _top(), 32650, params=Defaults(as_of=AS_OF))
    assert start.first.tolist() == list(range(23))
    assert start.in_window.sum() == 8 and start.window_xy is not None
    assert start.window_xy.shape == (8, 2)
    start.blind_parts.result()
    got = shapely.get_coordinates(located(start, records, 32650).geometry.values)
    np.testing.assert_array_equal(got, _metric_xy(records.geometry.values, 32650))
    # 0.1 degree east at 33.6 N is 9.27 km; 2.4 degrees west of zone 50N's meridian the
    # grid turns by about 1.3 degrees, so the 5.55 km north adds about 0.13 km east
    assert 9_350 < got[-1, 0] - got[0, 0] < 9_450
    assert located(start, records, 32650) is start.located_m  # made once


def test_a_line_among_the_records_is_projected_by_to_crs() -> None:
    records = _records()
    records.loc[4, "geometry"] = shapely.LineString([(114.6, 33.6), (114.7, 33.6)])
    start = start_records(records, _top(), 32650, params=Defaults(as_of=AS_OF))
    assert start.window_xy is None and start.located_m is not None
    start.blind_parts.result()
    expect = records.geometry.to_crs(32650).values
    assert shapely.equals_exact(start.located_m.geometry.values, expect, 0).all()


def test_no_record_in_the_window_leaves_the_whole_district_blind() -> None:
    records = _records()
    records["found_at"] = np.datetime64("2026-09-01T09:00", "ns")
    start = start_records(records, _top(), 32650, params=Defaults(as_of=AS_OF))
    assert start.window_xy is not None and start.window_xy.shape == (0, 2)
    parts = start.blind_parts.result()
    assert len(parts) == 1 and parts["area_m2"].iloc[0] == 30_000.0 ** 2


class _Loaded:  # the fields HeadStart.take compares
    def __init__(self, records, workspace="ws") -> None:
        self.records, self.workspace = records, workspace
        self.districts = self.features = self.extent = None


def _started(head: HeadStart, early: _Loaded, result=("layers", "start")) -> None:
    done: Future = Future()
    if isinstance(result, Exception):
        done.set_exception(result)
    else:
        done.set_result(result)
    head._early, head._params, head._steps = early, Defaults(as_of=AS_OF), done


def test_head_start_is_taken_once_and_only_for_its_records_and_params() -> None:
    head = HeadStart(lambda ws: Defaults(as_of=AS_OF))
    records = _records()
    early = _Loaded(records)
    _started(head, early)
    assert head.take(_Loaded(records, workspace=object()), Defaults(as_of=AS_OF)) is None
    _started(head, early)
    assert head.take(early, Defaults(as_of=AS_OF, window_days=14)) is None  # other params
    _started(head, early)
    assert head.take(early, Defaults(as_of=AS_OF)) == ("layers", "start")
    assert head.take(early, Defaults(as_of=AS_OF)) is None  # taken already
    _started(head, early, ValueError("a bad layer"))
    assert head.take(early, Defaults(as_of=AS_OF)) is None  # the analysis meets it itself


def test_head_start_without_parameters_starts_nothing() -> None:
    def no_date(ws):
        raise ValueError("no date")
    head = HeadStart(no_date)
    head(_Loaded(_records()))
    assert head._steps is None and head.take(_Loaded(_records()), Defaults(as_of=AS_OF)) is None
