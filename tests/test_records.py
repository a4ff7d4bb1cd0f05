"""Records: parsing, locating, quarantining, on small hand-made spreadsheets."""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geotool.crs import wgs84_to_bd09, wgs84_to_gcj02
from geotool.io.quarantine import QUARANTINE_COLUMNS, quarantine_frame
from geotool.io.records import RECORD_COLUMNS, feature_anchor_points, normalize_records
from geotool.io.tables import read_table
from geotool.text import TABLE, reason_codes, reason_text

CITY = box(114.60, 33.60, 114.70, 33.65)
HEADER = "问题编号,记录类型,发现时间,经度,纬度,点位编号,点位名称,问题类型,整改状态,整改时限,整改完成时间,更新时间"


@pytest.fixture
def features() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"layer": ["points", "markets", "alleys"], "feature_id": ["P1", "M1", "L1"],
         "name": ["周口站", "华耀城市场", "七一路"], "unit": [None] * 3, "type": [None] * 3},
        geometry=[Point(114.62, 33.62), box(114.66, 33.61, 114.67, 33.62),
                  LineString([(114.63, 33.63), (114.65, 33.63)])],
        crs="EPSG:4326")


def run(tmp_path, features, rows: list[str], *, header: str = HEADER, name: str = "r.csv",
        **kw):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = normalize_records([read_table(path)], features, CITY, **kw)
    assert len(res.records) + len(res.quarantine) == res.read
    assert list(res.quarantine.columns) == QUARANTINE_COLUMNS
    return res


def reasons(res) -> list[str]:
    return res.quarantine["reason_code"].tolist()


def test_clean_rows_are_used_with_the_canonical_schema(tmp_path, features):
    res = run(tmp_path, features, [
        "R1,问题,2026-09-01 08:30,114.62,33.62,,,乱停乱放,未整改,2026-09-05,,",
        "C1,巡查,2026-09-02,114.68,33.63,,,,,,,",
    ])
    r = res.records
    assert list(r.columns) == [*RECORD_COLUMNS, "geometry"]
    assert res.quarantine.empty and res.read == 2
    assert r["kind"].tolist() == ["issue", "inspection"]
    assert r["status"].iloc[0] == "open" and pd.isna(r["status"].iloc[1])
    assert r["found_at"].iloc[0] == pd.Timestamp("2026-09-01 08:30")
    assert r["deadline"].iloc[0] == pd.Timestamp("2026-09-05")
    assert (r.geometry.x.iloc[0], r.geometry.y.iloc[0]) == (114.62, 33.62)
    assert r["located_by"].tolist() == ["coordinates", "coordinates"]
    assert r["_row"].tolist() == [2, 3]
    assert res.per_file == {str(tmp_path / "r.csv"): {"read": 2, "used": 2, "quarantined": 0}}


def test_kind_defaults_from_issue_fields(tmp_path, features):
    res = run(tmp_path, features, [
        "R1,,2026-09-01,114.62,33.62,,,小广告,,,,",       # a category: an issue, open
        "R2,,2026-09-01,114.62,33.62,,,,已整改,,2026-09-02,",  # a status: an issue
        "R3,,2026-09-01,114.62,33.62,,,,,,,",              # nothing: an inspection
    ])
    assert res.records["kind"].tolist() == ["issue", "issue", "inspection"]
    assert res.records["status"].iloc[0] == "open"
    assert res.records["status"].iloc[1] == "rectified"


def test_located_by_feature_id_or_unique_name(tmp_path, features):
    res = run(tmp_path, features, [
        "R1,巡查,2026-09-01,,,M1,,,,,,",
        "R2,巡查,2026-09-01,,,,七一路,,,,,",
        "R3,巡查,2026-09-01,,,,周口站,,,,,",
    ])
    r = res.records
    assert r["located_by"].tolist() == ["feature_id", "feature_name", "feature_name"]
    assert CITY.contains(r.geometry.iloc[0]) and box(114.66, 33.61, 114.67, 33.62).contains(
        r.geometry.iloc[0])
    assert (r.geometry.x.iloc[1], r.geometry.y.iloc[1]) == pytest.approx((114.64, 33.63))
    assert any("located by their feature" in n for n in res.notes)


def test_feature_anchor_points():
    f = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (4, 0), (4, 4)]), box(0, 0, 2, 2),
                                   Point(3, 3)])
    anchors = feature_anchor_points(f)
    assert [(p.x, p.y) for p in anchors] == [(4.0, 0.0), (1.0, 1.0), (3.0, 3.0)]


def test_missing_record_ids_get_file_sheet_row_ids(tmp_path, features):
    res = run(tmp_path, features, [",巡查,2026-09-01,114.62,33.62,,,,,,,"])
    assert res.records["record_id"].tolist() == ["r.csv##2"]


