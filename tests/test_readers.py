"""Readers: every vector format and spreadsheet flavour planners send, on tiny files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from _files import write_workbook
from shapely.geometry import LineString, Point, box

from geotool._errors import CRSError, InputError
from geotool.crs import from_wgs84
from geotool.io.config import LayerSpec
from geotool.io.layers import features_from_layers, read_districts, read_layer
from geotool.io.tables import read_table

NAMES = ["华耀城市场", "黄淮市场", "人民公园"]
GEOMS = [Point(114.62, 33.62), box(114.66, 33.61, 114.67, 33.62),
         LineString([(114.60, 33.60), (114.64, 33.64)])]


def ledger(crs: str | None = "EPSG:4326", points: bool = False) -> gpd.GeoDataFrame:
    geoms = [Point(114.62, 33.62), Point(114.66, 33.61), Point(114.60, 33.60)] if points else GEOMS
    return gpd.GeoDataFrame({"id": ["M1", "M2", "M3"], "name": NAMES,
                             "unit": ["市场监管局", "川汇区", "园林局"]},
                            geometry=geoms, crs=crs)


def spec(path: Path, key: str = "markets", **kw) -> LayerSpec:
    return LayerSpec(key=key, path=path, **kw)


def check_ledger(res, *, n=3) -> None:
    assert res.read == n
    assert len(res.frame) + len(res.quarantine) == res.read
    assert list(res.frame.columns) == ["layer", "feature_id", "name", "unit", "type", "leader",
                                      "geometry"]
    assert list(res.frame["feature_id"]) == ["M1", "M2", "M3"][:n]
    assert list(res.frame["name"]) == NAMES[:n]
    assert str(res.frame.crs) == "EPSG:4326"
    assert res.frame.geometry[0].x == pytest.approx(114.62, abs=1e-9)


# --- vector layers -----------------------------------------------------------------------

def test_geojson(tmp_path):
    path = tmp_path / "m.geojson"
    ledger().to_file(path)
    res = read_layer(spec(path, unit="unit"))
    check_ledger(res)
    assert list(res.frame["unit"]) == ["市场监管局", "川汇区", "园林局"]
    assert res.converted_from is None


def test_geopackage_in_a_projected_crs_is_converted(tmp_path):
    path = tmp_path / "m.gpkg"
    ledger().to_crs(4547).to_file(path, layer="markets")  # CGCS2000 / 3-degree GK CM 114E
    res = read_layer(spec(path))
    assert res.frame.geometry[0].x == pytest.approx(114.62, abs=1e-7)
    assert res.converted_from == "EPSG:4547"


def test_geopackage_with_several_layers_needs_one_named(tmp_path):
    path = tmp_path / "two.gpkg"
    ledger().to_file(path, layer="markets")
    ledger().iloc[:1].to_file(path, layer="parks")
    with pytest.raises(InputError, match=r'2 layers \(markets, parks\).*layer = "markets"'):
        read_layer(spec(path))
    assert read_layer(spec(path, layer="parks")).read == 1
    with pytest.raises(InputError, match="no layer 'lakes'"):
        read_layer(spec(path, layer="lakes"))


def test_shapefile_with_gbk_cpg(tmp_path):
    path = tmp_path / "m.shp"
    ledger(points=True).to_file(path, encoding="GBK")
    assert path.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    res = read_layer(spec(path))
    check_ledger(res)
    assert not any(".cpg" in n for n in res.notes)


def test_shapefile_gbk_without_cpg_is_detected(tmp_path):
    path = tmp_path / "m.shp"
    ledger(points=True).to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    res = read_layer(spec(path))
    check_ledger(res)
    assert any("no .cpg" in n and "GBK" in n for n in res.notes)


def test_shapefile_utf8_without_cpg_and_binary_header(tmp_path):
    # 200 records: the .dbf header stores the count as byte 0xC8, which is not UTF-8 on its
    # own; only the record area may decide the encoding
    path = tmp_path / "many.shp"
    gdf = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(200)],
                            "name": [f"点位{i}" for i in range(200)]},
                           geometry=[Point(114.6 + i * 1e-4, 33.62) for i in range(200)],
                           crs=4326)
    gdf.to_file(path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    res = read_layer(spec(path))
    assert res.read == 200
    assert res.frame["name"].iloc[199] == "点位199"


def test_kml_via_libkml(tmp_path):
    path = tmp_path / "m.kml"
    ledger().to_file(path, driver="LIBKML")
    res = read_layer(spec(path))  # KML column "Name" is found for name = "name"
    check_ledger(res)
    assert res.frame.geometry[1].geom_type == "Polygon"


def test_kml_folders_are_all_read_and_placemarks_without_ids_get_ids(tmp_path):
    path = tmp_path / "m.kml"
    text = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
 <Folder><name>川汇区</name>
  <Placemark><name>华耀城市场</name><Point><coordinates>114.62,33.62,0</coordinates></Point></Placemark>
 </Folder>
 <Folder><name>淮阳区</name>
  <Placemark><name>黄淮市场</name><Point><coordinates>114.66,33.61,0</coordinates></Point></Placemark>
 </Folder>
</Document></kml>"""
    path.write_text(text, encoding="utf-8")
    res = read_layer(spec(path))
    assert res.read == 2
    assert sorted(res.frame["name"]) == ["华耀城市场", "黄淮市场"]
    assert sorted(res.frame["feature_id"]) == ["华耀城市场", "黄淮市场"]
    assert any("KML folders" in n for n in res.notes)
    assert any("empty throughout" in n for n in res.notes)


