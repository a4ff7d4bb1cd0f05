"""Issue #5: bad input never crashes geotool nor loses a record.

Each case starts from a small valid workspace (two districts of 周口, a points
ledger, a records CSV), breaks one thing, runs the real command
``geotool validate`` in-process and checks the outcome the README promises
(README, "What geotool does with bad input"): a one-line error naming the file and the fix (exit 2),
rows quarantined with a reason, or a repair reported as a note. Every run
must also account for every row (read = used + quarantined) and print no
traceback.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _files import write_workbook
from shapely.geometry import GeometryCollection, LineString, MultiPoint, Point, Polygon, box

from geotool.cli import main
from geotool.text import reason_codes

DISTRICTS = gpd.GeoDataFrame(
    {"id": ["A", "B"], "name": ["川汇区", "淮阳区"]},
    geometry=[box(114.60, 33.60, 114.65, 33.65), box(114.65, 33.60, 114.70, 33.65)],
    crs="EPSG:4326")
POINTS = gpd.GeoDataFrame(
    {"id": ["P1", "P2"], "name": ["周口站", "人民公园"]},
    geometry=[Point(114.62, 33.62), Point(114.68, 33.63)], crs="EPSG:4326")
HEADER = "问题编号,发现时间,经度,纬度,问题类型,整改状态"
GOOD = ["R1,2026-09-01,114.62,33.62,乱停乱放,未整改", "R2,2026-09-02,114.68,33.63,小广告,已整改"]
CONFIG = """[city]
name = "周口"

[layers.districts]
path = "districts.geojson"

[layers.points]
path = "points.geojson"

