"""The history store (GeoPackage and PostGIS, one parametrised suite) and ``geotool diff``.

The two-week city and its hand-computed changes are in ``_history_fixtures``.
The PostGIS cases run against a real PostgreSQL 15 server started for the
session (``_postgres``).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pandas as pd
import pytest
from _history_fixtures import D1, D2, EXPECTED_CHANGES, build_two_weeks

from geotool._errors import HistoryError
from geotool.analysis.gaps import find_gaps
from geotool.analysis.snapshot import save_result, snapshot_of
from geotool.cli import main
from geotool.io.history import FAULT_ENV, GEOMETRY, SCHEMA_VERSION, TABLES, open_store
from geotool.io.history._schema import INDEXES
from geotool.io.workspace import load_workspace

BACKENDS = ["gpkg", "postgis"]


@pytest.fixture(scope="module")
def pg_server():
    from _postgres import Server

    server = Server()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """(kind, ``[history]`` body, store opener) for a fresh, empty store."""
    if request.param == "gpkg":
        path = tmp_path / "ws" / "history.gpkg"
        return "gpkg", 'path = "history.gpkg"', lambda: open_store(path=path)
    url = request.getfixturevalue("pg_server").database()
    return "postgis", f'url = "{url}"', lambda: open_store(url=url)


@pytest.fixture
def city(tmp_path, backend):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, backend[1])
    return root


def _gaps(city, date, *extra):
    out = city.parent / f"out-{date}"
    assert main(["gaps", str(city), "--as-of", date.isoformat(), "--out", str(out), "--save",
                 *extra]) == 0


def _save(city, opener, *dates):
    """Save snapshots through the library (quicker than the command for set-up)."""
    loaded = load_workspace(city)
    with opener() as store:
        for date in dates:
            save_result(store, find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
                as_of=date)))


def _counts(store, date):
    snap = store.load(date)
    return {k: len(getattr(snap, k)) for k in ("districts", "features", "issues", "blindspots")}


def test_diff_lists_exactly_the_hand_computed_changes(city, tmp_path):
    _gaps(city, D1)
    _gaps(city, D2)
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    ids = changes["record_id"].where(changes["record_id"] != "", changes["feature_id"])
    assert list(zip(changes["change"], changes["district"], ids, strict=True)) == EXPECTED_CHANGES
    reopened = changes[changes["change"] == "reopened"].iloc[0]
    assert (reopened["status_from"], reopened["status_to"]) == ("rectified", "open")
    d = pd.read_csv(out / "diff_districts.csv", dtype={"district_id": str}).set_index("district_id")
    assert d["rank_from"].to_dict() == {"A": 2, "B": 3, "C": 1}
    assert d["rank_to"].to_dict() == {"A": 1, "B": 2, "C": 3}
    assert d["rank_move"].to_dict() == {"A": "降 1 位", "B": "降 1 位", "C": "升 2 位"}
    assert d["score_change"].to_dict() == {"A": -30.0, "B": 0.0, "C": 33.33}
    assert d["coverage_rate_change"].to_dict() == {"A": -0.5, "B": 0.0, "C": 0.3333}
    assert d["overdue_issues_change"].to_dict() == {"A": 1, "B": 0, "C": -1}
    book = pd.read_excel(out / "diff.xlsx", sheet_name=None)
    sheet = book["变化清单"]
    assert sheet.columns[0] == "变化" and sheet["变化"].tolist()[:2] == ["新增问题", "已销号/已整改"]
    assert book["各区升降"].set_index("区划代码").loc["C", "升降"] == "升 2 位"


def test_diff_computes_a_date_not_stored_from_the_records(city, tmp_path, capsys):
    _gaps(city, D2)  # D1 never saved
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    assert "2026-10-12 未保存在历史库中" in capsys.readouterr().out
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    ids = changes["record_id"].where(changes["record_id"] != "", changes["feature_id"])
    assert list(zip(changes["change"], changes["district"], ids, strict=True)) == EXPECTED_CHANGES


def test_saving_the_same_date_twice_keeps_one_snapshot(city, backend):
    _gaps(city, D1)
    _gaps(city, D1, "--window-days", "3")
    with backend[2]() as store:
        assert store.dates() == [D1]
        assert len(store.snapshots()) == 1
        snap = store.load(D1)
        assert snap.params["window_days"] == 3
        assert _counts(store, D1) == {"districts": 3, "features": 7, "issues": 5,
                                      "blindspots": 0}


def test_snapshot_round_trip(city, backend):
    loaded = load_workspace(city)
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=D2))
    with backend[2]() as store:
        save_result(store, result)
        back = store.load(D2)
    want = snapshot_of(result)
    for part in ("districts", "features", "issues"):
        cols = [c for c, _ in TABLES[f"snapshot_{part}"][1:]]
        got = pd.DataFrame(getattr(back, part))[cols].reset_index(drop=True)
        exp = pd.DataFrame(getattr(want, part))[cols].reset_index(drop=True)
        for c in cols:
            if pd.api.types.is_datetime64_any_dtype(exp[c]):
                got[c], exp[c] = got[c].astype("datetime64[ns]"), exp[c].astype("datetime64[ns]")
            elif not pd.api.types.is_numeric_dtype(exp[c]):
                got[c], exp[c] = (x[c].astype(object).where(x[c].notna(), None) for x in (got, exp))
        pd.testing.assert_frame_equal(got, exp, check_dtype=False)
    assert back.features.geometry.geom_equals_exact(want.features.geometry, 1e-9).all()
    assert back.params == want.params and back.metric_crs == want.metric_crs


def _killed_save(city, date, n, mode="exit"):
    """``geotool gaps --save`` in a child process stopped after its n-th table write."""
    env = {**os.environ, FAULT_ENV: f"{n}:{mode}"}
    cmd = [sys.executable, "-m", "geotool.cli", "gaps", str(city), "--as-of", date.isoformat(),
           "--window-days", "3", "--save", "--out", str(city.parent / "killed")]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.slow
@pytest.mark.parametrize("n", [6, 10])
def test_a_save_killed_mid_transaction_leaves_the_store_as_it_was(city, backend, n):
    _save(city, backend[2], D1, D2)
    with backend[2]() as store:
        before = {d: _counts(store, d) for d in (D1, D2)}
    run = _killed_save(city, D2, n)  # replacing D2, killed after write n of 10 (5 deletes, 5 inserts)
    assert run.returncode == 75, run.stderr
    run = _killed_save(city, dt.date(2026, 10, 26), n)  # a new date, killed
    assert run.returncode == 75, run.stderr
    with backend[2]() as store:
        assert store.dates() == [D1, D2]
        assert {d: _counts(store, d) for d in (D1, D2)} == before
        assert store.load(D2).params["window_days"] == 7  # the old D2, not the killed one


def test_an_error_mid_save_rolls_back(city, backend, monkeypatch):
    _save(city, backend[2], D1)
    loaded = load_workspace(city)
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
        as_of=D1, window_days=3))
    monkeypatch.setenv(FAULT_ENV, "7")
    with backend[2]() as store:
        with pytest.raises(RuntimeError, match="after write 7"):
            save_result(store, result)
        assert store.dates() == [D1] and store.load(D1).params["window_days"] == 7


def test_schema_is_migrated_and_a_newer_one_refused(city, backend):
    kind, _, opener = backend
    with opener() as store:
        assert store.schema_version() == SCHEMA_VERSION
        with store._transaction() as cur:  # make it a version-1 store: no indexes
            for table, indexes in INDEXES.items():
                for cols in indexes:
                    cur.execute(f"DROP INDEX ix_{table}_{'_'.join(cols)}")
            if kind == "postgis":
                for table in GEOMETRY:
                    cur.execute(f"DROP INDEX ix_{table}_geom")
            cur.execute("DELETE FROM geotool_schema WHERE version > 1")
        assert store.schema_version() == 1
    with opener() as store:  # reopening migrates to the newest version again
        assert store.schema_version() == SCHEMA_VERSION
        with store._transaction() as cur:
            cur.execute(f"INSERT INTO geotool_schema (version) VALUES ({SCHEMA_VERSION + 1})")
    from geotool._errors import HistoryError

    with pytest.raises(HistoryError, match="newer geotool"):
        opener()


def test_history_lists_the_snapshots(city, capsys):
    _gaps(city, D1)
    _gaps(city, D2)
    capsys.readouterr()
    assert main(["history", str(city)]) == 0
    out = capsys.readouterr().out
    assert out.index("2026-10-12") < out.index("2026-10-19")
    assert "丙区：排名 1，得分 66.7" in out and "丙区：排名 3，得分 100.0" in out
    assert main(["--lang", "en", "history", str(city)]) == 0
    assert "window 7 days" in capsys.readouterr().out


def test_geopackage_layers_readable_by_pyogrio(tmp_path):
    import pyogrio

    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, 'path = "history.gpkg"')
    _gaps(root, D1)
    _gaps(root, D2)
    path = root / "history.gpkg"
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers == {"snapshots": None, "snapshot_districts": None,
                      "snapshot_features": "Point", "snapshot_issues": "Point",
                      "snapshot_blindspots": "MultiPolygon"}
    feats = pyogrio.read_dataframe(path, layer="snapshot_features")
    assert len(feats) == 14 and feats.crs.to_epsg() == 4326
    assert (feats[feats["feature_id"] == "PC3"]["visit_state"].tolist() == ["never", "clean"])
    districts = pyogrio.read_dataframe(path, layer="snapshot_districts")
    assert sorted(districts["rank"][districts["district_id"] == "C"]) == [1, 3]
    info = pyogrio.read_info(path, layer="snapshot_issues")
    assert info["features"] == 11


def test_history_without_a_store_says_so(tmp_path, capsys):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, "")
    assert main(["history", str(root)]) == 0
    assert "还没有快照" in capsys.readouterr().out
    assert not (root / "history.gpkg").exists()


def test_bad_history_config_is_one_line(tmp_path, capsys):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, 'url = "mysql://x"')
    assert main(["history", str(root)]) == 2
    err = capsys.readouterr().err
    assert "postgresql://" in err and len(err.strip().splitlines()) == 1


def test_unreachable_server_is_one_line(tmp_path, capsys):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, f'url = "postgresql://u:secret@/x?host={tmp_path}&port=1"')
    assert main(["history", str(root)]) == 2
    err = capsys.readouterr().err
    assert "无法连接历史库" in err and "secret" not in err and len(err.strip().splitlines()) == 1


def test_config_save_true_saves_every_gaps_run(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, "save = true")
    assert main(["gaps", str(root), "--as-of", str(D1), "--out", str(tmp_path / "out")]) == 0
    with open_store(path=root / "history.gpkg") as store:
        assert store.dates() == [D1]



@pytest.mark.parametrize("make", ["text file", "folder"])
def test_an_unusable_store_path_is_one_line(tmp_path, capsys, make):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, 'path = "history.gpkg"')
    path = root / "history.gpkg"
    if make == "folder":
        path.mkdir()
    else:
        path.write_text("问题编号,发现时间\n", encoding="utf-8")
    assert main(["history", str(root)]) == 2
    err = capsys.readouterr().err
    assert "history.gpkg" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    out = tmp_path / "out"  # gaps --save fails the same way, before any list is written
    assert main(["gaps", str(root), "--as-of", str(D1), "--out", str(out), "--save"]) == 2
    err = capsys.readouterr().err
    assert "history.gpkg" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def _rename_city(city, name):
    toml = city / "geotool.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('name = "两周市"', f'name = "{name}"'),
                    encoding="utf-8")


def test_a_store_of_another_city_is_refused_before_any_work(city, backend, capsys):
    _gaps(city, D1)
    capsys.readouterr()
    _rename_city(city, "邻市")  # another city's workspace pointed at this store
    out = city.parent / "out-other"
    assert main(["gaps", str(city), "--as-of", str(D1), "--out", str(out), "--save"]) == 2
    err = capsys.readouterr().err
    assert "两周市" in err and "邻市" in err and "另一个城市" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()  # refused before the analysis: no list written
    with backend[2]() as store:  # the first city's week is kept as it was
        assert store.dates() == [D1]
        assert store.snapshots()["city"].tolist() == ["两周市"]
        with pytest.raises(HistoryError, match="another city"):
            store.check_city("邻市")
        store.check_city("两周市")  # its own city passes


def test_saving_another_citys_snapshot_through_the_library_is_refused(city, backend):
    _save(city, backend[2], D1)
    loaded = load_workspace(city)
    snap = snapshot_of(find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=D1)))
    snap.city = "邻市"
    with backend[2]() as store, pytest.raises(HistoryError, match="another city"):
        store.save(snap)
    with backend[2]() as store:
        assert store.snapshots()["city"].tolist() == ["两周市"]
        assert _counts(store, D1) == {"districts": 3, "features": 7, "issues": 5,
                                      "blindspots": 0}


def test_diff_warns_when_the_dates_had_different_parameters(city, tmp_path, capsys):
    _gaps(city, D1, "--window-days", "3", "--reach-m", "250")
    _gaps(city, D2)
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "分析参数不同" in err and "reach_m 250.0 → 300.0" in err and "window_days 3 → 7" in err
    assert len(err.strip().splitlines()) == 1
    book = pd.read_excel(out / "diff.xlsx", sheet_name=None, header=None)
    for sheet in book.values():  # the workbook says so above each table
        assert "window_days 3 → 7" in str(sheet.iloc[0, 0])
        assert sheet.iloc[2, 0] in ("变化", "区划代码")  # then a blank row and the header


def test_diff_of_the_same_parameters_has_no_parameter_warning(city, tmp_path, capsys):
    _gaps(city, D1)
    _gaps(city, D2)
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    assert "参数" not in capsys.readouterr().err
    book = pd.read_excel(out / "diff.xlsx", sheet_name="变化清单", header=None)
    assert book.iloc[0, 0] == "变化"  # the table starts at the top, as before


def test_diff_refuses_two_cities(city, tmp_path, capsys):
    _gaps(city, D1)
    _rename_city(city, "邻市")  # D2 is computed for the renamed city
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "不同城市" in err and "两周市" in err and "邻市" in err and "Traceback" not in err
    assert not (out / "diff.csv").exists()


def test_diff_lists_an_issue_deleted_from_the_records(city, tmp_path):
    _gaps(city, D1)
    sheet = city / "records" / "records.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    sheet.write_text("".join(line for line in lines if not line.startswith("I1,")),
                     encoding="utf-8")  # the open issue I1 (PA1, district A) deleted
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    ids = changes["record_id"].where(changes["record_id"] != "", changes["feature_id"])
    expected = [*EXPECTED_CHANGES[:5], ("removed", "A", "I1"), *EXPECTED_CHANGES[5:]]
    assert list(zip(changes["change"], changes["district"], ids, strict=True)) == expected
    gone = changes[changes["change"] == "removed"].iloc[0]
    assert (gone["status_from"], gone["status_to"], gone["feature_id"]) == ("open", "", "PA1")
    assert (gone["category"], gone["lon"] != "") == ("乱堆乱倒", True)
    book = pd.read_excel(out / "diff.xlsx", sheet_name="变化清单")
    assert book["变化"].tolist()[5].startswith("记录中已消失")


def test_diff_of_a_date_far_from_the_records_says_so(city, tmp_path, capsys):
    _gaps(city, D2)
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", "2025-10-12", "--to", str(D2), "--out",
                 str(out)]) == 0  # 2025: a typo for 2026, computed from the records
    err = capsys.readouterr().err
    assert "2025-10-12" in err and "不在记录的日期范围" in err


def test_diff_matches_a_renumbered_issue_by_time_category_and_place(city, tmp_path, capsys):
    _gaps(city, D1)
    sheet = city / "records" / "records.csv"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("\nI4,", "\nI4-2026,"), encoding="utf-8")  # I4 renumbered
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    ids = changes["record_id"].where(changes["record_id"] != "", changes["feature_id"])
    expected = [(c, d, "I4-2026" if i == "I4" else i) for c, d, i in EXPECTED_CHANGES]
    assert list(zip(changes["change"], changes["district"], ids, strict=True)) == expected
    err = capsys.readouterr().err
    assert "1 个问题的编号与上期不同" in err
    top = pd.read_excel(out / "diff.xlsx", sheet_name="变化清单", header=None).iloc[:3, 0]
    assert top.str.contains("1 个问题的编号与上期不同", na=False).any()


_NO_ID_HEAD = "记录类型,发现时间,经度,纬度,点位编号,问题类型,整改时限,整改状态,整改完成时间\n"
_VISITS = "".join(f"巡查,2026-10-{d} 10:00,,,{p},,,,\n" for p, d in
                  (("PA1", 10), ("PB1", 11), ("PC1", 12), ("PA1", 15), ("PB1", 16), ("PC1", 17)))


def _no_id_row(p, found, deadline="2026-10-30", status="未整改", done="", category="乱堆乱倒"):
    return f"问题,{found},,,{p},{category},{deadline},{status},{done}\n"


def _no_id_diff(tmp_path, capsys, rows_d1, rows_d2, *, store='path = "history.gpkg"'):
    """Save D1 of a sheet without 问题编号, rewrite it, diff D1 -> D2: (issue changes, stderr)."""
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, store)
    sheet = root / "records" / "records.csv"
    sheet.write_text(_NO_ID_HEAD + "".join(rows_d1) + _VISITS, encoding="utf-8")
    _gaps(root, D1)
    sheet.write_text(_NO_ID_HEAD + "".join(rows_d2) + _VISITS, encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "diff"
    assert main(["diff", str(root), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    return changes[changes["record_id"] != ""], capsys.readouterr().err


def test_diff_of_a_sheet_without_ids_is_not_fooled_by_a_row_inserted_above(tmp_path, capsys):
    """Issues numbered by row: a row inserted at the top renumbers the rest.

    D1 (10-12): row 2 an issue at PA1 (10-08, deadline 10-10: overdue), row 3
    one at PB1 (10-09). D2 (10-19): a new issue at PC1 (10-14, deadline 10-16:
    overdue) inserted as row 2, the PB1 one (now row 4) rectified on 10-15.
    The changes: the new issue (C, row 2), newly overdue too (it is not the
    overdue PA1 issue that row 2 was), the PB1 one closed (row 4, was row 3);
    nothing removed; two issues renumbered.
    """
    issues, err = _no_id_diff(tmp_path, capsys, [
        _no_id_row("PA1", "2026-10-08 09:00", "2026-10-10"), _no_id_row("PB1", "2026-10-09 09:00"),
    ], [
        _no_id_row("PC1", "2026-10-14 09:00", "2026-10-16"),
        _no_id_row("PA1", "2026-10-08 09:00", "2026-10-10"),
        _no_id_row("PB1", "2026-10-09 09:00", status="已整改", done="2026-10-15 10:00"),
    ])
    assert list(zip(issues["change"], issues["district"], issues["record_id"],
                    issues["record_id_from"], issues["status_from"], strict=True)) == [
        ("new_issue", "C", "records.csv##2", "", ""),
        ("closed", "B", "records.csv##4", "records.csv##3", "open"),
        ("newly_overdue", "C", "records.csv##2", "", "")]
    assert "2 个问题的编号与上期不同" in err


def test_diff_of_a_row_corrected_in_place_is_that_row(tmp_path, capsys):
    # no row moved; row 2's category corrected (乱堆乱倒 -> 积水): the same issue, no change
    issues, err = _no_id_diff(tmp_path, capsys, [_no_id_row("PA1", "2026-10-08 09:00")],
                              [_no_id_row("PA1", "2026-10-08 09:00", category="积水")])
    assert issues.empty and "编号与上期不同" not in err


def test_diff_matches_times_with_fractions_of_a_second_stored_without(tmp_path, capsys):
    # the GeoPackage keeps whole seconds; D2, computed from the records, keeps the fraction
    row = _no_id_row("PA1", "2026-10-08 09:00:01.250")
    issues, _ = _no_id_diff(tmp_path, capsys, [row, _no_id_row("PB1", "2026-10-09 09:00")],
                            [_no_id_row("PC1", "2026-10-14 09:00"), row,
                             _no_id_row("PB1", "2026-10-09 09:00")])
    assert list(zip(issues["change"], issues["record_id"], strict=True)) == [
        ("new_issue", "records.csv##2")]


def test_an_issue_id_with_two_hashes_is_matched_by_id(city, tmp_path):
    # 城东#10#001 is an office's 问题编号, not a row: corrected in category, it is the same issue
    _gaps(city, D1)
    sheet = city / "records" / "records.csv"
    text = sheet.read_text(encoding="utf-8").replace("\nI4,", "\n城东#10#001,")
    sheet.write_text(text, encoding="utf-8")
    _gaps(city, D1)  # D1 again, with the id as the office writes it
    sheet.write_text(text.replace("乱停乱放", "占道经营"), encoding="utf-8")
    out = tmp_path / "diff"
    assert main(["diff", str(city), "--from", str(D1), "--to", str(D2), "--out", str(out)]) == 0
    changes = pd.read_csv(out / "diff.csv", dtype=str, keep_default_na=False)
    mine = changes[changes["record_id"] == "城东#10#001"]
    assert mine["change"].tolist() == ["newly_overdue"]


def test_two_files_of_one_name_in_two_folders_keep_their_issues_apart(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root)
    config = root / "geotool.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'paths = ["records/*.csv"]', 'paths = ["records/*/*.csv"]'), encoding="utf-8")
    (root / "records" / "records.csv").unlink()
    for folder, p in (("东区", "PA1"), ("西区", "PC1")):  # each office's weekly sheet: 周报.csv
        (root / "records" / folder).mkdir()
        (root / "records" / folder / "周报.csv").write_text(
            _NO_ID_HEAD + _no_id_row(p, "2026-10-08 09:00"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["gaps", str(root), "--as-of", str(D1), "--out", str(out)]) == 0
    issues = pd.read_csv(out / "issues.csv", dtype=str)
    assert dict(zip(issues["record_id"], issues["feature_ids"], strict=True)) == {
        "东区/周报.csv##2": "PA1", "西区/周报.csv##2": "PC1"}
