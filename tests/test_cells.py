"""The grid of cells gives the same point-in-polygon pairs as testing every point."""

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geotool.analysis.cells import cell_candidates


def _every_pair(xy: np.ndarray, polygons: np.ndarray) -> set[tuple[int, int]]:
    return {(p, i) for i, poly in enumerate(polygons)
            for p in np.flatnonzero(shapely.intersects_xy(poly, xy[:, 0], xy[:, 1]))}


def _grid_pairs(xy: np.ndarray, polygons: np.ndarray) -> set[tuple[int, int]]:
    pairs, sure = cell_candidates(xy, polygons)
    hit = sure.copy()
    test = ~sure
    hit[test] = shapely.intersects_xy(polygons[pairs[1, test]], xy[pairs[0, test], 0],
                                      xy[pairs[0, test], 1])
    return set(zip(pairs[0, hit].tolist(), pairs[1, hit].tolist(), strict=True))


def _polygons() -> np.ndarray:
    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    tri = Polygon([(10, 0), (20, 0), (10, 10)])  # shares an edge with the ring
    two = MultiPolygon([box(12, 8, 14, 10), box(15, 8, 18, 10)])
    overlap = box(5, 5, 12, 9)  # overlaps the ring, its hole and the triangle
    return np.array([ring, tri, two, overlap, Polygon()], dtype=object)


def test_grid_pairs_equal_testing_every_point() -> None:
    polygons = _polygons()
    rng = np.random.default_rng(7)
    inner = rng.uniform(-2, 22, size=(20_000, 2))
    # points on edges, vertices, a hole's ring, cell lines and off the grid; one not finite
    edges = np.array([[0, 0], [10, 5], [3, 5], [7, 7], [15, 5], [12, 9], [20, 0], [20, 10],
                      [18, 10], [14.5, 9], [5, 5], [0.078125, 0.078125], [-1, 5], [30, 30],
                      [np.nan, 1.0]])
    on_lines = np.stack([np.arange(0, 20, 20 / 256) + 1e-12, np.full(256, 5.0)], axis=1)
    xy = np.concatenate([inner, edges, on_lines])
    for poly in polygons:
        shapely.prepare(poly)
    want = _every_pair(xy, polygons)
    assert _grid_pairs(xy, polygons) == want
    assert (12, 1) not in want  # [10, 5] is on the ring's edge and the triangle's
    assert {(1 + 20_000, 0), (1 + 20_000, 1)} <= want


def test_most_points_need_no_test() -> None:
    polygons = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)], dtype=object)
    xy = np.random.default_rng(1).uniform((0, 0), (20, 10), size=(10_000, 2))
    _pairs, sure = cell_candidates(xy, polygons)
    assert sure.sum() > 0.9 * len(xy)
    assert _grid_pairs(xy, polygons) == _every_pair(xy, polygons)


def test_no_polygons_or_points() -> None:
    pairs, sure = cell_candidates(np.empty((0, 2)), np.array([box(0, 0, 1, 1)]))
    assert pairs.shape == (2, 0) and len(sure) == 0
    pairs, sure = cell_candidates(np.array([[0.5, 0.5]]), np.array([Polygon()]))
    assert pairs.shape == (2, 0)