@pytest.mark.parametrize(("row", "code", "column", "value", "status"), [
    ("R1,问题,2026-09-01,114.62,33.62,,,小广告,未整改,下周一,,", "bad_deadline", "deadline", "下周一",
     "open"),
    ("R1,问题,2026-09-01,114.62,33.62,,,小广告,已整改,,昨天,", "bad_rectified_at", "rectified_at",
     "昨天", "rectified"),
    ("R1,问题,2026-09-01,114.62,33.62,,,小广告,已整改,,,xx", "bad_updated_at", "updated_at", "xx",
     "rectified"),
    ("R1,问题,2026-09-01,114.62,33.62,,,小广告,待定,,,", "unknown_status", "status", "待定", "open"),
])
def test_unreadable_optional_field_keeps_the_record_and_flags_it(tmp_path, features, row, code,
                                                                  column, value, status):
    ok = "OK1,巡查,2026-09-01,114.62,33.62,,,,,,,"
    res = run(tmp_path, features, [ok, row])
    r = res.records
    assert r["record_id"].tolist() == ["OK1", "R1"] and res.quarantine.empty
    assert pd.isna(r["problems"].iloc[0]) and r["problems"].iloc[1] == code
    assert r["status"].iloc[1] == status
    assert column == "status" or pd.isna(r[column].iloc[1])  # left empty, not guessed
    f = res.flagged
    assert list(f.columns) == QUARANTINE_COLUMNS and len(f) == 1
    assert (f["reason_code"].iloc[0], f["column"].iloc[0], f["value"].iloc[0],
            f["row"].iloc[0]) == (code, column, value, 3)
    assert f["reason"].iloc[0].startswith(reason_text(code)) and "保留" in f["reason"].iloc[0]
    assert res.per_file[str(tmp_path / "r.csv")] == {"read": 2, "used": 2, "quarantined": 0}


def test_two_unreadable_fields_of_one_row_are_both_flagged(tmp_path, features):
    res = run(tmp_path, features, ["R1,问题,2026-09-01,114.62,33.62,,,小广告,待定,下周一,,"])
    assert res.records["problems"].tolist() == ["bad_deadline;unknown_status"]
    assert sorted(res.flagged["column"]) == ["deadline", "status"]


@pytest.mark.parametrize(("row", "code", "column", "value"), [
    ("R1,巡查,下周一,114.62,33.62,,,,,,,", "bad_found_at", "found_at", "下周一"),
    ("R1,巡查,,114.62,33.62,,,,,,,", "missing_found_at", "found_at", ""),
    ("R1,暗访,2026-09-01,114.62,33.62,,,,,,,", "unknown_kind", "kind", "暗访"),
    ("R1,巡查,2026-09-01,东经,33.62,,,,,,,", "bad_coordinates", "lon", "东经"),
    ("R1,巡查,2026-09-01,114.62,95,,,,,,,", "bad_coordinates", "lon", "114.62,95"),
    ("R1,巡查,2026-09-01,114.62,,,,,,,,", "partial_coordinates", "lat", "114.62,"),
    ("R1,巡查,2026-09-01,0,0,,,,,,,", "zero_coordinates", "lon", "0,0"),
    ("R1,巡查,2026-09-01,33.62,114.62,,,,,,,", "swapped_coordinates", "lon", "33.62,114.62"),
    ("R1,巡查,2026-09-01,113.62,34.75,,,,,,,", "outside_city", "lon", "113.62,34.75"),
    ("R1,巡查,2026-09-01,,,X9,,,,,,", "unknown_feature_id", "feature_id", "X9"),
    ("R1,巡查,2026-09-01,,,,无名小区,,,,,", "unknown_feature_name", "feature_name", "无名小区"),
    ("R1,巡查,2026-09-01,,,,,,,,,", "missing_location", "lon", ""),
])
def test_each_record_reason(tmp_path, features, row, code, column, value):
    ok = "OK1,巡查,2026-09-01,114.62,33.62,,,,,,,"
    res = run(tmp_path, features, [ok, row])
    assert res.records["record_id"].tolist() == ["OK1"]
    q = res.quarantine.iloc[0]
    assert (q["reason_code"], q["column"], q["value"], q["row"]) == (code, column, value, 3)
    assert q["file"] == str(tmp_path / "r.csv")
    assert q["reason"] == reason_text(code)
    assert res.per_file[str(tmp_path / "r.csv")] == {"read": 2, "used": 1, "quarantined": 1}


