"""Shared test fixtures. Keep fixtures specific to one area in that area's test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _browser_fixtures import chromium, sample_maps, sample_result, view  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "layers"
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The public real data beside the repository (``../shared/realdata``)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this clone (only on the project's machines)")
    return REALDATA


@pytest.fixture(scope="session")
def sample_workspace() -> Path:
    """The bundled sample city."""
    assert (SAMPLE / "geotool.toml").exists(), "layers/geotool.toml missing: run scripts/make_sample_city.py"
    return SAMPLE


def in_ci() -> bool:
    """True on CI, where nothing that CI is meant to exercise may skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
