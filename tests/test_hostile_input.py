"""Issue #8, the input half: hostile or odd inputs that used to give a traceback or lose rows.

Each test starts from the small valid workspace of ``test_bad_input`` and
breaks one thing the way a hostile (or unlucky) user would. Every case must
end in a one-line error naming the file (exit 2) or with every row used or
quarantined (read = used + quarantined), never a traceback.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _files import write_workbook
from shapely.geometry import Point
from test_bad_input import CONFIG, GOOD, HEADER, make_workspace, validate

from geotool._errors import shown_path
from geotool.cli import main
from geotool.io.config import PARAMETER_RANGES, LayerSpec
from geotool.io.layers import read_districts, read_layer
from geotool.io.tables import read_table

_COUNTS = re.compile(r"read (\d+), used (\d+), quarantined (\d+)")


def accounted(out: str) -> list[tuple[int, int, int]]:
    """Every ``read R, used U, quarantined Q`` line; each must add up."""
    counts = [tuple(map(int, m)) for m in _COUNTS.findall(out)]
    assert counts, out
    for read, used, quarantined in counts:
        assert read == used + quarantined, out
    return counts


def one_line_error(code: int, err: str, *needles: str) -> str:
    assert code == 2, err
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line, err
    assert line.startswith("geotool: error: "), line
    for needle in needles:
        assert needle in line, line
    return line


# --- 6. parameters out of their sane range -------------------------------------------------

CLI_OUT_OF_RANGE = [
    ("--as-of", "2262-04-12"), ("--as-of", "9999-12-31"), ("--as-of", "1000-01-01"),
    ("--window-days", "999999999"), ("--window-days", "-3"), ("--window-days", "0"),
    ("--reach-m", "1e308"), ("--reach-m", "nan"), ("--reach-m", "inf"), ("--reach-m", "-1"),
    ("--match-radius-m", "1e9"), ("--match-radius-m", "0"),
    ("--min-blindspot-m2", "1e300"), ("--min-blindspot-m2", "-inf"),
    ("--recurrence-days", "999999999"),
]


@pytest.mark.parametrize(("flag", "value"), CLI_OUT_OF_RANGE)
@pytest.mark.parametrize("command", ["gaps", "maps"])
def test_out_of_range_parameter_on_the_command_line(tmp_path, capsys, command, flag, value):
    root = make_workspace(tmp_path / "ws")
    argv = [command, str(root), "--lang", "en", "--out", str(tmp_path / "out"), f"{flag}={value}"]
    if flag != "--as-of":
        argv += ["--as-of", "2026-09-05"]
    code = main([*argv, "--tiles", "none"] if command == "maps" else argv)
    _, err = capsys.readouterr()
    name = flag[2:].replace("-", "_")
    one_line_error(code, err, "command line", "date" if name == "as_of" else name)
    assert not (tmp_path / "out").exists()  # refused before anything was written


DEFAULTS_OUT_OF_RANGE = [
    "as_of = 2262-04-12", 'as_of = "2262-04-12"', "window_days = 999999999",
    "reach_m = 1e308", "reach_m = nan", "reach_m = -inf", "match_radius_m = -5",
    "min_blindspot_m2 = 1e11", "recurrence_days = 4000", "recurrence_days = -1",
]


@pytest.mark.parametrize("line", DEFAULTS_OUT_OF_RANGE)
def test_out_of_range_parameter_in_defaults(tmp_path, capsys, line):
    root = make_workspace(tmp_path / "ws")
    (root / "geotool.toml").write_text(CONFIG + f"\n[defaults]\n{line}\n", encoding="utf-8")
    code = main(["gaps", str(root), "--lang", "en", "--as-of", "2026-09-05",
                 "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    one_line_error(code, err, "geotool.toml", "[defaults]")


def test_parameters_at_the_ends_of_their_ranges_are_accepted(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    (lo_date, hi_date, _), (_, hi_days, _) = PARAMETER_RANGES["as_of"], \
        PARAMETER_RANGES["window_days"]
    for as_of in (lo_date, hi_date):
        code = main(["gaps", str(root), "--lang", "en", "--as-of", as_of.isoformat(),
                     "--window-days", str(hi_days), "--recurrence-days", "1",
                     "--reach-m", str(PARAMETER_RANGES["reach_m"][1]),
                     "--min-blindspot-m2", "0", "--out", str(tmp_path / "out")])
        out, err = capsys.readouterr()
        assert code == 0, err
        accounted(out)


# --- 3. numeric ids --------------------------------------------------------------------------

def test_float_id_columns_read_as_their_digits(tmp_path):
    path = tmp_path / "m.gpkg"
    gpd.GeoDataFrame({"id": [411603.0, 1e20, float("inf"), 12.5],
                      "name": [1.0, 2.0, 3.0, 4.0], "unit": [7.0, None, 8.0, 9.0]},
                     geometry=[Point(114.62, 33.62 + i / 1000) for i in range(4)],
                     crs=4326).to_file(path)
    res = read_layer(LayerSpec(key="m", path=path, unit="unit"))
    assert res.frame["feature_id"].tolist() == ["411603", "100000000000000000000", "inf",
                                                "12.5"]
    assert res.frame["name"].tolist() == ["1", "2", "3", "4"]
    assert res.frame["unit"].tolist() == ["7", pd.NA, "8", "9"]


def _point_features(ids: list[str]) -> str:
    feats = ",".join(
        f'{{"type":"Feature","properties":{{"id":{i},"name":"n{k}","parent":{i}}},'
        f'"geometry":{{"type":"Point","coordinates":[114.62,33.6{k}]}}}}'
        for k, i in enumerate(ids))
    return f'{{"type":"FeatureCollection","features":[{feats}]}}'


@pytest.mark.parametrize("ids", [["12345678901234567890", "411603"], ["1e20", "411603.0"],
                                 ["-99999999999999999999", "0"]])
def test_numeric_ledger_ids_in_geojson_validate(tmp_path, capsys, ids):
    root = make_workspace(tmp_path / "ws")
    (root / "points.geojson").write_text(_point_features(ids), encoding="utf-8")
    code, out, err = validate(root, capsys)
    assert code == 0, err
    assert "Traceback" not in out + err
    accounted(out)


def test_twenty_digit_json_ids_keep_every_digit(tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text(_point_features(["12345678901234567890", "1e20", "411603.0"]),
                    encoding="utf-8")
    res = read_layer(LayerSpec(key="p", path=path))
    assert res.frame["feature_id"].tolist() == ["12345678901234567890",
                                                "100000000000000000000", "411603"]


def test_numeric_district_ids_and_parents(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    d = json.loads((root / "districts.geojson").read_text(encoding="utf-8"))
    d["features"][0]["properties"].update(id=0, parent=None)
    d["features"][1]["properties"].update(id=1, parent=0)
    text = json.dumps(d).replace('"id": 0', '"id": 41160000000000000001').replace(
        '"id": 1', '"id": 4.1161e19').replace('"parent": 0', '"parent": 41160000000000000001')
    (root / "districts.geojson").write_text(text, encoding="utf-8")
    res = read_districts(LayerSpec(key="districts", path=root / "districts.geojson"))
    assert res.frame["district_id"].tolist() == ["41160000000000000001",
                                                 "41161000000000000000"]
    assert res.frame["parent"].tolist() == [pd.NA, "41160000000000000001"]
    code, out, err = validate(root, capsys)
    assert code == 0, err
    accounted(out)


def test_numeric_record_ids_in_xlsx_are_text(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", {"台账": [
        ["问题编号", "发现时间", "经度", "纬度", "点位编号"],
        [1e20, "2026-09-01", 114.62, 33.62, 411603.0],
        [4.11603e5, "2026-09-01", 114.62, 33.62, 2.5e-7],
    ]})
    table = read_table(path)
    from geotool.io.parsing import Distinct

    assert Distinct(table.data["record_id"]).text().tolist() == [
        "100000000000000000000", "411603"]
    assert Distinct(table.data["feature_id"]).text().tolist() == ["411603", "0.00000025"]


# --- 5. layers without geometry --------------------------------------------------------------

def test_ods_layer_is_one_line_error(tmp_path, capsys):
    import pyogrio

    root = make_workspace(tmp_path / "ws")
    pyogrio.write_dataframe(pd.DataFrame({"id": ["P1"], "name": ["周口站"]}),
                            root / "points.ods", driver="ODS")
    (root / "geotool.toml").write_text(CONFIG.replace("points.geojson", "points.ods"),
                                       encoding="utf-8")
    code, _, err = validate(root, capsys)
    one_line_error(code, err, "points.ods", "holds no geometry", "ODS attribute table")


def test_geopackage_attribute_table_named_in_config(tmp_path, capsys):
    import pyogrio

    root = make_workspace(tmp_path / "ws")
    gpkg = root / "points.gpkg"
    gpd.read_file(root / "points.geojson").to_file(gpkg, layer="points")
    pyogrio.write_dataframe(pd.DataFrame({"id": ["P1"]}), gpkg, layer="owners")
    (root / "geotool.toml").write_text(
        CONFIG.replace('path = "points.geojson"', 'path = "points.gpkg"\nlayer = "owners"'),
        encoding="utf-8")
    code, _, err = validate(root, capsys)
    one_line_error(code, err, "points.gpkg", "'owners' of 1 rows with columns id")


# --- 7. features GDAL would skip -------------------------------------------------------------

def test_skipped_features_are_quarantined_at_their_position(tmp_path):
    path = tmp_path / "p.geojson"
    feature = {"type": "Feature", "properties": {"id": "A"},
               "geometry": {"type": "Point", "coordinates": [114.62, 33.62]}}
    items = [feature, dict(feature, type="feature"), {"type": "Point", "coordinates": [1, 2]},
             dict(feature, properties={"id": "B"}), "Feature", None]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": items}),
                    encoding="utf-8")
    res = read_layer(LayerSpec(key="p", path=path))
    assert res.read == 6
    assert res.frame["feature_id"].tolist() == ["A", "B"]
    q = res.quarantine.sort_values("row")
    assert q[["row", "value", "reason_code"]].values.tolist() == [
        [2, '"feature"', "not_a_feature"], [3, '"Point"', "not_a_feature"],
        [5, '"Feature"', "not_a_feature"], [6, "null", "not_a_feature"]]


def test_geojsonseq_bad_lines_are_quarantined_at_their_line(tmp_path):
    path = tmp_path / "p.geojsonl"
    line = json.dumps({"type": "Feature", "properties": {"id": 12345678901234567890},
                       "geometry": {"type": "Point", "coordinates": [114.62, 33.62]}})
    path.write_text("\n".join([line, "", "[1, 2]", line.replace("678901", "000000"), line[:30]]),
                    encoding="utf-8")
    res = read_layer(LayerSpec(key="p", path=path))
    assert res.read == 4
    assert res.frame["feature_id"].tolist() == ["12345678901234567890", "12345000000234567890"]
    q = res.quarantine.sort_values("row")
    assert q[["row", "reason_code"]].values.tolist() == [[3, "not_a_feature"],
                                                         [5, "bad_json_line"]]


# --- 4. file names that are not UTF-8 ----------------------------------------------------------

GBK_NAME = os.fsdecode("问题台账".encode("gbk") + b".csv")  # as unzipping a Windows zip leaves it


def _gbk_named_records(root: Path, lines: list[str]) -> Path:
    for old in (root / "records").iterdir():
        old.unlink()
    path = root / "records" / GBK_NAME
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "gaps"])
def test_records_file_name_not_utf8(tmp_path, capsys, command):
    root = make_workspace(tmp_path / "ws")
    _gbk_named_records(root, [HEADER, *GOOD, "R3,不是日期,114.62,33.62,小广告,未整改"])
    extra = ["--as-of", "2026-09-05"] if command == "gaps" else []
    code = main([command, str(root), "--lang", "en", "--out", str(tmp_path / "out"), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    shown = "records/" + shown_path(GBK_NAME)
    assert shown.startswith("records/\\xce\\xca\\xcc\\xe2") and shown.encode("utf-8")
    assert f"{shown}: read 3, used 2, quarantined 1" in out
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str, encoding="utf-8-sig")
    assert q["file"].tolist() == [shown]
    if command == "gaps":  # the spreadsheet's quarantine sheet has the same name
        from openpyxl import load_workbook

        book = load_workbook(tmp_path / "out" / "gaps.xlsx", read_only=True)
        cells = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row}
        assert shown in cells


def test_unusable_file_with_non_utf8_name_is_one_line_error(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    _gbk_named_records(root, ["照片,备注", "a,b"])
    code, _, err = validate(root, capsys)
    one_line_error(code, err, shown_path(GBK_NAME))


def test_workspace_folder_name_not_utf8(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws").rename(tmp_path / os.fsdecode("周口".encode("gbk")))
    (root / "records" / "r.csv").write_text(
        "\n".join([HEADER, *GOOD, "R3,不是日期,114.62,33.62,小广告,未整改"]) + "\n",
        encoding="utf-8")
    code, out, err = validate(root, capsys)
    assert code == 0, err
    accounted(out)
    q = pd.read_csv(root / "out" / "quarantine.csv", dtype=str, encoding="utf-8-sig")
    assert q["file"].tolist() == ["records/r.csv"]
    assert f"workspace: {shown_path(root)}" in out and "  records file   records/r.csv:" in out


# --- 8. nothing outlives a run outside --out -----------------------------------------------

_KILLED_IN_XLSX = """
import os, signal, sys
import geotool.output.xlsx_rows as x
chunks = x._chunks
def killed(*a, **k):  # the second sheet's rows: the first's are in the file already
    x._chunks = lambda *a, **k: (os.kill(os.getpid(), signal.SIGKILL), (yield b""))
    yield from chunks(*a, **k)
