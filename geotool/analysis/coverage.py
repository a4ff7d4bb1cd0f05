"""Which records touch which ledger features, and which features are covered.

A record **touches** a feature when it names it (``feature_id``, or an exact
``feature_name``) or its point lies within ``match_radius_m`` of the
feature's geometry (inside a polygon is distance 0). A feature is
**covered** as of a date D when a record found in the window of
``window_days`` whole calendar days ending with D touches it.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geotool.analysis.codes import arrow
from geotool.crs import require_metric

__all__ = ["coverage", "touches", "window_bounds"]


def window_bounds(as_of: dt.date, window_days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start (inclusive) and end (exclusive) of the window ending with ``as_of``.

    Examples
    --------
    >>> window_bounds(dt.date(2020, 9, 15), 7)
    (Timestamp('2020-09-09 00:00:00'), Timestamp('2020-09-16 00:00:00'))
    """
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    return end - pd.Timedelta(days=window_days), end


def touches(features: gpd.GeoDataFrame, records: gpd.GeoDataFrame, *,
            match_radius_m: float) -> pd.DataFrame:
    """All (feature, record) pairs where the record touches the feature.

    Parameters
    ----------
    features : GeoDataFrame
        Ledger features (``feature_id``, ``name``), metric CRS.
    records : GeoDataFrame
        Records (points; ``feature_id``, ``feature_name``), same metric CRS.
    match_radius_m : float
        Distance within which a record point touches a feature, metres
        (a record exactly at this distance touches).

    Returns
    -------
    DataFrame
        Columns ``feature`` and ``record``: positional indices into the two
        frames, each pair once, sorted.

    Examples
    --------
    >>> from shapely.geometry import Point, LineString
    >>> f = gpd.GeoDataFrame({"feature_id": ["L1"], "name": ["一巷"]},
    ...                      geometry=[LineString([(0, 0), (100, 0)])], crs=32650)
    >>> r = gpd.GeoDataFrame({"feature_id": [None, None, "L1"], "feature_name": [None] * 3},
    ...                      geometry=[Point(50, 50), Point(50, 50.01), Point(0, 900)], crs=32650)
    >>> touches(f, r, match_radius_m=50).values.tolist()
    [[0, 0], [0, 2]]
    """
    require_metric(features, records)
    empty = pd.DataFrame({"feature": np.array([], dtype=np.int64),
                          "record": np.array([], dtype=np.int64)})
    if len(features) == 0 or len(records) == 0:
        return empty
    rec_idx, feat_idx = _query_dwithin(np.asarray(features.geometry.values, dtype=object),
                                       np.asarray(records.geometry.values, dtype=object),
                                       float(match_radius_m))
    feats, recs = [feat_idx], [rec_idx]
    for ref in _reference_pairs(features, records):
        feats.append(ref["feature"].to_numpy())
        recs.append(ref["record"].to_numpy())
    # one int64 key per pair: sorting orders by (feature, record); equal neighbours are repeats
    # (np.unique is far slower on large arrays in NumPy 2.4)
    n = np.int64(len(records))
    key = np.sort(np.concatenate(feats).astype(np.int64) * n + np.concatenate(recs))
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    return pd.DataFrame({"feature": key // n, "record": key % n})


def _query_dwithin(features: np.ndarray, points: np.ndarray, distance: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(point, feature) pairs within ``distance``: ``STRtree.query(points, "dwithin")``'s pairs.

    The candidates are the points in each feature's box grown by the distance
    (a tree of the 790 boxes, no predicate: no geometry prepared per point),
    grown a hair more so that rounding never drops one; each candidate is then
    tested with ``shapely.dwithin``, the same GEOS test the tree's predicate runs
    for a point.
    """
    bounds = shapely.bounds(features)
    grow = distance * (1 + 1e-9) + 1e-9 * np.nanmax(np.abs(bounds), initial=0.0)
    boxes = np.where(np.isnan(bounds).any(axis=1), None,  # empty: nothing is near
                     shapely.box(bounds[:, 0] - grow, bounds[:, 1] - grow,
                                 bounds[:, 2] + grow, bounds[:, 3] + grow))
    pairs = shapely.STRtree(boxes).query(points)
    near = shapely.dwithin(points[pairs[0]], features[pairs[1]], distance)
    return pairs[0, near], pairs[1, near]


def _reference_pairs(features: gpd.GeoDataFrame, records: gpd.GeoDataFrame) -> list[pd.DataFrame]:
    """(feature, record) pairs where the record names the feature: by id, or by a unique name."""
    names = features["name"].astype(str)
    unique_name = ~names.duplicated(keep=False).to_numpy()
    return [_named(records["feature_id"], features["feature_id"].astype(str),
                   np.ones(len(features), dtype=bool)),
            _named(records["feature_name"], names, unique_name)]


def _named(refs: pd.Series, keys: pd.Series, usable: np.ndarray) -> pd.DataFrame:
    """Pairs of every ``usable`` key equal to a record's reference (text compared in Arrow)."""
    ref = arrow(refs)
    if not pa.types.is_large_string(ref.type):
        ref = ref.cast(pa.large_string())
    rec = np.flatnonzero(ref.is_valid().to_numpy(zero_copy_only=False))
    feat = np.flatnonzero(usable)
    key_text = arrow(keys.iloc[feat]).cast(pa.large_string())
    distinct = pc.unique(key_text)
    # the features of each distinct key, together: a key names all of them
    key_code = pc.index_in(key_text, value_set=distinct).to_numpy(zero_copy_only=False)
    by_key = feat[np.argsort(key_code, kind="stable")]
    counts = np.bincount(key_code, minlength=len(distinct))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    hit = pc.index_in(ref.take(pa.array(rec)), value_set=distinct)
    found = hit.is_valid().to_numpy(zero_copy_only=False)
    rec, code = rec[found], hit.drop_null().to_numpy().astype(np.int64)
    reps = counts[code]
    offset = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    return pd.DataFrame({"feature": by_key[np.repeat(starts[code], reps) + offset],
                         "record": np.repeat(rec, reps)})


def coverage(features: gpd.GeoDataFrame, records: gpd.GeoDataFrame, *, as_of: dt.date,
             window_days: int = 7, match_radius_m: float = 50.0,
             pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Coverage of each ledger feature as of a date.

    Parameters
    ----------
    features : GeoDataFrame
        Ledger features, metric CRS.
    records : GeoDataFrame
        Records with ``found_at``, same metric CRS. Records found after
        ``as_of`` are ignored.
    as_of : date
        Analysis date D.
    window_days : int
        W: the window is the W whole days ending with D, D included.
    match_radius_m : float
        See :func:`touches`.
    pairs : DataFrame, optional
        Precomputed :func:`touches` result for these frames.

    Returns
    -------
    DataFrame
        Indexed like ``features``: ``covered`` (bool), ``last_touched``
        (latest ``found_at`` of a touching record up to D, NaT if none) and
        ``records_in_window`` (int).
    """
    start, end = window_bounds(as_of, window_days)
    if pairs is None:
        pairs = touches(features, records, match_radius_m=match_radius_m)
    found = records["found_at"].to_numpy()
    when = pd.Series(found[pairs["record"].to_numpy()], index=pairs.index)
    known = when < end
    in_window = known & (when >= start)
    feat = pairs["feature"]
    last = when[known].groupby(feat[known]).max()
    counts = feat[in_window].value_counts()
    n = len(features)
    result = pd.DataFrame(index=features.index)
    result["records_in_window"] = np.zeros(n, dtype=np.int64)
    result.loc[features.index[counts.index.to_numpy()], "records_in_window"] = counts.to_numpy()
    result["covered"] = result["records_in_window"] > 0
    last_touched = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    last_touched[last.index.to_numpy()] = last.to_numpy()
    result["last_touched"] = last_touched
    return result
