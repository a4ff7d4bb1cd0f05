"""Ids made up for ledger features and records that have none.

A ledger without an id column still needs stable ids, so that a record naming
a feature and next week's run find the same one: the name, then ``name-2``,
``name-3`` … for repeats in file order, and ``<layer>-<row>`` for a feature
with no name (OSM stations, KML placemarks, sheets).

A record without 问题编号 is named by where it is: ``<file>#<sheet>#<row>``
(:func:`row_ids`; the file's name, with as many of its folders as tell it
from another file of that name), which a planner can find in the file but
which a row inserted above changes; :func:`is_row_id` tells such ids, so
that a comparison of two dates matches them by content instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ids_from_names", "is_row_id", "looks_like_id", "row_ids"]

# <records file>#<sheet>#<row> at the end: a file name may hold a #, a 问题编号 two
_ROW_ID = r"(?i)\.(?:csv|txt|tsv|xlsx|xlsm|parquet)#[^#]*#\d+\Z"

#: Headers that hold ids: a layer with one of these but no ``id`` column is an error
#: (set ``id``), not a layer to make ids for.
_ID_LIKE = {"id", "fid", "gid", "uid", "objectid", "osm_id", "code", "编号", "编码", "代码"}



def looks_like_id(header: str) -> bool:
    """True for a header that holds ids (编号, code, osm_id …).

    Examples
    --------
    >>> looks_like_id("点位编号"), looks_like_id("osm_id"), looks_like_id("area_adcode")
    (True, True, False)
    """
    text = str(header).strip().lower()
    return text in _ID_LIKE or text.endswith(("编号", "_id"))


def ids_from_names(names: pd.Series, rows: np.ndarray, key: str) -> pd.Series:
    """Stable ids from names: the name, ``name-2``, ``name-3`` … for repeats (file order);
    ``<key>-<row>`` for a feature without a name.

    Examples
    --------
    >>> names = pd.Series(["东站", None, "东站", "北站"])
    >>> ids_from_names(names, np.arange(1, 5), "stations").tolist()
    ['东站', 'stations-2', '东站-2', '北站']
    """
    names = names.astype("string").reset_index(drop=True)
    present = names.notna().to_numpy()
    nth = np.ones(len(names), dtype=np.int64)
    nth[present] = names[present].groupby(names[present], sort=False).cumcount().to_numpy() + 1
    text = names.fillna("").to_numpy(dtype=object)
    out = np.where(nth > 1, text + "-" + nth.astype(str).astype(object), text)
    out = np.where(present, out, np.array([f"{key}-{r}" for r in rows], dtype=object))
    return pd.Series(out, dtype="string")


def row_ids(files: pd.Series, sheets: pd.Series, rows: pd.Series) -> pd.Series:
    """The id of a record without one: ``<file name>#<sheet>#<row>`` (no sheet: empty).

    Two files of one name in different folders (``东区/周报.csv``,
    ``西区/周报.csv``) are named with their folders, as many as tell them
    apart: the same row of each is two records, not two versions of one.

    Examples
    --------
    >>> row_ids(pd.Series(["in/a.xlsx", "b.csv"]), pd.Series(["周一", None]),
    ...         pd.Series([7, 12])).tolist()
    ['a.xlsx#周一#7', 'b.csv##12']
    >>> row_ids(pd.Series(["r/东区/周报.csv", "r/西区/周报.csv"]), pd.Series([None, None]),
    ...         pd.Series([2, 2])).tolist()
    ['东区/周报.csv##2', '西区/周报.csv##2']
    """
    names = _short_names([str(f) for f in files.dropna().unique()])  # per file, not per row
    made = files.map(names) + "#" + sheets.fillna("").astype(str) + "#" + rows.astype(str)
    return made.astype("string")


def _short_names(files: list[str]) -> dict[str, str]:
    """Each file's name, with as many of its last folders as make it unique among ``files``."""
    parts = {f: Path(f).parts for f in files}
    names: dict[str, str] = {}
    depth = 1
    left = list(files)
    while left:
        tails = {f: "/".join(parts[f][-depth:]) for f in left}
        count: dict[str, int] = {}
        for t in tails.values():
            count[t] = count.get(t, 0) + 1
        deepest = {f for f in left if len(parts[f]) <= depth}  # nothing more to add
        for f, t in tails.items():
            if count[t] == 1 or f in deepest:
                names[f] = t
        left = [f for f in left if f not in names]
        depth += 1
    return names


def is_row_id(ids: pd.Series | pd.Index) -> np.ndarray:
    """Which ids :func:`row_ids` made (``…#<sheet>#<row>``).

    Examples
    --------
    >>> is_row_id(pd.Index(["a.xlsx#周一#7", "东区/b.CSV##12", "WT-0012", "城东#10#001", None]
    ...                    )).tolist()
    [True, True, False, False, False]
    """
    text = pd.Series(np.asarray(ids, dtype=object), dtype="string")
    return text.str.contains(_ROW_ID, regex=True).fillna(False).to_numpy(dtype=bool)
