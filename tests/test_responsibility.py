"""Issue #13: the responsibility check on a grid drawn in metres (UTM 50N).

District A: x 0–2000, y 0–1000 (offsets from X0, Y0). Cells: g1 = x 0–1100 (unit 城管局),
g2 = x 1000–2000, y 0–600 (no unit). By hand: the overlap is 100 × 600 = 60,000 m²; the
gap is x 1100–2000, y 600–1000 = 900 × 400 = 360,000 m².
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point, box

from geotool._errors import ConfigError
from geotool.analysis.responsibility import responsibility_check
from geotool.cli import main
from geotool.io.config import load_config
from geotool.io.workspace import load_workspace

UTM = "EPSG:32650"
X0, Y0 = 500_000.0, 3_720_000.0


def _workspace(root, check='[check]\nlayer = "grid"\n'):
    root.mkdir(parents=True)
    gpd.GeoDataFrame({"id": ["A"], "name": ["甲区"]}, geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000)],
                     crs=UTM).to_file(root / "districts.geojson")
    gpd.GeoDataFrame({"id": ["g1", "g2"], "name": ["一网格", "二网格"], "unit": ["城管局", None]},
                     geometry=[box(X0, Y0, X0 + 1100, Y0 + 1000),
                               box(X0 + 1000, Y0, X0 + 2000, Y0 + 600)],
                     crs=UTM).to_file(root / "grid.geojson")
    gpd.GeoDataFrame({"id": ["P1", "P2", "P3", "P4"], "name": ["甲", "乙", "丙", "丁"],
                      "unit": [None, None, None, "住建局"]},
                     geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 300),
                               Point(X0 + 1500, Y0 + 800), Point(X0 + 1500, Y0 + 900)],
                     crs=UTM).to_file(root / "points.geojson")
    (root / "geotool.toml").write_text(f"""[layers.districts]
path = "districts.geojson"
[layers.points]
path = "points.geojson"
unit = "unit"
[layers.grid]
path = "grid.geojson"
unit = "unit"
{check}""", encoding="utf-8")
    return root


def test_one_gap_one_overlap_and_places_without_a_unit(tmp_path):
    result = responsibility_check(load_workspace(_workspace(tmp_path / "ws")))
    assert result.cells == 2 and result.layer == "grid"
    assert result.gaps[["district_id", "part"]].values.tolist() == [["A", 1]]
    assert result.gaps["area_m2"].tolist() == pytest.approx([360_000.0], abs=0.5)
    assert result.overlaps[["cell_a", "cell_b"]].values.tolist() == [["g1", "g2"]]
    assert result.overlaps["area_m2"].tolist() == pytest.approx([60_000.0], abs=0.5)
    # P1 takes 城管局 from its cell; P2's cell has no unit; P3 lies in the gap; P4 has its own
    assert result.no_unit["feature_id"].tolist() == ["P2", "P3"]
    assert result.outside["feature_id"].tolist() == ["P3", "P4"]
    # the gap's point lies inside the gap (WGS-84)
    gap_pt = gpd.GeoSeries.from_xy(result.gaps["lon"], result.gaps["lat"], crs=4326).to_crs(UTM)
    assert result.gaps.to_crs(UTM).geometry.iloc[0].buffer(1e-6).contains(gap_pt.iloc[0])


def test_check_command_writes_workbook_and_geojson(tmp_path, capsys):
    root = _workspace(tmp_path / "ws")
    out = tmp_path / "out"
    assert main(["check", str(root), "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "1 gap(s) (360,000 m²), 1 overlap(s) (60,000 m²), 2 feature(s) with no unit, " \
           "2 feature(s) outside every cell" in text
    book = load_workbook(out / "check.xlsx", read_only=True)
    assert book.sheetnames == ["Gaps", "Overlaps", "No unit", "Outside cells"]
    doc = json.loads((out / "check.geojson").read_text(encoding="utf-8"))
    problems = sorted(f["properties"]["problem"] for f in doc["features"])
    assert problems == ["gap", "no_unit", "no_unit", "outside", "outside", "overlap"]


def test_validate_summary_has_the_check_line(tmp_path, capsys):
    assert main(["validate", str(_workspace(tmp_path / "ws")), "--out", str(tmp_path / "o")]) == 0
    assert "责任全覆盖检查（图层 grid，2 个网格）：空白 1 处" in capsys.readouterr().out


def test_without_check_the_command_says_how_to_configure_it(tmp_path, capsys):
    root = _workspace(tmp_path / "ws", check="")
    assert main(["check", str(root)]) == 2
    assert "[check]" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="not a ledger layer"):
        load_config(_workspace(tmp_path / "bad", check='[check]\nlayer = "网格"\n'))
