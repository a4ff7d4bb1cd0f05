"""Words of the distributed engine and the Parquet records: key -> (Chinese, English)."""

from __future__ import annotations

DASK: dict[str, tuple[str, str]] = {
    "dask.no_scheduler": (
        ("连不上 dask 调度器 {address}（{error}）：先在该机器上运行 dask scheduler，"
        "并检查地址和端口"),
        ("cannot reach the dask scheduler {address} ({error}): start dask scheduler there "
        "and check the address and port"),
    ),
    "dask.bad_workers": (
        "--workers 需要一个正整数（收到 {n}）",
        "--workers needs a positive whole number (got {n})",
    ),
    "dask.both_options": (
        "--workers 和 --scheduler 只能选一个",
        "use either --workers or --scheduler, not both",
    ),
    "dask.cluster": (
        "分布式计算：{where}，{parts} 个分区（每个顶层区县一个）",
        "distributed run: {where}, {parts} partitions (one per top-level district)",
    ),
    "dask.local": ("本机 {n} 个进程", "{n} local processes"),
    "dask.records_read": (
        "各节点读取记录 {n} 条",
        "records read by the workers: {n}",
    ),
    "parquet.mixed": (
        "记录文件不能既有 Parquet 又有表格：{names}。先用 geotool convert 把表格转换为 Parquet",
        ("record files mix Parquet and spreadsheets: {names}. Convert the spreadsheets with "
        "geotool convert first"),
    ),
    "parquet.not_geotool": (
        ("这个 Parquet 文件不是 geotool convert 写的（缺少 geotool 元数据）：请用 geotool convert "
        "从原始表格生成"),
        ("this Parquet file was not written by geotool convert (no geotool metadata): make it "
        "with geotool convert from the spreadsheets"),
    ),
    "parquet.stale": (
        "Parquet 记录是按另一套区划或台账图层分区的：图层改过后请重新运行 geotool convert",
        ("the Parquet records were partitioned for other district or ledger layers: run "
        "geotool convert again after changing the layers"),
    ),
    "parquet.unreadable": (
        "无法读取 Parquet 文件（{error}）",
        "cannot read the Parquet file ({error})",
    ),
    "parquet.converted": (
        "由 geotool convert 从 {n} 个表格文件转换，当时隔离 {q} 行（见 {quarantine}）",
        ("converted by geotool convert from {n} spreadsheet files; {q} rows were quarantined "
        "then (see {quarantine})"),
    ),
    "parquet.written": (
        "已写出 {files} 个 Parquet 文件（{rows} 条记录）到 {path}",
        "wrote {files} Parquet files ({rows} records) to {path}",
    ),
    "parquet.config_hint": (
        "在 geotool.toml 的 [records] 中写：paths = [\"{pattern}\"]",
        "in geotool.toml, set [records] paths = [\"{pattern}\"]",
    ),
    "parquet.no_tables": (
        "没有可转换的记录表格（CSV/xlsx）",
        "no record spreadsheets (CSV/xlsx) to convert",
    ),
}
