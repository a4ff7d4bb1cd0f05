"""A command reads its record files while geopandas loads (geotool.io.early_read).

``load_workspace(early=...)`` takes the tables read in the thread only when
they were read from the very files (size and time) and config words it finds
itself; otherwise it reads the files again. Errors come as without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_bad_input import CONFIG, HEADER, csv_file, make_workspace

from geotool._errors import InputError
from geotool.cli import main
from geotool.io.early_read import EarlyRead
from geotool.io.workspace import load_workspace


def _workspace(root: Path, rows: list[str]) -> Path:
    """test_bad_input's small workspace, with these record rows."""
    make_workspace(root)
    csv_file(root, [HEADER, *rows])
    return root


def _ids(loaded) -> list[str]:
    return sorted(loaded.records["record_id"].astype(str))


def test_the_tables_read_early_are_the_ones_loaded(tmp_path):
    root = _workspace(tmp_path / "ws", ["R1,2026-09-01,114.62,33.62,小广告,未整改"])
    early = EarlyRead(root)
    early.wait()
    # same size and time stamp, other text: only a load that took the early tables
    # can still see R1
    csv = root / "records" / "r.csv"
    stat = csv.stat()
    csv.write_text(csv.read_text("utf-8").replace("R1", "R9"), encoding="utf-8")
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _ids(load_workspace(root, early=early)) == ["R1"]
    assert _ids(load_workspace(root)) == ["R9"]


def test_a_file_changed_since_is_read_again(tmp_path):
    root = _workspace(tmp_path / "ws", ["R1,2026-09-01,114.62,33.62,小广告,未整改"])
    early = EarlyRead(root)
    early.wait()
    with (root / "records" / "r.csv").open("a", encoding="utf-8") as f:
        f.write("R2,2026-09-02,114.63,33.61,乱停乱放,未整改\n")
    assert _ids(load_workspace(root, early=early)) == ["R1", "R2"]


def test_other_config_words_are_read_again(tmp_path):
    # the early reading knew no id column; the config now says 工单流水 is the id
    root = _workspace(tmp_path / "ws", ["R1,2026-09-01,114.62,33.62,小广告,未整改"])
    csv = root / "records" / "r.csv"
    csv.write_text(csv.read_text("utf-8").replace("问题编号", "工单流水"), encoding="utf-8")
    early = EarlyRead(root)
    early.wait()
    config = root / "geotool.toml"
    config.write_text(CONFIG + '\n[records.columns]\n"工单流水" = "record_id"\n', encoding="utf-8")
    assert _ids(load_workspace(root, early=early)) == ["R1"]


def test_a_broken_records_file_gives_the_same_error(tmp_path):
    root = _workspace(tmp_path / "ws", [])
    (root / "records" / "r.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as plain:
        load_workspace(root)
    early = EarlyRead(root)
    with pytest.raises(InputError) as taken:
        load_workspace(root, early=early)
    assert str(taken.value) == str(plain.value) and "r.csv" in str(taken.value)


def test_a_config_the_thread_cannot_read_is_refused_by_the_load(tmp_path, capsys):
    root = _workspace(tmp_path / "ws", ["R1,2026-09-01,114.62,33.62,小广告,未整改"])
    (root / "geotool.toml").write_text("[city\n", encoding="utf-8")
    assert main(["gaps", str(root), "--as-of", "2026-09-05", "--out", str(tmp_path / "o"),
                 "--lang", "en"]) == 2
    assert "geotool.toml" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_the_gaps_command_still_writes_its_lists(tmp_path, capsys):
    # the command starts its early reading, then loads and writes as before
    root = _workspace(tmp_path / "ws", ["R1,2026-09-01,114.62,33.62,小广告,未整改",
                                        "R2,2026-09-02,114.80,33.61,乱停乱放,未整改"])
    assert main(["gaps", str(root), "--as-of", "2026-09-05", "--out", str(tmp_path / "o")]) == 0
    issues = (tmp_path / "o" / "issues.csv").read_text("utf-8-sig")
    assert "R1" in issues


def test_the_command_line_starts_without_geopandas():
    # what lets the reading start first (and `geotool --help` answer at once)
    code = ("import sys, geotool.cli; "
            "print(sorted(m for m in ('geopandas', 'pandas', 'shapely', 'pyproj') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_package_still_offers_its_functions():
    import geotool

    assert callable(geotool.find_gaps) and callable(geotool.load_workspace)
    assert "blindspots" in dir(geotool)
    with pytest.raises(AttributeError, match="no_such"):
        _ = geotool.no_such
