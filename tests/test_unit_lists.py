"""Each unit's workbook, and the fixed city workbook, on a hand-built city in metres.

The city (coordinates relative to (500000 E, 3720000 N), EPSG:32650)::

    甲区 A  = [0,2000] x [0,1000]; streets 甲一街道 A1 = [0,1000] x [0,1000],
                                           甲二街道 A2 = [1000,2000] x [0,1000]
    P1 point (100,100)   城管局     P2 point (1500,500)  城管局     P3 point (500,500) 教育局

As of D = 2026-09-15, 7-day window (09-09 .. 09-15), 50 m match radius:

    i1  inspection at P3, 09-14                      -> P3 covered
    q1  issue at P1, 09-01 08:00, deadline 09-11, 城管局, open       -> 4 days overdue, 14 days open
    q2  issue at P2, 09-05 09:00, deadline 09-30, 城管局, rectifying -> 10 days open
    q3  issue at (1800,900) (no place), 09-07, deadline 09-20, 城管局, open -> 8 days open
    q4  issue at (1900,100), 09-02, 城管局, rectified 09-03          -> not open
    q5  issue at P3, 09-14, deadline 09-16, 教育局, open
    q6  issue at (1900,900), 09-10, no unit, open                   -> the campaign office's list

城管局's forgotten places: P1 (last touched 09-01, 14 days), P2 (09-05, 10 days), in that
order; its open issues: q1 (4 days overdue), q2 (10 days open), q3 (8 days open), in that
order. Units ranked: 城管局 (1 overdue), then the no-unit list and 教育局 (1 open each, the
empty marker sorts first).
"""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd
from openpyxl import load_workbook
from shapely import affinity
from shapely.geometry import Point, box

from geotool.cli import main

X0, Y0 = 500_000.0, 3_720_000.0
CRS = "EPSG:32650"
AS_OF = "2026-09-15"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _g(geom):
    return affinity.translate(geom, X0, Y0)


def build_city(root):
    """Write the workspace of the module docstring into ``root``."""
    (root / "records").mkdir(parents=True)
    gpd.GeoDataFrame(
        {"code": ["A", "A1", "A2"], "name": ["甲区", "甲一街道", "甲二街道"],
         "parent": [None, "A", "A"]},
        geometry=[_g(box(0, 0, 2000, 1000)), _g(box(0, 0, 1000, 1000)),
                  _g(box(1000, 0, 2000, 1000))], crs=CRS).to_file(root / "districts.gpkg")
    gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3"], "name": ["一号公厕", "二号市场", "三小学"],
         "unit": ["城管局", "城管局", "教育局"]},
        geometry=[_g(Point(100, 100)), _g(Point(1500, 500)), _g(Point(500, 500))], crs=CRS,
    ).to_file(root / "points.gpkg")
    rows = [
        ("i1", "巡查", "2026-09-14 09:00", 500, 500, "", "", "", "", ""),
        ("q1", "问题", "2026-09-01 08:00", 100, 100, "乱堆乱倒", "城管局", "2026-09-11", "未整改", ""),
        ("q2", "问题", "2026-09-05 09:00", 1500, 500, "占道经营", "城管局", "2026-09-30", "整改中",
         ""),
        ("q3", "问题", "2026-09-07 10:00", 1800, 900, "乱贴乱画", "城管局", "2026-09-20", "未整改",
         ""),
        ("q4", "问题", "2026-09-02 10:00", 1900, 100, "积水", "城管局", "2026-09-05", "已整改",
         "2026-09-03"),
        ("q5", "问题", "2026-09-14 10:00", 500, 500, "小广告", "教育局", "2026-09-16", "未整改", ""),
        ("q6", "问题", "2026-09-10 10:00", 1900, 900, "积水", "", "2026-09-20", "未整改", ""),
    ]
    lines = ["问题编号,记录类型,发现时间,经度,纬度,问题类型,责任单位,整改时限,整改状态,整改完成时间"]
    for r in rows:
        lines.append(",".join([r[0], r[1], r[2], f"{X0 + r[3]:.3f}", f"{Y0 + r[4]:.3f}", *r[5:]]))
    (root / "records" / "records.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "geotool.toml").write_text(f"""
[city]
name = "手算市"

[defaults]
window_days = 7
match_radius_m = 50

[layers.districts]
path = "districts.gpkg"
id = "code"
crs = "{CRS}"

[layers.points]
path = "points.gpkg"
unit = "unit"
label = "测评点位"
label_en = "Inspection points"

[records]
paths = ["records/*.csv"]
crs = "{CRS}"
""", encoding="utf-8")
    return root


def _table(ws):
    """The rows below a sheet's header (the row whose first cell is the first header)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] in ("图层", "问题编号", "Layer",
                                                            "Record ID"))
    head = list(rows[start])
    return head, [dict(zip(head, r, strict=True)) for r in rows[start + 1:]]


