"""The union of equal discs (a reach), leaving out the discs others already cover.

In a town with records every few metres most record discs lie wholly inside
the union of their neighbours' and change nothing; GEOS would still node
every one. :func:`union_of_discs` finds such discs on a raster, exactly:

* a grid of square cells of ``radius_m / 15`` is laid over the points;
* a cell is **covered** when it lies inside one of eight rectangles inscribed
  in the circle of radius ``radius_m * cos(pi / (4 * quad_segs))`` around a
  point (the inradius of the polygon GEOS draws for the disc), so every
  covered cell lies inside some disc polygon;
* a disc is **redundant** when every cell its circumscribed circle touches
  is covered; the union of those cells (``C``) then holds it.

The union returned is that of ``C`` (as row runs of cells) and the discs
that are not redundant: the same point set as the union of all discs (``C``
lies inside it, and every disc left out lies inside ``C``), so the blind
spots do not change; only the vertices GEOS computes where discs cross may
differ in the last bits. Cells are counted with prefix sums (NumPy), never a
loop over points. Where the filter would leave most discs (sparse points) it
is skipped and the discs are united as they are.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

__all__ = ["union_of_discs"]

_MARGIN_M = 1e-3    # every bound is taken this much on the safe side (floating point)
_CELLS_PER_RADIUS = 15
_MAX_CELLS = 4_000_000
_CHUNK = 8192       # points at a time in the redundancy test
_RECTANGLES = 8     # inscribed rectangles per disc: half-sizes r cos(t), r sin(t)


def union_of_discs(xy: np.ndarray, radius_m: float, *, quad_segs: int = 8) -> shapely.Geometry:
    """Union of the disc polygons of radius ``radius_m`` around ``xy`` (metres).

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
        Disc centres in a metric CRS; rounded to the millimetre and kept once.
    radius_m : float
    quad_segs : int
        Segments per quarter circle of each disc polygon (``shapely.buffer``).

    Returns
    -------
    shapely geometry
        The union of ``shapely.buffer(point, radius_m, quad_segs=quad_segs)``
        over the points; an empty polygon without points.

    Examples
    --------
    Two hundred records on one spot and one 100 m east: the union of two discs.

    >>> xy = np.array([[0.0, 0.0]] * 200 + [[100.0, 0.0]])
    >>> u = union_of_discs(xy, 300.0)
    >>> two = shapely.union(shapely.buffer(shapely.Point(0, 0), 300.0),
    ...                     shapely.buffer(shapely.Point(100, 0), 300.0))
    >>> bool(shapely.equals(u, two))
    True
    """
    if len(xy) == 0:
        return shapely.Polygon()
    xy = _distinct_mm(xy)
    kept, cells = _without_covered(xy, radius_m, quad_segs)
    discs = shapely.buffer(shapely.points(xy[kept]), radius_m, quad_segs=quad_segs)
    return shapely.union_all(np.concatenate([cells, discs]))


def _distinct_mm(xy: np.ndarray) -> np.ndarray:
    """The points rounded to the millimetre, each once, sorted by x then y.

    As ``np.unique(np.round(xy, 3), axis=0)``, sorted as complex numbers
    (real part first), which is several times faster than rows.
    """
    mm = np.round(xy, 3)
    z = np.empty(len(mm), dtype=np.complex128)
    z.real, z.imag = mm[:, 0], mm[:, 1]
    z = np.unique(z)
    return np.column_stack([z.real, z.imag])


def _without_covered(xy: np.ndarray, radius_m: float, quad_segs: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Which discs to unite (bool mask) and the cell rectangles that hold the others."""
    keep_all = np.ones(len(xy), dtype=bool), np.array([], dtype=object)
    cell = radius_m / _CELLS_PER_RADIUS
    if len(xy) < 100 or not cell > 0:
        return keep_all
    lo = np.floor(xy.min(axis=0) / cell) * cell - radius_m - 3 * cell
    shape = np.ceil((xy.max(axis=0) + radius_m + 3 * cell - lo) / cell).astype(np.int64)
    n_cells = int(shape[0]) * int(shape[1])
    # sparse points (under two discs over a cell on average) leave nearly every disc
    if n_cells > _MAX_CELLS or len(xy) * math.pi * _CELLS_PER_RADIUS ** 2 < 2 * n_cells:
        return keep_all
    covered = _covered_cells(xy, lo, shape, cell, radius_m * math.cos(math.pi / (4 * quad_segs)))
    redundant, needed = _redundant(xy, covered, lo, cell, radius_m)
    if redundant.sum() * 2 < len(xy):
        return keep_all
    return ~redundant, _row_runs(needed, lo, cell)


