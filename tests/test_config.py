"""The workspace config (geotool.toml): what it accepts and how it says no."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geotool._errors import ConfigError
from geotool.io.config import Defaults, load_config, parse_as_of


def write(tmp_path: Path, text: str, files: tuple[str, ...] = ("d.geojson",)) -> Path:
    for name in files:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / "geotool.toml").write_text(text, encoding="utf-8")
    return tmp_path


MINIMAL = '[layers.districts]\npath = "d.geojson"\n'


def test_minimal_config_takes_the_defaults(tmp_path):
    ws = load_config(write(tmp_path, MINIMAL))
    assert ws.city == tmp_path.name
    assert ws.defaults == Defaults()
    assert ws.districts.path == (tmp_path / "d.geojson").resolve()
    assert ws.districts.id == "id" and ws.districts.crs is None
    assert ws.ledgers == ()
    assert ws.records.crs == "EPSG:4326" and ws.records.paths == ()


def test_full_config(tmp_path):
    text = """
[city]
name = "周口"

[defaults]
as_of = 2026-09-07
window_days = 14
match_radius_m = 30
reach_m = 250.5
min_blindspot_m2 = 0
recurrence_days = 20

[layers.districts]
path = "d.geojson"
id = "adcode"
crs = "gcj02"

[layers.markets]
path = "m.gpkg"
label = "农贸市场"
unit = "责任单位"
layer = "markets"

[records]
paths = ["records/*.csv", "records/*.xlsx"]
crs = "bd09"