def test_unit_workbook_has_exactly_its_rows_most_urgent_first(tmp_path):
    city = build_city(tmp_path / "city")
    out = tmp_path / "out"
    assert main(["lists", str(city), "--as-of", AS_OF, "--out", str(out)]) == 0
    book = load_workbook(out / "units" / "城管局.xlsx")
    assert book.sheetnames == ["遗忘场所", "未销号问题", "反弹点位"]

    head, places = _table(book["遗忘场所"])
    assert [(p["编号"], p["名称"], p["距上次巡查天数"]) for p in places] == [
        ("P1", "一号公厕", 14), ("P2", "二号市场", 10)]
    assert places[0]["图层"] == "测评点位"  # the label, not the config key
    assert places[0]["所属区"] == "甲区" and places[1]["街道/乡镇"] == "甲二街道"
    last = book["遗忘场所"].cell(row=6, column=head.index("最近巡查时间") + 1)
    assert last.is_date and last.value == dt.datetime(2026, 9, 1, 8, 0)

    head, issues = _table(book["未销号问题"])
    assert [i["问题编号"] for i in issues] == ["q1", "q2", "q3"]
    assert [i["超期天数"] for i in issues] == [4, 0, 0]
    assert [i["已挂账天数"] for i in issues] == [14, 10, 8]
    assert [i["关联点位名称"] for i in issues] == ["一号公厕", "二号市场", None]
    assert issues[1]["整改状态"] == "整改中"
    deadline = book["未销号问题"].cell(row=6, column=head.index("整改时限") + 1)
    assert deadline.is_date and deadline.value == dt.datetime(2026, 9, 11)
    assert deadline.number_format == "yyyy-mm-dd"

    ws = book["未销号问题"]
    summary = list(next(ws.iter_rows(min_row=2, max_row=2, values_only=True)))
    assert summary[1] == dt.datetime(2026, 9, 15) and summary[3] == 1  # as of, rank 1
    counts = list(next(ws.iter_rows(min_row=3, max_row=3, values_only=True)))
    assert counts[:8] == ["遗忘场所数", 2, "未销号问题", 3, "超期问题", 1, "反弹点位数", 0]
    assert ws.freeze_panes == "A6" and ws.auto_filter.ref.startswith("A5")
    assert ws.print_title_rows == "$5:$5"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "城管局" in ws.oddHeader.left.text and AS_OF in ws.oddHeader.right.text


def test_cover_ranks_units_and_no_unit_list_is_named_in_the_language(tmp_path):
    city = build_city(tmp_path / "city")
    out = tmp_path / "out"
    assert main(["lists", str(city), "--as-of", AS_OF, "--out", str(out), "--lang", "en"]) == 0
    names = sorted(p.name for p in (out / "units").iterdir())
    assert names == ["00-Units ranked.xlsx", "no-unit.xlsx", "城管局.xlsx", "教育局.xlsx"]
    assert not (out / "gaps.xlsx").exists()  # lists writes only the hand-out
    cover = load_workbook(out / "units" / "00-Units ranked.xlsx").active
    rows = list(cover.iter_rows(min_row=5, values_only=True))
    assert [(r[0], r[1], r[-1]) for r in rows] == [
        (1, "城管局", "城管局.xlsx"),
        (2, "No responsible unit (for the campaign office)", "no-unit.xlsx"),
        (3, "教育局", "教育局.xlsx")]
    book = load_workbook(out / "units" / "no-unit.xlsx")
    _, issues = _table(book["Open issues"])
    assert [i["Record ID"] for i in issues] == ["q6"]
    texts = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    assert "手算市 campaign work list: No responsible unit (for the campaign office)" in texts
    words = {t for t in texts if _CJK.search(t)} - {"手算市 campaign work list: No responsible "
                                                    "unit (for the campaign office)"}
    assert words <= {"甲区", "甲二街道", "积水"}, words  # data, never a word of geotool


