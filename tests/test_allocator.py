"""The command switches transparent huge pages off for its own process only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATUS = Path("/proc/self/status")

pytestmark = pytest.mark.skipif(not STATUS.exists() or "THP_enabled" not in STATUS.read_text(),
                                reason="needs Linux 5.0+ (THP_enabled in /proc/self/status)")

# the tests' own process may have run a command in-process (and children inherit the
# setting): each probe starts with huge pages allowed again
_ALLOW = "import ctypes; ctypes.CDLL(None).prctl(41, 0, 0, 0, 0)\n"
_PROBE = _ALLOW + """
import sys
from geotool.cli import main
def thp():
    return [line.split()[1] for line in open('/proc/self/status') if line.startswith('THP_enabled')][0]
before = thp()
rc = main(sys.argv[1:])
print(before, thp(), rc)
"""


def _probe(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return done.stdout.split()


def test_a_command_runs_without_huge_pages(tmp_path: Path) -> None:
    # a command that fails at once (no workspace there) has still switched them off
    assert _probe("validate", str(tmp_path / "nowhere")) == ["1", "0", "2"]


def test_importing_the_library_leaves_the_process_alone() -> None:
    code = (_ALLOW + "import geotool, geotool.cli, geotool.io.workspace\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('THP_enabled')][0])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert done.stdout.split() == ["1"]


def test_keep_small_pages_in_a_child() -> None:
    code = (_ALLOW + "from geotool._allocator import keep_small_pages\n"
            "ok = keep_small_pages()\n"
            "print(ok, [l.split()[1] for l in open('/proc/self/status') if l.startswith('THP_enabled')][0])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert done.stdout.split() == ["True", "0"]
