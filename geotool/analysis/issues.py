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
import pyarrow as pa
import pyarrow.compute as pc

from geotool.analysis.codes import arrow, dense_codes, equals, sorted_codes, text

__all__ = ["DONE_STATUSES", "first_versions", "issue_states", "recurrences", "recurring_pairs"]

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
        keep &= equals(records["kind"], kind)
    pos = np.flatnonzero(keep)
    if not len(pos):
        return pos
    ids, _ = dense_codes(arrow(records["record_id"]).take(pa.array(pos)))
    # a record of one version is its own first version: only the others need sorting
    first = np.bincount(ids)[ids] == 1
    multi = np.flatnonzero(~first)
    if len(multi):
        kinds, n_kinds = dense_codes(arrow(records["kind"]).take(pa.array(pos[multi])))
        group = ids[multi] * (n_kinds + 1) + (kinds + 1)
        order = np.lexsort((records["_order"].to_numpy()[pos[multi]],
                            records["found_at"].to_numpy()[pos[multi]], group))
        g = group[order]
        first[multi[order[np.r_[True, g[1:] != g[:-1]]]]] = True
    return pos[first]


def _event_time(found: np.ndarray, done: np.ndarray, rectified: np.ndarray,
                updated: np.ndarray) -> np.ndarray:
    event = np.where(done & ~np.isnat(rectified), rectified, found)
    return np.where(np.isnat(updated), event, updated)


def _last_per_group(group: np.ndarray) -> np.ndarray:
    """Mask of the last row of each run of equal ``group`` values (sorted)."""
    return np.r_[group[1:] != group[:-1], True] if len(group) else np.zeros(0, dtype=bool)


