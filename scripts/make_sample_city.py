#!/usr/bin/env python
"""Generate the sample workspace of 示例市, a fictional city, into ``layers/``.

Usage::

    python scripts/make_sample_city.py [--out layers] [--no-verify]

The city
--------
示例市 lies on real ground in eastern Henan around 114.65 E, 33.62 N, inside
an irregular outline of 14 km x 11 km (115.8 km^2). Its 4 districts, 20
streets and 78 communities are built bottom-up: Voronoi cells of jittered
seeds clipped to the outline are the communities (社区, or 村 in the outer
towns); they are rounded to a 1e-6 degree grid and dissolved into streets
(街道 / 镇) and districts, so the nesting is exact (no gaps, no overlaps). A
river-like line splits 河西区 (west) from the east bank; 川东区 is the old core,
高新区 the north and 新城区 the south of the east bank.

Ledgers: 340 back alleys (背街小巷, GeoPackage), 14 markets (Shapefile, GBK
.dbf + .cpg), 264 inspection points of 9 types (测评点位, GeoJSON holding
GCJ-02 coordinates, as a phone app collected them) and 120 old residential
compounds (老旧小区, KML via LIBKML; its ``name`` field is the placemark
<name>, which GDAL reads back as ``Name``). Every ledger name is unique.

Records cover 8 weeks, 2026-09-01 .. 2026-10-26; the demo's as-of date is
2026-10-26. 6,300 issues (问题) are in ``records/issues_2026.xlsx``, 852 later
status changes in ``records/rectification_updates.csv`` (UTF-8 with BOM, with
an ``更新时间`` column) and 14,331 inspection check-ins (巡查 / 打卡) in
``records/inspections_gbk.csv`` (GBK). Record coordinates are GCJ-02 and lie
within 35 m of the feature they inspect; 15 % of the issues are at street
spots more than 60 m from any ledger feature. About 5 % of the rows give only
a ledger id (点位编号) and 2 % only an exact ledger name (点位名称).

The story (measured on the written files by ``verify_story``: window = the
7 days 2026-10-20 .. 2026-10-26; touched = a record within 50 m or naming
the feature; status = the latest update applied; overdue = 整改时限 before
2026-10-26 and still 未整改 / 整改中)
------------------------------------------------------------------------
* 川东区 is inspected every day: 251 of its 252 features were touched in the
  window (the one left is never visited at all); 101 of its 1,510 issues are
  open, 30 overdue.
* 河西区 is average: 194 of 230 features touched in the window, 302 open
  issues (189 overdue). But the 22 ledger alleys of 许庄镇 (411603006) have had
  no record at all since 2026-10-03 09:41 (forgotten places).
* 新城区 is poor: 92 of 135 features touched, 639 open issues (525 overdue),
  and a blind spot of 4.17 km^2 that no record of the window reaches within
  300 m; it contains 5 compounds, 9 inspection points and 3 alleys
  (7.55 km^2 of the district is blind in all, in 13 pieces of >= 1 ha).
* 高新区 has 590 overdue issues, 357 (61 %) of them with 金海街道办事处; its
  markets SC-11, SC-13 and SC-14 each show 2 recurrences: the same 问题类型
  found again 5-14 days after an earlier issue there was rectified (已整改).
  No other market has one.
* 18 ledger features were never visited (7 alleys, 6 points, 4 compounds,
  1 market): 1 in 川东区, 8 in 河西区, 5 in 新城区, 4 in 高新区.
* Volume rises from 1,759 records in week 1 to 3,372 in week 8; a weekday has
  423 records, a weekend day 232; 晨查 runs 06:30 .. 09:30.

Deliberately bad rows (listed with row numbers in ``records/BAD_ROWS.md``;
rows are 1-based data rows, the header row excluded)
-----------------------------------------------------------------------------
issues_2026.xlsx: no coordinates and no feature reference; coordinates in
Beijing (116.397428, 39.90923); longitude and latitude swapped; 0, 0;
发现时间 ``2026-13-45 09:10``; 整改时限 ``下周一``; 整改状态 ``待定``; one
问题编号 twice with the same 发现时间 but different 问题类型 and coordinates;
点位编号 ``BJ-9999`` (no such feature) and no coordinates; 整改完成时间 before
发现时间. inspections_gbk.csv: empty 发现时间; both coordinates in the 经度
cell; a 发现时间 after the as-of date; a 点位名称 that is on no ledger and no
coordinates; 记录类型 ``检查``; coordinates copied from Baidu (BD-09, about
700 m off). rectification_updates.csv: a 问题编号 that is not in the issues;
an 更新时间 before the issue's 发现时间.

Determinism: one ``numpy.random.default_rng(20260901)`` drives everything in a
fixed order; no clock (GeoPackage, DBF and xlsx time stamps are pinned), no
set iteration. Every file is written to a temporary folder beside the target
and moved into place with ``os.replace``.
"""

# The word lists read better as one string each:
# ruff: noqa: SIM905

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook
from pyproj import Transformer
from shapely import affinity

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geotool.crs import gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02

SEED = 20260901
METRIC_CRS = "EPSG:32650"
CENTER_LONLAT = (114.65, 33.62)
CITY_W_M, CITY_H_M = 14000.0, 11000.0
CORE_OFFSET_M = (800.0, 300.0)  # the old core, relative to the city centre
START = pd.Timestamp("2026-09-01")
N_DAYS = 56  # 2026-09-01 .. 2026-10-26
DAY = 1440  # minutes
CUTOFF_MIN = 56 * DAY - 1  # 2026-10-26 23:59, when the ledgers were exported
WINDOW_FROM_MIN = 49 * DAY  # 2026-10-20 00:00, first day of the 7-day window
BLIND_FROM_MIN = 48 * DAY  # 2026-10-19: no record near the blind spot from here
FORGOTTEN_FROM_MIN = 33 * DAY  # 2026-10-04: no record near the forgotten alleys
PINNED_TIME = "2026-10-26T18:00:00Z"
DISTRICTS = [("411602", "川东区"), ("411603", "河西区"), ("411604", "新城区"), ("411605", "高新区")]
D1, D2, D3, D4 = range(4)
STATUSES = ("未整改", "整改中", "已整改", "已销号")
ISSUE_HEADERS = ["问题编号", "记录类型", "发现时间", "经度", "纬度", "点位编号", "点位名称",
                 "问题类型", "问题描述", "来源", "责任单位", "整改时限", "整改状态",
                 "整改完成时间", "所属区"]
INSPECTION_HEADERS = ["记录编号", "记录类型", "发现时间", "经度", "纬度", "点位编号",
                      "点位名称", "来源", "责任单位", "所属区"]

_TO_WGS = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
_TO_UTM = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
CX, CY = _TO_UTM.transform(*CENTER_LONLAT)
CORE = (CX + CORE_OFFSET_M[0], CY + CORE_OFFSET_M[1])

# ---------------------------------------------------------------- word lists
STREET_POOLS = {  # (urban bases -> 街道, town bases -> 镇)
    D1: ("人民路 七一路 陈州 荷花路 文昌 太昊路".split(), "周庄 三里桥".split()),
    D2: ("西关 建设路 八一路 沙河 颍西 城西".split(), "李湾 许庄 大王".split()),
    D3: ("新城 东湖 莲花 黄淮 南环 金鼎".split(), "搬口 华耀 高集".split()),
    D4: ("科创 中州 滨河 金海 北苑 创业".split(), "庄园 双楼 北郊".split()),
}
COMMUNITY_BASES = (
    "东风 光明 和平 新华 建国 解放 育才 文化 健康 幸福 民主 团结 胜利 向阳 红旗 友谊 兴华 "
    "振兴 富强 永安 长青 朝阳 春晖 金桥 银河 西苑 东苑 南苑 花园 滨河 湖滨 锦绣 丽景 康宁 "
    "安居 祥和 瑞丰 华庭 翠园 望湖 新港 龙湖 凤鸣 紫荆 海棠 丁香 牡丹 桂花 梧桐 白杨 青年 "
    "工农 七星 五星 新民 盛世 鑫源 交通 商业 铁路 水利 粮校 医苑 书香 文峰 北关 南关 东关 "
    "大庆 跃进 迎宾 振华 福泽"
).split()
SURNAMES = ("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗 "
            "梁 宋 郑 谢 韩 唐 冯 于 董 萧").split()
VILLAGE_SUFFIXES = "庄 营 楼 寨 湾 店 岗 集".split()
GIVEN_NAMES = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建国 建华 国强 志刚 "
    "红梅 海燕 晓东 春生 卫东 玉兰 振宇 子涵 浩然 新民 德胜 永刚 丽娟 文博"
).split()
ALLEY_PREFIXES = (
    "文昌 建设 人民 八一 七一 工农 交通 育新 车站 新华 莲花 五一 中州 永安 太平 复兴 解放 民主 "
    "和平 光明 同心 富民 兴隆 顺河 沙河 颍河 黄淮 大庆 健康 向阳 红旗 跃进 胜利 迎宾 东关 西关 "
    "南关 北关 城隍庙 关帝庙 火神庙 鼓楼 钟楼 粮坊 油坊 染坊 盐店 铁匠 木匠 竹竿 牛市 马市 猪市 "
    "柴市 菜市 杨树 柳树 槐树 枣树 榆树 桃园 杏园 梨园 棉纺 面粉厂 电厂 糖厂 酒厂 丝厂 刘家 王家 "
    "张家 李家 陈家 杨家 赵家 黄家 周家 吴家"
).split()
ALLEY_SUFFIXES = "巷 胡同 街 路 后街 东巷 西巷 南巷 北巷 一巷 二巷 三巷 小街 南胡同 北胡同".split()
ALLEY_SUFFIX_W = [6, 5, 3, 2, 2, 1.5, 1.5, 1.5, 1.5, 1, 1, 1, 1, 1, 1]
MARKET_NAMES = {
    D1: "华耀城市场 七一路农贸市场 东关菜市场 五一路综合市场".split(),
    D2: "黄淮农贸市场 河西农贸市场 沙河综合市场 建设路菜市场".split(),
    D3: "新城农贸市场 莲花市场".split(),
    D4: "中州农贸市场 金海路综合市场 滨河菜市场 庄园集贸市场".split(),
}
COMPOUND_UNITS = (
    "棉纺厂 化肥厂 面粉厂 供销社 交通局 粮食局 电业局 邮电局 水利局 农机厂 糖厂 酒厂 丝厂 机械厂 "
    "造纸厂 印刷厂 卫校 师专 税务局 财政局 公路段 食品厂 肉联厂 纺织厂 砖瓦厂 运输公司 建筑公司 "
    "物资局 商业局 百货公司 烟草公司 气象局 林业局 法院 检察院 公安局 农业局 教育局 卫生局 "
    "航运公司 木材公司 轴承厂 柴油机厂 啤酒厂 皮革厂 化工厂 制药厂 电机厂 水泥厂 煤建公司 "
    "五金公司 外贸公司 银行 保险公司 电视台 文化馆"
).split()
COMPOUND_ESTATES = (
    "东风 幸福 光明 建业 文昌 金桥 和平 育新 春风 阳光 紫薇 丰收 安康 利民 天成 怡园 "
    "康乐 荣华 昌盛 景秀 宏达 兴业 美景 清华 明珠 惠民 吉祥 金城 银座 汇丰 福星 金穗"
).split()
PARKS = (
    "人民公园 文昌广场 沙河公园 颍河湿地公园 东湖公园 市民广场 体育公园 植物园 滨河公园 "
    "世纪广场 龙湖公园 荷花公园 中州广场 科创广场 新城中央公园 西湖公园 三川广场 伏羲广场 "
    "体育广场 老城墙遗址公园 森林公园 儿童公园 莲花游园 七一游园 黄淮游园"
).split()
HOSPITALS = (
    "示例市人民医院 示例市中心医院 示例市中医院 示例市妇幼保健院 示例市第二人民医院 "
    "川东区人民医院 河西区人民医院 新城区人民医院 高新区人民医院 示例市骨科医院 "
    "示例市眼科医院 示例市口腔医院"
).split()
STATIONS = "示例东站 示例火车站 示例市汽车站 示例市汽车西站 示例市汽车南站 城乡公交枢纽站".split()
CN_NUM = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
SITES = (
    "华府名苑项目工地 高新科技园三期工地 新城中学新建工程工地 莲花湖安置房工地 滨河花园二期工地 "
    "中州大道改造工程工地 金海路排水改造工地 东湖壹号项目工地 黄淮学院新校区工地 "
    "示例东站站前广场工地 "
    "庄园新社区安置房工地 颍河大桥拓宽工程工地"
).split()

