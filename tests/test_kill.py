"""SIGKILL part-way through `geotool gaps` and `geotool maps`: nothing half-written.

A first run writes every output; then runs with another date are killed at
chosen moments. The kills are deterministic: ``GEOTOOL_KILL_AT=<point>:<n>``
makes geotool SIGKILL itself the n-th time it reaches ``point`` (``write``: a
temporary file is complete but not yet renamed; ``publish``: just renamed),
so every moment between two files is tested, whatever the machine's speed.
After each kill every output must be either the earlier file, byte for byte,
or the complete new one; the only other files allowed are geotool's own
hidden temporary files, which the next run removes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from geotool._atomic import TEMP_PREFIX

pytestmark = pytest.mark.slow

GAPS_FILES = {"features.csv", "districts.csv", "issues.csv", "units.csv", "blindspots.geojson",
              "gaps.xlsx", "run.json"}
SAMPLE = REPO / "layers"


def _geotool(*args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GEOTOOL_KILL_AT", None)
    if kill_at:
        env["GEOTOOL_KILL_AT"] = kill_at
    return subprocess.run([sys.executable, "-m", "geotool.cli", *args], env=env,
                          capture_output=True, check=False)


def _hashes(folder: Path) -> dict[str, str]:
    """sha256 of every output, geotool's own temporary files left out."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(TEMP_PREFIX)
                                       for part in p.relative_to(folder).parts)}


def _killed_states(args: list[str], out: Path, points: list[str]):
    """Run ``args`` killed at each point in turn; yield the folder after each kill."""
    for point in points:
        proc = _geotool(*args, kill_at=point)
        if proc.returncode == 0:  # the run wrote fewer files than the point counts
            return
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")
        yield point, _hashes(out)


def test_killed_gaps_leave_old_or_complete_files(tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert _geotool("gaps", str(SAMPLE), "--as-of", "2026-10-19", "--out", str(out)).returncode == 0
    old = _hashes(out)
    assert set(old) >= GAPS_FILES
    new_args = ["gaps", str(SAMPLE), "--as-of", "2026-10-26"]
    assert _geotool(*new_args, "--out", str(fresh)).returncode == 0
    new = _hashes(fresh)
    assert all(new[name] != old[name] for name in ("features.csv", "issues.csv", "run.json"))
    # every moment among the first files, then spread over the rest (unit workbooks)
    points = [f"write:{n}" for n in (*range(1, 9), 12, 20, 35, 60)] + ["publish:1", "publish:5"]
    kills = []
    for point, now in _killed_states([*new_args, "--out", str(out)], out, points):
        kills.append(point)
        assert set(now) == set(old), f"{point}: unexpected files {set(now) ^ set(old)}"
        for name, digest in now.items():
            assert digest in (old[name], new[name]), f"{point}: {name} is neither old nor new"
    # the run writes more files than the first eight points: each of them was a kill
    assert len([k for k in kills if k.startswith("write:")]) >= 8
    # the next complete run removes what the kills left
    assert _geotool(*new_args, "--out", str(out)).returncode == 0
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))
    assert _hashes(out) == new


def test_killed_maps_leave_old_or_complete_files(tmp_path):
    out = tmp_path / "maps"
    base = ["maps", str(SAMPLE), "--tiles", "none", "--out", str(out)]
    assert _geotool(*base, "--as-of", "2026-10-19").returncode == 0
    old = _hashes(out)
    assert "index.html" in old
    points = [f"write:{n}" for n in (1, 2, 3, 5)] + ["publish:1", "publish:4"]
    kills = 0
    for point, now in _killed_states([*base, "--as-of", "2026-10-26"], out, points):
        kills += 1
        assert set(now) == set(old), f"{point}: unexpected files {set(now) ^ set(old)}"
        for name in now:
            if now[name] != old[name]:
                text = (out / name).read_text(encoding="utf-8")
                assert text.rstrip().endswith("</html>"), f"{point}: {name} is cut short"
    assert kills == len(points)