def test_city_workbook_names_dates_and_rankings(tmp_path):
    city = build_city(tmp_path / "city")
    out = tmp_path / "out"
    assert main(["gaps", str(city), "--as-of", AS_OF, "--out", str(out)]) == 0
    assert (out / "units" / "城管局.xlsx").exists()  # gaps writes the units' lists too
    book = load_workbook(out / "gaps.xlsx")
    assert book.sheetnames[:2] == ["区县排名", "街道、乡镇排名"]
    head, issues = _table(book["问题清单"])
    assert [i["问题编号"] for i in issues][:1] == ["q1"]
    assert {i["所属区"] for i in issues} == {"甲区"}
    assert issues[0]["超期天数"] == 4 and issues[0]["关联图层"] == "测评点位"
    found = book["问题清单"].cell(row=2, column=head.index("发现时间") + 1)
    assert found.is_date and found.value == dt.datetime(2026, 9, 1, 8, 0)
    streets = list(book["街道、乡镇排名"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in streets} == {"A1", "A2"} and {r[3] for r in streets} == {"甲区"}
    blind = list(book["盲区"].iter_rows(values_only=True))
    head = list(blind[0])
    assert "中心经度(GCJ-02，高德/腾讯)" in head and blind[1][head.index("所属区")] == "甲区"


def test_unit_file_names_are_safe_and_distinct():
    from geotool.output.unit_lists import safe_file_names

    got = safe_file_names(["-rf", "..", ".", "a/b", "a\\b", "COM1", "x" * 300, "城管局"])
    # '-' first would be an option to a shell loop; '.' and '..' are no names; a slash no path
    assert got[:6] == ["_-rf.xlsx", "_.xlsx", "_-2.xlsx", "a_b.xlsx", "a_b-2.xlsx", "_COM1.xlsx"]
    assert got[6] == "x" * 80 + ".xlsx" and got[7] == "城管局.xlsx"


def test_a_ledger_naming_its_leaders_puts_them_in_every_list(tmp_path):
    # 路长制: P1 and P2 have road chiefs (P3 none); the city of the module docstring
    city = build_city(tmp_path / "city")
    points = gpd.read_file(city / "points.gpkg")
    points["路长"] = ["王副区长", "李局长", None]
    points.to_file(city / "points.gpkg")
    config = city / "geotool.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'unit = "unit"\n', 'unit = "unit"\nleader = "路长"\n'), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["gaps", str(city), "--as-of", AS_OF, "--out", str(out)]) == 0
    head, places = _table(load_workbook(out / "units" / "城管局.xlsx")["遗忘场所"])
    assert head.index("责任领导/路长") == head.index("名称") + 1
    assert [(p["编号"], p["责任领导/路长"]) for p in places] == [("P1", "王副区长"),
                                                              ("P2", "李局长")]
    head, _ = _table(load_workbook(out / "units" / "教育局.xlsx")["遗忘场所"])
    assert "责任领导/路长" not in head  # its places name no leader: no empty column
    import pandas as pd

    feats = pd.read_csv(out / "features.csv", dtype=str, keep_default_na=False)
    assert dict(zip(feats["feature_id"], feats["leader"], strict=True)) == {
        "P1": "王副区长", "P2": "李局长", "P3": ""}
    head, rows = _table(load_workbook(out / "gaps.xlsx")["台账点位(未覆盖在前)"])
    assert {r["编号"]: r["责任领导/路长"] for r in rows} == {"P1": "王副区长", "P2": "李局长",
                                                        "P3": None}


def test_without_leaders_the_lists_have_no_empty_leader_column(tmp_path):
    city = build_city(tmp_path / "city")
    out = tmp_path / "out"
    assert main(["gaps", str(city), "--as-of", AS_OF, "--out", str(out)]) == 0
    head, _ = _table(load_workbook(out / "units" / "城管局.xlsx")["遗忘场所"])
    assert "责任领导/路长" not in head and "名称" in head
    head, _ = _table(load_workbook(out / "gaps.xlsx")["台账点位(未覆盖在前)"])
    assert "责任领导/路长" not in head and "责任单位" in head


def test_a_result_without_a_leader_column_still_makes_lists(tmp_path):
    # a GapResult of an older engine, or made by hand, has no leader column
    from geotool.analysis.gaps import find_gaps
    from geotool.analysis.worklists import unit_worklists
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(build_city(tmp_path / "city"))
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
        as_of=dt.date(2026, 9, 15)))
    result.features = result.features.drop(columns="leader")
    lists = unit_worklists(result)
    assert "leader" not in lists.places.columns
    assert lists.places["feature_id"].tolist() == ["P1", "P2"]
