"""Issue #13: the datum guard, on fixtures shifted by the real GCJ-02/BD-09 algorithm."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from test_bad_input import CONFIG, csv_file, make_workspace, set_config

from geotool.cli import main
from geotool.crs import gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geotool.io.datum_guard import check_layer_datum, check_records_datum

PLACES = {"周口": (114.65, 33.62), "北京": (116.40, 39.90), "广州": (113.26, 23.13),
          "乌鲁木齐": (87.62, 43.82), "哈尔滨": (126.63, 45.75)}


def _features(lon0: float, lat0: float, spacing_m: float = 1000.0, n: int = 4) -> gpd.GeoDataFrame:
    """An n × n grid of points ``spacing_m`` apart around (lon0, lat0)."""
    dlat = spacing_m / 110_574.0
    dlon = spacing_m / (111_320.0 * np.cos(np.radians(lat0)))
    pts = [Point(lon0 + i * dlon, lat0 + j * dlat) for i in range(n) for j in range(n)]
    return gpd.GeoDataFrame({"layer": "points", "feature_id": [f"P{k}" for k in range(len(pts))],
                             "name": [f"点{k}" for k in range(len(pts))]},
                            geometry=pts, crs="EPSG:4326")


def _records(lon: np.ndarray, lat: np.ndarray, ids: list[str] | None,
             file: str = "records/r.csv") -> gpd.GeoDataFrame:
    n = len(lon)
    return gpd.GeoDataFrame({"_file": file, "located_by": "coordinates",
                             "feature_id": pd.Series(ids if ids else [None] * n, dtype="string"),
                             "feature_name": pd.Series([None] * n, dtype="string")},
                            geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _truth(features: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each feature's point, 10 m east of it (a record taken at the place)."""
    lat = features.geometry.y.to_numpy()
    lon = features.geometry.x.to_numpy() + 10.0 / (111_320.0 * np.cos(np.radians(lat)))
    return lon, lat


@pytest.mark.parametrize("place", sorted(PLACES))
def test_gcj02_records_read_as_wgs84_are_caught(place):
    features = _features(*PLACES[place])
    lon, lat = wgs84_to_gcj02(*_truth(features))   # what a phone app exports
    found = check_records_datum(_records(lon, lat, list(features["feature_id"])), features)
    assert len(found) == 1
    f = found[0]
    assert (f.file, f.section, f.configured, f.likely, f.n) == (
        "records/r.csv", "[records]", "EPSG:4326", "GCJ-02", 16)
    assert 100 < f.offset_m < 800 and abs(f.fixed_offset_m - 10.0) < 0.5
    note = f.note()
    assert note.render("zh").startswith("records/r.csv：坐标看起来是 GCJ-02")
    assert note.render("zh").endswith('在 [records] 中加上 crs = "GCJ-02"')
    assert "\n" not in note.render("zh")


def test_one_file_in_another_datum_is_given_a_datum_of_its_own():
    # [records] crs is every file's: the old advice "add crs = ..." would have shifted the
    # file that was right by hundreds of metres
    features = _features(*PLACES[sorted(PLACES)[0]])
    ids = list(features["feature_id"])
    right = _records(*_truth(features), ids, file="records/a.csv")
    shifted = _records(*wgs84_to_gcj02(*_truth(features)), ids, file="records/b.csv")
    found = check_records_datum(pd.concat([right, shifted], ignore_index=True), features)
    assert [(f.file, f.likely, f.others) for f in found] == [("records/b.csv", "GCJ-02", 1)]
    text = found[0].note().render("en")
    assert text.endswith("[records] crs applies to every file, and 1 other file(s) are right as "
                         "EPSG:4326: give this file alone its datum, add "
                         '"records/b.csv" = "GCJ-02" to [records.file_crs]'), text
    assert 'add crs' not in text


@pytest.mark.parametrize("place", sorted(PLACES))
def test_bd09_records_by_the_nearest_feature(place):
    features = _features(*PLACES[place], spacing_m=3000.0, n=3)  # sparse: nearest is the right one
    lon, lat = wgs84_to_bd09(*_truth(features))
    found = check_records_datum(_records(lon, lat, None), features)
    assert [(f.likely, f.n) for f in found] == [("BD-09", 9)]
    assert found[0].note().render("en").endswith('add crs = "BD-09" to [records]')


@pytest.mark.parametrize("place", sorted(PLACES))
def test_unshifted_records_raise_no_alarm(place):
    features = _features(*PLACES[place])
    lon, lat = _truth(features)
    assert check_records_datum(_records(lon, lat, list(features["feature_id"])), features) == []
    assert check_records_datum(_records(lon, lat, None), features) == []


def test_records_unrelated_to_the_ledgers_raise_no_alarm():
    features = _features(*PLACES["周口"], spacing_m=300.0, n=6)
    rng = np.random.default_rng(7)
    lon = 114.65 + rng.uniform(-0.01, 0.03, 200)
    lat = 33.62 + rng.uniform(-0.01, 0.03, 200)
    assert check_records_datum(_records(lon, lat, None), features) == []


