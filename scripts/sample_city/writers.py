"""Writing the workspace: layers in four formats, records as .xlsx and CSV, the config."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook

from sample_city.bad_rows import BAD_CHECK_ROWS, BAD_ISSUE_ROWS, BAD_TEXT, BAD_UPDATE_ROWS
from sample_city.geometry import metric_to_gcj, to_wgs
from sample_city.words import INSPECTION_HEADERS, ISSUE_HEADERS, PINNED_TIME


def write_atomic(path: Path, writer: Callable[[Path], None]) -> None:
    """Run ``writer(tmp)`` in a temporary folder beside ``path``, then move every file
    it made (a Shapefile makes several) into place with ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        writer(tmpdir / path.name)
        for f in sorted(tmpdir.iterdir()):
            os.replace(f, path.parent / f.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_vector(gdf: gpd.GeoDataFrame, path: Path, driver: str, layer: str, **kw) -> None:
    """Write a GeoDataFrame atomically with pyogrio."""
    write_atomic(
        path, lambda tmp: pyogrio.write_dataframe(gdf, tmp, driver=driver, layer=layer, **kw)
    )


def wgs_frame(gdf: gpd.GeoDataFrame, cols: dict) -> gpd.GeoDataFrame:
    """Rename columns for output; geometry to WGS-84 on a 1e-6 degree grid."""
    out = gdf[list(cols)].rename(columns=cols).reset_index(drop=True)
    geom = shapely.set_precision(to_wgs(gdf.geometry.values), 1e-6)
    return gpd.GeoDataFrame(out, geometry=list(geom), crs="EPSG:4326")


def write_districts(admin: dict, out: Path) -> None:
    """districts.geojson: 区, 街道 and 社区 polygons nested by code/parent."""
    rows = [
        admin["districts"].assign(level="区"),
        admin["streets"].assign(level="街道"),
        admin["comms"].assign(level="社区"),
    ]
    df = pd.concat(
        [r[["code", "name", "parent", "level", "geometry"]] for r in rows], ignore_index=True
    )
    df["parent"] = df.parent.where(df.parent.notna(), None)
    gdf = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
    write_vector(
        gdf,
        out / "districts.geojson",
        "GeoJSON",
        "districts",
        layer_options={"COORDINATE_PRECISION": 6},
    )


def write_ledgers(ledgers: dict, out: Path) -> None:
    """alleys.gpkg, markets.shp (GBK), points.geojson (GCJ-02) and compounds.kml."""
    alleys = wgs_frame(
        ledgers["alleys"],
        {"fid": "alley_id", "name": "name", "unit": "unit", "road_chief": "road_chief"},
    )
    write_vector(alleys, out / "alleys.gpkg", "GPKG", "alleys")
    markets = wgs_frame(ledgers["markets"], {"fid": "mkt_id", "name": "mkt_name", "unit": "unit"})
    write_vector(
        markets,
        out / "markets.shp",
        "ESRI Shapefile",
        "markets",
        encoding="GBK",
        layer_options={"DBF_DATE_LAST_UPDATE": "2026-10-26"},
    )
    pts = ledgers["points"]
    glon, glat = metric_to_gcj(pts.geometry.x.values, pts.geometry.y.values)
    points = gpd.GeoDataFrame(
        pts[["fid", "name", "type", "unit"]]
        .rename(columns={"fid": "point_id"})
        .reset_index(drop=True),
        geometry=shapely.points(glon, glat),
        crs="EPSG:4326",
    )  # coordinates are GCJ-02
    write_vector(
        points,
        out / "points.geojson",
        "GeoJSON",
        "points",
        layer_options={"COORDINATE_PRECISION": 6},
    )
    compounds = wgs_frame(ledgers["compounds"], {"fid": "cmp_id", "name": "name", "unit": "unit"})
    write_vector(compounds, out / "compounds.kml", "LIBKML", "compounds")


def pin_xlsx(path: Path) -> None:
    """Rewrite an .xlsx with fixed zip and document time stamps (byte-reproducible)."""
    with zipfile.ZipFile(path) as src:
        items = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, raw in items:
            data = raw
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + PINNED_TIME.encode(),
                    raw,
                )
            info = zipfile.ZipInfo(name, date_time=(2026, 10, 26, 18, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """One sheet, headers in row 1, empty cells for missing values."""

    def writer(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append(
                [
                    None if (v is None or v == "" or (isinstance(v, float) and np.isnan(v))) else v
                    for v in row
                ]
            )
        wb.save(tmp)
        pin_xlsx(tmp)

    write_atomic(path, writer)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    """CSV with CRLF line ends in the given encoding (utf-8-sig or gbk)."""
    text = frame.to_csv(index=False, lineterminator="\r\n", float_format="%.6f")
    write_atomic(path, lambda tmp: tmp.write_bytes(text.encode(encoding)))


def write_text(text: str, path: Path) -> None:
    """A UTF-8 text file, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def bad_rows_md() -> str:
    """BAD_ROWS.md: every deliberately bad row with file, row and defect."""
    lines = [
        "# Deliberately bad rows",
        "",
        "Row numbers are 1-based data rows: the header row is not counted (in Excel,",
        "data row n is sheet row n + 1). Every other row is well formed.",
        "",
        "| file | row | defect |",
        "|---|---|---|",
    ]
    for fname, table in (
        ("issues_2026.xlsx", BAD_ISSUE_ROWS),
        ("inspections_gbk.csv", BAD_CHECK_ROWS),
        ("rectification_updates.csv", BAD_UPDATE_ROWS),
    ):
        for pos, kind in sorted(table.items()):
            rows = f"{pos}, {pos + 1}" if kind == "dup" else str(pos)
            lines.append(f"| {fname} | {rows} | {BAD_TEXT[kind]} |")
    return "\n".join(lines) + "\n"


CONFIG_TOML = """\
[city]
name = "示例市"

[defaults]
as_of = "2026-10-26"
window_days = 7
match_radius_m = 50
reach_m = 300
min_blindspot_m2 = 10000
recurrence_days = 30

[layers.districts]
path = "districts.geojson"
id = "code"
name = "name"
parent = "parent"
crs = "EPSG:4326"

[layers.alleys]
path = "alleys.gpkg"
id = "alley_id"
name = "name"
unit = "unit"
leader = "road_chief"    # 路长制: each alley's road chief
label = "背街小巷"
label_en = "Back alleys"

[layers.markets]
path = "markets.shp"
id = "mkt_id"
name = "mkt_name"
unit = "unit"
label = "农贸市场"
label_en = "Markets"

[layers.points]
path = "points.geojson"
id = "point_id"
name = "name"
unit = "unit"
type = "type"
label = "测评点位"
label_en = "Inspection points"
crs = "GCJ-02"

[layers.compounds]
path = "compounds.kml"
id = "cmp_id"
name = "name"
unit = "unit"
label = "老旧小区"
label_en = "Old compounds"

[records]
paths = ["records/*.xlsx", "records/*.csv"]
crs = "GCJ-02"

# How the evaluators are assumed to draw places (geotool risk). The preset's figures are
# ESTIMATES from past mock evaluations (see the README); every key below overrides it.
[evaluation]
preset = "mock-2021"
undeclared = 20
loss_threshold = 20
"""


def write_all(admin, ledgers, records, out: Path) -> None:
    """Write every file of the workspace into ``out``."""
    headers = {
        "issues": ISSUE_HEADERS,
        "updates": [*ISSUE_HEADERS, "更新时间"],
        "checks": INSPECTION_HEADERS,
    }
    for key, want in headers.items():
        if list(records[key].columns) != want:
            msg = f"{key}: headers {list(records[key].columns)} instead of {want}"
            raise RuntimeError(msg)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": PINNED_TIME})
    write_districts(admin, out)
    write_ledgers(ledgers, out)
    rec = out / "records"
    write_xlsx(records["issues"], rec / "issues_2026.xlsx", "问题台账")
    write_csv(records["updates"], rec / "rectification_updates.csv", "utf-8-sig")
    write_csv(records["checks"], rec / "inspections_gbk.csv", "gbk")
    write_text(bad_rows_md(), rec / "BAD_ROWS.md")
    write_text(CONFIG_TOML, out / "geotool.toml")
