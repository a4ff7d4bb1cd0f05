"""The window's points projected first, the rest after: the same numbers as one projection."""

from __future__ import annotations

import numpy as np
import shapely

from geotool.analysis.gaps import _metric_xy, _metric_xy_with


def _points() -> np.ndarray:
    lon = np.linspace(114.60, 114.70, 23)
    lat = np.linspace(33.60, 33.65, 23)
    return shapely.points(lon, lat)


def test_split_projection_is_bit_equal_to_one_call() -> None:
    points = _points()
    in_window = np.arange(len(points)) % 3 == 0
    window = _metric_xy(points[in_window], 32650)
    assert window is not None and window.shape == (8, 2)
    xy = _metric_xy_with(window, in_window, points, 32650)
    assert xy is not None
    np.testing.assert_array_equal(xy, _metric_xy(points, 32650))
    # 0.1 degree east at 33.6 N is 9.27 km; 2.4 degrees west of zone 50N's meridian the
    # grid turns by about 1.3 degrees, so the 5.55 km north adds about 0.13 km east
    assert 9_350 < xy[-1, 0] - xy[0, 0] < 9_450


def test_every_point_in_the_window() -> None:
    points = _points()
    in_window = np.ones(len(points), dtype=bool)
    window = _metric_xy(points, 32650)
    xy = _metric_xy_with(window, in_window, points, 32650)
    np.testing.assert_array_equal(xy, window)


def test_a_line_outside_the_window_means_no_shortcut() -> None:
    points = np.append(_points(), shapely.LineString([(114.6, 33.6), (114.7, 33.6)]))
    in_window = np.arange(len(points)) < 5
    window = _metric_xy(points[in_window], 32650)
    assert _metric_xy_with(window, in_window, points, 32650) is None
