"""The blind spots' GeoJSON written with Arrow: GDAL's bytes, hostile text escaped."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geotool.output.geojson_text import polygons_geojson
from geotool.output.report import geojson_bytes

# rounding its coordinates one by one to 1e-6 degrees would make it cross itself
_SPIKE = [(114.0, 33.0), (114.00001, 33.0), (114.00001, 33.00001), (114.0000024, 33.0000029),
          (114.0000048, 33.0000074), (114.0, 33.0)]
_WITH_HOLE = shapely.Polygon([(114.5, 33.5), (114.6, 33.5), (114.6, 33.6), (114.5, 33.6)],
                             [[(114.52, 33.52), (114.52, 33.58), (114.58, 33.58)]])
_NEAR_ZERO = shapely.Polygon([(-0.0000004, -0.0000004), (1.0, 0.0), (0.5, 0.7000004)])


def _hostile() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district_id": ['甲"区\\/\n\t\x01', "b", "c"], "part": [1, 2, 3],
         "area_m2": [0.1 + 0.2, 20000.0, 1 / 3], "share": [1e-05, -2.5, 1e16]},
        geometry=[shapely.Polygon(_SPIKE), _WITH_HOLE, _NEAR_ZERO], crs=4326)


def _gdal(gdf: gpd.GeoDataFrame, layer: str) -> bytes:
    buffer = io.BytesIO()
    pyogrio.write_dataframe(gdf, buffer, driver="GeoJSON", layer=layer, COORDINATE_PRECISION=6)
    return buffer.getvalue()


def test_text_worked_out_by_hand():
    lines = polygons_geojson(_hostile(), layer="blindspots").decode().split("\n")
    assert lines[:6] == [
        "{", '"type": "FeatureCollection",', '"name": "blindspots",',
        '"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },',
        '"xy_coordinate_resolution": 1e-06,', '"features": [']
    # quote, backslash and controls escaped, "/" and Chinese as they are; 0.1 + 0.2 is 0.3,
    # 1e-05 keeps 17 digits (fewer would drop the point); the spike is made valid (GEOS
    # drops its last corner and starts the ring elsewhere)
    assert lines[6] == (
        '{ "type": "Feature", "properties": { "district_id": "甲\\"区\\\\/\\n\\t\\u0001", '
        '"part": 1, "area_m2": 0.3, "share": 1.0000000000000001e-05 }, "geometry": '
        '{ "type": "Polygon", "coordinates": [ [ [ 114.00001, 33.00001 ], [ 114.00001, 33.0 ], '
        '[ 114.0, 33.0 ], [ 114.000002, 33.000003 ], [ 114.00001, 33.00001 ] ] ] } },')
    assert lines[7] == (
        '{ "type": "Feature", "properties": { "district_id": "b", "part": 2, "area_m2": 20000.0, '
        '"share": -2.5 }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 114.5, 33.5 ], '
        '[ 114.6, 33.5 ], [ 114.6, 33.6 ], [ 114.5, 33.6 ], [ 114.5, 33.5 ] ], [ [ 114.52, 33.52 ], '
        '[ 114.52, 33.58 ], [ 114.58, 33.58 ], [ 114.52, 33.52 ] ] ] } },')
    # a 17-digit third, a whole 1e16 with ".0", tiny negatives as -0.0
    assert lines[8] == (
        '{ "type": "Feature", "properties": { "district_id": "c", "part": 3, '
        '"area_m2": 0.33333333333333331, "share": 10000000000000000.0 }, "geometry": '
        '{ "type": "Polygon", "coordinates": [ [ [ -0.0, -0.0 ], [ 1.0, 0.0 ], [ 0.5, 0.7 ], '
        '[ -0.0, -0.0 ] ] ] } }')
    assert lines[9:] == ["]", "}", ""]
    json.loads("\n".join(lines))  # and it is JSON


def test_same_bytes_as_gdal():
    gdf = _hostile()
    assert polygons_geojson(gdf, layer="blindspots") == _gdal(gdf, "blindspots"), (
        f"GDAL {pyogrio.__gdal_version__} writes GeoJSON differently now")
    empty = gdf.iloc[:0]
    assert polygons_geojson(empty, layer="blindspots") == _gdal(empty, "blindspots")


def test_same_bytes_as_gdal_for_unions_of_discs():
    # blind-spot-like parts: a square less the union of random 300 m discs (most of it), in degrees
    rng = np.random.default_rng(7)
    xy = rng.random((2500, 2)) * 0.2 + [114.5, 33.5]
    reach = shapely.union_all(shapely.buffer(shapely.points(xy), 0.003, quad_segs=8))
    parts = shapely.get_parts(shapely.difference(shapely.box(114.5, 33.5, 114.7, 33.7), reach))
    parts = parts[shapely.get_type_id(parts) == 3]
    gdf = gpd.GeoDataFrame({"district_id": "411602", "part": np.arange(len(parts)) + 1,
                            "area_m2": np.round(shapely.area(parts) * 1.2e10, 1)},
                           geometry=parts, crs=4326)
    assert len(gdf) > 20
    assert polygons_geojson(gdf, layer="blindspots") == _gdal(gdf, "blindspots")


@pytest.mark.parametrize("change", ["multipolygon", "point", "nan", "missing_text", "objects",
                                    "metric"])
def test_others_are_left_to_gdal(change):
    gdf = _hostile()
    if change == "multipolygon":
        gdf.geometry = [shapely.MultiPolygon([_WITH_HOLE]), _WITH_HOLE, _NEAR_ZERO]
    elif change == "point":
        gdf.geometry = [shapely.Point(114, 33), _WITH_HOLE, _NEAR_ZERO]
    elif change == "nan":
        gdf["area_m2"] = [np.nan, 1.0, 2.0]
    elif change == "missing_text":
        gdf["district_id"] = gdf["district_id"].astype("string").where(gdf["part"] != 2)
    elif change == "objects":
        gdf["extra"] = [[1], {"a": 1}, None]
    else:
        gdf = gdf.set_crs(32650, allow_override=True)
    assert polygons_geojson(gdf, layer="x") is None
    if change != "objects":  # GDAL writes the rest as it always has
        text = geojson_bytes(gdf, layer="x")
        assert json.loads(text)["type"] == "FeatureCollection"
