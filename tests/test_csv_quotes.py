"""Quoted cells that span lines: row numbers stay true, swallowed rows are never used silently."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from geotool.cli import main

HEAD = "问题编号,记录类型,发现时间,经度,纬度,问题描述,整改状态\n"


def _workspace(root, body: str):
    (root / "records").mkdir(parents=True)
    gpd.GeoDataFrame({"id": ["A"], "name": ["甲区"]}, geometry=[box(114.6, 33.6, 114.7, 33.7)],
                     crs=4326).to_file(root / "d.geojson")
    gpd.GeoDataFrame({"id": ["P"], "name": ["点"]}, geometry=[Point(114.61, 33.61)],
                     crs=4326).to_file(root / "p.geojson")
    (root / "geotool.toml").write_text('[layers.districts]\npath = "d.geojson"\n'
                                       '[layers.points]\npath = "p.geojson"\n'
                                       '[records]\npaths = ["records/*.csv"]\n', encoding="utf-8")
    (root / "records" / "r.csv").write_text(HEAD + body, encoding="utf-8")
    return root


def test_unclosed_quote_is_quarantined_not_merged_silently(tmp_path, capsys):
    ws = _workspace(tmp_path / "ws", 'ZZ-1,问题,2026-09-01,114.61,33.61,"描述一,未整改\n'
                                     "ZZ-2,问题,2026-09-02,114.61,33.61,描述二,未整改\n"
                                     "ZZ-3,问题,2026-09-03,114.61,33.61,描述三,未整改\n")
    out = tmp_path / "out"
    assert main(["validate", str(ws), "--out", str(out)]) == 0
    assert "引号未闭合" in capsys.readouterr().out
    q = pd.read_csv(out / "quarantine.csv", dtype=str)
    assert q[["row", "reason_code"]].values.tolist() == [["2", "unclosed_quote"]]


def test_line_breaks_inside_a_quoted_cell_keep_row_numbers(tmp_path):
    ws = _workspace(tmp_path / "ws", 'OK-1,问题,2026-09-01,114.61,33.61,"第一行\n第二行",未整改\n'
                                     "OK-2,问题,2026-09-02,114.61,33.61,描述二,待定\n")
    out = tmp_path / "out"
    assert main(["validate", str(ws), "--out", str(out)]) == 0
    q = pd.read_csv(out / "flagged.csv", dtype=str)
    # OK-1 spans lines 2-3, so OK-2 is on line 4 of the file
    assert q[["row", "reason_code"]].values.tolist() == [["4", "unknown_status"]]
