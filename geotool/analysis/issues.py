"""Issues as of a date: status, overdue, days open, and recurrence (反弹).

Several record rows with the same ``record_id`` are versions of one issue.
A version happens at its **event time**: ``updated_at`` when given, else
``rectified_at`` for a rectified/closed version, else ``found_at``. The status
as of D is the status of the last version (by event time, ties in file
order) that happened by the end of D; an issue found by D whose every
version happened later is ``open`` as of D. An issue is **open** when that
status is not ``rectified``/``closed``, **overdue** when open and its
deadline (the last one known by D) is a day before D.

A feature is **recurring** when an issue of some category was found there
after an earlier issue of the same category there had been rectified, at
most ``recurrence_days`` after that rectification; an issue rectified and
then reopened (a later ``open``/``rectifying`` version) within
``recurrence_days`` makes its features recurring too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["DONE_STATUSES", "first_versions", "issue_states", "recurring_pairs"]

DONE_STATUSES = ("rectified", "closed")


def first_versions(records: pd.DataFrame, *, end: pd.Timestamp | None = None,
                   kind: str | None = None) -> np.ndarray:
    """Positions of each record's first version: the one that says where and when it was found.

    Rows sharing a ``record_id`` (and ``kind``) are versions of one record; the
    first is the earliest ``found_at``, ties in file order (``_order``). This is
    the one rule every part of the analysis uses for an issue's place and date.

    Parameters
    ----------
    records : DataFrame
        Canonical records with ``record_id, kind, found_at, _order``.
    end : Timestamp, optional
        Only versions found before ``end`` count.
    kind : str, optional
        Only rows of this kind (``"issue"``) count.

    Returns
    -------
    ndarray of int
        Positional indices into ``records``, ascending.

    Examples
    --------
    >>> recs = pd.DataFrame({"record_id": ["a", "b", "a"], "kind": "issue",
    ...                      "found_at": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-01"]),
    ...                      "_order": [0, 1, 2]})
    >>> first_versions(recs).tolist()
    [1, 2]
    """
    keep = np.ones(len(records), dtype=bool)
    if end is not None:
        keep &= (records["found_at"] < end).to_numpy()
    if kind is not None:
        keep &= (records["kind"] == kind).to_numpy()
    pos = np.flatnonzero(keep)
    if not len(pos):
        return pos
    sub = records.iloc[pos]
    ids = pd.factorize(sub["record_id"].to_numpy())[0]
    kinds = pd.factorize(sub["kind"].to_numpy())[0]
    order = np.lexsort((sub["_order"].to_numpy(), sub["found_at"].to_numpy(), kinds, ids))
    group = ids[order].astype(np.int64) * (kinds.max() + 1) + kinds[order]
    starts = np.r_[True, group[1:] != group[:-1]]
    return np.sort(pos[order[starts]])


def _event_time(versions: pd.DataFrame) -> pd.Series:
    done = versions["status"].isin(DONE_STATUSES)
    event = versions["found_at"].where(~done | versions["rectified_at"].isna(),
                                       versions["rectified_at"])
    return versions["updated_at"].fillna(event)


def issue_states(records: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """One row per issue known as of D, with its state on that day.

    Parameters
    ----------
    records : DataFrame
        Canonical records (all kinds; only ``kind == "issue"`` rows are used).
    as_of : date
        D.

    Returns
    -------
    DataFrame
        Columns ``record_id, first, last, found_at, status, deadline,
        rectified_at, open, overdue, days_open, reopened_at,
        last_rectified_at``, where ``first``/``last`` are positional indices
        of the issue's first version and the version that gives its state
        (for location and text). Sorted by ``record_id``.
    """
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    day = pd.Timestamp(as_of)
    issues = records[records["kind"] == "issue"]
    cols = ["record_id", "first", "last", "found_at", "status", "deadline", "rectified_at",
            "open", "overdue", "days_open", "reopened_at", "last_rectified_at"]
    if issues.empty:
        return pd.DataFrame(columns=cols)
    # integer keys sorted like the ids: grouping and sorting on them is much faster
    codes, uniques = pd.factorize(issues["record_id"].to_numpy(), sort=True)
    uniques = np.asarray(uniques, dtype=object)
    v = pd.DataFrame({
        "pos": np.flatnonzero((records["kind"] == "issue").to_numpy()),
        "record_id": codes,
        "found_at": issues["found_at"].to_numpy(),
        "status": issues["status"].to_numpy(),
        "deadline": issues["deadline"].to_numpy(),
        "rectified_at": issues["rectified_at"].to_numpy(),
        "order": issues["_order"].to_numpy(),
    })
    v["event"] = _event_time(issues).to_numpy()
    first_found = v.groupby("record_id", sort=False)["found_at"].transform("min")
    v = v[first_found < end]
    if v.empty:
        return pd.DataFrame(columns=cols)
    v = v.sort_values(["record_id", "event", "order"], kind="stable")
    # the first version: the same rule that gives the issue's place (gaps)
    first_pos = first_versions(records, end=end, kind="issue")
    first = v.set_index("pos").loc[first_pos].reset_index().set_index("record_id")
    happened = v[v["event"] < end]
    last = happened.groupby("record_id").tail(1).set_index("record_id")
    out = pd.DataFrame(index=first.index.sort_values())
    out["first"] = first["pos"]
    out["found_at"] = first["found_at"]
    out["last"] = last["pos"].reindex(out.index).fillna(out["first"]).astype(np.int64)
    out["status"] = last["status"].reindex(out.index).fillna("open")
    deadlines = happened.dropna(subset=["deadline"]).groupby("record_id")["deadline"].last()
    out["deadline"] = deadlines.reindex(out.index).fillna(first["deadline"])
    done = out["status"].isin(DONE_STATUSES)
    # a done version without 整改完成时间 was rectified when it was recorded
    rect = last["rectified_at"].fillna(last["event"]).reindex(out.index)
    out["rectified_at"] = rect.where(done & (rect < end))
    out["open"] = ~done
    out["overdue"] = out["open"] & (out["deadline"].dt.normalize() < day).fillna(False)
    stop = out["rectified_at"].where(done, day).fillna(day)
    out["days_open"] = ((stop.dt.normalize() - out["found_at"].dt.normalize()).dt.days
                        .clip(lower=0).astype(np.int64))
    reopen = _reopenings(happened)
    out["reopened_at"] = reopen["reopened_at"].reindex(out.index)
    out["last_rectified_at"] = reopen["rectified_at"].reindex(out.index)
    out.index = uniques[out.index.to_numpy()]
    out = out.reset_index().rename(columns={"index": "record_id"})
    return out[cols]


def _reopenings(happened: pd.DataFrame) -> pd.DataFrame:
    """Latest rectified -> reopened transition of each issue (versions in order)."""
    h = happened[["record_id", "status", "event", "rectified_at"]].copy()
    h["done"] = h["status"].isin(DONE_STATUSES)
    prev_done = h.groupby("record_id")["done"].shift(fill_value=False)
    prev_rect = h.groupby("record_id")["rectified_at"].shift()
    prev_event = h.groupby("record_id")["event"].shift()
    reopen = prev_done.astype(bool) & ~h["done"]
    out = pd.DataFrame({"record_id": h["record_id"], "reopened_at": h["event"],
                        "rectified_at": prev_rect.fillna(prev_event)})[reopen]
    return out.groupby("record_id").tail(1).set_index("record_id")


def _came_back(new: pd.DataFrame, done: pd.DataFrame, limit: pd.Timedelta) -> pd.DataFrame:
    """For each new issue at a feature, the latest earlier rectification it came back after.

    The rectification must be of the same category at the same feature, by
    another issue, at most ``limit`` before the new issue was found (ties: the
    greater previous record id). Sorted search, never a self-merge: a feature
    with thousands of issues of one category costs a sort, not their square.
    """
    key_cols = ["feature", "category"]
    both = pd.concat([done[key_cols], new[key_cols]], ignore_index=True)
    group = both.groupby(key_cols, sort=False).ngroup().to_numpy(dtype=np.int64)
    g_done, g_new = group[:len(done)], group[len(done):]
    t_done = done["previous_rectified_at"].to_numpy(dtype="datetime64[ns]")
    t_new = new["found_at"].to_numpy(dtype="datetime64[ns]")
    # one integer key per (group, time): dense ranks of all times keep it small
    times, rank = np.unique(np.concatenate([t_done, t_new]), return_inverse=True)
    width = np.int64(len(times) + 1)
    k_done = g_done * width + rank[:len(done)]
    k_new = g_new * width + rank[len(done):]
    prev_id = done["previous_record_id"].to_numpy(dtype=object)
    id_order = pd.factorize(prev_id, sort=True)[0]
    order = np.lexsort((id_order, k_done))
    k_sorted, g_sorted = k_done[order], g_done[order]
    t_sorted, id_sorted = t_done[order], prev_id[order]
    j = np.searchsorted(k_sorted, k_new, side="right") - 1
    own = new["record_id"].to_numpy(dtype=object)
    # the latest one may be the issue's own rectification: take the one before it
    self_hit = (j >= 0) & (id_sorted[np.maximum(j, 0)] == own)
    j = j - self_hit
    ok = j >= 0
    jj = np.maximum(j, 0)
    ok &= g_sorted[jj] == g_new
    ok &= (t_new - t_sorted[jj]) <= limit.to_timedelta64()
    hit = new[ok].copy()
    hit["previous_record_id"] = id_sorted[jj[ok]]
    hit["previous_rectified_at"] = t_sorted[jj[ok]]
    return hit.drop_duplicates(["feature", "record_id"], keep="last")


def recurring_pairs(states: pd.DataFrame, issue_features: pd.DataFrame, categories: pd.Series,
                    *, recurrence_days: int) -> pd.DataFrame:
    """Features where an issue came back (反弹).

    Parameters
    ----------
    states : DataFrame
        :func:`issue_states` output.
    issue_features : DataFrame
        ``record_id, feature`` pairs (feature: positional index).
    categories : Series
        Category of each issue, indexed by ``record_id``.
    recurrence_days : int
        The new issue must be found at most this many days after the
        earlier one was rectified.

    Returns
    -------
    DataFrame
        ``feature, record_id, category, found_at, previous_record_id,
        previous_rectified_at``: one row per recurrence, sorted.
    """
    cols = ["feature", "record_id", "category", "found_at", "previous_record_id",
            "previous_rectified_at"]
    limit = pd.Timedelta(days=recurrence_days)
    s = states.set_index("record_id")
    pos = s.index.get_indexer(issue_features["record_id"].to_numpy(dtype=object))
    df = issue_features[pos >= 0].copy()
    pos = pos[pos >= 0]
    df["found_at"] = s["found_at"].to_numpy()[pos]
    df["rectified_at"] = s["rectified_at"].to_numpy()[pos]
    cat = categories.reindex(s.index).to_numpy(dtype=object)[pos]
    df["category"] = pd.Series(cat, index=df.index).fillna("").astype(str)
    # issue rectified, then a new issue of the same category at the same feature
    done = df.dropna(subset=["rectified_at"])[["feature", "category", "rectified_at", "record_id"]]
    done = done.rename(columns={"record_id": "previous_record_id",
                                "rectified_at": "previous_rectified_at"})
    new = df[["feature", "category", "found_at", "record_id"]].dropna(subset=["found_at"])
    parts = []
    if len(done) and len(new):
        parts.append(_came_back(new, done, limit)[cols])
    # the same issue reopened after rectification
    reo = s.dropna(subset=["reopened_at"])
    reo = reo[reo["reopened_at"] - reo["last_rectified_at"].fillna(reo["reopened_at"]) <= limit]
    if len(reo):
        r = issue_features[issue_features["record_id"].isin(reo.index)].copy()
        r["category"] = r["record_id"].map(categories).fillna("")
        r["found_at"] = r["record_id"].map(reo["reopened_at"])
        r["previous_record_id"] = r["record_id"]
        r["previous_rectified_at"] = r["record_id"].map(reo["last_rectified_at"])
        parts.append(r[cols])
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["feature", "found_at", "record_id"], kind="stable")
    return out.reset_index(drop=True)
