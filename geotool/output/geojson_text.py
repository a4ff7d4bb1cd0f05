"""GeoJSON text of a polygon table, byte for byte as GDAL writes it, built with Arrow.

GDAL's GeoJSON driver (through pyogrio) holds the GIL while it writes: the
1,358 blind-spot parts of a 1,000,000-record city, 250,000 vertices, take it
a second, and the other write thread waits all that time. This module writes
the same bytes, a column at a time with NumPy and Arrow (no Python object per
vertex), for the tables it can: polygons and simple columns (integers, finite
floats, texts without gaps), WGS-84, six decimals. :func:`polygons_geojson`
returns ``None`` for anything else, and the caller lets GDAL write it.

The format, as GDAL 3.12 writes it with ``COORDINATE_PRECISION=6``:

* a header naming the layer and CRS84, one feature per line (``,\\n`` between);
* coordinates rounded to 1e-6 degrees one by one, or, where that would make
  a polygon invalid, by GEOS keeping it valid; written as ``printf("%.6f")``,
  trailing zeros dropped down to one (``114.0``, ``33.70001``, ``-0.0``);
* floats as ``%.17g``, with 16, 15 or 14 digits instead where the 17 show a
  ``000000`` or ``999999`` run after the point (``0.3``, not
  ``0.30000000000000004``), and ``.0`` added to whole numbers;
* texts JSON-escaped: ``"``, ``\\`` and control characters (``\\n``,
  ``\\u0001``); everything else, ``/`` included, as UTF-8. NUL is written
  ``\\u0000`` (GDAL would cut the text there).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geotool.output.formulas import arrow_text
from geotool.output.text_bytes import joined_bytes, utf8_view

__all__ = ["polygons_geojson"]

_HEAD = ('{{\n"type": "FeatureCollection",\n"name": {name},\n'
         '"crs": {{ "type": "name", "properties": {{ "name": "urn:ogc:def:crs:OGC:1.3:CRS84" }} }},'
         '\n"xy_coordinate_resolution": 1e-06,\n"features": [\n')
_RESOLUTION = 1e-6     # degrees: COORDINATE_PRECISION=6
_MAX_DEGREES = 1e9     # |coordinate| written exactly by the integer route below
_NAMED = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}


def polygons_geojson(gdf: gpd.GeoDataFrame, *, layer: str) -> bytes | None:
    """``gdf`` (WGS-84 polygons) as GDAL's GeoJSON bytes, or ``None`` when GDAL must write it.

    Parameters
    ----------
    gdf : GeoDataFrame
        In EPSG:4326; every geometry a non-empty 2-D Polygon.
    layer : str
        The collection's ``name``.

    Returns
    -------
    bytes or None
        ``None`` when a geometry, a column or a value is one this writer does
        not take (another geometry type, a missing value, a NaN, an object
        column): then ``pyogrio.write_dataframe`` gives the file.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"id": ["a/b"], "area_m2": [0.5]},
    ...                      geometry=[box(114, 33, 114.5, 33.25)], crs=4326)
    >>> line = polygons_geojson(g, layer="x").decode().splitlines()[6]
    >>> line[:69]
    '{ "type": "Feature", "properties": { "id": "a/b", "area_m2": 0.5 }, "'
    >>> line[-58:]
    '[ 114.0, 33.25 ], [ 114.0, 33.0 ], [ 114.5, 33.0 ] ] ] } }'
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326 or not _plain_polygons(geoms):
        return None
    geoms = _on_grid(geoms)
    if not _plain_polygons(geoms):  # made valid, a part split in two: GDAL writes those
        return None
    head = _HEAD.format(name=_json_text(pa.array([layer]))[0].as_py()).encode()
    if not len(gdf):
        return head + b"\n]\n}\n"
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    fields = [_property(str(c), gdf[c]) for c in props]
    coordinates = _coordinates(geoms)
    if not props or any(f is None for f in fields) or coordinates is None:
        return None
    features = pc.binary_join_element_wise(
        '{ "type": "Feature", "properties": { ', *_between(fields, ", "),
        ' }, "geometry": { "type": "Polygon", "coordinates": [ ', coordinates, " ] } }", "")
    ends = pc.if_else(pa.array(np.arange(len(features)) < len(features) - 1), ",\n", "")
    lines = joined_bytes(pc.binary_join_element_wise(features, ends, ""))
    return b"".join([head, memoryview(lines), b"\n]\n}\n"])


def _between(parts: list[pa.Array], sep: str) -> list[pa.Array | str]:
    out: list[pa.Array | str] = []
    for part in parts:
        out += [sep, part] if out else [part]
    return out


def _on_grid(geoms: np.ndarray) -> np.ndarray:
    """The geometries with their coordinates rounded to 1e-6 degrees, as GDAL rounds them.

    Each coordinate is rounded on its own; a polygon that this leaves invalid
    is instead reduced by GEOS so that it stays valid (GDAL's
    ``SetPrecision``), which may drop or move a few vertices.
    """
    rounded = shapely.set_precision(geoms, _RESOLUTION, mode="pointwise")
    invalid = ~shapely.is_valid(rounded)
    if invalid.any():
        rounded[invalid] = shapely.set_precision(geoms[invalid], _RESOLUTION)
    return rounded


