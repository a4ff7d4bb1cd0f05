"""Issue #13: blind spots inside an analysis extent, on a workspace drawn in metres (UTM 50N).

District A is the 2 km × 1 km box x 500000–502000, y 3720000–3721000 (2,000,000 m²).
Discs are 32-gons: area 16 r² sin(π/16), 280,930.1 m² for r = 300, 780,361.2 m² for r = 500.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geotool._errors import ConfigError
from geotool.analysis.extent import suggest_extent
from geotool.analysis.gaps import find_gaps
from geotool.cli import main
from geotool.io.config import load_config
from geotool.io.workspace import load_workspace
from geotool.output.render.extent_layer import extent_layer

UTM = "EPSG:32650"
X0, Y0 = 500_000.0, 3_720_000.0


def _gon(r: float) -> float:
    return 16 * r * r * math.sin(math.pi / 16)


def _workspace(root, extent: str, record=(X0, Y0), big: bool = False):
    root.mkdir(parents=True)
    size = 20_000 if big else 2000
    gpd.GeoDataFrame({"id": ["A"], "name": ["甲区"]}, geometry=[box(X0, Y0, X0 + size, Y0 + size / 2)],
                     crs=UTM).to_file(root / "districts.geojson")
    gpd.GeoDataFrame({"id": ["P1"], "name": ["点"]}, geometry=[Point(X0 + 1500, Y0 + 500)],
                     crs=UTM).to_file(root / "points.geojson")
    gpd.GeoDataFrame({"id": ["C1"], "name": ["社区"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                     crs=UTM).to_file(root / "communities.geojson")
    gpd.GeoDataFrame(geometry=[box(X0 - 500, Y0 - 500, X0 + 1000, Y0 + 1500)],
                     crs=UTM).to_file(root / "建成区.geojson")
    (root / "records").mkdir()
    (root / "records" / "r.csv").write_text(
        f"问题编号,发现时间,经度,纬度,问题类型\nR1,2026-09-09,{record[0]},{record[1]},积水\n",
        encoding="utf-8")
    communities = ('[layers.communities]\npath = "communities.geojson"\n'
                   if "communities" in extent else "")
    (root / "geotool.toml").write_text(f"""[defaults]
as_of = 2026-09-10
[layers.districts]
path = "districts.geojson"
[layers.points]
path = "points.geojson"
{communities}[records]
paths = ["records/*.csv"]
crs = "{UTM}"
{extent}""", encoding="utf-8")
    return root


def _district(root):
    loaded = load_workspace(root)
    result = find_gaps(loaded, params=loaded.workspace.defaults)
    return result, result.districts.set_index("district_id").loc["A"]


def test_without_extent_nothing_changes(tmp_path):
    result, a = _district(_workspace(tmp_path / "ws", ""))
    assert a["blindspot_area_m2"] == pytest.approx(2_000_000 - _gon(300) / 4, abs=0.5)
    assert a["blindspot_share"] == pytest.approx(0.9649, abs=1e-4)
    assert "extent_area_m2" not in result.districts and result.extent is None


@pytest.mark.parametrize("extent", ['[extent]\npath = "建成区.geojson"\n',
                                    '[extent]\nlayers = ["communities"]\n'])
def test_blind_spots_inside_the_extent(tmp_path, extent):
    # the extent inside A is its left half (1,000,000 m²); the record covers a quarter disc
    result, a = _district(_workspace(tmp_path / "ws", extent))
    blind = 1_000_000 - _gon(300) / 4                     # 929,767.5 m²
    assert a["extent_area_m2"] == pytest.approx(1_000_000, abs=0.5)
    assert a["blindspot_area_m2"] == pytest.approx(blind, abs=0.5)
    assert a["blindspot_share"] == pytest.approx(round(blind / 1_000_000, 4))
    covered = result.features.set_index("feature_id")["covered"]
    assert not covered["P1"]                                # coverage is not clipped
    assert "P1" not in ";".join(result.blindspots["feature_ids_inside"])  # outside the extent


def test_buffer_extent_around_ledger_features(tmp_path):
    # within 500 m of P1, minus the 300 m reach of a record at P1: 780,361.2 − 280,930.1 m²
    _result, a = _district(_workspace(tmp_path / "ws", "[extent]\nbuffer_m = 500\n",
                                     record=(X0 + 1500, Y0 + 500)))
    assert a["extent_area_m2"] == pytest.approx(_gon(500), abs=0.5)
    assert a["blindspot_area_m2"] == pytest.approx(_gon(500) - _gon(300), abs=0.5)
    assert a["blindspot_share"] == pytest.approx(0.64, abs=1e-4)
    assert a["covered"] == 1


def test_map_layer_draws_the_extent_outline(tmp_path):
    result, _ = _district(_workspace(tmp_path / "ws", '[extent]\npath = "建成区.geojson"\n'))
    outline = result.districts[result.districts["district_id"] == "A"]
    layer, name = extent_layer(result, outline, result.metric_crs, "WGS-84", "zh")
    assert name == "分析范围" and layer.kind == "outline"
    result.extent = None
    assert extent_layer(result, outline, result.metric_crs, "WGS-84", "zh") is None


@pytest.mark.parametrize(("extent", "match"), [
    ('[extent]\nbuffer_m = 500\nlayers = ["communities"]\n', "exactly one of"),
    ('[extent]\nlayers = ["markets"]\n', "not a ledger layer"),
    ('[extent]\nbuffer_m = -1\n', "buffer_m"),
    ('[extent]\nbuffer_m = 5\ncrs = "GCJ-02"\n', "crs/layer go with path"),
])
def test_bad_extent_is_a_config_error(tmp_path, extent, match):
    root = _workspace(tmp_path / "ws", extent)
    with pytest.raises(ConfigError, match=match):
        load_config(root)


def test_validate_suggests_an_extent_for_large_empty_districts(tmp_path, capsys):
    root = _workspace(tmp_path / "big", "", big=True)  # 200 km², one feature
    assert suggest_extent(load_workspace(root)) is not None
    assert main(["validate", str(root), "--out", str(tmp_path / "o")]) == 0
    assert "[extent]" in capsys.readouterr().out
    assert suggest_extent(load_workspace(_workspace(tmp_path / "small", ""))) is None
