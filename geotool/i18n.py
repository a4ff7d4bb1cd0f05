"""User-facing words in Chinese (default) and English (``--lang en``).

One table of message keys; :func:`t` looks a key up and formats it. Column
headers of the planner spreadsheets live here too, so every language choice
is made in one place.
"""

from __future__ import annotations

__all__ = ["LANGS", "header", "t"]

LANGS = ("zh", "en")

_MESSAGES: dict[str, tuple[str, str]] = {
    "error": ("错误", "error"),
    "workspace": ("工作区", "workspace"),
    "city": ("城市", "city"),
    "districts_layer": ("区划", "districts"),
    "layer": ("台账图层", "ledger layer"),
    "records_file": ("记录文件", "records file"),
    "read_used_q": ("读入 {read}，使用 {used}，隔离 {q}", "read {read}, used {used}, quarantined {q}"),
    "converted": ("坐标已由 {src} 转换为 WGS-84", "coordinates converted from {src} to WGS-84"),
    "total": ("合计", "total"),
    "quarantine_summary": ("隔离原因汇总", "quarantine by reason"),
    "quarantine_written": ("隔离清单已写入 {path}", "quarantined rows written to {path}"),
    "no_quarantine": ("没有被隔离的行", "no row was quarantined"),
    "strict_fail": ("--strict：有 {q} 行被隔离", "--strict: {q} row(s) quarantined"),
    "usable": ("工作区可用", "workspace is usable"),
    "as_of_needed": ("请用 --as-of YYYY-MM-DD 指定分析日期（或在 [defaults] 中设置 as_of）",
                     "give the analysis date with --as-of YYYY-MM-DD (or set as_of in [defaults])"),
    "gaps_written": ("缺口清单已写入 {path}", "gap lists written to {path}"),
    "maps_written": ("地图已写入 {path}", "maps written to {path}"),
    "open_index": ("打开总览图：{path}", "open the overview: {path}"),
    "as_of": ("分析日期", "as of"),
    "window": ("时间窗", "window"),
    "days": ("天", "days"),
    "interrupted": ("已中断", "interrupted"),
    "after_as_of": ("{n} 条记录的发现时间晚于分析日期 {as_of}，本次分析不计入",
                    "{n} record(s) found after the as-of date {as_of} are not counted"),
    "usage_hint": ("用 {prog} -h 查看用法", "see {prog} -h"),
    "as_of_outside": (("注意：分析日期 {as_of} 不在记录的日期范围 {first} 至 {last} 附近，"
                       "请确认日期是否写错"),
                      ("note: the analysis date {as_of} is far from the "
                       "records' dates ({first} to {last}): is it a typo?")),
    "os_error_fix": ("请检查路径是否存在、是否有写入权限、磁盘是否已满",
                     "check that the path exists, is writable and the disk is not full"),
}

#: Spreadsheet/CSV column headers for planners: canonical -> (zh, en).
HEADERS: dict[str, tuple[str, str]] = {
    "layer": ("图层", "Layer"),
    "feature_id": ("编号", "Feature ID"),
    "name": ("名称", "Name"),
    "district": ("所属区", "District"),
    "district_path": ("区划路径", "District path"),
    "unit": ("责任单位", "Unit"),
    "type": ("类型", "Type"),
    "covered": ("近期已巡查", "Covered"),
    "last_touched": ("最近巡查时间", "Last touched"),
    "records_in_window": ("时间窗内记录数", "Records in window"),
    "open_issues": ("未销号问题", "Open issues"),
    "overdue_issues": ("超期问题", "Overdue issues"),
    "recurring": ("反弹", "Recurring"),
    "district_id": ("区划代码", "District ID"),
    "parent": ("上级区划", "Parent"),
    "level": ("层级", "Level"),
    "features": ("台账点位数", "Features"),
    "uncovered": ("未覆盖点位数", "Uncovered"),
    "coverage_rate": ("覆盖率", "Coverage rate"),
    "recurring_features": ("反弹点位数", "Recurring features"),
    "blindspot_area_m2": ("盲区面积(平方米)", "Blind-spot area (m²)"),
    "blindspot_share": ("盲区占比", "Blind-spot share"),
    "area_m2": ("面积(平方米)", "Area (m²)"),
    "score": ("得分", "Score"),
    "rank": ("排名(倒数)", "Rank (worst first)"),
    "record_id": ("问题编号", "Record ID"),
    "feature_ids": ("关联点位", "Features"),
    "layers": ("关联图层", "Layers"),
    "part": ("盲区序号", "Part"),
    "category": ("问题类型", "Category"),
    "description": ("问题描述", "Description"),
    "source": ("来源", "Source"),
    "found_at": ("发现时间", "Found at"),
    "deadline": ("整改时限", "Deadline"),
    "status": ("整改状态", "Status"),
    "rectified_at": ("整改完成时间", "Rectified at"),
    "overdue": ("超期", "Overdue"),
    "days_open": ("已挂账天数", "Days open"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "features_inside": ("盲区内点位数", "Features inside"),
    "uncovered_inside": ("盲区内未覆盖点位", "Uncovered inside"),
    "feature_ids_inside": ("盲区内点位编号", "Feature IDs inside"),
    "uncovered_features": ("未覆盖点位数", "Uncovered features"),
    "file": ("文件", "File"),
    "sheet": ("工作表", "Sheet"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "reason_code": ("原因代码", "Reason code"),
    "reason": ("原因", "Reason"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("未整改", "open"),
    "rectifying": ("整改中", "rectifying"),
    "rectified": ("已整改", "rectified"),
    "closed": ("已销号", "closed"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = "zh", **kwargs: object) -> str:
    """Look up a message in the given language and format it."""
    return _pick(_MESSAGES[key], lang).format(**kwargs)


def header(column: str, lang: str = "zh") -> str:
    """Planner-facing header of a column (the column name itself when unknown)."""
    if column in HEADERS:
        return _pick(HEADERS[column], lang)
    if column.startswith("coverage_rate_"):
        return ("覆盖率-" if lang != "en" else "Coverage rate: ") + column[len("coverage_rate_"):]
    return column


def status_label(status: str, lang: str = "zh") -> str:
    """Planner-facing word for a canonical status."""
    return _pick(STATUS_LABELS[status], lang) if status in STATUS_LABELS else status
