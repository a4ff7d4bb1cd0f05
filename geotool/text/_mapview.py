"""Words of the map views (``mapview.``): panel buttons, honest issue counts, built-in layer names."""

from __future__ import annotations

MAPVIEW: dict[str, tuple[str, str]] = {
    # ---- panels (buttons on phones) ----
    "mapview.panel_title": ("概况", "Summary"),
    "mapview.panel_legend": ("图例", "Legend"),
    "mapview.panel_layers": ("图层", "Layers"),
    "mapview.panel_ranking": ("排名", "Ranking"),
    "mapview.close": ("关闭", "Close"),
}
