"""Record column vocabulary: the header words planners use, mapped to canonical columns."""

from __future__ import annotations

import unicodedata

from geotool.schema import RECORD_CANONICAL

#: Canonical record columns, in output order (declared in :mod:`geotool.schema`).
CANONICAL_COLUMNS = RECORD_CANONICAL


#: Header text (NFKC, lower case, no spaces) -> canonical column.
COLUMN_ALIASES: dict[str, str] = {
    **{c: c for c in CANONICAL_COLUMNS},
    "updated_at": "updated_at", "lonlat": "lonlat",
    "问题编号": "record_id", "记录编号": "record_id", "编号": "record_id", "工单编号": "record_id",
    "案件编号": "record_id", "id": "record_id",
    "记录类型": "kind", "类型": "kind", "记录类别": "kind", "类别": "kind",
    "发现时间": "found_at", "发现日期": "found_at", "巡查时间": "found_at", "打卡时间": "found_at",
    "检查时间": "found_at", "上报时间": "found_at", "时间": "found_at", "日期": "found_at",
    "经度": "lon", "lng": "lon", "longitude": "lon", "x坐标": "lon",
    "纬度": "lat", "latitude": "lat", "y坐标": "lat",
    "经纬度": "lonlat", "坐标": "lonlat", "位置坐标": "lonlat", "经度,纬度": "lonlat",
    "经度，纬度": "lonlat",
    "点位编号": "feature_id", "台账编号": "feature_id", "设施编号": "feature_id",
    "场所编号": "feature_id", "点位id": "feature_id",
    "点位名称": "feature_name", "场所名称": "feature_name", "地点": "feature_name",
    "点位": "feature_name",
    "问题类型": "category", "问题类别": "category", "问题分类": "category",
    "问题描述": "description", "描述": "description", "情况说明": "description",
    "问题详情": "description", "备注": "description",
    "来源": "source", "问题来源": "source", "发现途径": "source",
    "责任单位": "unit", "整改单位": "unit", "责任部门": "unit",
    "整改时限": "deadline", "整改期限": "deadline", "限期": "deadline", "整改截止时间": "deadline",
    "整改状态": "status", "状态": "status", "办理状态": "status", "处理状态": "status",
    "整改完成时间": "rectified_at", "完成时间": "rectified_at",
    "销号时间": "rectified_at",
    "所属区": "district", "所属区县": "district", "区": "district", "所属城区": "district",
    "辖区": "district",
    "更新时间": "updated_at", "状态更新时间": "updated_at",
    # the words of real offices' forms (上报表, 交办单, 台账)
    "上报日期": "found_at", "发现时间(年月日)": "found_at", "交办时间": "found_at",
    "所在区县": "district", "所在区": "district", "所属县区": "district", "区县": "district",
    "县区": "district", "所属县(市、区)": "district",
    "详细地址": "address", "地址": "address", "问题地址": "address", "具体位置": "address",
    "详细位置": "address", "问题位置": "address", "位置": "address", "发现地点": "address",
    "整改责任单位": "unit", "责任主体": "unit", "包保单位": "unit", "牵头单位": "unit",
    "责任单位(部门)": "unit", "主责单位": "unit",
    "整改时间": "deadline", "整改期限(天)": "deadline", "完成时限": "deadline",
    "整改截止日期": "deadline", "限办时间": "deadline",
    "是否整改": "status", "是否整改到位": "status", "是否销号": "status", "处置状态": "status",
    "办结状态": "status", "整改情况": "status", "整改进度": "status",
    "实际完成时间": "rectified_at", "整改完成日期": "rectified_at", "办结时间": "rectified_at",
    "网格员": "reporter", "上报人": "reporter", "巡查人": "reporter", "检查人": "reporter",
    "督查人": "reporter", "发现人": "reporter",
    "联系电话": "phone", "电话": "phone", "手机": "phone", "手机号": "phone",
    "问题类别(六乱)": "category", "问题小类": "category", "问题大类": "category",
    "所在点位": "feature_name", "点位(场所)名称": "feature_name",
}


#: Built-in value words of yes/no headers (``[records.values]`` adds to and overrides them).
HEADER_VALUES: dict[str, dict[str, str]] = {
    "是否整改": {"是": "rectified", "否": "open"},
    "是否整改到位": {"是": "rectified", "否": "open"},
    "是否销号": {"是": "closed", "否": "open"},
}


def _key(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


def canonical_column(header: object, extra: dict[str, str] | None = None) -> str | None:
    """Canonical name for a header cell, or ``None`` when it is not recognised.

    Examples
    --------
    >>> canonical_column("经度"), canonical_column(" 发现时间 "), canonical_column("照片")
    ('lon', 'found_at', None)
    """
    key = _key(header)
    if extra:
        for raw, canon in extra.items():
            if _key(raw) == key:
                return canon
    return COLUMN_ALIASES.get(key)
