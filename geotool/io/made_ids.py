"""Ids made up for ledger features that have none (OSM stations, KML placemarks, sheets).

A ledger without an id column still needs stable ids, so that a record naming
a feature and next week's run find the same one: the name, then ``name-2``,
``name-3`` … for repeats in file order, and ``<layer>-<row>`` for a feature
with no name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ids_from_names", "looks_like_id"]

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