ISSUE_TYPES = ("乱搭乱建 乱停乱放 乱贴乱画 乱摆乱卖 乱堆乱倒 飞线充电/杂乱线缆 占道经营 "
               "卫生死角 路面破损 路灯不亮 积水 公益广告缺失 无障碍设施 占用消防通道 "
               "违规遮雨棚 小广告").split()
TYPE_WEIGHTS = {  # which problems each kind of place has
    k: dict(zip(ISSUE_TYPES, w, strict=True)) for k, w in (
        ("alleys", [1, 3, 2, 1, 2, 1.5, 2, 1.5, 1.5, 1.5, 1, 0.3, 0.3, 0.3, 1, 2]),
        ("markets", [0.3, 2, 0.5, 3, 2, 0.5, 3, 3, 0.5, 0.3, 0.5, 1, 0.3, 0.5, 1, 1]),
        ("compounds", [2, 2, 1, 0.3, 2, 3, 0.3, 2, 0.5, 1, 0.5, 0.5, 0.3, 2, 0.5, 1]),
        ("points", [0.3, 2, 1, 0.5, 0.5, 0.3, 0.5, 2, 1, 0.5, 0.5, 2, 2, 0.5, 0.3, 1]),
        ("street", [1, 2, 1, 2, 2, 1, 2, 1.5, 2, 1.5, 1, 0.5, 0.5, 0.3, 1, 1.5]))
}
DEADLINE_DAYS = dict(zip(ISSUE_TYPES, [10, 1, 2, 1, 2, 5, 1, 2, 10, 5, 3, 5, 10, 3, 5, 1],
                         strict=True))
DESCRIPTIONS = {
    "乱搭乱建": ("{p}私搭乱建彩钢棚", "{p}违规加盖简易房"),
    "乱停乱放": ("{p}电动车、自行车乱停乱放", "{p}机动车占用人行道停放"),
    "乱贴乱画": ("{p}墙面乱涂乱画", "{p}电线杆乱贴乱画"),
    "乱摆乱卖": ("{p}流动摊贩乱摆乱卖", "{p}路边摆摊售卖水果蔬菜"),
    "乱堆乱倒": ("{p}建筑垃圾乱堆乱倒", "{p}杂物堆放未清理"),
    "飞线充电/杂乱线缆": ("{p}楼道飞线充电", "{p}通信线缆杂乱下垂"),
    "占道经营": ("{p}商户店外经营占用人行道", "{p}门店出店经营"),
    "卫生死角": ("{p}卫生死角垃圾未清运", "{p}绿化带内垃圾较多"),
    "路面破损": ("{p}路面坑洼破损", "{p}人行道地砖松动破损"),
    "路灯不亮": ("{p}路灯不亮", "{p}多盏路灯损坏未修复"),
    "积水": ("{p}雨后路面积水", "{p}排水不畅造成积水"),
    "公益广告缺失": ("{p}公益广告缺失", "{p}公益广告破损褪色"),
    "无障碍设施": ("{p}盲道被占用", "{p}无障碍坡道缺失"),
    "占用消防通道": ("{p}车辆占用消防通道", "{p}消防通道堆放杂物"),
    "违规遮雨棚": ("{p}商户违规搭设遮雨棚", "{p}遮阳篷破旧影响市容"),
    "小广告": ("{p}小广告张贴严重", "{p}墙面小广告未清理"),
}
ISSUE_SOURCES = (("晨查", "督导", "暗访", "模拟测评", "群众举报"), (0.35, 0.2, 0.15, 0.1, 0.2))
CHECK_SOURCES = (("晨查", "督导", "暗访", "模拟测评"), (0.5, 0.25, 0.1, 0.15))
# per district: p(eventually fixed), delay factor, p(销号 after the fix), issues, check-ins
DISTRICT_PARAMS = {
    D1: {"p_fix": 0.99, "delay": 0.3, "p_close": 0.85, "issues": 1500, "checks": 1.30},
    D2: {"p_fix": 0.88, "delay": 0.9, "p_close": 0.7, "issues": 1600, "checks": 0.42},
    D3: {"p_fix": 0.55, "delay": 1.9, "p_close": 0.4, "issues": 1200, "checks": 0.13},
    D4: {"p_fix": 0.85, "delay": 1.0, "p_close": 0.6, "issues": 2100, "checks": 0.36},
}
HOT_UNIT_PARAMS = {"p_fix": 0.3, "delay": 2.5, "p_close": 0.4}
LAYER_VISIT_FACTOR = {"alleys": 1.0, "markets": 2.0, "points": 0.9, "compounds": 0.7}
LAYER_ISSUE_WEIGHT = {"alleys": 2.0, "markets": 3.0, "points": 1.0, "compounds": 1.5}


# ---------------------------------------------------------------- helpers
def to_wgs(geoms):
    """Reproject shapely geometries from the metric CRS to WGS-84 (lon, lat)."""
    return shapely.transform(geoms, lambda c: np.column_stack(_TO_WGS.transform(c[:, 0], c[:, 1])))


def to_metric(geoms):
    """Reproject shapely geometries from WGS-84 to the metric CRS."""
    return shapely.transform(geoms, lambda c: np.column_stack(_TO_UTM.transform(c[:, 0], c[:, 1])))


def metric_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metric coordinates to GCJ-02 longitude/latitude rounded to 6 decimals."""
    lon, lat = _TO_WGS.transform(np.asarray(x, float), np.asarray(y, float))
    glon, glat = wgs84_to_gcj02(lon, lat)
    return np.round(glon, 6), np.round(glat, 6)


def choice(rng: np.random.Generator, items, weights=None, size=None):
    """rng.choice over a sequence with optional (unnormalised) weights."""
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    idx = rng.choice(len(items), size=size, p=p)
    return items[idx] if size is None else [items[i] for i in idx]


def person_name(rng: np.random.Generator) -> str:
    """A plausible Chinese personal name such as 张伟."""
    return choice(rng, SURNAMES) + choice(rng, GIVEN_NAMES)


def core_weight(x, y, scale_m: float = 3200.0, floor: float = 0.2):
    """Density in (0, 1]: high in the old core, ``floor`` far out."""
    d = np.hypot(np.asarray(x) - CORE[0], np.asarray(y) - CORE[1])
    return floor + (1 - floor) * np.exp(-((d / scale_m) ** 2))


def sample_in(rng: np.random.Generator, region, n: int, weight=None) -> np.ndarray:
    """Rejection-sample ``n`` points (n, 2) inside ``region`` with density ``weight(x, y)``."""
    minx, miny, maxx, maxy = region.bounds
    out = np.empty((0, 2))
    shapely.prepare(region)
    while len(out) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * n), 2))
        keep = shapely.contains_xy(region, xy[:, 0], xy[:, 1])
        if weight is not None:
            keep &= rng.random(len(xy)) < weight(xy[:, 0], xy[:, 1])
        out = np.vstack([out, xy[keep]])
    return out[:n]


# ---------------------------------------------------------------- admin areas
def city_outline(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular closed outline, 14 km x 11 km, centred on the city centre."""
    ang = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    r = np.ones_like(ang)
    for k in range(2, 6):
        r += rng.uniform(0.015, 0.045) * np.cos(k * ang + rng.uniform(0, 2 * np.pi))
    x, y = r * np.cos(ang), r * np.sin(ang)
    x = (x - x.min()) / np.ptp(x) * CITY_W_M - CITY_W_M / 2 + CX
    y = (y - y.min()) / np.ptp(y) * CITY_H_M - CITY_H_M / 2 + CY
    return shapely.Polygon(np.column_stack([x, y]))


def community_seeds(rng: np.random.Generator, outline, spacing_m: float = 1100.0) -> np.ndarray:
    """Jittered-grid seeds inside the outline, thinned out away from the core."""
    minx, miny, maxx, maxy = outline.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, spacing_m), np.arange(miny, maxy, spacing_m))
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + spacing_m / 2
    xy += rng.uniform(-0.35, 0.35, size=xy.shape) * spacing_m
    inside = shapely.contains_xy(outline.buffer(-150), xy[:, 0], xy[:, 1])
    d = np.hypot(xy[:, 0] - CORE[0], xy[:, 1] - CORE[1])
    keep_p = np.clip(1 - (d - 3000) / 8000, 0.5, 1.0)
    return xy[inside & (rng.random(len(xy)) < keep_p)]


def voronoi_cells(seeds: np.ndarray, outline) -> list:
    """Voronoi cells of the seeds clipped to the outline, one Polygon per seed."""
    coll = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=outline.buffer(5000),
                                    ordered=True)
    cells = [shapely.intersection(c, outline) for c in shapely.get_parts(coll)]
    for i, c in enumerate(cells):  # a concave outline can cut a cell in two
        if c.geom_type != "Polygon":
            parts = sorted(shapely.get_parts(c), key=lambda p: -p.area)
            cells[i] = parts[0]
            for stray in parts[1:]:
                j = max((k for k in range(len(cells)) if k != i),
                        key=lambda k: shapely.length(shapely.intersection(cells[k], stray)))
                cells[j] = shapely.union(cells[j], stray)
    return cells


def adjacency(cells: list) -> list[list[int]]:
    """Neighbour lists of polygons that share an edge longer than 5 m."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(cells, predicate="intersects")
    adj: list[list[int]] = [[] for _ in cells]
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j and shapely.length(shapely.intersection(cells[i], cells[j])) > 5:
            adj[i].append(j)
            adj[j].append(i)
    return [sorted(a) for a in adj]


def district_of_xy(x: float, y: float) -> int:
    """District by position: west of the river, the core disk, north or south."""
    dx, dy = x - CX, y - CY
    if dx < -1200 + 500 * np.sin(dy / 2000 + 0.5):
        return D2
    if np.hypot(x - CORE[0], y - CORE[1]) < 3000:
        return D1
    return D4 if (y - CORE[1]) > 0.15 * (x - CORE[0]) else D3


def components(members: list[int], adj: list[list[int]]) -> list[list[int]]:
    """Connected components of ``members`` in the adjacency graph, largest first."""
    todo, comps = set(members), []
    for m in members:
        if m not in todo:
            continue
        comp, stack = [], [m]
        todo.discard(m)
        while stack:
            k = stack.pop()
            comp.append(k)
            for n in adj[k]:
                if n in todo:
                    todo.discard(n)
                    stack.append(n)
        comps.append(sorted(comp))
    return sorted(comps, key=lambda c: (-len(c), c[0]))


def assign_districts(cells: list, adj: list[list[int]]) -> np.ndarray:
    """District index per community, repaired so that every district is contiguous."""
    cent = shapely.centroid(cells)
    dist = np.array([district_of_xy(p.x, p.y) for p in cent])
    for _ in range(10):
        moved = False
        for d in range(4):
            for comp in components(np.flatnonzero(dist == d).tolist(), adj)[1:]:
                for k in comp:
                    border = {}
                    for n in adj[k]:
                        if dist[n] != d:
                            border[dist[n]] = border.get(dist[n], 0) + shapely.length(
                                shapely.intersection(cells[k], cells[n]))
                    dist[k] = max(sorted(border), key=lambda b: border[b])
                    moved = True
        if not moved:
            return dist
    msg = "could not make the districts contiguous"
    raise RuntimeError(msg)


def grow_streets(rng: np.random.Generator, members: list[int], adj, cent: np.ndarray,
                 n_streets: int) -> dict[int, int]:
    """Split a district's communities into contiguous streets of 3-5 communities."""
    for _ in range(500):
        seeds = [members[rng.integers(len(members))]]
        while len(seeds) < n_streets:
            d = np.min([np.hypot(*(cent[members] - cent[s]).T) for s in seeds], axis=0)
            seeds.append(members[int(np.argmax(d))])
        label = {s: k for k, s in enumerate(seeds)}
        size = [1] * n_streets
        while len(label) < len(members):
            grown = False
            for k in sorted(range(n_streets), key=lambda q: (size[q], q)):
                front = sorted({n for m, q in label.items() if q == k for n in adj[m]
                                if n in members and n not in label})
                if front and size[k] < 5:
                    pick = min(front, key=lambda n: np.hypot(*(cent[n] - cent[seeds[k]])))
                    label[pick], size[k], grown = k, size[k] + 1, True
                    break
            if not grown:
                break
        if len(label) == len(members) and min(size) >= 3:
            return label
    msg = f"could not split {len(members)} communities into {n_streets} streets"
    raise RuntimeError(msg)


