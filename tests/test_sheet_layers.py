"""Issue #13: ledgers kept in Excel/CSV (经度/纬度 columns), ledgers without ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _files import write_workbook
from conftest import REALDATA
from test_bad_input import CONFIG, make_workspace, set_config

from geotool.crs import wgs84_to_gcj02
from geotool.io.config import LayerSpec
from geotool.io.layers import read_layer
from geotool.io.workspace import load_workspace


def _spec(path: Path, **kw) -> LayerSpec:
    return LayerSpec(key="markets", path=path, **kw)


def test_xlsx_ledger_with_title_rows_merged_title_and_dms(tmp_path):
    path = write_workbook(tmp_path / "市场台账.xlsx", {"台账": [
        ["川汇区农贸市场台账"], ["填报单位：区市场监管局"],
        ["编号", "名称", "经度", "纬度", "责任单位", "地址"],
        ["M1", "华耀城市场", "114°39'00\"E", "33°37'12\"N", "市场监管局", "七一路"],
        ["M2", "黄淮市场", "114度40分30秒", "33度36分36秒", "商务局", "八一路"],
        ["M3", "东方市场", "", "", "商务局", "人民路9号"],          # address only: not geocoded
        ["M4", "西关市场", "114.65", "", "商务局", ""],            # half a pair
    ]}, merges=[("台账", "A1:F1")])
    res = read_layer(_spec(path))
    f = res.frame
    assert f["feature_id"].tolist() == ["M1", "M2"] and f["unit"].tolist() == ["市场监管局", "商务局"]
    assert f.geometry.x.round(6).tolist() == [114.65, round(114 + 40 / 60 + 30 / 3600, 6)]
    assert f.geometry.y.round(6).tolist() == [33.62, 33.61]
    assert res.read == 4 and len(f) + len(res.quarantine) == res.read
    q = res.quarantine
    assert q[["sheet", "row", "column", "reason_code"]].values.tolist() == [
        ["台账", 6, "lon", "missing_location"], ["台账", 7, "lat", "partial_coordinates"]]
    assert (q["layer"] == "markets").all()
    assert any("skipped 2 title row(s)" in n for n in res.notes)
    assert any("does not geocode" in n for n in res.notes)


def test_road_chief_column_of_a_sheet_ledger_is_its_leader(tmp_path):
    # 路长制: the 路长 header is found by itself, a header of the office's own by `leader`
    path = tmp_path / "背街小巷.csv"
    path.write_text("编号,名称,经度,纬度,责任单位,路长\n"
                    "A1,许湾大街,114.65,33.62,城管局,王副区长\nA2,七一路,114.66,33.62,城管局,\n",
                    encoding="utf-8")
    assert read_layer(_spec(path)).frame["leader"].fillna("").tolist() == ["王副区长", ""]
    path.write_text(path.read_text(encoding="utf-8").replace("路长", "包街干部"),
                    encoding="utf-8")
    leaders = read_layer(_spec(path, leader="包街干部")).frame["leader"]
    assert leaders.fillna("").tolist() == ["王副区长", ""]
    # both 路长 and 责任领导: the first is used, and the note says which one was not
    path.write_text("编号,名称,经度,纬度,路长,责任领导\nA1,许湾大街,114.65,33.62,王,李\n",
                    encoding="utf-8")
    res = read_layer(_spec(path))
    assert res.frame["leader"].tolist() == ["王"]
    assert any("责任领导 (duplicate)" in n for n in res.notes), res.notes
    named = read_layer(_spec(path, leader="责任领导"))  # the config names the second: it is used
    assert named.frame["leader"].tolist() == ["李"]
    assert not any("duplicate" in n for n in named.notes), named.notes
    path.write_text("编号,名称,经度,纬度,责任单位,包保单位\nA1,许湾大街,114.65,33.62,城管局,住建局\n",
                    encoding="utf-8")  # the same for a unit named in the config
    assert read_layer(_spec(path, unit="包保单位")).frame["unit"].tolist() == ["住建局"]


def test_gbk_csv_ledger_in_gcj02_without_ids(tmp_path):
    lon, lat = wgs84_to_gcj02([114.62, 114.63, 114.64], [33.62, 33.62, 33.62])
    text = "名称,经纬度,类型\n" + "".join(
        f'{n},"{x:.7f},{y:.7f}",学校\n' for n, x, y in zip(["一中", "二中", "一中"], lon, lat,
                                                             strict=True))
    path = tmp_path / "学校.csv"
    path.write_bytes(text.encode("gbk"))
    res = read_layer(_spec(path, crs="GCJ-02", type="type"))
    f = res.frame
    assert f["feature_id"].tolist() == ["一中", "二中", "一中-2"]
    assert f["type"].tolist() == ["学校"] * 3
    assert f.geometry.x.round(6).tolist() == [114.62, 114.63, 114.64]  # back to WGS-84
    assert res.converted_from == "GCJ-02"
    assert any("text encoding gbk" in n for n in res.notes)
    assert any("ids made from the names" in n for n in res.notes)


def test_spreadsheet_ledger_in_a_workspace(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    (root / "markets.csv").write_text("编号,名称,经度,纬度\nM1,华耀城市场,114.62,33.62\n",
                                      encoding="utf-8")
    set_config(root, CONFIG + '[layers.markets]\npath = "markets.csv"\n')
    loaded = load_workspace(root)
    assert "M1" in loaded.features["feature_id"].tolist()


def _realdata() -> Path:
    for path in (REALDATA, Path(os.environ.get("GEOTOOL_REALDATA", "/nonexistent"))):
        if path.is_dir():
            return path
    pytest.skip("real data (../shared/realdata or $GEOTOOL_REALDATA) is not on this machine")


def test_osm_stations_named_only_get_ids_from_names():
    stations = _realdata() / "osm_stations" / "henan_targets_railway_stations_osm.geojson"
    res = read_layer(LayerSpec(key="stations", path=stations))
    assert res.read == 49 and len(res.frame) == 49 and res.quarantine.empty
    assert res.frame["feature_id"].is_unique
    assert set(res.frame["feature_id"]) >= {"巩义南", "待王"}
