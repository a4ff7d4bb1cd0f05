"""The issue table: one row per issue known as of D, as ``issues.csv`` shows it.

Built from :func:`~geotool.analysis.issues.issue_states` on integer codes: the
text of each issue is its latest version's, else its first version's (Arrow
``take``), the features and layers it touches are joined once per distinct
combination, and its districts come from the projected point of its first
version.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pandas.api.extensions import ExtensionArray

from geotool.analysis.codes import STR, arrow, sorted_codes, text
from geotool.analysis.districts import district_paths
from geotool.crs import WGS84
from geotool.schema import ISSUE_COLUMNS

__all__ = ["TEXT_COLUMNS", "issue_table", "issue_texts", "join_per_key"]

#: The record columns an issue shows from its latest version (else its first).
TEXT_COLUMNS = ("category", "description", "source", "unit", "address", "problems")


def issue_texts(records: pd.DataFrame, states: pd.DataFrame) -> dict[str, ExtensionArray]:
    """The :data:`TEXT_COLUMNS` of each issue, aligned with ``states``.

    The latest version's value (``states["last"]``), else the first
    version's (``states["first"]``), in the records' own dtype.
    """
    last = states["last"].to_numpy(dtype=np.int64)
    first = states["first"].to_numpy(dtype=np.int64)
    other = last != first
    out = {}
    for col in TEXT_COLUMNS:
        values = records[col]
        if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
            a = arrow(values)
            # one take: the first version's row where the latest has none
            missing = a.is_null().to_numpy(zero_copy_only=False)
            rows = np.where(other & missing[last], first, last)
            out[col] = text(a.take(pa.array(rows)), values.dtype)
        else:
            latest = values.take(last).reset_index(drop=True)
            out[col] = latest.fillna(values.take(first).reset_index(drop=True)).array
    return out


def join_per_key(keys: np.ndarray, codes: np.ndarray, vocabulary: np.ndarray,
                 n: int) -> pd.arrays.ArrowStringArray:
    """``;``-joined ``vocabulary[codes]`` per integer key in ``range(n)`` ("" when none).

    ``keys`` sorted, ``codes`` in the order to join within a key. Each
    distinct combination of codes is joined once; the keys take their text
    from it (a few thousand strings built, not one per key).

    Examples
    --------
    >>> words = np.array(["a", "b", "c"], dtype=object)
    >>> list(join_per_key(np.array([0, 0, 2, 3, 3]), np.array([0, 2, 1, 0, 2]), words, 4))
    ['a;c', '', 'b', 'a;c']
    """
    if len(keys) == 0:
        return text(pa.array([""] * n, type=pa.large_string()))
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    codes = codes.astype(np.int64)
    width = np.int64(len(vocabulary) + 1)
    # a dense id per distinct prefix, extended one depth at a time (never overflows)
    combo = codes[starts].copy()
    next_id = np.int64(len(vocabulary))
    for depth in range(1, int(sizes.max())):
        has = np.flatnonzero(sizes > depth)
        distinct, inverse = np.unique(combo[has] * width + codes[starts[has] + depth],
                                      return_inverse=True)
        combo[has] = next_id + inverse
        next_id += len(distinct)
    distinct, first_at, inverse = np.unique(combo, return_index=True, return_inverse=True)
    # the text of each distinct combination, from one key that has it
    rep_starts, rep_sizes = starts[first_at], sizes[first_at]
    joined = vocabulary[codes[rep_starts]].astype(object)
    for depth in range(1, int(rep_sizes.max())):
        has = rep_sizes > depth
        joined[has] = joined[has] + ";" + vocabulary[codes[rep_starts[has] + depth]]
    index = np.full(n, len(distinct), dtype=np.int64)  # "" for keys without any
    index[keys[starts]] = inverse.ravel()
    words = pa.array([*joined, ""], type=pa.large_string())
    return text(words.take(pa.array(index)))


def issue_table(records: gpd.GeoDataFrame, states: pd.DataFrame, texts: dict,
                issue_features: pd.DataFrame, features_m: gpd.GeoDataFrame,
                recurring: np.ndarray, points_m: gpd.GeoSeries,
                districts_m: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The issue table (:data:`ISSUE_COLUMNS`, ``level_<n>``, ``open``), WGS-84 points.

    Parameters
    ----------
    records : GeoDataFrame
        Canonical records (WGS-84).
    states : DataFrame
        :func:`~geotool.analysis.issues.issue_states` of ``records``.
    texts : dict
        :func:`issue_texts` of ``records`` and ``states``.
    issue_features : DataFrame
        ``feature, state`` links (feature: position in ``features_m``; state:
        row in ``states``).
    features_m : GeoDataFrame
        The ledger features (``feature_id, layer``).
    recurring : ndarray of bool
        Per row of ``states``: the issue is a recurrence.
    points_m : GeoSeries
        Per row of ``states``: its first version's point, metric CRS.
    districts_m : GeoDataFrame
        Every district, metric CRS.
    """
    n = len(states)
    first_pos = states["first"].to_numpy(dtype=np.int64)
    ids = states["record_id"]
    out = pd.DataFrame({"record_id": ids.array if ids.dtype == STR else ids.to_numpy()})
    for col in TEXT_COLUMNS:
        out[col] = texts[col]
    for col in ("found_at", "deadline", "status", "rectified_at", "overdue", "days_open", "open",
                "reopened_at"):
        out[col] = states[col].array
    key = issue_features["state"].to_numpy(dtype=np.int64)
    feat = issue_features["feature"].to_numpy(dtype=np.int64)
    order = np.lexsort((feat, key))
    key, feat = key[order], feat[order]
    fid = features_m["feature_id"].astype(str).to_numpy(dtype=object)
    out["feature_ids"] = join_per_key(key, feat, fid, n)
    layer_names = features_m["layer"].astype(str)
    layer_rank = sorted_codes(layer_names)  # layers joined in name order, each once
    vocab = np.empty(int(layer_rank.max()) + 1 if len(layer_rank) else 0, dtype=object)
    vocab[layer_rank] = layer_names.to_numpy(dtype=object)
    width = np.int64(max(len(vocab), 1))
    pairs = np.sort(key * width + layer_rank[feat])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    out["layers"] = join_per_key(pairs // width, pairs % width, vocab, n)
    out["recurring"] = recurring
    geom = gpd.GeoSeries(records.geometry.values.take(first_pos), crs=WGS84).values
    out["lon"] = np.round(shapely.get_x(np.asarray(geom)), 6)
    out["lat"] = np.round(shapely.get_y(np.asarray(geom)), 6)
    levels = district_paths(points_m.reset_index(drop=True), districts_m)
    out = out.join(levels)
    gdf = gpd.GeoDataFrame(out, geometry=geom, crs=WGS84)
    extra = [c for c in gdf.columns if c.startswith("level_")] + ["open"]
    return gdf[ISSUE_COLUMNS + extra + ["geometry"]]