def round_polygons(geoms_metric) -> np.ndarray:
    """To WGS-84, snapped to a 1e-6 degree grid (stays valid)."""
    return shapely.set_precision(to_wgs(np.asarray(geoms_metric)), 1e-6)


def name_admin(rng, dist, street_of, cent) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes and names of streets and communities; returns (streets, communities)."""
    core_d = np.hypot(cent[:, 0] - CORE[0], cent[:, 1] - CORE[1])
    bases = list(rng.permutation(COMMUNITY_BASES))
    villages = [s + v for s in rng.permutation(SURNAMES) for v in rng.permutation(VILLAGE_SUFFIXES)]
    villages = list(dict.fromkeys(villages))
    streets, comms = [], []
    for d, (dcode, _) in enumerate(DISTRICTS):
        keys = sorted({street_of[i] for i in range(len(dist)) if dist[i] == d})
        mean_d = {k: core_d[street_of == k].mean() for k in keys}
        urban, towns = (list(p) for p in STREET_POOLS[d])
        for s_idx, k in enumerate(sorted(keys, key=lambda q: (mean_d[q], q))):
            is_town = mean_d[k] > 5200 and towns
            sname = towns.pop(0) + "镇" if is_town else urban.pop(0) + "街道"
            scode = f"{dcode}{s_idx + 1:03d}"
            streets.append({"key": k, "code": scode, "name": sname, "parent": dcode, "district": d,
                                "town": bool(is_town)})
            members = sorted((i for i in range(len(dist)) if street_of[i] == k),
                             key=lambda i: (core_d[i], i))
            for c_idx, i in enumerate(members):
                cname = villages.pop(0) + "村" if is_town else bases.pop(0) + "社区"
                comms.append({"idx": i, "code": f"{scode}{c_idx + 1:03d}", "name": cname,
                                  "parent": scode, "district": d, "street": scode})
    return pd.DataFrame(streets), pd.DataFrame(comms).sort_values("idx").reset_index(drop=True)


def build_admin(rng: np.random.Generator) -> dict:
    """Communities, streets and districts (WGS-84, rounded) plus metric copies."""
    outline = city_outline(rng)
    seeds = community_seeds(rng, outline)
    cells = voronoi_cells(seeds, outline)
    adj = adjacency(cells)
    dist = assign_districts(cells, adj)
    cent = shapely.get_coordinates(shapely.centroid(cells))
    street_of = np.zeros(len(cells), int)
    for d in range(4):
        members = np.flatnonzero(dist == d).tolist()
        n_streets = int(np.clip(round(len(members) / 4), 4, 6))
        for i, k in grow_streets(rng, members, adj, cent, n_streets).items():
            street_of[i] = d * 10 + k
    streets, comms = name_admin(rng, dist, street_of, cent)
    comms["geometry"] = round_polygons(cells)
    street_geoms = [shapely.union_all(comms.geometry[comms.street == c].values, grid_size=1e-6)
                    for c in streets.code]
    streets["geometry"] = street_geoms
    dist_geoms = [shapely.union_all(np.array(street_geoms)[streets.district == d], grid_size=1e-6)
                  for d in range(4)]
    districts = pd.DataFrame({"code": [c for c, _ in DISTRICTS], "name": [n for _, n in DISTRICTS],
                                  "parent": None, "district": range(4), "geometry": dist_geoms})
    admin = {"comms": comms, "streets": streets, "districts": districts}
    check_admin(admin)
    for frame in admin.values():
        frame["geom_m"] = to_metric(frame.geometry.values)
    admin["city_m"] = shapely.union_all(admin["districts"].geom_m.values)
    return admin


def check_admin(admin: dict) -> None:
    """Raise unless the nesting is valid, gap-free, overlap-free and single-part."""
    comms, streets, districts = admin["comms"], admin["streets"], admin["districts"]
    allg = np.concatenate([comms.geometry.values, streets.geometry.values,
                           districts.geometry.values])
    problems = []
    if not shapely.is_valid(allg).all():
        problems.append("invalid polygons")
    if (shapely.get_type_id(allg) != 3).any():
        problems.append("multi-part units")
    if not shapely.coverage_is_valid(comms.geometry.values):
        problems.append("communities overlap")
    city = shapely.union_all(districts.geometry.values)
    if shapely.get_num_interior_rings(city) or city.geom_type != "Polygon":
        problems.append("gaps in the city")
    for d in range(4):
        n_st = int((streets.district == d).sum())
        sizes = comms[comms.district == d].groupby("street").size()
        if not (4 <= n_st <= 6 and sizes.between(3, 5).all()):
            problems.append(f"district {d}: {n_st} streets, sizes {sizes.tolist()}")
    if problems:
        raise RuntimeError("; ".join(problems))


def locate(admin: dict, x, y) -> tuple[np.ndarray, np.ndarray]:
    """(district index, street code) of metric points; -1 / '' outside the city."""
    comms = admin["comms"]
    tree = shapely.STRtree(comms.geom_m.values)
    pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
    pi, ci = tree.query(pts, predicate="intersects")
    first = pd.Series(ci).groupby(pi).first()
    d = np.full(len(pts), -1)
    s = np.full(len(pts), "", dtype=object)
    d[first.index] = comms.district.values[first.values]
    s[first.index] = comms.street.values[first.values]
    return d, s


# ---------------------------------------------------------------- ledgers
def blind_zone(admin: dict) -> shapely.Polygon:
    """A disk of 800 m radius deep inside 新城区, where the blind spot will be."""
    d3 = admin["districts"].geom_m[D3]
    minx, miny, maxx, maxy = d3.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, 100.0), np.arange(miny, maxy, 100.0))
    x, y = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(d3, x, y)
    x, y = x[inside], y[inside]
    depth = shapely.distance(shapely.points(x, y), d3.boundary)
    far_d1 = shapely.distance(shapely.points(x, y), admin["districts"].geom_m[D1])
    best = int(np.argmax(np.minimum(depth, 1100) + 0.001 * far_d1))
    zone = shapely.intersection(shapely.Point(x[best], y[best]).buffer(800, 32), d3)
    if zone.area < 1.7e6:
        msg = f"blind zone too small: {zone.area / 1e6:.2f} km2"
        raise RuntimeError(msg)
    return zone


class Placer:
    """Places features without overlaps, each inside one district."""

    def __init__(self, admin: dict):
        self.admin = admin
        self.inner = [g.buffer(-15) for g in admin["districts"].geom_m]
        shapely.prepare(self.inner)
        self.polys: list = []  # markets and compounds placed so far
        self.lines: list = []  # alleys placed so far

    def fits_polygon(self, geom, district: int) -> bool:
        """True when the polygon lies inside ``district`` and clear of other features."""
        if not self.inner[district].contains(geom):
            return False
        if self.polys and shapely.dwithin(np.array(self.polys), geom, 25).any():
            return False
        return not (self.lines and shapely.intersects(np.array(self.lines), geom.buffer(8)).any())

    def fits_line(self, geom, district: int) -> bool:
        """True when the line lies in ``district``, crosses no polygon, doubles no alley."""
        if not self.inner[district].contains(geom):
            return False
        if self.polys and shapely.intersects(np.array(self.polys), geom.buffer(8)).any():
            return False
        if self.lines:
            shared = shapely.length(shapely.intersection(np.array(self.lines), geom.buffer(25)))
            if shared.max() > 40:
                return False
        return True


def diameter(geom) -> float:
    """The largest distance between two vertices of a geometry, in metres."""
    xy = shapely.get_coordinates(geom)
    return float(np.max(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))))


def rectangle(rng: np.random.Generator, x: float, y: float, lo: float, hi: float):
    """A rotated rectangle or irregular polygon, ``lo``..``hi`` metres across."""
    while True:
        geom = _block(rng, lo, hi)
        if lo <= diameter(geom) <= hi:
            break
    theta = 12 + rng.normal(0, 6) + (90 if rng.random() < 0.3 else 0)
    return affinity.translate(affinity.rotate(geom, theta, origin=(0, 0)), x, y)


def _block(rng: np.random.Generator, lo: float, hi: float):
    """An unrotated block at the origin: a rectangle or an irregular 5-6-gon."""
    w, h = rng.uniform(0.6 * lo, 0.8 * hi), rng.uniform(0.6 * lo, 0.8 * hi)
    if rng.random() < 0.3:  # irregular
        n = int(rng.integers(5, 7))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        pts = np.column_stack([np.cos(ang) * w / 2, np.sin(ang) * h / 2])
        geom = shapely.convex_hull(shapely.MultiPoint(pts))
        if geom.geom_type != "Polygon" or geom.area < lo * lo * 0.4:
            geom = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    else:
        geom = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    return geom


def place_polygons(rng, placer: Placer, quotas: dict, lo: float, hi: float,
                   region_of=None, weight=core_weight) -> list[tuple[int, object]]:
    """Place ``quotas[district]`` polygons per district; returns (district, geometry)."""
    out = []
    for d in sorted(quotas):
        region = region_of(d) if region_of else placer.admin["districts"].geom_m[d]
        placed = 0
        while placed < quotas[d]:
            (x, y), = sample_in(rng, region, 1, weight)
            geom = rectangle(rng, x, y, lo, hi)
            if placer.fits_polygon(geom, d):
                placer.polys.append(geom)
                out.append((d, geom))
                placed += 1
    return out


def alley_line(rng: np.random.Generator, x: float, y: float):
    """A 150-900 m line of 1-3 segments roughly along the city grid."""
    total = float(np.clip(rng.gamma(4.0, 100.0) + 150, 150, 880))
    n_seg = int(rng.integers(1, 4))
    lens = rng.dirichlet(np.ones(n_seg) * 3) * total
    theta = np.radians(12 + (90 if rng.random() < 0.5 else 0) + rng.normal(0, 5))
    pts = [(x, y)]
    for seg in lens:
        theta += np.radians(rng.normal(0, 12))
        pts.append((pts[-1][0] + seg * np.cos(theta), pts[-1][1] + seg * np.sin(theta)))
    return shapely.LineString(pts)


def make_alleys(rng, admin: dict, placer: Placer, quotas: dict) -> list[tuple[int, object]]:
    """Place the back alleys per district quota; returns (district, geometry)."""
    out = []
    for d in sorted(quotas):
        region = admin["districts"].geom_m[d]
        placed = 0
        while placed < quotas[d]:
            (x, y), = sample_in(rng, region, 1, lambda a, b: core_weight(a, b, 3500, 0.15))
            geom = alley_line(rng, x, y)
            if 150 <= geom.length <= 900 and placer.fits_line(geom, d):
                placer.lines.append(geom)
                out.append((d, geom))
                placed += 1
    return out


def unique_names(rng, prefixes, suffixes, weights, n: int, taken: set) -> list[str]:
    """``n`` unique names prefix+suffix not in ``taken`` (which is updated)."""
    out = []
    while len(out) < n:
        name = choice(rng, prefixes) + choice(rng, suffixes, weights)
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def unit_of_street(streets: pd.DataFrame, code: str) -> str:
    """The office of a street: XX街道办事处 or XX镇人民政府."""
    name = streets.set_index("code").name[code]
    return name + ("人民政府" if name.endswith("镇") else "办事处")


def build_alleys(rng, admin, placer, taken) -> gpd.GeoDataFrame:
    """The 背街小巷 ledger with names, units and road chiefs."""
    placed = make_alleys(rng, admin, placer, {D1: 115, D2: 100, D3: 60, D4: 65})
    geoms = [g for _, g in placed]
    d = np.array([q for q, _ in placed])
    _, street = locate(admin, *shapely.get_coordinates(shapely.line_interpolate_point(
        geoms, 0.5, normalized=True)).T)
    chiefs = [person_name(rng) for _ in range(90)]
    df = pd.DataFrame({"district": d, "street": street, "geometry": geoms})
    df["name"] = unique_names(rng, ALLEY_PREFIXES, ALLEY_SUFFIXES, ALLEY_SUFFIX_W, len(df), taken)
    dname = [DISTRICTS[q][1] for q in d]
    df["unit"] = [unit_of_street(admin["streets"], s) if rng.random() < 0.6 else dn + "城管局"
                  for s, dn in zip(street, dname, strict=True)]
    df["road_chief"] = [choice(rng, chiefs) for _ in range(len(df))]
    return finish_layer(df, "alleys", "BJ-{:04d}")


def finish_layer(df: pd.DataFrame, layer: str, id_fmt: str) -> gpd.GeoDataFrame:
    """Sort by district, street and position; number the ids; add the layer name."""
    rep = shapely.point_on_surface(df.geometry.values)
    df = df.assign(_y=-np.round(shapely.get_y(rep), -2), _x=np.round(shapely.get_x(rep), -2))
    df = df.sort_values(["district", "street", "_y", "_x"], kind="stable").reset_index(drop=True)
    df.insert(0, "fid", [id_fmt.format(i + 1) for i in range(len(df))])
    df["layer"] = layer
    return gpd.GeoDataFrame(df.drop(columns=["_x", "_y"]), geometry="geometry", crs=METRIC_CRS)


def build_markets(rng, admin, placer, taken) -> gpd.GeoDataFrame:
    """The 农贸市场 ledger: 14 market polygons 80-250 m across."""
    quotas = {d: len(MARKET_NAMES[d]) for d in range(4)}
    placed = place_polygons(rng, placer, quotas, 80, 250,
                            weight=lambda a, b: core_weight(a, b, 3500, 0.3))
    df = pd.DataFrame({"district": [d for d, _ in placed], "geometry": [g for _, g in placed]})
    df["street"] = locate(admin, *shapely.get_coordinates(
        shapely.point_on_surface(df.geometry.values)).T)[1]
    names = {d: list(MARKET_NAMES[d]) for d in range(4)}
    df["name"] = [names[d].pop(0) for d in df.district]
    taken.update(df.name)
    df["unit"] = [DISTRICTS[d][1] + "市场监管局" for d in df.district]
    return finish_layer(df, "markets", "SC-{:02d}")


def compound_names(rng, n: int, taken: set) -> list[str]:
    """Names of old compounds: XX家属院 and XX小区."""
    pool = [u + "家属院" for u in COMPOUND_UNITS] + [e + "小区" for e in COMPOUND_ESTATES]
    pool += [e + "新村小区" for e in COMPOUND_ESTATES[:12]]
    pool += [e + "花园小区" for e in COMPOUND_ESTATES[12:]]
    pool += [e + "苑小区" for e in COMPOUND_ESTATES[:10]]
    pool = [p for p in rng.permutation(pool) if p not in taken][:n]
    if len(pool) < n:
        msg = "not enough compound names"
        raise RuntimeError(msg)
    taken.update(pool)
    return pool


def build_compounds(rng, admin, placer, taken, zone) -> gpd.GeoDataFrame:
    """The 老旧小区 ledger: 120 polygons 60-200 m, 3 of them inside the blind zone."""
    placed = place_polygons(rng, placer, {D3: 3}, 60, 160, region_of=lambda d: zone.buffer(-120),
                            weight=None)
    placed += place_polygons(rng, placer, {D1: 42, D2: 40, D3: 15, D4: 20}, 60, 200,
                             weight=lambda a, b: core_weight(a, b, 3000, 0.12))
    df = pd.DataFrame({"district": [d for d, _ in placed], "geometry": [g for _, g in placed]})
    df["street"] = locate(admin, *shapely.get_coordinates(
        shapely.point_on_surface(df.geometry.values)).T)[1]
    df["name"] = compound_names(rng, len(df), taken)
    df["unit"] = [unit_of_street(admin["streets"], s) if rng.random() < 0.8
                  else DISTRICTS[d][1] + "住建局"
                  for s, d in zip(df.street, df.district, strict=True)]
    return finish_layer(df, "compounds", "XQ-{:03d}")


def point_specs(rng, admin: dict) -> list[dict]:
    """Type, name and unit of every inspection point, with a placement rule."""
    comms, streets = admin["comms"], admin["streets"]
    specs = [{"type": "社区", "name": n + "党群服务中心", "where": ("comm", i),
              "unit": unit_of_street(streets, s)}
             for i, (n, s) in enumerate(zip(comms.name, comms.street, strict=True))]
    specs += [{"type": "新时代文明实践站", "name": n + "新时代文明实践所", "where": ("street", c),
               "unit": unit_of_street(streets, c)}
              for n, c in zip(streets.name, streets.code, strict=True)]
    for i in sorted(rng.choice(len(comms), 20, replace=False).tolist()):
        specs.append({"type": "新时代文明实践站", "name": comms.name[i] + "新时代文明实践站",
                          "where": ("comm", i), "unit": unit_of_street(streets, comms.street[i])})
    schools = [f"示例市第{n}中学" for n in CN_NUM[:14]]
    schools += [f"示例市第{n}实验小学" for n in CN_NUM[:10]]
    schools += [p + "小学" for p in ALLEY_PREFIXES[:16]]
    specs += [{"type": "学校", "name": n, "unit": "{d}教育局"} for n in schools]
    specs += [{"type": "医院", "name": n, "unit": "示例市卫生健康委员会"} for n in HOSPITALS]
    specs += [{"type": "车站", "name": n, "unit": "示例市交通运输局"} for n in STATIONS]
    specs += [{"type": "公园广场", "name": n, "unit": "示例市城市管理局"} for n in PARKS[:22]]
    specs += [{"type": "政务服务大厅", "name": n, "unit": "示例市政务服务和大数据管理局"}
              for n in ["示例市政务服务中心", "示例市不动产登记中心"]]
    specs += [{"type": "政务服务大厅", "name": n + "政务服务中心", "where": ("district", d),
                   "unit": n + "政务服务中心"} for d, (_, n) in enumerate(DISTRICTS)]
    specs += [{"type": "公共厕所", "name": p + "公厕", "unit": "{d}城管局"}
              for p in [q + "街" for q in ALLEY_PREFIXES[16:66]]]
    specs += [{"type": "建筑工地", "name": n, "unit": "{d}住建局", "where": ("new", None)}
              for n in SITES[:10]]
    return specs


def place_point(rng, admin: dict, spec: dict, zone) -> tuple[float, float]:
    """A metric location for one inspection point following its placement rule."""
    kind, arg = spec.get("where", ("city", None))
    if kind == "comm":
        region = admin["comms"].geom_m[arg].buffer(-60)
        return tuple(sample_in(rng, region, 1, lambda a, b: core_weight(a, b, 2500, 0.3))[0])
    if kind == "street":
        geom = admin["streets"].geom_m[admin["streets"].code == arg].iloc[0]
        return tuple(sample_in(rng, shapely.point_on_surface(geom).buffer(400)
                               .intersection(geom.buffer(-60)), 1)[0])
    if kind == "district":
        geom = admin["districts"].geom_m[arg]
        return tuple(sample_in(rng, shapely.point_on_surface(geom).buffer(800)
                               .intersection(geom.buffer(-60)), 1)[0])
    if kind == "zone":
        return tuple(sample_in(rng, zone.buffer(-100), 1)[0])
    if kind == "new":
        return tuple(sample_in(rng, admin["city_m"].buffer(-200), 1,
                               lambda a, b: 1.2 - core_weight(a, b, 3000, 0.2))[0])
    return tuple(sample_in(rng, admin["city_m"].buffer(-200), 1,
                           lambda a, b: core_weight(a, b, 3500, 0.25))[0])


def build_points(rng, admin, placer, taken, zone) -> gpd.GeoDataFrame:
    """The 测评点位 ledger: about 280 points of 9 types (4 generic ones in the blind zone)."""
    specs = point_specs(rng, admin)
    generic = [i for i, s in enumerate(specs) if "where" not in s]
    for k, t in enumerate(["学校", "公共厕所", "公园广场", "公共厕所"]):
        i = next(i for i in generic if specs[i]["type"] == t and specs[i].get("where") is None)
        specs[i]["where"] = ("zone", k)
    rows = []
    for spec in specs:
        for _ in range(200):
            x, y = place_point(rng, admin, spec, zone)
            p = shapely.Point(x, y)
            if not (placer.polys and shapely.dwithin(np.array(placer.polys), p, 10).any()):
                break
        d, s = locate(admin, [x], [y])
        unit = spec["unit"].replace("{d}", DISTRICTS[d[0]][1])
        rows.append({"district": d[0], "street": s[0], "name": spec["name"], "type": spec["type"],
                         "unit": unit, "geometry": p})
    df = pd.DataFrame(rows)
    dup = df.name[df.name.duplicated() | df.name.isin(sorted(taken))]
    if len(dup):
        msg = f"duplicate point names: {dup.tolist()}"
        raise RuntimeError(msg)
    taken.update(df.name)
    return finish_layer(df, "points", "DW-{:04d}")


def build_ledgers(rng, admin) -> tuple[dict, shapely.Polygon]:
    """All four ledgers (metric GeoDataFrames) and the blind zone."""
    zone = blind_zone(admin)
    placer, taken = Placer(admin), set(admin["comms"].name) | set(admin["streets"].name)
    markets = build_markets(rng, admin, placer, taken)
    compounds = build_compounds(rng, admin, placer, taken, zone)
    alleys = build_alleys(rng, admin, placer, taken)
    points = build_points(rng, admin, placer, taken, zone)
    return {"alleys": alleys, "markets": markets, "points": points, "compounds": compounds}, zone


def all_features(ledgers: dict) -> gpd.GeoDataFrame:
    """One frame of every ledger feature: fid, layer, name, unit, district, street."""
    cols = ["fid", "layer", "name", "unit", "district", "street", "geometry"]
    feats = pd.concat([ledgers[k][cols] for k in ("alleys", "markets", "points", "compounds")],
                      ignore_index=True)
    return gpd.GeoDataFrame(feats, geometry="geometry", crs=METRIC_CRS)


# ---------------------------------------------------------------- the story
def pick_story(rng, admin, feats: gpd.GeoDataFrame, zone) -> dict:
    """Choose the forgotten street, the never-visited features, the hot unit and
    the recurring markets, and derive the exclusion rules that make them true."""
    streets = admin["streets"]
    d1_geom = admin["districts"].geom_m[D1]
    cand = streets[(streets.district == D2)
                   & (shapely.distance(streets.geom_m.values, d1_geom) > 300)]
    n_alleys = feats[feats.layer == "alleys"].groupby("street").size()
    forgotten_street = max(cand.code, key=lambda c: (n_alleys.get(c, 0), c))
    forgotten = feats.fid[(feats.layer == "alleys") & (feats.street == forgotten_street)].tolist()
    hot_street = streets[(streets.district == D4) & streets.town].code
    if not len(hot_street):  # no town in 高新区: the outermost street
        hot_street = streets[streets.district == D4].code
    hot_street = hot_street.iloc[-1]
    markets_d4 = feats.fid[(feats.layer == "markets") & (feats.district == D4)].tolist()
    recurring = sorted(rng.choice(markets_d4, 3, replace=False).tolist())
    never = pick_never_visited(rng, feats, zone, set(forgotten) | set(recurring))
    never_geom = shapely.union_all(feats.geometry[feats.fid.isin(never)].buffer(60).values)
    forgotten_geom = shapely.union_all(feats.geometry[feats.fid.isin(forgotten)].buffer(60).values)
    rules = [  # (zone, from minute, target fids): no record may fall in zone from then on
        (never_geom, 0, set(never)),
        (forgotten_geom, FORGOTTEN_FROM_MIN, set(forgotten)),
        (zone.buffer(330), BLIND_FROM_MIN, set()),
    ]
    for geom, _, _ in rules:
        shapely.prepare(geom)
    return {"forgotten_street": forgotten_street, "forgotten": forgotten,
                "hot_unit": unit_of_street(streets, hot_street), "hot_street": hot_street,
                "recurring": recurring, "never": never, "rules": rules, "zone": zone}


def pick_never_visited(rng, feats, zone, exclude: set) -> list[str]:
    """18 isolated features (>130 m from any other) that nobody will ever visit."""
    geoms = feats.geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=130)
    crowded = np.zeros(len(feats), bool)
    crowded[a[a != b]] = True
    ok = (~crowded & ~feats.fid.isin(sorted(exclude)).values
          & ~shapely.intersects(geoms, zone.buffer(400)))
    slots = ([("alleys", d) for d in (D2, D3, D4, D2, D3, D4, D2)]
             + [("points", d) for d in (D1, D2, D3, D4, D2, D3)]
             + [("compounds", d) for d in (D2, D3, D4, D2)] + [("markets", D2)])
    picked: list[str] = []
    for layer, d in slots:
        free = ok & (feats.layer.values == layer) & ~feats.fid.isin(picked).values
        pool = feats.fid.values[free & (feats.district.values == d)]
        if not len(pool):  # fall back to any district but the well-kept 川东区
            pool = feats.fid.values[free & (feats.district.values != D1)]
        if not len(pool):
            msg = f"no isolated {layer} left to leave unvisited"
            raise RuntimeError(msg)
        picked.append(str(choice(rng, pool)))
    return sorted(picked)


def day_weights() -> np.ndarray:
    """Relative record volume per day: rising towards the evaluation, low at weekends."""
    d = np.arange(N_DAYS)
    ramp = 0.45 + 0.55 * (d / (N_DAYS - 1)) ** 1.3
    dow = (START + pd.to_timedelta(d, "D")).day_of_week.values
    return ramp * np.where(dow == 5, 0.6, np.where(dow == 6, 0.45, 1.0))


def minute_of_day(rng, sources: np.ndarray) -> np.ndarray:
    """Time of day in minutes: 晨查 06:30-09:30, reports 07:00-22:00, others office hours."""
    n = len(sources)
    office = np.where(rng.random(n) < 0.55, rng.uniform(510, 690, n), rng.uniform(870, 1050, n))
    t = np.where(sources == "晨查", rng.uniform(390, 570, n), office)
    t = np.where(sources == "群众举报", rng.uniform(420, 1320, n), t)
    return np.floor(t).astype(int)


def draw_sources(rng, days: np.ndarray, table) -> np.ndarray:
    """Sources per record; 模拟测评 (mock evaluation) only from the fourth week."""
    names, p = table
    src = np.array(choice(rng, np.array(names), p, size=len(days)), dtype=object)
    src[(src == "模拟测评") & (days < 21)] = "晨查"
    return src


def points_at(rng, feats: gpd.GeoDataFrame, idx: np.ndarray) -> np.ndarray:
    """Record locations (n, 2) near features ``idx``: on alleys +-noise, inside polygons,
    within 35 m of points."""
    out = np.zeros((len(idx), 2))
    layers = feats.layer.values[idx]
    geoms = feats.geometry.values[idx]
    line = layers == "alleys"
    p = shapely.line_interpolate_point(geoms[line], rng.random(line.sum()), normalized=True)
    noise = np.clip(rng.normal(0, 9, (line.sum(), 2)), -22, 22)
    out[line] = shapely.get_coordinates(p) + noise
    pt = layers == "points"
    r, a = rng.uniform(0, 35, pt.sum()), rng.uniform(0, 2 * np.pi, pt.sum())
    out[pt] = shapely.get_coordinates(geoms[pt]) + np.column_stack([r * np.cos(a), r * np.sin(a)])
    for i in np.flatnonzero(~line & ~pt):
        out[i] = sample_in(rng, geoms[i], 1)[0]
    return out


def make_checkins(rng, feats: gpd.GeoDataFrame, story: dict) -> pd.DataFrame:
    """Inspection check-ins (巡查 / 打卡): a Poisson number per feature and day."""
    base = np.array([DISTRICT_PARAMS[d]["checks"] for d in feats.district])
    base = base * feats.layer.map(LAYER_VISIT_FACTOR).values
    base[feats.fid.isin(story["never"]).values] = 0
    lam = np.outer(base, day_weights())
    counts = np.minimum(rng.poisson(lam), 3)
    fi, day = np.nonzero(counts)
    reps = counts[fi, day]
    fi, day = np.repeat(fi, reps), np.repeat(day, reps)
    src = draw_sources(rng, day, CHECK_SOURCES)
    is_alley = feats.layer.values[fi] == "alleys"
    kind = np.where(rng.random(len(fi)) < np.where(is_alley, 0.8, 0.35), "巡查", "打卡")
    xy = points_at(rng, feats, fi)
    return pd.DataFrame({"kind": kind, "fi": fi, "t": day * DAY + minute_of_day(rng, src),
                             "x": xy[:, 0], "y": xy[:, 1], "source": src})


def street_spots(rng, admin, feats, district: int, n: int, story: dict) -> np.ndarray:
    """``n`` locations in a district more than 60 m from every ledger feature."""
    tree = shapely.STRtree(feats.geometry.values)
    region = admin["districts"].geom_m[district].buffer(-30)
    out = np.empty((0, 2))
    while len(out) < n:
        xy = sample_in(rng, region, 2 * n, lambda a, b: core_weight(a, b, 3500, 0.3))
        pts = shapely.points(xy)
        near = np.zeros(len(xy), bool)
        near[tree.query(pts, predicate="dwithin", distance=60)[0]] = True
        out = np.vstack([out, xy[~near]])
    return out[:n]


def make_issues(rng, admin, feats: gpd.GeoDataFrame, story: dict) -> pd.DataFrame:
    """Issues per district: 85 % at ledger features, 15 % at arbitrary street spots."""
    frames = []
    w_day = day_weights()
    for d in range(4):
        n = DISTRICT_PARAMS[d]["issues"]
        day = rng.choice(N_DAYS, n, p=w_day / w_day.sum())
        at_feature = rng.random(n) < 0.85
        mask = (feats.district.values == d) & ~feats.fid.isin(story["never"]).values
        w = feats.layer.map(LAYER_ISSUE_WEIGHT).values * mask
        w = w * np.where(feats.unit.values == story["hot_unit"], 4.0, 1.0)
        fi = np.where(at_feature, rng.choice(len(feats), n, p=w / w.sum()), -1)
        xy = np.zeros((n, 2))
        xy[at_feature] = points_at(rng, feats, fi[at_feature])
        xy[~at_feature] = street_spots(rng, admin, feats, d, int((~at_feature).sum()), story)
        frames.append(pd.DataFrame({"fi": fi, "day": day, "x": xy[:, 0], "y": xy[:, 1],
                                    "district": d}))
    iss = pd.concat(frames, ignore_index=True)
    iss["source"] = draw_sources(rng, iss.day.values, ISSUE_SOURCES)
    iss["t"] = iss.day * DAY + minute_of_day(rng, iss.source.values)
    layer = np.where(iss.fi >= 0, feats.layer.values[iss.fi.clip(0)], "street")
    iss["type"] = [choice(rng, ISSUE_TYPES, list(TYPE_WEIGHTS[k].values())) for k in layer]
    iss["kind"] = "问题"
    iss["pair"] = ""
    return iss.drop(columns="day")


def recurring_issues(rng, feats, story: dict) -> pd.DataFrame:
    """Two designed recurrence pairs per recurring market: fixed, then found again."""
    rows = []
    mk_types = np.array(["占道经营", "乱摆乱卖", "卫生死角", "乱堆乱倒", "乱停乱放"])
    for fid in story["recurring"]:
        fi = int(np.flatnonzero(feats.fid.values == fid)[0])
        for k, typ in enumerate(rng.choice(mk_types, 2, replace=False)):
            t0 = int((rng.integers(6, 16) + 16 * k) * DAY + rng.integers(420, 600))
            fix = t0 + int(rng.uniform(0.4, 1.8) * DAY)
            fix = (fix // DAY) * DAY + int(rng.integers(600, 1080))
            t1 = (fix // DAY + int(rng.integers(5, 18))) * DAY + int(rng.integers(420, 600))
            for t, role in ((t0, "first"), (t1, "again")):
                x, y = points_at(rng, feats, np.array([fi]))[0]
                rows.append({"fi": fi, "x": x, "y": y, "district": D4, "source": "督导", "t": t,
                             "type": typ, "kind": "问题", "designed": role,
                             "designed_fix": fix if role == "first" else -1,
                             "pair": f"{fid}/{k}"})
    return pd.DataFrame(rows)


def violates(rules, x, y, t, fi, feats) -> np.ndarray:
    """True where a record breaks an exclusion rule (place or target, from a time)."""
    bad = np.zeros(len(x), bool)
    fid = np.where(fi >= 0, feats.fid.values[np.clip(fi, 0, None)], "")
    for geom, t_from, targets in rules:
        late = t >= t_from
        bad |= late & shapely.contains_xy(geom, x, y)
        bad |= late & np.isin(fid, sorted(targets))
    return bad


def apply_rules(rng, admin, feats, story, checks, issues) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop feature records that break the story; move street spots elsewhere."""
    rules = story["rules"]
    checks = checks[~violates(rules, checks.x.values, checks.y.values, checks.t.values,
                              checks.fi.values, feats)].reset_index(drop=True)
    for _ in range(20):
        bad = violates(rules, issues.x.values, issues.y.values, issues.t.values,
                       issues.fi.values, feats)
        street = bad & (issues.fi.values < 0)
        if not street.any():
            break
        for d in range(4):
            m = street & (issues.district.values == d)
            if m.any():
                xy = street_spots(rng, admin, feats, d, int(m.sum()), story)
                issues.loc[m, "x"], issues.loc[m, "y"] = xy[:, 0], xy[:, 1]
    bad = violates(rules, issues.x.values, issues.y.values, issues.t.values,
                   issues.fi.values, feats)
    return checks, issues[~bad].reset_index(drop=True)


