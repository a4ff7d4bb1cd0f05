"""Integer codes for text columns, and text columns from Arrow arrays.

The analysis groups, sorts and joins on ids and categories. Done on the
strings themselves, every step hashes or compares a million Python strings;
done on integer codes taken once from the Arrow arrays the records already
are, it is NumPy work. The text is taken back (Arrow ``take``) only for the
rows shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool.io.cells import strictly_increasing

__all__ = ["STR", "arrow", "dense_codes", "equals", "sorted_codes", "text"]

#: pandas' default text dtype (what a column of Python strings becomes).
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def arrow(values: pd.Series | pd.Index | np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as one Arrow array (no copy when they already are one Arrow chunk).

    Examples
    --------
    >>> arrow(pd.Series(["a", None])).to_pylist()
    ['a', None]
    """
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    out = pa.array(values, from_pandas=True)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def dense_codes(values: pd.Series | pa.Array) -> tuple[np.ndarray, int]:
    """Integer code of each value (first seen = 0) and the number of distinct values.

    Missing values get code ``-1``.

    Examples
    --------
    >>> codes, n = dense_codes(pd.Series(["b", "a", None, "b"]))
    >>> codes.tolist(), n
    ([0, 1, -1, 0], 2)
    """
    a = arrow(values)
    if strictly_increasing(a):  # ids in the order a system numbers them: each seen once
        return np.arange(len(a), dtype=np.int64), len(a)
    encoded = a.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, len(encoded.dictionary)


def sorted_codes(values: pd.Series | pa.Array) -> np.ndarray:
    """Dense integer codes ordered like the values: the smallest value is 0.

    Strings order by code point (as Python compares them); missing values last.

    Examples
    --------
    >>> sorted_codes(pd.Series(["b", "a", "c", "a"])).tolist()
    [1, 0, 2, 0]
    """
    a = arrow(values)
    if strictly_increasing(a):
        return np.arange(len(a), dtype=np.int64)  # already strictly ascending: no sort
    ranks = pc.rank(a, sort_keys="ascending", tiebreaker="dense")
    return ranks.to_numpy().astype(np.int64) - 1


def equals(values: pd.Series, value: str) -> np.ndarray:
    """``values == value`` as a bool array (missing: ``False``).

    Examples
    --------
    >>> equals(pd.Series(["issue", None, "inspection"]), "issue").tolist()
    [True, False, False]
    """
    hit = pc.equal(arrow(values), pa.scalar(value))
    return hit.fill_null(False).to_numpy(zero_copy_only=False)


def text(values: pa.Array, dtype: pd.StringDtype = STR) -> pd.arrays.ArrowStringArray:
    """A pandas text array over an Arrow array (no copy), of ``dtype``.

    Examples
    --------
    >>> pd.Series(text(pa.array(["a", None]))).tolist()
    ['a', nan]
    """
    return pd.array(values, dtype=dtype)
