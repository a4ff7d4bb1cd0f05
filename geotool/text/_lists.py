"""Words of the units' workbooks (``lists.``) and the new city-workbook columns (``header.``)."""

from __future__ import annotations

LISTS: dict[str, tuple[str, str]] = {
    # ---- the list of records and places that name no responsible unit ----
    "lists.no_unit": ("未填写责任单位（由创文办分派）", "No responsible unit (for the campaign office)"),
    "lists.no_unit_file": ("未填写责任单位", "no-unit"),
    # ---- a unit's workbook ----
    "lists.title": ("{city}创文责任清单：{unit}", "{city} campaign work list: {unit}"),
    "lists.as_of": ("分析日期 {as_of}", "as of {as_of}"),
    "lists.as_of_label": ("分析日期", "As of"),
    "lists.rank_label": ("在 {n} 个责任单位中排名（倒数）", "Rank among {n} units (1 = worst)"),
    "lists.sheet_issues": ("未销号问题", "Open issues"),
    "lists.sheet_places": ("遗忘场所", "Forgotten places"),
    "lists.sheet_recurring": ("反弹点位", "Recurring places"),
    "lists.sheet_cover": ("责任单位排名", "Units ranked"),
    "lists.cover_title": ("{city}创文责任清单汇总（问题最多的单位在前）",
                          "{city} campaign work lists (worst unit first)"),
    "lists.file": ("清单文件", "Workbook"),
    "lists.written": ("{n} 个责任单位清单已写入 {path}", "{n} unit workbook(s) written to {path}"),
    "lists.window": ("巡查时间窗 {days} 天", "inspection window {days} days"),
    # ---- sheet names of the city workbook ----
    "sheet.ranking_level": ("{level}排名", "{level} ranked"),
    "sheet.level_0": ("区县", "Districts"),
    # ---- column headers ----
    "header.district_name": ("所属区", "District"),
    "header.district_code": ("区划代码", "District code"),
    "header.street_name": ("街道/乡镇", "Street / town"),
    "header.community_name": ("社区/村", "Community / village"),
    "header.district_path_names": ("区划路径", "District path"),
    "header.district_path_codes": ("区划路径代码", "District path codes"),
    "header.parent_name": ("上级区划", "Parent area"),
    "header.days_overdue": ("超期天数", "Days overdue"),
    "header.place": ("关联点位名称", "Places"),
    "header.days_since": ("距上次巡查天数", "Days since inspected"),
    "header.recurrences": ("反弹次数", "Recurrences"),
    "header.last_recurrence": ("最近反弹时间", "Last recurrence"),
    "header.forgotten_places": ("遗忘场所数", "Forgotten places"),
    "header.max_days_overdue": ("最长超期天数", "Most days overdue"),
    "header.recurring_places": ("反弹点位数", "Recurring places"),
    "header.centre_lon": ("中心经度(WGS-84)", "Centre longitude (WGS-84)"),
    "header.centre_lat": ("中心纬度(WGS-84)", "Centre latitude (WGS-84)"),
    "header.centre_lon_gcj02": ("中心经度(GCJ-02，高德/腾讯)", "Centre longitude (GCJ-02, AMap)"),
    "header.centre_lat_gcj02": ("中心纬度(GCJ-02，高德/腾讯)", "Centre latitude (GCJ-02, AMap)"),
    "header.feature_names_inside": ("盲区内点位名称", "Places inside"),
    "header.layer_key": ("图层代码", "Layer key"),
}