def test_kml_folder_names_can_be_the_type(tmp_path):
    # 奥维 exports a ledger sorted into folders (学校, 医院): the folder is the sub-type
    path = tmp_path / "ovi.kml"
    place = "<Placemark><name>{}</name><Point><coordinates>{},33.62,0</coordinates></Point></Placemark>"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
 <Folder><name>学校</name>{place.format("一中", 114.62)}{place.format("二中", 114.63)}</Folder>
 <Folder><name>医院</name>{place.format("人民医院", 114.64)}</Folder>
</Document></kml>""", encoding="utf-8")
    res = read_layer(spec(path, type="folder"))
    assert dict(zip(res.frame["name"], res.frame["type"], strict=True)) == {
        "一中": "学校", "二中": "学校", "人民医院": "医院"}
    path.write_text(path.read_text(encoding="utf-8").split(" <Folder><name>医院")[0]
                    + "</Document></kml>", encoding="utf-8")  # one folder only
    res = read_layer(spec(path, type="folder"))
    assert list(res.frame["type"]) == ["学校", "学校"]



def test_kml_folders_of_one_name_placemarks_outside_and_own_folder_fields(tmp_path):
    # two 学校 folders (under two district folders: GDAL calls the second "学校 (#2)"),
    # a placemark outside every folder, a placemark with a folder field of its own
    place = "<Placemark><name>{}</name>{}<Point><coordinates>{},33.62,0</coordinates></Point></Placemark>"
    own = '<ExtendedData><Data name="folder"><value>幼儿园</value></Data></ExtendedData>'
    path = tmp_path / "ovi.kml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>奥维收藏</name>
 {place.format("市政府", "", 114.60)}
 <Folder><name>川汇区</name><Folder><name>学校</name>{place.format("一中", own, 114.62)}
  {place.format("二中", "", 114.63)}</Folder></Folder>
 <Folder><name>淮阳区</name><Folder><name>学校</name>{place.format("淮阳中学", "", 114.64)}
 </Folder></Folder>
</Document></kml>""", encoding="utf-8")
    res = read_layer(spec(path, type="folder"))
    assert dict(zip(res.frame["name"], res.frame["type"], strict=True)) == {
        "市政府": "奥维收藏", "一中": "幼儿园", "二中": "学校", "淮阳中学": "学校"}


def test_kml_chinese_data_fields_keep_their_names(tmp_path):
    # 奥维/Google Earth write <Data name="编号">: GDAL's LIBKML laundered both 编号 and
    # 单位 to "______", the unit overwriting the id
    path = tmp_path / "ovi.kml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>学校</name>
 <Placemark><name>一中</name><ExtendedData><Data name="编号"><value>S-001</value></Data>
  <Data name="单位"><value>川东区教育局</value></Data></ExtendedData>
  <Point><coordinates>114.660,33.630,0</coordinates></Point></Placemark>
 <Placemark><name>二中</name><ExtendedData><Data name="编号"><value>S-002</value></Data>
  <Data name="单位"><value>淮阳区教育局</value></Data></ExtendedData>
  <Point><coordinates>114.662,33.631,0</coordinates></Point></Placemark>