def _by_group(group: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """``rows`` at each group's last row (groups sorted), ``-1`` for groups without one."""
    out = np.full(n, -1, dtype=np.int64)
    last = _last_per_group(group)
    out[group[last]] = rows[last]
    return out


def _day(values: np.ndarray) -> np.ndarray:
    """Datetimes floored to their day (NaT stays)."""
    return values.astype("datetime64[D]").astype(values.dtype)


def issue_states(records: pd.DataFrame, *, as_of: dt.date,
                 first: np.ndarray | None = None) -> pd.DataFrame:
    """One row per issue known as of D, with its state on that day.

    Parameters
    ----------
    records : DataFrame
        Canonical records (all kinds; only ``kind == "issue"`` rows are used).
    as_of : date
        D.
    first : ndarray of int, optional
        ``first_versions(records, end=D + 1 day, kind="issue")`` when the
        caller has it already.

    Returns
    -------
    DataFrame
        Columns ``record_id, first, last, found_at, status, deadline,
        rectified_at, open, overdue, days_open, reopened_at,
        last_rectified_at``, where ``first``/``last`` are positional indices
        of the issue's first version and the version that gives its state
        (for location and text). Sorted by ``record_id``.
    """
    end_ts = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    end, day = end_ts.to_datetime64(), pd.Timestamp(as_of).to_datetime64()
    cols = ["record_id", "first", "last", "found_at", "status", "deadline", "rectified_at",
            "open", "overdue", "days_open", "reopened_at", "last_rectified_at"]
    pos = np.flatnonzero(equals(records["kind"], "issue"))
    if not len(pos):
        return pd.DataFrame(columns=cols)
    # integer keys sorted like the ids: grouping and sorting on them is NumPy work
    ids = arrow(records["record_id"])
    code = sorted_codes(ids.take(pa.array(pos)))
    n_codes = int(code.max()) + 1
    found = records["found_at"].to_numpy()[pos]
    status = arrow(records["status"]).take(pa.array(pos))
    done = pc.is_in(status, pa.array(DONE_STATUSES)).fill_null(False).to_numpy(
        zero_copy_only=False)
    deadline = records["deadline"].to_numpy()[pos]
    rectified = records["rectified_at"].to_numpy()[pos]
    event = _event_time(found, done, rectified, records["updated_at"].to_numpy()[pos])
    # the first version: the same rule that gives the issue's place (gaps)
    if first is None:
        first = first_versions(records, end=end_ts, kind="issue")
    if not len(first):
        return pd.DataFrame(columns=cols)
    row_code = np.full(len(records), -1, dtype=np.int64)
    row_code[pos] = code
    first_of = np.full(n_codes, -1, dtype=np.int64)
    first_of[row_code[first]] = first
    known = np.flatnonzero(first_of >= 0)  # codes of the issues found by D, ascending
    fpos = first_of[known]
    # versions that happened by D, in (issue, event time, file order)
    if len(code) < 2 or (np.diff(code) > 0).all():
        order = np.arange(len(code))  # one version each, in id order already
    else:
        order = np.lexsort((records["_order"].to_numpy()[pos], event, code))
    happened = order[event[order] < end]
    hcode = code[happened]
    last = _by_group(hcode, happened, n_codes)[known]
    has_last = last >= 0
    lastv = np.where(has_last, last, 0)
    out = pd.DataFrame({"record_id": text(ids.take(pa.array(fpos)))})
    out["first"] = fpos
    out["found_at"] = records["found_at"].to_numpy()[fpos]
    out["last"] = np.where(has_last, pos[lastv], fpos)
    shown = status.take(pa.array(lastv, mask=~has_last)).fill_null("open")
    out["status"] = text(shown)
    with_deadline = ~np.isnat(deadline[happened])
    dl = _by_group(hcode[with_deadline], happened[with_deadline], n_codes)[known]
    out["deadline"] = np.where(dl >= 0, deadline[np.maximum(dl, 0)],
                               records["deadline"].to_numpy()[fpos])
    is_done = pc.is_in(shown, pa.array(DONE_STATUSES)).to_numpy(zero_copy_only=False)
    # a done version without 整改完成时间 was rectified when it was recorded
    rect = np.where(np.isnat(rectified[lastv]), event[lastv], rectified[lastv])
    rect = np.where(has_last & is_done & (rect < end), rect, np.datetime64("NaT"))
    out["rectified_at"] = rect
    out["open"] = ~is_done
    out["overdue"] = ~is_done & (_day(out["deadline"].to_numpy()) < day)
    stop = np.where(is_done & ~np.isnat(rect), rect, day)
    out["days_open"] = np.maximum(
        (_day(stop) - _day(out["found_at"].to_numpy())).astype("timedelta64[D]").astype(np.int64),
        0)
    reopened, last_rectified = _reopenings(hcode, done[happened], event[happened],
                                           rectified[happened], n_codes)
    out["reopened_at"] = reopened[known]
    out["last_rectified_at"] = last_rectified[known]
    return out[cols]


def _reopenings(code: np.ndarray, done: np.ndarray, event: np.ndarray, rectified: np.ndarray,
                n: int) -> tuple[np.ndarray, np.ndarray]:
    """Latest rectified -> reopened transition of each issue (versions in order, by code).

    Returns the reopening's event time and the rectification before it
    (its ``rectified_at``, else its event time) per code, NaT when none.
    """
    same = np.r_[False, code[1:] == code[:-1]]
    prev_done = np.r_[False, done[:-1]] & same
    reopen = np.flatnonzero(prev_done & ~done)
    at = np.full(n, np.datetime64("NaT"), dtype=event.dtype)
    before = np.full(n, np.datetime64("NaT"), dtype=np.result_type(rectified, event))
    if len(reopen):
        prev_rect = np.where(np.isnat(rectified[reopen - 1]), event[reopen - 1],
                             rectified[reopen - 1])
        last = _last_per_group(code[reopen])
        at[code[reopen][last]] = event[reopen][last]
        before[code[reopen][last]] = prev_rect[last]
    return at, before


def _came_back(new: pd.DataFrame, done: pd.DataFrame, limit: pd.Timedelta) -> pd.DataFrame:
    """For each new issue at a feature, the latest earlier rectification it came back after.

    ``new`` and ``done`` hold integer columns: ``group`` (feature and category),
    ``issue`` (the issue's row in the states, ordered like its id) and the
    time (``found_at`` / ``rectified_at``). The rectification must be of the
    same group, by another issue, at most ``limit`` before the new issue was
    found (ties: the greater previous record id). Sorted search, never a
    self-merge: a feature with thousands of issues of one category costs a
    sort, not their square. Returns the rows of ``new`` that came back, with
    ``previous`` (the earlier issue) and ``previous_rectified_at``.
    """
    g_done, g_new = done["group"].to_numpy(), new["group"].to_numpy()
    t_done = done["rectified_at"].to_numpy(dtype="datetime64[ns]")
    t_new = new["found_at"].to_numpy(dtype="datetime64[ns]")
    # one integer key per (group, time): dense ranks of all times keep it small
    times, rank = np.unique(np.concatenate([t_done, t_new]), return_inverse=True)
    width = np.int64(len(times) + 1)
    k_done = g_done * width + rank[:len(done)]
    k_new = g_new * width + rank[len(done):]
    prev = done["issue"].to_numpy()
    order = np.lexsort((prev, k_done))
    k_sorted, g_sorted = k_done[order], g_done[order]
    t_sorted, prev_sorted = t_done[order], prev[order]
    j = np.searchsorted(k_sorted, k_new, side="right") - 1
    # the latest one may be the issue's own rectification: take the one before it
    self_hit = (j >= 0) & (prev_sorted[np.maximum(j, 0)] == new["issue"].to_numpy())
    j = j - self_hit
    ok = j >= 0
    jj = np.maximum(j, 0)
    ok &= g_sorted[jj] == g_new
    ok &= (t_new - t_sorted[jj]) <= limit.to_timedelta64()
    hit = new[ok].copy()
    hit["previous"] = prev_sorted[jj[ok]]
    hit["previous_rectified_at"] = t_sorted[jj[ok]]
    return hit[_last_of_pairs(hit["feature"].to_numpy(), hit["issue"].to_numpy())]


def _last_of_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of the last row of each distinct ``(a, b)`` pair of non-negative integers.

    ``DataFrame.duplicated(keep="last")`` negated, by one stable sort of one
    integer key instead of hashing two columns.

    Examples
    --------
    >>> _last_of_pairs(np.array([1, 0, 1, 1]), np.array([2, 2, 2, 3])).tolist()
    [False, True, True, True]
    """
    keep = np.zeros(len(a), dtype=bool)
    if not len(a):
        return keep
    width = np.int64(b.max()) + 1
    if int(a.max()) + 1 > np.iinfo(np.int64).max // int(width):  # the key would overflow
        return ~pd.DataFrame({"a": a, "b": b}).duplicated(keep="last").to_numpy()
    key = a.astype(np.int64) * width + b
    order = np.argsort(key, kind="stable")  # equal keys keep their order: the last is last
    keep[order[_last_per_group(key[order])]] = True
    return keep


def recurring_pairs(states: pd.DataFrame, issue_features: pd.DataFrame, categories: pd.Series,
                    *, recurrence_days: int) -> pd.DataFrame:
    """Features where an issue came back (反弹).

    Parameters
    ----------
    states : DataFrame
        :func:`issue_states` output.
    issue_features : DataFrame
        ``record_id, feature`` pairs (feature: positional index); with a
        ``state`` column (the issue's row in ``states``) the ids are not looked up.
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
    per_state = categories.reindex(states["record_id"].to_numpy(dtype=object))
    return recurrences(states, issue_features, per_state.to_numpy(dtype=object),
                       recurrence_days=recurrence_days)[0]


def recurrences(states: pd.DataFrame, issue_features: pd.DataFrame,
                categories: np.ndarray | pa.Array, *,
                recurrence_days: int) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`recurring_pairs` with the categories given per row of ``states``.

    Returns
    -------
    (DataFrame, ndarray of int)
        The :func:`recurring_pairs` frame and, for each of its rows, the
        issue's row in ``states``.
    """
    cols = ["feature", "record_id", "category", "found_at", "previous_record_id",
            "previous_rectified_at"]
    limit = pd.Timedelta(days=recurrence_days)
    if not len(states) or not len(issue_features):
        return pd.DataFrame(columns=cols), np.zeros(0, dtype=np.int64)
    if "state" in issue_features:
        state = issue_features["state"].to_numpy(dtype=np.int64)
    else:
        state = pd.Index(states["record_id"].to_numpy(dtype=object)).get_indexer(
            issue_features["record_id"].to_numpy(dtype=object))
    feature = issue_features["feature"].to_numpy()[state >= 0]
    state = state[state >= 0]
    ids = arrow(states["record_id"])
    id_rank = sorted_codes(ids)  # ties and the final order follow the ids
    cat_text = arrow(categories)
    if not pa.types.is_large_string(cat_text.type):
        cat_text = cat_text.cast(pa.large_string())
    cat_text = cat_text.fill_null("")
    # codes and the few distinct categories: the shown ones are taken from those
    encoded = cat_text.dictionary_encode()
    cat = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    n_cat = len(encoded.dictionary)
    found = states["found_at"].to_numpy()
    rectified = states["rectified_at"].to_numpy()
    df = pd.DataFrame({"feature": feature, "issue": id_rank[state], "state": state,
                       "group": feature.astype(np.int64) * (n_cat + 1) + cat[state]})
    df["found_at"], df["rectified_at"] = found[state], rectified[state]
    # issue rectified, then a new issue of the same category at the same feature
    done = df[~np.isnat(df["rectified_at"].to_numpy())]
    new = df[~np.isnat(df["found_at"].to_numpy())]
    parts = []
    if len(done) and len(new):
        hit = _came_back(new, done, limit)
        by_rank = np.empty(len(states), dtype=np.int64)
        by_rank[id_rank] = np.arange(len(states))
        parts.append((hit["feature"].to_numpy(), hit["state"].to_numpy(),
                      hit["found_at"].to_numpy(), by_rank[hit["previous"].to_numpy()],
                      hit["previous_rectified_at"].to_numpy()))
    # the same issue reopened after rectification
    reopened = states["reopened_at"].to_numpy()
    before = states["last_rectified_at"].to_numpy()
    again = ~np.isnat(reopened) & (reopened - np.where(np.isnat(before), reopened, before)
                                   <= limit.to_timedelta64())
    if again.any():
        r = again[state]
        parts.append((feature[r], state[r], reopened[state[r]], state[r], before[state[r]]))
    if not parts:
        return pd.DataFrame(columns=cols), np.zeros(0, dtype=np.int64)
    feat, st, when, prev, prev_at = (np.concatenate(c) for c in zip(*parts, strict=True))
    order = np.lexsort((id_rank[st], when, feat))
    feat, st, when, prev, prev_at = (a[order] for a in (feat, st, when, prev, prev_at))
    out = pd.DataFrame({"feature": feat, "record_id": text(ids.take(pa.array(st))),
                        "category": text(encoded.dictionary.take(pa.array(cat[st]))),
                        "found_at": when,
                        "previous_record_id": text(ids.take(pa.array(prev))),
                        "previous_rectified_at": prev_at})
    return out, st