x._chunks = killed
from geotool.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_killed_while_writing_xlsx_leaves_nothing_in_tmpdir(tmp_path):
    import signal
    import subprocess
    import sys

    root = make_workspace(tmp_path / "ws")
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    env.pop("GEOTOOL_KILL_AT", None)
    args = ["gaps", str(root), "--as-of", "2026-09-05", "--out", str(out)]
    proc = subprocess.run([sys.executable, "-c", _KILLED_IN_XLSX, *args], env=env,
                          capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode(errors="replace")
    assert sorted(tmpdir.rglob("*")) == []  # nothing of the workbook goes to $TMPDIR
    # the workbook being written (gaps.xlsx or a unit's: two threads write files) and any
    # file the other thread had begun are left as temporary files, nothing else
    left = list(out.rglob(".geotool-*"))
    assert left and all(p.name.endswith(".tmp") for p in left)
    assert not (out / "run.json").exists()
    proc = subprocess.run([sys.executable, "-m", "geotool.cli", *args], env=env,
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert list(out.rglob(".geotool-*")) == []
    assert sorted(tmpdir.rglob("*")) == []


def test_failed_xlsx_write_removes_its_parts(tmp_path, monkeypatch):
    import xlsxwriter.worksheet

    root = make_workspace(tmp_path / "ws")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmpdir"))
    (tmp_path / "tmpdir").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)

    def fail(self, *args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the sheet is written

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "freeze_panes", fail)
    code = main(["gaps", str(root), "--as-of", "2026-09-05", "--out", str(tmp_path / "out")])
    assert code == 130
    assert list((tmp_path / "tmpdir").rglob("*")) == []
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


# --- 9. an .xlsx is read as far as its data goes, not as far as it claims -------------------

def _styled_blank_at(path: Path, coordinate: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(HEADER.split(","))
    sheet.append(GOOD[0].split(","))
    sheet[coordinate].font = Font(bold=True)  # formatted, no value: <dimension> says A1:XFD…
    book.save(path)
    return path


@pytest.mark.parametrize("coordinate", ["XFD1048576", "Z200000"])
def test_styled_blank_cell_far_away_costs_nothing(tmp_path, coordinate):
    import tracemalloc

    from openpyxl import load_workbook

    from geotool.io.sheets import read_sheets

    path = _styled_blank_at(tmp_path / "r.xlsx", coordinate)
    assert path.stat().st_size < 6000
    book = load_workbook(path, read_only=True, data_only=True)
    (sheet,) = read_sheets(book)
    book.close()
    assert sheet.cells == 12  # the header and one record: the styled blank cell is not data
    assert len(sheet.rows) == 2 and max(max(r) for r in sheet.rows) == 5
    tracemalloc.start()
    try:
        table = read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(table.data) == 1 and table.data.shape[1] < 20
    assert peak < 20_000_000  # the grid the sheet claims would be gigabytes


def test_far_data_cell_is_read_and_counted(tmp_path, capsys):
    from openpyxl import Workbook

    root = make_workspace(tmp_path / "ws")
    (root / "records" / "r.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD[0].split(","))
    sheet["XFD5"] = "备注：本表截至九月"  # a value far beyond the header: a row, quarantined
    book.save(root / "records" / "r.xlsx")
    code, out, err = validate(root, capsys)
    assert code == 0, err
    assert accounted(out)[-2] == (2, 1, 1)  # the records file: read 2, used 1, quarantined 1
    q = pd.read_csv(root / "out" / "quarantine.csv", dtype=str, encoding="utf-8-sig")
    assert q[["row", "value", "reason_code"]].values.tolist() == [
        ["5", "备注：本表截至九月", "outside_header"]]


def test_formulas_without_values_are_quarantined_with_their_cell(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", {"台账": [
        HEADER.split(","), GOOD[0].split(","),
        ["R2", "=DATE(2026,9,2)", "=114.6+0.08", "=33.63", "小广告", "未整改"]]})
    table = read_table(path)
    assert table.data["_formula"].tolist() == [None, {
        "found_at": "B3: =DATE(2026,9,2)", "lon": "C3: =114.6+0.08", "lat": "D3: =33.63"}]


def test_merged_range_far_beyond_the_data_is_bounded(tmp_path):
    from openpyxl import load_workbook

    from geotool.io.sheets import fill_merged, read_sheets

    path = write_workbook(tmp_path / "r.xlsx", {"台账": [
        HEADER.split(","), *[g.split(",") for g in GOOD]]}, merges=[("台账", "F2:H5000")])
    book = load_workbook(path, read_only=True, data_only=True)
    (sheet,) = read_sheets(book)
    book.close()
    assert sheet.merged == [(6, 2, 8, 5000)]
    assert fill_merged(sheet.rows, sheet.merged, 0, 6) == 1  # F3 only: no row past the data
    table = read_table(path)
    assert table.data["status"].tolist() == ["未整改", "未整改"]


def test_missing_layer_in_non_utf8_folder_is_one_line_error(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws").rename(tmp_path / os.fsdecode("周口".encode("gbk")))
    (root / "points.geojson").unlink()
    code, _, err = validate(root, capsys)
    line = one_line_error(code, err, shown_path(root / "points.geojson"))
    assert line.encode("utf-8")


@pytest.mark.parametrize(("flag", "value"), [("--from", "1000-01-01"), ("--to", "2262-04-12")])
def test_diff_dates_out_of_range(tmp_path, capsys, flag, value):
    root = make_workspace(tmp_path / "ws")
    dates = {"--from": "2026-09-01", "--to": "2026-09-05", flag: value}
    code = main(["diff", str(root), "--lang", "en", "--from", dates["--from"],
                 "--to", dates["--to"], "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    one_line_error(code, err, "command line", value)


def test_workers_out_of_range(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    with pytest.raises(SystemExit) as exit_info:
        main(["gaps", str(root), "--as-of", "2026-09-05", "--workers", "999999999"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and "999999999" in err and "1–256" in err  # in Chinese here


def test_numeric_ids_of_a_spreadsheet_ledger(tmp_path):
    path = write_workbook(tmp_path / "points.xlsx", {"台账": [
        ["点位编号", "点位名称", "经度", "纬度"],
        [411603.0, 1e20, 114.62, 33.62], [1e20, 7.0, 114.63, 33.62],
        [2.5, "站", 114.64, 33.62]]})
    res = read_layer(LayerSpec(key="points", path=path, id="点位编号", name="点位名称"))
    assert res.read == len(res.frame) + len(res.quarantine) == 3
    assert res.frame["feature_id"].tolist() == ["411603", "100000000000000000000",
                                                "2.5"]
    assert res.frame["name"].tolist() == ["100000000000000000000", "7", "站"]


def test_deleted_shapefile_records_are_counted_at_their_position(tmp_path):
    path = tmp_path / "m.shp"
    gpd.GeoDataFrame({"id": ["A", "B", "C"]}, geometry=[Point(114.62, 33.62)] * 3,
                     crs=4326).to_file(path)
    raw = bytearray((tmp_path / "m.dbf").read_bytes())
    header_len = int.from_bytes(raw[8:10], "little")
    record_len = int.from_bytes(raw[10:12], "little")
    raw[header_len + record_len] = ord("*")  # B: deleted in a GIS, not packed
    (tmp_path / "m.dbf").write_bytes(bytes(raw))
    res = read_layer(LayerSpec(key="m", path=path))
    assert res.read == 3
    assert res.frame["feature_id"].tolist() == ["A", "C"]
    assert res.quarantine[["row", "reason_code"]].values.tolist() == [[2, "deleted_record"]]
