"""The gap engine on a hand-built city in metres (UTM 50N), end to end.

The city (coordinates relative to (500000 E, 3720000 N), EPSG:32650)::

    A  = [0,1000] x [0,1000]      streets A1 = [0,500] x [0,1000], A2 = [500,1000] x [0,1000]
    B  = [1000,2000] x [0,1000]
    C  = [3000,4000] x [0,1000]   no record ever: all of it is a blind spot

    L1 alley   (100,500)-(400,500)         in A1
    L2 alley   (900,200)-(1200,200)        100 m in A, 200 m in B -> B
    M1 market  [1400,1600] x [400,600]     in B
    P1 point   (700,800)                   in A2
    P2 point   (1800,900)                  in B, named by a record with no coordinates
    P3 point   (3500,500)                  in C

As of D = 2026-09-15 with a 7-day window (09-09 00:00 .. 09-15 23:59):

    r1  inspection (250,540)   09-15 10:00   40 m from L1          in window
    r2  inspection (700,830)   09-09 00:00   30 m from P1          first day of window: in
    r3  inspection (1500,500)  09-08 23:59   inside M1             day D-W: out
    r4  issue, only 点位名称 = P2's name, 09-12, deadline 09-14, open -> overdue
    r5  issue (1050,210)       09-16         after D: does not exist
    QR  issue (300,500) 乱堆乱倒 09-01, rectified 09-05
    QS  issue (310,505) 乱堆乱倒 09-10, open, deadline 09-20 -> L1 recurring (5 days)
    QT  issue (700,800) 09-02, rectified 09-04, then reopened (更新时间 09-11), deadline 09-03
        -> open, overdue, P1 recurring (reopened 7 days after rectification)
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geotool.cli import main

X0, Y0 = 500_000.0, 3_720_000.0
CRS = "EPSG:32650"


def _g(geom):
    from shapely import affinity

    return affinity.translate(geom, X0, Y0)


def build_city(root):
    """Write the workspace described in the module docstring into ``root``."""
    (root / "records").mkdir(parents=True)
    gpd.GeoDataFrame(
        {"code": ["A", "B", "C", "A1", "A2"], "name": ["甲区", "乙区", "丙区", "甲一街道", "甲二街道"],
         "parent": [None, None, None, "A", "A"]},
        geometry=[_g(box(0, 0, 1000, 1000)), _g(box(1000, 0, 2000, 1000)),
                  _g(box(3000, 0, 4000, 1000)), _g(box(0, 0, 500, 1000)),
                  _g(box(500, 0, 1000, 1000))], crs=CRS,
    ).to_file(root / "districts.gpkg")
    gpd.GeoDataFrame(
        {"id": ["L1", "L2"], "name": ["一巷", "二巷"], "unit": ["甲街道", "乙街道"]},
        geometry=[_g(LineString([(100, 500), (400, 500)])),
                  _g(LineString([(900, 200), (1200, 200)]))], crs=CRS,
    ).to_file(root / "alleys.gpkg")
    gpd.GeoDataFrame({"id": ["M1"], "name": ["东市场"], "unit": ["市场局"]},
                     geometry=[_g(box(1400, 400, 1600, 600))], crs=CRS).to_file(root / "markets.gpkg")
    gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3"], "name": ["一小学", "二医院", "三公园"],
         "unit": ["教育局", "卫健委", "园林局"]},
        geometry=[_g(Point(700, 800)), _g(Point(1800, 900)), _g(Point(3500, 500))], crs=CRS,
    ).to_file(root / "points.gpkg")
    rows = [
        # 问题编号, 记录类型, 发现时间, x, y, 点位名称, 问题类型, 责任单位, 整改时限, 整改状态, 整改完成时间, 更新时间
        ("r1", "巡查", "2026-09-15 10:00", 250, 540, "", "", "", "", "", "", ""),
        ("r2", "打卡", "2026-09-09 00:00", 700, 830, "", "", "", "", "", "", ""),
        ("r3", "巡查", "2026-09-08 23:59", 1500, 500, "", "", "", "", "", "", ""),
        ("r4", "问题", "2026-09-12 09:00", None, None, "二医院", "小广告", "卫健委", "2026-09-14",
         "未整改", "", ""),
        ("r5", "问题", "2026-09-16 08:00", 1050, 210, "", "乱停乱放", "乙街道", "2026-09-20",
         "未整改", "", ""),
        ("QR", "问题", "2026-09-01 08:00", 300, 500, "", "乱堆乱倒", "甲街道", "2026-09-03",
         "已整改", "2026-09-05", ""),
        ("QS", "问题", "2026-09-10 00:00", 310, 505, "", "乱堆乱倒", "甲街道", "2026-09-20",
         "未整改", "", ""),
        ("QT", "问题", "2026-09-02 08:00", 700, 800, "", "积水", "教育局", "2026-09-03",
         "已整改", "2026-09-04", ""),
        ("QT", "问题", "2026-09-02 08:00", 700, 800, "", "积水", "教育局", "2026-09-03",
         "未整改", "", "2026-09-11 09:00"),
    ]
    header = "问题编号,记录类型,发现时间,经度,纬度,点位名称,问题类型,责任单位,整改时限,整改状态,整改完成时间,更新时间\n"
    lines = []
    for r in rows:
        x = "" if r[3] is None else f"{X0 + r[3]:.3f}"
        y = "" if r[4] is None else f"{Y0 + r[4]:.3f}"
        lines.append(",".join([r[0], r[1], r[2], x, y, *r[5:]]))
    (root / "records" / "records.csv").write_text(header + "\n".join(lines) + "\n",
                                                  encoding="utf-8")
    (root / "geotool.toml").write_text(f"""
