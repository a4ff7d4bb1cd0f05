"""The analysis extent (``[extent]``): where blind spots are looked for.

On real counties (1,000+ km² of farmland and villages) every district is
almost all blind spot, which says nothing. An office fights in its built-up
area (建成区) or along its grid. ``[extent]`` says where:

* ``path = "建成区.geojson"``: the polygons of a file (its own ``crs``);
* ``layers = ["communities"]``: the union of those ledger layers' polygons;
* ``buffer_m = 500``: within that distance of any ledger feature (computed
  in metres by :mod:`geotool.analysis.extent`).

This module reads the first two into one WGS-84 geometry.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import InputError
from geotool.io.config import ExtentSpec, LayerSpec
from geotool.io.layers import _to_wgs84, read_vector
from geotool.text import Note

__all__ = ["read_extent"]


def _polygons(geoms) -> shapely.Geometry:
    geoms = np.asarray(geoms, dtype=object)
    geoms = shapely.make_valid(geoms[~pd.isna(geoms)])
    geoms = geoms[~shapely.is_empty(geoms)]
    parts = shapely.get_parts(geoms)
    polys = parts[shapely.get_dimensions(parts) == 2]
    return shapely.union_all(polys) if len(polys) else shapely.Polygon()


def read_extent(spec: ExtentSpec | None, features: gpd.GeoDataFrame) -> shapely.Geometry | None:
    """The extent as one WGS-84 (multi)polygon, or ``None`` (no extent, or ``buffer_m``).

    Parameters
    ----------
    spec : ExtentSpec or None
        The ``[extent]`` table.
    features : GeoDataFrame
        The ledger features (WGS-84), for ``layers``.

    Raises
    ------
    InputError
        When the file or the layers hold no polygon.
    """
    if spec is None or spec.buffer_m is not None:
        return None
    if spec.layers:
        chosen = features[features["layer"].isin(spec.layers).to_numpy()]
        geom = _polygons(chosen.geometry.values)
        if geom.is_empty:
            raise InputError(Note("extent.layers_no_polygon", layers=", ".join(spec.layers)))
        return geom

    assert spec.path is not None
    gdf, _notes = read_vector(spec.path, layer=spec.layer)
    gdf = gpd.GeoDataFrame(geometry=gdf.geometry.values, crs=gdf.crs)
    gdf, _converted = _to_wgs84(gdf, LayerSpec(key="extent", path=spec.path, crs=spec.crs))
    geom = _polygons(gdf.geometry.values)
    if geom.is_empty:
        raise InputError(Note("extent.no_polygon"), path=spec.path)
    return geom
