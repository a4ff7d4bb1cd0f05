"""Static PNG of the overview: districts by score beside the ranking, a 1920×1080 slide."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geotool.output.render import _format as fmt
from geotool.output.render._mpl_text import literal_text
from geotool.output.render.overview import top_districts
from geotool.output.render.png import SLIDE_DPI, SLIDE_INCHES, _halo, _scale_and_north, cjk_font
from geotool.output.render.style import score_color
from geotool.text import header, tr

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["overview_png"]


def overview_png(result, *, lang: str = "zh", dpi: int = SLIDE_DPI) -> bytes:
    """The overview as a slide: districts coloured by score, the ranking with flags.

    Parameters
    ----------
    result : GapResult
    lang : {"zh", "en"}
    dpi : int
        150 gives 1920 × 1080 pixels.

    Returns
    -------
    bytes
        PNG data.
    """
    import matplotlib as mpl  # noqa: PLC0415 - matplotlib is heavy: loaded only when a PNG is drawn

    font = cjk_font()
    top = top_districts(result)
    crs = result.metric_crs or top.estimate_utm_crs()
    shapes = top.to_crs(crs)
    n = len(top)
    fig = Figure(figsize=SLIDE_INCHES, dpi=dpi)
    FigureCanvasAgg(fig)
    rc: dict[RcKeyType, Any] = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
                                "axes.unicode_minus": False}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing")
        warnings.filterwarnings("ignore", message=r"findfont")
        with mpl.rc_context(rc):
            ax = fig.add_axes((0.01, 0.02, 0.50, 0.86))
            ax.set_axis_off()
            shapes.plot(ax=ax, color=[score_color(s) for s in shapes["score"]],
                        edgecolor="#222222", linewidth=1.5)
            pts = shapes.geometry.representative_point()
            for x, y, name, score in zip(pts.x, pts.y, shapes["name"].astype(str),
                                         shapes["score"], strict=True):
                ax.text(x, y, f"{name}\n{float(score):.1f}", ha="center", va="center",
                        fontsize=14, fontweight="bold", path_effects=_halo())
            ax.set_aspect("equal")
            _scale_and_north(ax, lang)
            fig.suptitle(tr("map.index_title", lang, city=result.city), x=0.02, ha="left",
                         fontsize=22, fontweight="bold")
            fig.text(0.02, 0.91, f"{tr('map.as_of', lang)}: {fmt.date(result.as_of)}",
                     fontsize=13)
            ranked = top.sort_values(["rank", "district_id"], ascending=[False, True])
            cols = ["score", "coverage_rate", "open_issues", "overdue_issues",
                    "blindspot_share"]
            rows = []
            for _, r in ranked.iterrows():  # one row per top-level district (a handful)
                rank = int(r["rank"])
                flag = (tr("map.red_flag", lang) if n > 1 and rank == n else
                        tr("map.blue_flag", lang) if n > 1 and rank == 1 else "")
                rows.append([flag, fmt.text(r["name"]) or str(r["district_id"]),
                             f"{float(r['score']):.1f}", fmt.pct(r["coverage_rate"], lang),
                             fmt.count(r["open_issues"], lang),
                             fmt.count(r["overdue_issues"], lang),
                             fmt.pct(r["blindspot_share"], lang)])
            tax = fig.add_axes((0.53, 0.10, 0.43, 0.74))
            tax.set_axis_off()
            tax.set_title(tr("map.ranking", lang), loc="left", fontsize=16, fontweight="bold")
            table = tax.table(cellText=rows, loc="upper left",
                              colLabels=[tr("map.flag", lang), tr("map.district_name", lang)]
                              + [header(c, lang) for c in cols], cellLoc="center")
            table.auto_set_font_size(False)
            table.set_fontsize(12)
            table.scale(0.96, 2.2)
            for (i, j), cell in table.get_celld().items():
                if i > 0 and j == 0 and rows[i - 1][0]:
                    red = rows[i - 1][0] == tr("map.red_flag", lang)
                    cell.set_facecolor("#c00000" if red else "#1f4e9c")
                    cell.get_text().set_color("white")
                    cell.get_text().set_fontweight("bold")
            buf = io.BytesIO()
            literal_text(fig).savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
