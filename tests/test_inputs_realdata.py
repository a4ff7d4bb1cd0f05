"""Issue #13 on real data: DataV county polygons of 周口 (GCJ-02) and OSM stations (WGS-84).

Records are taken at each station by a phone app (GCJ-02) and the config forgets
``crs``: the guard names the file and the fix. With the fix and ``[extent]
buffer_m = 1000`` the blind-spot share of a county with stations is that of the
1 km discs outside the 300 m reach (about 1 − 0.3² = 0.91), not 100 %.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import REALDATA

from geotool.analysis.gaps import find_gaps
from geotool.crs import wgs84_to_gcj02
from geotool.io.workspace import load_workspace


def _realdata() -> Path:
    for path in (REALDATA, Path(os.environ.get("GEOTOOL_REALDATA", "/nonexistent"))):
        if path.is_dir():
            return path
    pytest.skip("real data (../shared/realdata or $GEOTOOL_REALDATA) is not on this machine")


def _workspace(root: Path, data: Path, records_crs: str, extent: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stations = data / "osm_stations" / "henan_targets_railway_stations_osm.geojson"
    zk = gpd.read_file(stations)
    zk = zk[zk["area_name"] == "周口市"]
    lon, lat = wgs84_to_gcj02(zk.geometry.x.to_numpy(), zk.geometry.y.to_numpy())
    rows = [f"R{i}-{k},巡查,2026-09-0{k + 1},{x:.7f},{y:.7f}"
            for i, (x, y) in enumerate(zip(lon, lat, strict=True)) for k in range(3)]
    (root / "records").mkdir(exist_ok=True)
    (root / "records" / "巡查.csv").write_text("编号,记录类型,发现时间,经度,纬度\n" + "\n".join(rows)
                                             + "\n", encoding="utf-8")
    (root / "geotool.toml").write_text(f"""[defaults]
as_of = 2026-09-05
[layers.districts]
path = "{data / 'boundaries' / '411600_full.json'}"
id = "adcode"
crs = "GCJ-02"
[layers.stations]
path = "{stations}"
[records]
paths = ["records/*.csv"]
{records_crs}
{extent}""", encoding="utf-8")
    return root


def test_real_counties_guard_and_extent(tmp_path):
    data = _realdata()
    loaded = load_workspace(_workspace(tmp_path / "forgot", data, "", ""))
    assert [(f.file, f.likely) for f in loaded.datum_findings] == [("records/巡查.csv", "GCJ-02")]
    assert 300 < loaded.datum_findings[0].offset_m < 800
    assert loaded.features["feature_id"].is_unique  # stations named only: ids from names

    plain = load_workspace(_workspace(tmp_path / "fixed", data, 'crs = "GCJ-02"', ""))
    assert plain.datum_findings == []
    shares = find_gaps(plain, params=plain.workspace.defaults).districts
    top = shares[shares["level"] == 0]
    assert (top["blindspot_share"] > 0.99).all()          # the issue: every county all blind

    ext = load_workspace(_workspace(tmp_path / "extent", data, 'crs = "GCJ-02"',
                                    "[extent]\nbuffer_m = 1000\n"))
    d = find_gaps(ext, params=ext.workspace.defaults).districts
    top = d[d["level"] == 0].set_index("district_id")
    with_stations = top[top["features"] > 0]
    assert len(with_stations) >= 3
    assert with_stations["blindspot_share"].between(0.85, 0.95).all(), with_stations
    assert (top.loc[top["features"] == 0, "blindspot_share"] == 0).all()
