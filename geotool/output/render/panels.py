"""The fixed panels of a district map: the title panel and the legend.

Both are static HTML; every value that comes from user data is escaped with
:func:`html.escape`. Legend swatches are drawn with the same colours, dash
patterns and shapes as the map (:mod:`geotool.output.render.style`).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from geotool.output.render import _format as fmt
from geotool.output.render.style import (
    BLIND_COLOR,
    FEATURE_STATES,
    HEAT_COLORS,
    ISSUE_CLASSES,
    ISSUE_COLORS,
    ISSUE_GLYPHS,
    ISSUE_SHAPES,
    LEVEL_STYLES,
    OUTLINE_COLOR,
)
from geotool.text import tr

__all__ = ["dash_attr", "dock_attrs", "flag_html", "layers_panel", "legend_item", "legend_panel",
           "title_panel"]


def dock_attrs(side: str, panel: str, lang: str, *, closed: bool = False) -> str:
    """Attributes placing a panel in the left or right dock, with its button label.

    ``layout.js`` moves the panel into that dock and makes the label the
    text of the button that opens it (phones start with every panel closed).

    Examples
    --------
    >>> dock_attrs("left", "legend", "en")
    'data-gt-dock="left" data-gt-label="Legend"'
    """
    if side not in ("left", "right"):
        msg = f"unknown dock {side!r}"
        raise ValueError(msg)
    label = escape(tr(f"mapview.panel_{panel}", lang), quote=True)
    extra = ' data-gt-closed="1"' if closed else ""
    return f'data-gt-dock="{side}" data-gt-label="{label}"{extra}'


def layers_panel(*, lang: str) -> str:
    """The panel that Leaflet's layer control is moved into (by ``layout.js``)."""
    return (f'<div class="gt-panel gt-layers" id="gt-layers" {dock_attrs("right", "layers", lang)}>'
            f'<p class="gt-head">{escape(tr("mapview.panel_layers", lang))}</p>'
            f'<div class="gt-body"></div></div>')


def flag_html(rank: int, n: int, lang: str) -> str:
    """红旗 for the best of ``n`` (rank ``n``), 蓝旗 for the worst (rank 1), else empty."""
    if n < 2:
        return ""
    if rank == n:
        return f'<span class="gt-flag gt-flag-red">⚑ {escape(tr("map.red_flag", lang))}</span>'
    if rank == 1:
        return f'<span class="gt-flag gt-flag-blue">⚑ {escape(tr("map.blue_flag", lang))}</span>'
    return ""


