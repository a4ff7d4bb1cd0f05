"""Two threads never share one prepared geometry (GEOS builds its indexes lazily: a race).

With the old code both halves of a long array tested against the same prepared
city polygon; now and then the heap was corrupted and the run aborted when a
worker thread ended ("tcache_thread_shutdown(): unaligned tcache chunk").
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geotool._halves import HALVES_MIN, own_prepared
from geotool.io.workspace import _outside_count


def test_own_prepared_is_a_private_exact_copy():
    city = shapely.Polygon([(0, 0), (3, 0), (3, 2), (0, 2)], [[(1, 0.5), (2, 0.5), (2, 1.5)]])
    mine = own_prepared(city)
    assert mine is not city
    assert shapely.is_prepared(mine) and not shapely.is_prepared(city)
    assert shapely.equals_exact(mine, city, 0.0)


def test_halves_test_against_their_own_copies():
    # enough points for two threads; 1 in 4 lies outside the unit square
    n = HALVES_MIN + 4
    x = np.where(np.arange(n) % 4 == 0, 5.0, 0.5)
    frame = gpd.GeoDataFrame(geometry=shapely.points(x, np.full(n, 0.5)), crs=4326)
    city = shapely.box(0, 0, 1, 1)
    assert _outside_count(frame, city) == n // 4
    assert not shapely.is_prepared(city)  # the shared one was never prepared nor used so
