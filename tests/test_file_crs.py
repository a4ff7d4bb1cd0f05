"""``[records.file_crs]``: a records file with a datum of its own.

An office's AMap spreadsheets are GCJ-02 while its GPS-app (奥维) CSV exports are WGS-84;
both lie in one records folder. Fixture: the two ledger points of
:mod:`test_bad_input` (P1 114.62, 33.62; P2 114.68, 33.63), three records
at each in ``a.csv`` as a GCJ-02 app writes them and the same places in
``b.csv`` as WGS-84. Read right, every record lies on its point (under a
metre: the GCJ-02 inverse is iterative); read as GCJ-02, ``b.csv`` would be
moved about 500 m (the GCJ-02 offset here is ~0.005° of longitude).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_bad_input import CONFIG, make_workspace, set_config

from geotool.cli import main
from geotool.crs import wgs84_to_gcj02

TRUTH = [(114.62, 33.62), (114.68, 33.63)] * 3
HEADER = "问题编号,发现时间,经度,纬度,问题类型,整改状态"


def _workspace(tmp_path, extra: str):
    root = make_workspace(tmp_path / "ws")
    for old in (root / "records").glob("*"):
        old.unlink()
    lon = np.array([t[0] for t in TRUTH])
    lat = np.array([t[1] for t in TRUTH])
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    a = [f"A{i},2026-09-0{i + 1},{x:.7f},{y:.7f},乱停乱放,未整改"
         for i, (x, y) in enumerate(zip(g_lon, g_lat, strict=True))]
    b = [f"B{i},2026-09-0{i + 1},{x},{y},小广告,未整改" for i, (x, y) in enumerate(TRUTH)]
    (root / "records" / "a.csv").write_text("\n".join([HEADER, *a]) + "\n", encoding="utf-8")
    (root / "records" / "b.csv").write_text("\n".join([HEADER, *b]) + "\n", encoding="utf-8")
    set_config(root, CONFIG + 'crs = "GCJ-02"\n' + extra)
    return root


def _offsets_deg(root) -> pd.Series:
    """Per record id: how far (degrees, the larger of lon and lat) it lies from its place."""
    issues = pd.read_csv(root / "out" / "issues.csv", encoding="utf-8-sig")
    truth = {f"{p}{i}": TRUTH[i] for p in "AB" for i in range(len(TRUTH))}
    want = issues["record_id"].map(truth)
    off = [max(abs(x - t[0]), abs(y - t[1]))
           for x, y, t in zip(issues["lon"], issues["lat"], want, strict=True)]
    return pd.Series(off, index=issues["record_id"]).sort_index()


def test_one_file_in_wgs84_beside_gcj02_files_lands_on_its_places(tmp_path, capsys):
    root = _workspace(tmp_path, '[records.file_crs]\n"records/b.csv" = "EPSG:4326"\n')
    assert main(["gaps", str(root), "--as-of", "2026-09-10", "--out", str(root / "out")]) == 0
    off = _offsets_deg(root)
    assert len(off) == 12
    assert off.max() < 1e-5, off  # all twelve on their points (about a metre)
    assert "坐标看起来" not in capsys.readouterr().err  # the datum guard is content
    assert main(["validate", str(root), "--out", str(root / "out")]) == 0
    summary = capsys.readouterr().out
    a_part, b_part = summary.split("records/a.csv")[1].split("records/b.csv")
    assert "由 GCJ-02 转换" in a_part and "转换" not in b_part.split("合计")[0], summary


def test_without_it_the_guard_names_the_file_and_the_line_to_add(tmp_path, capsys):
    root = _workspace(tmp_path, "")
    assert main(["gaps", str(root), "--as-of", "2026-09-10", "--out", str(root / "out")]) == 0
    off = _offsets_deg(root)
    assert off[[f"A{i}" for i in range(6)]].max() < 1e-5
    assert off[[f"B{i}" for i in range(6)]].min() > 0.003  # b.csv moved by the GCJ-02 shift
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("geotool: 警告: records/b.csv：坐标看起来是 EPSG:4326，不是 GCJ-02")
    assert err[0].endswith('在 [records.file_crs] 中加上 "records/b.csv" = "EPSG:4326"'), err
    # the line it names, added as it reads, is the fix
    set_config(root, CONFIG + 'crs = "GCJ-02"\n[records.file_crs]\n'
               '"records/b.csv" = "EPSG:4326"\n')
    assert main(["validate", str(root), "--strict", "--out", str(root / "out")]) == 0


def test_a_wrong_file_crs_line_is_what_the_guard_says_to_change(tmp_path, capsys):
    root = _workspace(tmp_path, '[records.file_crs]\n"records/*.csv" = "GCJ-02"\n'
                      '"records/b.csv" = "GCJ-02"\n')
    assert main(["validate", str(root), "--lang", "en", "--out", str(root / "out")]) == 0
    err = capsys.readouterr().err
    assert ("this file's datum comes from [records.file_crs]: change its entry to "
            '"records/b.csv" = "EPSG:4326"') in err, err


def test_a_pattern_matching_no_file_is_noted(tmp_path, capsys):
    root = _workspace(tmp_path, '[records.file_crs]\n"records/b.csv" = "EPSG:4326"\n'
                      '"records/奥维导出*.csv" = "EPSG:4326"\n')
    assert main(["validate", str(root), "--lang", "en", "--out", str(root / "out")]) == 0
    out = capsys.readouterr().out
    assert "[records.file_crs]: 'records/奥维导出*.csv' match(es) no records file" in out, out
    assert "records/b.csv" not in out.split("match(es) no records file")[0].split("\n")[-1]


@pytest.mark.parametrize(("extra", "expected"), [
    ('file_crs = "EPSG:4326"\n', "[records.file_crs] must map files"),
    ('[records.file_crs]\n"records/b.csv" = "GCJ02x"\n', "[records.file_crs] 'records/b.csv' crs"),
    ('[records.file_crs]\n"records/b.csv" = ["EPSG:4326"]\n', "must be a string"),
    ('[records.file_crs]\n"  " = "EPSG:4326"\n', "[records.file_crs] has an empty file name"),
    ('[records.file_crs]\n"records/*.csv" = "GCJ-02"\n"records/b*" = "EPSG:4326"\n',
     "[records.file_crs] gives"),
])
def test_bad_file_crs_is_a_one_line_error(tmp_path, capsys, extra, expected):
    root = _workspace(tmp_path, "")
    # [records.file_crs] after [records] crs: a sub-table, or a key of [records]
    set_config(root, CONFIG + 'crs = "GCJ-02"\n' + extra)
    assert main(["validate", str(root), "--lang", "en", "--out", str(root / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert expected in err, err
    if "gives" in expected:  # the file, and both patterns with their datums
        assert "b.csv" in err and "'records/*.csv' = GCJ-02" in err
        assert "'records/b*' = EPSG:4326" in err