def test_duplicates_exact_and_conflicting(tmp_path, features):
    res = run(tmp_path, features, [
        "R1,问题,2026-09-01,114.62,33.62,,,小广告,未整改,,,",
        "R1,问题,2026-09-01,114.62,33.62,,,小广告,未整改,,,",         # exact copy
        "R1,问题,2026-09-03,114.62005,33.62,,,小广告,已整改,,2026-09-03,",  # a later version: kept
        "R1,问题,2026-09-01,114.68,33.63,,,积水,未整改,,,",            # same id, elsewhere
        ",巡查,2026-09-02,114.62,33.62,,,,,,,",
        ",巡查,2026-09-02,114.62,33.62,,,,,,,",                        # same visit pasted twice
    ])
    assert reasons(res) == ["duplicate_row", "conflicting_duplicate", "duplicate_row"]
    assert res.quarantine["row"].tolist() == [3, 5, 7]
    assert res.records["status"].fillna("-").tolist() == ["open", "rectified", "-"]


def test_same_id_in_two_files_at_different_places_conflicts(tmp_path, features):
    a, b = tmp_path / "川汇区.csv", tmp_path / "淮阳区.csv"
    a.write_text(HEADER + "\n001,问题,2026-09-01,114.62,33.62,,,小广告,未整改,,,\n",
                 encoding="utf-8")
    b.write_text(HEADER + "\n001,问题,2026-09-02,114.68,33.63,,,小广告,未整改,,,\n",
                 encoding="utf-8")
    res = normalize_records([read_table(a), read_table(b)], features, CITY)
    assert reasons(res) == ["conflicting_duplicate"]
    assert res.quarantine["file"].iloc[0] == str(b)


def test_dates_in_many_forms(tmp_path, features):
    res = run(tmp_path, features, [
        "D1,巡查,2020年9月1日,114.62,33.62,,,,,,,",
        "D2,巡查,2020/9/1,114.62,33.62,,,,,,,",
        "D3,巡查,44075,114.62,33.62,,,,,,,",           # Excel serial of 2020-09-01
        "D4,巡查,20200901,114.62,33.62,,,,,,,",
        "D5,巡查,2020-09-01T08:00:00+08:00,114.62,33.62,,,,,,,",
        "D6,巡查,2020-09-01T00:00:00Z,114.62,33.62,,,,,,,",  # = 08:00 China time
        "D7,巡查,9月1日,114.62,33.62,,,,,,,",            # no year: the most common year
        "D8,巡查,２０２０年９月１日,114.62,33.62,,,,,,,",
    ])
    days = res.records["found_at"].dt.date.tolist()
    assert days == [dt.date(2020, 9, 1)] * 8
    assert res.records["found_at"].iloc[5] == pd.Timestamp("2020-09-01 08:00")
    assert any("1 date(s) written without a year taken as 2020" in n for n in res.notes)


def test_yearless_date_with_no_dated_row_is_quarantined(tmp_path, features):
    res = run(tmp_path, features, ["D1,巡查,9月1日,114.62,33.62,,,,,,,"])
    assert reasons(res) == ["bad_found_at"]


@pytest.mark.parametrize(("lon", "lat"), [
    ("114°37'12\"E", "33°37'12\"N"), ("114度37分12秒", "33度37分12秒"), ("１１４．６２", "３３．６２"),
    ("E114.62", "N33.62"), ("114.62°", "33.62°"),
])
def test_coordinate_forms(tmp_path, features, lon, lat):
    q_lon, q_lat = lon.replace('"', '""'), lat.replace('"', '""')  # CSV quoting, as Excel writes
    res = run(tmp_path, features, [f'R1,巡查,2026-09-01,"{q_lon}","{q_lat}",,,,,,,'])
    assert res.quarantine.empty
    assert res.records.geometry.x.iloc[0] == pytest.approx(114.62, abs=1e-9)
    assert res.records.geometry.y.iloc[0] == pytest.approx(33.62, abs=1e-9)


def test_one_cell_lonlat(tmp_path, features):
    res = run(tmp_path, features, ['R1,2026-09-01,"114.62,33.62"', 'R2,2026-09-01,114.62，33.62',
                                   'R3,2026-09-01,114.62'],
              header="问题编号,发现时间,经纬度")
    assert res.records["record_id"].tolist() == ["R1", "R2"]
    assert reasons(res) == ["partial_coordinates"]


@pytest.mark.parametrize(("datum", "forward"), [("GCJ-02", wgs84_to_gcj02),
                                                ("BD-09", wgs84_to_bd09)])
