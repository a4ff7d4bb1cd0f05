"""Every CSV and .xlsx geotool writes is formula-safe (issue #8, "Also").

A value a spreadsheet could run as a formula starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) once leading white space of
any script (space, NBSP, U+3000, a line break) and zero-width characters
are skipped and the text is NFKC-normalised (full-width ``＝``, ``＠``,
``＋``, ``－``, small ``﹦``). Such values put into feature names, units and
types, record descriptions, categories and a quarantined cell must come out
of ``validate`` and ``gaps`` prefixed with ``'``: in ``quarantine.csv``,
every gap CSV, ``gaps.xlsx`` and each unit's workbook.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from _hostile import AS_OF, make_hostile_workspace

from geotool.cli import main
from geotool.output.report import escape_formulas

RISKY = ["=1+1", " =1+1", "\u00a0=HYPERLINK(\"http://x\")", "\u3000=SUM(A1)", "\n=cmd|' /C calc'!A0",
         "\r\n@SUM(1)", "\t+1", "＝1+1", "＠SUM(A1)", "﹦1", "＋1", "－1", "\u200b=1",
         "\ufeff=1", "\u2028-2+3", "\u3000＝1"]
SAFE = ["ok", "a=b", "1-2", "中文＝", "", "email@example.org"]


def _risky(value: str) -> bool:
    """Independent of geotool: could a spreadsheet run this?"""
    if value.startswith(("\t", "\r")):
        return True
    core = unicodedata.normalize("NFKC", value).lstrip().lstrip("\u200b\u200c\u200d\u2060\ufeff")
    return core.lstrip().startswith(("=", "+", "-", "@", "\u2212"))


@pytest.mark.parametrize("value", RISKY)
def test_risky_values_are_escaped(value):
    out = escape_formulas(pd.DataFrame({"v": [value], "c": pd.Categorical([value])}))
    assert out["v"][0] == "'" + value and out["c"][0] == "'" + value


@pytest.mark.parametrize("value", SAFE)
def test_safe_values_are_kept(value):
    assert escape_formulas(pd.DataFrame({"v": [value]}))["v"][0] == value


def _workspace(root: Path) -> Path:
    ws = make_hostile_workspace(root, "plain")
    path = ws / "alleys.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for i, f in enumerate(data["features"]):
        f["properties"].update(name=RISKY[i], unit=RISKY[i + 4], type=RISKY[i + 8])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    records = ws / "records" / "records.csv"
    rows = list(csv.reader(records.open(encoding="utf-8", newline="")))
    for i, row in enumerate(rows[1:]):
        row[6], row[7], row[9] = RISKY[12 + i], RISKY[i], RISKY[i + 4]
    bad = list(rows[1])
    bad[0], bad[2] = "Q-1", "\u3000＝1+1"  # not a date: quarantined, the value echoed
    rows.append(bad)
    with records.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return ws


def _cells(folder: Path):
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    yield path.name, value
    for path in sorted(folder.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        yield path.name, "=FORMULA CELL"
                    elif isinstance(cell.value, str):
                        yield path.name, cell.value


def test_every_output_is_formula_safe(tmp_path):
    ws = _workspace(tmp_path / "ws")
    assert main(["validate", str(ws), "--out", str(tmp_path / "v")]) == 0
    assert main(["gaps", str(ws), "--out", str(tmp_path / "g"), "--as-of",
                 AS_OF.isoformat()]) == 0
    seen: dict[str, set[str]] = {}
    for folder in (tmp_path / "v", tmp_path / "g"):
        for name, value in _cells(folder):
            assert not _risky(value), (name, value)
            seen.setdefault(name, set()).add(value)
    assert "'\u3000＝1+1" in seen["quarantine.csv"]
    assert "'=1+1" in seen["features.csv"] and "'＠SUM(A1)" in seen["features.csv"]
    assert "'\u200b=1" in seen["issues.csv"]
    assert "'=1+1" in seen["gaps.xlsx"] and "'\u3000＝1+1" in seen["gaps.xlsx"]
    assert len([n for n in seen if n.endswith(".xlsx")]) >= 3  # gaps, unit cover, a unit


def test_route_files_are_formula_safe(tmp_path):
    """route.csv and route.xlsx (geotool route) go through the same guard."""
    from test_risk import make_result
    from test_route import _district

    from geotool.analysis.route import plan_route
    from geotool.output.route_files import write_route

    result = make_result(_district([True, True]))
    result.features.loc[0, "name"] = "\u3000＝HYPERLINK(\"http://x\")"
    write_route(plan_route(result, "A"), tmp_path)
    cells = [v for _, v in _cells(tmp_path)]
    assert "'\u3000＝HYPERLINK(\"http://x\")" in cells
    assert not [v for v in cells if _risky(v)]
