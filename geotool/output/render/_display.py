"""Display geometry and the JSON embedded in the maps.

Geometry is simplified in metres (a few metres of tolerance, invisible at
street zoom), moved to the tiles' datum, and its coordinates rounded to 5
decimals (about 1 m). Data goes into the page as JSON that is safe inside a
``<script>``: ``<``, ``>``, ``&`` and the line separators are escaped, so a
user string can never close the script or open a tag.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely

from geotool.crs import GCJ02, WGS84, from_wgs84

__all__ = [
    "DECIMALS",
    "SIMPLIFY_M",
    "display_geoms",
    "feature_collection",
    "round_coords",
    "script_json",
    "to_datum",
]

#: Decimal places of drawn coordinates (1e-5 degree is about 1.1 m).
DECIMALS = 5
#: Simplification tolerance of drawn lines and polygons, metres.
SIMPLIFY_M = 2.0

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value: object) -> str:
    """JSON text that is safe to paste inside an HTML ``<script>`` element.

    Examples
    --------
    >>> script_json({"d": "</script><img src=x>"})
    '{"d":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _SCRIPT_ESCAPES.items():  # str.replace: ~50x faster than translate
        text = text.replace(chr(char), escape)
    return text


def to_datum(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """WGS-84 frame moved to ``datum`` (``"WGS-84"``: unchanged, ``"GCJ-02"``: shifted)."""
    if datum == GCJ02:
        return from_wgs84(gdf, GCJ02)
    return gdf


def display_geoms(gdf: gpd.GeoDataFrame, metric_crs: str | None, *,
                  tolerance_m: float = SIMPLIFY_M, datum: str = "WGS-84") -> np.ndarray:
    """Simplified geometries of a WGS-84 frame, in ``datum``, coordinates rounded.

    Parameters
    ----------
    gdf : GeoDataFrame
        In WGS-84.
    metric_crs : str or None
        The analysis' metric CRS (simplification happens there); ``None``
        picks a UTM zone.
    tolerance_m : float
        Douglas-Peucker tolerance in metres (topology preserved).
    datum : str
        ``"WGS-84"`` or ``"GCJ-02"``.

    Returns
    -------
    numpy.ndarray of shapely geometries
        One per row, in row order.
    """
    if gdf.empty:
        return np.array([], dtype=object)
    geoms = gpd.GeoSeries(gdf.geometry.values, crs=gdf.crs or WGS84)
    lines_or_areas = ~geoms.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    if tolerance_m > 0 and lines_or_areas.any():
        metric = geoms.to_crs(metric_crs or geoms.estimate_utm_crs())
        simple = shapely.simplify(metric.values, tolerance_m, preserve_topology=True)
        back = gpd.GeoSeries(simple, crs=metric.crs).to_crs(WGS84).values
        geoms = gpd.GeoSeries(np.where(lines_or_areas, back, geoms.values), crs=WGS84)
    frame = to_datum(gpd.GeoDataFrame(geometry=geoms.values, crs=WGS84), datum)
    return round_coords(np.asarray(frame.geometry.values))


def round_coords(geoms: np.ndarray, decimals: int = DECIMALS) -> np.ndarray:
    """Geometries with every coordinate rounded to ``decimals`` places."""
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda c: np.round(c, decimals))


def feature_collection(geoms: np.ndarray, props: list[dict]) -> str:
    """A GeoJSON FeatureCollection as script-safe JSON; empty geometries are dropped."""
    geoms = np.asarray(geoms, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    texts = shapely.to_geojson(geoms[keep]) if keep.any() else []
    kept = [p for p, k in zip(props, keep, strict=True) if k]
    parts = [f'{{"type":"Feature","geometry":{g},"properties":{script_json(p)}}}'
             for g, p in zip(texts, kept, strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
