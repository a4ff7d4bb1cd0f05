"""The datum shift started early (in a background thread) gives the shift of the cells read."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geotool._halves import HALVES_MIN
from geotool.crs import gcj02_to_wgs84
from geotool.io.cells import Distinct
from geotool.io.record_places import RowDatums, start_places


def test_background_shift_is_the_shift_of_the_cells():
    n = HALVES_MIN + 3  # long enough for the background thread
    lon = pd.Series(np.where(np.arange(n) % 2 == 0, "114.65", "114.7"), dtype=object)
    lat = pd.Series(["33.62"] * n, dtype=object)
    lon.iloc[1], lat.iloc[1] = None, "33.6"          # partial: no shift
    lon.iloc[2], lat.iloc[2] = "114.60,33.50", None  # both typed in the longitude cell
    lon.iloc[3] = "x"                                # unreadable
    cols = {"lon": Distinct(lon), "lat": Distinct(lat)}
    places = start_places(cols, RowDatums(("GCJ-02",)), lon)
    x, y = places.wgs84.result()
    assert places.pairs_fixed == 1
    assert bool(places.bad_lon.iloc[3]) and not places.bad_lon.iloc[2]
    want_x, want_y = gcj02_to_wgs84(np.array([114.65, 114.60]), np.array([33.62, 33.50]))
    assert (x[0], y[0]) == (want_x[0], want_y[0])  # the same bits
    assert (x[2], y[2]) == (want_x[1], want_y[1])
    assert np.isnan(x[1]) and np.isnan(y[1]) and np.isnan(x[3])
    assert abs(x[0] - 114.65) > 1e-3  # shifted by a few hundred metres


def test_rows_of_a_file_with_its_own_datum_are_not_shifted():
    # [records.file_crs]: rows of b.csv are WGS-84, those of a.csv GCJ-02
    lon = pd.Series(["114.65", "114.65", "114.7"], dtype=object)
    lat = pd.Series(["33.62"] * 3, dtype=object)
    datums = RowDatums.of("GCJ-02", pd.Series(["a.csv", "b.csv", "a.csv"]),
                          {"b.csv": "EPSG:4326"})
    x, y = start_places({"lon": Distinct(lon), "lat": Distinct(lat)}, datums, lon).wgs84.result()
    want_x, want_y = gcj02_to_wgs84(np.array([114.65, 114.7]), np.array([33.62, 33.62]))
    assert (x[1], y[1]) == (114.65, 33.62)
    assert (x[0], y[0], x[2], y[2]) == (want_x[0], want_y[0], want_x[1], want_y[1])
