"""Words of the input guards (issue #8): parameter ranges, file names, layers without
geometry, rows GDAL or a spreadsheet would drop without a word."""

from __future__ import annotations

GUARD: dict[str, tuple[str, str]] = {
    "guard.out_of_range": (
        "{where}：{name} = {value!r} 超出合理范围 {low}–{high} {unit}",
        "{where}: {name} = {value!r} is outside the sane range {low}–{high} {unit}",
    ),
    "guard.date_out_of_range": (
        "{where}：分析日期 {value} 超出合理范围 {low} 至 {high}",
        "{where}: the analysis date {value} is outside the sane range {low} to {high}",
    ),
    "guard.feature_count": (
        "GDAL 只读到文件中 {total} 个要素里的 {n} 个：请用 QGIS 打开检查后另存为 GeoJSON",
        ("GDAL read {n} of the {total} features the file holds: open it in QGIS, check it "
         "and save it as GeoJSON again"),
    ),
    "guard.no_geometry": (
        ("没有几何图形：这是{what}，共 {n} 行，列为 {columns}；台账图层需要点、线或面：请选择"
         "含几何的文件或图层（GeoJSON、GeoPackage、Shapefile、KML）"),
        ("holds no geometry: it is {what} of {n} rows with columns {columns}; a layer needs "
         "points, lines or polygons: choose a file or layer that has them (GeoJSON, "
         "GeoPackage, Shapefile, KML)"),
    ),
    "guard.what_folder": ("一个文件夹（GDAL 作为 {driver} 数据打开）",
                          "a folder (GDAL opens it as {driver} data)"),
    "guard.what_table": ("{driver} 属性表 {layer!r}", "the {driver} attribute table {layer!r}"),
    "reason.not_a_feature": (
        "不是要素：\"type\" 必须正好是 \"Feature\"（GIS 软件会直接跳过它）",
        "not a feature: its \"type\" must be exactly \"Feature\" (GIS software skips it)",
    ),
    "reason.bad_json_line": (
        "这一行不是完整的 JSON（文件被截断？）：GIS 软件会直接跳过它",
        "this line is not complete JSON (a file cut short?): GIS software skips it",
    ),
    "guard.layer_name_not_utf8": (
        "文件名不是 UTF-8 编码，GDAL 无法打开：请把它改成中文或英文名称后在配置中写明",
        ("the file name is not UTF-8, so GDAL cannot open it: rename it and write the new "
         "name in the config"),
    ),
    "reason.outside_header": (
        "这一行只在没有表头（或不使用）的列里有文字（表尾的制表人、备注？）：不是记录",
        "text only in columns without a header or not used (a footer, a note?): not a record",
    ),
    "reason.formula_without_value": (
        "公式没有保存计算结果（由脚本生成？）：请在 Excel/WPS 中打开并保存后重新导入",
        ("a formula saved without its value (written by a script?): open and save the file "
         "in Excel/WPS, then read it again"),
    ),
    "reason.deleted_record": (
        "该要素在 .dbf 中已标记为删除（在 GIS 中删除但未压缩文件）：GIS 软件会直接跳过它",
        ("marked deleted in the .dbf (deleted in a GIS, the file not packed): GIS software "
         "skips it"),
    ),
}
