"""issues.csv written while the analysis finishes: the same bytes, put in place only by write_gaps.

The command hands find_gaps an EarlyIssueList as its ``on_issues`` hook; these check
the hook's contract (called once, with the result's own issue table), the file it
writes (the bytes write_csv gives), that nothing in the output folder changes
before write_gaps publishes it, and that it is never used for other issues.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from geotool._atomic import TEMP_PREFIX, remove_stale_temps
from geotool.analysis.gaps import find_gaps
from geotool.io.workspace import load_workspace
from geotool.output.report import EarlyIssueList, write_gaps

AS_OF = dt.date(2026, 10, 26)


@pytest.fixture(scope="module")
def sample_result(sample_workspace):
    loaded = load_workspace(sample_workspace)
    params = dataclasses.replace(loaded.workspace.defaults, as_of=AS_OF)
    seen = []
    result = find_gaps(loaded, params=params, on_issues=seen.append)
    return result, seen


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def test_the_hook_gets_the_results_own_issue_table_once(sample_result):
    result, seen = sample_result
    assert len(seen) == 1 and seen[0] is result.issues and len(result.issues) > 0


def test_the_early_file_is_what_write_gaps_would_write_and_appears_only_when_published(
        sample_result, tmp_path):
    result, _ = sample_result
    early, plain = tmp_path / "early", tmp_path / "plain"
    (early / "issues.csv").parent.mkdir()
    (early / "issues.csv").write_bytes(b"last week's list")
    hook = EarlyIssueList(early)
    hook(result.issues)
    hook(result.issues.iloc[:1])  # a second call is ignored
    assert (early / "issues.csv").read_bytes() == b"last week's list"  # nothing replaced yet
    assert [p.name for p in hook.temps()] == _temps(early)
    assert remove_stale_temps(early, keep=hook.temps()) == 0  # the run's own file is kept
    write_gaps(result, early, early=hook)
    write_gaps(result, plain)
    for name in ("issues.csv", "features.csv", "districts.csv", "units.csv"):
        assert (early / name).read_bytes() == (plain / name).read_bytes(), name
    assert _temps(early) == []


def test_an_early_file_of_other_issues_or_another_folder_is_not_used(sample_result, tmp_path):
    result, _ = sample_result
    other = result.issues.iloc[:3].copy()
    hook = EarlyIssueList(tmp_path / "out")
    hook(other)
    assert hook.publish(result.issues, tmp_path / "out" / "issues.csv") is None
    assert _temps(tmp_path / "out") == []  # discarded
    hook = EarlyIssueList(tmp_path / "elsewhere")
    hook(result.issues)
    write_gaps(result, tmp_path / "out", xlsx=False, early=hook)
    write_gaps(result, tmp_path / "want", xlsx=False)
    assert (tmp_path / "out" / "issues.csv").read_bytes() == \
        (tmp_path / "want" / "issues.csv").read_bytes()
    assert not (tmp_path / "elsewhere" / "issues.csv").exists()
    assert _temps(tmp_path / "elsewhere") == []


def test_a_run_stopped_before_writing_leaves_nothing(sample_result, tmp_path):
    result, _ = sample_result
    hook = EarlyIssueList(tmp_path)
    hook(result.issues)
    hook.discard()
    assert list(tmp_path.iterdir()) == []


def test_the_folders_made_for_an_unused_file_are_removed_and_others_kept(sample_result, tmp_path):
    result, _ = sample_result
    hook = EarlyIssueList(tmp_path / "new" / "out")
    hook(result.issues)
    assert (tmp_path / "new" / "out").is_dir()
    hook.discard()  # the run stopped before writing: as if it had never started
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kept").mkdir()
    hook = EarlyIssueList(tmp_path / "kept")
    hook(result.issues)
    hook.discard()
    assert (tmp_path / "kept").is_dir() and list((tmp_path / "kept").iterdir()) == []