def test_record_datum_is_converted(tmp_path, features, datum, forward):
    lon, lat = (float(v) for v in forward(114.62, 33.62))
    res = run(tmp_path, features, [f"R1,巡查,2026-09-01,{lon!r},{lat!r},,,,,,,"], datum=datum)
    p = res.records.geometry.iloc[0]
    assert math.hypot((p.x - 114.62) * 92_800, (p.y - 33.62) * 110_900) < 0.01


def test_projected_record_coordinates(tmp_path, features):
    pt = gpd.GeoSeries([Point(114.62, 33.62)], crs=4326).to_crs(4547).iloc[0]
    res = run(tmp_path, features, [f"R1,巡查,2026-09-01,{pt.x},{pt.y},,,,,,,"], datum="EPSG:4547")
    assert res.records.geometry.x.iloc[0] == pytest.approx(114.62, abs=1e-7)


def test_blank_rows_and_blank_words(tmp_path, features):
    res = run(tmp_path, features, [
        "R1,巡查,2026-09-01,114.62,33.62,,,,,,,",
        ",,,,,,,,,,,",
        "NaN,nan,NULL,-,,,,,,,,",
        "R2,巡查,2026-09-02,NaN,NaN,P1,,,,,,",   # NaN coordinates: located by the feature
    ])
    assert res.read == 2
    assert res.records["located_by"].tolist() == ["coordinates", "feature_id"]
    assert any("1 row(s) holding only blank words" in n for n in res.notes)


def test_empty_input():
    res = normalize_records([], gpd.GeoDataFrame(geometry=[], crs=4326), CITY)
    assert res.read == 0 and res.records.empty and res.quarantine.empty
    assert str(res.records.crs) == "EPSG:4326"


def test_all_reasons_have_both_languages():
    for code in reason_codes():
        zh, en = TABLE[f"reason.{code}"]
        assert zh and en and zh != en, code
        assert reason_text(code, "en") == en and reason_text(code) == zh
    q = quarantine_frame("a.gpkg", [4, 7], "geometry", [None, "x"], "empty_geometry",
                         layer="markets", lang="en")
    assert q["value"].tolist() == ["", "x"] and q["row"].tolist() == [4, 7]
    assert q["reason"].iloc[0] == TABLE["reason.empty_geometry"][1]


def test_every_row_is_accounted_for_in_a_messy_file(tmp_path, features):
    rng = np.random.default_rng(7)
    cells = {
        "lon": ["114.62", "", "0", "33.62", "abc", "114°37'E", "１１４．６２", "200"],
        "lat": ["33.62", "", "0", "114.62", "33.62", "33°37'N", "３３．６２", "NaN"],
        "found": ["2026-09-01", "", "9月1日", "46266", "明天", "2026/9/1 8:30"],
        "kind": ["", "问题", "巡查", "暗访"],
        "status": ["", "未整改", "已销号", "待定"],
        "fid": ["", "P1", "X9"],
    }
    rows = []
    for _ in range(300):
        pick = {k: v[rng.integers(len(v))] for k, v in cells.items()}
        rid = f"R{rng.integers(40)}" if rng.random() < 0.8 else ""
        rows.append(f'{rid},{pick["kind"]},{pick["found"]},"{pick["lon"]}","{pick["lat"]}",'
                    f'{pick["fid"]},,小广告,{pick["status"]},,,')
    res = run(tmp_path, features, rows)
    assert res.read == 300
    assert set(reasons(res)) <= set(reason_codes())
    assert res.per_file[str(tmp_path / "r.csv")]["read"] == 300


def test_slow_parsers_run_once_per_distinct_value_not_per_row(tmp_path, features, monkeypatch):
    """The fast path stays vectorised: pattern parsers see each distinct leftover once."""
    from geotool.io import cells, parsing

    calls = {"date": 0, "coord": 0}
    real_date, real_coord = cells.parse_date, parsing.parse_coordinate

    def count_date(text, **kw):
        calls["date"] += 1
        return real_date(text, **kw)

    def count_coord(text):
        calls["coord"] += 1
        return real_coord(text)

    monkeypatch.setattr(cells, "parse_date", count_date)
    monkeypatch.setattr(parsing, "parse_coordinate", count_coord)
    n = 3000
    clean = [f"R{i},巡查,2026-09-0{1 + i % 9} 08:{i % 60:02d},114.6{i % 10},33.62,,,,,,,"
             for i in range(n)]
    res = run(tmp_path, features, clean)
    assert len(res.records) == n and calls == {"date": 0, "coord": 0}
    messy = [f"R{i},巡查,2026年9月{1 + i % 5}日,114°37'{i % 3}\"E,33.62,,,,,,,"
             for i in range(n)]
    res = run(tmp_path, features, messy, name="m.csv")
    assert len(res.records) == n
    assert calls == {"date": 5, "coord": 3}
