"""Which polygons many points may lie in, from a grid of cells classified once per polygon.

A grid over the polygons' bounds is laid once. For each polygon, a cell is
*inside* (the whole closed cell lies in the polygon), *outside* (the whole
cell lies off it) or *on the edge* (the polygon's boundary crosses the cell).
A point in an inside cell lies in the polygon and one in an outside cell does
not, with no test; only the points of edge cells are tested against the
polygon. Every cell is classified a little larger than it is, so a point put
in a cell by rounding still lies in the area classified: the answer is the
same as testing every point (``shapely.intersects_xy``, boundary included).
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["GRID_MIN_POINTS", "cell_candidates"]

#: Below this many points a box test per polygon is quicker than laying a grid.
GRID_MIN_POINTS = 20_000

_SIDE = 128  # cells along each side of the grid
_OUTSIDE, _INSIDE, _EDGE = 0, 1, 2


def cell_candidates(xy: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, polygon) pairs where the point may lie in the polygon, and which surely do.

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Point coordinates (non-finite: in no polygon).
    polygons : ndarray of shapely geometries
        Polygons, prepared or not, in the same CRS.

    Returns
    -------
    pairs : ndarray, shape (2, k)
        Point row and polygon row of every pair not surely apart.
    sure : ndarray of bool, shape (k,)
        The point surely lies in the polygon (boundary included); the others
        need a test.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> xy = np.array([[1.0, 1.0], [5.0, 5.0], [20.0, 20.0]])
    >>> pairs, sure = cell_candidates(xy, np.array([box(0, 0, 10, 10)]))
    >>> pairs.tolist(), sure.tolist()
    ([[0, 1], [0, 0]], [True, True])
    """
    if len(polygons) == 0 or len(xy) == 0:
        return np.empty((2, 0), dtype=np.int64), np.empty(0, dtype=bool)
    bounds = shapely.bounds(polygons)  # empty polygons: NaN, in no cell
    if np.isnan(bounds).all():
        return np.empty((2, 0), dtype=np.int64), np.empty(0, dtype=bool)
    x0, y0 = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
    dx = max((np.nanmax(bounds[:, 2]) - x0) / _SIDE, 1e-9)
    dy = max((np.nanmax(bounds[:, 3]) - y0) / _SIDE, 1e-9)
    with np.errstate(invalid="ignore"):
        col = np.floor((xy[:, 0] - x0) / dx)
        row = np.floor((xy[:, 1] - y0) / dy)
        on_grid = (col >= 0) & (col <= _SIDE) & (row >= 0) & (row <= _SIDE)
    on = np.flatnonzero(on_grid)  # off the grid (or not finite): in no polygon
    cell = (np.minimum(row[on], _SIDE - 1).astype(np.int64) * _SIDE
            + np.minimum(col[on], _SIDE - 1).astype(np.int64))
    tree = shapely.STRtree(_cell_boxes(x0, y0, dx, dy))
    k = np.arange(_SIDE) + 0.5
    centres = np.stack([np.tile(x0 + k * dx, _SIDE), np.repeat(y0 + k * dy, _SIDE)], axis=1)
    kinds = np.stack([_classify(polygon, tree, centres, bounds[i])
                      for i, polygon in enumerate(polygons)])
    # most cells meet one polygon only, wholly inside it: their points need one look-up
    meets = (kinds != _OUTSIDE).sum(axis=0)
    owner = np.argmax(kinds, axis=0)  # the one polygon met (inside beats outside)
    sole = (meets == 1) & (kinds[owner, np.arange(kinds.shape[1])] == _INSIDE)
    alone = sole[cell]
    left, right, sure = [on[alone]], [owner[cell[alone]]], [np.ones(int(alone.sum()), bool)]
    rest, rest_cell = on[~alone], cell[~alone]
    for i in range(len(polygons)):
        kind = kinds[i][rest_cell]
        maybe = np.flatnonzero(kind != _OUTSIDE)
        left.append(rest[maybe])
        right.append(np.full(len(maybe), i, dtype=np.int64))
        sure.append(kind[maybe] == _INSIDE)
    return (np.stack([np.concatenate(left), np.concatenate(right).astype(np.int64)]),
            np.concatenate(sure))


def _cell_boxes(x0: float, y0: float, dx: float, dy: float) -> np.ndarray:
    """The grid's cells as boxes, row by row, each grown by a thousandth of a cell."""
    k = np.arange(_SIDE, dtype=float)
    xs, ys = x0 + k * dx, y0 + k * dy
    cx, cy = np.meshgrid(xs, ys)  # row-major: cell = row * _SIDE + col
    gx, gy = dx / 1000, dy / 1000
    return shapely.box((cx - gx).ravel(), (cy - gy).ravel(), (cx + dx + gx).ravel(),
                       (cy + dy + gy).ravel())


def _classify(polygon: shapely.Geometry, tree: shapely.STRtree, centres: np.ndarray,
              bounds: np.ndarray) -> np.ndarray:
    """Per cell: inside, outside or on the edge of ``polygon``.

    A (grown) cell the boundary does not meet lies wholly on one side of it:
    its centre tells which.
    """
    kind = np.full(len(centres), _OUTSIDE, dtype=np.uint8)
    near = np.flatnonzero((centres[:, 0] >= bounds[0]) & (centres[:, 0] <= bounds[2])
                          & (centres[:, 1] >= bounds[1]) & (centres[:, 1] <= bounds[3]))
    kind[near[shapely.intersects_xy(polygon, centres[near, 0], centres[near, 1])]] = _INSIDE
    kind[tree.query(shapely.boundary(polygon), predicate="intersects")] = _EDGE
    return kind