def ensure_d1_touched(rng, feats, story, checks: pd.DataFrame) -> pd.DataFrame:
    """Add one check-in in the last 6 days for every 川东区 feature that lacks one."""
    recent = checks.fi[checks.t >= WINDOW_FROM_MIN + DAY].unique()
    need = np.flatnonzero((feats.district.values == D1) & ~np.isin(np.arange(len(feats)), recent)
                          & ~feats.fid.isin(story["never"]).values)
    if not len(need):
        return checks
    day = rng.integers(50, 56, len(need))
    src = draw_sources(rng, day, CHECK_SOURCES)
    xy = points_at(rng, feats, need)
    add = pd.DataFrame({"kind": "打卡", "fi": need, "t": day * DAY + minute_of_day(rng, src),
                            "x": xy[:, 0], "y": xy[:, 1], "source": src})
    add = add[~violates(story["rules"], add.x.values, add.y.values, add.t.values,
                        add.fi.values, feats)]
    return pd.concat([checks, add], ignore_index=True)


# ---------------------------------------------------------------- issue life cycles
def daytime(t: np.ndarray, rng) -> np.ndarray:
    """Move times that fall at night (before 07:30 or after 20:00) to the next morning."""
    t = np.asarray(t, float)
    mod = t % DAY
    night = (mod < 450) | (mod > 1200)
    nxt = np.where(mod > 1200, (t // DAY + 1) * DAY, (t // DAY) * DAY)
    t = np.where(night, nxt + rng.uniform(480, 600, len(t)), t)
    return np.floor(t)


def life_cycles(rng, iss: pd.DataFrame, feats, story) -> pd.DataFrame:
    """Simulate when each issue is started, rectified, closed (销号) or reopened."""
    n = len(iss)
    hot = np.zeros(n, bool)
    atf = iss.fi.values >= 0
    hot[atf] = feats.unit.values[iss.fi.values[atf]] == story["hot_unit"]
    par = pd.DataFrame([DISTRICT_PARAMS[d] for d in iss.district])
    for k, v in HOT_UNIT_PARAMS.items():
        par.loc[hot, k] = v
    k_days = iss.type.map(DEADLINE_DAYS).values + (rng.random(n) < 0.3)
    np.seterr(invalid="ignore")  # inf times (never fixed) flow through daytime()
    found = iss.t.values.astype(float)
    delay = k_days * par.delay.values * rng.lognormal(0, 0.6, n) * DAY + 0.1 * DAY
    fixes = rng.random(n) < par.p_fix.values
    fix = np.where(fixes, daytime(found + delay, rng), np.inf)
    start = np.where(rng.random(n) < 0.55, daytime(found + 0.35 * np.minimum(delay, 20 * DAY), rng),
                     np.inf)
    start = np.where(start >= fix, np.inf, start)
    close = np.where(rng.random(n) < par.p_close.values,
                     daytime(fix + rng.uniform(1, 6, n) * DAY, rng), np.inf)
    reopen = np.where(rng.random(n) < 0.008, daytime(fix + rng.uniform(2, 10, n) * DAY, rng),
                      np.inf)
    close = np.where(reopen < np.inf, np.inf, close)
    designed = iss.get("designed", pd.Series("", index=iss.index)).fillna("").values
    first = designed == "first"
    fix[first] = iss.designed_fix.values[first]
    start[first], close[first], reopen[first] = np.inf, np.inf, np.inf
    out = iss.copy()
    out["deadline_day"] = found // DAY + k_days
    out["t_start"], out["t_fix"], out["t_close"], out["t_reopen"] = start, fix, close, reopen
    return out


def events_of(row) -> list[tuple[float, str]]:
    """Status changes of one issue up to the export time, oldest first."""
    ev = [(row.t_start, "整改中"), (row.t_fix, "已整改"), (row.t_close, "已销号"),
          (row.t_reopen, "未整改")]
    return sorted((t, s) for t, s in ev if t <= CUTOFF_MIN)


def suppress_recurrence(rng, iss: pd.DataFrame, feats) -> pd.DataFrame:
    """Change issue types so that no feature sees the same type again within 31 days
    of a rectification, except the designed pairs at the recurring markets."""
    tree = shapely.STRtree(feats.geometry.values)
    pi, fi = tree.query(shapely.points(iss.x.values, iss.y.values), predicate="dwithin",
                        distance=55)
    link = pd.DataFrame({"i": np.concatenate([pi, np.flatnonzero(iss.fi.values >= 0)]),
                             "f": np.concatenate([fi, iss.fi.values[iss.fi.values >= 0]])})
    link = link.drop_duplicates().sort_values(["i", "f"]).reset_index(drop=True)
    layer = np.where(iss.fi >= 0, feats.layer.values[iss.fi.clip(0)], "street")
    pair = iss["pair"].fillna("").values
    iss = iss.copy()
    t, fix = iss.t.values, iss.t_fix.values
    for _ in range(40):
        j = link.assign(type=iss.type.values[link.i], t=t[link.i], fix=fix[link.i])
        m = j.merge(j, on=["f", "type"], suffixes=("_a", "_b"))
        m = m[(m.fix_a < m.t_b) & (m.t_b <= m.fix_a + 31 * DAY) & (m.i_a != m.i_b)]
        m = m[~((pair[m.i_a] != "") & (pair[m.i_a] == pair[m.i_b]))]
        if m.empty:
            return iss
        victims = np.where(pair[m.i_b] == "", m.i_b, m.i_a)
        for i in sorted(set(victims[pair[victims] == ""].tolist())):
            mine = j[j.f.isin(j.f[j.i == i]) & (j.i != i)]
            before = (mine.fix < t[i]) & (t[i] <= mine.fix + 31 * DAY)
            after = (fix[i] < mine.t) & (mine.t <= fix[i] + 31 * DAY)
            busy = set(iss.type.values[mine.i[before | after]])
            types = [q for q in ISSUE_TYPES if q not in busy] or list(ISSUE_TYPES)
            iss.loc[i, "type"] = choice(rng, types, [TYPE_WEIGHTS[layer[i]][q] for q in types])
    msg = "could not remove accidental recurrences"
    raise RuntimeError(msg)


# ---------------------------------------------------------------- tables
def fmt_minutes(t) -> pd.Series:
    """Minutes since 2026-09-01 00:00 as 'YYYY-MM-DD HH:MM' ('' for inf/NaN)."""
    t = pd.Series(np.asarray(t, float))
    ok = np.isfinite(t)
    out = pd.Series("", index=t.index, dtype=object)
    ts = START + pd.to_timedelta(t[ok], unit="min")
    out[ok] = ts.dt.strftime("%Y-%m-%d %H:%M").values
    return out


def reference_style(rng, rec: pd.DataFrame, feats, rules) -> pd.DataFrame:
    """How each row names its place: coordinates, id only (~5 %) or name only (~2 %)."""
    n = len(rec)
    atf = rec.fi.values >= 0
    u = rng.random(n)
    near_rule = np.zeros(len(feats), bool)
    for geom, _, _ in rules:
        near_rule |= shapely.intersects(feats.geometry.values, geom)
    pair = rec["pair"].fillna("").values if "pair" in rec else np.full(n, "")
    safe = atf & ~near_rule[np.clip(rec.fi.values, 0, None)] & (pair == "")
    style = np.where(safe & (u < 0.057), "id", np.where(safe & (u < 0.079), "name", "xy"))
    tag_p = np.select([rec.kind == "打卡", rec.kind == "巡查"], [0.9, 0.5], 0.35)
    tagged = atf & (rng.random(n) < tag_p)
    fi = np.clip(rec.fi.values, 0, None)
    rec = rec.copy()
    rec["style"] = style
    rec["pid"] = np.where((style == "id") | ((style == "xy") & tagged), feats.fid.values[fi], "")
    with_name = (style == "name") | ((style == "xy") & tagged) | ((style == "id") & (u < 0.03))
    rec["pname"] = np.where(atf & with_name, feats.name.values[fi], "")
    lon, lat = metric_to_gcj(rec.x.values, rec.y.values)
    rec["lon"] = np.where(style == "xy", lon, np.nan)
    rec["lat"] = np.where(style == "xy", lat, np.nan)
    return rec


def record_units(rec: pd.DataFrame, feats, admin) -> pd.DataFrame:
    """责任单位 and 所属区 of every record (street spots: the 城管局 or street office)."""
    d, s = locate(admin, rec.x.values, rec.y.values)
    fi = np.clip(rec.fi.values, 0, None)
    atf = rec.fi.values >= 0
    dist = np.where(atf, feats.district.values[fi], d)
    street_unit = np.array([unit_of_street(admin["streets"], c) if c else "" for c in s])
    alt = np.where(np.arange(len(rec)) % 3 == 0, street_unit,
                   np.array([DISTRICTS[q][1] + "城管局" for q in dist]))
    rec = rec.copy()
    rec["unit"] = np.where(atf, feats.unit.values[fi], alt)
    rec["dname"] = [DISTRICTS[q][1] for q in dist]
    return rec


def status_tables(rng, iss: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split life cycles into the ledger status (xlsx) and later updates (csv)."""
    events = [events_of(r) for r in iss.itertuples()]
    n_ev = np.array([len(e) for e in events])
    last_t = np.array([e[-1][0] if e else 0 for e in events])
    reopened = np.array([bool(e) and e[-1][1] == "未整改" for e in events])
    w = np.where(n_ev > 0, 1 + last_t / (10 * DAY), 0.0)
    w[reopened] = 0
    n_pick = 800 - int(reopened.sum())
    picked = np.zeros(len(iss), bool)
    picked[rng.choice(len(iss), n_pick, replace=False, p=w / w.sum())] = True
    picked |= reopened
    moved = np.where(picked, 1 + ((n_ev >= 2) & (rng.random(len(iss)) < 0.1) & ~reopened), 0)
    ledger, updates = [], []
    for i, (ev, k) in enumerate(zip(events, moved, strict=True)):
        kept = ev[: len(ev) - k]
        ledger.append(status_row(kept, iss.t_fix.values[i]))
        for j in range(len(ev) - k, len(ev)):
            st, done = status_row(ev[: j + 1], iss.t_fix.values[i])
            updates.append({"i": i, "status": st, "done": done, "t_upd": ev[j][0]})
    led = pd.DataFrame(ledger, columns=["status", "done"])
    return led, pd.DataFrame(updates)


def status_row(events: list, t_fix: float) -> tuple[str, float]:
    """(整改状态, 整改完成时间 minute or inf) after a list of events."""
    if not events:
        return "未整改", np.inf
    st = events[-1][1]
    return st, (t_fix if st in ("已整改", "已销号") else np.inf)


def issue_frame(iss: pd.DataFrame, led: pd.DataFrame) -> pd.DataFrame:
    """The issues table with Chinese headers (rows in 发现时间 order)."""
    desc = [DESCRIPTIONS[t][k % 2].format(p=p or "路口") for k, (t, p) in
            enumerate(zip(iss.type, iss.place, strict=True))]
    return pd.DataFrame({
        "问题编号": iss.issue_id.values, "记录类型": "问题", "发现时间": fmt_minutes(iss.t).values,
        "经度": iss.lon.values, "纬度": iss.lat.values, "点位编号": iss.pid.values,
        "点位名称": iss.pname.values, "问题类型": iss.type.values, "问题描述": desc,
        "来源": iss.source.values, "责任单位": iss.unit.values,
        "整改时限": (START + pd.to_timedelta(iss.deadline_day.values, "D")).strftime("%Y-%m-%d"),
        "整改状态": led.status.values, "整改完成时间": fmt_minutes(led.done).values,
        "所属区": iss.dname.values,
    })


def place_words(rng, iss: pd.DataFrame, feats) -> np.ndarray:
    """The place named in a description: the feature, or a made-up crossing."""
    fi = np.clip(iss.fi.values, 0, None)
    roads = [p + "路" for p in ALLEY_PREFIXES[:40]]
    cross = [f"{choice(rng, roads)}与{choice(rng, roads)}交叉口" for _ in range(len(iss))]
    return np.where(iss.fi.values >= 0, feats.name.values[fi], cross)


# ---------------------------------------------------------------- bad rows
BAD_ISSUE_ROWS = {  # 1-based data row in issues_2026.xlsx -> defect
    57: "no_location", 612: "far_away", 1288: "swapped", 2050: "zero", 2777: "bad_found",
    3390: "bad_deadline", 4105: "bad_status", 4800: "dup", 5600: "bad_id", 6200: "done_before",
}
BAD_CHECK_ROWS = {901: "empty_time", 4444: "one_cell", 7777: "future", 10500: "bad_name",
                  13000: "bad_kind", 14200: "bd09"}
BAD_UPDATE_ROWS = {120: "orphan", 480: "upd_before"}
BAD_TEXT = {
    "no_location": "经度/纬度 empty, no 点位编号 and no 点位名称 (no location at all)",
    "far_away": "coordinates 116.397428, 39.90923 (Beijing), far outside the city",
    "swapped": "经度 and 纬度 swapped (经度 ≈ 33.6, 纬度 ≈ 114.6)",
    "zero": "coordinates 0, 0",
    "bad_found": "发现时间 `2026-13-45 09:10` (no such date)",
    "bad_deadline": "整改时限 `下周一` (not a date)",
    "bad_status": "整改状态 `待定` (not a known status)",
    "dup": "问题编号 also on the next row, same 发现时间 but different 问题类型 and coordinates",
    "bad_id": "点位编号 `BJ-9999` (no such feature) and no coordinates",
    "done_before": "整改完成时间 two days before 发现时间",
    "empty_time": "发现时间 empty",
    "one_cell": "both coordinates in the 经度 cell (`lon,lat`), 纬度 empty",
    "future": "发现时间 2026-11-03, after the as-of date 2026-10-26",
    "bad_name": "点位名称 `人民公园东门广场` is on no ledger, no coordinates, no 点位编号",
    "bad_kind": "记录类型 `检查` (neither 巡查 nor 打卡)",
    "bd09": "coordinates copied from Baidu maps (BD-09, about 700 m off the GCJ-02 spot)",
    "orphan": "问题编号 `WT2025-00417` is not in issues_2026.xlsx",
    "upd_before": "更新时间 two days before the issue's 发现时间",
}


def spare_spots(rng, admin, feats, story, n: int) -> np.ndarray:
    """Street spots in 川东区 that no rule forbids, for the bad rows' coordinates."""
    xy = street_spots(rng, admin, feats, D1, 4 * n, story)
    ok = ~violates(story["rules"], xy[:, 0], xy[:, 1], np.full(len(xy), CUTOFF_MIN),
                   np.full(len(xy), -1), feats)
    return xy[ok][:n]


def insert_rows(frame: pd.DataFrame, rows: dict) -> pd.DataFrame:
    """Insert ``rows`` (1-based final data row -> dict) into ``frame``, in row order."""
    parts, prev = [], 0
    for pos in sorted(rows):
        n_before = pos - 1 - sum(1 for q in rows if q < pos)
        parts.append(frame.iloc[prev:n_before])
        parts.append(pd.DataFrame([rows[pos]], columns=frame.columns))
        prev = n_before
    parts.append(frame.iloc[prev:])
    return pd.concat(parts, ignore_index=True)


BAD_ISSUE_EDITS = {  # the simple defects: cells to overwrite
    "no_location": {"经度": None, "纬度": None},
    "far_away": {"经度": 116.397428, "纬度": 39.90923},
    "zero": {"经度": 0.0, "纬度": 0.0},
    "bad_found": {"发现时间": "2026-13-45 09:10", "整改状态": "未整改", "整改完成时间": ""},
    "bad_deadline": {"整改时限": "下周一"},
    "bad_status": {"整改状态": "待定", "整改完成时间": ""},
    "bad_id": {"经度": None, "纬度": None, "点位编号": "BJ-9999"},
}


def bad_issue_rows(rng, admin, feats, story, issues: pd.DataFrame) -> dict:
    """The bad rows of issues_2026.xlsx, each a rectified 川东区 street issue plus a defect."""
    spots = spare_spots(rng, admin, feats, story, len(BAD_ISSUE_ROWS) + 2)
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_ISSUE_ROWS.items())):
        base = issues.iloc[pos - 1 - k].to_dict()
        glon, glat = metric_to_gcj(spots[k:k + 1, 0], spots[k:k + 1, 1])
        found = pd.Timestamp(base["发现时间"])
        base.update({"问题编号": f"WT2026-9{k + 1:04d}",  # entered by hand, outside the sequence
                     "经度": glon[0], "纬度": glat[0], "点位编号": "", "点位名称": "",
                     "所属区": DISTRICTS[D1][1], "责任单位": "川东区城管局", "整改状态": "已整改",
                     "问题描述": DESCRIPTIONS[base["问题类型"]][0].format(p="路口"),
                     "整改完成时间": (found + pd.Timedelta(hours=26)).strftime("%Y-%m-%d %H:%M")})
        base.update(BAD_ISSUE_EDITS.get(kind, {}))
        if kind == "swapped":
            base.update({"经度": glat[0], "纬度": glon[0]})
        elif kind == "done_before":
            base["整改完成时间"] = (found - pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        elif kind == "dup":  # the same id again on the next row, with other content
            rows[pos] = dict(base)
            glon2, glat2 = metric_to_gcj(spots[-1:, 0], spots[-1:, 1])
            typ = choice(rng, [t for t in ISSUE_TYPES if t != base["问题类型"]])
            base.update({"经度": glon2[0], "纬度": glat2[0], "问题类型": typ,
                         "问题描述": DESCRIPTIONS[typ][1].format(p="路口")})
            pos += 1
        rows[pos] = base
    return rows


def bad_check_rows(rng, admin, feats, story, checks: pd.DataFrame) -> dict:
    """The bad rows of inspections_gbk.csv."""
    spots = spare_spots(rng, admin, feats, story, len(BAD_CHECK_ROWS))
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_CHECK_ROWS.items())):
        base = checks.iloc[pos - 1 - k].to_dict()
        base["记录编号"] = f"XC2026-9{k + 1:05d}"
        glon, glat = metric_to_gcj([spots[k, 0]], [spots[k, 1]])
        base.update({"经度": glon[0], "纬度": glat[0], "点位编号": "", "点位名称": "",
                     "所属区": DISTRICTS[D1][1], "责任单位": "川东区城管局"})
        if kind == "empty_time":
            base["发现时间"] = ""
        elif kind == "one_cell":
            base.update({"经度": f"{glon[0]:.6f},{glat[0]:.6f}", "纬度": None})
        elif kind == "future":
            base["发现时间"] = "2026-11-03 08:15"
        elif kind == "bad_name":
            base.update({"经度": None, "纬度": None, "点位名称": "人民公园东门广场"})
        elif kind == "bad_kind":
            base["记录类型"] = "检查"
        elif kind == "bd09":
            lon, lat = _TO_WGS.transform(spots[k, 0], spots[k, 1])
            blon, blat = wgs84_to_bd09(lon, lat)
            base.update({"经度": round(float(blon), 6), "纬度": round(float(blat), 6)})
        rows[pos] = base
    return rows


