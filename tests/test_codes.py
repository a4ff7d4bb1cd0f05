"""The integer-code helpers the analysis sorts and groups on give what pandas would."""

import numpy as np
import pandas as pd
import pyarrow as pa

from geotool.analysis.codes import dense_codes, sorted_codes
from geotool.analysis.issues import first_versions
from geotool.analysis.worklists import _sort_order
from geotool.io.cells import Distinct, strictly_increasing


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


def _ids(n: int, repeat_at: int | None = None) -> pd.Series:
    """``R00000``, ``R00001``, ... (increasing); with ``repeat_at``, that id given twice."""
    ids = [f"R{i:05d}" for i in range(n)]
    if repeat_at is not None:
        ids.insert(repeat_at + 1, ids[repeat_at])
    return pd.Series(ids, dtype=pd.StringDtype("pyarrow"))


def test_ids_in_increasing_order_get_the_codes_a_hash_table_gives():
    # the short cut for ids numbered down the file, and a repeat found only past the
    # first thousand values (the full comparison), and one found at once
    for ids in (_ids(3), _ids(2_500), _ids(2_500, repeat_at=1_800), _ids(50, repeat_at=0)):
        codes, n = dense_codes(ids)
        want, uniques = pd.factorize(ids)
        assert codes.tolist() == want.tolist() and n == len(uniques)
        assert sorted_codes(ids).tolist() == [sorted(set(ids)).index(v) for v in ids]
    assert dense_codes(_ids(2_500, repeat_at=1_800))[0][1_801] == 1_800


def test_record_columns_in_increasing_order_factorize_as_pandas_does():
    for ids in (_ids(2_500), _ids(2_500, repeat_at=1_800)):
        d = Distinct(ids)
        want, uniques = pd.factorize(ids)
        assert d.codes.tolist() == want.tolist()
        assert d.clean.to_pylist() == list(uniques)
        assert d.text().tolist() == ids.tolist()
    with_blank = pd.Series(["R1", None, "R3"], dtype=pd.StringDtype("pyarrow"))
    assert not strictly_increasing(pa.array(with_blank))  # a missing id: the usual path
    assert Distinct(with_blank).codes.tolist() == [0, -1, 1]
