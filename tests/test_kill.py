"""SIGKILL part-way through `geotool gaps` and `geotool maps`: nothing half-written.

A first run writes every output; then runs with another date are killed at
several moments. After each kill every output must be either the earlier
file, byte for byte, or the complete new one, and no other file (no partial
or temporary file) may be in the folder.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

sys.path.insert(0, str(REPO / "bench"))
from bench_gaps import make_workspace

GAPS_FILES = {"features.csv", "districts.csv", "issues.csv", "units.csv", "blindspots.geojson",
              "gaps.xlsx", "run.json"}


def _geotool(*args: str) -> list[str]:
    return [sys.executable, "-m", "geotool.cli", *args]


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _kill_runs(cmd: list[str], total_s: float) -> int:
    """Start ``cmd`` repeatedly and SIGKILL it at fractions of its run time; return kills."""
    killed = 0
    for fraction in (0.35, 0.6, 0.75, 0.85, 0.92, 0.97):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(total_s * fraction)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        yield killed


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("bench") / "ws", records=300_000,
                          features=6_000, districts=40)


def test_killed_gaps_leave_old_or_complete_files(big_workspace, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    subprocess.run(_geotool("gaps", str(big_workspace), "--as-of", "2026-10-19", "--out",
                            str(out)), check=True, capture_output=True)
    old = _hashes(out)
    assert set(old) - {"quarantine.csv"} == GAPS_FILES
    start = time.perf_counter()
    new_cmd = _geotool("gaps", str(big_workspace), "--as-of", "2026-10-26", "--out", str(fresh))
    subprocess.run(new_cmd, check=True, capture_output=True)
    total = time.perf_counter() - start
    new = _hashes(fresh)
    assert all(new[name] != old[name] for name in ("features.csv", "issues.csv"))
    cmd = _geotool("gaps", str(big_workspace), "--as-of", "2026-10-26", "--out", str(out))
    kills = 0
    for kills in _kill_runs(cmd, total):
        now = _hashes(out)
        assert set(now) == set(old), f"unexpected files after a kill: {set(now) ^ set(old)}"
        for name, digest in now.items():
            assert digest in (old[name], new[name]), f"{name} is neither the old nor the new file"
    assert kills >= 3, "the runs finished before they could be killed: nothing was tested"


def test_killed_maps_leave_old_or_complete_files(tmp_path):
    ws = make_workspace(tmp_path / "ws", records=60_000, features=3_000, districts=12)
    out = tmp_path / "maps"
    subprocess.run(_geotool("maps", str(ws), "--as-of", "2026-10-19", "--tiles", "none",
                            "--out", str(out)), check=True, capture_output=True)
    old = _hashes(out)
    assert "index.html" in old and len(old) == 13
    cmd = _geotool("maps", str(ws), "--as-of", "2026-10-26", "--tiles", "none", "--out", str(out))
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    total = time.perf_counter() - start
    subprocess.run(_geotool("maps", str(ws), "--as-of", "2026-10-19", "--tiles", "none",
                            "--out", str(out)), check=True, capture_output=True)
    kills = 0
    for kills in _kill_runs(cmd, total):
        now = _hashes(out)
        assert set(now) == set(old), f"unexpected files after a kill: {set(now) ^ set(old)}"
        for name in now:
            if now[name] != old[name]:
                text = (out / name).read_text(encoding="utf-8")
                assert text.rstrip().endswith("</html>"), f"{name} is cut short"
    assert kills >= 3, "the runs finished before they could be killed: nothing was tested"