def bad_update_rows(issues: pd.DataFrame, updates: pd.DataFrame) -> dict:
    """The bad rows of rectification_updates.csv."""
    rows = {}
    for k, (pos, kind) in enumerate(sorted(BAD_UPDATE_ROWS.items())):
        base = updates.iloc[pos - 1 - k].to_dict()
        if kind == "orphan":
            base["问题编号"] = "WT2025-00417"
        else:  # an already 已销号 issue: the bad update cannot change its outcome
            good = issues[(issues["整改状态"] == "已销号") & (issues["所属区"] == "川东区")
                          & ~issues["问题编号"].isin(updates["问题编号"])].iloc[k * 37]
            base = good.to_dict()
            base["整改状态"] = "已整改"
            t = pd.Timestamp(good["发现时间"]) - pd.Timedelta(days=2)
            base["更新时间"] = t.strftime("%Y-%m-%d %H:%M")
        rows[pos] = base
    return rows


# ---------------------------------------------------------------- records pipeline
def build_records(rng, admin, feats, story) -> dict:
    """All three record tables (Chinese headers) plus the BAD_ROWS list."""
    checks = make_checkins(rng, feats, story)
    issues = pd.concat([make_issues(rng, admin, feats, story),
                        recurring_issues(rng, feats, story)], ignore_index=True)
    checks, issues = apply_rules(rng, admin, feats, story, checks, issues)
    checks = ensure_d1_touched(rng, feats, story, checks)
    issues = life_cycles(rng, issues, feats, story)
    issues = suppress_recurrence(rng, issues, feats)
    issues = issues.sort_values(["t", "x"], kind="stable").reset_index(drop=True)
    issues["issue_id"] = [f"WT2026-{i + 1:05d}" for i in range(len(issues))]
    issues = record_units(reference_style(rng, issues, feats, story["rules"]), feats, admin)
    issues["place"] = place_words(rng, issues, feats)
    led, upd = status_tables(rng, issues)
    issue_tab = issue_frame(issues, led)
    upd_tab = issue_tab.iloc[upd.i.values].reset_index(drop=True)
    upd_tab["整改状态"] = upd.status.values
    upd_tab["整改完成时间"] = fmt_minutes(upd.done).values
    upd_tab["更新时间"] = fmt_minutes(upd.t_upd).values
    upd_tab = upd_tab.iloc[np.lexsort((upd_tab["问题编号"], upd_tab["更新时间"]))]
    checks = checks.sort_values(["t", "x"], kind="stable").reset_index(drop=True)
    checks = record_units(reference_style(rng, checks, feats, story["rules"]), feats, admin)
    check_tab = pd.DataFrame({
        "记录编号": [f"XC2026-{i + 1:06d}" for i in range(len(checks))],
        "记录类型": checks.kind.values, "发现时间": fmt_minutes(checks.t).values,
        "经度": checks.lon.values, "纬度": checks.lat.values, "点位编号": checks.pid.values,
        "点位名称": checks.pname.values, "来源": checks.source.values,
        "责任单位": checks.unit.values, "所属区": checks.dname.values})
    upd_tab = upd_tab.reset_index(drop=True)
    bad_u = bad_update_rows(issue_tab, upd_tab)
    bad_i = bad_issue_rows(rng, admin, feats, story, issue_tab)
    bad_c = bad_check_rows(rng, admin, feats, story, check_tab)
    return {"issues": insert_rows(issue_tab, bad_i), "updates": insert_rows(upd_tab, bad_u),
                "checks": insert_rows(check_tab, bad_c), "story": story}


