"""The union of discs leaves out only discs the others cover: the same reach."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geotool.analysis.discs import _without_covered, union_of_discs


def plain_union(xy: np.ndarray, radius_m: float) -> shapely.Geometry:
    xy = np.unique(np.round(xy, 3), axis=0)
    return shapely.union_all(shapely.buffer(shapely.points(xy), radius_m, quad_segs=8))


def grid(lo: float, hi: float, step: float) -> np.ndarray:
    g = np.arange(lo, hi + step / 2, step)
    x, y = np.meshgrid(g, g)
    return np.column_stack([x.ravel(), y.ravel()])


def test_a_filled_square_keeps_only_the_discs_near_its_edges():
    xy = grid(1000.0, 1400.0, 10.0)                         # 41 x 41 records
    kept, cells = _without_covered(xy, 300.0, 8)
    # a disc whose circle reaches no farther than the covered cells is left out:
    # the middle ones, whose circle stays inside the square grown by ~270 m
    assert 0 < kept.sum() < len(xy) // 2 and len(cells) > 0
    assert kept[np.flatnonzero((xy == [1000.0, 1000.0]).all(axis=1))].all()   # a corner stays
    assert not kept[np.flatnonzero((xy == [1200.0, 1200.0]).all(axis=1))].any()  # the middle goes
    u = union_of_discs(xy, 300.0)
    assert shapely.symmetric_difference(u, plain_union(xy, 300.0)).area < 1e-6


def test_sparse_records_are_united_as_they_are():
    xy = grid(0.0, 20_000.0, 1_000.0)                       # 441 records 1 km apart
    kept, cells = _without_covered(xy, 300.0, 8)
    assert kept.all() and len(cells) == 0
    assert shapely.equals_exact(union_of_discs(xy, 300.0), plain_union(xy, 300.0), 0)


def test_no_points_is_an_empty_polygon():
    assert union_of_discs(np.empty((0, 2)), 300.0).is_empty


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), clusters=st.integers(1, 4),
       spread=st.floats(5, 400), radius=st.floats(20, 400))
def test_the_reach_is_that_of_every_disc(seed, clusters, spread, radius):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, size=(clusters, 2))
    origin = np.array([500_000.0, 3_000_000.0])           # metric coordinates of a real size
    xy = origin + np.concatenate([c + rng.normal(0, spread, size=(int(rng.integers(60, 400)), 2))
                                  for c in centres])
    a, b = union_of_discs(xy, radius), plain_union(xy, radius)
    assert shapely.symmetric_difference(a, b).area <= 1e-9 * b.area
    assert abs(a.area - b.area) <= 1e-9 * b.area
