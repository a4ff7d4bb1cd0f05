"""The inspection route: tour order against brute force, stop choice, the files a phone opens."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_risk import make_result

from geotool._errors import GeotoolError
from geotool.analysis.risk import evaluation_risk
from geotool.analysis.route import plan_route, solve_tour, stop_points, tour_length
from geotool.cli import main
from geotool.crs import gcj02_to_wgs84
from geotool.io.evaluation import EvaluationSpec
from geotool.output.render.district_map import district_map
from geotool.output.render.extras import RiskOverlay, RouteOverlay
from geotool.output.render.tiles import resolve_tiles
from geotool.output.route_files import write_route

GPX = "{http://www.topografix.com/GPX/1/1}"
KML = "{http://www.opengis.net/kml/2.2}"


def _dist(xy: np.ndarray) -> np.ndarray:
    return np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])


def _brute(dist: np.ndarray, closed: bool) -> float:
    n = len(dist)
    return min(tour_length(dist, np.r_[0, perm], closed=closed)
               for perm in itertools.permutations(range(1, n)))


@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_tour_is_as_short_as_brute_force_on_up_to_ten_points(seed, closed):
    rng = np.random.default_rng(seed)
    n = 5 + seed  # 5..10 points
    dist = _dist(rng.uniform(0, 3000, (n, 2)))
    order = solve_tour(dist, closed=closed)
    assert order[0] == 0 and sorted(order.tolist()) == list(range(n))
    best = _brute(dist, closed)
    # distances are rounded to 1/30000 of the longest leg for the solver
    assert tour_length(dist, order, closed=closed) <= best * (1 + 1e-3)


def test_open_path_on_a_line_walks_away_from_the_start():
    xy = np.array([[0, 0], [3, 0], [1, 0], [2, 0], [4, 0]], dtype=float)
    assert solve_tour(_dist(xy), closed=False).tolist() == [0, 2, 3, 1, 4]
    assert solve_tour(_dist(xy[:2])).tolist() == [0, 1]


def _district(forgotten: list[bool], district: str = "A", x: float = 100.0) -> list[dict]:
    return [{"x": x + 100 * i, "y": 300.0 + 50 * (i % 2), "layer": "alleys", "type": "",
             "district": district, "open": 0, "covered": not f}
            for i, f in enumerate(forgotten)]


def test_route_visits_the_districts_forgotten_places_and_comes_back():
    result = make_result(_district([True, False, True, True]) + _district([True], "B", x=1500))
    route = plan_route(result, "A", start=None)
    stops = route.stops
    assert sorted(stops.loc[stops["order"] > 0, "feature_id"]) == ["F0", "F2", "F3"]
    assert stops["order"].tolist()[0] == 0 and stops["order"].tolist()[-1] == 0
    assert stops["cumulative_km"].iloc[-1] == pytest.approx(stops["leg_km"].sum(), abs=2e-3)
    assert route.total_km == pytest.approx(stops["leg_km"].sum(), abs=2e-3)
    assert (stops["lon"].iloc[0], stops["lat"].iloc[0]) == (stops["lon"].iloc[-1],
                                                            stops["lat"].iloc[-1])


def test_a_start_far_from_the_district_is_refused():
    # --start 0,0 (a placeholder) planned an 18,550 km "morning tour"
    result = make_result(_district([True, False, True]))
    inside = result.districts.geometry.iloc[0].representative_point()
    route = plan_route(result, "A", start=(inside.x, inside.y))
    assert route.stops["order"].iloc[0] == 0
    for lon, lat in ((0.0, 0.0), (inside.x + 0.5, inside.y)):  # 0.5 degrees: ~45 km east
        with pytest.raises(GeotoolError) as exc:
            plan_route(result, "A", start=(lon, lat))
        assert exc.value.message.key == "route.start_far"
        assert exc.value.message.params["km"] > 30


def test_max_stops_keeps_the_never_inspected_first_and_says_so():
    result = make_result(_district([True, True, True]))
    result.features.loc[0, "last_touched"] = pd.Timestamp("2026-10-01")
    route = plan_route(result, "A", max_stops=2, closed=False)
    assert sorted(route.stops["feature_id"].iloc[1:]) == ["F1", "F2"]
    assert [n.key for n in route.notes] == ["route.cut"]
    assert len(route.stops) == 3  # start + 2, no return


def test_risk_stops_follow_the_savings():
    places = _district([False, False, False])
    places[1]["open"] = 2
    result = make_result(places)
    risk = evaluation_risk(result, EvaluationSpec(quotas={"alleys": 1}), draws=1)
    route = plan_route(result, "A", stops="risk", risk=risk)
    assert route.stops["feature_id"].iloc[1:-1].tolist() == ["F1"]
    with pytest.raises(GeotoolError, match="needs the workspace"):
        plan_route(result, "A", stops="all")
    with pytest.raises(GeotoolError, match="Z"):
        plan_route(result, "Z")


def test_stops_of_lines_and_areas_lie_on_them():
    import geopandas as gpd
    import shapely

    s = gpd.GeoSeries([shapely.LineString([(0, 0), (0, 10), (10, 10)]),
                       shapely.Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])])
    line_pt, area_pt = stop_points(s)
    assert (line_pt.x, line_pt.y) == (0.0, 10.0)
    assert s.iloc[1].contains(area_pt)  # inside an L-shaped compound, not its centroid


def test_route_files_open_as_gpx_kml_xlsx_csv_and_escape_names(tmp_path):
    places = _district([True, True])
    result = make_result(places)
    result.features.loc[0, "name"] = "<b>=HYPERLINK(\"x\")</b> & 巷"
    route = plan_route(result, "A")
    write_route(route, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["route.csv", "route.gpx", "route.kml", "route.xlsx", "route_gcj02.gpx",
                     "route_gcj02.kml"]
    gpx = ET.parse(tmp_path / "route.gpx").getroot()
    pts = gpx.findall(f"{GPX}rte/{GPX}rtept")
    assert len(pts) == 4 and pts[0].find(f"{GPX}name").text == "0. 出发点"
    assert any("<b>=HYPERLINK" in p.find(f"{GPX}name").text for p in pts)  # text, not markup
    gcj = ET.parse(tmp_path / "route_gcj02.gpx").getroot().findall(f"{GPX}rte/{GPX}rtept")
    lon, lat = gcj02_to_wgs84(float(gcj[1].get("lon")), float(gcj[1].get("lat")))
    assert float(lon) == pytest.approx(float(pts[1].get("lon")), abs=1e-6)
    assert float(lat) == pytest.approx(float(pts[1].get("lat")), abs=1e-6)
    assert abs(float(gcj[1].get("lon")) - float(pts[1].get("lon"))) > 1e-3  # really shifted
    kml = ET.parse(tmp_path / "route.kml").getroot()
    marks = kml.findall(f"{KML}Document/{KML}Placemark")
    assert len(marks) == 1 + 4
    line = marks[0].find(f"{KML}LineString/{KML}coordinates").text.split()
    assert len(line) == 4
    book = openpyxl.load_workbook(tmp_path / "route.xlsx")
    sheet = book.active
    assert [c.value for c in sheet[1]][:4] == ["顺序", "图层", "编号", "名称"]
    cells = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, str) and v.startswith("<b>=HYPERLINK") for v in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    csv = pd.read_csv(tmp_path / "route.csv", encoding="utf-8-sig")
    assert csv["name"].iloc[-1] == "返回出发点"


def test_route_and_risk_draw_on_the_district_map():
    places = _district([True, False, True])
    places[1]["open"] = 1
    result = make_result(places)
    result.features.loc[1, "name"] = "<script>alert(1)</script>"
    route = plan_route(result, "A")
    risk = evaluation_risk(result, EvaluationSpec(quotas={"alleys": 1}), draws=1)
    result.districts["rank"] = 1
    for col in ("coverage_rate", "covered", "features", "open_issues", "overdue_issues",
                "blindspot_share"):
        result.districts[col] = 0
    page = district_map(result, "A", tiles=resolve_tiles("none"), index_href=None,
                        extras=[RouteOverlay(route), RiskOverlay(risk)])
    assert "晨查路线" in page.overlays and any("测评风险" in o for o in page.overlays)
    assert "<script>alert(1)</script>" not in page.html
    assert "优先整改" in page.html and "&lt;script&gt;" in page.html


@pytest.mark.slow
def test_route_through_xuzhuang_on_the_sample_city(sample_workspace, tmp_path, capsys):
    out = tmp_path / "route"
    assert main(["route", str(sample_workspace), "--as-of", "2026-10-26", "--district",
                 "411603006", "--tiles", "none", "--out", str(out)]) == 0
    assert "许庄镇" in capsys.readouterr().out
    table = pd.read_csv(out / "route.csv", encoding="utf-8-sig")
    assert len(table) > 10 and (table["layer"].iloc[1:-1] == "alleys").mean() > 0.5
    assert table["address"].iloc[1:-1].str.contains("许庄镇").all()
    assert (out / "route.html").read_text(encoding="utf-8").count('"stops"') >= 1
    assert main(["route", str(sample_workspace), "--as-of", "2026-10-26", "--district",
                 "411603006", "--start", "114.60,33.60", "--stops", "all", "--max-stops", "5",
                 "--tiles", "none", "--out", str(out)]) == 0
    assert len(pd.read_csv(out / "route.csv", encoding="utf-8-sig")) == 7
    with pytest.raises(SystemExit) as info:
        main(["route", str(sample_workspace), "--district", "411603006", "--start", "north"])
    assert info.value.code == 2
    assert "请写成 经度,纬度" in capsys.readouterr().err  # Chinese by default


@pytest.fixture
def two_weeks(tmp_path):
    from _history_fixtures import build_two_weeks

    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root)
    return root


def _route(root, out, district):
    return main(["route", str(root), "--as-of", "2026-10-19", "--district", district,
                 "--out", str(out), "--tiles", "none"])


def test_route_takes_a_district_by_name(two_weeks, tmp_path, capsys):
    # 2026-10-19: PA2 (甲区) is forgotten; the route by name equals the route by id
    assert _route(two_weeks, tmp_path / "by-name", " 甲区 ") == 0
    assert _route(two_weeks, tmp_path / "by-id", "A") == 0
    by_name = pd.read_csv(tmp_path / "by-name" / "route.csv", encoding="utf-8-sig")
    by_id = pd.read_csv(tmp_path / "by-id" / "route.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(by_name, by_id)
    assert "PA2" in by_name["feature_id"].astype(str).tolist()


def test_route_with_a_name_several_districts_bear_asks_for_the_id(two_weeks, tmp_path, capsys):
    d = gpd.read_file(two_weeks / "districts.gpkg")
    d.loc[d["code"] == "C", "name"] = "甲区"
    d.to_file(two_weeks / "districts.gpkg")
    assert _route(two_weeks, tmp_path / "r", "甲区") == 2
    err = capsys.readouterr().err
    assert "甲区 (A), 甲区 (C)" in err and "代码" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_route_with_an_unknown_district_lists_a_dozen_at_most(two_weeks, tmp_path, capsys):
    d = gpd.read_file(two_weeks / "districts.gpkg")
    many = pd.concat([d] * 10, ignore_index=True)  # 30 top-level districts
    many["code"] = [f"D{i:02d}" for i in range(len(many))]
    many["name"] = [f"区{i:02d}" for i in range(len(many))]
    gpd.GeoDataFrame(many, geometry="geometry", crs=d.crs).to_file(two_weeks / "districts.gpkg")
    assert _route(two_weeks, tmp_path / "r", "丁区") == 2
    err = capsys.readouterr().err
    assert "'丁区'" in err and "区11 (D11)" in err and "区12 (D12)" not in err
    assert "另有 18 个" in err and len(err.strip().splitlines()) == 1
