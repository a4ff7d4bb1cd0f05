"""Property tests: parsers round-trip or reject, every row is accounted for, datums invert."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from geotool.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_datum,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geotool.io.parsing import (
    KIND_WORDS,
    STATUS_WORDS,
    is_blank,
    parse_coordinate,
    parse_coordinates,
    parse_dates,
    parse_kinds,
    parse_statuses,
)
from geotool.io.records import normalize_records
from geotool.io.tables import read_table

FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

FULLWIDTH = str.maketrans("0123456789.-:/ ", "０１２３４５６７８９．－：／　")


def metres(lon1, lat1, lon2, lat2):
    """Equirectangular distance in metres: exact enough below a kilometre."""
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon1 - lon2) * 111_320.0 * k, (lat1 - lat2) * 110_574.0)


# --- dates ----------------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2110, 12, 31))


def _formats(t: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """Ways planners write ``t`` and what each one means (some drop the time)."""
    minute = t.replace(second=0, microsecond=0)
    day = dt.datetime(t.year, t.month, t.day)
    serial = (day - dt.datetime(1899, 12, 30)).days
    return [
        (t.strftime("%Y-%m-%d %H:%M:%S"), t.replace(microsecond=0)),
        (f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}", minute),
        (f"{t.year}年{t.month}月{t.day}日", day),
        (f"{t.year}年{t.month}月{t.day}日 {t.hour}时{t.minute}分", minute),
        (f"{t.year}.{t.month}.{t.day}", day),
        (t.strftime("%Y%m%d"), day),
        (str(serial), day),
        (t.strftime("%Y-%m-%d").translate(FULLWIDTH), day),
        ((t.replace(microsecond=0) - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         t.replace(microsecond=0)),
    ]


@FAST
@given(moments, st.integers(0, 8))
def test_dates_round_trip_in_every_format(t, which):
    text, expected = _formats(t)[which]
    parsed, bad, guessed = parse_dates(pd.Series([text, None, "  "]))
    assert not bad.any(), text
    assert parsed.iloc[0] == pd.Timestamp(expected), text
    assert parsed.iloc[1:].isna().all() and not guessed.any()


@FAST
@given(moments)
def test_dates_without_a_year_take_the_given_year(t):
    parsed, bad, guessed = parse_dates(pd.Series([f"{t.month}月{t.day}日"]), default_year=2024)
    if (t.month, t.day) == (2, 29):
        assert parsed.iloc[0] == pd.Timestamp(2024, 2, 29)
    assert not bad.iloc[0] and guessed.iloc[0]
    assert (parsed.iloc[0].month, parsed.iloc[0].day) == (t.month, t.day)


@FAST
@given(st.text(max_size=25))
def test_any_text_is_a_date_or_rejected(text):
    parsed, bad, _ = parse_dates(pd.Series([text], dtype=object))
    value = parsed.iloc[0]
    if pd.isna(value):
        assert bad.iloc[0] or is_blank(pd.Series([text], dtype=object))[0]
    else:
        assert not bad.iloc[0]
        assert 1950 <= value.year <= 2150


# --- coordinates ----------------------------------------------------------------------------

lons = st.floats(min_value=73.0, max_value=135.0).map(lambda v: round(v, 6))
lats = st.floats(min_value=18.0, max_value=53.0).map(lambda v: round(v, 6))


def _dms(value: float, pos: str, neg: str, style: int) -> str:
    hemi = pos if value >= 0 else neg
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = round(((v - d) * 60 - m) * 60, 4)
    if s >= 60:  # rounding pushed the seconds over
        s, m = 0.0, m + 1
    if m >= 60:
        m, d = 0, d + 1
    if style == 0:
        return f"{d}°{m}'{s}\"{hemi}"
    if style == 1:
        return f"{d}度{m}分{s}秒"
    return f"{hemi}{d}° {m}′ {s}″"


@FAST
@given(lons, st.integers(0, 4))
def test_coordinates_round_trip(lon, style):
    if style == 0:
        text, tol = repr(lon), 0.0
    elif style == 1:
        text, tol = repr(lon).translate(FULLWIDTH), 0.0
    elif style == 2:
        text, tol = f"{lon}°E", 0.0
    else:
        text, tol = _dms(lon, "E", "W", style - 3), 0.0001 / 3600 + 1e-12
    value = parse_coordinate(text)
    assert value is not None, text
    assert abs(value - lon) <= tol, text
    series, bad = parse_coordinates(pd.Series([text, ""], dtype=object))
    assert not bad.any() and abs(series.iloc[0] - lon) <= tol and np.isnan(series.iloc[1])


@FAST
@given(lats)
def test_southern_and_western_hemispheres_are_negative(lat):
    assert parse_coordinate(_dms(-lat, "N", "S", 0)) == pytest.approx(-lat, abs=1e-7)
    assert parse_coordinate(f"W{lat}") == pytest.approx(-lat)


@FAST
@given(st.text(max_size=20))
def test_any_text_is_a_finite_coordinate_or_rejected(text):
    value = parse_coordinate(text)
    assert value is None or math.isfinite(value)
    series, bad = parse_coordinates(pd.Series([text], dtype=object))
    blank = is_blank(pd.Series([text], dtype=object))[0]
    assert bool(bad.iloc[0]) == (not blank and pd.isna(series.iloc[0]))
    if not blank and value is not None:
        assert series.iloc[0] == value


# --- statuses and kinds -----------------------------------------------------------------------

def _messy(word: str, spaces: int, fullwidth: bool, upper: bool) -> str:
    text = word.upper() if upper else word
    if fullwidth:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return " " * spaces + text + "\u3000" * (spaces % 2) + ("。" if spaces == 3 else "")


@FAST
@given(st.sampled_from(sorted(STATUS_WORDS)), st.integers(0, 3), st.booleans(), st.booleans())
def test_status_words_map_however_they_are_typed(word, spaces, fullwidth, upper):
    status, bad = parse_statuses(pd.Series([_messy(word, spaces, fullwidth, upper)]))
    assert not bad.iloc[0]
    assert status.iloc[0] == STATUS_WORDS[word]


@FAST
@given(st.sampled_from(sorted(KIND_WORDS)), st.integers(0, 3))
def test_kind_words_map(word, spaces):
    kind, bad = parse_kinds(pd.Series([_messy(word, spaces, False, False)]))
    assert not bad.iloc[0] and kind.iloc[0] == KIND_WORDS[word]


@FAST
@given(st.text(min_size=1, max_size=12))
def test_unknown_status_words_are_rejected_not_guessed(text):
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = " ".join(key.split()).strip(" 。.!！,，;；:：、")
    assume(key not in STATUS_WORDS and key.replace(" ", "") not in STATUS_WORDS)
    status, bad = parse_statuses(pd.Series([text]))
    assert pd.isna(status.iloc[0])
    assert bool(bad.iloc[0]) == (not is_blank(pd.Series([text]))[0])


# --- datums ----------------------------------------------------------------------------------

china_lons = st.floats(min_value=74.0, max_value=134.0)
china_lats = st.floats(min_value=19.0, max_value=53.0)


@FAST
@given(china_lons, china_lats)
def test_datum_round_trips_within_a_millimetre(lon, lat):
    for forward, inverse in ((wgs84_to_gcj02, gcj02_to_wgs84), (gcj02_to_bd09, bd09_to_gcj02),
                             (wgs84_to_bd09, bd09_to_wgs84)):
        moved = forward(lon, lat)
        assert 1.0 < metres(lon, lat, *map(float, moved)) < 2000.0
        back = inverse(*moved)
        assert metres(lon, lat, *map(float, back)) < 0.001


@FAST
@given(st.sampled_from(["gcj02", "GCJ-02", "bd09", "百度", "高德", "WGS84", "4326", "EPSG:4490"]))
def test_datum_names_normalise_idempotently(name):
    once = normalize_datum(name)
    assert normalize_datum(once) == once


@SLOW
@given(st.lists(st.tuples(china_lons, china_lats), min_size=1, max_size=6),
       st.sampled_from(["GCJ-02", "BD-09"]))
def test_shifting_every_input_by_a_datum_and_back_changes_nothing(points, datum):
    pts = [Point(x, y) for x, y in points]
    geoms = [*pts, LineString(points) if len(points) > 1 else Point(points[0]),
             Polygon([(x, y) for x, y in [points[0], (points[0][0] + 0.01, points[0][1]),
                                         (points[0][0], points[0][1] + 0.01)]]),
             box(points[0][0], points[0][1], points[0][0] + 0.02, points[0][1] + 0.02)]
    gdf = gpd.GeoDataFrame({"i": range(len(geoms))}, geometry=geoms, crs="EPSG:4326")
    back = to_wgs84(from_wgs84(gdf, datum), datum)
    assert list(back["i"]) == list(gdf["i"])
    for a, b in zip(gdf.geometry, back.geometry, strict=True):
        ca, cb = np.asarray(_coords(a)), np.asarray(_coords(b))
        assert ca.shape == cb.shape
        assert max(metres(x1, y1, x2, y2) for (x1, y1), (x2, y2) in zip(ca, cb, strict=True)) < 1


def _coords(geom):
    if geom.geom_type == "Polygon":
        return list(geom.exterior.coords)
    return list(geom.coords)


# --- every row read is used or quarantined -----------------------------------------------------

CITY = box(114.60, 33.60, 114.70, 33.65)
FEATURES = gpd.GeoDataFrame({"layer": ["p"], "feature_id": ["P1"], "name": ["周口站"],
                             "unit": [None], "type": [None]},
                            geometry=[Point(114.62, 33.62)], crs="EPSG:4326")
HEADER = ["问题编号", "记录类型", "发现时间", "经度", "纬度", "点位编号", "问题类型", "整改状态",
          "整改时限"]

messy_cell = st.one_of(
    st.just(""), st.just("NaN"), st.just("0"), st.just("114.62"), st.just("33.62"),
    st.just("１１４．６２"), st.just("114°37'12\"E"), st.just("2026-09-01"), st.just("9月1日"),
    st.just("46266"), st.just("未整改"), st.just("已销号"), st.just("问题"), st.just("巡查"),
    st.just("P1"), st.just("X9"), st.just("a,b"), st.just("line\nbreak"), st.just('say "hi"'),
    st.text(max_size=8),
)
messy_row = st.lists(messy_cell, min_size=len(HEADER) - 1, max_size=len(HEADER) + 2)


@SLOW
@given(st.lists(st.tuples(messy_row, st.booleans()), min_size=1, max_size=25),
       st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_every_messy_row_is_used_or_quarantined(tmp_path_factory, rows, encoding):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # as Excel writes: quotes \r and \n
    writer.writerow(HEADER)
    for i, (cells, blank) in enumerate(rows):
        writer.writerow([""] * len(HEADER) if blank else [f"R{i % 7}", *cells])
    text = buf.getvalue()
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    path = tmp_path_factory.mktemp("messy") / "r.csv"
    path.write_bytes(raw)
    table = read_table(path)
    res = normalize_records([table], FEATURES, CITY)
    expected = sum(1 for _, blank in rows if not blank)
    assert res.read == expected
    assert len(res.records) + len(res.quarantine) == res.read
    assert res.per_file[str(path)]["read"] == expected
    assert res.records.geometry.within(CITY.buffer(0.02)).all()
    assert res.records["found_at"].notna().all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["NULL", " nan ", "１１４．６５", "\u3000", "—"])),
                min_size=1, max_size=40))
def test_bulk_cleaning_equals_one_by_one(values):
    """The Arrow fast path of text cleaning gives exactly what the per-value path gives."""
    import numpy as np

    from geotool.io.cells import _clean, _clean_many

    arr = np.array((values * (5_000 // len(values) + 1))[:5_000], dtype=object)
    assert _clean_many(arr) == [_clean(v) for v in arr]
