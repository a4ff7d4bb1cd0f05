"""Static PNG of a district map (matplotlib, Agg backend, no browser).

For printing and for messages to leadership: the district, its nested
areas, the ledger features styled by state, the hatched blind spots and the
issues, with a title and a legend, drawn in the analysis' metric CRS (true
shapes; no base map). Chinese text needs a CJK font: the first installed of
:data:`CJK_FONTS` is used; without one the map is still written (Chinese
glyphs show as boxes) and one warning says which package to install.
"""

from __future__ import annotations

import functools
import io
import warnings
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from geotool.output.render import _format as fmt
from geotool.output.render._mpl_text import literal_text
from geotool.output.render._payloads import select_district
from geotool.output.render.style import (
    BLIND_COLOR,
    FEATURE_STATES,
    ISSUE_CLASSES,
    ISSUE_COLORS,
    LEVEL_STYLES,
    OUTLINE_COLOR,
    feature_states,
    issue_classes,
)
from geotool.text import tr

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.typing import LineStyleType, RcKeyType

__all__ = ["CJK_FONTS", "SLIDE_DPI", "SLIDE_INCHES", "cjk_font", "district_png"]

#: CJK font families tried in order.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "Noto Serif CJK SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Heiti SC", "Arial Unicode MS")
_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}
_ISSUE_MARKERS = {"open": "o", "overdue": "s", "rectified": "o"}
_ISSUE_SIZES = {"open": 12, "overdue": 12, "rectified": 5}
_ISSUE_Z = {"rectified": 6, "open": 7, "overdue": 8}
_WARNED: set[str] = set()  # the warnings already given in this process


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or ``None``."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _dash(dash: str | None) -> LineStyleType:
    if not dash:
        return "solid"
    return (0, tuple(float(v) / 2 for v in dash.split()))


def _draw_features(ax, feats: gpd.GeoDataFrame) -> None:
    if feats.empty:
        return
    states = feature_states(feats)
    kinds = feats.geom_type.to_numpy()
    for idx, style in enumerate(FEATURE_STATES):
        sel = states == idx
        areas = feats[sel & np.isin(kinds, ["Polygon", "MultiPolygon"])]
        lines = feats[sel & np.isin(kinds, ["LineString", "MultiLineString"])]
        points = feats[sel & np.isin(kinds, ["Point", "MultiPoint"])]
        if not areas.empty:
            areas.plot(ax=ax, facecolor=style.color, alpha=0.25, edgecolor="none")
            areas.boundary.plot(ax=ax, color=style.color, linewidth=1.2,
                                linestyle=_dash(style.dash))
        if not lines.empty:
            lines.plot(ax=ax, color=style.color, linewidth=style.weight / 2,
                       linestyle=_dash(style.dash))
        if not points.empty:
            points.plot(ax=ax, marker=_MARKERS[style.shape], markersize=28,
                        facecolor="white" if style.hollow else style.color,
                        edgecolor=style.color if style.hollow else "#222222", linewidth=1.0,
                        zorder=5)


def _legend_handles(lang: str) -> list[Artist]:
    handles: list[Artist] = [
        Line2D([], [], color=s.color, linewidth=s.weight / 2, linestyle=_dash(s.dash),
               marker=_MARKERS[s.shape], markerfacecolor="white" if s.hollow else s.color,
               label=tr(f"map.state_{s.key}", lang)) for s in FEATURE_STATES]
    handles += [Line2D([], [], linestyle="none", marker=_ISSUE_MARKERS[c], color=ISSUE_COLORS[c],
                       markeredgecolor="#222222", label=tr(f"map.issue_{c}", lang))
                for c in ISSUE_CLASSES]
    handles.append(Patch(facecolor="none", edgecolor=BLIND_COLOR, hatch="///",
                         label=tr("map.blindspots", lang)))
    return handles


#: Slide size: 12.8 × 7.2 inches at 150 dpi = 1920 × 1080 pixels (16:9).
SLIDE_INCHES = (12.8, 7.2)
SLIDE_DPI = 150


def _halo():
    from matplotlib import patheffects  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn

    return [patheffects.withStroke(linewidth=3, foreground="white")]


def _nice_length(span_m: float) -> float:
    """A round scale-bar length near a fifth of ``span_m`` (metres).

    Examples
    --------
    >>> _nice_length(10_000), _nice_length(900)
    (2000.0, 100.0)
    """
    raw = max(span_m / 5.0, 1.0)
    mag = 10 ** np.floor(np.log10(raw))
    for step in (5, 2, 1):
        if step * mag <= raw:
            return float(step * mag)
    return float(mag)


