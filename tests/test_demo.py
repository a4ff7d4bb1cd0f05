"""`geotool demo`: the quick start's main job on the bundled sample city."""

from __future__ import annotations

import pandas as pd
import pytest

from geotool.cli import main

pytestmark = pytest.mark.slow


def test_demo_writes_gap_lists_and_maps(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--tiles", "none"]) == 0
    printed = capsys.readouterr().out
    assert "index.html" in printed and "新城区" in printed
    out, maps = tmp_path / "out", tmp_path / "maps"
    for name in ("features.csv", "districts.csv", "issues.csv", "units.csv",
                 "blindspots.geojson", "gaps.xlsx", "quarantine.csv"):
        assert (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in maps.glob("*.html")) == [
        "411602.html", "411603.html", "411604.html", "411605.html", "index.html"]
    districts = pd.read_csv(out / "districts.csv", dtype={"district_id": str})
    assert len(districts) == 4 + 20 + 78          # districts, streets, communities


def test_demo_in_english(tmp_path, capsys):
    assert main(["--lang", "en", "demo", "--out", str(tmp_path), "--tiles", "none"]) == 0
    printed = capsys.readouterr().out
    assert "as of 2026-10-26" in printed and "gap lists written" in printed
    html = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Coverage" in html or "coverage" in html
    district = (tmp_path / "maps" / "411604.html").read_text(encoding="utf-8")
    assert "Back alleys" in district and "背街小巷" not in district   # label_en
