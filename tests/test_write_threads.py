"""``write_gaps`` writes in two threads: a failure anywhere still ends the run cleanly.

The workbooks and the GeoJSON are written by worker threads beside the CSVs.
Whichever file fails (a full disk is injected at the n-th finished file with
``GEOTOOL_FAIL_AT``), the command ends with one line and exit 2, every file in
the output folder is the previous run's or a complete new one, no temporary
file is left, and ``run.json`` (written last) is the previous run's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_gaps import build_city

from geotool import _atomic
from geotool.cli import main


def _state(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A city, the output of a first run, and the complete output of a second date."""
    root = tmp_path_factory.mktemp("threads")
    city = build_city(root / "city")
    first, second = root / "first", root / "second"
    assert main(["gaps", str(city), "--as-of", "2026-09-15", "--out", str(first)]) == 0
    assert main(["gaps", str(city), "--as-of", "2026-09-20", "--out", str(second)]) == 0
    old, new = _state(first), _state(second)
    assert old["run.json"] != new["run.json"] and len(old) > 8
    assert set(old) == set(new)  # the same files: a failed run may publish any of them
    return city, first, old, new


@pytest.mark.parametrize("point", ["write:1", "write:4", "write:7", "write:9"])
def test_a_failed_file_in_any_thread_ends_the_run_cleanly(runs, tmp_path, point, monkeypatch,
                                                          capsys):
    city, first, old, new = runs
    out = tmp_path / "out"
    for name in old:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes((first / name).read_bytes())
    monkeypatch.setattr(_atomic, "_reached", {})
    monkeypatch.setenv("GEOTOOL_FAIL_AT", point)
    assert main(["gaps", str(city), "--as-of", "2026-09-20", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "injected" in err[0]
    now = _state(out)
    assert set(now) == set(old)  # nothing half-written, no temporary file left
    assert now["run.json"] == old["run.json"]
    assert all(digest in (old[name], new[name]) for name, digest in now.items())
