"""Fuzz targets for every reader (issue #8): CSV, .xlsx, GeoJSON and the TOML config.

Each target feeds the real reader files built from hostile pieces (odd
encodings, NULs, quotes, separators, huge and non-finite numbers, formulas,
template and markup syntax, broken JSON, wrong types) and asserts the two
promises: no exception other than geotool's own errors escapes, and every row
read is used or quarantined (read = used + quarantined).

The runs are bounded and reproducible (``derandomize``: the same examples on
every run) so that they fit in the normal test suite; set
``GEOTOOL_FUZZ_EXAMPLES`` to scale them (100 = as in CI, 5000 = fifty times more) while
hunting. In CI the five targets take about 40 s together.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geotool._errors import GeotoolError
from geotool.io.config import LayerSpec, load_config
from geotool.io.layers import features_from_layers, read_layer
from geotool.io.records import normalize_records
from geotool.io.tables import read_table

SCALE = float(os.environ.get("GEOTOOL_FUZZ_EXAMPLES", "0")) / 100 or 1.0


def fuzz(examples: int):
    """Bounded, reproducible runs: about ``examples`` files (times the scale asked for)."""
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None,
                    derandomize=True, database=None, suppress_health_check=list(HealthCheck))


NO_FEATURES = features_from_layers([])

HEADERS = ["问题编号", "发现时间", "经度", "纬度", "问题类型", "整改状态", "点位编号", "备注",
           "经纬度", "责任单位", "类型", "id", "", "照片", "所属区", "整改时限"]
NASTY = ["", " ", "\u3000", "NULL", "nan", "inf", "-inf", "1e20", "1e308", "-0",
         "12345678901234567890", "411603.0", "114.62", "33.62", "114°37′12″", "0", "0,0",
         "2026-09-01", "2262-04-12", "9月1日", "1677-09-21", "00:00", "未整改", "已销号", "问题",
         "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "{{ 7*7 }}", "{% raw %}", "<script>", '"',
         '""', "'", "\\", "\n", "\r\n", "\x00", "\ufeff", "，", ";", "\t", "|", "制表人：张三",
         "a" * 300, "𠀀" * 5, "\ud800x"]
CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=12),
                 st.floats(allow_nan=True, allow_infinity=True).map(repr),
                 st.integers(min_value=-10**25, max_value=10**25).map(str))


def _accounted(tables: list) -> None:
    res = normalize_records(tables, NO_FEATURES, None)
    assert res.read == len(res.records) + len(res.quarantine)
    assert res.read == sum(v["read"] for v in res.per_file.values())


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="geotool-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --- CSV -----------------------------------------------------------------------------------

@st.composite
def csv_bytes(draw) -> bytes:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    sep = draw(st.sampled_from([",", ";", "\t", "|", "，"]))
    rows = draw(st.lists(st.lists(CELL, max_size=10), max_size=8))
    titles = draw(st.lists(CELL, max_size=2))
    lines = [*titles, sep.join(header), *(sep.join(r) for r in rows)]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    noise = draw(st.binary(max_size=16))
    where = draw(st.integers(min_value=0, max_value=len(data)))
    return data[:where] + noise + data[where:] if draw(st.booleans()) else data


@fuzz(60)
@given(data=csv_bytes())
def test_fuzz_csv(scratch, data):
    path = scratch / "r.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except GeotoolError:
        return
    _accounted([table])


# --- xlsx ----------------------------------------------------------------------------------

XCELL = st.one_of(CELL.map(lambda s: s.replace("\x00", "")), st.none(),
                  st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15),
                  st.sampled_from(["=DATE(2026,9,1)", "=1/0", "=A1", "=NOW()"]))


@st.composite
def workbook_rows(draw) -> tuple[dict[str, list[list[object]]], list[str]]:
    sheets = {}
    for k in range(draw(st.integers(min_value=1, max_value=2))):
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
        rows = draw(st.lists(st.lists(XCELL, max_size=9), max_size=6))
        lead = draw(st.lists(st.lists(XCELL, max_size=3), max_size=2))
        sheets[f"表{k}"] = [*lead, header, *rows]
    far = draw(st.lists(st.sampled_from(["Z200", "XFD1048576", "AA3", "C1048576"]), max_size=2))
    return sheets, far


def _write_book(path: Path, sheets: dict[str, list[list[object]]], far: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            try:
                ws.append(row)
            except (IllegalCharacterError, ValueError):
                ws.append([None])
        for coordinate in far:
            ws[coordinate].font = Font(bold=True)
    book.save(path)


@fuzz(35)
@given(book=workbook_rows())
def test_fuzz_xlsx(scratch, book):
    path = scratch / "r.xlsx"
    try:
        _write_book(path, *book)
    except UnicodeEncodeError:  # a lone surrogate openpyxl cannot save: not a file
        return
    try:
        table = read_table(path)
    except GeotoolError:
        return
    _accounted([table])


@fuzz(40)
@given(data=st.binary(max_size=64), where=st.integers(min_value=0, max_value=4000))
def test_fuzz_xlsx_bytes(scratch, data, where):
    """A real workbook with bytes overwritten: a damaged zip or sheet part."""
    good = scratch / "good.xlsx"
    if not good.exists():
        _write_book(good, {"台账": [HEADERS[:6], ["R1", "2026-09-01", 114.62, 33.62]]}, [])
    raw = bytearray(good.read_bytes())
    raw[where:where + len(data)] = data
    path = scratch / "bad.xlsx"
    path.write_bytes(bytes(raw))
    try:
        table = read_table(path)
    except GeotoolError:
        return
    _accounted([table])


# --- GeoJSON -------------------------------------------------------------------------------

JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**22, 10**22),
              st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(NASTY)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["id", "name", "type", "x"]), inner,
                                            max_size=3)),
    max_leaves=6)
GEOMETRY = st.one_of(
    st.none(), JSON_VALUE,
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "Pont", "LineString", "Polygon"]),
                           "coordinates": st.one_of(
                               st.lists(st.floats(-200, 200), max_size=3),
                               st.lists(st.lists(st.floats(-200, 200), min_size=2, max_size=2),
                                        max_size=4), JSON_VALUE)}))
FEATURE = st.fixed_dictionaries(
    {"type": st.sampled_from(["Feature", "Feature", "Feature", "feature", "Featur"]),
     "properties": st.one_of(st.dictionaries(st.sampled_from(["id", "name", "unit", "type"]),
                                             JSON_VALUE, max_size=4), JSON_VALUE),
     "geometry": GEOMETRY},
    optional={"id": JSON_VALUE})


@st.composite
def geojson_text(draw) -> tuple[str, str]:
    items = draw(st.lists(st.one_of(FEATURE, FEATURE, JSON_VALUE), max_size=6))
    if draw(st.booleans()):  # GeoJSONSeq, possibly cut short
        text = "\n".join(json.dumps(i, ensure_ascii=draw(st.booleans())) for i in items)
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        return ".geojsonl", text[:cut] if draw(st.booleans()) else text
    doc = {"type": "FeatureCollection", "features": items}
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 4)) == 0:
        text = text[:draw(st.integers(min_value=0, max_value=len(text)))]
    return ".geojson", text


@fuzz(60)
@given(doc=geojson_text())
def test_fuzz_geojson(scratch, doc):
    suffix, text = doc
    path = scratch / f"layer{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        res = read_layer(LayerSpec(key="points", path=path, crs="EPSG:4326"))
    except GeotoolError:
        return
    assert res.read == len(res.frame) + len(res.quarantine)
    assert res.frame["feature_id"].notna().all()


# --- TOML config ---------------------------------------------------------------------------

TOML_SCALAR = st.one_of(
    st.integers(-10**12, 10**12).map(str), st.floats().map(lambda f: repr(f).replace("inf", "inf")),
    st.sampled_from(['"districts.geojson"', '"points.geojson"', '""', '"../x"', "true",
                     "2262-04-12", "1900-01-01", '"2026-09-01"', "[]", "{}", '"GCJ-02"',
                     '"火星"', "4326", "nan", "-inf", '"{{ 7*7 }}"', "'''", '"\\u0000"']),
    st.text(max_size=8).map(json.dumps))
TOML_KEY = st.sampled_from(["path", "id", "name", "crs", "layer", "label", "window_days",
                            "reach_m", "match_radius_m", "min_blindspot_m2", "recurrence_days",
                            "as_of", "paths", "reach_n", "columns", "sheet", "parent"])
TOML_TABLE = st.sampled_from(["[city]", "[defaults]", "[layers.districts]", "[layers.points]",
                              "[records]", "[records.columns]", "[layers]", "[[layers.x]]",
                              "[defaults.x]", ""])


@st.composite
def toml_text(draw) -> str:
    base = draw(st.booleans())
    lines = (['[layers.districts]', 'path = "districts.geojson"'] if base else [])
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(TOML_TABLE))
        lines.append(f"{draw(TOML_KEY)} = {draw(TOML_SCALAR)}")
    text = "\n".join(lines)
    if draw(st.integers(0, 5)) == 0:
        text += draw(st.text(max_size=10))
    return text


@fuzz(150)
@given(text=toml_text())
def test_fuzz_config(scratch, text):
    root = scratch / "ws"
    if not (root / "districts.geojson").exists():
        root.mkdir(exist_ok=True)
        from shapely.geometry import box

        gpd.GeoDataFrame({"id": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=4326).to_file(
            root / "districts.geojson")
        shutil.copy(root / "districts.geojson", root / "points.geojson")
    (root / "geotool.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        ws = load_config(root)
    except GeotoolError:
        return
    d = ws.defaults
    assert d.as_of is None or 1900 <= d.as_of.year <= 2199
    assert 0 < d.reach_m <= 50_000 and 1 <= d.window_days <= 3650
    ws.record_files()


@fuzz(25)
@given(data=csv_bytes())
def test_fuzz_spreadsheet_ledger(scratch, data):
    """A ledger kept as a spreadsheet (points from its 经度/纬度) through the layer reader."""
    path = scratch / "ledger.csv"
    path.write_bytes(data)
    try:
        res = read_layer(LayerSpec(key="points", path=path, id="点位编号"))
    except GeotoolError:
        return
    assert res.read == len(res.frame) + len(res.quarantine)
