"""The overview page (``index.html``): districts by score, the ranking, links.

The top-level districts are coloured by readiness score (five classes,
with the score written on each district so colour is never the only cue).
The side panel holds the weekly ranking from best to worst, with 红旗 for
the best district and 蓝旗 for the worst, each name linking to its own map.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import shapely

from geotool.output.render import _format as fmt
from geotool.output.render._display import display_geoms, feature_collection
from geotool.output.render._elements import (
    DataLayer,
    add_panel,
    finish_map,
    offline_map,
    render_html,
)
from geotool.output.render.history_marks import (
    move_class,
    rank_badge,
    trend_legend,
    trend_svg,
    trend_values,
)
from geotool.output.render.panels import dock_attrs, flag_html
from geotool.output.render.style import SCORE_BREAKS, SCORE_COLORS, score_color
from geotool.output.render.tiles import Tiles
from geotool.text import header, tr

__all__ = ["map_href", "overview_html", "top_districts"]


def top_districts(result) -> gpd.GeoDataFrame:
    """The top-level districts (``level`` equal to the smallest level)."""
    d = result.districts
    return d[d["level"] == d["level"].min()]


def map_href(stem: str) -> str:
    """Relative link to a district map from the overview.

    Examples
    --------
    >>> map_href("川东区")
    '%E5%B7%9D%E4%B8%9C%E5%8C%BA.html'
    """
    return quote(stem, safe="-_") + ".html"


def _ranking_table(top: pd.DataFrame, hrefs: dict[str, str], lang: str, history=None) -> str:
    cols = ["score", "coverage_rate", "open_issues", "overdue_issues", "blindspot_share", "rank"]
    head = "".join(f"<th>{escape(header(c, lang))}</th>" for c in cols)
    known = history is not None and history.previous is not None
    if known:
        hint = tr("trend.change_hint", lang, date=fmt.date(history.previous))
        head += f'<th title="{escape(hint)}">{escape(tr("trend.change", lang))}</th>'

    rows = []
    n = len(top)
    for _, r in top.sort_values(["rank", "district_id"], ascending=[False, True]).iterrows():
        did = str(r["district_id"])
        name = fmt.text(r["name"]) or did
        link = (f'<a href="{escape(hrefs[did])}">{escape(name)}</a>' if did in hrefs
                else f"{escape(name)} <small>{escape(tr('map.no_map', lang))}</small>")
        cells = [f"{float(r['score']):.1f}" if not pd.isna(r["score"]) else "",
                 fmt.pct(r["coverage_rate"], lang), fmt.count(r["open_issues"], lang),
                 fmt.count(r["overdue_issues"], lang), fmt.pct(r["blindspot_share"], lang),
                 tr("map.rank_value", lang, rank=int(r["rank"]), n=n)]
        tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
        if known:  # climbed green, fell red (and the arrow says it without colour)
            badge = rank_badge(history.rank_change.get(did), True, lang)
            tds += f"<td{move_class(badge)}>{escape(badge)}</td>"
        rows.append(f'<tr data-district="{escape(did)}"><td>{flag_html(int(r["rank"]), n, lang)}'
                    f"</td><td>{link}</td>{tds}</tr>")
    # what 较上期 compares with, written out: a phone shows no tooltip
    note = (f'<p class="gt-hint">{escape(tr("trend.change", lang))}: {escape(hint)}</p>'
            if known else "")
    return (f'<table id="gt-ranking"><caption>{escape(tr("map.ranking", lang))}</caption>'
            f"<thead><tr><th>{escape(tr('map.flag', lang))}</th>"
            f"<th>{escape(tr('map.district_name', lang))}</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{note}")


def _score_legend(lang: str) -> str:
    items = []
    uppers = [*SCORE_BREAKS[1:], 100.0]
    for color, lo, hi in zip(SCORE_COLORS, SCORE_BREAKS, uppers, strict=True):
        items.append(f'<li><span class="gt-shape" style="--c:{color};border-radius:0"></span>'
                     f"<span>{lo:.0f}–{hi:.0f}</span></li>")
    return (f'<div class="gt-panel gt-legend" id="gt-legend" {dock_attrs("left", "legend", lang)}>'
            f'<p class="gt-head">{escape(tr("map.score_legend", lang))}</p>'
            f"<ul>{''.join(reversed(items))}</ul></div>")


def _trends(result, top: pd.DataFrame, history, lang: str) -> str:
    """The trend charts: the city, then each top-level district (inline SVG)."""
    if history is None or history.trend.empty:
        return ""
    charts = [(tr("trend.city", lang), "")] + [
        (fmt.text(r["name"]) or str(r["district_id"]), str(r["district_id"]))
        for _, r in top.sort_values(["rank", "district_id"], ascending=[False, True]).iterrows()]
    items = "".join(
        f'<figure class="gt-trend-item" data-district="{escape(did)}" '
        f'style="display:inline-block;margin:2px 6px 6px 0"><figcaption>{escape(name)}'
        "</figcaption>"
        + trend_svg(history.trend, did, lang=lang, title=tr("trend.title", lang, name=name))
        + trend_values(history.trend, did, lang) + "</figure>" for name, did in charts)
    return (f'<section id="gt-trends"><h2>{escape(tr("trend.heading", lang))}</h2>'
            f"{trend_legend(lang)}{items}</section>")


def overview_html(result, stems: dict[str, str], *, lang: str = "zh", tiles: Tiles,
                  history=None) -> str:
    """Build ``index.html``.

    Parameters
    ----------
    result : GapResult
    stems : dict
        ``{district_id: file stem}`` of the district maps written (only these
        are linked).
    lang : {"zh", "en"}
    tiles : Tiles
    history : HistoryView, optional
        :func:`geotool.analysis.trends.history_view`: adds each district's
        change since the previous snapshot to the ranking, and trend charts.

    Returns
    -------
    str
        The page.
    """
    top = top_districts(result)
    hrefs = {did: map_href(stem) for did, stem in stems.items()}
    mcrs = result.metric_crs or None
    geoms = display_geoms(top, mcrs, tolerance_m=5.0, datum=tiles.datum)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    bounds = [[float(y0), float(x0)], [float(y1), float(x1)]]
    title = tr("map.index_title", lang, city=result.city)
    m = offline_map(tiles, title=title, center=((y0 + y1) / 2, (x0 + x1) / 2), bounds=bounds,
                    avoid="gt-side")
    fields = [header(c, lang) for c in ("district_id", "score", "coverage_rate", "open_issues",
                                        "overdue_issues", "blindspot_share", "rank")]
    props = []
    n = len(top)
    for _, r in top.iterrows():
        did = str(r["district_id"])
        score = "" if pd.isna(r["score"]) else f"{float(r['score']):.1f}"
        props.append({"n": fmt.text(r["name"]) or did, "l": f"{header('score', lang)} {score}",
                      "c": score_color(r["score"]), "h": hrefs.get(did), "v": [
                          did, score, fmt.pct(r["coverage_rate"], lang),
                          fmt.count(r["open_issues"], lang), fmt.count(r["overdue_issues"], lang),
                          fmt.pct(r["blindspot_share"], lang),
                          tr("map.rank_value", lang, rank=int(r["rank"]), n=n)]})
    DataLayer("scores", feature_collection(geoms, props),
              {"fields": fields, "linkText": tr("map.open_map", lang)},
              name=tr("map.overview_layer", lang)).add_to(m)
    finish_map(m, overlays=1, collapsed=True, position="bottomright", lang=lang)
    side = (f'<div class="gt-panel gt-side" id="gt-side" {dock_attrs("right", "ranking", lang)}>'
            f"<h1>{escape(title)}</h1>"
            f"<p>{escape(tr('map.as_of', lang))}: {escape(fmt.date(result.as_of))} · "
            f"{escape(tr('map.window', lang, days=int(result.params.window_days)))}</p>"
            f'<div class="gt-scroll">{_ranking_table(top, hrefs, lang, history)}'
            f"{_trends(result, top, history, lang)}</div></div>")
    add_panel(m, side)
    add_panel(m, _score_legend(lang))
    return render_html(m, lang=lang)