[records.columns]
"巡查日期" = "found_at"
"""
    ws = load_config(write(tmp_path, text, ("d.geojson", "m.gpkg")))
    assert ws.city == "周口"
    assert ws.defaults.as_of == dt.date(2026, 9, 7)
    assert ws.defaults.window_days == 14
    assert ws.defaults.match_radius_m == 30.0 and isinstance(ws.defaults.match_radius_m, float)
    assert ws.districts.crs == "GCJ-02" and ws.districts.id == "adcode"
    (markets,) = ws.ledgers
    assert (markets.key, markets.label, markets.unit, markets.layer) == (
        "markets", "农贸市场", "责任单位", "markets")
    assert ws.records.crs == "BD-09"
    assert ws.records.columns == {"巡查日期": "found_at"}


def test_layer_crs_may_be_an_epsg_number(tmp_path):
    ws = load_config(write(tmp_path, MINIMAL + "crs = 4547\n"))
    assert ws.districts.crs == "EPSG:4547"


def test_config_accepts_the_folder_or_the_file_and_a_bom(tmp_path):
    write(tmp_path, MINIMAL)
    (tmp_path / "geotool.toml").write_bytes("\ufeff".encode() + MINIMAL.encode())
    assert load_config(tmp_path).config_path == load_config(tmp_path / "geotool.toml").config_path


def test_record_files_glob_sorted_once_and_skip_lock_files(tmp_path):
    write(tmp_path, MINIMAL + '[records]\npaths = ["r/*.csv", "r/a.csv", "r/**/*.xlsx"]\n')
    (tmp_path / "r" / "sub").mkdir(parents=True)
    for name in ("b.csv", "a.csv", "~$a.csv", ".hidden.csv", "sub/c.xlsx"):
        (tmp_path / "r" / name).write_text("x", encoding="utf-8")
    files = load_config(tmp_path).record_files()
    assert [f.name for f in files] == ["a.csv", "b.csv", "c.xlsx"]


def test_record_paths_may_be_absolute(tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "x.csv").write_text("x", encoding="utf-8")
    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    write(ws_dir, MINIMAL + f'[records]\npaths = ["{other.as_posix()}/*.csv"]\n')
    assert [f.name for f in load_config(ws_dir).record_files()] == ["x.csv"]


def test_layer_paths_may_be_absolute(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "d.geojson").write_text("{}", encoding="utf-8")
    ws_dir = tmp_path / "ws"
    ws_dir.mkdir()
    (ws_dir / "geotool.toml").write_text(
        f'[layers.districts]\npath = "{(data / "d.geojson").as_posix()}"\n', encoding="utf-8")
    assert load_config(ws_dir).districts.path == (data / "d.geojson").resolve()


@pytest.mark.parametrize(("text", "pattern"), [
    (MINIMAL + "[defaults]\nwindow_day = 7\n",
     r"unknown key 'window_day' in \[defaults\] \(did you mean 'window_days'\?\)"),
    (MINIMAL + "[record]\npaths = []\n",
     r"unknown key 'record' in the top level \(did you mean 'records'\?\)"),
    (MINIMAL + '[records]\npahts = ["*.csv"]\n', r"did you mean 'paths'"),
    (MINIMAL.replace('path = ', 'pth = "x"\npath = '), r"did you mean 'path'"),
    (MINIMAL + "[city]\nnmae = 'x'\n", r"unknown key 'nmae' in \[city\]"),
    (MINIMAL + "[defaults]\nwindow_days = '7'\n", r"window_days must be a whole number, got '7'"),
    (MINIMAL + "[defaults]\nwindow_days = 7.5\n", r"window_days must be a whole number"),
    (MINIMAL + "[defaults]\nreach_m = -5\n", r"reach_m must be positive"),
    (MINIMAL + "[defaults]\nreach_m = nan\n", r"reach_m must be a finite number"),
    (MINIMAL + "[defaults]\nmin_blindspot_m2 = -1\n", r"must not be negative"),
    (MINIMAL + "[defaults]\nwindow_days = true\n", r"window_days must be a whole number"),
    (MINIMAL + "[defaults]\nas_of = '9月7日'\n", r"as_of must be a date YYYY-MM-DD"),
    ("defaults = 3\n" + MINIMAL, r"\[defaults\] must be a table"),
    ("city = '周口'\n" + MINIMAL, r"\[city\] must be a table"),
    (MINIMAL + "[city]\nname = 3\n", r"name must be a string, got 3"),
    (MINIMAL.replace('"d.geojson"', "5"), r"path must be a string, got 5"),
    (MINIMAL.replace('"d.geojson"', '""'), r"path is empty"),
    (MINIMAL.replace('"d.geojson"', '"missing.geojson"'),
     r"path 'missing.geojson' does not exist .*fix the path"),
    (MINIMAL + 'crs = "mars"\n', r"\[layers.districts\] crs: unknown CRS 'mars'"),
    (MINIMAL + '[records]\ncrs = "huoxing"\n', r"\[records\] crs: unknown CRS"),
    (MINIMAL + "[records]\npaths = 5\n", r"paths must be a list of strings"),
    (MINIMAL + '[records.columns]\n"巡查日期" = 3\n', r"must map file headers"),
    (MINIMAL + '[records.columns]\n"巡查日期" = "found"\n',
     r"'巡查日期' = 'found': not a record column \(did you mean 'found_at'\?\)"),
    ("[layers.points]\npath = 'd.geojson'\n", r"\[layers.districts\] is required"),
    ("[layers\npath = 1", r"not valid TOML"),
    ("[[layers.districts]]\npath = 'd.geojson'\n", r"\[layers.districts\] must be a table"),
])
def test_bad_configs_name_the_file_and_the_fix(tmp_path, text, pattern):
    write(tmp_path, text)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_config(tmp_path)
    assert str(tmp_path / "geotool.toml") in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_config(tmp_path):
    with pytest.raises(ConfigError, match=r"no geotool\.toml here"):
        load_config(tmp_path)


def test_config_not_utf8(tmp_path):
    (tmp_path / "d.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "geotool.toml").write_bytes('[city]\nname = "周口"\n'.encode("gbk")
                                            + MINIMAL.encode())
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path)


def test_defaults_overrides_validate():
    d = Defaults().with_overrides(window_days=14, reach_m=None)
    assert d.window_days == 14 and d.reach_m == Defaults().reach_m
    with pytest.raises(ConfigError, match="command line: window_days must be positive"):
        Defaults().with_overrides(window_days=0)


def test_parse_as_of():
    assert parse_as_of("2026-09-07") == dt.date(2026, 9, 7)
    assert parse_as_of(dt.datetime(2026, 9, 7, 8, 30)) == dt.date(2026, 9, 7)
    with pytest.raises(ConfigError, match="must be a date"):
        parse_as_of("2026/9/7")
