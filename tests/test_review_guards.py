"""Hostile-input review of the history store, risk and route (each found by a reviewer).

Each test is a case that went wrong before: a store written into a ledger, a
password shown in a message, GPX/KML files broken by a control character, a
config value turned into a traceback or an allocation beyond any machine, a
district name forging lines of the history listing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import xml.dom.minidom

import geopandas as gpd
import pandas as pd
import pytest

from geotool.cli import main


def _copy(sample_workspace, tmp_path, extra: str = ""):
    root = tmp_path / "ws"
    shutil.copytree(sample_workspace, root, ignore=shutil.ignore_patterns("history.gpkg"))
    if extra:
        with (root / "geotool.toml").open("a", encoding="utf-8") as f:
            f.write("\n" + extra)
    return root


def _md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_store_path_naming_a_ledger_geopackage_is_refused_and_the_ledger_untouched(
        sample_workspace, tmp_path, capsys):
    root = _copy(sample_workspace, tmp_path, '[history]\npath = "alleys.gpkg"\n')
    before = _md5(root / "alleys.gpkg")
    rc = main(["gaps", str(root), "--as-of", "2026-10-26", "--save", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "alleys.gpkg" in err and "不是 geotool 的历史库" in err and "(alleys" not in err, err
    assert _md5(root / "alleys.gpkg") == before
    assert main(["validate", str(root), "--out", str(tmp_path / "v")]) == 0  # still loads


@pytest.mark.parametrize("url", ["postgresql://p:s3:cr@3t@127.0.0.1:1/g",
                                 "postgresql://p:pw@[::1/g"])
def test_a_url_the_driver_would_misread_is_a_config_error_without_the_password(
        sample_workspace, tmp_path, capsys, url):
    root = _copy(sample_workspace, tmp_path, f'[history]\nurl = "{url}"\n')
    assert main(["history", str(root), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert "[history] url cannot be parsed" in err and "\n" not in err, err
    assert "cr@3t" not in err and "3t@" not in err and "pw" not in err.split("(")[0]


def test_passwords_are_hidden_in_the_query_and_in_driver_messages():
    from geotool.io.history.postgis import _redacted, _scrubbed

    url = "postgresql://127.0.0.1:1/g?user=p&password=s3cr3t"
    assert "s3cr3t" not in _redacted(url) and "password=***" in _redacted(url)
    said = 'connection to "127.0.0.1" failed: password=s3cr3t\nFATAL s3cr3t'
    assert _scrubbed(said, url) == 'connection to "127.0.0.1" failed: password=*** FATAL ***'


def test_route_files_stay_valid_xml_with_a_control_character_in_a_name(
        sample_workspace, tmp_path):
    root = _copy(sample_workspace, tmp_path)
    alleys = gpd.read_file(root / "alleys.gpkg")
    alleys["name"] = alleys["name"].astype(str) + "\x01小街"  # every stop's name
    alleys.to_file(root / "alleys.gpkg", driver="GPKG")
    out = tmp_path / "r"
    assert main(["route", str(root), "--as-of", "2026-10-26", "--district", "411603006",
                 "--out", str(out)]) == 0
    for name in ("route.gpx", "route.kml", "route_gcj02.gpx", "route_gcj02.kml"):
        doc = xml.dom.minidom.parse(str(out / name))  # raised ExpatError before
        names = [n.firstChild.data for n in doc.getElementsByTagName("name") if n.firstChild]
        assert any("\ufffd小街" in n for n in names), (name, names[:3])


@pytest.mark.parametrize(("edit", "args", "expected"), [
    (("preset = \"mock-2021\"", "preset = [\"mock-2021\"]"), [],
     "[evaluation] preset must be a string"),
    (("undeclared = 20", "undeclared = 20\nundeclared_cell_m = 0.01"), [],
     "undeclared_cell_m = 0.01 is outside the sane range 1–10000 m"),
    (None, ["--draws", "2000000000"], "is too many: at most 1,000,000"),
])
def test_risk_values_beyond_reason_are_one_line_errors(sample_workspace, tmp_path, capsys,
                                                       edit, args, expected):
    root = _copy(sample_workspace, tmp_path)
    if edit is not None:
        config = root / "geotool.toml"
        text = config.read_text(encoding="utf-8")
        assert edit[0] in text
        config.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    try:
        rc = main(["risk", str(root), "--as-of", "2026-10-26", "--lang", "en",
                   "--out", str(tmp_path / "x"), *args])
    except SystemExit as stop:  # an option's error: argparse's exit, status 2
        rc = stop.code
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err and "Traceback" not in err, err
    assert expected in err, err


def test_the_history_listing_shows_control_characters_escaped(sample_workspace, tmp_path,
                                                              capsys):
    root = _copy(sample_workspace, tmp_path)
    assert main(["gaps", str(root), "--as-of", "2026-10-26", "--save",
                 "--out", str(tmp_path / "o")]) == 0
    with sqlite3.connect(root / "history.gpkg") as db:
        db.execute("UPDATE snapshot_districts SET name = '河西区' || char(27) || '[31m'"
                   " || char(10) || '    川东区：排名 9' WHERE name = '河西区'")
        db.execute("UPDATE snapshots SET params = '{bad'")
    capsys.readouterr()
    assert main(["history", str(root)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "河西区\\x1b[31m\\x0a    川东区：排名 9" in out, out
    assert not any(line.startswith("    川东区：排名 9") for line in out.splitlines())


def _types(root, first_only: bool, value: str) -> None:
    path = root / "points.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for i, feature in enumerate(data["features"]):
        if not first_only or i == 0:
            feature["properties"]["type"] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_type_holding_an_at_sign_keeps_its_own_quota_per_district(sample_workspace, tmp_path):
    # every point is 学校@老城: quota 1 per district for that type, 0 for a type 学校
    # (which no point has). The old groups were "type@district" split at the first
    # "@": the quota of 学校 (0) was used, so the simulation drew nothing
    root = _copy(sample_workspace, tmp_path)
    _types(root, False, "学校@老城")
    config = root / "geotool.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("[evaluation]")] + '[evaluation]\nquotas = {'
                      '"points:学校@老城" = 1, "points:学校" = 0}\nscope = "district"\n'
                      "loss_per_failed_place = 1\n", encoding="utf-8")
    assert main(["risk", str(root), "--as-of", "2026-10-26", "--out", str(tmp_path / "r")]) == 0
    city = pd.read_csv(tmp_path / "r" / "risk.csv", encoding="utf-8-sig").iloc[-1]
    assert city["expected_drawn"] == 4.0  # one point in each of the 4 districts
    assert city["simulated_mean_loss"] > 0
    assert abs(city["expected_loss"] - city["simulated_mean_loss"]) < 0.1


def test_a_type_holding_an_at_sign_with_a_preset_per_district(sample_workspace, tmp_path):
    root = _copy(sample_workspace, tmp_path)
    _types(root, True, "志愿服务@站点")  # one point; the preset draws per district
    config = root / "geotool.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('preset = "mock-2021"', 'preset = "city-mock-78"'),
                      encoding="utf-8")
    assert main(["risk", str(root), "--as-of", "2026-10-26", "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "risk.csv").exists()  # a KeyError traceback before


def test_places_outside_every_district_are_not_drawn_by_either_figure(sample_workspace,
                                                                     tmp_path, capsys):
    # one community of the sample kept as the only district: 697 of the 738 places lie
    # outside it. Before, the exact figure spread the quotas over them too (1.73) while
    # the simulation drew only inside (12.27), and they topped the list to fix
    root = _copy(sample_workspace, tmp_path)
    path = root / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    keep = [f for f in data["features"] if str(f["properties"]["code"]) == "411603006"]
    keep[0]["properties"]["parent"] = None
    data["features"] = keep
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["risk", str(root), "--as-of", "2026-10-26", "--lang", "en",
                 "--out", str(tmp_path / "r")]) == 0
    assert "697 ledger place(s) lie outside every district" in capsys.readouterr().out
    risk = pd.read_csv(tmp_path / "r" / "risk.csv", encoding="utf-8-sig")
    assert abs(risk["expected_loss"] - risk["simulated_mean_loss"]).max() < 0.1
    places = pd.read_csv(tmp_path / "r" / "risk_places.csv", encoding="utf-8-sig",
                         dtype={"district": str})
    outside = places["district"].isna()
    assert outside.sum() == 697 and (places.loc[outside, "p_drawn"] == 0).all()


def test_an_empty_history_path_says_it_is_empty(sample_workspace, tmp_path, capsys):
    root = _copy(sample_workspace, tmp_path, '[history]\npath = "  "\n')
    assert main(["history", str(root), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert "[history] path is empty" in err and "must be a string" not in err, err


def test_gaps_terminal_summary_escapes_names_from_the_data(tmp_path, capsys):
    from _history_fixtures import D1, build_two_weeks

    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root)
    d = gpd.read_file(root / "districts.gpkg")
    d.loc[0, "name"] = "甲区\x1b[2J\n伪造行"  # clears the screen, forges a line
    d.to_file(root / "districts.gpkg")
    toml = root / "geotool.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'name = "两周市"', 'name = "两周市\\u001b[31m"'), encoding="utf-8")
    assert main(["gaps", str(root), "--as-of", str(D1), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\n伪造行" not in out
    assert "甲区\\x1b[2J\\x0a伪造行" in out and "两周市\\x1b[31m" in out
    # the files keep the names as they are
    districts = pd.read_csv(tmp_path / "out" / "districts.csv", dtype=str)
    assert "甲区\x1b[2J\n伪造行" in districts["name"].tolist()
