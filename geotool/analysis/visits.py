"""Visited and clean, or never visited: what the records say about each place.

Coverage alone cannot tell a place inspected and found clean from a place
that only ever shows up in issue reports, nor from a place no record has
ever touched. :func:`visit_states` tells them apart, as of a date D, from
the (feature, record) pairs of :func:`geotool.analysis.coverage.touches`:

============== ==============================================================
``clean``      巡查无问题: an inspection record in the window, no issue found
               in the window and no issue open at D
``inspected``  巡查有问题: an inspection record in the window, and an issue
               found in the window or still open at D
``issues_only`` 仅有问题记录: issues found in the window, no inspection record
``not_recent`` 近期未巡查: touched by a record before the window, none in it
``never``      从未巡查: no record up to D has ever touched it
============== ==============================================================

``last_inspected`` and ``last_issue`` are the latest ``found_at`` of an
inspection and of an issue touching the place up to D (NaT when none).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geotool.analysis.codes import equals
from geotool.analysis.coverage import window_bounds

__all__ = ["VISIT_STATES", "visit_states"]

#: The visit states, from best to worst.
VISIT_STATES = ("clean", "inspected", "issues_only", "not_recent", "never")


def _latest(feature: np.ndarray, when: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(feature):
        last = pd.Series(when).groupby(feature).max()
        out[last.index.to_numpy()] = last.to_numpy()
    return out


def visit_states(pairs: pd.DataFrame, records: pd.DataFrame, *, n_features: int,
                 as_of: dt.date, window_days: int,
                 open_issues: np.ndarray | pd.Series | None = None) -> pd.DataFrame:
    """Last inspection, last issue and the visit state of each feature.

    Parameters
    ----------
    pairs : DataFrame
        ``feature, record`` positional pairs (:func:`~geotool.analysis.coverage.touches`).
    records : DataFrame
        The records the pairs point into: ``kind`` (``issue``/``inspection``)
        and ``found_at``.
    n_features : int
        Number of features (the result has one row per feature, 0..n-1).
    as_of : date
        D; records found after D are ignored.
    window_days : int
        The window: the W whole days ending with D.
    open_issues : array of int, optional
        Open issues per feature at D; a place with one is never ``clean``.

    Returns
    -------
    DataFrame
        ``last_inspected, last_issue`` (datetime64) and ``visit_state``
        (one of :data:`VISIT_STATES`), indexed 0..n-1.

    Examples
    --------
    >>> recs = pd.DataFrame({"kind": ["inspection", "issue", "inspection"],
    ...                      "found_at": pd.to_datetime(["2026-10-20", "2026-10-21",
    ...                                                  "2026-09-01"])})
    >>> pairs = pd.DataFrame({"feature": [0, 1, 2], "record": [0, 1, 2]})
    >>> visit_states(pairs, recs, n_features=4, as_of=dt.date(2026, 10, 21),
    ...              window_days=7)["visit_state"].tolist()
    ['clean', 'issues_only', 'not_recent', 'never']
    """
    start, end = window_bounds(as_of, window_days)
    rec = pairs["record"].to_numpy(dtype=np.int64)
    feat = pairs["feature"].to_numpy(dtype=np.int64)
    when = records["found_at"].to_numpy(dtype="datetime64[ns]")[rec]
    known = when < np.datetime64(end)
    recent = known & (when >= np.datetime64(start))
    is_issue = equals(records["kind"], "issue")[rec]
    is_insp = equals(records["kind"], "inspection")[rec]
    last_insp = _latest(feat[known & is_insp], when[known & is_insp], n_features)
    last_issue = _latest(feat[known & is_issue], when[known & is_issue], n_features)
    ever = np.zeros(n_features, dtype=bool)
    ever[feat[known]] = True
    inspected = np.zeros(n_features, dtype=bool)
    inspected[feat[recent & is_insp]] = True
    issue_recent = np.zeros(n_features, dtype=bool)
    issue_recent[feat[recent & is_issue]] = True
    if open_issues is not None:
        issue_recent |= np.asarray(open_issues) > 0
    found_recent = np.zeros(n_features, dtype=bool)
    found_recent[feat[recent & is_issue]] = True
    state = np.select(
        [inspected & ~issue_recent, inspected, found_recent, ever],
        ["clean", "inspected", "issues_only", "not_recent"], default="never").astype(object)
    return pd.DataFrame({"last_inspected": last_insp, "last_issue": last_issue,
                         "visit_state": state})
