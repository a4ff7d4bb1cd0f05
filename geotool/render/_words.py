"""The maps' own words in Chinese (default) and English.

Column headers and status words come from :mod:`geotool.i18n`; these are
the words only the maps use. Values are plain text: callers escape them.
"""

from __future__ import annotations

from geotool.i18n import header, status_label

__all__ = ["header", "level_name", "status_label", "w"]

_WORDS: dict[str, tuple[str, str]] = {
    "map_title": ("{city}{district} 创文覆盖作战图", "{city} {district}: coverage map"),
    "index_title": ("{city} 创文覆盖总览", "{city}: coverage overview"),
    "as_of": ("分析日期", "As of"),
    "window": ("巡查时间窗 {days} 天", "inspection window {days} days"),
    "coverage_rate": ("台账点位覆盖率", "Coverage rate"),
    "open_issues": ("未销号问题", "Open issues"),
    "overdue_issues": ("其中超期", "of them overdue"),
    "blindspot_share": ("盲区占比", "Blind-spot share"),
    "rank": ("排名（倒数）", "Rank (1 = worst)"),
    "rank_value": ("{rank} / {n}", "{rank} of {n}"),
    "red_flag": ("红旗", "red flag"),
    "blue_flag": ("蓝旗", "blue flag"),
    "back": ("← 返回总览", "← back to overview"),
    "legend": ("图例", "Legend"),
    "legend_features": ("台账点位（线、面、点）", "Ledger features (lines, areas, points)"),
    "legend_issues": ("问题（聚合显示，数字为个数）", "Issues (clustered, number = count)"),
    "legend_other": ("其他", "Other"),
    "outline": ("区界", "District boundary"),
    "blindspots": ("盲区（时间窗内无记录覆盖）", "Blind spots (no record in the window)"),
    "blindspot": ("盲区", "Blind spot"),
    "issues": ("问题", "Issues"),
    "heat": ("未销号问题密度", "Open-issue density"),
    "heat_cell": ("每格未销号问题 {n} 个", "{n} open issue(s) in this cell"),
    "heat_hint": ("（默认隐藏，可在图层中打开）", "(hidden by default; switch on in layers)"),
    "heat_legend": ("每格（{size}米）未销号问题数", "open issues per {size} m cell"),
    "state_covered": ("近期已巡查", "covered (inspected in window)"),
    "state_forgotten": ("遗忘场所（时间窗内无人巡查）", "forgotten (no record in window)"),
    "state_open": ("有未销号问题", "has open issues"),
    "state_recurring": ("问题反弹", "recurring problem"),
    "issue_open": ("未整改 / 整改中", "open / rectifying"),
    "issue_overdue": ("超期未整改", "overdue"),
    "issue_rectified": ("已整改 / 已销号", "rectified / closed"),
    "state": ("状态", "State"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "never": ("无记录", "never"),
    "area_km2": ("{v:.2f} 平方公里", "{v:.2f} km²"),
    "area_m2": ("{v:,.0f} 平方米", "{v:,.0f} m²"),
    "percent": ("{v:.1f}%", "{v:.1f}%"),
    "count": ("{v:,d}", "{v:,d}"),
    "open_map": ("打开地图", "open map"),
    "no_map": ("（本次未生成）", "(not rendered this run)"),
    "ranking": ("各区排名（由好到差）", "District ranking (best to worst)"),
    "flag": ("红黑榜", "Flag"),
    "overview_layer": ("各区得分", "District scores"),
    "score_legend": ("得分（越高越好）", "Score (higher is better)"),
    "district_name": ("区", "District"),
    "recurring_issue": ("反弹问题", "recurring issue"),
    "level_1": ("街道/乡镇", "Streets / towns"),
    "level_2": ("社区/村", "Communities / villages"),
    "level_3": ("网格", "Grid cells"),
    "level_n": ("第{n}级区划", "Level {n} areas"),
    "no_tiles": ("无底图", "no base map"),
    "tiles_note": ("底图", "Base map"),
    "features_inside": ("盲区内台账点位", "Ledger features inside"),
}


def w(key: str, lang: str = "zh", **kwargs: object) -> str:
    """The map word ``key`` in ``lang``, formatted with ``kwargs``.

    Examples
    --------
    >>> w("rank_value", "en", rank=1, n=4)
    '1 of 4'
    """
    zh, en = _WORDS[key]
    return (en if lang == "en" else zh).format(**kwargs)


def level_name(depth: int, lang: str = "zh") -> str:
    """Name of the areas ``depth`` levels below a district (1 = streets).

    Examples
    --------
    >>> level_name(1), level_name(5, "en")
    ('街道/乡镇', 'Level 5 areas')
    """
    if 1 <= depth <= 3:
        return w(f"level_{depth}", lang)
    return w("level_n", lang, n=depth)
