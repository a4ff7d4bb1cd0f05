"""Week over week: what changed between two snapshots (``geotool diff``).

:func:`diff_snapshots` compares the snapshot of D1 with that of D2 and lists
one row per change (:data:`CHANGES`):

=================== ===========================================================
``new_issue``       an issue known at D2, not at D1
``closed``          open at D1 (or found after it), not open at D2
``newly_overdue``   overdue at D2, not overdue at D1
``reopened``        rectified/closed at D1 and open at D2, or reopened after D1
``removed``         an issue known at D1 that the records no longer hold at D2
                    (its row deleted, or quarantined now)
``newly_forgotten`` a ledger feature covered at D1, not at D2
``recovered``       a feature not covered at D1, covered at D2
``blindspot_new``   a blind-spot part at D2 that overlaps no part at D1
``blindspot_gone``  a blind-spot part at D1 that overlaps no part at D2
=================== ===========================================================

An issue whose id changed (问题编号 renumbered) is matched by when it was
found, its category and its point (:func:`content_matches`) and compared as
the same issue; ``Diff.rematched`` counts them and ``record_id_from`` gives
the id it had at D1. Issues of a sheet without 问题编号 are named by their row
(``file#sheet#row``), which a row inserted above changes: they are matched by
that content, not by their id; only a row number left over at both dates is
taken for that row corrected in place.

An issue found and closed within the week is both ``new_issue`` and
``closed``. Per district it gives the rank and score at both dates and their
change: ranks count worst first (rank 1 = lowest score), so a rank number
going up is a district climbing (``rank_change`` +2: 升 2 位).

:func:`snapshot_at` gives the snapshot of a date from the store, or computes
it from the records when that date was never saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import HistoryError, printable
from geotool.io.history import HistoryStore, Snapshot
from geotool.io.made_ids import is_row_id

__all__ = ["CHANGES", "CHANGE_COLUMNS", "DISTRICT_COLUMNS", "Diff", "content_matches",
           "diff_snapshots", "param_changes", "snapshot_at"]

CHANGES = ("new_issue", "closed", "newly_overdue", "reopened", "removed", "newly_forgotten",
           "recovered", "blindspot_new", "blindspot_gone")
CHANGE_COLUMNS = ["change", "district", "layer", "feature_id", "record_id", "record_id_from",
                  "name", "category", "status_from", "status_to", "deadline", "area_m2", "lon",
                  "lat"]
DISTRICT_COLUMNS = ["district_id", "name", "level", "rank_from", "rank_to", "rank_change",
                    "score_from", "score_to", "score_change", "coverage_rate_from",
                    "coverage_rate_to", "coverage_rate_change", "open_issues_from",
                    "open_issues_to", "open_issues_change", "overdue_issues_from",
                    "overdue_issues_to", "overdue_issues_change"]
_MIN_OVERLAP_M2 = 1.0


@dataclass
class Diff:
    """The changes from D1 to D2.

    Attributes
    ----------
    date_from, date_to : date
    changes : GeoDataFrame
        :data:`CHANGE_COLUMNS`, one row per change, WGS-84 geometry (a point
        for issues and features, the polygon for blind spots).
    districts : DataFrame
        :data:`DISTRICT_COLUMNS`, one row per district of either date.
    params_changed : dict
        Analysis parameter -> (value at D1, value at D2), for every parameter
        (``as_of`` aside) the two snapshots were made with different values
        of (:func:`param_changes`); empty when they agree.
    rematched : int
        Issues of D2 whose id D1 did not know, taken for an issue of D1 by
        their content (:func:`content_matches`): compared with it, not listed
        as new and removed.
    """

    date_from: dt.date
    date_to: dt.date
    changes: gpd.GeoDataFrame
    districts: pd.DataFrame
    params_changed: dict[str, tuple[object, object]] = field(default_factory=dict)
    rematched: int = 0


def param_changes(a: Snapshot, b: Snapshot) -> dict[str, tuple[object, object]]:
    """The analysis parameters two snapshots differ in: name -> (value in ``a``, in ``b``).

    ``as_of`` is left out (it always differs); a parameter only one snapshot
    knows (saved by another geotool version) counts as differing, with
    ``None`` for the other. Names are sorted.

    Examples
    --------
    >>> import datetime as dt
    >>> def snap(**params):
    ...     return Snapshot(as_of=dt.date(2026, 10, 12), city="c", params=params, metric_crs="",
    ...                     districts=None, features=None, issues=None, blindspots=None)
    >>> param_changes(snap(as_of="2026-10-12", window_days=7, reach_m=300.0),
    ...               snap(as_of="2026-10-19", window_days=14, reach_m=300))
    {'window_days': (7, 14)}
    """
    names = sorted((set(a.params) | set(b.params)) - {"as_of"})
    return {n: (a.params.get(n), b.params.get(n)) for n in names
            if a.params.get(n) != b.params.get(n)}


def _rows(change: str, frame: pd.DataFrame, geometry: np.ndarray) -> gpd.GeoDataFrame:
    out = pd.DataFrame({c: frame[c].to_numpy() if c in frame else None
                        for c in CHANGE_COLUMNS[1:]})
    out.insert(0, "change", change)
    return gpd.GeoDataFrame(out, geometry=np.asarray(geometry, dtype=object), crs="EPSG:4326")


def _content_keys(issues: gpd.GeoDataFrame) -> pd.DataFrame:
    """What tells an issue apart without its id: when found, its category, where (0.1 m)."""
    geom = issues.geometry.values
    return pd.DataFrame({  # to the second: a store keeps no fractions of one
        "found_at": pd.to_datetime(issues["found_at"]).dt.floor("s").to_numpy(),
        "category": issues["category"].astype(object).fillna("").to_numpy(dtype=object),
        "lon": np.round(shapely.get_x(geom), 6), "lat": np.round(shapely.get_y(geom), 6)})


def content_matches(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> np.ndarray:
    """For each issue of ``b``, the position in ``a`` of the same issue found by content.

    Two issues are one when they were found at the same time (to the
    second), are of the same category and lie at the same point (to 0.1 m):
    an issue whose id changed between two dates (a spreadsheet without
    问题编号 is numbered by row, so a row inserted above renumbers the rest; an
    office renumbered its issues).
    Equal issues pair in their order of appearance; an issue with no time of
    finding is never matched.

    Parameters
    ----------
    a, b : GeoDataFrame
        Issues (``found_at``, ``category``, point geometry), e.g. those of D1
        no id of D2 holds and those of D2 no id of D1 holds.

    Returns
    -------
    ndarray of int
        Position in ``a`` per row of ``b``; -1 where none matches.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> def issues(*rows):
    ...     return gpd.GeoDataFrame({"found_at": pd.to_datetime([r[0] for r in rows]),
    ...                              "category": [r[1] for r in rows]},
    ...                             geometry=[shapely.Point(r[2], 34.0) for r in rows])
    >>> a = issues(("2026-10-01 09:00", "乱堆放", 114.1), ("2026-10-01 09:00", "乱堆放", 114.1))
    >>> b = issues(("2026-10-01 09:00", "乱堆放", 114.1), ("2026-10-02 09:00", "乱堆放", 114.1))
    >>> content_matches(a, b).tolist()
    [0, -1]
    """
    ka, kb = _content_keys(a), _content_keys(b)
    cols = list(ka.columns)
    for k in (ka, kb):  # the n-th of equal issues on one side pairs with the n-th on the other
        k["nth"] = k.groupby(cols, sort=False, dropna=False).cumcount()
    ka["pos_a"] = np.arange(len(ka))
    kb["pos_b"] = np.arange(len(kb))
    ka = ka[ka["found_at"].notna()]
    m = kb.merge(ka, on=[*cols, "nth"], how="inner", sort=False)
    out = np.full(len(kb), -1, dtype=np.int64)
    out[m["pos_b"].to_numpy()] = m["pos_a"].to_numpy()
    return out


def _matched_ids(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per issue of ``b``, the id it had in ``a`` (``None``: new); per issue of ``a``, gone?

    By id first, but not an id made from a row number (``file#sheet#row``), which
    names another issue once a row is inserted above; then by content
    (:func:`content_matches`); then a row id left over on both sides is the same
    row, edited in place (its time, category or point corrected).
    """
    ids_a = a["record_id"].to_numpy(dtype=object)
    ids_b = b["record_id"].to_numpy(dtype=object)
    known = pd.Index(ids_b).isin(ids_a) & ~is_row_id(ids_b)
    gone = ~pd.Index(ids_a).isin(ids_b[known])
    was = _where(known, ids_b)
    at = content_matches(a[gone], b[~known])
    hit = at >= 0
    was[np.flatnonzero(~known)[hit]] = ids_a[gone][at[hit]]
    gone[np.flatnonzero(gone)[at[hit]]] = False
    left_b = np.flatnonzero(pd.isna(was) & is_row_id(ids_b))
    same_row = pd.Index(ids_a[gone]).get_indexer(ids_b[left_b])  # ids are unique per date
    was[left_b[same_row >= 0]] = ids_b[left_b[same_row >= 0]]
    gone[np.flatnonzero(gone)[same_row[same_row >= 0]]] = False
    return was, gone


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask``, else ``None`` (an object array)."""
    out = np.full(len(values), None, dtype=object)
    out[mask] = values[mask]
    return out


def _issue_changes(a: Snapshot, b: Snapshot) -> tuple[list[gpd.GeoDataFrame], int]:
    ia = a.issues.drop(columns="geometry").set_index("record_id")
    ib = b.issues.set_index("record_id")
    was, gone = _matched_ids(a.issues, b.issues)
    known = ~pd.isna(was)
    renumbered = known & (was != ib.index.to_numpy(dtype=object))
    rematched = int(renumbered.sum())
    prev = ia.reindex(pd.Index(was))  # None: a new issue, nothing of D1 (all missing)
    open_a = prev["open"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    done_a = known & ~prev["open"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    overdue_a = prev["overdue"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    open_b = ib["open"].to_numpy(dtype=bool)
    reopened_at = pd.to_datetime(ib["reopened_at"])
    after = pd.Timestamp(a.as_of) + pd.Timedelta(days=1)
    reopened_late = (reopened_at >= after).fillna(False).to_numpy(dtype=bool)
    frame = ib.reset_index().assign(status_from=prev["status"].to_numpy(),
                                    status_to=ib["status"].to_numpy(),
                                    feature_id=ib["feature_ids"].to_numpy(),
                                    record_id_from=_where(renumbered, was))
    geom = ib.geometry.values
    frame["lon"] = np.round(shapely.get_x(geom), 6)
    frame["lat"] = np.round(shapely.get_y(geom), 6)
    masks = {
        "new_issue": ~known,
        "closed": open_a & ~open_b,
        "newly_overdue": ib["overdue"].to_numpy(dtype=bool) & ~overdue_a,
        "reopened": open_b & (done_a | reopened_late),
    }
    removed = a.issues[gone].reset_index(drop=True)
    gone_geom = removed.geometry.values
    removed = pd.DataFrame(removed.drop(columns="geometry")).assign(
        status_from=removed["status"].to_numpy(), status_to=None,
        feature_id=removed["feature_ids"].to_numpy(),
        lon=np.round(shapely.get_x(gone_geom), 6), lat=np.round(shapely.get_y(gone_geom), 6))
    return ([_rows(k, frame[m], geom[m]) for k, m in masks.items()]
            + [_rows("removed", removed, gone_geom)]), rematched


def _feature_changes(a: Snapshot, b: Snapshot) -> list[gpd.GeoDataFrame]:
    key = ["layer", "feature_id"]
    both = b.features.merge(a.features[[*key, "covered"]], on=key, suffixes=("", "_from"))
    geom = both.geometry.values
    both["lon"] = np.round(shapely.get_x(geom), 6)
    both["lat"] = np.round(shapely.get_y(geom), 6)
    was = both["covered_from"].to_numpy(dtype=bool)
    now = both["covered"].to_numpy(dtype=bool)
    return [_rows("newly_forgotten", both[was & ~now], geom[was & ~now]),
            _rows("recovered", both[~was & now], geom[~was & now])]


def _unmatched(parts: gpd.GeoDataFrame, others: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """Which ``parts`` overlap no part of ``others`` in the same district (by > 1 m²)."""
    if len(parts) == 0:
        return np.zeros(0, dtype=bool)
    if len(others) == 0:
        return np.ones(len(parts), dtype=bool)
    pm = parts.to_crs(crs).geometry.values
    om = others.to_crs(crs).geometry.values
    i, j = shapely.STRtree(om).query(pm, predicate="intersects")
    same = parts["district_id"].to_numpy()[i] == others["district_id"].to_numpy()[j]
    i, j = i[same], j[same]
    area = shapely.area(shapely.intersection(pm[i], om[j]))
    matched = np.zeros(len(parts), dtype=bool)
    matched[i[area > _MIN_OVERLAP_M2]] = True
    return ~matched


def _blindspot_changes(a: Snapshot, b: Snapshot) -> list[gpd.GeoDataFrame]:
    crs = b.metric_crs or a.metric_crs
    out = []
    for change, parts, others in (("blindspot_new", b.blindspots, a.blindspots),
                                  ("blindspot_gone", a.blindspots, b.blindspots)):
        m = _unmatched(parts, others, crs)
        sel = parts[m].rename(columns={"district_id": "district"})
        centre = shapely.point_on_surface(sel.geometry.values)
        sel = sel.assign(lon=np.round(shapely.get_x(centre), 6),
                         lat=np.round(shapely.get_y(centre), 6),
                         feature_id=sel["district"].astype(str) + "#" + sel["part"].astype(str))
        out.append(_rows(change, sel, sel.geometry.values))
    return out


def _district_changes(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    cols = ["district_id", "name", "level", "rank", "score", "coverage_rate", "open_issues",
            "overdue_issues"]
    da, db = a.districts[cols], b.districts[cols]
    m = db.merge(da, on=["district_id"], how="outer", suffixes=("_to", "_from"))
    m["name"] = m["name_to"].fillna(m["name_from"])
    m["level"] = m["level_to"].fillna(m["level_from"]).astype(np.int64)
    for c in ("rank", "score", "coverage_rate", "open_issues", "overdue_issues"):
        m[f"{c}_change"] = m[f"{c}_to"] - m[f"{c}_from"]
    for c in ("rank_from", "rank_to", "rank_change", "open_issues_from", "open_issues_to",
              "open_issues_change", "overdue_issues_from", "overdue_issues_to",
              "overdue_issues_change"):
        m[c] = m[c].astype("Int64")
    m["score_change"] = m["score_change"].round(2)
    m["coverage_rate_change"] = m["coverage_rate_change"].round(4)
    m = m.sort_values(["level", "rank_to", "district_id"], kind="stable", na_position="last")
    return m[DISTRICT_COLUMNS].reset_index(drop=True)


def diff_snapshots(a: Snapshot, b: Snapshot) -> Diff:
    """Every change from snapshot ``a`` (D1) to snapshot ``b`` (D2).

    Parameters
    ----------
    a, b : Snapshot
        The earlier and the later snapshot.

    Returns
    -------
    Diff
        Changes sorted by kind (in :data:`CHANGES` order), district, id;
        ``params_changed`` says which parameters differ between the two.

    Raises
    ------
    HistoryError
        ``diff.other_city`` when the snapshots are of two cities.
    """
    if a.city != b.city:
        raise HistoryError(key="diff.other_city", params={
            "d1": a.as_of, "d2": b.as_of, "city_from": printable(a.city),
            "city_to": printable(b.city)})
    issue_parts, rematched = _issue_changes(a, b)
    parts = issue_parts + _feature_changes(a, b) + _blindspot_changes(a, b)
    changes = pd.concat(parts, ignore_index=True)
    changes = gpd.GeoDataFrame(changes, geometry="geometry", crs="EPSG:4326")
    order = pd.Categorical(changes["change"], categories=CHANGES, ordered=True)
    changes = changes.assign(_o=order.codes).sort_values(
        ["_o", "district", "layer", "feature_id", "record_id"], kind="stable",
        na_position="first").drop(columns="_o").reset_index(drop=True)
    return Diff(date_from=a.as_of, date_to=b.as_of, changes=changes,
                districts=_district_changes(a, b), params_changed=param_changes(a, b),
                rematched=rematched)


def snapshot_at(date: dt.date, *, store: HistoryStore | None, compute) -> tuple[Snapshot, bool]:
    """The snapshot of ``date``: stored, or computed with ``compute(date)`` when not stored.

    Parameters
    ----------
    date : date
    store : HistoryStore or None
    compute : callable
        ``date -> Snapshot``, e.g. ``snapshot_of(find_gaps(loaded, params=...))``.

    Returns
    -------
    (Snapshot, bool)
        The snapshot and whether it came from the store.
    """
    snap = store.load(date) if store is not None else None
    if snap is not None:
        return snap, True
    return compute(date), False