[records]
paths = ["records/*"]
"""


def make_workspace(root: Path) -> Path:
    """The valid starting point: 4 features and 2 records, all usable."""
    root.mkdir(parents=True, exist_ok=True)
    DISTRICTS.to_file(root / "districts.geojson")
    POINTS.to_file(root / "points.geojson")
    (root / "records").mkdir(exist_ok=True)
    csv_file(root, [HEADER, *GOOD])
    (root / "geotool.toml").write_text(CONFIG, encoding="utf-8")
    return root


def csv_file(root: Path, lines: list[str], *, name: str = "r.csv", encoding: str = "utf-8",
             sep: str | None = None) -> Path:
    path = root / "records" / name
    for old in (root / "records").glob("*"):
        old.unlink()
    text = "\n".join(lines) + "\n"
    if sep is not None:
        text = text.replace(",", sep)
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(root: Path, sheets: dict[str, list[list[object]]], merges=(), name="r.xlsx") -> Path:
    for old in (root / "records").glob("*"):
        old.unlink()
    return write_workbook(root / "records" / name, sheets, merges)


def set_config(root: Path, text: str) -> None:
    (root / "geotool.toml").write_text(text, encoding="utf-8")


def layer(root: Path, gdf: gpd.GeoDataFrame, name: str = "points.geojson", **kw) -> Path:
    path = root / name
    gdf.to_file(path, **kw)
    return path


@dataclass
class Case:
    """One bad input and what geotool must do with it."""

    name: str
    build: Callable[[Path], None]
    code: int = 0
    error: str | None = None        # exit 2: regex the one-line message must match
    error_file: str | None = None   # exit 2: the file the message must name
    reasons: dict[str, int] = field(default_factory=dict)  # exact quarantine counts
    notes: tuple[str, ...] = ()      # substrings the summary must show
    used_records: int | None = None
    flagged: dict[str, int] = field(default_factory=dict)  # exact flagged-cell counts


def _records(*lines: str, **kw) -> Callable[[Path], None]:
    return lambda root: csv_file(root, list(lines), **kw)


def _bowtie_ledger(root: Path) -> None:
    bowtie = Polygon([(114.61, 33.61), (114.62, 33.62), (114.62, 33.61), (114.61, 33.62)])
    layer(root, gpd.GeoDataFrame({"id": ["P1", "M1"], "name": ["周口站", "蝴蝶市场"]},
                                 geometry=[Point(114.62, 33.62), bowtie], crs=4326))


def _bowtie_district(root: Path) -> None:
    d = DISTRICTS.copy()
    d.loc[0, "geometry"] = Polygon([(114.60, 33.60), (114.65, 33.65), (114.65, 33.60),
                                    (114.60, 33.65)])
    layer(root, d, "districts.geojson")


def _mixed_and_empty(root: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["P1", "M1", "L1", "E1", "E2", "G1"],
         "name": ["周口站", "华耀城市场", "七一路", "无几何", "空几何", "集合"]},
        geometry=[Point(114.62, 33.62), box(114.66, 33.61, 114.67, 33.62),
                  LineString([(114.63, 33.63), (114.65, 33.63)]), None, Polygon(),
                  GeometryCollection([Point(114.61, 33.61), LineString([(114.61, 33.61),
                                                                        (114.62, 33.61)])])],
        crs=4326)
    layer(root, gdf)


def _unreadable_geometries(root: Path) -> None:
    (root / "points.geojson").write_text("""{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "P1", "name": "周口站"},
  "geometry": {"type": "Point", "coordinates": [114.62, 33.62]}},
 {"type": "Feature", "properties": {"id": "L1", "name": "一个点的线"},
  "geometry": {"type": "LineString", "coordinates": [[114.62, 33.62]]}},
 {"type": "Feature", "properties": {"id": "X1", "name": "无坐标"},
  "geometry": {"type": "Point", "coordinates": []}}]}""", encoding="utf-8")


def _degenerate(root: Path) -> None:
    flat = Polygon([(114.61, 33.61), (114.62, 33.61), (114.63, 33.61)])
    layer(root, gpd.GeoDataFrame({"id": ["P1", "F1"], "name": ["周口站", "一条线"]},
                                 geometry=[Point(114.62, 33.62), flat], crs=4326))


def _no_crs_shapefile(root: Path, *, set_crs: bool = False) -> None:
    POINTS.to_file(root / "points.shp", encoding="UTF-8")
    (root / "points.prj").unlink()
    text = CONFIG.replace('path = "points.geojson"', 'path = "points.shp"'
                          + ('\ncrs = "EPSG:4326"' if set_crs else ""))
    set_config(root, text)


def _projected_claiming_4326(root: Path) -> None:
    layer(root, POINTS.to_crs(4547).set_crs(4326, allow_override=True))


def _degrees_claiming_projected(root: Path) -> None:
    layer(root, POINTS.set_crs(4547, allow_override=True), "points.gpkg")
    set_config(root, CONFIG.replace("points.geojson", "points.gpkg"))


def _overlapping(root: Path) -> None:
    d = DISTRICTS.copy()
    d.loc[1, "geometry"] = box(114.64, 33.60, 114.70, 33.65)  # 0.01 degree over A
    layer(root, d, "districts.geojson")


def _outside_districts(root: Path) -> None:
    gdf = pd.concat([POINTS, gpd.GeoDataFrame({"id": ["P3"], "name": ["郑州站"]},
                                              geometry=[Point(113.66, 34.75)], crs=4326)])
    layer(root, gpd.GeoDataFrame(gdf, crs=4326))


def _gbk_shapefile(root: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["点位1", "点位2"], "name": ["周口站", "人民公园"]},
                           geometry=list(POINTS.geometry), crs=4326)
    gdf.to_file(root / "points.shp", encoding="GBK")
    (root / "points.cpg").unlink()
    set_config(root, CONFIG.replace("points.geojson", "points.shp"))
    # the records name the features by their Chinese ids: decoding right is what locates them
    csv_file(root, ["问题编号,发现时间,点位编号", "R1,2026-09-01,点位1", "R2,2026-09-02,点位2"])


def _dup_and_missing_ids(root: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["P1", "P1", None, "P2"], "name": ["周口站", "重复", "无编号", "人民公园"]},
                           geometry=[Point(114.62, 33.62), Point(114.63, 33.62),
                                     Point(114.64, 33.62), Point(114.68, 33.63)], crs=4326)
    layer(root, gdf)


def _district_line(root: Path) -> None:
    d = pd.concat([DISTRICTS, gpd.GeoDataFrame(
        {"id": ["C"], "name": ["一条路"]},
        geometry=[LineString([(114.6, 33.6), (114.7, 33.7)])], crs=4326)])
    layer(root, gpd.GeoDataFrame(d, crs=4326), "districts.geojson")


def _no_district_polygon(root: Path) -> None:
    layer(root, gpd.GeoDataFrame({"id": ["A"], "name": ["川汇区"]},
                                 geometry=[Point(114.62, 33.62)], crs=4326), "districts.geojson")


def _parent_cycle(root: Path) -> None:
    d = DISTRICTS.assign(parent=["B", "A"])
    layer(root, d, "districts.geojson")


def _not_json(root: Path) -> None:
    (root / "points.geojson").write_text("{ this is not json", encoding="utf-8")


def _no_id_column(root: Path) -> None:
    layer(root, POINTS.rename(columns={"id": "编号"}))


def _two_layers(root: Path) -> None:
    POINTS.to_file(root / "points.gpkg", layer="points")
    POINTS.to_file(root / "points.gpkg", layer="old_points")
    set_config(root, CONFIG.replace("points.geojson", "points.gpkg"))


def _title_and_merged(root: Path) -> None:
    xlsx_file(root, {"问题台账": [
        ["XX区创文问题台账"],
        ["填报单位：川汇区创文办", None, None, "填报日期：2026年9月7日"],
        ["问题编号", "发现时间", "经度", "纬度", "问题类型", "整改状态"],
        ["R1", "2026-09-01", 114.62, 33.62, "乱停乱放", "未整改"],
        ["R2", "2026-09-02", 114.68, 33.63, "小广告", "研究中"],
    ]}, merges=[("问题台账", "A1:F1"), ("问题台账", "A2:C2")])


def _several_sheets(root: Path) -> None:
    head = ["问题编号", "发现时间", "经度", "纬度", "问题类型", "整改状态"]
    xlsx_file(root, {
        "川汇区": [head, ["R1", "2026-09-01", 114.62, 33.62, "乱停乱放", "未整改"]],
        "淮阳区": [head, ["R2", "2026-09-02", 114.68, 33.63, "小广告", "已整改"],
                 ["R3", "2026-09-03", 114.69, 33.63, "积水", "整改中"]],
        "填表说明": [["请按要求填写"], ["经纬度用十进制度"]],
    })


def _lock_file(root: Path) -> None:
    (root / "records" / "~$r.xlsx").write_bytes(b"\x00garbage lock file")


def _renamed_xlsx_as_csv(root: Path) -> None:
    xlsx_file(root, {"s": [["问题编号", "发现时间"], ["R1", "2026-09-01"]]}, name="r.xlsx")
    (root / "records" / "r.xlsx").rename(root / "records" / "r.csv")


def _misspelled_features(root: Path) -> None:
    text = (root / "points.geojson").read_text(encoding="utf-8")
    data = json.loads(text)
    extra = [dict(data["features"][0], type=t) for t in ("feature", "Featur")]
    extra.append({k: v for k, v in data["features"][1].items() if k != "type"})
    data["features"] += extra
    (root / "points.geojson").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _truncated_seq(root: Path) -> None:
    feats = json.loads((root / "points.geojson").read_text(encoding="utf-8"))["features"]
    lines = [json.dumps(f, ensure_ascii=False) for f in feats]
    lines += [json.dumps(dict(feats[0], type="feature")), lines[0][:40]]
    (root / "points.geojsonl").write_text("\n".join(lines), encoding="utf-8")
    set_config(root, CONFIG.replace("points.geojson", "points.geojsonl"))


def _deleted_shp_record(root: Path) -> None:
    extra = gpd.GeoDataFrame({"id": ["P9"], "name": ["已删除"]}, geometry=[Point(114.61, 33.61)],
                             crs="EPSG:4326")
    pd.concat([extra, POINTS], ignore_index=True).to_file(root / "points.shp", encoding="UTF-8")
    raw = bytearray((root / "points.dbf").read_bytes())
    raw[int.from_bytes(raw[8:10], "little")] = ord("*")  # the first record: deleted, not packed
    (root / "points.dbf").write_bytes(bytes(raw))
    set_config(root, CONFIG.replace("points.geojson", "points.shp"))


def _attribute_table(root: Path) -> None:
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame(POINTS.drop(columns="geometry")), root / "points.gpkg",
                            layer="points")
    set_config(root, CONFIG.replace("points.geojson", "points.gpkg"))


def _folder_layer(root: Path) -> None:
    (root / "points").mkdir()
    (root / "points" / "p.csv").write_text("id,name\nP1,周口站\n", encoding="utf-8")
    set_config(root, CONFIG.replace("points.geojson", "points"))


CASES = [
    # --- record files that cannot be used at all: exit 2 ----------------------------------
    Case("empty_file", _records(""), 2, r"empty", "r.csv"),
    Case("blank_lines_only", _records("", "  ", ""), 2, r"empty", "r.csv"),
    Case("no_known_header", _records("序号,地址,照片", "1,七一路,a.jpg"), 2,
         r"no header row with known column names.*\[records.columns\]", "r.csv"),
    Case("old_xls", lambda r: csv_file(r, ["x"], name="r.xls"), 2, r"save as .xlsx", "r.xls"),
    Case("csv_named_xlsx", lambda r: csv_file(r, [HEADER, *GOOD], name="r.xlsx"), 2,
         r"not an .xlsx workbook.*save it again", "r.xlsx"),
    Case("xlsx_named_csv", _renamed_xlsx_as_csv, 2, r"rename it to .xlsx", "r.csv"),
    Case("records_glob_matches_nothing", lambda r: csv_file(r, ["x"], name="说明.docx"), 2,
         r"\[records\] paths .* match no .csv or .xlsx file", "geotool.toml"),
    # --- record files read with a repair -------------------------------------------------
    Case("header_only", _records(HEADER), notes=("header only",), used_records=0),
    Case("semicolon_separated", _records(HEADER, *GOOD, sep=";"),
         notes=("separated by ';'",), used_records=2),
    Case("tab_separated", _records(HEADER, *GOOD, sep="\t", name="r.tsv"),
         notes=("separated by tab",), used_records=2),
    Case("fullwidth_comma_separated", _records(HEADER, *GOOD, sep="，"),
         notes=("full-width comma",), used_records=2),
    Case("gbk_without_declaration", _records(HEADER, *GOOD, "R3,2026-09-03,114.62,33.62,积水,待定",
                                             encoding="gbk"),
         flagged={"unknown_status": 1}, notes=("text encoding gbk",), used_records=3),
    # a character GBK has not (U+20000, four bytes in GB18030): the note names GB18030
    Case("gb18030_beyond_gbk", _records(HEADER, GOOD[0], "R2,2026-09-02,114.68,33.63,𠀀字广告,已整改",
                                        encoding="gb18030"),
         notes=("text encoding gb18030",), used_records=2),
    Case("utf16_excel_unicode_text", _records(HEADER, *GOOD, sep="\t", encoding="utf-16"),
         notes=("separated by tab",), used_records=2),
    Case("xlsx_title_and_merged_header_rows", _title_and_merged,
         flagged={"unknown_status": 1}, notes=("skipped 2 title row(s)",), used_records=2),
    Case("xlsx_several_sheets", _several_sheets, notes=("'填表说明': no header",),
         used_records=3),
    # a hidden sheet (often an old or a lookup sheet) is read, and said so
    Case("xlsx_hidden_sheet_read_and_noted", lambda r: write_workbook(
        r / "records" / "r.xlsx", {"台账": [HEADER.split(","), *[g.split(",") for g in GOOD]],
                                   "旧表": [HEADER.split(","), "R9,2026-08-01,114.63,33.62,积水,未整改".split(",")]},
        hidden=["旧表"]) and (r / "records" / "r.csv").unlink(),
         notes=("sheet '旧表' is hidden in Excel; its 1 row(s) were read like any other",),
         used_records=3),
    Case("excel_lock_file_ignored", _lock_file, used_records=2),
    Case("stray_document_skipped", lambda r: (r / "records" / "说明.docx").write_bytes(b"PK"),
         notes=("skipped 1 file(s) that are not .csv/.xlsx: 说明.docx",), used_records=2),
    Case("category_in_a_type_column", _records("问题编号,发现时间,经度,纬度,类型",
                                               "R1,2026-09-01,114.62,33.62,乱停乱放"),
         notes=("holds issue categories",), used_records=1),
    # --- coordinates ------------------------------------------------------------------------
    Case("lonlat_in_one_cell", _records('问题编号,发现时间,"经度,纬度"', 'R1,2026-09-01,"114.62,33.62"',
                                        'R2,2026-09-01,"114.62, 33.62"'),
         used_records=2),
    Case("lonlat_typed_in_the_lon_column", _records("问题编号,发现时间,经度,纬度",
                                                    'R1,2026-09-01,"114.62,33.62",'),
         notes=("1 coordinate pair(s) typed in the longitude column",), used_records=1),
    Case("lonlat_header_cell", _records("问题编号,发现时间,经纬度", 'R1,2026-09-01,"114.62，33.62"',
                                        'R2,2026-09-01,114.62'),
         reasons={"partial_coordinates": 1}, used_records=1),
    Case("degrees_minutes_seconds", _records(HEADER, 'R1,2026-09-01,"114°37\'12""E","33°37\'12""N",积水,未整改',
                                             "R2,2026-09-01,114度37分12秒,33度37分12秒,积水,未整改"),
         used_records=2),
    Case("fullwidth_digits", _records(HEADER, "R1,２０２６－０９－０１,１１４．６２,３３．６２,积水,未整改"),
         used_records=1),
    Case("lon_lat_swapped", _records(HEADER, GOOD[0], "R2,2026-09-02,33.63,114.68,小广告,已整改"),
         reasons={"swapped_coordinates": 1}, used_records=1),
    Case("zero_zero", _records(HEADER, GOOD[0], "R2,2026-09-02,0,0,小广告,已整改"),
         reasons={"zero_coordinates": 1}, used_records=1),
    Case("outside_the_city", _records(HEADER, GOOD[0], "R2,2026-09-02,113.66,34.75,小广告,已整改"),
         reasons={"outside_city": 1}, used_records=1),
    Case("just_outside_the_districts", _records(HEADER, GOOD[0], "R2,2026-09-02,114.705,33.63,小广告,已整改"),
         notes=("1 record(s) just outside every district",), used_records=2),
    Case("unparseable_and_partial", _records(HEADER, "R1,2026-09-01,东经一一四,33.62,积水,未整改",
                                             "R2,2026-09-01,114.62,,积水,未整改"),
         reasons={"bad_coordinates": 1, "partial_coordinates": 1}, used_records=0),
    # --- blanks, duplicates, dates, words ---------------------------------------------------
    Case("blank_and_nan", _records(HEADER, GOOD[0], ",,,,,", "NaN,NaN,NaN,NaN,NaN,NaN",
                                   "R3,NaN,114.62,33.62,积水,未整改", "R4,2026-09-01,nan,nan,积水,未整改"),
         reasons={"missing_found_at": 1, "missing_location": 1},
         notes=("1 row(s) holding only blank words",), used_records=1),
    Case("same_id_conflicting_rows", _records(HEADER, GOOD[0], "R1,2026-09-01,114.68,33.63,积水,未整改"),
         reasons={"conflicting_duplicate": 1}, used_records=1),
    Case("exact_duplicate_rows", _records(HEADER, GOOD[0], GOOD[0], GOOD[1]),
         reasons={"duplicate_row": 1}, used_records=2),
    Case("dates_in_every_form", _records(HEADER, "D1,2020年9月1日,114.62,33.62,积水,未整改",
                                         "D2,2020/9/1,114.62,33.62,积水,未整改",
                                         "D3,9月1日,114.62,33.62,积水,未整改",
                                         "D4,44075,114.62,33.62,积水,未整改",
                                         "D5,2020年9月1日 下午3点,114.62,33.62,积水,未整改",
                                         "D6,下周一,114.62,33.62,积水,未整改"),
         reasons={"bad_found_at": 1}, notes=("without a year taken as 2020",), used_records=5),
    Case("bad_dates_in_other_columns", _records(
        "问题编号,发现时间,经度,纬度,问题类型,整改状态,整改时限,整改完成时间,更新时间",
        "R1,2026-09-01,114.62,33.62,积水,未整改,尽快,,",
        "R2,2026-09-01,114.62,33.62,积水,已整改,,昨天,",
        "R3,2026-09-01,114.62,33.62,积水,已整改,,,刚才",
        "R4,2026-09-01,114.62,33.62,积水,已整改,9月8日,2026/9/3,46269"),
         flagged={"bad_deadline": 1, "bad_rectified_at": 1, "bad_updated_at": 1},
         used_records=4),
    Case("unknown_status_and_kind", _records("问题编号,记录类型,发现时间,经度,纬度,问题类型,整改状态",
                                             "R1,问题,2026-09-01,114.62,33.62,积水,研究中",
                                             "R2,暗访,2026-09-01,114.62,33.62,积水,未整改",
                                             "R3,巡查,2026-09-01,114.62,33.62,,"),
         reasons={"unknown_kind": 1}, flagged={"unknown_status": 1}, used_records=2),
    Case("unquoted_comma_shifts_cells", _records(HEADER, GOOD[0],
                                                 "R2,2026-09-02,114.68,33.63,小广告,乱贴,已整改"),
         reasons={"extra_cells": 1}, notes=("more cells than the header",), used_records=1),
    Case("unclosed_quote_swallows_rows", _records(HEADER, 'R1,2026-09-01,114.62,33.62,"乱停乱放,未整改',
                                                  *GOOD[1:], "R3,2026-09-03,114.62,33.62,积水,未整改"),
         reasons={"unclosed_quote": 1}, used_records=0),
    Case("unknown_feature_reference", _records("问题编号,发现时间,点位编号,点位名称", "R1,2026-09-01,P1,",
                                               "R2,2026-09-01,X9,", "R3,2026-09-01,,人民公园",
                                               "R4,2026-09-01,,无名小区"),
         reasons={"unknown_feature_id": 1, "unknown_feature_name": 1}, used_records=2),
    # --- layers --------------------------------------------------------------------------------
    Case("self_intersecting_ledger_polygon", _bowtie_ledger, notes=("repaired 1 invalid geometry",),
         used_records=2),
    Case("self_intersecting_district", _bowtie_district, notes=("repaired 1 invalid geometry",),
         used_records=2),
    Case("empty_and_mixed_geometries", _mixed_and_empty, reasons={"empty_geometry": 2},
         used_records=2),
    Case("zero_area_polygon", _degenerate, reasons={"unrepairable_geometry": 1}, used_records=2),
    Case("unreadable_geometries", _unreadable_geometries, reasons={"empty_geometry": 2},
         notes=("reader warning",), used_records=2),
    Case("layer_without_crs", _no_crs_shapefile, 2, r"no CRS: set crs in \[layers.points\]",
         "points.shp"),
    Case("layer_without_crs_set_in_config", lambda r: _no_crs_shapefile(r, set_crs=True),
         used_records=2),
    Case("projected_coordinates_claiming_4326", _projected_claiming_4326, 2,
         r"coordinates look projected.*claims EPSG:4326.*EPSG:4547", "points.geojson"),
    Case("degrees_claiming_projected", _degrees_claiming_projected, 2,
         r"look like degrees.*EPSG:4547", "points.gpkg"),
    Case("overlapping_districts", _overlapping, notes=("overlap by",), used_records=2),
    Case("feature_outside_every_district", _outside_districts,
         notes=("1 feature(s) outside every district",), used_records=2),
    Case("shapefile_gbk_dbf_without_cpg", _gbk_shapefile, notes=("no .cpg", "GBK"),
         used_records=2),
    Case("duplicate_and_missing_feature_ids", _dup_and_missing_ids,
         reasons={"duplicate_feature_id": 1, "missing_feature_id": 1}, used_records=2),
    Case("district_that_is_a_line", _district_line, reasons={"district_not_polygon": 1},
         used_records=2),
    Case("no_usable_district", _no_district_polygon, 2, r"no usable district polygon",
         "districts.geojson"),
    Case("district_parents_cycle", _parent_cycle, 2, r"parents form a cycle", "districts.geojson"),
    Case("layer_not_json", _not_json, 2, r"cannot read as a vector layer", "points.geojson"),
    Case("layer_without_id_column", _no_id_column, 2,
         r"no column 'id' for the id: set `id` in \[layers.points\] to one of: 编号, name",
         "points.geojson"),
    Case("geopackage_with_two_layers", _two_layers, 2, r'2 layers .*layer = "points"',
         "points.gpkg"),
    # --- the config ----------------------------------------------------------------------------
    Case("config_key_typo", lambda r: set_config(r, CONFIG.replace("paths", "pahts")), 2,
         r"unknown key 'pahts' in \[records\] \(did you mean 'paths'\?\)", "geotool.toml"),
    Case("config_missing_file", lambda r: (r / "points.geojson").unlink(), 2,
         r"\[layers.points\] path 'points.geojson' does not exist", "geotool.toml"),
    Case("config_wrong_type", lambda r: set_config(r, CONFIG + "[defaults]\nwindow_days = \"七\"\n"),
         2, r"window_days must be a whole number", "geotool.toml"),
    Case("config_bad_toml", lambda r: set_config(r, CONFIG + "[defaults\n"), 2, r"not valid TOML",
         "geotool.toml"),
    Case("config_absent", lambda r: (r / "geotool.toml").unlink(), 2, r"no geotool.toml here",
         "geotool.toml"),
    Case("config_unknown_crs", lambda r: set_config(r, CONFIG + 'crs = "火星"\n'), 2,
         r"unknown CRS '火星'", "geotool.toml"),
    # --- issue #8: what GDAL skips without a word, layers without geometry --------------------
    Case("geojson_feature_type_misspelled", _misspelled_features,
         reasons={"not_a_feature": 3}, used_records=2),
    Case("geojsonseq_truncated_line", _truncated_seq,
         reasons={"bad_json_line": 1, "not_a_feature": 1}, used_records=2),
    Case("layer_is_attribute_table", _attribute_table, 2,
         r"holds no geometry: it is the GPKG attribute table 'points' of 2 rows with columns "
         r"id, name", "points.gpkg"),
    Case("csv_footer_in_column_without_header",
         _records(HEADER + ",", *[g + "," for g in GOOD], ",,,,,,制表人：张三"),
         reasons={"outside_header": 1}, used_records=2),
    # totals rows at the foot of a ledger are counted as totals, not as records missing a date
    Case("totals_rows", _records(HEADER, *GOOD, "合计：2条,,,,,", ",,,,小计,", "R3,,114.63,33.62,积水,未整改"),
         reasons={"totals_row": 2, "missing_found_at": 1}, used_records=2),
    Case("csv_footer_past_the_header", _records(HEADER, *GOOD, ",,,,,,制表人：张三"),
         reasons={"outside_header": 1}, used_records=2),
    Case("xlsx_row_only_beyond_the_header", lambda r: xlsx_file(r, {"台账": [
        HEADER.split(","), *[g.split(",") for g in GOOD], [None] * 9 + ["审核：李四"]]}),
         reasons={"outside_header": 1}, used_records=2),
    Case("xlsx_formulas_without_values", lambda r: xlsx_file(r, {"台账": [
        HEADER.split(","), *[g.split(",") for g in GOOD],
        ["=\"R\"&ROW()", "=DATE(2026,9,3)", "=114.6+0.02", "=33.62", "=\"小广告\"", "未整改"]]}),
         reasons={"formula_without_value": 1}, used_records=2),
    # a formula without a value in an optional field (the unit, a script's HYPERLINK) or
    # in an ignored column keeps the record: the field is left empty and the cell flagged;
    # in the found date it quarantines the row, naming that cell (not the id's)
    Case("xlsx_formula_in_optional_fields", lambda r: xlsx_file(r, {"台账": [
        [*HEADER.split(","), "责任单位", "自定义列X"], *[[*g.split(","), "城管局", ""] for g in GOOD],
        ["R3", "2026-09-03", "114.63", "33.62", "积水", "未整改",
         '=HYPERLINK("http://evil","x")', "=NOW()"],
        ["=\"R\"&ROW()", "2026-09-03", "114.63", "33.62", "积水", "=\"未整改\"", "城管局", ""],
        ["R5", "=DATE(2026,9,3)", "114.63", "33.62", "积水", "未整改", "=A1", ""]]}),
         reasons={"formula_without_value": 1}, used_records=4,
         flagged={"formula_without_value": 3}),
    Case("shapefile_record_marked_deleted", _deleted_shp_record,
         reasons={"deleted_record": 1}, used_records=2),
    Case("district_names_no_district", _records(
        HEADER + ",所属区", GOOD[0] + ",川汇区", GOOD[1] + ",淮阳县", "R3,2026-09-03,114.63,33.62,积水,未整改,淮阳县",
        "R4,2026-09-03,114.64,33.62,积水,未整改,A", "R5,2026-09-04,114.64,33.63,积水,未整改,老城区"),
         notes=("3 record(s) give a district (the district column) that is no district's name or id "
                "(2 distinct: 淮阳县, 老城区): the district is taken from the location; "
                "the records are used",), used_records=5),
    Case("layer_is_a_folder", _folder_layer, 2,
         r"holds no geometry: it is a folder \(GDAL opens it as CSV data\)", "points"),
]


_COUNTS = re.compile(r"read (\d+), used (\d+), quarantined (\d+)")


def validate(root: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["validate", str(root), "--lang", "en", "--out", str(root / "out"), *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(tmp_path, capsys, case: Case):
    root = make_workspace(tmp_path / "ws")
    case.build(root)
    code, out, err = validate(root, capsys)
    assert "Traceback" not in out + err
    assert code == case.code, out + err
    if code == 2:
        line = err.strip()
        assert "\n" not in line, err
        assert line.startswith("geotool: error: ")
        assert case.error_file and case.error_file in line
        assert re.search(case.error, line), line
        return
    assert err == ""
    counts = [tuple(map(int, m)) for m in _COUNTS.findall(out)]
    assert counts, out
    for read, used, quarantined in counts:  # every file, and the total line
        assert read == used + quarantined, out
    quarantine_csv = root / "out" / "quarantine.csv"
    found = Counter()
    if quarantine_csv.exists():
        q = pd.read_csv(quarantine_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        found = Counter(q["reason_code"])
        assert (q["file"] != "").all() and (q["row"] != "").all()
    assert found == Counter(case.reasons), out
    flagged_csv = root / "out" / "flagged.csv"
    flagged = Counter()
    if flagged_csv.exists():
        f = pd.read_csv(flagged_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        flagged = Counter(f["reason_code"])
    assert flagged == Counter(case.flagged), out
    assert counts[-1][2] == sum(case.reasons.values())
    for note in case.notes:
        assert note in out, out
    if case.used_records is not None:
        record_lines = [ln for ln in out.splitlines() if ln.strip().startswith("records file")]
        used = sum(int(_COUNTS.search(ln).group(2)) for ln in record_lines)
        assert used == case.used_records, out


def test_corpus_is_large_enough_and_covers_every_reason():
    assert len(CASES) >= 30
    assert set().union(*(c.reasons for c in CASES), *(c.flagged for c in CASES)) == set(
        reason_codes())
    outcomes = Counter("error" if c.code == 2 else "quarantine" if c.reasons else "repair"
                       for c in CASES)
    assert min(outcomes.values()) >= 5, outcomes


def test_quarantine_rows_point_back_to_the_sheet_row(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    _title_and_merged(root)
    code, _, _ = validate(root, capsys)
    assert code == 0
    assert not (root / "out" / "quarantine.csv").exists()
    q = pd.read_csv(root / "out" / "flagged.csv", dtype=str, encoding="utf-8-sig")
    assert q[["sheet", "row", "column", "value", "reason_code"]].values.tolist() == [
        ["问题台账", "5", "status", "研究中", "unknown_status"]]


def test_multipoints_and_collections_in_a_ledger_run_through_gaps(tmp_path, capsys):
    # validate passed such a ledger and gaps then failed with an IndexError in the
    # district assignment: every command must take what validate takes
    root = make_workspace(tmp_path / "ws")
    layer(root, gpd.GeoDataFrame(
        {"id": ["P1", "MP", "GC"], "name": ["周口站", "两个岗亭", "集合"]},
        geometry=[Point(114.62, 33.62),
                  MultiPoint([(114.61, 33.61), (114.66, 33.61), (114.67, 33.62)]),  # 1 A, 2 B
                  GeometryCollection([Point(114.61, 33.62),
                                      LineString([(114.61, 33.62), (114.62, 33.62)])])],
        crs=4326))
    code = main(["gaps", str(root), "--as-of", "2026-09-05", "--lang", "en",
                 "--out", str(root / "out")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    f = pd.read_csv(root / "out" / "features.csv", dtype=str, encoding="utf-8-sig")
    assert dict(zip(f["feature_id"], f["district"], strict=True)) == {
        "P1": "A", "MP": "B", "GC": "A"}


def test_a_broken_layer_is_reported_before_a_broken_records_file(tmp_path, capsys):
    # the record files are read in a thread while the layers are: the first error in
    # the files' order (layers, then records) is still the one reported, and alone
    root = make_workspace(tmp_path / "ws")
    (root / "districts.geojson").write_text("not a layer", encoding="utf-8")
    csv_file(root, ["a,b", "1,2"])
    assert main(["validate", str(root), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "districts.geojson" in err and "r.csv" not in err
    make_workspace(tmp_path / "ok")
    csv_file(tmp_path / "ok", ["a,b", "1,2"])
    assert main(["validate", str(tmp_path / "ok"), "--lang", "en"]) == 2
    assert "r.csv" in capsys.readouterr().err


def test_an_out_folder_inside_the_records_is_not_read_back(tmp_path, capsys):
    # --out records/out under [records] paths = ["records/**/*"]: the second run read the
    # first run's issues.csv (ids, dates, coordinates) as records
    root = make_workspace(tmp_path / "ws")
    set_config(root, CONFIG.replace('paths = ["records/*"]', 'paths = ["records/**/*"]'))
    argv = ["gaps", str(root), "--as-of", "2026-09-05", "--lang", "en",
            "--out", str(root / "records" / "out")]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "geotool itself wrote" not in first
    issues = (root / "records" / "out" / "issues.csv").read_bytes()
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "records file" in second and "total: read 6, used 6, quarantined 0" in second, second
    assert re.search(r"skipped \d+ file\(s\) geotool itself wrote \(", second), second
    assert (root / "records" / "out" / "issues.csv").read_bytes() == issues  # the same run
