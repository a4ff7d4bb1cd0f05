"""The ``geotool history`` listing: each stored snapshot, its parameters and districts."""

from __future__ import annotations

import json

from geotool._errors import printable
from geotool.io.history import HistoryStore
from geotool.text import tr

__all__ = ["history_lines"]


def history_lines(store: HistoryStore, *, where: str, lang: str = "zh") -> list[str]:
    """Lines listing the snapshots, oldest first, with top-level district figures.

    Parameters
    ----------
    store : HistoryStore
    where : str
        The store's location, for the title.
    lang : str
    """
    heads = store.snapshots()
    if heads.empty:
        return [tr("history.none", lang, where=where)]
    districts = store.district_history()
    top = districts[districts["level"] == districts["level"].min()] if len(districts) else districts
    lines = [tr("history.title", lang, where=where)]
    for h in heads.itertuples(index=False):  # one per stored week
        try:
            params = json.loads(h.params)
        except (TypeError, ValueError):  # a damaged row: its parameters shown as "?"
            params = {}
        params = params if isinstance(params, dict) else {}
        lines.append(f"{h.as_of.isoformat()}  {printable(h.city)}  "
                     + tr("history.params", lang, **{k: params.get(k, "?") for k in
                                                     ("window_days", "match_radius_m", "reach_m")})
                     + "  " + tr("history.counts", lang, features=h.features, issues=h.issues,
                                 blindspots=h.blindspots))
        week = top[top["as_of"] == h.as_of].sort_values(["rank", "district_id"], kind="stable")
        for d in week.itertuples(index=False):
            lines.append("    " + tr("history.district", lang, name=printable(d.name), rank=d.rank,
                                     score=f"{d.score:.1f}", coverage=f"{d.coverage_rate:.1%}",
                                     open=d.open_issues, overdue=d.overdue_issues))
    return lines
