"""The gap engine's functions on tiny metric fixtures, with answers worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Point, box

from geotool._errors import CRSError
from geotool.analysis.blindspots import blindspots
from geotool.analysis.coverage import coverage, touches, window_bounds
from geotool.analysis.districts import assign_districts
from geotool.analysis.issues import issue_states, recurring_pairs
from geotool.analysis.scoring import score

M = "EPSG:32650"
D = dt.date(2020, 9, 15)


def feats(*geoms, ids=None):
    ids = ids or [f"F{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"feature_id": ids, "name": [f"n{i}" for i in ids]},
                            geometry=list(geoms), crs=M)


def recs(points, found, feature_id=None, feature_name=None):
    n = len(points)
    return gpd.GeoDataFrame({
        "found_at": pd.to_datetime(found),
        "feature_id": feature_id or [None] * n,
        "feature_name": feature_name or [None] * n,
    }, geometry=points, crs=M)


# --- touches and coverage -----------------------------------------------------------------

def test_record_exactly_at_match_radius_touches():
    f = feats(LineString([(0, 0), (100, 0)]), box(200, 0, 300, 100))
    r = recs([Point(50, 50), Point(50, -50.001), Point(250, 50), Point(350, 50)],
             ["2020-09-15"] * 4)
    pairs = touches(f, r, match_radius_m=50)
    # (50,50) is exactly 50 m from the line; inside the polygon is distance 0;
    # (350,50) is exactly 50 m from the polygon's edge; 50.001 m is out
    assert pairs.values.tolist() == [[0, 0], [1, 2], [1, 3]]


def test_reference_by_id_and_by_name_touches_without_coordinates():
    f = feats(Point(0, 0), Point(1000, 0), ids=["A", "B"])
    r = recs([Point(5000, 5000), Point(5000, 5000)], ["2020-09-15"] * 2,
             feature_id=["A", None], feature_name=[None, "nB"])
    assert touches(f, r, match_radius_m=50).values.tolist() == [[0, 0], [1, 1]]


def test_window_edges():
    assert window_bounds(D, 7) == (pd.Timestamp("2020-09-09"), pd.Timestamp("2020-09-16"))
    f = feats(Point(0, 0), Point(100, 0), Point(200, 0), Point(300, 0))
    r = recs([Point(0, 0), Point(100, 0), Point(200, 0), Point(300, 0)],
             ["2020-09-15 23:59:59",   # day D: in
              "2020-09-09 00:00:00",   # day D-W+1: in
              "2020-09-08 23:59:59",   # day D-W: out
              "2020-09-16 00:00:00"])  # after D: does not exist
    cov = coverage(f, r, as_of=D, window_days=7, match_radius_m=10)
    assert cov["covered"].tolist() == [True, True, False, False]
    assert cov["records_in_window"].tolist() == [1, 1, 0, 0]
    assert cov["last_touched"].isna().tolist() == [False, False, False, True]


def test_metric_functions_refuse_degrees():
    f = feats(Point(0, 0)).set_crs(4326, allow_override=True)
    with pytest.raises(CRSError, match="metric CRS"):
        touches(f, recs([Point(0, 0)], ["2020-09-15"]), match_radius_m=50)


# --- districts ----------------------------------------------------------------------------

def test_largest_part_and_border_ties():
    d = gpd.GeoDataFrame({"district_id": ["B", "A"]},
                         geometry=[box(100, 0, 200, 100), box(0, 0, 100, 100)], crs=M)
    g = gpd.GeoSeries([LineString([(60, 50), (180, 50)]),     # 40 m in A, 80 m in B
                       box(10, 10, 120, 20),                   # 90 m2*10 in A, 20*10 in B
                       Point(100, 50),                         # on the border: smallest id
                       Point(500, 500)], crs=M)
    assert assign_districts(g, d).tolist() == ["B", "A", "A", pd.NA]


def test_multipoints_go_where_most_of_their_points_are():
    # a MultiPoint ledger feature once crashed the assignment (its coordinates were
    # taken as single points); it goes where most of its points lie
    d = gpd.GeoDataFrame({"district_id": ["B", "A"]},
                         geometry=[box(100, 0, 200, 100), box(0, 0, 100, 100)], crs=M)
    g = gpd.GeoSeries([Point(10, 10),
                       MultiPoint([(20, 20), (150, 20), (160, 30)]),   # 1 in A, 2 in B
                       MultiPoint([(30, 30), (40, 40)]),               # all in A
                       Point(150, 50),
                       MultiPoint([(900, 900), (950, 950)])], crs=M)   # in none
    assert assign_districts(g, d).tolist() == ["A", "B", "A", "B", pd.NA]


# --- issues -------------------------------------------------------------------------------

def _issue_rows(rows):
    cols = ["record_id", "found_at", "status", "deadline", "rectified_at", "updated_at",
            "category"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("found_at", "deadline", "rectified_at", "updated_at"):
        df[c] = pd.to_datetime(df[c])
    df["kind"] = "issue"
    df["_order"] = np.arange(len(df))
    return df


def test_status_as_of_uses_only_what_happened_by_then():
    df = _issue_rows([
        # rectified on 09-20, after D: on D it was still open, and overdue (deadline 09-10)
        ("I1", "2020-09-01", "rectified", "2020-09-10", "2020-09-20", None, "积水"),
        # rectified then reopened on 09-12
        ("I2", "2020-09-01", "rectified", "2020-09-05", "2020-09-04", None, "积水"),
        ("I2", "2020-09-01", "open", "2020-09-05", None, "2020-09-12", "积水"),
        # closed before D, deadline long past: not overdue
        ("I3", "2020-09-01", "closed", "2020-09-02", "2020-09-03", None, "积水"),
        # deadline on D itself: not yet overdue
        ("I4", "2020-09-14", "open", "2020-09-15", None, None, "积水"),
        # found after D: unknown
        ("I5", "2020-09-16", "open", None, None, None, "积水"),
    ])
    s = issue_states(df, as_of=D).set_index("record_id")
    assert s.index.tolist() == ["I1", "I2", "I3", "I4"]
    assert s["status"].tolist() == ["open", "open", "closed", "open"]
    assert s["overdue"].tolist() == [True, True, False, False]
    assert s["days_open"].tolist() == [14, 14, 2, 1]
    assert s.loc["I2", "reopened_at"] == pd.Timestamp("2020-09-12")


def test_recurrence_window():
    df = _issue_rows([
        ("old", "2020-08-01", "rectified", None, "2020-08-20", None, "积水"),
        ("new", "2020-09-10", "open", None, None, None, "积水"),        # 21 days later
        ("other", "2020-09-10", "open", None, None, None, "小广告"),   # other category
    ])
    s = issue_states(df, as_of=D)
    at = pd.DataFrame({"record_id": ["old", "new", "other"], "feature": [7, 7, 7]})
    cats = df.set_index("record_id")["category"]
    hit = recurring_pairs(s, at, cats, recurrence_days=30)
    assert hit[["feature", "record_id", "previous_record_id"]].values.tolist() == [[7, "new", "old"]]
    assert recurring_pairs(s, at, cats, recurrence_days=20).empty


# --- blind spots --------------------------------------------------------------------------

R = 300.0
DISC = math.pi * R * R                 # 282,743 m2; the 32-gon used is 0.64 % smaller


def segment(d):
    """Area of the part of a radius-R disc beyond a chord at distance d from its centre."""
    return R * R * math.acos(d / R) - d * math.sqrt(R * R - d * d)


def test_single_disc_inside_a_district():
    d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 1000, 1000)], crs=M)
    b = blindspots(d, gpd.GeoSeries([Point(500, 500)], crs=M), reach_m=R)
    assert len(b) == 1
    assert b["area_m2"].iloc[0] == pytest.approx(1e6 - DISC, abs=0.0065 * DISC)


def test_reach_crosses_the_border():
    d = gpd.GeoDataFrame({"district_id": ["A", "B"]},
                         geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=M)
    b = blindspots(d, gpd.GeoSeries([Point(1100, 500)], crs=M), reach_m=R).set_index("district_id")
    # 82,502 m2 of the disc lies in A; the rest (200,241 m2) in B
    assert segment(100) == pytest.approx(82_502, abs=1)
    assert b.loc["A", "area_m2"] == pytest.approx(1e6 - 82_502, abs=700)
    assert b.loc["B", "area_m2"] == pytest.approx(1e6 - (DISC - 82_502), abs=1_300)


def test_parts_split_and_small_parts_dropped():
    d = gpd.GeoDataFrame({"district_id": ["S"]}, geometry=[box(0, 0, 2000, 200)], crs=M)
    pts = gpd.GeoSeries([Point(1000, 100)], crs=M)
    f = feats(Point(100, 100), Point(1000, 100), ids=["W", "C"])
    # the disc covers the strip between |dy| <= 100: 2*(100*sqrt(80000) + R^2*asin(1/3))
    covered = 2 * (100 * math.sqrt(80_000) + R * R * math.asin(1 / 3))
    each = (2000 * 200 - covered) / 2                      # 141,130 m2 on each side
    b = blindspots(d, pts, reach_m=R, min_blindspot_m2=10_000, features=f,
                   covered=pd.Series([False, True]))
    assert len(b) == 2
    assert b["area_m2"].tolist() == pytest.approx([each, each], abs=800)
    assert b["features_inside"].sum() == 1 and b["uncovered_inside"].sum() == 1
    assert "W" in b["feature_ids_inside"].tolist()
    assert blindspots(d, pts, reach_m=R, min_blindspot_m2=150_000).empty


def test_no_records_means_all_blind():
    d = gpd.GeoDataFrame({"district_id": ["Z"]}, geometry=[box(0, 0, 300, 400)], crs=M)
    b = blindspots(d, gpd.GeoSeries([], crs=M), reach_m=R)
    assert b["area_m2"].tolist() == [120_000.0]


def test_score_formula():
    one, zero = pd.Series([1.0]), pd.Series([0.0])
    assert score(one, zero, zero, zero).iloc[0] == 100.0
    # 100 * (0.4*0.75 + 0.25*(1-0.4) + 0.2*(1-0.5) + 0.15*(1-0.1)) = 30 + 15 + 10 + 13.5
    assert score(pd.Series([0.75]), pd.Series([0.4]), pd.Series([0.5]),
                 pd.Series([0.1])).iloc[0] == pytest.approx(68.5)


# --- invariants ---------------------------------------------------------------------------

coords = st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(pts=coords, days=st.lists(st.integers(0, 20), min_size=25, max_size=25),
       w=st.integers(1, 10), extra_w=st.integers(0, 10), r=st.floats(1, 200),
       extra_r=st.floats(0, 200))
def test_larger_window_or_radius_never_lowers_coverage(pts, days, w, extra_w, r, extra_r):
    f = feats(Point(100, 100), LineString([(0, 500), (1000, 600)]), box(600, 100, 800, 300),
              Point(900, 900))
    found = [pd.Timestamp("2020-09-15") - pd.Timedelta(days=days[i]) for i in range(len(pts))]
    rr = recs([Point(x, y) for x, y in pts], found)
    base = coverage(f, rr, as_of=D, window_days=w, match_radius_m=r)["covered"]
    wider = coverage(f, rr, as_of=D, window_days=w + extra_w, match_radius_m=r)["covered"]
    farther = coverage(f, rr, as_of=D, window_days=w, match_radius_m=r + extra_r)["covered"]
    assert (wider >= base).all() and (farther >= base).all()


@settings(max_examples=40, deadline=None)
@given(pts=coords, more=coords)
def test_more_records_never_grow_blind_spots(pts, more):
    d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 1000, 1000)], crs=M)
    a = blindspots(d, gpd.GeoSeries([Point(p) for p in pts], crs=M), reach_m=150,
                   min_blindspot_m2=0)["area_m2"].sum()
    b = blindspots(d, gpd.GeoSeries([Point(p) for p in pts + more], crs=M), reach_m=150,
                   min_blindspot_m2=0)["area_m2"].sum()
    assert b <= a + 1e-6


def test_recurrence_when_the_new_issue_is_fixed_the_day_it_is_found():
    df = _issue_rows([
        ("QR", "2020-09-01", "rectified", None, "2020-09-05", None, "乱堆乱倒"),
        ("QS", "2020-09-10", "rectified", None, "2020-09-10", None, "乱堆乱倒"),
    ])
    s = issue_states(df, as_of=D)
    at = pd.DataFrame({"record_id": ["QR", "QS"], "feature": [1, 1]})
    hit = recurring_pairs(s, at, df.set_index("record_id")["category"], recurrence_days=30)
    assert hit[["record_id", "previous_record_id"]].values.tolist() == [["QS", "QR"]]


def test_a_rectified_version_without_a_date_was_rectified_when_recorded():
    df = _issue_rows([
        ("QR", "2020-09-01", "open", None, None, None, "积水"),
        ("QR", "2020-09-01", "rectified", None, None, "2020-09-05 10:00", "积水"),
    ])
    s = issue_states(df, as_of=D).set_index("record_id")
    assert s.loc["QR", "rectified_at"] == pd.Timestamp("2020-09-05 10:00")
    assert s.loc["QR", "days_open"] == 4 and not s.loc["QR", "open"]


def test_a_street_is_chosen_among_its_own_districts_streets():
    from geotool.analysis.districts import district_paths

    d = gpd.GeoDataFrame({
        "district_id": ["A", "B", "A1", "A2", "B1"], "parent": [None, None, "A", "A", "B"],
        "level": [0, 0, 1, 1, 1]},
        geometry=[box(0, 0, 1000, 100), box(1000, 0, 2000, 100), box(0, 0, 400, 100),
                  box(500, 0, 1000, 100), box(1000, 0, 2000, 100)], crs=M)
    # 900 m in A (300 in A1, 500 in A2) and 700 m in B1: A, then A2 (not B1, not nothing)
    line = gpd.GeoSeries([LineString([(100, 50), (1700, 50)])], crs=M)
    assert district_paths(line, d)["district_path"].tolist() == ["A/A2"]
