"""Record points near features: the grown-box candidates and dwithin test give the tree's pairs."""

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from geotool.analysis.coverage import _query_dwithin


def test_pairs_equal_the_tree_dwithin_query() -> None:
    x0, y0 = 500_123.3, 3_812_345.7  # metric coordinates of a real size
    features = np.array([
        Point(x0, y0), LineString([(x0 + 100, y0), (x0 + 300, y0 + 50)]),
        Polygon([(x0, y0 + 200), (x0 + 80, y0 + 200), (x0 + 80, y0 + 280)]),
        Polygon(), None], dtype=object)
    rng = np.random.default_rng(3)
    xy = rng.uniform((x0 - 100, y0 - 100), (x0 + 400, y0 + 400), size=(20_000, 2))
    # exactly at the distance (along an axis and a diagonal), a hair beyond, inside a polygon
    exact = [(x0 + 50, y0), (x0, y0 - 50), (x0 + 30, y0 + 40), (x0 + 50.000001, y0),
             (x0 + 100, y0 - 50), (x0 + 60, y0 + 220), (x0 + 130, y0 + 280)]
    points = shapely.points(np.concatenate([xy, exact]))
    points = np.concatenate([points, [Point(), None]])
    got = _query_dwithin(features, points, 50.0)
    want = shapely.STRtree(features).query(points, predicate="dwithin", distance=50.0)
    assert sorted(zip(*got, strict=True)) == sorted(zip(*want, strict=True))
    n = len(xy)
    pairs = set(zip(*(a.tolist() for a in got), strict=True))
    assert {(n, 0), (n + 1, 0), (n + 2, 0), (n + 4, 1), (n + 5, 2), (n + 6, 2)} <= pairs
    assert (n + 3, 0) not in pairs
