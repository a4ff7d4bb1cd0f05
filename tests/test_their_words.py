"""Issue #13: an office's own headers and values, and optional fields that do not drop a record."""

from __future__ import annotations

import pandas as pd
import pytest
from test_bad_input import CONFIG, csv_file, make_workspace, set_config

from geotool._errors import ConfigError
from geotool.cli import main
from geotool.io.config import load_config
from geotool.io.tables import read_table
from geotool.io.workspace import load_workspace

THEIR_HEADER = "上报时间,所在区县,详细地址,经度,纬度,问题类别,整改责任单位,整改期限,是否整改,网格员,联系电话"


def test_their_headers_are_recognised_and_yes_no_status_maps(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(THEIR_HEADER + "\n"
                    "2026-09-01,川汇区,七一路12号,114.62,33.62,乱停乱放,城管局,2026-09-05,是,张三,13800000000\n"
                    "2026-09-02,川汇区,八一路3号,114.63,33.62,小广告,住建局,2026-09-06,否,李四,13900000000\n",
                    encoding="utf-8")
    table = read_table(path)
    assert table.ignored_columns == []
    assert set(table.columns) == {"found_at", "district", "address", "lon", "lat", "category",
                                  "unit", "deadline", "status", "reporter", "phone"}
    assert table.data["status"].tolist() == ["rectified", "open"]
    assert any("是否整改" in n for n in table.notes)


def _issues(root, capsys):
    assert main(["gaps", str(root), "--as-of", "2026-09-10", "--out", str(root / "out")]) == 0
    capsys.readouterr()
    return pd.read_csv(root / "out" / "issues.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def test_address_and_status_reach_issues_csv(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,上报时间,经度,纬度,问题类别,是否整改,详细地址",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,是,七一路12号",
                    "R2,2026-09-02,114.68,33.63,小广告,否,人民路1号"])
    issues = _issues(root, capsys).set_index("record_id")
    assert issues.loc["R1", "address"] == "七一路12号"
    assert issues.loc["R1", "status"] == "rectified" and issues.loc["R2", "status"] == "open"


def test_values_mapping_from_config(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,处理结果",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,已处理完毕",
                    "R2,2026-09-02,114.68,33.63,小广告,交警队处理中"])
    set_config(root, CONFIG + '[records.columns]\n"处理结果" = "status"\n'
               '[records.values]\n"处理结果" = { "已处理完毕" = "closed", "交警队处理中" = "rectifying" }\n')
    loaded = load_workspace(root)
    assert loaded.quarantine.empty and loaded.flagged.empty
    assert loaded.records.set_index("record_id")["status"].to_dict() == {
        "R1": "closed", "R2": "rectifying"}


def test_mapping_the_yes_no_column_without_values_is_no_longer_a_quarantine(tmp_path):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,是否整改",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,是"])
    set_config(root, CONFIG + '[records.columns]\n"是否整改" = "status"\n')
    loaded = load_workspace(root)
    assert loaded.quarantine.empty and loaded.records["status"].tolist() == ["rectified"]


@pytest.mark.parametrize(("extra", "match"), [
    ('[records.values]\n"是否整改" = { "是" = "fixed" }\n', "not a value of status"),
    ('[records.values]\n"是否整改" = "是"\n', "must be a table"),
    ('[records.values]\n"处理结果" = { "是" = "closed" }\n', "neither a recognised header"),
])
def test_bad_values_mapping_is_a_config_error(tmp_path, extra, match):
    root = make_workspace(tmp_path / "ws")
    set_config(root, CONFIG + extra)
    with pytest.raises(ConfigError, match=match):
        load_config(root)


def test_unused_columns_note_says_how_to_map_them(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,整改状态,照片",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,未整改,a.jpg"])
    assert main(["validate", str(root), "--out", str(root / "out")]) == 0
    out = capsys.readouterr().out
    assert "未使用的列：照片" in out and '[records.columns]' in out and '"照片" = ' in out


def test_deadline_next_monday_keeps_the_open_issue_and_flags_it(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,整改状态,整改时限",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,未整改,下周一",
                    "R2,2026-09-02,114.68,33.63,小广告,研究中,2026-09-03"])
    assert main(["validate", str(root), "--out", str(root / "out"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "read 2, used 2, quarantined 0, flagged 2" in out
    assert "flagged (record kept, field left empty)" in out
    flagged = pd.read_csv(root / "out" / "flagged.csv", dtype=str, encoding="utf-8-sig")
    assert flagged[["row", "column", "value", "reason_code"]].values.tolist() == [
        ["2", "deadline", "下周一", "bad_deadline"], ["3", "status", "研究中", "unknown_status"]]
    issues = _issues(root, capsys).set_index("record_id")
    assert issues.loc["R1", "deadline"] == "" and issues.loc["R1", "problems"] == "bad_deadline"
    # no readable status: open, and overdue by its (readable) deadline
    assert issues.loc["R2", "status"] == "open" and issues.loc["R2", "overdue"] == "True"
    assert (root / "out" / "flagged.csv").exists()
