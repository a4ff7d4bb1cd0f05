"""Blind spots: the background union and the dense-town fixture, by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geotool._errors import CRSError
from geotool.analysis.blindspots import blind_parts, blindspots, count_features, start_blindspots

M = "EPSG:32650"
R = 300.0
GON = 16 * R * R * math.sin(2 * math.pi / 32)  # the 32-gon of radius R: 280,930 m2


def town(step_m: float = 10.0) -> gpd.GeoSeries:
    """Records on a ``step_m`` grid over the square 1000..1400 m (x and y)."""
    g = np.arange(1000.0, 1400.0 + step_m / 2, step_m)
    x, y = np.meshgrid(g, g)
    return gpd.GeoSeries(shapely.points(x.ravel(), y.ravel()), crs=M)


def county() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": ["A", "B"]},
                            geometry=[box(0, 0, 3000, 3000), box(3000, 0, 6000, 3000)], crs=M)


def test_dense_town_reach_is_the_square_grown_by_the_gon():
    # the reach of 41 x 41 records 10 m apart is the 400 m square grown by the 32-gon,
    # whose vertices lie on the axes (width 2R both ways): 400^2 + 4 * 400 * R + GON,
    # less a notch between each two neighbours along the sides (4 * 40 of them), where
    # the gons' top edges (slope tan(pi/32)) meet 5 m from each vertex: 10^2 tan(pi/32) / 4
    notch = 10 * 10 * math.tan(math.pi / 32) / 4            # 2.46 m2
    reach = 400 * 400 + 4 * 400 * R + GON - 160 * notch     # 920,536 m2
    b = blindspots(county(), town(), reach_m=R)
    a = b[b["district_id"] == "A"]
    assert len(a) == 1
    assert a["area_m2"].iloc[0] == pytest.approx(9e6 - reach, abs=0.01)
    assert b.loc[b["district_id"] == "B", "area_m2"].tolist() == [9e6]   # no record near B


def test_background_union_is_the_same_as_in_the_calling_thread():
    pts = gpd.GeoSeries([Point(100, 100), Point(2950, 1500), Point(3100, 1500), None,
                         Point()], crs=M)
    here = blind_parts(county(), pts, reach_m=R)
    there = start_blindspots(county(), pts, reach_m=R).result()
    assert there["district_id"].tolist() == here["district_id"].tolist() == ["A", "B"]
    assert there["area_m2"].tolist() == here["area_m2"].tolist()
    assert shapely.equals_exact(there.geometry.values, here.geometry.values, 0).all()
    full = count_features(there)
    assert full.columns.tolist()[:6] == ["district_id", "part", "area_m2", "features_inside",
                                         "uncovered_inside", "feature_ids_inside"]


def test_background_union_raises_where_its_result_is_taken():
    # a bow tie is no valid polygon: GEOS cannot cut the reach out of it
    bow = gpd.GeoDataFrame({"district_id": ["X"]}, crs=M, geometry=[
        shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])])
    job = start_blindspots(bow, gpd.GeoSeries([Point(500, 200), Point(520, 230)], crs=M),
                           reach_m=R)
    with pytest.raises(shapely.errors.GEOSException, match="TopologyException"):
        job.result()


def test_degrees_are_refused_before_the_thread_starts():
    with pytest.raises(CRSError, match="metric CRS"):
        start_blindspots(county().to_crs(4326), town().to_crs(4326), reach_m=R)


def test_started_from_coordinates_as_from_points():
    """The union started from x, y (as find_gaps does) is the one from the points; a NaN
    row (no place) is left out as a missing point is: a 1 km square with a record in one
    corner keeps 1,000,000 m² less a quarter of the 32-sided disc of 300 m blind:
    16 × 300² × sin(π/16) / 4 = 70,232.5 m², so 929,767.5 m²."""
    d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 1000, 1000)], crs=32650)
    from_points = start_blindspots(d, gpd.GeoSeries([Point(0, 0), None], crs=32650)).result()
    from_xy = start_blindspots(d, np.array([[0.0, 0.0], [np.nan, np.nan]])).result()
    assert len(from_xy) == len(from_points) == 1
    assert from_xy.area_m2.iloc[0] == from_points.area_m2.iloc[0]
    assert from_xy.area_m2.iloc[0] == pytest.approx(1e6 - 16 * 300**2 * math.sin(math.pi / 16) / 4)