def _scale_and_north(ax, lang: str) -> None:
    """A scale bar (bottom left) and a north arrow (top right) on a metric axes."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    ax.add_patch(Rectangle((bx, by), length / 2, h, facecolor="black", edgecolor="black",
                           zorder=20))
    ax.add_patch(Rectangle((bx + length / 2, by), length / 2, h, facecolor="white",
                           edgecolor="black", zorder=20))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + 2.2 * h, label, ha="center", va="bottom", fontsize=12,
            zorder=21, path_effects=_halo())
    ax.annotate(tr("mapview.north", lang), xy=(0.95, 0.95), xytext=(0.95, 0.84),
                xycoords="axes fraction", ha="center", va="center", fontsize=14,
                fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2},
                zorder=21)


def _labels(ax, data, crs) -> None:
    """Street (bold) and community names at a point inside each area."""
    for depth in sorted(data.nested)[:2]:
        areas = data.nested[depth]
        named = areas[areas["name"].astype("string").fillna("") != ""]
        if named.empty:
            continue
        pts = named.geometry.representative_point().to_crs(crs)
        for x, y, name in zip(pts.x, pts.y, named["name"].astype(str), strict=True):
            ax.text(x, y, name, ha="center", va="center", zorder=15,
                    fontsize=13 if depth == 1 else 9, fontweight="bold" if depth == 1 else None,
                    color="#222222" if depth == 1 else "#555555", path_effects=_halo())


def district_png(result, district_id: str, *, lang: str = "zh", dpi: int = SLIDE_DPI) -> bytes:
    """Draw one top-level district as a PNG image.

    Parameters
    ----------
    result : GapResult
    district_id : str
        A top-level district id.
    lang : {"zh", "en"}
    dpi : int
        Resolution (the figure is 12.8 × 7.2 inches: 1920 × 1080 at 150 dpi,
        a 16:9 slide). Street and community names, a scale bar, a north arrow,
        the title panel's figures and the 红旗/蓝旗 flag are drawn.

    Returns
    -------
    bytes
        PNG data.
    """
    font = cjk_font()
    if font is None and "cjk_font" not in _WARNED:
        _WARNED.add("cjk_font")
        warnings.warn("no CJK font found; Chinese text in PNG maps shows as boxes "
                      "(install fonts-noto-cjk)", RuntimeWarning, stacklevel=2)
    data = select_district(result, district_id)
    crs = result.metric_crs or data.outline.estimate_utm_crs()
    rc: dict[RcKeyType, Any] = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
                                "axes.unicode_minus": False, "text.usetex": False}
    fig = Figure(figsize=SLIDE_INCHES, dpi=dpi)
    FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing")
        warnings.filterwarnings("ignore", message=r"findfont")
        import matplotlib as mpl  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn

        with mpl.rc_context(rc):
            ax = fig.add_axes((0.01, 0.02, 0.66, 0.86))
            _draw(ax, data, crs)
            _labels(ax, data, crs)
            _scale_and_north(ax, lang)
            row = data.row
            name = fmt.text(row["name"]) or district_id
            n_level = data.level_counts.get(int(row["level"]), 0)
            # parse_math=False: a "$" in a name is text, never matplotlib mathtext
            fig.suptitle(tr("map.map_title", lang, city=result.city, district=name), x=0.02,
                         ha="left", fontsize=15, fontweight="bold", parse_math=False)
            facts = [
                f"{tr('map.as_of', lang)}: {fmt.date(result.as_of)}",
                f"{tr('map.coverage_rate', lang)}: {fmt.pct(row['coverage_rate'], lang)}",
                f"{tr('map.open_issues', lang)}: {fmt.count(row['open_issues'], lang)}",
                f"{tr('map.overdue_issues', lang)}: {fmt.count(row['overdue_issues'], lang)}",
                f"{tr('map.blindspot_share', lang)}: {fmt.pct(row['blindspot_share'], lang)}",
                f"{tr('map.rank', lang)}: "
                f"{tr('map.rank_value', lang, rank=int(row['rank']), n=n_level)}",
            ]
            fig.text(0.74, 0.86, "\n".join(facts), va="top", fontsize=10, linespacing=1.6,
                     parse_math=False)
            legend = fig.legend(handles=_legend_handles(lang), loc="lower left",
                                bbox_to_anchor=(0.73, 0.04), fontsize=8,
                                title=tr("map.legend", lang), frameon=False)
            for text in [*legend.get_texts(), legend.get_title()]:
                text.set_parse_math(False)
            buf = io.BytesIO()
            literal_text(fig).savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _draw(ax, data, crs) -> None:
    ax.set_axis_off()
    outline = data.outline.to_crs(crs)
    outline.plot(ax=ax, facecolor="#f7f5f0", edgecolor="none")
    for depth, areas in data.nested.items():
        color, weight, dash = LEVEL_STYLES[min(depth, len(LEVEL_STYLES)) - 1]
        areas.to_crs(crs).boundary.plot(ax=ax, color=color, linewidth=weight / 1.5,
                                        linestyle=_dash(dash))
    if not data.blindspots.empty:
        data.blindspots.to_crs(crs).plot(ax=ax, facecolor="none", edgecolor=BLIND_COLOR,
                                         hatch="///", linewidth=0.6, alpha=0.7)
    _draw_features(ax, data.features.to_crs(crs))
    issues = data.issues[~(data.issues.geometry.isna() | data.issues.geometry.is_empty)]
    if not issues.empty:
        pts = issues.to_crs(crs)
        cls = issue_classes(pts)
        for idx, key in enumerate(ISSUE_CLASSES):
            sel = pts[cls == idx]
            if not sel.empty:  # open issues over rectified ones, overdue on top
                sel.plot(ax=ax, marker=_ISSUE_MARKERS[key], markersize=_ISSUE_SIZES[key],
                         color=ISSUE_COLORS[key], edgecolor="#222222", linewidth=0.3,
                         zorder=_ISSUE_Z[key])
    outline.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=2.0, zorder=9)
    x0, y0, x1, y1 = outline.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
