"""Writing the responsibility check: ``check.xlsx`` and ``check.geojson``.

The workbook has one sheet per finding (gaps, overlaps, features with no
unit, features outside every cell) with planner headers; the GeoJSON holds
every finding as one feature with a ``problem`` column (``gap``,
``overlap``, ``no_unit``, ``outside``), WGS-84, for QGIS or a web map.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geotool._atomic import write_atomic
from geotool.output.report import escape_formulas, geojson_bytes
from geotool.output.workbook import Sheet, write_workbook
from geotool.text import header, tr

__all__ = ["check_summary", "write_check"]

_KINDS = ("gaps", "overlaps", "no_unit", "outside")
_PROBLEM = {"gaps": "gap", "overlaps": "overlap", "no_unit": "no_unit", "outside": "outside"}


def check_summary(result, *, lang: str = "zh") -> str:
    """One line: what the responsibility check found."""
    return tr("check.summary", lang, layer=result.layer, cells=result.cells,
              gaps=len(result.gaps), gap_area=float(result.gaps["area_m2"].sum()),
              overlaps=len(result.overlaps),
              overlap_area=float(result.overlaps["area_m2"].sum()),
              no_unit=len(result.no_unit), outside=len(result.outside))


def write_check(result, out: str | Path, *, lang: str = "zh") -> dict[str, Path]:
    """Write ``check.xlsx`` and ``check.geojson`` of a :class:`CheckResult` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sheets = []
    for kind in _KINDS:
        frame = pd.DataFrame(getattr(result, kind).drop(columns="geometry"))
        sheets.append(Sheet(name=tr(f"sheet.check_{kind}", lang), frame=escape_formulas(frame),
                            headers=[header(c, lang) for c in frame.columns]))
    written = {"xlsx": write_workbook(out / "check.xlsx", sheets, lang=lang)}
    frames = []
    for kind in _KINDS:
        gdf = getattr(result, kind)
        if len(gdf):
            frames.append(gdf.assign(problem=_PROBLEM[kind],
                                     problem_text=tr(f"check.problem_{kind.rstrip('s')}"
                                                     if kind in ("gaps", "overlaps")
                                                     else f"check.problem_{kind}", lang)))
    both = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs) if frames
            else gpd.GeoDataFrame({"problem": pd.Series(dtype=str)},
                                  geometry=gpd.GeoSeries([], crs="EPSG:4326")))
    written["geojson"] = write_atomic(
        out / "check.geojson", lambda tmp: tmp.write_bytes(geojson_bytes(both, layer="check")))
    return written
