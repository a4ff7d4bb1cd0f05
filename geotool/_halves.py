"""Elementwise work on long arrays in two threads, for the functions that release the GIL.

The same for taking rows of a wide frame: Arrow's and NumPy's ``take``
release the GIL, so the columns are shared out between two threads.

NumPy's loops and most shapely predicates release the GIL, so a function that
works element by element can run on the two halves of its arrays side by side
on two cores. The results are the same to the last bit as one call's: each
element is computed exactly as before, only in another thread.

A geometry both halves test against must not be one prepared geometry: GEOS
builds a prepared geometry's indexes lazily, on first use, and two threads
doing so at once corrupt the heap (a crash when a thread ends, now and then).
Each half takes its own prepared copy (:func:`own_prepared`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import shapely

__all__ = ["HALVES_MIN", "in_halves", "own_copy", "own_prepared", "rows_taken"]

#: Arrays at least this long are split in two threads (shorter ones: one call).
HALVES_MIN = 200_000


def in_halves(func: Callable[..., Any], *arrays: np.ndarray, min_size: int | None = None
              ) -> Any:
    """``func(*arrays)`` of long 1-D arrays, each half in its own thread.

    ``func`` must work element by element and return an array or a tuple of
    arrays as long as its arguments; it is called once when the arrays are
    short, not 1-D or not all of one length, or on a single core.

    Examples
    --------
    >>> a = np.arange(5.0)
    >>> in_halves(np.add, a, a, min_size=2).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0]
    """
    n = arrays[0].size if arrays else 0
    limit = HALVES_MIN if min_size is None else min_size
    if (n < limit or (os.cpu_count() or 1) < 2
            or any(a.ndim != 1 or a.shape != (n,) for a in arrays)):
        return func(*arrays)
    mid = n // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda part: func(*(a[part] for a in arrays)),
                                 (slice(0, mid), slice(mid, n)))
    if isinstance(first, tuple):
        return tuple(np.concatenate([p, q]) for p, q in zip(first, second, strict=True))
    return np.concatenate([first, second])


def own_copy(geometries: Any) -> Any:
    """New GEOS objects with the same coordinates, bit for bit (WKB), for one thread alone.

    A geometry or an array of them; no GEOS object is then shared with another thread.

    Examples
    --------
    >>> box = shapely.box(0, 0, 1, 1)
    >>> mine = own_copy(box)
    >>> mine is not box, bool(shapely.equals_exact(mine, box, 0.0))
    (True, True)
    """
    return shapely.from_wkb(shapely.to_wkb(geometries, include_srid=True))


def own_prepared(geometry: shapely.Geometry) -> shapely.Geometry:
    """A prepared copy of ``geometry`` for this thread alone (the same coordinates, bit for bit).

    Examples
    --------
    >>> box = shapely.box(0, 0, 1, 1)
    >>> mine = own_prepared(box)
    >>> mine is not box, bool(shapely.is_prepared(mine)), bool(shapely.equals_exact(mine, box, 0.0))
    (True, True, True)
    """
    copy = own_copy(geometry)
    shapely.prepare(copy)
    return copy


def rows_taken(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """``frame.loc[rows, columns]`` for a boolean mask ``rows``, columns taken in two threads.

    The same frame (values, dtypes, index) as ``.loc``; each column is taken
    by its own array's ``take`` (Arrow's kernel for Arrow strings), so a
    million-row table of a dozen columns is copied on two cores.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    >>> rows_taken(f, np.array([True, False, True]), ["b", "a"]).to_dict("list")
    {'b': ['x', 'z'], 'a': [1, 3]}
    """
    at = np.flatnonzero(rows)
    if len(at) < HALVES_MIN or (os.cpu_count() or 1) < 2 or len(set(columns)) != len(columns):
        return frame.loc[rows, columns]
    with ThreadPoolExecutor(max_workers=2) as pool:
        arrays = list(pool.map(lambda name: frame[name].array.take(at), columns))
    index = frame.index[at]
    # each column keeps its dtype (an object column of texts stays object, not str)
    return pd.DataFrame({name: pd.Series(values, index=index, dtype=frame[name].dtype, copy=False)
                         for name, values in zip(columns, arrays, strict=True)}, copy=False)
