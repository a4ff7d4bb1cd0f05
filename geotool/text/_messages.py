"""Load notes and error messages: key -> (Chinese, English) ``str.format`` templates."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- fragments used inside other messages --------------------------------------------
    "where.sheet": ("工作表 {sheet!r}", "sheet {sheet!r}"),
    "where.header": ("表头", "the header"),
    "where.top_level": ("配置文件顶层", "the top level"),
    "where.command_line": ("命令行", "command line"),
    "hint.did_you_mean": ("是不是要写 {name!r}？", "did you mean {name!r}?"),
    "hint.allowed": ("可用的键：{names}", "allowed: {names}"),
    "hint.use_one_of": ("可用的列名：{names}", "use one of: {names}"),
    "word.none": ("无", "none"),
    "word.duplicate_column": ("{label}（重复）", "{label} (duplicate)"),
    "sep.tab": ("制表符", "tab"),
    "sep.fullwidth_comma": ("全角逗号 '，' ", "full-width comma '，'"),
    "sep.other": (" {sep!r} ", "{sep!r}"),

    # GEOS validity reasons (shapely.is_valid_reason), shown in the repaired-geometry note
    "geos.self_intersection": ("自相交", "Self-intersection"),
    "geos.ring_self_intersection": ("环自相交", "Ring Self-intersection"),
    "geos.too_few_points": ("点数太少", "Too few points"),
    "geos.hole_outside_shell": ("内环在外环之外", "Hole lies outside shell"),
    "geos.nested_holes": ("内环相互嵌套", "Nested holes"),
    "geos.nested_shells": ("外环相互嵌套", "Nested shells"),
    "geos.interior_disconnected": ("内部不连通", "Interior is disconnected"),
    "geos.duplicate_rings": ("环重复", "Duplicate Rings"),
    "geos.invalid_coordinate": ("坐标无效", "Invalid Coordinate"),
    "geos.ring_not_closed": ("环未闭合", "Ring is not closed"),
    "geos.other": ("{text}", "{text}"),

    # ---- load notes: ledger and district layers -------------------------------------------
    "note.shp_no_cpg": (
        "Shapefile 旁没有 .cpg 文件：属性按 {encoding} 编码读取",
        "no .cpg beside the Shapefile: attributes read as {encoding}",
    ),
    "note.kml_folders": (
        "读取了 {n} 个 KML 文件夹/图层：{names}",
        "read {n} KML folders/layers: {names}",
    ),
    "note.reader_warning": ("读取时的警告：{text}", "reader warning: {text}"),
    "note.repaired_geometry": (
        "修复了 {n} 个无效的几何图形（{kinds}）",
        "repaired {n} invalid geometry ({kinds})",
    ),
    "note.repaired_geometries": (
        "修复了 {n} 个无效的几何图形（{kinds}）",
        "repaired {n} invalid geometries ({kinds})",
    ),
    "note.ids_from_names": (
        "列 {column!r} 全部为空：以名称作为编号",
        "column {column!r} is empty throughout: the names are used as ids",
    ),
    "note.orphan_parents": (
        "{n} 个上级区划代码不在本图层中，按最高一级处理：{codes}",
        "{n} parent code(s) not in the layer, treated as top level: {codes}",
    ),
    "note.districts_overlap": (
        "层级为 {level} 的区划之间重叠了 {overlap:,.0f} 平方米：重叠处的场所归入占其大部分的区划",
        ("districts of level {level} overlap by {overlap:,.0f} m2: a place in the overlap belongs "
         "to the district holding most of it"),
    ),
    "note.features_outside": (
        "{n} 个台账点位不在任何区划内：已保留，不计入任何区划",
        "{n} feature(s) outside every district: kept, counted under no district",
    ),

    # ---- load notes: record files ----------------------------------------------------------
    "note.kind_is_category": (
        "{where}：列 {column!r} 填的是问题类型，已按问题类型读取",
        "{where}: column {column!r} holds issue categories, read as the category",
    ),
    "note.title_rows": (
        "{where}：跳过了表头上方的 {n} 行标题",
        "{where}: skipped {n} title row(s) above the header",
    ),
    "note.blank_rows": ("{where}：跳过了 {n} 个空行", "{where}: skipped {n} blank row(s)"),
    "note.nul_chars": (
        "删除了 {n} 个 NUL 空字符，导出的文件可能已损坏",
        "removed {n} NUL character(s), a sign of a damaged export",
    ),
    "note.separator": (
        "各列用{sep}分隔，而不是逗号 ','",
        "columns separated by {sep} instead of ','",
    ),
    "note.extra_cells": (
        "{n} 行的单元格比表头多（可能有未加引号的分隔符）：已隔离",
        "{n} row(s) have more cells than the header (an unquoted separator?): quarantined",
    ),
    "note.header_only": ("只有表头，没有数据行", "header only: no data rows"),
    "note.sheet_no_header": (
        "工作表 {sheet!r}：没有含可识别列名的表头，已跳过",
        "sheet {sheet!r}: no header with known column names, skipped",
    ),
    "note.merged_cells": (
        "工作表 {sheet!r}：表头下方的 {n} 个合并单元格已逐格填入合并的值",
        "sheet {sheet!r}: {n} merged cell(s) below the header take the merged value",
    ),
    "note.located_by_feature": (
        "{n} 条记录按点位编号或名称定位",
        "{n} record(s) located by their feature id or name",
    ),
    "note.blank_word_rows": (
        "跳过了 {n} 行只有空白占位词（NaN、NULL、-）的行",
        "{n} row(s) holding only blank words (NaN, NULL, -) skipped",
    ),
    "note.rectified_before_found": (
        "{n} 条记录的整改完成时间早于发现时间（如 {rows} 行），已照常使用，请核对台账",
        ("{n} record(s) rectified before they were found (e.g. {rows}): used as they are; "
         "check the ledger")),
    "note.updated_before_found": (
        "{n} 条记录的更新时间早于发现时间（如 {rows} 行），已照常使用，请核对台账",
        ("{n} record(s) updated before they were found (e.g. {rows}): used as they are; "
         "check the ledger")),
    "maps.unknown_district": (
        "没有代码为 {district!r} 的区：可选的区为 {ids}",
        "unknown district id {district!r}: the top-level districts are {ids}"),
    "maps.tianditu_key": (
        "天地图底图需要您的密钥：--tiles tianditu:<密钥>（在 lbs.tianditu.gov.cn 申请，8 到 64 位字母和数字）",
        ("tianditu tiles need your key: --tiles tianditu:<key> "
         "(the key from lbs.tianditu.gov.cn: 8 to 64 letters and digits)")),
    "maps.unknown_tiles": (
        "不认识的 --tiles 取值 {tiles!r}：可用 {choices}",
        "unknown --tiles value {tiles!r}: use {choices}"),
    "note.ids_across_layers": (
        ("{n} 个编号在多个台账图层中重复（如 {ids}）：按编号引用它们的记录会同时算作巡查了这几处，"
         "请让各图层编号互不相同"),
        ("{n} id(s) are used in more than one ledger layer (e.g. {ids}): a record naming one "
         "touches each feature with that id; make ids unique across layers")),
    "note.yearless_dates": (
        "{n} 个没写年份的日期按 {year} 年处理",
        "{n} date(s) written without a year taken as {year}",
    ),
    "note.pair_in_lon": (
        "{n} 个填在经度列里的“经度,纬度”已拆分为经度和纬度",
        "{n} coordinate pair(s) typed in the longitude column split into longitude and latitude",
    ),
    "note.skipped_files": (
        "跳过了 {n} 个不是 .csv/.xlsx 的文件：{names}",
        "skipped {n} file(s) that are not .csv/.xlsx: {names}",
    ),
    "note.records_outside": (
        "{n} 条记录略微超出所有区划（距城市边界 1 公里以内）：已保留",
        "{n} record(s) just outside every district (within 1 km of the city boundary): kept",
    ),
    "note.encoding": ("文本编码为 {encoding}", "text encoding {encoding}"),

    # ---- errors: the config ----------------------------------------------------------------
    "config.unknown_key": (
        "{where}中有未知的键 {key!r}（{hint}）",
        "unknown key {key!r} in {where} ({hint})",
    ),
    "config.not_whole_number": (
        "{where}：{name} 必须是整数，现在是 {value!r}",
        "{where}: {name} must be a whole number, got {value!r}",
    ),
    "config.not_number": (
        "{where}：{name} 必须是数字，现在是 {value!r}",
        "{where}: {name} must be a number, got {value!r}",
    ),
    "config.not_finite": (
        "{where}：{name} 必须是有限的数字，现在是 {value!r}",
        "{where}: {name} must be a finite number, got {value!r}",
    ),
    "config.not_positive": (
        "{where}：{name} 必须大于 0，现在是 {value!r}",
        "{where}: {name} must be positive, got {value!r}",
    ),
    "config.negative": (
        "{where}：{name} 不能是负数，现在是 {value!r}",
        "{where}: {name} must not be negative, got {value!r}",
    ),
    "config.bad_date": (
        "{where} 必须是 YYYY-MM-DD 格式的日期，现在是 {value!r}",
        "{where} must be a date YYYY-MM-DD, got {value!r}",
    ),
    "config.not_table": ("{where} 必须是一个表（table）", "{where} must be a table"),
    "config.needs_path": ("{where} 缺少 `path`", "{where} needs a `path`"),
    "config.not_string": (
        "{where} {name} 必须是字符串，现在是 {value!r}",
        "{where} {name} must be a string, got {value!r}",
    ),
    "config.empty_path": (
        "{where} path 为空：请填写该图层的文件名",
        "{where} path is empty: name the layer's file",
    ),
    "config.missing_file": (
        ("{where} path {given!r} 不存在（查找的是 {file}）：请改正路径（相对于 geotool.toml），或把"
         "文件复制到那里"),
        ("{where} path {given!r} does not exist (looked for {file}): fix the path (relative to "
         "geotool.toml) or copy the file there"),
    ),
    "config.crs": ("{where} 的 crs：{reason}", "{where} crs: {reason}"),
    "config.paths_not_list": (
        "[records] paths 必须是字符串列表，现在是 {value!r}",
        "[records] paths must be a list of strings, got {value!r}",
    ),
    "config.columns_not_map": (
        '[records.columns] 应把文件里的表头对应到标准列名，例如 "巡查日期" = "found_at"',
        '[records.columns] must map file headers to canonical names, e.g. "巡查日期" = "found_at"',
    ),
    "config.not_record_column": (
        "[records.columns] {header!r} = {canon!r}：不是记录的列名（{hint}）",
        "[records.columns] {header!r} = {canon!r}: not a record column ({hint})",
    ),
    "config.absent": (
        "这里没有 {name}：请新建一个（见 README 的“The workspace config”一节）",
        "no {name} here: create one (see README, 'The workspace config')",
    ),
    "config.bad_toml": ("不是有效的 TOML：{detail}", "not valid TOML: {detail}"),
    "config.not_utf8": (
        "不是 UTF-8 文本：请把配置文件另存为 UTF-8 编码",
        "not UTF-8 text: save the config as UTF-8",
    ),
    "config.no_districts": (
        "必须有 [layers.districts]：区划面图层",
        "[layers.districts] is required: the district polygons",
    ),

    # ---- errors: coordinate reference systems -----------------------------------------------
    "crs.unknown": (
        ("未知的坐标系 {value!r}：请用 EPSG 代码（如 'EPSG:4326'），"
         "或 'GCJ-02'（高德/腾讯）、'BD-09'（百度）"),
        ("unknown CRS {value!r}: use an EPSG code such as 'EPSG:4326', or 'GCJ-02' (AMap/Tencent) "
         "or 'BD-09' (Baidu)"),
    ),
    "crs.layer_none": (
        '图层没有坐标系：请在 geotool.toml 中为它设置 `crs`（如 crs = "EPSG:4326"）',
        'layer has no CRS: set `crs` for it in geotool.toml (e.g. crs = "EPSG:4326")',
    ),
    "crs.metric_no_crs": (
        "数据没有坐标系，无法选定以米为单位的投影坐标系",
        "cannot pick a metric CRS for data without a CRS",
    ),
    "crs.metric_empty": (
        "数据为空，无法选定以米为单位的投影坐标系",
        "cannot pick a metric CRS for empty data",
    ),

    # ---- errors: layer files ----------------------------------------------------------------
    "layer.is_spreadsheet": (
        ("台账图层必须是 GIS 文件（GeoJSON、GeoPackage、Shapefile 或 KML），不能是表格：请在 QGIS "
         "中用它的经度/纬度列生成点，另存为 GeoJSON"),
        ("a ledger layer must be a GIS file (GeoJSON, GeoPackage, Shapefile or KML), not a "
         "spreadsheet: make points from its 经度/纬度 columns in QGIS and save as GeoJSON"),
    ),
    "layer.no_such_layer": (
        "文件中没有图层 {layer!r}（现有：{names}）：请改正 geotool.toml 中的 `layer`",
        "no layer {layer!r} in the file (it has: {names}): fix `layer` in geotool.toml",
    ),
    "layer.several_layers": (
        ('文件中有 {n} 个图层（{names}）：请在它的 [layers.X] 表中用 layer = "{first}" 指定要读取的'
         "图层"),
        ('the file holds {n} layers ({names}): name the one to read with layer = "{first}" in its '
         "[layers.X] table"),
    ),
    "layer.unreadable": (
        "无法作为矢量图层读取（{detail}）：请检查文件及其格式",
        "cannot read as a vector layer ({detail}): check the file and its format",
    ),
    "layer.not_utf8": (
        "属性不是 UTF-8 编码：请添加一个内容为 GBK（或实际编码）的 .cpg 文件",
        "attributes are not UTF-8: add a .cpg file containing GBK (or the right encoding)",
    ),
    "layer.no_crs": (
        '图层没有坐标系：请在 {where} 中设置 crs（"EPSG:4326"、"GCJ-02" 或 "BD-09"）',
        'the layer has no CRS: set crs in {where} ("EPSG:4326", "GCJ-02" or "BD-09")',
    ),
    "layer.no_crs_projected": (
        '图层没有坐标系，坐标又是投影坐标：请在 {where} 中设置 crs，例如 "EPSG:4547"',
        'the layer has no CRS and projected coordinates: set crs in {where}, e.g. "EPSG:4547"',
    ),
    "layer.looks_projected": (
        ("坐标看起来是投影坐标（x {minx:.0f}..{maxx:.0f}，y {miny:.0f}..{maxy:.0f}），但图层标注的"
         '是 {claimed}：请在 {where} 中设置实际的投影坐标系，例如 crs = "EPSG:4547"（CGCS2000 3 度'
         "带高斯-克吕格，中央经线 114°E）"),
        ("coordinates look projected (x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}) but the "
         'layer claims {claimed}: set the real projected CRS in {where}, e.g. crs = "EPSG:4547" '
         "(CGCS2000 / 3-degree GK CM 114E)"),
    ),
    "layer.looks_degrees": (
        ("坐标看起来是经纬度（x {minx:.3f}..{maxx:.3f}，y {miny:.3f}..{maxy:.3f}），但图层标注的是"
         '投影坐标系 {claimed}：请在 {where} 中设置实际的坐标系，例如 crs = "EPSG:4326"（高德/腾讯'
         '的数据用 "GCJ-02"）'),
        ("coordinates look like degrees (x {minx:.3f}..{maxx:.3f}, y {miny:.3f}..{maxy:.3f}) but "
         "the layer claims the projected {claimed}: set the real datum in {where}, e.g. crs = "
         '"EPSG:4326" (or "GCJ-02" for AMap/Tencent data)'),
    ),
    "layer.no_column": (
        "没有用作 {role} 的列 {name!r}：请把 [layers.{key}] 中的 `{role}` 设为以下列之一：{have}",
        "no column {name!r} for the {role}: set `{role}` in [layers.{key}] to one of: {have}",
    ),
    "layer.no_district_polygon": (
        "图层中没有可用的区划面",
        "no usable district polygon in the layer",
    ),
    "layer.parent_cycle": (
        "区划的上级关系绕成了一个圈：{chain}",
        "districts' parents form a cycle: {chain}",
    ),

    # ---- errors: record files ---------------------------------------------------------------
    "table.zip_as_text": (
        "这是一个用文本文件名保存的 Excel/zip 文件：请把扩展名改为 .xlsx",
        "this is an Excel/zip file saved with a text name: rename it to .xlsx",
    ),
    "table.old_xls_file": (
        "这是旧版 Excel .xls 文件：请用 Excel/WPS 打开后另存为 .xlsx",
        "this is an old Excel .xls file: open it in Excel/WPS and save as .xlsx",
    ),
    "table.unreadable": (
        "无法读取文件（{reason}）：请确认文件没有被其他程序占用，并且有读取权限",
        "cannot read the file ({reason}): check it is not open elsewhere and you may read it",
    ),
    "table.unknown_encoding": (
        "无法判断文本编码：请另存为 UTF-8 或 GBK 编码的 CSV",
        "cannot tell the text encoding: save it as UTF-8 or GBK CSV",
    ),
    "table.empty": ("文件是空的：请重新导出记录", "the file is empty: export the records again"),
    "table.binary": (
        "文件里是二进制数据，不是文本：请重新导出为 CSV 或 .xlsx",
        "the file holds binary data, not text: export the records again as CSV or .xlsx",
    ),
    "table.no_header": (
        ("前 20 行中没有含可识别列名（如 问题编号、发现时间、经度、纬度）的表头行："
         "请加上表头，或在 [records.columns] 中对应好你的表头"),
        ("no header row with known column names (e.g. 问题编号, 发现时间, 经度, 纬度) in the first "
         "20 rows: add one, or map your headers in [records.columns]"),
    ),
    "table.bad_csv": (
        "CSV 格式不正确（{detail}）：请用 Excel/WPS 重新另存为 CSV",
        "not a well-formed CSV ({detail}): save it again from Excel/WPS as CSV",
    ),
    "table.not_xlsx": (
        "不是 .xlsx 工作簿（可能是改了扩展名的 CSV 或 .xls）：请用 Excel/WPS 重新另存为 .xlsx",
        ("not an .xlsx workbook (maybe a CSV or .xls renamed): save it again from Excel/WPS as "
         ".xlsx"),
    ),
    "table.xlsx_unopenable": (
        "无法作为 .xlsx 打开（{detail}）：请用 Excel/WPS 重新另存为 .xlsx",
        "cannot open as .xlsx ({detail}): save it again from Excel/WPS as .xlsx",
    ),
    "table.workbook_unreadable": (
        "无法读取工作簿（{detail}）：请用 Excel/WPS 重新另存为 .xlsx",
        "cannot read the workbook ({detail}): save it again from Excel/WPS as .xlsx",
    ),
    "table.no_sheet_header": (
        ("没有一个工作表在前 20 行中有含可识别列名（如 问题编号、发现时间、经度、纬度）的表头行：请"
         "加上表头，或在 [records.columns] 中对应好你的表头"),
        ("no sheet has a header row with known column names (e.g. 问题编号, 发现时间, 经度, 纬度) "
         "in its first 20 rows: add one, or map your headers in [records.columns]"),
    ),
    "table.not_found": ("找不到文件", "file not found"),
    "table.zero_bytes": (
        "文件是空的（0 字节）：请重新导出记录",
        "the file is empty (0 bytes): export the records again",
    ),
    "table.old_xls": (
        "不支持旧版 .xls 格式：请用 Excel/WPS 打开后另存为 .xlsx",
        "old .xls format is not supported: open it in Excel/WPS and save as .xlsx",
    ),
    "table.unsupported": (
        "不支持的记录文件类型 {suffix!r}：请使用 .csv 或 .xlsx",
        "unsupported record file type {suffix!r}: use .csv or .xlsx",
    ),

    # ---- errors: the workspace --------------------------------------------------------------
    "workspace.no_record_files": (
        ("[records] paths {paths} 在 {root} 中没有匹配到任何 .csv 或 .xlsx 文件：请改正 paths，或把"
         "记录文件放到那里"),
        ("[records] paths {paths} match no .csv or .xlsx file in {root}: fix the paths or put the "
         "record files there"),
    ),
}
