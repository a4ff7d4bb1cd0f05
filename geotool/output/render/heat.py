"""The open-issue density layer: a square grid counted in Python.

Leaflet has no heat map built in and no plugin may be fetched, so the
density is a grid of square cells in the metric CRS, each coloured by the
number of open issues in it (cells with none are not drawn). The cell size
is a round number of metres chosen so that the district spans about
``target_cells`` cells along its longer side.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geotool.crs import WGS84
from geotool.output.render._display import round_coords, to_datum

__all__ = ["HeatGrid", "cell_size_m", "heat_breaks", "heat_grid"]

_NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


@dataclass(frozen=True)
class HeatGrid:
    """Counted grid cells.

    Attributes
    ----------
    cell_m : float
        Cell side in metres.
    cells : list of list
        ``[lat0, lon0, lat1, lon1, lat2, lon2, lat3, lon3, count]`` per
        non-empty cell (its four corners in the display datum).
    max_count : int
        The largest count (0 when there is no open issue).
    """

    cell_m: float
    cells: list[list[float]]
    max_count: int


def cell_size_m(extent_m: float, target_cells: int = 40) -> float:
    """A round cell size giving about ``target_cells`` cells across ``extent_m``.

    Examples
    --------
    >>> cell_size_m(10_000), cell_size_m(1_000), cell_size_m(1e6)
    (250.0, 50.0, 5000.0)
    """
    raw = max(float(extent_m), 1.0) / target_cells
    for nice in _NICE_M:
        if nice >= raw:
            return float(nice)
    return float(_NICE_M[-1])


def heat_grid(points: gpd.GeoSeries, area: shapely.Geometry, metric_crs: str, *,
              datum: str = "WGS-84", target_cells: int = 40) -> HeatGrid:
    """Count WGS-84 points in square cells over ``area`` (a WGS-84 polygon).

    Parameters
    ----------
    points : GeoSeries
        The open issues, WGS-84 points.
    area : shapely geometry
        The district (WGS-84); fixes the grid origin and cell size.
    metric_crs : str
        CRS in metres for the grid.
    datum : str
        Datum of the returned corners (``"WGS-84"`` or ``"GCJ-02"``).
    target_cells : int
        Cells along the longer side of the district.

    Returns
    -------
    HeatGrid

    Examples
    --------
    >>> pts = gpd.GeoSeries(gpd.points_from_xy([114.6001, 114.6002, 114.64], [33.6001] * 3),
    ...                     crs=WGS84)
    >>> g = heat_grid(pts, shapely.box(114.6, 33.6, 114.65, 33.65), "EPSG:32650")
    >>> g.cell_m, g.max_count, sorted(c[-1] for c in g.cells)
    (200.0, 2, [1, 2])
    """
    area_m = gpd.GeoSeries([area], crs=WGS84).to_crs(metric_crs).iloc[0]
    x0, y0, x1, y1 = area_m.bounds
    size = cell_size_m(max(x1 - x0, y1 - y0), target_cells)
    pts = points[~(points.is_empty | points.isna())]
    if pts.empty:
        return HeatGrid(size, [], 0)
    mx, my = Transformer.from_crs(WGS84, metric_crs, always_xy=True).transform(
        shapely.get_x(pts.values), shapely.get_y(pts.values))
    xy = np.column_stack([mx, my])
    ij = np.floor((xy - [x0, y0]) / size).astype(np.int64)
    cells, counts = np.unique(ij, axis=0, return_counts=True)
    gx0 = x0 + cells[:, 0] * size
    gy0 = y0 + cells[:, 1] * size
    boxes = shapely.box(gx0, gy0, gx0 + size, gy0 + size)
    frame = gpd.GeoDataFrame(geometry=boxes, crs=metric_crs).to_crs(WGS84)
    frame = to_datum(frame, datum)
    geoms = round_coords(np.asarray(frame.geometry.values))
    out = []
    for geom, count in zip(geoms, counts, strict=True):
        ring = shapely.get_coordinates(geom.exterior)[:4]
        out.append([v for lon, lat in ring for v in (float(lat), float(lon))] + [int(count)])
    return HeatGrid(size, out, int(counts.max()))


def heat_breaks(max_count: int, classes: int = 5) -> list[int]:
    """Lower bound of each colour class for counts 1..``max_count`` (geometric steps).

    Examples
    --------
    >>> heat_breaks(3), heat_breaks(50), heat_breaks(0)
    ([1, 2, 3], [1, 2, 5, 10, 23], [])
    """
    if max_count <= 0:
        return []
    if max_count <= classes:
        return list(range(1, max_count + 1))
    raw = [round(max_count ** (k / classes)) for k in range(classes)]
    out: list[int] = []
    for value in raw:
        out.append(max(int(value), out[-1] + 1 if out else 1))
    return out
