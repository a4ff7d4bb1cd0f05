"""The cycle collector is paused for a stage and always comes back on."""

from __future__ import annotations

import gc

import pytest

from geotool._collector import collector_paused
from geotool._errors import GeotoolError
from geotool.io.workspace import load_workspace


def test_nested_pauses_restore_the_collector_once_the_outer_ends():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the inner end leaves the outer's pause
    assert gc.isenabled()


def test_a_paused_function_called_twice_and_failing_leaves_it_on():
    seen = []

    @collector_paused()
    def stage(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("bad row")

    stage(False)
    with pytest.raises(ValueError, match="bad row"):
        stage(True)
    assert seen == [False, False]
    assert gc.isenabled()


def test_unusable_workspace_leaves_the_collector_on(tmp_path):
    with pytest.raises(GeotoolError):
        load_workspace(tmp_path / "no such folder")
    assert gc.isenabled()
