"""The ``geotool`` command leaves with os._exit once main returns: nothing it printed or wrote is lost.

:func:`geotool.cli.run` flushes the streams and skips the interpreter's teardown
(freeing a large run's objects one by one). These run the command in a child
process, as a planner does, and check what a normal exit would have given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from geotool._cli_run import EXIT_OK, EXIT_UNUSABLE

SAMPLE = REPO / "layers"


def _command(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geotool.cli", *args], check=False,
                          timeout=600, **kw)


def test_output_piped_to_a_file_is_complete_and_the_files_are_written(tmp_path: Path):
    out = tmp_path / "out"
    done = _command("gaps", str(SAMPLE), "--as-of", "2026-10-26", "--lang", "en", "--out",
                    str(out), capture_output=True, text=True)
    assert done.returncode == EXIT_OK, done.stderr
    last = done.stdout.rstrip("\n").splitlines()[-1]
    assert str(out) in last  # the final line, printed just before the process left
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))  # written last, whole
    assert "issues.csv" in run["files"] and (out / "issues.csv").stat().st_size > 0


def test_an_error_keeps_its_exit_code_and_message(tmp_path: Path):
    done = _command("gaps", str(tmp_path / "missing"), "--as-of", "2026-10-26", "--lang", "en",
                    "--out", str(tmp_path / "out"), capture_output=True, text=True)
    assert done.returncode == EXIT_UNUSABLE
    assert done.stderr.startswith("geotool: ") and "Traceback" not in done.stderr


def test_a_reader_that_leaves_early_is_not_an_error(tmp_path: Path):
    # `geotool gaps ... | head -1`: the pipe is closed before the last lines are flushed
    proc = subprocess.Popen([sys.executable, "-m", "geotool.cli", "gaps", str(SAMPLE), "--as-of",
                             "2026-10-26", "--out", str(tmp_path / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=600) == EXIT_OK
    assert "Traceback" not in err and "Exception ignored" not in err
    assert (tmp_path / "out" / "run.json").exists()


def _closed(fd: int):
    def close() -> None:  # in the child, before geotool starts: as `>&-` or `2>&-` do
        os.close(fd)
    return close


def test_standard_output_closed_from_the_start_still_writes_every_file(tmp_path: Path):
    out = tmp_path / "out"
    done = _command("gaps", str(SAMPLE), "--as-of", "2026-10-26", "--out", str(out),
                    stderr=subprocess.PIPE, preexec_fn=_closed(1))
    assert done.returncode == EXIT_OK, done.stderr
    assert (out / "run.json").exists() and (out / "issues.csv").stat().st_size > 0


def test_standard_error_closed_keeps_the_exit_codes(tmp_path: Path):
    done = _command("gaps", str(SAMPLE), "--as-of", "2026-10-26", "--out", str(tmp_path / "o"),
                    stdout=subprocess.DEVNULL, preexec_fn=_closed(2))
    assert done.returncode == EXIT_OK and (tmp_path / "o" / "run.json").exists()
    done = _command("gaps", str(tmp_path / "missing"), "--as-of", "2026-10-26", "--out",
                    str(tmp_path / "o2"), stdout=subprocess.DEVNULL, preexec_fn=_closed(2))
    assert done.returncode == EXIT_UNUSABLE
