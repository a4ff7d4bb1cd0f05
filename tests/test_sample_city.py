"""The bundled sample city 示例市: the gap engine finds the story its generator wrote.

The expected facts are those measured independently by
``scripts/make_sample_city.py`` (its ``verify_story`` and module docstring).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geotool.analysis.gaps import find_gaps
from geotool.io.workspace import load_workspace

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 26)


@pytest.fixture(scope="module")
def loaded(sample_workspace):
    return load_workspace(sample_workspace)


@pytest.fixture(scope="module")
def result(loaded):
    return find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=AS_OF))


def test_every_row_is_accounted_for(loaded):
    records = [a for a in loaded.accounts if a.kind == "records"]
    assert sum(a.read for a in records) == 6300 + 852 + 14331
    for acc in loaded.accounts:
        assert acc.read == acc.used + acc.quarantined, acc.path
    assert loaded.read == loaded.used + len(loaded.quarantine)
    # the generator's deliberately bad rows (layers/records/BAD_ROWS.md) are quarantined
    q = loaded.quarantine
    assert {"swapped_coordinates", "zero_coordinates", "outside_city",
            "conflicting_duplicate", "unknown_feature_id", "missing_location"} <= set(q.reason_code)
    assert 8 <= len(q) <= 20
    # an unreadable optional field keeps the record and flags the cell (BAD_ROWS.md: 3390, 4105)
    flagged = loaded.flagged
    assert sorted(zip(flagged["row"], flagged["reason_code"], strict=True)) == [
        (3391, "bad_deadline"), (4106, "unknown_status")]
    # suspicious but usable rows are kept and named (BAD_ROWS.md: issues 6200, updates 480)
    notes = " ".join(str(n) for n in loaded.notes)
    assert "rectified before they were found (e.g. issues_2026.xlsx:6201)" in notes
    assert "updated before they were found (e.g. rectification_updates.csv:481)" in notes


def test_datums_were_converted(loaded):
    converted = {a.kind: a.converted_from for a in loaded.accounts}
    assert converted["layer:points"] == "GCJ-02"
    assert all(a.converted_from == "GCJ-02" for a in loaded.accounts if a.kind == "records")


def test_ranking_and_district_story(result):
    d = result.districts
    top = d[d["level"] == 0].set_index("name")
    assert top.sort_values("rank").index[0] == "新城区"        # worst
    assert top.sort_values("rank").index[-1] == "川东区"       # inspected thoroughly
    assert top.loc["川东区", "coverage_rate"] > 0.99
    assert top.loc["新城区", "blindspot_area_m2"] > 1_500_000
    assert top.loc["高新区", "overdue_issues"] == top["overdue_issues"].max() or \
        top.loc["新城区", "overdue_issues"] == top["overdue_issues"].max()


def test_forgotten_places_and_units(result):
    f = result.features
    assert (f["last_touched"].isna()).sum() == 18                 # never visited in 8 weeks
    xz = f[(f["layer"] == "alleys") & f["district_path"].str.contains("411603006", na=False)]
    assert len(xz) == 22 and not xz["covered"].any()             # 许庄镇's alleys, forgotten
    units = result.units.set_index("unit")
    assert units["overdue_issues"].idxmax() == "金海街道办事处"
    markets = f[(f["layer"] == "markets") & f["recurring"]]["feature_id"]
    assert {"SC-11", "SC-13", "SC-14"} <= set(markets)


def test_blind_spot_holds_compounds(result):
    # 许庄镇 (河西区), unvisited for three weeks, is blind too
    assert result.blindspots[result.blindspots["district_id"] == "411603"]["area_m2"].max() > 4e6
    b = result.blindspots
    xc = b[b["district_id"] == "411604"]                       # 新城区, the poorly reached one
    big = xc.sort_values("area_m2", ascending=False).iloc[0]
    assert big["area_m2"] > 4_000_000
    assert big["uncovered_inside"] >= 1
    assert pd.Series(big["feature_ids_inside"].split(";")).str.startswith("XQ-").sum() >= 3
