"""rows_taken: the same frame as ``.loc[mask, columns]``, dtypes and index included."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geotool._halves import HALVES_MIN, rows_taken


def test_rows_taken_is_loc_on_a_long_mixed_frame():
    n = HALVES_MIN + 3   # long enough for the two threads
    frame = pd.DataFrame({
        "text": pd.Series(["甲", None, "c"] * (n // 3), dtype="string[pyarrow]"),
        "names": np.array(["a.csv", "b.csv", "a.csv"] * (n // 3), dtype=object),
        "found_at": pd.to_datetime(["2026-10-01", None, "2026-10-03"] * (n // 3)),
        "lon": np.tile([113.5, np.nan, 114.0], n // 3),
        "row": np.arange(n // 3 * 3),
    })
    frame.index = pd.RangeIndex(10, 10 + len(frame))
    frame["names"] = frame["names"].astype(object)
    keep = np.arange(len(frame)) % 3 != 1        # rows 0, 2, 3, 5, ...
    got = rows_taken(frame, keep, ["row", "names", "text", "found_at", "lon"])
    assert got["names"].dtype == object          # not turned into str
    assert got.index[:3].tolist() == [10, 12, 13]
    assert got["row"].iloc[:4].tolist() == [0, 2, 3, 5]
    assert got["text"].isna().sum() == 0         # every second-of-three row (the <NA>) left out
    pd.testing.assert_frame_equal(got, frame.loc[keep, ["row", "names", "text", "found_at", "lon"]])