[city]
name = "手算市"

[defaults]
window_days = 7
match_radius_m = 50
reach_m = 300
min_blindspot_m2 = 10000
recurrence_days = 30

[layers.districts]
path = "districts.gpkg"
id = "code"
crs = "{CRS}"

[layers.alleys]
path = "alleys.gpkg"
unit = "unit"

[layers.markets]
path = "markets.gpkg"
unit = "unit"

[layers.points]
path = "points.gpkg"
unit = "unit"

[records]
paths = ["records/*.csv"]
crs = "{CRS}"
""", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return build_city(tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="module")
def gaps_out(city, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["gaps", str(city), "--as-of", "2026-09-15", "--out", str(out)]) == 0
    return out


def _csv(path):
    return pd.read_csv(path, dtype={"district_id": str, "feature_id": str, "record_id": str},
                       keep_default_na=False)


def test_features_coverage_and_issue_counts(gaps_out):
    f = _csv(gaps_out / "features.csv").set_index("feature_id")
    assert list(f.columns[:12]) == ["layer", "name", "district", "unit", "covered", "last_touched",
                                    "records_in_window", "open_issues", "overdue_issues",
                                    "recurring", "district_path", "type"]
    assert f.loc["L1", "covered"] and f.loc["L1", "records_in_window"] == 2  # r1, QS
    assert f.loc["L1", "last_touched"] == "2026-09-15 10:00"
    assert not f.loc["L2", "covered"] and f.loc["L2", "last_touched"] == ""  # r5 is after D
    assert not f.loc["M1", "covered"]                                       # r3 on day D-W
    assert f.loc["M1", "last_touched"] == "2026-09-08 23:59"
    assert f.loc["P1", "covered"] and f.loc["P1", "records_in_window"] == 1  # r2 on D-W+1
    assert f.loc["P2", "covered"]                                           # r4 by name only
    assert not f.loc["P3", "covered"]
    assert f["district"].to_dict() == {"L1": "A", "L2": "B", "M1": "B", "P1": "A", "P2": "B",
                                       "P3": "C"}
    assert f.loc["L1", "district_path"] == "A/A1" and f.loc["P1", "district_path"] == "A/A2"
    assert f["open_issues"].to_dict() == {"L1": 1, "L2": 0, "M1": 0, "P1": 1, "P2": 1, "P3": 0}
    assert f["overdue_issues"].to_dict() == {"L1": 0, "L2": 0, "M1": 0, "P1": 1, "P2": 1, "P3": 0}
    assert sorted(f.index[f["recurring"]]) == ["L1", "P1"]


def test_issues_as_of(gaps_out):
    i = _csv(gaps_out / "issues.csv").set_index("record_id")
    assert sorted(i.index) == ["QR", "QS", "QT", "r4"]      # r5 found after D
    assert i.loc["QT", "status"] == "open" and i.loc["QT", "overdue"]
    assert i.loc["QT", "days_open"] == 13
    assert i.loc["QR", "status"] == "rectified" and i.loc["QR", "days_open"] == 4
    assert not i.loc["QS", "overdue"] and i.loc["QS", "days_open"] == 5
    assert i.loc["r4", "overdue"] and i.loc["r4", "feature_ids"] == "P2"
    assert i.loc["r4", "district"] == "B"


def test_districts_blindspots_and_rank(gaps_out):
    d = _csv(gaps_out / "districts.csv").set_index("district_id")
    assert list(d.columns[:11]) == ["name", "features", "covered", "coverage_rate", "open_issues",
                                    "overdue_issues", "recurring_features", "blindspot_area_m2",
                                    "blindspot_share", "score", "rank"]
    assert d.loc["A", ["features", "covered", "open_issues", "overdue_issues",
                       "recurring_features"]].tolist() == [2, 2, 2, 1, 2]
    assert d.loc["B", ["features", "covered", "open_issues", "overdue_issues"]].tolist() == [3, 1, 1, 1]
    assert d.loc["B", "coverage_rate"] == pytest.approx(1 / 3, abs=1e-4)
    # C: no record ever -> all of it is one blind spot
    assert d.loc["C", "blindspot_area_m2"] == pytest.approx(1_000_000, abs=1)
    assert d.loc["C", "blindspot_share"] == 1.0
    assert d.loc["C", "score"] == pytest.approx(35.0)  # 100*(0.4*0 + 0.25*0 + 0.2*1 + 0.15*1)
    # B: only r4 (1800,900) in window: disc minus the segments beyond x=2000 (d=200) and
    # y=1000 (d=100) plus their corner: 282,743 - 30,975 - 82,502 + 6,052 = 175,319 m2 reached
    assert d.loc["B", "blindspot_area_m2"] == pytest.approx(1_000_000 - 175_319, abs=1_500)
    b_share = d.loc["B", "blindspot_share"]
    assert d.loc["B", "score"] == pytest.approx(100 * (0.4 / 3 + 0.25 * (1 - b_share) + 0 + 0.15),
                                                abs=0.01)
    top = d[d["level"] == 0].sort_values("rank")
    assert top.index.tolist() == ["B", "C", "A"]      # worst first
    assert d.loc[["A1", "A2"], "rank"].tolist() in ([1, 2], [2, 1])
    assert d.loc["A1", "features"] == 1 and d.loc["A2", "open_issues"] == 1


def test_blindspots_geojson(gaps_out):
    b = gpd.read_file(gaps_out / "blindspots.geojson")
    assert b.crs.to_epsg() == 4326
    c = b[b["district_id"] == "C"]
    assert len(c) == 1 and c["area_m2"].iloc[0] == pytest.approx(1_000_000, abs=1)
    assert c["features_inside"].iloc[0] == 1 and c["uncovered_inside"].iloc[0] == 1
    assert set(b.columns) >= {"district_id", "area_m2", "features_inside", "uncovered_inside"}


def test_run_manifest_names_the_date(gaps_out):
    import json

    run = json.loads((gaps_out / "run.json").read_text(encoding="utf-8"))
    assert run["as_of"] == "2026-09-15" and run["parameters"]["window_days"] == 7
    assert run["metric_crs"] == "EPSG:32650" and "features.csv" in run["files"]
    assert run["counts"]["issues"] == 4
    # every file named is there, by its path from --out (the units' workbooks in units/)
    assert all((gaps_out / f).is_file() for f in run["files"])
    on_disk = {p.relative_to(gaps_out).as_posix() for p in gaps_out.rglob("*") if p.is_file()}
    assert set(run["files"]) == on_disk - {"run.json"}
    assert any(f.startswith("units/") for f in run["files"])


def test_units_and_spreadsheet(gaps_out):
    u = _csv(gaps_out / "units.csv").set_index("unit")
    assert u.loc["教育局", ["features", "uncovered_features", "open_issues", "overdue_issues"]
                 ].tolist() == [1, 0, 1, 1]
    assert u.loc["园林局", "uncovered_features"] == 1
    from openpyxl import load_workbook

    book = load_workbook(gaps_out / "gaps.xlsx", read_only=True)
    assert {"区县排名", "台账点位(未覆盖在前)", "问题清单", "盲区", "责任单位清单"} <= set(book.sheetnames)
    first = next(book["区县排名"].iter_rows(max_row=1, values_only=True))
    assert first[:3] == ("排名(倒数)", "区划代码", "名称") and "覆盖率" in first
    book.close()


def test_window_and_recurrence_parameters(city, tmp_path):
    out = tmp_path / "o"
    assert main(["gaps", str(city), "--as-of", "2026-09-15", "--window-days", "8",
                 "--recurrence-days", "5", "--out", str(out)]) == 0
    f = _csv(out / "features.csv").set_index("feature_id")
    assert f.loc["M1", "covered"]                      # 09-08 is inside an 8-day window
    assert sorted(f.index[f["recurring"]]) == ["L1"]   # QS 5 days after QR; QT reopened after 7


def test_no_traceback_without_as_of(city, capsys):
    assert main(["gaps", str(city)]) == 2
    err = capsys.readouterr().err
    assert "--as-of" in err and "Traceback" not in err


def test_segment_formula_used_above():
    # the hand computation in test_districts_blindspots_and_rank, checked once more
    r = 300.0

    def seg(d):
        return r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)

    assert seg(100) == pytest.approx(82_502, abs=1)
    assert seg(200) == pytest.approx(30_975, abs=1)


def test_unwritable_output_folder_is_one_line(city, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["gaps", str(city), "--as-of", "2026-09-15", "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(blocker) in err


def test_ids_shared_across_layers_are_named(tmp_path):
    from geotool.io.workspace import load_workspace

    city = build_city(tmp_path / "city")
    markets = gpd.read_file(city / "markets.gpkg")
    markets["id"] = ["P1"]                      # the id of a point too
    markets.to_file(city / "markets.gpkg")
    notes = [str(n) for n in load_workspace(city).notes]
    assert any("1 id(s) are used in more than one ledger layer (e.g. P1)" in n for n in notes)


def test_visit_states_tell_clean_from_never(gaps_out):
    """巡查无问题 vs 仅有问题 vs 从未巡查, with last-inspection and last-issue dates (D = 09-15)."""
    f = _csv(gaps_out / "features.csv").set_index("feature_id")
    assert f["visit_state"].to_dict() == {
        "L1": "inspected",    # r1 inspection on D, QS found 09-10 and open
        "L2": "never",        # r5 is after D: nothing up to D touched it
        "M1": "not_recent",   # r3 inspection on D-W, just before the window
        "P1": "inspected",    # r2 inspection on D-W+1, QT reopened and open
        "P2": "issues_only",  # r4 issue only
        "P3": "never"}
    assert f.loc["L1", "last_inspected"] == "2026-09-15 10:00"
    assert f.loc["L1", "last_issue"] == "2026-09-10 00:00"
    assert f.loc["M1", "last_inspected"] == "2026-09-08 23:59" and f.loc["M1", "last_issue"] == ""
    assert f.loc["P2", "last_inspected"] == "" and f.loc["P2", "last_issue"] == "2026-09-12 09:00"
    assert f.loc["P1", "last_issue"] == "2026-09-02 08:00"
