"""The history on the maps: rank arrows, the 本周新增 layer, trend charts.

* :func:`rank_badge`: ↑2 / ↓1 / 新 / – beside each district in the index ranking;
* :func:`new_layer`: the district map's 本周新增 layer (new issues and newly
  forgotten places since the previous stored snapshot), drawn by the maps'
  ``features`` layer kind;
* :func:`trend_svg`: a small inline SVG per district (and the city) with
  score, coverage, open and overdue issues over the stored weeks;
* :func:`trends_png`: the same charts as one PNG for slides (matplotlib).

Every text from the data is escaped (SVG is markup too).
"""

from __future__ import annotations

import io
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geotool.output.render import _format as fmt
from geotool.output.render._display import display_geoms, feature_collection
from geotool.output.render._elements import DataLayer
from geotool.output.render._mpl_text import literal_text
from geotool.output.render.panels import dash_attr, legend_item
from geotool.output.render.png import cjk_font
from geotool.output.render.style import OKABE_ITO
from geotool.text import colon_mark, header, paren, status_label, tr

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["SERIES", "change_line", "move_class", "new_layer", "new_legend", "rank_badge",
           "trend_legend", "trend_svg", "trend_values", "trends_png"]

#: (column, colour, dash) of each trend series; score and coverage on 0–100,
#: open and overdue issues on their own count axis.
SERIES = (("score", OKABE_ITO["blue"], ""), ("coverage_rate", OKABE_ITO["bluish_green"], ""),
          ("open_issues", OKABE_ITO["orange"], "4 3"),
          ("overdue_issues", OKABE_ITO["vermillion"], "2 2"))
# black: no other mark on the maps is (only the district's outline), so what is new this
# week stands out from the orange/vermillion issues and the vermillion forgotten places
_NEW_STYLES: tuple[dict, ...] = ({"key": "new_issue", "color": OKABE_ITO["black"],
                                  "dash": None,
                                  "weight": 4, "shape": "triangle", "hollow": False},
                                 {"key": "newly_forgotten", "color": OKABE_ITO["black"],
                                  "dash": "3 3", "weight": 5, "shape": "square",
                                  "hollow": True})


def rank_badge(change: int | None, known: bool, lang: str = "zh") -> str:
    """The ranking's change mark: ``↑2`` (climbed), ``↓1``, ``–``, or 新 (not ranked before).

    ``known`` is false when there is no previous snapshot at all (empty mark).

    Examples
    --------
    >>> rank_badge(2, True), rank_badge(-1, True), rank_badge(0, True), rank_badge(None, True)
    ('↑2', '↓1', '–', '新')
    >>> rank_badge(None, False)
    ''
    """
    if not known:
        return ""
    if change is None:
        return tr("trend.new", lang)
    if change == 0:
        return "–"
    return f"↑{change}" if change > 0 else f"↓{-change}"


def new_layer(new_since, district_id: str, *, lang: str, datum: str) -> tuple[DataLayer, str]:
    """The 本周新增 layer of one district; returns (layer, plain name).

    Off when the map opens (a week's new issues would cover the first view);
    each popup gives the issue's status now (some were rectified within the
    week).
    """
    part = new_since[new_since["district"].astype(str) == str(district_id)]
    kinds = {"new_issue": 0, "newly_forgotten": 1}
    fields = [tr("trend.what", lang), header("feature_id", lang), header("record_id", lang),
              header("category", lang), header("status", lang), header("deadline", lang)]
    props = [{"n": tr(f"change.{r.change}", lang) + " · " + (fmt.text(r.name) or
                                                            fmt.text(r.feature_id)
                                                            or fmt.text(r.record_id)),
              "s": kinds[r.change],
              "v": [tr(f"change.{r.change}", lang), fmt.text(r.feature_id), fmt.text(r.record_id),
                    fmt.text(r.category),
                    _status(r, lang),
                    fmt.date(r.deadline)]}
             for r in part.itertuples(index=False)]  # a handful per week
    geoms = display_geoms(part, None, tolerance_m=0, datum=datum) if len(part) else np.array([])
    name = paren(tr("trend.new_layer", lang), len(part), lang)
    layer = DataLayer("features", feature_collection(geoms, props),
                      {"fields": fields, "styles": list(_NEW_STYLES), "pane": "gtNew"},
                      name=name, show=False)  # gtNew: over the issue markers at the same spot
    return layer, name


