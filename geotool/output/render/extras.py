"""Optional overlays of a district map: the evaluation risk and an inspection route.

Each overlay gives :func:`~geotool.output.render.district_map.district_map`
its layers (``(DataLayer, plain name)`` pairs) and a fragment of the title
panel (escaped HTML). They are built from a
:class:`~geotool.analysis.risk.RiskResult` and a
:class:`~geotool.analysis.route.Route`; every text from the data is plain
text in JSON (``map.js`` shows it with ``textContent``) or escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from geotool.crs import GCJ02, wgs84_to_gcj02
from geotool.output.render import _format as fmt
from geotool.output.render._display import display_geoms, feature_collection, script_json
from geotool.output.render._elements import DataLayer
from geotool.output.render.panels import legend_item
from geotool.text import header, paren, tr

if TYPE_CHECKING:  # only annotations: the overlays are built by the commands that ran them
    from geotool.analysis.risk import RiskResult
    from geotool.analysis.route import Route

__all__ = ["TOP_FIX", "RiskOverlay", "RouteOverlay"]

#: Places to fix first listed in the title panel.
TOP_FIX = 10
_RISK_STYLES: list[dict] = [  # saving when fixed: high, middle, low (colour and shape both differ)
    {"key": "high", "color": "#b2182b", "dash": None, "weight": 5, "shape": "diamond",
     "hollow": False},
    {"key": "mid", "color": "#ef8a62", "dash": "6 3", "weight": 4, "shape": "square",
     "hollow": False},
    {"key": "low", "color": "#fddbc7", "dash": "2 3", "weight": 3, "shape": "circle",
     "hollow": True},
]
ROUTE_COLOR = "#6a3d9a"


def _in(frame: gpd.GeoDataFrame, district_id: str) -> np.ndarray:
    return (frame["district"].astype("string").fillna("") == district_id).to_numpy()


@dataclass
class RiskOverlay:
    """The "测评风险" layer and the top places to fix, from a RiskResult."""

    risk: RiskResult

    def _to_fix(self, district_id: str) -> gpd.GeoDataFrame:
        """The district's places whose fixing saves points, in the risk result's order."""
        places = self.risk.places
        return places[_in(places, district_id) & (places["drop_if_fixed"] > 0).to_numpy()]

    def layers(self, district_id: str, *, metric_crs: str | None, datum: str, lang: str
               ) -> list[tuple[DataLayer, str]]:
        """Places whose fixing saves points, styled by the saving (largest third first)."""
        part = self._to_fix(district_id)
        drop = part["drop_if_fixed"].to_numpy()
        cuts = np.quantile(drop, [1 / 3, 2 / 3]) if len(drop) else np.zeros(2)
        cls = np.where(drop >= cuts[1], 0, np.where(drop >= cuts[0], 1, 2))
        cols = ["feature_id", "layer", "open_issues", "p_drawn", "p_fail", "expected_loss",
                "drop_if_fixed"]
        fields = [header(c, lang) for c in cols]
        props = [{"n": fmt.text(r["name"]) or fmt.text(r["feature_id"]), "s": int(c), "v": [
            fmt.text(r["feature_id"]), fmt.text(r["layer"]), fmt.count(r["open_issues"], lang),
            f"{float(r['p_drawn']):.3f}", f"{float(r['p_fail']):.3f}",
            f"{float(r['expected_loss']):.3f}", f"{float(r['drop_if_fixed']):.3f}"]}
            for c, (_, r) in zip(cls, part.iterrows(), strict=True)]
        geoms = display_geoms(part, metric_crs, datum=datum)
        label = paren(tr("risk.layer", lang), f"{len(part):,d}", lang)
        layer = DataLayer("features", feature_collection(geoms, props),
                          {"fields": fields, "styles": _RISK_STYLES}, name=label, show=False)
        return [(layer, label)]

    def legend(self, *, lang: str) -> str:
        """The layer's legend section: its three classes of saving, drawn as on the map."""
        items = "".join(legend_item(s["color"], s["weight"], s["dash"], s["shape"], s["hollow"],
                                    tr(f"risk.legend_{s['key']}", lang)) for s in _RISK_STYLES)
        return f"<h2>{escape(tr('risk.layer', lang))}</h2><ul>{items}</ul>"

    def panel(self, district_id: str, *, lang: str) -> str:
        """Expected points lost and the top places to fix, as escaped HTML."""
        rows = self.risk.districts
        row = rows[rows["district_id"].astype(str) == district_id]
        best = self._to_fix(district_id)
        items = "".join(f"<li>{escape(fmt.text(r['name']) or fmt.text(r['feature_id']))} "
                        f"<b>{float(r['drop_if_fixed']):.3f}</b></li>"
                        for _, r in best.head(TOP_FIX).iterrows())
        loss = (f"<dt>{escape(tr('risk.expected_loss', lang))}</dt>"
                f"<dd>{float(row['expected_loss'].iloc[0]):.2f}</dd>" if len(row) else "")
        return (f'<div class="gt-risk"><dl>{loss}</dl>'
                f"<h2>{escape(tr('risk.top_fix', lang))}</h2><ol>{items}</ol></div>")


@dataclass
class RouteOverlay:
    """An inspection route: the line and numbered stops."""

    route: Route

    def layers(self, district_id: str, *, metric_crs: str | None, datum: str, lang: str
               ) -> list[tuple[DataLayer, str]]:
        """One layer: the route line and a numbered marker at every stop."""
        stops = self.route.stops
        lon, lat = stops["lon"].to_numpy(), stops["lat"].to_numpy()
        if datum == GCJ02:
            lon, lat = wgs84_to_gcj02(lon, lat)
        line = [[round(float(y), 6), round(float(x), 6)] for x, y in zip(lon, lat, strict=True)]
        names = [fmt.text(n) or tr("route.start", lang) for n in stops["name"]]
        order = stops["order"].to_numpy()
        last = len(stops) - 1 if self.route.closed and len(stops) > 1 else len(stops)
        marks = [[line[i][0], line[i][1], int(order[i]), f"{int(order[i])}. {names[i]}"]
                 for i in range(last)]
        label = tr("route.layer", lang)
        data = script_json({"line": line, "stops": marks})
        return [(DataLayer("stops", data, {"color": ROUTE_COLOR}, name=label), label)]

    def legend(self, *, lang: str) -> str:
        """No legend section: the route's line and numbered stops explain themselves."""
        return ""

    def panel(self, district_id: str, *, lang: str) -> str:
        """The route's length and number of stops."""
        n = int((self.route.stops["order"] > 0).sum())
        text = tr("route.summary", lang, district=self.route.district_name, n=n,
                  km=self.route.total_km)
        return f'<div class="gt-route">{escape(text)}</div>'
