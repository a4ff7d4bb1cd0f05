"""The integer-code helpers the analysis sorts and groups on give what pandas would."""

import numpy as np
import pandas as pd

from geotool.analysis.codes import dense_codes, sorted_codes
from geotool.analysis.issues import first_versions
from geotool.analysis.worklists import _sort_order


def test_sort_order_is_sort_values_with_missing_first():
    f = pd.DataFrame({
        "rank": [2.0, 1.0, np.nan, 1.0, 2.0, 1.0],
        "days": pd.array([3, None, 1, 5, 3, 5], dtype="Int64"),
        "flag": [True, False, True, True, False, True],
        "id": ["b", "a", "c", None, "a", "é"],
    })
    keys, up = ["rank", "days", "flag", "id"], [True, False, False, True]
    want = f.sort_values(keys, ascending=up, kind="stable", na_position="first").index
    assert _sort_order([f[k] for k in keys], up).tolist() == want.tolist()


def test_sorted_codes_follow_python_string_order_and_dense_codes_keep_first_seen():
    words = pd.Series(["b", "a", "Z", "é", "a", "ab"])
    order = sorted(set(words))
    assert sorted_codes(words).tolist() == [order.index(w) for w in words]
    assert sorted_codes(pd.Series(["a", "b", "c"])).tolist() == [0, 1, 2]
    assert dense_codes(words)[0].tolist() == [0, 1, 2, 3, 1, 4]


def test_first_version_per_id_and_kind_with_ties_in_file_order():
    recs = pd.DataFrame({
        "record_id": ["a", "a", "a", "b", "c", "c"],
        "kind": ["issue", "inspection", "issue", "issue", "issue", "issue"],
        "found_at": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-01", "2026-01-05",
                                    "2026-01-04", "2026-01-04"]),
        "_order": [0, 1, 2, 3, 5, 4],
    })
    # a/issue: row 2 (earlier); a/inspection: row 1; b: row 3; c: the tie goes to _order 4
    assert first_versions(recs).tolist() == [1, 2, 3, 5]
    assert first_versions(recs, kind="issue").tolist() == [2, 3, 5]
    assert first_versions(recs, end=pd.Timestamp("2026-01-04")).tolist() == [1, 2]
