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

from __future__ import annotations

from sample_city.city import generate

__all__ = ["generate"]
