"""The analysis extent (``[extent]``) drawn on a district map: its outline only.

Blind spots are looked for inside the extent; the outline shows the planner
where that is. Drawn as a separate overlay so it can be switched off.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from geotool.output.render._elements import DataLayer
from geotool.output.render._payloads import outline_payload
from geotool.text import tr

__all__ = ["EXTENT_COLOR", "extent_layer"]

EXTENT_COLOR = "#7B3294"  # purple: apart from the outline, blind-spot and feature colours


def extent_layer(result, outline: gpd.GeoDataFrame, metric_crs: str | None, datum: str,
                 lang: str):
    """A :class:`~geotool.output.render._elements.DataLayer` of the extent inside ``outline``.

    Parameters
    ----------
    result : GapResult
        ``result.extent`` (WGS-84) or ``None``.
    outline : GeoDataFrame
        The district's polygon (WGS-84).
    metric_crs, datum, lang
        As for the other layers of the map.

    Returns
    -------
    (DataLayer, str) or None
        The layer and its plain name; ``None`` when the workspace has no extent
        or none of it lies in the district.
    """

    extent = getattr(result, "extent", None)
    if extent is None or extent.empty:
        return None
    inside = shapely.intersection(extent.to_crs(outline.crs).iloc[0],
                                  shapely.union_all(outline.geometry.values))
    if inside.is_empty:
        return None
    gdf = gpd.GeoDataFrame(geometry=[inside], crs=outline.crs)
    name = tr("map.extent", lang)
    layer = DataLayer("outline", outline_payload(gdf, metric_crs, datum),
                      {"color": EXTENT_COLOR, "weight": 2}, name=name)
    return layer, name