def _covered_cells(xy: np.ndarray, lo: np.ndarray, shape: np.ndarray, cell: float,
                   inradius_m: float) -> np.ndarray:
    """Cells (rows = y, columns = x) inside a rectangle inscribed in some point's inner circle."""
    nx, ny = int(shape[0]), int(shape[1])
    width = nx + 1
    corners, signs = [], []
    for t in (np.arange(_RECTANGLES) + 0.5) * (math.pi / 2) / _RECTANGLES:
        half = np.array([inradius_m * math.cos(t), inradius_m * math.sin(t)]) - _MARGIN_M
        first = np.ceil((xy - half - lo) / cell).astype(np.int64)       # first cell inside
        end = np.floor((xy + half - lo) / cell).astype(np.int64)        # one past the last
        ok = (end > first).all(axis=1)
        c0, r0, c1, r1 = first[ok, 0], first[ok, 1], end[ok, 0], end[ok, 1]
        corners += [r0 * width + c0, r0 * width + c1, r1 * width + c0, r1 * width + c1]
        one = np.ones(len(c0), dtype=np.int32)
        signs += [one, -one, -one, one]
    counts = np.bincount(np.concatenate(corners), weights=np.concatenate(signs),
                         minlength=(ny + 1) * width).astype(np.int32).reshape(ny + 1, width)
    return counts.cumsum(axis=0).cumsum(axis=1)[:ny, :nx] > 0


def _redundant(xy: np.ndarray, covered: np.ndarray, lo: np.ndarray, cell: float,
               radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Discs whose every touched cell is covered, and the cells those discs touch."""
    ny, nx = covered.shape
    in_row = np.zeros((ny, nx + 1), dtype=np.int32)
    in_row[:, 1:] = covered.cumsum(axis=1, dtype=np.int32)
    redundant = np.zeros(len(xy), dtype=bool)
    marks = np.zeros(ny * (nx + 1), dtype=np.int32)
    for at in range(0, len(xy), _CHUNK):   # chunks of points bound the memory, not a row loop
        rows, c0, c1, touched = _touched(xy[at:at + _CHUNK], lo, cell, radius_m, covered.shape)
        full = in_row[rows, c1 + 1] - in_row[rows, c0] == c1 - c0 + 1
        chunk = (full | ~touched).all(axis=1)
        redundant[at:at + _CHUNK] = chunk
        run = chunk[:, None] & touched
        starts = rows[run] * (nx + 1) + c0[run]
        marks += np.bincount(starts, minlength=len(marks)).astype(np.int32)
        marks -= np.bincount(starts + (c1[run] - c0[run] + 1),
                             minlength=len(marks)).astype(np.int32)
    return redundant, marks.reshape(ny, nx + 1).cumsum(axis=1)[:, :nx] > 0


def _touched(xy: np.ndarray, lo: np.ndarray, cell: float, radius_m: float,
             shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each point and each row near it: the row, the first and last cell its circle
    (radius ``radius_m``, on the safe side) touches there, and whether it touches the row."""
    ny, nx = shape
    reach = radius_m + _MARGIN_M
    k = math.ceil(reach / cell) + 1
    rows = np.floor((xy[:, 1:2] - lo[1]) / cell).astype(np.int64) + np.arange(-k, k + 1)
    bottom = lo[1] + rows * cell
    dy = np.maximum(np.maximum(bottom - xy[:, 1:2], xy[:, 1:2] - (bottom + cell)), 0.0)
    touched = dy < reach
    half = np.sqrt(np.maximum(reach * reach - dy * dy, 0.0))
    c0 = np.clip(np.floor((xy[:, 0:1] - half - lo[0]) / cell).astype(np.int64), 0, nx - 1)
    c1 = np.clip(np.floor((xy[:, 0:1] + half - lo[0]) / cell).astype(np.int64), 0, nx - 1)
    return np.clip(rows, 0, ny - 1), c0, c1, touched


def _row_runs(cells: np.ndarray, lo: np.ndarray, cell: float) -> np.ndarray:
    """Rectangles, one per run of marked cells along a row."""
    ny, nx = cells.shape
    padded = np.zeros((ny, nx + 2), dtype=np.int8)
    padded[:, 1:-1] = cells
    step = np.diff(padded, axis=1)
    row, start = np.nonzero(step == 1)
    _, end = np.nonzero(step == -1)
    return shapely.box(lo[0] + start * cell, lo[1] + row * cell,
                       lo[0] + end * cell, lo[1] + (row + 1) * cell)