# ---------------------------------------------------------------- writing
def write_atomic(path: Path, writer: Callable[[Path], None]) -> None:
    """Run ``writer(tmp)`` in a temporary folder beside ``path``, then move every file
    it made (a Shapefile makes several) into place with ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        writer(tmpdir / path.name)
        for f in sorted(tmpdir.iterdir()):
            os.replace(f, path.parent / f.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_vector(gdf: gpd.GeoDataFrame, path: Path, driver: str, layer: str, **kw) -> None:
    """Write a GeoDataFrame atomically with pyogrio."""
    write_atomic(path, lambda tmp: pyogrio.write_dataframe(gdf, tmp, driver=driver, layer=layer,
                                                           **kw))


def wgs_frame(gdf: gpd.GeoDataFrame, cols: dict) -> gpd.GeoDataFrame:
    """Rename columns for output; geometry to WGS-84 on a 1e-6 degree grid."""
    out = gdf[list(cols)].rename(columns=cols).reset_index(drop=True)
    geom = shapely.set_precision(to_wgs(gdf.geometry.values), 1e-6)
    return gpd.GeoDataFrame(out, geometry=list(geom), crs="EPSG:4326")


def write_districts(admin: dict, out: Path) -> None:
    """districts.geojson: 区, 街道 and 社区 polygons nested by code/parent."""
    rows = [admin["districts"].assign(level="区"), admin["streets"].assign(level="街道"),
            admin["comms"].assign(level="社区")]
    df = pd.concat([r[["code", "name", "parent", "level", "geometry"]] for r in rows],
                   ignore_index=True)
    df["parent"] = df.parent.where(df.parent.notna(), None)
    gdf = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
    write_vector(gdf, out / "districts.geojson", "GeoJSON", "districts",
                 layer_options={"COORDINATE_PRECISION": 6})


def write_ledgers(ledgers: dict, out: Path) -> None:
    """alleys.gpkg, markets.shp (GBK), points.geojson (GCJ-02) and compounds.kml."""
    alleys = wgs_frame(ledgers["alleys"], {"fid": "alley_id", "name": "name", "unit": "unit",
                                           "road_chief": "road_chief"})
    write_vector(alleys, out / "alleys.gpkg", "GPKG", "alleys")
    markets = wgs_frame(ledgers["markets"], {"fid": "mkt_id", "name": "mkt_name", "unit": "unit"})
    write_vector(markets, out / "markets.shp", "ESRI Shapefile", "markets", encoding="GBK",
                 layer_options={"DBF_DATE_LAST_UPDATE": "2026-10-26"})
    pts = ledgers["points"]
    glon, glat = metric_to_gcj(pts.geometry.x.values, pts.geometry.y.values)
    points = gpd.GeoDataFrame(pts[["fid", "name", "type", "unit"]].rename(
        columns={"fid": "point_id"}).reset_index(drop=True),
        geometry=shapely.points(glon, glat), crs="EPSG:4326")  # coordinates are GCJ-02
    write_vector(points, out / "points.geojson", "GeoJSON", "points",
                 layer_options={"COORDINATE_PRECISION": 6})
    compounds = wgs_frame(ledgers["compounds"], {"fid": "cmp_id", "name": "name", "unit": "unit"})
    write_vector(compounds, out / "compounds.kml", "LIBKML", "compounds")


def pin_xlsx(path: Path) -> None:
    """Rewrite an .xlsx with fixed zip and document time stamps (byte-reproducible)."""
    with zipfile.ZipFile(path) as src:
        items = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + PINNED_TIME.encode(), data)
            info = zipfile.ZipInfo(name, date_time=(2026, 10, 26, 18, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """One sheet, headers in row 1, empty cells for missing values."""
    def writer(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if (v is None or v == "" or (isinstance(v, float) and np.isnan(v)))
                       else v for v in row])
        wb.save(tmp)
        pin_xlsx(tmp)
    write_atomic(path, writer)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    """CSV with CRLF line ends in the given encoding (utf-8-sig or gbk)."""
    text = frame.to_csv(index=False, lineterminator="\r\n", float_format="%.6f")
    write_atomic(path, lambda tmp: tmp.write_bytes(text.encode(encoding)))


def write_text(text: str, path: Path) -> None:
    """A UTF-8 text file, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def bad_rows_md() -> str:
    """BAD_ROWS.md: every deliberately bad row with file, row and defect."""
    lines = ["# Deliberately bad rows", "",
             "Row numbers are 1-based data rows: the header row is not counted (in Excel,",
             "data row n is sheet row n + 1). Every other row is well formed.", "",
             "| file | row | defect |", "|---|---|---|"]
    for fname, table in (("issues_2026.xlsx", BAD_ISSUE_ROWS),
                         ("inspections_gbk.csv", BAD_CHECK_ROWS),
                         ("rectification_updates.csv", BAD_UPDATE_ROWS)):
        for pos, kind in sorted(table.items()):
            rows = f"{pos}, {pos + 1}" if kind == "dup" else str(pos)
            lines.append(f"| {fname} | {rows} | {BAD_TEXT[kind]} |")
    return "\n".join(lines) + "\n"