def title_panel(row: pd.Series, *, city: str, as_of: object, window_days: int, n_level: int,
                lang: str, index_href: str | None = "index.html", extra_html: str = "") -> str:
    """The title panel: district, as-of date, coverage, open/overdue, blind share, rank.

    ``extra_html`` (already escaped by its maker) follows the figures.
    """
    name = fmt.text(row["name"]) or fmt.text(row["district_id"])
    title = tr("map.map_title", lang, city=city, district=name)
    rank = int(row["rank"])
    items = [
        (tr("map.as_of", lang), f"{fmt.date(as_of)}"),
        (tr("map.coverage_rate", lang),
         (f"{fmt.pct(row['coverage_rate'], lang)} ({fmt.count(row['covered'], lang)}/"
          f"{fmt.count(row['features'], lang)})")),
        (tr("map.open_issues", lang), fmt.count(row["open_issues"], lang)),
        (tr("map.overdue_issues", lang), fmt.count(row["overdue_issues"], lang)),
        (tr("map.blindspot_share", lang), fmt.pct(row["blindspot_share"], lang)),
        (tr("map.rank", lang), tr("map.rank_value", lang, rank=rank, n=n_level)),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    back = (f'<a href="{escape(index_href)}">{escape(tr("map.back", lang))}</a>'
            if index_href else "")
    return (f'<div class="gt-panel gt-title" id="gt-title" {dock_attrs("left", "title", lang)}>'
            f"<h1>{escape(title)}</h1>"
            f'<div class="gt-sub">{escape(tr("map.window", lang, days=window_days))} '
            f'{flag_html(rank, n_level, lang)}</div>'
            f"<dl>{dl}</dl>{extra_html}{back}</div>")


def dash_attr(dash: str | None) -> str:
    """The SVG ``stroke-dasharray`` attribute of a dash pattern (``""`` for a solid line)."""
    return f' stroke-dasharray="{dash}"' if dash else ""


def _line(color: str, weight: float, dash: str | None) -> str:
    return (f'<svg width="36" height="14" aria-hidden="true"><line x1="2" y1="7" x2="34" y2="7" '
            f'stroke="{color}" stroke-width="{weight}"{dash_attr(dash)}/></svg>')


def _area(color: str, dash: str | None) -> str:
    return (f'<svg width="22" height="16" aria-hidden="true"><rect x="2" y="2" width="18" '
            f'height="12" fill="{color}" fill-opacity="0.22" stroke="{color}" stroke-width="2"'
            f"{dash_attr(dash)}/></svg>")


def _point(color: str, shape: str, hollow: bool) -> str:
    cls = f"gt-shape gt-{shape}" + (" gt-hollow" if hollow else "")
    return f'<span class="{cls}" style="--c:{color}"></span>'


def _hatch() -> str:
    return (f'<svg width="30" height="18" aria-hidden="true"><defs><pattern id="gt-hatch-legend" '
            f'patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{BLIND_COLOR}" fill-opacity="0.1"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BLIND_COLOR}" stroke-width="2" '
            f'stroke-opacity="0.65"/></pattern></defs><rect x="1" y="1" width="28" height="16" '
            f'fill="url(#gt-hatch-legend)" stroke="{BLIND_COLOR}" stroke-dasharray="4 3"/></svg>')


def _ring(n: int, overdue: int, *, cell: bool = False) -> str:
    """A cluster swatch: ``n`` in a ring whose red part is the overdue share."""
    deg = round(360 * overdue / n)
    style = (f"background:conic-gradient({ISSUE_COLORS['overdue']} 0 {deg}deg,"
             f"{ISSUE_COLORS['open']} {deg}deg 360deg)")
    cls = "gt-cluster gt-cell" if cell else "gt-cluster"
    return (f'<span class="{cls}"><span class="gt-ring" style="{style}">'
            f"<span>{n}</span></span></span>")


def _li(swatch: str, label: str) -> str:
    return f"<li>{swatch}<span>{escape(label)}</span></li>"


def legend_item(color: str, weight: float, dash: str | None, shape: str, hollow: bool,
                label: str) -> str:
    """One legend row drawn like a ledger feature: line, area and point swatches, then the label."""
    return _li(_line(color, weight, dash) + _area(color, dash) + _point(color, shape, hollow),
               label)


def legend_panel(*, lang: str, geom_kinds: set[str], nested_depths: list[int],
                 level_names: dict[int, str], heat_breaks: list[int], heat_cell_m: float,
                 aggregated: bool = False, extra_html: str = "") -> str:
    """The fixed legend.

    Parameters
    ----------
    lang : str
    geom_kinds : set of str
        Which of ``line``, ``area``, ``point`` the ledger layers have.
    nested_depths : list of int
        Depths of the nested areas drawn (1 = streets).
    level_names : dict
        Depth to plain-text level name.
    heat_breaks : list of int
        Lower bound of each heat class.
    heat_cell_m : float
        Heat cell side, metres.
    aggregated : bool
        Whether an issue layer is drawn as counted cells when zoomed out.
    extra_html : str
        Legend sections of the optional overlays (escaped by their makers), last.
    """
    feats = []
    for s in FEATURE_STATES:
        swatch = ""
        if "line" in geom_kinds:
            swatch += _line(s.color, s.weight, s.dash)
        if "area" in geom_kinds:
            swatch += _area(s.color, s.dash)
        if "point" in geom_kinds or not geom_kinds:
            swatch += _point(s.color, s.shape, s.hollow)
        feats.append(_li(swatch, tr(f"map.state_{s.key}", lang)))
    issues = [_li(f'<span class="gt-issue gt-{ISSUE_SHAPES[c]}" style="--c:{ISSUE_COLORS[c]}">'
                  f"{escape(ISSUE_GLYPHS[c])}</span>", tr(f"map.issue_{c}", lang))
              for c in ISSUE_CLASSES if c != "rectified"]
    issues.append(_li(_ring(3, 1), tr("mapview.legend_open", lang)))
    if aggregated:
        issues.append(_li(_ring(12, 4, cell=True), tr("mapview.legend_aggregated", lang)))
    issues.append(_li(f'<span class="gt-issue gt-{ISSUE_SHAPES["rectified"]}" '
                      f'style="--c:{ISSUE_COLORS["rectified"]}">'
                      f'{escape(ISSUE_GLYPHS["rectified"])}</span>',
                      tr("mapview.legend_rectified", lang)))
    other = [_li(_line(OUTLINE_COLOR, 3, None), tr("map.outline", lang))]
    for depth in nested_depths:
        color, weight, dash = LEVEL_STYLES[min(depth, len(LEVEL_STYLES)) - 1]
        other.append(_li(_line(color, weight, dash), level_names[depth]))
    other.append(_li(_hatch(), tr("map.blindspots", lang)))
    heat = []
    if heat_breaks:
        uppers = [b - 1 for b in heat_breaks[1:]] + [None]
        for color, lo, hi in zip(HEAT_COLORS, heat_breaks, uppers, strict=False):
            label = str(lo) if hi == lo else (f"{lo}+" if hi is None else f"{lo}–{hi}")
            heat.append(_li(f'<span class="gt-shape" style="--c:{color};border-radius:0"></span>',
                            label))
    parts = [
        (f'<div class="gt-panel gt-legend" id="gt-legend" {dock_attrs("left", "legend", lang)}>'
         f'<p class="gt-head">{escape(tr("map.legend", lang))}</p>'),
        f"<h2>{escape(tr('map.legend_features', lang))}</h2><ul>{''.join(feats)}</ul>",
        f"<h2>{escape(tr('map.open_issues', lang))}</h2><ul>{''.join(issues)}</ul>",
        f"<h2>{escape(tr('map.legend_other', lang))}</h2><ul>{''.join(other)}</ul>",
    ]
    if heat:
        parts.append(f"<h2>{escape(tr('map.heat', lang))} · "
                     f"{escape(tr('map.heat_legend', lang, size=int(heat_cell_m)))}</h2>"
                     f"<ul>{''.join(heat)}</ul>")
    parts.append(f"{extra_html}</div>")
    return "".join(parts)
