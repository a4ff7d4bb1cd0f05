"""Words of the command line's help and argument errors (``help.``, ``arg.``)."""

from __future__ import annotations

HELP: dict[str, tuple[str, str]] = {
    # ---- the parser itself ----
    "help.usage": ("用法：", "usage: "),
    "help.positionals": ("位置参数", "positional arguments"),
    "help.options": ("选项", "options"),
    "help.commands": ("命令", "commands"),
    "help.help": ("显示本帮助并退出", "show this help and exit"),
    "help.version": ("显示版本号并退出", "show the version and exit"),
    "help.lang": ("提示、地图和表格的语言：zh（中文，默认）或 en（英文）",
                  "language of messages, maps and spreadsheets: zh (Chinese, default) or en"),
    "help.examples": ("示例", "examples"),
    "help.prog": (
        ("geotool：创建全国文明城市的点位覆盖与缺口分析工具。读入工作区（geotool.toml 及其台账图层、"
        "巡查和问题记录），找出遗忘场所、盲区、超期和反弹问题，按区、街道、社区和责任单位排名，"
        "写出表格、各单位清单和离线地图。"),
        ("geotool: coverage and gap analysis for civilized-city campaign offices. It reads a "
        "workspace (geotool.toml with its ledger layers, inspection and issue records), finds "
        "forgotten places, blind spots, overdue and recurring issues, ranks districts, streets, "
        "communities and responsible units, and writes spreadsheets, each unit's list and "
        "offline maps.")),
    # ---- commands: one-line help, a paragraph, two examples ----
    "help.validate": ("读入工作区并核对每一行是否可用", "load a workspace and account for every row"),
    "help.validate.desc": (
        ("读入工作区的全部图层和记录，报告每个文件读入、使用和隔离的行数以及自动修复的内容；"
        "无法使用的行连同原因写入 quarantine.csv。加 --strict 时，只要有行被隔离就以退出码 3 结束，"
        "适合在每周汇总数据后先检查一遍。"),
        ("Reads every layer and record file of the workspace and reports, per file, the rows "
        "read, used and quarantined and what was repaired; unusable rows go to quarantine.csv "
        "with their reasons. With --strict the command exits with 3 when any row was "
        "quarantined: run it first when the week's data comes in.")),
    "help.validate.ex1": ("检查工作区", "check a workspace"),
    "help.validate.ex2": ("有隔离行时以退出码 3 结束", "exit 3 when rows were quarantined"),
    "help.gaps": ("写出遗忘场所、盲区、问题清单和各单位清单",
                  "write forgotten places, blind spots, issues and each unit's list"),
    "help.gaps.desc": (
        ("按分析日期（--as-of）计算：时间窗内无人巡查的台账点位（遗忘场所）、巡查够不到的区域（盲区）、"
        "未销号、超期和反弹的问题，以及区、街道、社区的得分和排名。写出 CSV、GeoJSON、"
        "全市总表 gaps.xlsx 和每个责任单位一本的清单（units/ 文件夹）。"),
        ("Computes, as of the analysis date (--as-of), the ledger places nobody inspected in the "
        "window (forgotten places), the areas no inspection reaches (blind spots), open, "
        "overdue and recurring issues, and the scores and rankings of districts, streets and "
        "communities. Writes CSV, GeoJSON, the city workbook gaps.xlsx and one workbook per "
        "responsible unit (the units/ folder).")),
    "help.gaps.ex1": ("按 10 月 30 日分析，写到 out/", "analyse as of 30 October, write to out/"),
    "help.gaps.ex2": ("巡查时间窗 14 天，英文表格", "a 14-day window, English spreadsheets"),
    "help.lists": ("只写出各责任单位的清单和汇总封面（每周下发用）",
                   "write only each unit's workbook and a cover (the week's hand-out)"),
    "help.lists.desc": (
        ("按分析日期为每个有任务的责任单位写一本可直接打印的清单（units/<单位>.xlsx）：遗忘场所、"
        "未销号问题（最紧急的在前）和反弹点位，表头有分析日期、各项数量和在全部单位中的排名；"
        "未填写责任单位的记录单列一本交创文办分派。封面按问题由多到少排列各单位。"),
        ("Writes, as of the analysis date, one printable workbook per responsible unit with "
        "something to do (units/<unit>.xlsx): its forgotten places, its open issues (most "
        "urgent first) and its recurring places, headed by the as-of date, its counts and its "
        "rank among the units; records naming no unit get a list of their own for the campaign "
        "office. The cover ranks the units worst first.")),
    "help.lists.ex1": ("本周的各单位清单", "this week's unit lists"),
    "help.lists.ex2": ("日期可以写成中文，英文表格", "a Chinese date, English workbooks"),
    "help.maps": ("每个区画一张离线交互地图", "render one offline interactive map per district"),
    "help.maps.desc": (
        ("按分析日期为每个区画一张可离线打开的交互地图（挂图作战）：台账点位按覆盖状态着色，"
        "问题、盲区和街道社区边界分图层显示，另有全市总览图。--district 只画指定的区（名称或代码）。"),
        ("Draws, as of the analysis date, one interactive map per district that opens offline "
        "(for the wall): ledger places coloured by coverage, issues, blind spots and street "
        "and community boundaries as layers, and a city overview. --district draws only the "
        "named districts (name or code).")),
    "help.maps.ex1": ("只画川东区，不用底图", "one district by its name, no base map"),
    "help.maps.ex2": ("高德底图（GCJ-02）并输出 PNG", "AMap tiles (GCJ-02) and PNG images"),
    "help.demo": ("在自带的示例市上运行全部命令", "run everything on the bundled sample city"),
    "help.demo.desc": (
        ("在源码自带的示例市上依次检查数据、计算缺口、写出各单位清单并画地图，"
        "结果写到 OUT/out 和 OUT/maps，用来熟悉工具或检查安装是否正常。"),
        ("Validates, finds the gaps, writes each unit's list and draws the maps of the sample "
        "city bundled with the source, into OUT/out and OUT/maps: to get to know the tool or "
        "check an installation.")),
    "help.demo.ex1": ("写到当前文件夹", "write into the current folder"),
    "help.demo.ex2": ("不联网，写到 /tmp/demo", "no network, into /tmp/demo"),
    "help.history": ("列出已保存的快照", "list the saved snapshots"),
    "help.history.desc": (
        ("列出工作区历史库中按分析日期保存的快照（gaps --save 或 [history] save = true 时保存），"
         "用来查看哪些周的结果可以比较。"),
        ("Lists the snapshots saved in the workspace's history store, one per analysis date "
         "(saved by gaps --save or [history] save = true): which weeks can be compared.")),
    "help.history.ex1": ("列出快照", "list the snapshots"),
    "help.history.ex2": ("英文输出", "in English"),
    "help.diff": ("比较两个日期之间的变化", "what changed between two dates"),
    "help.diff.desc": (
        ("比较两个分析日期（--from、--to）的结果：新增和销号的问题、重新覆盖和新遗忘的场所、排名的升降，"
         "写出 diff.csv 和 diff.xlsx；没有保存快照的日期当场计算。"),
        ("Compares the results of two analysis dates (--from, --to): issues opened and closed, "
         "places covered again and newly forgotten, ranks up and down, into diff.csv and "
         "diff.xlsx; a date with no saved snapshot is computed on the spot.")),
    "help.diff.ex1": ("比较两周", "compare two weeks"),
    "help.diff.ex2": ("写到 weekly/ 文件夹", "into the weekly/ folder"),
    "help.convert": ("把记录表格一次性转成分区的 GeoParquet",
                     "turn the record spreadsheets into partitioned GeoParquet, once"),
    "help.convert.desc": (
        ("把工作区的全部记录表格读入、清洗后按区写成分区的 GeoParquet 文件，之后的分析（包括 dask 集群）"
         "直接读这些文件，大城市的记录不必每次重新解析。"),
        ("Reads and cleans every record spreadsheet of the workspace once and writes it as "
         "GeoParquet partitioned by district; later runs (dask clusters too) read those files "
         "instead of parsing a big city's records again.")),
    "help.convert.ex1": ("写到工作区的 records_parquet/", "into the workspace's records_parquet/"),
    "help.convert.ex2": ("写到各节点都能读的共享盘", "onto storage every worker can read"),
    "help.convert_to": ("目标格式（目前只有 parquet）", "target format (parquet for now)"),
    "help.out_convert": ("Parquet 文件所在文件夹（默认 工作区/records_parquet）",
                         "folder for the Parquet files (default: WORKSPACE/records_parquet)"),
    "help.check": ("责任全覆盖检查：网格的空隙和重叠、没有责任单位的点位",
                   "responsibility check: grid gaps and overlaps, places with no unit"),
    "help.check.desc": (
        ("检查 [check] 中指定的网格图层是否把全市分干净（没有空隙、没有重叠），以及哪些台账点位"
         "没有责任单位，写出 check.xlsx 和 check.geojson。"),
        ("Checks that the grid layer named in [check] divides the city cleanly (no gaps, no "
         "overlaps) and which ledger places have no responsible unit; writes check.xlsx and "
         "check.geojson.")),
    "help.check.ex1": ("检查网格和责任单位", "check the grid and the units"),
    "help.check.ex2": ("英文表格", "English spreadsheets"),
    "help.risk": ("模拟测评抽样：预计失分和最该先整改的点位",
                  "simulate the evaluators' draw: expected points lost, places to fix"),
    "help.risk.desc": (
        ("按 [evaluation] 的抽样规则多次模拟测评组抽查点位，算出各区预计失分及其波动，"
         "并列出最该先整改的点位，写出 risk.csv 和 risk_places.csv；同一个随机种子得到同样的结果。"),
        ("Simulates the evaluators' draw of places many times with the rules in [evaluation]: "
         "the points each district is expected to lose and their spread, and the places to fix "
         "first, into risk.csv and risk_places.csv; the same seed gives the same figures.")),
    "help.risk.ex1": ("默认一万次模拟", "10,000 simulated evaluations"),
    "help.risk.ex2": ("两万次，换一个随机种子", "20,000 of them with another seed"),
    "help.route": ("规划一条走遍遗忘场所的晨查路线", "a short inspection tour through forgotten places"),
    "help.route.desc": (
        ("为一个区、街道或社区规划一条较短的晨查路线，经过其遗忘场所（或风险最高的点位），"
         "写出 route.csv、route.xlsx、GPX、KML（另有 GCJ-02 版本）和一张路线图 route.html。"),
        ("Plans a short morning-inspection tour through a district's (street's, community's) "
         "forgotten places (or its riskiest places): route.csv, route.xlsx, GPX and KML (with "
         "GCJ-02 twins) and a map, route.html.")),
    "help.route.ex1": ("川东区的遗忘场所", "the forgotten places of one district"),
    "help.route.ex2": ("一个街道，最多 12 站，不回起点", "one street, at most 12 stops, one way"),
    # ---- options ----
    "help.out_check": ("check.xlsx/check.geojson 所在文件夹（默认 out）",
                       "folder for check.xlsx/check.geojson (default: out)"),
    "help.draws": ("模拟次数（默认 10000）", "simulated evaluations (default 10000)"),
    "help.seed": ("随机种子（默认 0）：种子相同，结果相同", "random seed (default 0): same seed, same figures"),
    "help.route_district": ("区、街道或社区代码", "district, street or community id"),
    "help.start": ("起点 经度,纬度（WGS-84）；默认为区域中心", "start LON,LAT (WGS-84); default: the area's centre"),
    "help.stops": ("遗忘场所（默认）、风险最高的点位，或两者", "forgotten places (default), the riskiest places, or both"),
    "help.max_stops": ("最多 N 站，按优先级", "at most N stops, by priority"),
    "help.one_way": ("在最后一站结束（默认回到起点）", "end at the last stop (default: back to the start)"),
    "help.route_tiles": ("route.html 的底图（同 maps）", "base map of route.html (as for maps)"),
    "help.mv_lonlat": ("经度,纬度", "LON,LAT"),
    "help.save": ("同时把本次结果保存到历史库（[history]）",
                  "also save this date's snapshot in the history store ([history])"),
    "help.workers": ("在 N 个进程的 dask 本地集群上运行（每个区一个任务）",
                     "run on a dask LocalCluster of N worker processes (one task per district)"),
    "help.scheduler": ("在运行中的 dask 集群上运行，如 tcp://10.0.0.5:8786（各节点须能读到记录文件）",
                       ("run on a running dask cluster, e.g. tcp://10.0.0.5:8786 (records must "
                        "be on storage every worker can read)")),
    "help.from": ("起始日期 D1", "first date D1"),
    "help.to": ("结束日期 D2", "second date D2"),
    "help.out_diff": ("diff.csv/diff.xlsx 所在文件夹（默认 out）",
                      "folder for diff.csv/diff.xlsx (default: out)"),
    "help.mv_n": ("个数", "N"),
    "help.mv_address": ("地址", "ADDRESS"),
    "help.workspace": ("工作区文件夹（含 geotool.toml）", "workspace folder (with geotool.toml)"),
    "help.strict": ("有行被隔离时以退出码 3 结束", "exit 3 when any row was quarantined"),
    "help.out_validate": ("quarantine.csv 所在文件夹（默认 out）",
                          "folder for quarantine.csv (default: out)"),
    "help.out": ("输出文件夹（默认 {default}）", "output folder (default: {default})"),
    "help.out_demo": ("写到 OUT/out（表格）和 OUT/maps（地图）", "writes OUT/out (lists) and OUT/maps"),
    "help.as_of": ("分析日期，如 2026-10-30、2026/10/30 或 2026年10月30日",
                   "analysis date, e.g. 2026-10-30 or 2026/10/30 (Chinese dates too)"),
    "help.window_days": ("巡查时间窗（天）", "coverage window, days"),
    "help.match_radius_m": ("记录与台账点位的匹配距离（米）", "record-to-place distance, metres"),
    "help.reach_m": ("一条记录覆盖的半径，超出即为盲区（米）", "blind-spot reach, metres"),
    "help.min_blindspot_m2": ("最小盲区面积（平方米）", "smallest blind spot, m²"),
    "help.recurrence_days": ("反弹判定天数", "recurrence window, days"),
    "help.district": ("只画这个区（名称或代码，可重复）", "only this district, name or code (repeatable)"),
    "help.tiles": (
        ("底图：amap（默认，高德，GCJ-02，数据随之偏移；瓦片加载不了时显示空白底图并提示）、"
         "none（完全不联网）、osm（WGS-84）、tianditu:KEY、内网瓦片地址模板 {{z}}/{{x}}/{{y}}，"
         "或 gcj02:URL（GCJ-02 内网瓦片）"),
        ("base map: amap (default; GCJ-02: data is shifted to match; a plain background with "
         "a note when tiles do not load), none (no network at all), osm (WGS-84), "
         "tianditu:KEY, a tile URL template {{z}}/{{x}}/{{y}} (intranet), or gcj02:URL for a "
         "GCJ-02 intranet server")),
    "help.png": ("同时为每个区输出一张静态 PNG", "also write a static PNG per district"),
    # ---- placeholders in the usage line ----
    "help.mv_date": ("日期", "DATE"),
    "help.mv_days": ("天数", "DAYS"),
    "help.mv_m": ("米", "M"),
    "help.mv_m2": ("平方米", "M2"),
    "help.mv_folder": ("文件夹", "FOLDER"),
    "help.mv_workspace": ("工作区", "WORKSPACE"),
    "help.mv_command": ("命令", "COMMAND"),
    "help.mv_district": ("区", "DISTRICT"),
    "help.mv_tiles": ("底图", "TILES"),
    # ---- progress on a terminal ----
    "progress.load": ("读入工作区…", "reading the workspace…"),
    "progress.analyse": ("分析中…", "analysing…"),
    "progress.write": ("写出文件…", "writing files…"),
    "progress.units": ("写出各单位清单…", "writing the units' workbooks…"),
    "progress.maps": ("画地图…", "drawing maps…"),
    # ---- argument errors ----
    "arg.unknown_option": ("不认识的选项 {option!r}", "unknown option {option!r}"),
    "arg.unknown_command": ("没有 {name!r} 这个命令（可用：{names}）",
                            "no command {name!r} (commands: {names})"),
    "arg.extra": ("多余的参数 {value!r}", "unexpected argument {value!r}"),
    "arg.required": ("缺少参数：{names}", "missing argument(s): {names}"),
    "arg.needs_value": ("选项 {option} 后面要跟一个值", "option {option} needs a value"),
    "arg.bad_choice": ("选项 {option} 不接受 {value!r}（可用：{names}）",
                       "option {option} does not take {value!r} (use one of: {names})"),
    "arg.not_int": ("选项 {option} 要一个整数，不是 {value!r}",
                    "option {option} takes a whole number, not {value!r}"),
    "arg.not_number": ("选项 {option} 要一个数，不是 {value!r}",
                       "option {option} takes a number, not {value!r}"),
    "arg.bad_date": ("选项 --as-of 的 {value!r} 不是日期（可写 2026-10-30、2026/10/30 或 2026年10月30日）",
                     "--as-of {value!r} is not a date (write 2026-10-30 or 2026/10/30)"),
    "arg.other": ("{text}", "{text}"),
    "arg.out_of_range": ("{value} 超出合理范围 {low}–{high} {unit}",
                         "{value} is outside the sane range {low}–{high} {unit}"),
    "arg.not_positive": ("要一个正整数，不是 {value!r}", "not a positive whole number: {value!r}"),
    "arg.unknown_district": ("没有 {value!r} 这个区（可用：{names}）",
                             "no district {value!r} (districts: {names})"),
}