CONFIG_TOML = """\
[city]
name = "示例市"

[defaults]
as_of = "2026-10-26"
window_days = 7
match_radius_m = 50
reach_m = 300
min_blindspot_m2 = 10000
recurrence_days = 30

[layers.districts]
path = "districts.geojson"
id = "code"
name = "name"
parent = "parent"
crs = "EPSG:4326"

[layers.alleys]
path = "alleys.gpkg"
id = "alley_id"
name = "name"
unit = "unit"
label = "背街小巷"
label_en = "Back alleys"

[layers.markets]
path = "markets.shp"
id = "mkt_id"
name = "mkt_name"
unit = "unit"
label = "农贸市场"
label_en = "Markets"

[layers.points]
path = "points.geojson"
id = "point_id"
name = "name"
unit = "unit"
type = "type"
label = "测评点位"
label_en = "Inspection points"
crs = "GCJ-02"

[layers.compounds]
path = "compounds.kml"
id = "cmp_id"
name = "name"
unit = "unit"
label = "老旧小区"
label_en = "Old compounds"

[records]
paths = ["records/*.xlsx", "records/*.csv"]
crs = "GCJ-02"
"""


def write_all(admin, ledgers, records, out: Path) -> None:
    """Write every file of the workspace into ``out``."""
    headers = {"issues": ISSUE_HEADERS, "updates": [*ISSUE_HEADERS, "更新时间"],
               "checks": INSPECTION_HEADERS}
    for key, want in headers.items():
        if list(records[key].columns) != want:
            msg = f"{key}: headers {list(records[key].columns)} instead of {want}"
            raise RuntimeError(msg)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": PINNED_TIME})
    write_districts(admin, out)
    write_ledgers(ledgers, out)
    rec = out / "records"
    write_xlsx(records["issues"], rec / "issues_2026.xlsx", "问题台账")
    write_csv(records["updates"], rec / "rectification_updates.csv", "utf-8-sig")
    write_csv(records["checks"], rec / "inspections_gbk.csv", "gbk")
    write_text(bad_rows_md(), rec / "BAD_ROWS.md")
    write_text(CONFIG_TOML, out / "geotool.toml")


