"""`geotool demo` from an installed wheel, outside any checkout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_demo_runs_from_a_wheel_install(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(REPO)], check=True, capture_output=True)
    (wheel,) = wheels.glob("geotool-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(py), "-m", "geotool.cli", "demo", "--tiles", "none", "--out",
                           str(run_dir)], cwd=run_dir, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    where = subprocess.run([str(py), "-c", "import geotool; print(geotool.__file__)"], cwd=run_dir,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert str(venv) in where  # the installed copy ran, not the checkout
    assert (run_dir / "out" / "features.csv").exists()
    assert (run_dir / "maps" / "index.html").exists()
