"""Words of real offices' inputs: flagged cells, value mappings, the datum guard,
spreadsheet ledgers, the analysis extent and the responsibility check."""

from __future__ import annotations

INPUTS: dict[str, tuple[str, str]] = {
    "flag.kept": ("{reason}：记录已保留，该项留空",
                  "{reason}: the record is kept, this field left empty"),
    "sheet.flagged": ("已标记", "Flagged"),
    "header.problems": ("待核实项", "Problems"),
    "header.address": ("地址", "Address"),
    "cli.flagged_written": ("已标记的单元格清单：{path}", "flagged cells listed in {path}"),
    "cli.flagged_summary": ("已标记（记录保留，该项留空）", "flagged (record kept, field left empty)"),
    "cli.read_used_q_flagged": ("读入 {read}，使用 {used}，隔离 {q}，标记 {f}",
                                "read {read}, used {used}, quarantined {q}, flagged {f}"),
    "note.columns_not_used_map": (
        ("未使用的列：{columns}；要使用其中一列，在 geotool.toml 的 [records.columns] 中写明，"
        "例如 \"{example}\" = \"description\"（可用的名称：{names}）"),
        ("columns not used: {columns}; to use one, map it in [records.columns] of geotool.toml, "
        "e.g. \"{example}\" = \"description\" (names: {names})")),
    "config.values_not_map": (
        "[records.values] 的每一项应为一张表，例如 {example}；{where} 不是",
        "each entry of [records.values] must be a table, e.g. {example}; {where} is not"),
    "config.values_bad_target": (
        "[records.values] 中 {column} 的值 {value!r} 映射到 {target!r}，不是 {canon} 可用的值：可用 {allowed}",
        "[records.values]: {column} maps {value!r} to {target!r}, not a value of {canon}: use {allowed}"),
    "config.values_unknown_column": (
        "[records.values] 中的列 {column!r} 不是已识别的列，也不在 [records.columns] 中{hint}",
        "[records.values]: column {column!r} is neither a recognised header nor in [records.columns]{hint}"),
    "note.values_mapped": ("按 [records.values] 换算了列 {column} 的 {n} 个值",
                           "{n} value(s) of column {column} mapped by [records.values]"),
    "datum.warning": (
        ("{file}：坐标看起来是 {likely}，不是 {configured}（{n} 条记录与台账要素的典型偏差 {before} 米，"
        "按 {likely} 换算后 {after} 米）：{fix}"),
        ("{file}: coordinates look like {likely}, not {configured} ({n} records lie a typical "
        "{before} m from their ledger features, {after} m when read as {likely}): {fix}")),
    "datum.fix_add": ("在 {section} 中加上 crs = \"{crs}\"", "add crs = \"{crs}\" to {section}"),
    "datum.fix_wgs84": ("把 {section} 中的 crs 改为 \"EPSG:4326\"（或删去）",
                        "set crs = \"EPSG:4326\" in {section} (or remove it)"),
    "cli.warning": ("警告", "warning"),
    "cli.strict_datum": ("--strict：{n} 个文件的坐标系看起来不对", "--strict: {n} file(s) seem to be in the wrong datum"),
    "layer.ids_name_counter": (
        ("没有可用的编号列 {column!r}：以名称作编号（重名的加 -2、-3…，无名称的为 {key}-<行号>）；"
        "以后请在台账中加一列编号"),
        ("no usable id column {column!r}: ids made from the names (repeats get -2, -3 …, "
        "unnamed features {key}-<row>); add an id column to the ledger")),
    "sheet_layer.no_geocoding": (
        "{n} 行只有地址没有经纬度，已隔离：geotool 不联网，不做地址解析，请补上经纬度",
        ("{n} row(s) have an address but no coordinates and were quarantined: geotool works "
        "offline and does not geocode addresses; add their coordinates")),
    "extent.one_way": (
        "[extent] 需要且只需要 path、layers、buffer_m 三者之一（现有：{given}）",
        "[extent] takes exactly one of path, layers, buffer_m (given: {given})"),
    "extent.crs_needs_path": ("[extent] 的 crs/layer 只用于 path", "[extent] crs/layer go with path only"),
    "extent.bad_layers": (
        "[extent] layers 中的 {value!r} 不是台账图层：可用 {known}",
        "[extent] layers: {value!r} is not a ledger layer: use {known}"),
    "extent.no_polygon": ("范围文件中没有面要素：分析范围必须是面",
                          "no polygon in the extent file: the analysis extent must be polygons"),
    "extent.layers_no_polygon": (
        "[extent] layers 所列图层中没有面要素：{layers}",
        "[extent] layers hold no polygon: {layers}"),
    "extent.suggest": (
        ("区划面积大，且大多远离台账点位（{names}：台账点位 {buffer_m:.0f} 米内只占面积的 {share:.0%}）："
        "盲区占比会接近 100%。可在 geotool.toml 中加上 [extent]，例如 buffer_m = {buffer_m:.0f}，"
        "或 path = \"建成区.geojson\""),
        ("districts are large and mostly far from the ledger features ({names}: only {share:.0%} "
        "of the area lies within {buffer_m:.0f} m of one): blind-spot shares will be near 100%; "
        "add [extent] to geotool.toml, e.g. buffer_m = {buffer_m:.0f} or path = \"built_up_area.geojson\"")),
    "map.extent": ("分析范围", "Analysis extent"),
    "header.extent_area_m2": ("分析范围面积(平方米)", "Extent area (m²)"),
    "check.bad_layer": (
        "[check] layer = {value!r} 不是台账图层：写上网格或社区面图层的名称，可用 {known}",
        "[check] layer = {value!r} is not a ledger layer: name the grid or community polygon layer, one of {known}"),
    "check.none": (
        "geotool.toml 中没有 [check]：加上 [check] layer = \"网格图层名\"",
        "no [check] in geotool.toml: add [check] layer = \"<grid layer>\""),
    "check.summary": (
        ("责任全覆盖检查（图层 {layer}，{cells} 个网格）：空白 {gaps} 处（{gap_area:,.0f} 平方米），"
        "重叠 {overlaps} 处（{overlap_area:,.0f} 平方米），无责任单位的点位 {no_unit} 个，"
        "不在任何网格内的点位 {outside} 个"),
        ("responsibility check (layer {layer}, {cells} cells): {gaps} gap(s) ({gap_area:,.0f} m²), "
        "{overlaps} overlap(s) ({overlap_area:,.0f} m²), {no_unit} feature(s) with no unit, "
        "{outside} feature(s) outside every cell")),
    "check.written": ("检查结果已写入 {path}", "check results written to {path}"),
    "sheet.check_gaps": ("网格空白", "Gaps"),
    "sheet.check_overlaps": ("网格重叠", "Overlaps"),
    "sheet.check_no_unit": ("无责任单位", "No unit"),
    "sheet.check_outside": ("不在网格内", "Outside cells"),
    "header.cell_a": ("网格甲", "Cell A"),
    "header.cell_b": ("网格乙", "Cell B"),
    "header.problem": ("问题", "Problem"),
    "check.problem_gap": ("网格空白", "gap"),
    "check.problem_overlap": ("网格重叠", "overlap"),
    "check.problem_no_unit": ("无责任单位", "no unit"),
    "check.problem_outside": ("不在网格内", "outside every cell"),
    "datum.warning_districts": (
        ("{file}：区划边界看起来是 {likely}，不是 {configured}（写明所属区的 {n} 条记录中有 {before:.0f} 条"
        "不在该区内，按 {likely} 换算后 {after:.0f} 条）：{fix}"),
        ("{file}: district borders look like {likely}, not {configured} ({before:.0f} of {n} records "
        "that name their district lie outside it, {after:.0f} when read as {likely}): {fix}")),
}
