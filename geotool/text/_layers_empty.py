"""Words for ledger layers with nothing to read (issue #8): keys ``layer_empty.*``."""

from __future__ import annotations

LAYER_EMPTY: dict[str, tuple[str, str]] = {
    "layer_empty.no_features": (
        ("图层 [layers.{key}] 中没有任何要素（空的 FeatureCollection）：请重新导出该图层，"
         "或从 geotool.toml 中删除 [layers.{key}]"),
        ("layer [layers.{key}] holds no features (an empty FeatureCollection): export the layer "
         "again, or remove [layers.{key}] from geotool.toml"),
    ),
    "layer_empty.no_attributes": (
        ("图层 [layers.{key}] 的要素只有几何、没有任何属性列，找不到用作 {role} 的列 {name!r}："
         "请导出时保留属性表（至少一列编号）"),
        ("the features of [layers.{key}] have a geometry but no attribute column at all, so "
         "there is no column {name!r} for the {role}: export the layer with its attribute table "
         "(at least an id column)"),
    ),
}
