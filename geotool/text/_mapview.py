"""Words of the map views (``mapview.``): panel buttons, honest issue counts, built-in layer names."""

from __future__ import annotations

MAPVIEW: dict[str, tuple[str, str]] = {
    # ---- panels (buttons on phones) ----
    "mapview.panel_title": ("概况", "Summary"),
    "mapview.panel_legend": ("图例", "Legend"),
    "mapview.panel_layers": ("图层", "Layers"),
    "mapview.panel_ranking": ("排名", "Ranking"),
    "mapview.close": ("关闭", "Close"),
    "mapview.whole_district": ("全区", "Whole district"),
    # ---- issue layers: open issues counted honestly, rectified ones apart ----
    "mapview.open_layer": ("未销号问题（{n:,d}，其中超期 {overdue:,d}）",
                           "Open issues ({n:,d}, {overdue:,d} overdue)"),
    "mapview.rectified_layer": ("已整改问题（{n:,d}）", "Rectified issues ({n:,d})"),
    "mapview.aggregated": ("·缩小时按 {size} 米网格汇总", "· counted in {size} m cells when zoomed out"),
    "mapview.cells_only": ("·数量多，仅按 {size} 米网格汇总", "· many: counted in {size} m cells only"),
    "mapview.cell_open": ("本格未销号问题 {n} 个，其中超期 {overdue} 个，点击放大",
                          "{n} open issue(s) here, {overdue} overdue; click to zoom in"),
    "mapview.cell_rectified": ("本格已整改问题 {n} 个，点击放大",
                               "{n} rectified issue(s) here; click to zoom in"),
    "mapview.place": ("地点", "Place"),
    "mapview.area": ("街道 / 社区", "Street / community"),
    "mapview.address": ("地址", "Address"),
    "mapview.more_places": (" 等 {n} 处", " and {n} more"),
    "mapview.legend_open": ("未销号问题（数字为个数，红色部分为超期占比）",
                            "Open issues (number = count; red part = share overdue)"),
    "mapview.legend_rectified": ("已整改问题（默认隐藏，可在图层中打开）",
                                 "Rectified issues (hidden at first; switch on in layers)"),
    "mapview.legend_aggregated": ("缩小时按网格汇总，放大到街道后显示每个问题",
                                  "counted in cells when zoomed out; single issues at street zoom"),
}
