"""What geotool writes is safe to open: no spreadsheet formulas run, files are whole."""

from __future__ import annotations

import csv

import pandas as pd
from openpyxl import load_workbook
from test_gaps import build_city

from geotool.cli import main

EVIL = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-3+4", "@SUM(A1:A2)"]


def test_formula_cells_are_written_as_text(tmp_path):
    city = build_city(tmp_path / "city")
    with open(city / "records" / "records.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [f"E{i}", "问题", "2026-09-14 08:00", "500250.000", "3720540.000", "", text, text,
             "2026-09-20", "未整改", "", ""] for i, text in enumerate(EVIL))
    out = tmp_path / "out"
    assert main(["gaps", str(city), "--as-of", "2026-09-15", "--out", str(out)]) == 0
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False)
    evil = issues[issues["record_id"].str.startswith("E")].sort_values("record_id")
    assert evil["category"].tolist() == ["'" + t for t in EVIL]
    assert evil["unit"].tolist() == ["'" + t for t in EVIL]
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert {"'" + t for t in EVIL} <= set(units["unit"])
    book = load_workbook(out / "gaps.xlsx")
    sheet = book["问题清单"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    shown = {c.value for c in cells}
    assert all("'" + t in shown for t in EVIL)
    assert not any(c.data_type == "f" for c in cells)
