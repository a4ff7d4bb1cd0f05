"""Writing an inspection route: CSV, xlsx, GPX and KML (WGS-84, and GCJ-02 for Chinese apps).

``route.gpx`` / ``route.kml`` are WGS-84 (Google Earth, OsmAnd, Organic Maps,
most GPS apps); ``route_gcj02.gpx`` / ``route_gcj02.kml`` hold the same route
in GCJ-02 for apps that expect it (AMap/Gaode, Tencent). XML is built with
:mod:`xml.etree.ElementTree`, which escapes every text; spreadsheet cells
are written as text or numbers, never formulas. Every file is atomic.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from geotool._atomic import write_atomic
from geotool.analysis.route import ROUTE_COLUMNS
from geotool.crs import wgs84_to_gcj02
from geotool.output.report import escape_formulas, write_csv
from geotool.text import header, tr

__all__ = ["route_table", "write_route"]

_GPX_NS = "http://www.topografix.com/GPX/1/1"
_KML_NS = "http://www.opengis.net/kml/2.2"


def route_table(route, *, lang: str = "zh") -> pd.DataFrame:
    """The route's stops with the start (and the return) named in ``lang``."""
    table = pd.DataFrame(route.stops[ROUTE_COLUMNS]).copy()
    start = (table["order"] == 0).to_numpy()
    names = np.array([tr("route.start", lang)] * len(table), dtype=object)
    if route.closed and len(table) > 1:
        names[-1] = tr("route.back", lang)
    table["name"] = table["name"].astype(object).where(~start, names)
    return table


def _points(table: pd.DataFrame, gcj02: bool) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = table["lon"].to_numpy(dtype=float), table["lat"].to_numpy(dtype=float)
    if gcj02:
        lon, lat = wgs84_to_gcj02(lon, lat)
    return np.round(lon, 7), np.round(lat, 7)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: object) -> str:
    """Text as XML 1.0 may hold it: a character it does not allow becomes U+FFFD.

    Examples
    --------
    >>> _xml_text("顺河\x01小街")
    '顺河\ufffd小街'
    """
    return _NOT_XML.sub("\ufffd", str(text))


def _label(row: pd.Series) -> str:
    return _xml_text(f"{int(row['order'])}. {row['name']}")


def _gpx(table: pd.DataFrame, title: str, gcj02: bool) -> bytes:
    title = _xml_text(title)
    ET.register_namespace("", _GPX_NS)
    root = ET.Element(f"{{{_GPX_NS}}}gpx", {"version": "1.1", "creator": "geotool"})
    meta = ET.SubElement(root, f"{{{_GPX_NS}}}metadata")
    ET.SubElement(meta, f"{{{_GPX_NS}}}name").text = title
    lon, lat = _points(table, gcj02)
    rte = ET.SubElement(root, f"{{{_GPX_NS}}}rte")
    ET.SubElement(rte, f"{{{_GPX_NS}}}name").text = title
    for i, (_, row) in enumerate(table.iterrows()):
        pt = ET.SubElement(rte, f"{{{_GPX_NS}}}rtept", {"lat": f"{lat[i]:.7f}",
                                                        "lon": f"{lon[i]:.7f}"})
        ET.SubElement(pt, f"{{{_GPX_NS}}}name").text = _label(row)
        ET.SubElement(pt, f"{{{_GPX_NS}}}desc").text = _xml_text(row["address"])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _kml(table: pd.DataFrame, title: str, gcj02: bool) -> bytes:
    title = _xml_text(title)
    ET.register_namespace("", _KML_NS)
    root = ET.Element(f"{{{_KML_NS}}}kml")
    doc = ET.SubElement(root, f"{{{_KML_NS}}}Document")
    ET.SubElement(doc, f"{{{_KML_NS}}}name").text = title
    lon, lat = _points(table, gcj02)
    coords = " ".join(f"{x:.7f},{y:.7f},0" for x, y in zip(lon, lat, strict=True))
    line = ET.SubElement(doc, f"{{{_KML_NS}}}Placemark")
    ET.SubElement(line, f"{{{_KML_NS}}}name").text = title
    style = ET.SubElement(ET.SubElement(line, f"{{{_KML_NS}}}Style"), f"{{{_KML_NS}}}LineStyle")
    ET.SubElement(style, f"{{{_KML_NS}}}color").text = "ff9a3d6a"
    ET.SubElement(style, f"{{{_KML_NS}}}width").text = "4"
    ET.SubElement(ET.SubElement(line, f"{{{_KML_NS}}}LineString"),
                  f"{{{_KML_NS}}}coordinates").text = coords
    for i, (_, row) in enumerate(table.iterrows()):
        mark = ET.SubElement(doc, f"{{{_KML_NS}}}Placemark")
        ET.SubElement(mark, f"{{{_KML_NS}}}name").text = _label(row)
        ET.SubElement(mark, f"{{{_KML_NS}}}description").text = _xml_text(row["address"])
        ET.SubElement(ET.SubElement(mark, f"{{{_KML_NS}}}Point"),
                      f"{{{_KML_NS}}}coordinates").text = f"{lon[i]:.7f},{lat[i]:.7f},0"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _xlsx(table: pd.DataFrame, path: Path, lang: str) -> None:
    table = escape_formulas(table)  # the one formula guard every spreadsheet goes through
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_urls": False,
                                           "in_memory": True})  # no parts in $TMPDIR
    sheet = book.add_worksheet(tr("route.layer", lang)[:31])
    bold = book.add_format({"bold": True})
    for j, col in enumerate(table.columns):
        sheet.write_string(0, j, header(col, lang), bold)
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if isinstance(value, (int, float, np.integer, np.floating)) and not pd.isna(value):
                sheet.write_number(i, j, float(value))
            else:
                sheet.write_string(i, j, "" if pd.isna(value) else str(value))
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 6)
    sheet.set_column(3, 4, 28)
    book.close()


def _bytes(data: bytes):
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write


def write_route(route, out: str | Path, *, lang: str = "zh") -> list[Path]:
    """Write ``route.csv``, ``route.xlsx``, ``route.gpx``, ``route.kml`` and GCJ-02 variants.

    Parameters
    ----------
    route : Route
        From :func:`geotool.analysis.route.plan_route`.
    out : str or Path
        Output folder (created when missing).
    lang : {"zh", "en"}
        Language of the start/return names and of the xlsx headers.

    Returns
    -------
    list of Path
    """
    out = Path(out)
    table = route_table(route, lang=lang)
    title = tr("route.title", lang, district=route.district_name)
    written = [write_csv(table, out / "route.csv"),
               write_atomic(out / "route.xlsx", lambda tmp: _xlsx(table, tmp, lang))]
    for suffix, gcj in (("", False), ("_gcj02", True)):
        written.append(write_atomic(out / f"route{suffix}.gpx", _bytes(_gpx(table, title, gcj))))
        written.append(write_atomic(out / f"route{suffix}.kml", _bytes(_kml(table, title, gcj))))
    return written