# ---------------------------------------------------------------- verification
def read_back(out: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Ledger features and districts as written, in the metric CRS (points GCJ -> WGS)."""
    layers = []
    for fname, idc, namec, layer in (("alleys.gpkg", "alley_id", "name", "alleys"),
                                     ("markets.shp", "mkt_id", "mkt_name", "markets"),
                                     ("points.geojson", "point_id", "name", "points"),
                                     ("compounds.kml", "cmp_id", "Name", "compounds")):
        g = gpd.read_file(out / fname)
        geom = shapely.force_2d(np.asarray(g.geometry.values))
        if layer == "points":  # stored in GCJ-02
            geom = shapely.points(*gcj02_to_wgs84(shapely.get_x(geom), shapely.get_y(geom)))
        layers.append(pd.DataFrame({"fid": g[idc], "name": g[namec], "unit": g["unit"],
                                    "layer": layer, "geometry": to_metric(geom)}))
    feats = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs=METRIC_CRS)
    dist = gpd.read_file(out / "districts.geojson")
    dist = gpd.GeoDataFrame(dist.drop(columns="geometry"), crs=METRIC_CRS,
                            geometry=to_metric(np.asarray(dist.geometry.values)))
    d_only = dist[dist.level == "区"].reset_index(drop=True)
    idx = shapely.STRtree(d_only.geometry.values).query(
        shapely.point_on_surface(feats.geometry.values), predicate="intersects")
    feats["district"] = pd.Series(idx[1], index=idx[0]).groupby(level=0).first()
    return feats, dist


def read_records(out: Path, feats) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(all records with metric x/y/time/fid, issues with the latest update applied)."""
    iss = pd.read_excel(out / "records/issues_2026.xlsx", dtype=str)
    upd = pd.read_csv(out / "records/rectification_updates.csv", dtype=str, encoding="utf-8-sig")
    chk = pd.read_csv(out / "records/inspections_gbk.csv", dtype=str, encoding="gbk")
    recs = pd.concat([iss, chk], ignore_index=True)
    recs["time"] = pd.to_datetime(recs["发现时间"], format="%Y-%m-%d %H:%M", errors="coerce")
    lon = pd.to_numeric(recs["经度"], errors="coerce").values
    lat = pd.to_numeric(recs["纬度"], errors="coerce").values
    ok = (lon > 114.5) & (lon < 114.8) & (lat > 33.5) & (lat < 33.75)
    wl, wa = gcj02_to_wgs84(np.where(ok, lon, 114.65), np.where(ok, lat, 33.62))
    x, y = _TO_UTM.transform(wl, wa)
    name_to_fid = pd.Series(feats.fid.values, index=feats.name.values)
    ref = recs["点位编号"].where(recs["点位编号"].isin(feats.fid.values))
    ref = ref.fillna(recs["点位名称"].map(name_to_fid))
    recs["ref"] = np.where(ok, None, ref)
    recs["x"], recs["y"], recs["has_xy"] = np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok
    upd["t_upd"] = pd.to_datetime(upd["更新时间"], errors="coerce")
    last = upd.sort_values("t_upd").groupby("问题编号").last()
    fin = iss.drop_duplicates("问题编号").set_index("问题编号")
    common = fin.index.intersection(last.index)
    fin.loc[common, "整改状态"] = last.loc[common, "整改状态"]
    fin.loc[common, "整改完成时间"] = last.loc[common, "整改完成时间"]
    fin = fin.reset_index()
    fin = fin.merge(recs.drop_duplicates("问题编号")[["问题编号", "x", "y", "ref", "time"]],
                    on="问题编号")
    return recs[recs.time.notna()].reset_index(drop=True), fin


def touched(feats, recs: pd.DataFrame, radius_m: float = 50) -> pd.Series:
    """Per feature: the time of its latest record (within ``radius_m`` or naming it)."""
    xy = recs[recs.has_xy]
    fi, ri = shapely.STRtree(shapely.points(xy.x.values, xy.y.values)).query(
        feats.geometry.values, predicate="dwithin", distance=radius_m)
    a = pd.DataFrame({"fid": feats.fid.values[fi], "time": xy.time.values[ri]})
    b = recs.loc[recs.ref.notna(), ["ref", "time"]].rename(columns={"ref": "fid"})
    last = pd.concat([a, b]).groupby("fid").time.max()
    return last.reindex(feats.fid.values)


def verify_story(out: Path, story: dict) -> dict:
    """Measure the story on the written files and return the numbers."""
    feats, dist = read_back(out)
    recs, fin = read_records(out, feats)
    t_end = pd.Timestamp("2026-10-27")
    win = recs[(recs.time >= pd.Timestamp("2026-10-20")) & (recs.time < t_end)]
    last_any = touched(feats, recs[recs.time < t_end])
    last_win = touched(feats, win)
    open_ = fin["整改状态"].isin(STATUSES[:2])
    deadline = pd.to_datetime(fin["整改时限"], errors="coerce")
    overdue = open_ & (deadline < pd.Timestamp("2026-10-26"))
    res = {"districts": []}
    for d, (_, dname) in enumerate(DISTRICTS):
        m = feats.district.values == d
        res["districts"].append({
            "name": dname, "features": int(m.sum()),
            "touched_7d": int(last_win.notna().values[m].sum()),
            "issues": int((fin["所属区"] == dname).sum()),
            "open": int((open_ & (fin["所属区"] == dname)).sum()),
            "overdue": int((overdue & (fin["所属区"] == dname)).sum())})
    fa = feats.fid.isin(story["forgotten"]).values
    res["forgotten"] = {"street": story["forgotten_street"], "alleys": int(fa.sum()),
                            "last": str(pd.Series(last_any.values[fa]).max()),
                            "touched_since_1005": int((last_any.values[fa] >= np.datetime64(
                                "2026-10-05")).sum())}
    res["blind"] = blind_spots(dist, win, feats)
    od4 = fin[overdue & (fin["所属区"] == DISTRICTS[D4][1])]
    res["overdue_d4_top"] = od4["责任单位"].value_counts().head(3).to_dict()
    res["recurrence"] = recurrences(fin, feats)
    never = feats[last_any.isna().values]
    res["never"] = never.groupby("layer").size().to_dict()
    res["never_by_district"] = never.groupby("district").size().to_dict()
    res["volume"] = weekly_volume(recs)
    return res


def blind_spots(dist, win: pd.DataFrame, feats) -> dict:
    """Blind spots of 新城区: parts >= 1 ha with no window record within 300 m."""
    d3 = dist.geometry[(dist["level"] == "区") & (dist["name"] == DISTRICTS[D3][1])].iloc[0]
    pts = shapely.points(win.x[win.has_xy].values, win.y[win.has_xy].values)
    refs = feats.geometry[feats.fid.isin(win.ref.dropna())].values
    reach = shapely.union_all(np.concatenate([shapely.buffer(pts, 300, quad_segs=8),
                                              shapely.buffer(refs, 300, quad_segs=8)]))
    parts = [p for p in shapely.get_parts(shapely.difference(d3, reach)) if p.area >= 1e4]
    big = max(parts, key=lambda p: p.area)
    inside = feats[shapely.within(feats.geometry.values, big)]
    return {"largest_km2": round(big.area / 1e6, 2), "total_km2": round(sum(p.area for p in parts)
                / 1e6, 2), "parts": len(parts), "inside": inside.groupby("layer").size().to_dict()}


def recurrences(fin: pd.DataFrame, feats) -> dict:
    """Recurrence pairs per market (same type again within 30 days after a fix)."""
    mk = feats[feats.layer == "markets"]
    iss = fin[fin.x.notna()]
    fi, ii = shapely.STRtree(shapely.points(iss.x.values, iss.y.values)).query(
        mk.geometry.values, predicate="dwithin", distance=50)
    j = pd.DataFrame({"fid": mk.fid.values[fi], "type": iss["问题类型"].values[ii],
                          "t": iss.time.values[ii],
                          "done": pd.to_datetime(iss["整改完成时间"].values[ii], errors="coerce"),
                          "st": iss["整改状态"].values[ii]})
    m = j.merge(j, on=["fid", "type"], suffixes=("_a", "_b"))
    m = m[m.st_a.isin(["已整改", "已销号"]) & (m.done_a < m.t_b)
          & (m.t_b <= m.done_a + pd.Timedelta(days=30))]
    return m.groupby("fid").size().to_dict()


def weekly_volume(recs: pd.DataFrame) -> dict:
    """Records per week, per weekday vs weekend day, and the 晨查 time range."""
    t = recs.time[(recs.time >= START) & (recs.time < pd.Timestamp("2026-10-27"))]
    week = ((t - START).dt.days // 7 + 1).value_counts().sort_index()
    wkend = t.dt.day_of_week >= 5
    morning = recs.time[recs["来源"] == "晨查"].dt.strftime("%H:%M")
    return {"weeks": week.tolist(), "weekday_per_day": round(float((~wkend).sum()) / 40, 1),
                "weekend_per_day": round(float(wkend.sum()) / 16, 1),
                "morning": (morning.min(), morning.max())}


# ---------------------------------------------------------------- main
def generate(out: Path, verify: bool = True) -> dict | None:
    """Build the whole sample city and write it to ``out``."""
    rng = np.random.default_rng(SEED)
    admin = build_admin(rng)
    ledgers, zone = build_ledgers(rng, admin)
    feats = all_features(ledgers)
    story = pick_story(rng, admin, feats, zone)
    records = build_records(rng, admin, feats, story)
    write_all(admin, ledgers, records, out)
    return verify_story(out, story) if verify else None


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/make_sample_city.py [--out layers]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "layers")
    parser.add_argument("--no-verify", action="store_true", help="skip measuring the story")
    args = parser.parse_args(argv)
    res = generate(args.out, verify=not args.no_verify)
    if res is not None:
        for key, value in res.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
