"""``geotool validate``: exit codes, one-line errors, the account of every row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import in_ci
from shapely.geometry import Point, box

from geotool.cli import main
from geotool.io.workspace import load_workspace

CONFIG = """[city]
name = "周口"

[layers.districts]
path = "districts.geojson"

[layers.points]
path = "points.geojson"
label = "测评点位"

[records]
paths = ["records/*.csv"]
"""
HEADER = "问题编号,发现时间,经度,纬度,问题类型,整改状态"


def workspace(root: Path, rows: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"id": ["A", "B"], "name": ["川汇区", "淮阳区"]},
                     geometry=[box(114.60, 33.60, 114.65, 33.65), box(114.65, 33.60, 114.70, 33.65)],
                     crs=4326).to_file(root / "districts.geojson")
    gpd.GeoDataFrame({"id": ["P1", "P2"], "name": ["周口站", "人民公园"]},
                     geometry=[Point(114.62, 33.62), Point(114.68, 33.63)],
                     crs=4326).to_file(root / "points.geojson")
    (root / "records").mkdir(exist_ok=True)
    (root / "records" / "r.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (root / "geotool.toml").write_text(CONFIG, encoding="utf-8")
    return root


GOOD = ["R1,2026-09-01,114.62,33.62,乱停乱放,未整改", "R2,2026-09-02,114.68,33.63,小广告,已整改"]
BAD = "R3,2026-09-03,0,0,积水,未整改"


def test_usable_workspace_exits_0_in_chinese(tmp_path, capsys):
    ws = workspace(tmp_path / "ws", GOOD)
    code = main(["validate", str(ws), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "records/r.csv: 读入 2，使用 2，隔离 0" in out
    assert "合计: 读入 6，使用 6，隔离 0" in out
    assert out.rstrip().endswith("工作区可用")
    assert not (tmp_path / "out" / "quarantine.csv").exists()


def test_quarantined_rows_exit_0_and_are_written(tmp_path, capsys):
    ws = workspace(tmp_path / "ws", [*GOOD, BAD])
    code = main(["validate", str(ws), "--lang", "en", "--out", str(tmp_path / "out")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "records/r.csv: read 3, used 2, quarantined 1" in out
    assert "total: read 7, used 6, quarantined 1" in out
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str, encoding="utf-8-sig")
    assert q[["row", "reason_code", "value"]].values.tolist() == [["4", "zero_coordinates", "0,0"]]


def test_quarantine_reasons_follow_the_language(tmp_path, capsys):
    ws = workspace(tmp_path / "ws", [*GOOD, BAD])
    gpd.GeoDataFrame({"id": ["P1", "P1"], "name": ["周口站", "重复"]},
                     geometry=[Point(114.62, 33.62), Point(114.63, 33.62)],
                     crs=4326).to_file(ws / "points.geojson")
    for lang, expected in (("en", "duplicate id (the first one is kept)"),
                           ("zh", "编号重复（保留第一条）")):
        assert main(["validate", str(ws), "--lang", lang, "--out", str(tmp_path / lang)]) == 0
        q = pd.read_csv(tmp_path / lang / "quarantine.csv", dtype=str, encoding="utf-8-sig")
        assert q.loc[q["reason_code"] == "duplicate_feature_id", "reason"].tolist() == [expected]
        assert q.loc[q["layer"] == "points", "row"].tolist() == ["2"]
    capsys.readouterr()


def test_strict_exits_3_when_rows_are_quarantined(tmp_path, capsys):
    ws = workspace(tmp_path / "ws", [*GOOD, BAD])
    code = main(["validate", str(ws), "--strict", "--lang", "en", "--out", str(tmp_path / "o")])
    _, err = capsys.readouterr()
    assert code == 3
    assert "--strict: 1 row(s) quarantined" in err
    assert "Traceback" not in err


def test_strict_exits_0_when_nothing_is_quarantined(tmp_path, capsys):
    ws = workspace(tmp_path / "ws", GOOD)
    assert main(["validate", str(ws), "--strict", "--out", str(tmp_path / "o")]) == 0


@pytest.mark.parametrize(("breakage", "named", "pattern"), [
    (lambda ws: (ws / "geotool.toml").write_text(CONFIG.replace("paths", "path"),
                                                 encoding="utf-8"),
     "geotool.toml", "unknown key 'path' in [records] (did you mean 'paths'?)"),
    (lambda ws: (ws / "records" / "r.csv").write_bytes(b""), "r.csv", "empty"),
    (lambda ws: (ws / "points.geojson").write_text("not json", encoding="utf-8"),
     "points.geojson", "cannot read as a vector layer"),
])
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, breakage, named, pattern):
    ws = workspace(tmp_path / "ws", GOOD)
    breakage(ws)
    code = main(["validate", str(ws), "--lang", "en", "--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("geotool: error: ")
    assert named in err and pattern in err
    assert "Traceback" not in err


def test_missing_workspace_folder_exits_2(tmp_path, capsys):
    code = main(["validate", str(tmp_path / "nowhere")])
    _, err = capsys.readouterr()
    assert code == 2 and "geotool.toml" in err and "错误" in err


def test_load_workspace_accounts_for_every_row(tmp_path):
    ws = workspace(tmp_path / "ws", [*GOOD, BAD, ",,,,,"])
    loaded = load_workspace(ws)
    assert loaded.read == 7
    assert loaded.used + len(loaded.quarantine) == loaded.read
    assert [(a.kind, a.read, a.used, a.quarantined) for a in loaded.accounts] == [
        ("districts", 2, 2, 0), ("layer:points", 2, 2, 0), ("records", 3, 2, 1)]
    assert loaded.layer_labels() == {"points": "测评点位"}
    assert str(loaded.records.crs) == str(loaded.features.crs) == str(loaded.districts.crs) \
        == "EPSG:4326"


def test_installed_entry_point(tmp_path):
    exe = shutil.which("geotool", path=str(Path(sys.executable).parent)) or shutil.which("geotool")
    if exe is None:
        if in_ci():
            pytest.fail("the geotool command is not installed: CI must pip install the package")
        pytest.skip("the geotool command is not installed (pip install -e .)")
    ws = workspace(tmp_path / "ws", [*GOOD, BAD])
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run([exe, "validate", str(ws), "--out", str(tmp_path / "o")],
                        check=False, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "读入 3，使用 2，隔离 1" in ok.stdout
    strict = subprocess.run([exe, "validate", str(ws), "--strict", "--out", str(tmp_path / "o")],
                            check=False, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert strict.returncode == 3
    (ws / "geotool.toml").write_text("[layers\n", encoding="utf-8")
    bad = subprocess.run([exe, "validate", str(ws)], check=False, capture_output=True, text=True,
                         encoding="utf-8", env=env, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "geotool.toml" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_realdata_zhoukou_districts_in_gcj02(tmp_path, realdata):
    """周口's DataV county polygons (GCJ-02) load, move to WGS-84 and are valid."""
    source = realdata / "boundaries" / "411600_full.json"
    (tmp_path / "geotool.toml").write_text(
        f'[city]\nname = "周口"\n\n[layers.districts]\npath = "{source.as_posix()}"\n'
        'id = "adcode"\ncrs = "GCJ-02"\n', encoding="utf-8")
    loaded = load_workspace(tmp_path)
    d = loaded.districts
    (account,) = loaded.accounts
    assert account.read == account.used == 10 and account.quarantined == 0
    assert account.converted_from == "GCJ-02"
    assert set(d["name"]) >= {"川汇区", "淮阳区", "项城市", "鹿邑县"}
    assert (d["level"] == 0).all()  # their parent, 411600 (the city), is not in the file
    assert d.geometry.is_valid.all()
    assert str(d.crs) == "EPSG:4326"
    raw = gpd.read_file(source).set_index(gpd.read_file(source)["adcode"].astype(str))
    crs = "EPSG:32650"
    for code in ("411602", "411681"):  # 川汇区, 项城市
        converted = d.set_index("district_id").loc[[code]].to_crs(crs).geometry.centroid.iloc[0]
        original = raw.loc[[code]].to_crs(crs).geometry.centroid.iloc[0]
        shift = converted.distance(original)
        assert 300 < shift < 800, (code, shift)   # GCJ-02 is a few hundred metres off
        assert converted.x < original.x           # and WGS-84 lies west of it here