</Folder></Document></kml>""", encoding="utf-8")
    res = read_layer(spec(path, id="编号", unit="单位"))
    assert res.read == 2 and res.quarantine.empty
    assert list(res.frame["feature_id"]) == ["S-001", "S-002"]
    assert list(res.frame["unit"]) == ["川东区教育局", "淮阳区教育局"]
    assert pyogrio.get_gdal_config_option("LIBKML_LAUNDER_FIELD_NAMES") is None  # put back


def test_gcj02_layer_is_shifted_to_wgs84(tmp_path):
    path = tmp_path / "m.geojson"
    from_wgs84(ledger(), "GCJ-02").to_file(path)
    res = read_layer(spec(path, crs="GCJ-02"))
    assert res.converted_from == "GCJ-02"
    assert res.frame.geometry[0].x == pytest.approx(114.62, abs=1e-7)
    assert res.frame.geometry[0].y == pytest.approx(33.62, abs=1e-7)


def test_features_from_layers_concatenates(tmp_path):
    a, b = tmp_path / "a.geojson", tmp_path / "b.geojson"
    ledger().to_file(a)
    ledger().iloc[:1].to_file(b)
    feats = features_from_layers([read_layer(spec(a, "markets")), read_layer(spec(b, "parks"))])
    assert list(feats["layer"]) == ["markets"] * 3 + ["parks"]
    assert str(feats.crs) == "EPSG:4326"
    empty = features_from_layers([])
    assert empty.empty and str(empty.crs) == "EPSG:4326"


def test_missing_id_column_lists_the_columns(tmp_path):
    path = tmp_path / "m.geojson"
    ledger().rename(columns={"id": "编号"}).to_file(path)
    with pytest.raises(InputError, match=r"no column 'id' for the id.*one of: 编号, name, unit"):
        read_layer(spec(path))
    assert read_layer(spec(path, id="编号")).read == 3


def test_ledger_as_a_spreadsheet_is_read_as_points(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("编号,名称,经度,纬度\nM1,市场,114.6,33.6\n", encoding="utf-8")
    res = read_layer(spec(path))
    assert res.frame["feature_id"].tolist() == ["M1"] and res.frame["name"].tolist() == ["市场"]
    assert (res.frame.geometry.x.iloc[0], res.frame.geometry.y.iloc[0]) == (114.6, 33.6)


# --- districts ---------------------------------------------------------------------------

def districts_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["411602", "411603", "S1", "S2"], "name": ["川汇区", "淮阳区", "荷花路街道", "陈州街道"],
         "up": [None, None, "411602", "411602"]},
        geometry=[box(114.60, 33.60, 114.65, 33.65), box(114.65, 33.60, 114.70, 33.65),
                  box(114.60, 33.60, 114.625, 33.65), box(114.625, 33.60, 114.65, 33.65)],
        crs=4326)


def test_districts_nested_levels(tmp_path):
    path = tmp_path / "d.gpkg"
    districts_gdf().to_file(path)
    res = read_districts(spec(path, "districts", id="code", parent="up"))
    d = res.frame
    assert list(d.columns) == ["district_id", "name", "parent", "level", "geometry"]
    assert dict(zip(d["district_id"], d["level"], strict=True)) == {
        "411602": 0, "411603": 0, "S1": 1, "S2": 1}
    assert res.notes == []


def test_districts_datav_parent_objects_are_unwrapped(tmp_path):
    path = tmp_path / "datav.json"
    feats = [{"type": "Feature", "properties": {"adcode": 411602, "name": "川汇区",
                                                "parent": {"adcode": 411600}},
              "geometry": json.loads(gpd.GeoSeries([box(114.6, 33.6, 114.65, 33.65)]).to_json())
              ["features"][0]["geometry"]}]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    res = read_districts(spec(path, "districts", id="adcode"))
    assert res.frame["district_id"].tolist() == ["411602"]
    assert res.frame["parent"].isna().all()  # 411600 is not in the layer: top level
    assert any(n.endswith("treated as top level: 411600") for n in res.notes), res.notes


# --- record tables -----------------------------------------------------------------------

CSV_TEXT = ("问题编号,发现时间,经度,纬度,问题类型,整改状态,责任单位\n"
            "R1,2026-09-01 08:30,114.62,33.62,乱停乱放,未整改,川汇区城管局\n"
            "R2,2026/9/2,114.68,33.63,占道经营,已整改,淮阳区城管局\n")


def check_table(table, *, rows=(2, 3)) -> None:
    d = table.data
    assert list(d["record_id"]) == ["R1", "R2"]
    assert list(d["category"]) == ["乱停乱放", "占道经营"]
    assert list(d["unit"]) == ["川汇区城管局", "淮阳区城管局"]
    assert list(d["_row"]) == list(rows)
    assert table.columns["found_at"] == "发现时间"


@pytest.mark.parametrize(("encoding", "prefix", "expected"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("gbk", b"", "gbk"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
])
def test_csv_encodings(tmp_path, encoding, prefix, expected):
    path = tmp_path / "r.csv"
    path.write_bytes(prefix + CSV_TEXT.encode(encoding))
    table = read_table(path)
    check_table(table)
    assert table.encoding == expected
    assert float(table.data["lon"].iloc[0]) == 114.62


def test_csv_ids_keep_leading_zeros(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("问题编号,发现时间,点位编号\n007,2026-09-01,0012\n", encoding="utf-8")
    d = read_table(path).data
    assert d["record_id"].iloc[0] == "007" and d["feature_id"].iloc[0] == "0012"


def test_csv_header_aliases_and_extra_mapping(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("工单编号,巡查日期,坐标,照片\nR1,2026-09-01,\"114.62,33.62\",a.jpg\n",
                    encoding="utf-8")
    table = read_table(path, columns={"巡查日期": "found_at"})
    assert table.data["found_at"].iloc[0] == "2026-09-01"
    assert table.data["lonlat"].iloc[0] == "114.62,33.62"
    assert table.ignored_columns == ["照片"]


_workbook = write_workbook


def test_xlsx_with_chinese_headers_and_native_cells(tmp_path):
    path = _workbook(tmp_path / "r.xlsx", {"问题台账": [
        ["问题编号", "发现时间", "经度", "纬度", "问题类型", "整改状态", "责任单位"],
        ["R1", dt.datetime(2026, 9, 1, 8, 30), 114.62, 33.62, "乱停乱放", "未整改", "川汇区城管局"],
        ["R2", 46267, 114.68, 33.63, "占道经营", "已整改", "淮阳区城管局"],
    ]})
    table = read_table(path)
    check_table(table)
    assert table.data["_sheet"].tolist() == ["问题台账", "问题台账"]
    assert table.data["found_at"].iloc[0] == dt.datetime(2026, 9, 1, 8, 30)
    assert table.encoding is None


def test_xlsx_title_rows_merged_cells_and_several_sheets(tmp_path):
    header = ["问题编号", "发现时间", "经度", "纬度", "问题类型", "所属区"]
    path = _workbook(tmp_path / "r.xlsx", {
        "川汇区": [["XX区创文问题台账"], [None], header,
                 ["R1", "2026-09-01", 114.62, 33.62, "乱停乱放", "川汇区"],
                 ["R2", "2026-09-02", 114.63, 33.62, "小广告", None]],
        "说明": [["本表由创文办填写"]],
        "淮阳区": [header, ["R3", "2026-09-03", 114.68, 33.63, "积水", "淮阳区"]],
    }, merges=[("川汇区", "A1:F1"), ("川汇区", "F4:F5")])
    table = read_table(path)
    d = table.data
    assert d["record_id"].tolist() == ["R1", "R2", "R3"]
    assert d["_row"].tolist() == [4, 5, 2]
    assert d["_sheet"].tolist() == ["川汇区", "川汇区", "淮阳区"]
    assert d["district"].tolist() == ["川汇区", "川汇区", "淮阳区"]  # merged F4:F5 filled down
    notes = " | ".join(table.notes)
    assert "skipped 2 title row(s)" in notes
    assert "'说明': no header" in notes
    assert "merged cell" in notes


def test_unsupported_and_old_formats(tmp_path):
    xls = tmp_path / "r.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(InputError, match=r"save as \.xlsx"):
        read_table(xls)
    doc = tmp_path / "r.docx"
    doc.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"unsupported record file type '\.docx'"):
        read_table(doc)
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_numeric_lon_lat_columns_stay_exact(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("问题编号,发现时间,经度,纬度\nR1,2026-09-01,114.123456789,33.1\n"
                    "R2,2026-09-01,,\n", encoding="utf-8")
    d = read_table(path).data
    assert d["lon"].iloc[0] == 114.123456789
    assert np.isnan(d["lon"].iloc[1])


def test_layer_that_claims_wgs84_but_is_projected(tmp_path):
    path = tmp_path / "m.geojson"
    ledger().to_crs(4547).set_crs(4326, allow_override=True).to_file(path)
    with pytest.raises(CRSError, match=r"look projected .*EPSG:4547"):
        read_layer(spec(path))


def test_frames_have_no_pandas_index_surprises(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    d = read_table(path).data
    assert isinstance(d.index, pd.RangeIndex)
