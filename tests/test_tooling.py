"""The tooling that keeps the code honest, run with the suite.

The import contract (output → analysis → io → core), the full ruff rule set
configured in ``pyproject.toml`` (``[tool.ruff.lint]``: pyflakes, pycodestyle,
pyupgrade, bugbear, pylint, import order, ruff's own, comprehensions, simplify;
no function-local import without a reason) over ``geotool``, ``tests``,
``scripts`` and ``bench``, mypy with the ``[tool.mypy]`` settings (no error in
``geotool/``), and the size rule (no module over 500 lines).
``.pre-commit-config.yaml`` runs the same ruff check, and mypy as well.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BIN = Path(sys.executable).parent
#: what ruff checks, here and in .pre-commit-config.yaml
RUFF_PATHS = ("geotool", "tests", "scripts", "bench")


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)


def test_import_contract_is_kept():
    done = _run(_tool("lint-imports"))
    assert done.returncode == 0, done.stdout[-3000:]


def test_ruff_finds_nothing_with_the_configured_rules():
    """Every rule of ``pyproject.toml`` (no ``--select``) on the package, tests, scripts, bench."""
    done = _run(_tool("ruff"), "check", *RUFF_PATHS)
    assert done.returncode == 0, done.stdout[-3000:]


def test_mypy_finds_no_errors():
    """``mypy geotool`` with the project's configuration: every hand-off type-checks."""
    done = _run(_tool("mypy"), "geotool")
    assert done.returncode == 0, done.stdout[-3000:]


def test_no_module_is_over_500_lines():
    long = {p.relative_to(REPO).as_posix(): n for p in (REPO / "geotool").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_pre_commit_runs_the_same_ruff_check():
    config = (REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"entry: ruff check {' '.join(RUFF_PATHS)}\n" in config