def _status(r, lang: str) -> str:
    """A new issue's status now, as the issue layers write it (未整改 · 超期)."""
    if not isinstance(r.status_to, str):
        return ""
    late = bool(getattr(r, "overdue", False))
    return status_label(r.status_to, lang) + (f" · {header('overdue', lang)}" if late else "")


def change_line(history, district_id: str, lang: str = "zh") -> str:
    """The title panel's 较上期 line of a district map: its rank change and since when (HTML).

    Empty without a previous snapshot.

    Examples
    --------
    >>> import datetime as dt
    >>> from types import SimpleNamespace
    >>> view = SimpleNamespace(previous=dt.date(2026, 10, 19), rank_change={"A": 2})
    >>> change_line(view, "A")
    '<p class="gt-hint">较上期（2026-10-19）：<b class="gt-up">↑2</b></p>'
    >>> change_line(SimpleNamespace(previous=None, rank_change={}), "A")
    ''
    """
    if history is None or history.previous is None:
        return ""
    badge = rank_badge(history.rank_change.get(str(district_id)), True, lang)
    label = paren(tr("trend.change", lang), fmt.date(history.previous), lang)
    return (f'<p class="gt-hint">{escape(label)}{colon_mark(lang)}'
            f"<b{move_class(badge)}>{escape(badge)}</b></p>")


def move_class(badge: str) -> str:
    """The class attribute that colours a :func:`rank_badge` (climbed green, fell red).

    Examples
    --------
    >>> move_class("↑2"), move_class("↓1"), move_class("–")
    (' class="gt-up"', ' class="gt-down"', '')
    """
    return {"↑": ' class="gt-up"', "↓": ' class="gt-down"'}.get(badge[:1], "")


def new_legend(lang: str = "zh") -> str:
    """The legend section of the 本周新增 layer (HTML): its two marks, drawn as on the map."""
    items = "".join(legend_item(s["color"], s["weight"], s["dash"], s["shape"], s["hollow"],
                                tr(f"change.{s['key']}", lang)) for s in _NEW_STYLES)
    return f"<h2>{escape(tr('trend.new_layer', lang))}</h2><ul>{items}</ul>"


def trend_values(trend: pd.DataFrame, district_id: str, lang: str = "zh") -> str:
    """The latest stored week's figures of one district (``""``: the city), as text (HTML).

    The charts' values are in tooltips, which a phone never shows: this line
    under each chart gives the latest ones.
    """
    t = trend[trend["district_id"].astype(str) == str(district_id)].sort_values("as_of")
    if t.empty:
        return ""
    last = t.iloc[-1]
    shown = {"score": f"{float(last['score']):.1f}" if pd.notna(last["score"]) else "",
             "coverage_rate": fmt.pct(last["coverage_rate"], lang),
             "open_issues": fmt.count(last["open_issues"], lang),
             "overdue_issues": fmt.count(last["overdue_issues"], lang)}
    parts = " · ".join(f"<span>{escape(header(col, lang))} {escape(shown[col])}</span>"
                       for col, _, _ in SERIES)  # a figure never split over two lines
    return (f'<p class="gt-trend-last">{escape(fmt.date(last["as_of"]))}{colon_mark(lang)}'
            f"{parts}</p>")