def _plain_polygons(geoms: np.ndarray) -> bool:
    """Every value a non-empty 2-D Polygon (what blind-spot parts are)."""
    return bool(not len(geoms) or (
        not pd.isna(geoms).any() and (shapely.get_type_id(geoms) == 3).all()
        and not shapely.is_empty(geoms).any() and not shapely.has_z(geoms).any()))


def _property(name: str, s: pd.Series) -> pa.Array | None:
    """``"name": value`` of every row, or ``None`` for a column this writer does not take."""
    key = _json_text(pa.array([name]))[0].as_py() + ": "
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = pa.array(s.to_numpy()).cast(pa.string())
    elif isinstance(dtype, np.dtype) and dtype.kind == "f":
        floats = s.to_numpy(dtype=np.float64)
        if not np.isfinite(floats).all():
            return None
        values = _floats(floats)
    elif isinstance(dtype, pd.StringDtype) and not s.isna().any():
        values = _json_text(arrow_text(s))
    else:
        return None
    return pc.binary_join_element_wise(key, values, "")


def _floats(values: np.ndarray) -> pa.Array:
    """GDAL's text of each float: ``%.17g``, fewer digits where they hide a rounding run."""
    distinct, codes = np.unique(values, return_inverse=True)
    texts = np.char.mod("%.17g", distinct)
    for digits in (16, 15, 14):  # the first of these without a run, if any
        fewer = np.char.mod(f"%.{digits}g", distinct)
        texts = np.where(_rounding_run(texts) & _has_point(fewer) & ~_rounding_run(fewer),
                         fewer, texts)
    whole = (np.char.find(texts, ".") < 0) & (np.char.find(texts, "e") < 0)
    texts = np.where(whole, np.char.add(texts, ".0"), texts)
    return pa.array(texts.astype(str), pa.string()).take(pa.array(codes.ravel()))


def _has_point(texts: np.ndarray) -> np.ndarray:
    return np.char.find(texts.astype(str), ".") >= 0


def _rounding_run(texts: np.ndarray) -> np.ndarray:
    """Texts with a ``000000`` or ``999999`` run after their point (none without a point)."""
    after = np.char.partition(texts.astype(str), ".")
    has_point = after[..., 1] == "."
    tail = after[..., 2]
    return has_point & ((np.char.find(tail, "000000") >= 0) | (np.char.find(tail, "999999") >= 0))


def _json_text(texts: pa.Array) -> pa.Array:
    """Each text as a JSON string: quoted, ``"``, ``\\`` and control characters escaped."""
    data, _ = utf8_view(texts)
    if (data < 0x20).any() or (data == ord('"')).any() or (data == ord("\\")).any():
        texts = pc.replace_substring(texts, "\\", "\\\\")
        texts = pc.replace_substring(texts, '"', '\\"')
        for code in np.unique(data[data < 0x20]).tolist():
            texts = pc.replace_substring(texts, chr(code), _NAMED.get(code, f"\\u{code:04x}"))
    return pc.binary_join_element_wise('"', texts, '"', "")


def _coordinates(geoms: np.ndarray) -> pa.Array | None:
    """Each polygon's rings as GDAL writes them: ``[ [ x, y ], ... ], [ ... ]``."""
    if not len(geoms):
        return pa.array([], pa.string())
    _, xy, (ring_at, polygon_at) = shapely.to_ragged_array(geoms)
    if not np.isfinite(xy).all() or (np.abs(xy) > _MAX_DEGREES).any():
        return None
    x, y = _fixed6(xy[:, 0]), _fixed6(xy[:, 1])
    vertices = pc.binary_join_element_wise("[ ", x, ", ", y, " ]", "")
    rings = pc.binary_join(pa.ListArray.from_arrays(pa.array(ring_at, pa.int64()).cast(pa.int32()),
                                                    vertices), ", ")
    rings = pc.binary_join_element_wise("[ ", rings, " ]", "")
    return pc.binary_join(pa.ListArray.from_arrays(
        pa.array(polygon_at, pa.int64()).cast(pa.int32()), rings), ", ")


def _fixed6(values: np.ndarray) -> pa.Array:
    """``printf("%.6f")`` of each value, trailing zeros dropped down to one digit.

    The millionths are ``rint(v * 1e6)``, which is the correctly rounded
    value unless the product lies within a hair of a half (its rounding
    error is below 2e-8 here); those few are printed by ``%.6f`` itself.
    """
    scaled = values * 1e6
    millionths = np.abs(np.rint(scaled))
    near_half = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    if near_half.any():
        exact = np.char.mod("%.6f", values[near_half])
        millionths[near_half] = np.char.replace(np.char.lstrip(exact, "-"), ".", "").astype(
            np.float64)
    whole = millionths.astype(np.int64)
    units, sixths = np.divmod(whole, 1_000_000)
    decimals = pc.utf8_rtrim(pc.utf8_lpad(pa.array(sixths).cast(pa.string()), 6, "0"), "0")
    decimals = pc.if_else(pc.equal(decimals, ""), "0", decimals)
    sign = pc.if_else(pa.array(np.signbit(values)), "-", "")
    return pc.binary_join_element_wise(sign, pa.array(units).cast(pa.string()), ".", decimals,
                                       "")