def test_records_said_to_be_gcj02_that_are_wgs84():
    features = _features(*PLACES["周口"])
    lon, lat = gcj02_to_wgs84(*_truth(features))  # read as GCJ-02 although they were WGS-84
    found = check_records_datum(_records(lon, lat, list(features["feature_id"])), features,
                                datum="GCJ-02")
    assert [(f.configured, f.likely) for f in found] == [("GCJ-02", "EPSG:4326")]
    assert found[0].note().render("zh").endswith('把 [records] 中的 crs 改为 "EPSG:4326"（或删去）')


def test_correctly_converted_gcj02_records_raise_no_alarm():
    features = _features(*PLACES["周口"])
    raw = wgs84_to_gcj02(*_truth(features))
    lon, lat = gcj02_to_wgs84(*raw)  # [records] crs = "GCJ-02" did its job
    recs = _records(lon, lat, list(features["feature_id"]))
    assert check_records_datum(recs, features, datum="GCJ-02") == []


@pytest.mark.parametrize("place", sorted(PLACES))
def test_gcj02_ledger_labelled_wgs84(place):
    truth = _features(*PLACES[place])
    lon, lat = _truth(truth)
    x, y = wgs84_to_gcj02(truth.geometry.x.to_numpy(), truth.geometry.y.to_numpy())
    ledger = truth.set_geometry(gpd.points_from_xy(x, y, crs="EPSG:4326"))  # DataV-style layer
    found = check_layer_datum(_records(lon, lat, list(truth["feature_id"])), ledger,
                              key="points", file="points.geojson")
    assert found is not None and (found.section, found.likely) == ("[layers.points]", "GCJ-02")
    assert found.note().render("zh").endswith('在 [layers.points] 中加上 crs = "GCJ-02"')
    assert check_layer_datum(_records(lon, lat, list(truth["feature_id"])), truth,
                             key="points", file="points.geojson") is None


def test_validate_gaps_and_strict_on_a_shifted_workspace(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    # six records at the two ledger points, exported by a GCJ-02 app, config left at WGS-84
    truth = [(114.62, 33.62, "P1"), (114.68, 33.63, "P2")] * 3
    lon, lat = wgs84_to_gcj02(np.array([t[0] for t in truth]), np.array([t[1] for t in truth]))
    rows = [f"R{i},2026-09-0{i + 1},{x:.6f},{y:.6f},乱停乱放,未整改,{t[2]}"
            for i, (x, y, t) in enumerate(zip(lon, lat, truth, strict=True))]
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,整改状态,点位编号", *rows])
    assert main(["validate", str(root), "--out", str(root / "out")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("geotool: 警告: records/r.csv：坐标看起来是 GCJ-02")
    assert err[0].endswith('在 [records] 中加上 crs = "GCJ-02"')
    assert main(["validate", str(root), "--strict", "--out", str(root / "out")]) == 3
    capsys.readouterr()
    assert main(["gaps", str(root), "--as-of", "2026-09-10", "--out", str(root / "out")]) == 0
    assert 'crs = "GCJ-02"' in capsys.readouterr().err
    set_config(root, CONFIG + 'crs = "GCJ-02"\n')  # the fix
    assert main(["validate", str(root), "--strict", "--out", str(root / "out")]) == 0
    assert capsys.readouterr().err == ""


def _two_districts(shift) -> gpd.GeoDataFrame:
    """川汇区 x 114.60–114.65, 淮阳区 114.65–114.70 (lat 33.60–33.65), corners moved by ``shift``."""
    from shapely.geometry import Polygon

    def poly(x0, x1):
        xs, ys = np.array([x0, x1, x1, x0]), np.array([33.60, 33.60, 33.65, 33.65])
        if shift is not None:
            xs, ys = shift(xs, ys)
        return Polygon(zip(xs, ys, strict=True))

    return gpd.GeoDataFrame({"district_id": ["411602", "411603"], "name": ["川汇区", "淮阳区"]},
                            geometry=[poly(114.60, 114.65), poly(114.65, 114.70)], crs="EPSG:4326")


def _named_records() -> gpd.GeoDataFrame:
    # 20 records each side of the border, 50–1000 m from it, naming their district
    offsets = np.linspace(50, 1000, 20) / (111_320.0 * np.cos(np.radians(33.625)))
    lon = np.r_[114.65 - offsets, 114.65 + offsets]
    lat = np.full(40, 33.625)
    recs = _records(lon, lat, None)
    recs["district"] = pd.Series(["川汇区"] * 20 + ["淮阳区"] * 20, dtype="string")
    return recs


def test_gcj02_districts_labelled_wgs84_are_caught_by_the_records_district_names():
    from geotool.io.datum_guard import check_district_datum

    found = check_district_datum(_named_records(), _two_districts(wgs84_to_gcj02),
                                 file="districts.geojson")
    assert found is not None and (found.likely, found.section, found.n) == (
        "GCJ-02", "[layers.districts]", 40)
    assert found.fixed_offset_m == 0 and found.offset_m >= 5
    assert found.note().render("zh").endswith('在 [layers.districts] 中加上 crs = "GCJ-02"')
    assert check_district_datum(_named_records(), _two_districts(None),
                                file="districts.geojson") is None