def _points(values: np.ndarray, top: float, w: float, h: float, pad: float) -> str:
    n = len(values)
    xs = pad + (np.arange(n) * (w - 2 * pad) / max(n - 1, 1))
    share = np.clip(np.nan_to_num(values / top if top else values * 0), 0, 1)
    ys = h - 2 * pad - share * (h - 3 * pad)  # room for the dates below
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def trend_svg(trend: pd.DataFrame, district_id: str, *, title: str, lang: str = "zh",
              width: int = 220, height: int = 80) -> str:
    """A small line chart of one district's (``""``: the city's) stored weeks, as SVG markup.

    Score and coverage (as a percentage) share a 0–100 scale; open and
    overdue issues share a scale up to their largest count. Each point has a
    tooltip with the date and value.
    """
    t = trend[trend["district_id"].astype(str) == str(district_id)].sort_values("as_of")
    pad = 6.0
    parts = [(f'<svg class="gt-trend" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
             f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" '
             'stroke="#ccc"/>')]
    counts = t[["open_issues", "overdue_issues"]].to_numpy(dtype=float)
    top_count = float(np.nanmax(counts)) if counts.size and np.isfinite(counts).any() else 0.0
    dates = [fmt.date(d) for d in t["as_of"]]
    for col, color, dash in SERIES:
        values = t[col].to_numpy(dtype=float) * (100.0 if col == "coverage_rate" else 1.0)
        top = 100.0 if col in ("score", "coverage_rate") else max(top_count, 1.0)
        pts = _points(values, top, width, height, pad)
        label = header(col, lang)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr(dash)} '
                     f'points="{pts}"><title>{escape(label)}</title></polyline>')
        for (x, y), date, v in zip((p.split(",") for p in pts.split()), dates, values,
                                   strict=True):
            shown = "" if np.isnan(v) else (f"{v:.1f}%" if col == "coverage_rate"
                                            else f"{v:.1f}" if col == "score" else f"{v:.0f}")
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{color}">'
                         f"<title>{escape(f'{date} {label} {shown}')}</title></circle>")
    if dates:
        parts.append(f'<text x="{pad}" y="{height - 1.5}" font-size="10" fill="#555">'
                     f"{escape(dates[0])}</text>")
        parts.append(f'<text x="{width - pad}" y="{height - 1.5}" font-size="10" fill="#555" '
                     f'text-anchor="end">{escape(dates[-1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_legend(lang: str = "zh") -> str:
    """One line naming the series, each drawn as in the charts (colour and dash; HTML)."""
    items = [f'<svg width="20" height="8" aria-hidden="true"><line x1="1" y1="4" x2="19" y2="4" '
             f'stroke="{c}" stroke-width="2"{dash_attr(d)}/></svg> {escape(header(col, lang))}'
             for col, c, d in SERIES]
    return f'<p class="gt-trend-key">{" ".join(items)}</p>'


def trends_png(trend: pd.DataFrame, names: dict[str, str], *, city: str,
               lang: str = "zh") -> bytes:
    """The city's and every district's trend as one PNG (for slides), as bytes."""
    import matplotlib  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn


    ids = [""] + [i for i in names if i]
    font = cjk_font()
    rc: dict[RcKeyType, Any] = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
                                "svg.hashsalt": "geotool", "axes.unicode_minus": False}
    with plt.rc_context(rc):  # fonts are looked up when drawing: save inside the context
        fig = _trend_figure(trend, names, ids, city=city, lang=lang)

        buffer = io.BytesIO()
        try:
            literal_text(fig).savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()


def _trend_figure(trend: pd.DataFrame, names: dict[str, str], ids: list[str], *, city: str,
                  lang: str):
    from matplotlib import pyplot as plt  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn

    cols = min(3, len(ids))
    rows = -(-len(ids) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax in axes.ravel()[len(ids):]:
        ax.set_visible(False)
    for ax, did in zip(axes.ravel(), ids, strict=False):
        t = trend[trend["district_id"].astype(str) == did].sort_values("as_of")
        x = pd.to_datetime(t["as_of"])
        ax.plot(x, t["score"], color=SERIES[0][1], marker="o", label=header("score", lang))
        ax.plot(x, t["coverage_rate"] * 100, color=SERIES[1][1], marker="o",
                label=header("coverage_rate", lang) + " %")
        ax.set_ylim(0, 105)
        right = ax.twinx()
        right.plot(x, t["open_issues"], color=SERIES[2][1], ls="--", marker=".",
                   label=header("open_issues", lang))
        right.plot(x, t["overdue_issues"], color=SERIES[3][1], ls=":", marker=".",
                   label=header("overdue_issues", lang))
        right.set_ylim(bottom=0)
        ax.set_title(tr("trend.city", lang) if did == "" else names.get(did, did), fontsize=11)
        ax.set_xticks(x, [fmt.date(d) for d in t["as_of"]])
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    first, second = axes.ravel()[0], fig.axes[len(axes.ravel())]
    lines = first.get_lines() + second.get_lines()
    fig.legend(lines, [ln.get_label() for ln in lines], loc="lower center", ncol=4, fontsize=9)
    fig.suptitle(tr("trend.png_title", lang, city=city), fontsize=13)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return fig
