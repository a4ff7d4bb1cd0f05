"""What the maps show from the history store: change since last time, and trends.

:func:`history_view` compares a gap analysis with the latest stored snapshot
before its date and gathers the stored weeks up to it:

* ``rank_change``: per top-level district, the rank change since that
  snapshot (ranks worst first, so +2 is a district that climbed two places;
  ``None`` for a district that snapshot did not have);
* ``new_since``: the new issues and newly forgotten places since then (the
  maps' 本周新增 layer), from :func:`geotool.analysis.diff.diff_snapshots`;
* ``trend``: coverage, open and overdue issues and score per top-level district
  and for the whole city (``district_id`` ``""``), one row per stored date,
  the analysis itself standing for its own date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.analysis.diff import diff_snapshots
from geotool.analysis.gaps import GapResult
from geotool.analysis.snapshot import snapshot_of
from geotool.io.history import HistoryStore

__all__ = ["NEW_CHANGES", "TREND_COLUMNS", "HistoryView", "history_view"]

#: The changes the 本周新增 layer shows.
NEW_CHANGES = ("new_issue", "newly_forgotten")
TREND_COLUMNS = ["as_of", "district_id", "name", "coverage_rate", "open_issues",
                 "overdue_issues", "score"]


@dataclass
class HistoryView:
    """The history the maps draw (see the module docstring).

    ``params_changed``: the parameters the previous snapshot was made with
    other values of (:func:`~geotool.analysis.diff.param_changes`).
    """

    previous: dt.date | None
    rank_change: dict[str, int | None] = field(default_factory=dict)
    new_since: gpd.GeoDataFrame | None = None
    trend: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TREND_COLUMNS))
    params_changed: dict[str, tuple[object, object]] = field(default_factory=dict)


def _city_rows(top: pd.DataFrame) -> pd.DataFrame:
    g = top.groupby("as_of", sort=True)
    features = g["features"].sum()
    city = pd.DataFrame({
        "coverage_rate": (g["covered"].sum() / features.where(features > 0)).round(4),
        "open_issues": g["open_issues"].sum(), "overdue_issues": g["overdue_issues"].sum(),
        "score": g["score"].mean().round(2)}).reset_index()
    city["district_id"], city["name"] = "", ""
    return city


def history_view(result: GapResult, store: HistoryStore | None) -> HistoryView:
    """The change since the previous stored snapshot, and the stored trend.

    Parameters
    ----------
    result : GapResult
        The analysis being drawn.
    store : HistoryStore or None
        The workspace's store (``None``: no history; only this date's point).

    Returns
    -------
    HistoryView

    Raises
    ------
    HistoryError
        When the store holds another city's snapshots.
    """
    if store is not None:
        store.check_city(result.city)
    current = snapshot_of(result)
    d = current.districts
    level = int(d["level"].min()) if len(d) else 0
    now = d[d["level"] == level].assign(as_of=result.as_of)
    stored = store.district_history(level=level) if store is not None else now.iloc[0:0]
    stored = stored[stored["as_of"] < result.as_of]
    top = pd.concat([stored, now[stored.columns.intersection(now.columns)]], ignore_index=True)
    trend = pd.concat([top, _city_rows(top)], ignore_index=True)
    trend = trend[TREND_COLUMNS].sort_values(["district_id", "as_of"], kind="stable")
    view = HistoryView(previous=None, trend=trend.reset_index(drop=True))
    previous = store.previous(result.as_of) if store is not None else None
    before = store.load(previous) if store is not None and previous is not None else None
    if previous is None or before is None:
        return view
    diff = diff_snapshots(before, current)
    changes = diff.districts.set_index("district_id")["rank_change"]
    ids = now["district_id"].astype(str)
    view.previous = previous
    view.params_changed = diff.params_changed
    view.rank_change = {i: (None if pd.isna(changes.get(i, np.nan)) else int(changes[i]))
                        for i in ids}  # one per top-level district
    ch = diff.changes
    new = ch[ch["change"].isin(NEW_CHANGES)].reset_index(drop=True)
    late = ch.loc[ch["change"] == "newly_overdue", "record_id"]  # a new issue past its deadline
    new["overdue"] = (new["change"] == "new_issue").to_numpy() & new["record_id"].isin(late)
    view.new_since = new
    return view
