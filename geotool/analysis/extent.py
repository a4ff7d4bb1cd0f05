"""The analysis extent in metres: clip districts to it, measure it, suggest one.

Blind spots, blind-spot shares and the area part of the score are computed
inside the extent (``[extent]``, read by :mod:`geotool.io.extent`); coverage
of ledger features is not affected. Without ``[extent]`` nothing changes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.crs import WGS84, metric_crs_for
from geotool.text import Join, Note

__all__ = ["analysis_extent", "clip_to_extent", "extent_areas", "suggest_extent"]

_QUAD_SEGS = 8


def analysis_extent(loaded, crs) -> shapely.Geometry | None:
    """The workspace's extent in the metric ``crs``, or ``None`` when there is none.

    Parameters
    ----------
    loaded : Loaded
        The workspace (``loaded.extent`` for ``path``/``layers``; the ledger
        features for ``buffer_m``).
    crs : pyproj.CRS
        The metric CRS of the analysis.
    """
    spec = loaded.workspace.extent
    if spec is None:
        return None
    if spec.buffer_m is not None:
        feats = loaded.features.to_crs(crs).geometry.values
        if not len(feats):
            return shapely.Polygon()
        return shapely.union_all(shapely.buffer(feats, spec.buffer_m, quad_segs=_QUAD_SEGS))
    if loaded.extent is None:
        return None
    return gpd.GeoSeries([loaded.extent], crs=WGS84).to_crs(crs).iloc[0]


def clip_to_extent(districts_m: gpd.GeoDataFrame, extent_m: shapely.Geometry | None
                   ) -> gpd.GeoDataFrame:
    """Districts cut to the extent (a copy; unchanged when ``extent_m`` is ``None``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 100, 100)], crs=32650)
    >>> float(clip_to_extent(d, box(50, 0, 200, 100)).area.iloc[0])
    5000.0
    """
    if extent_m is None:
        return districts_m
    out = districts_m.copy()
    shapely.prepare(extent_m)
    out["geometry"] = shapely.intersection(out.geometry.values, extent_m)
    return out


def extent_areas(districts_m: gpd.GeoDataFrame, extent_m: shapely.Geometry) -> pd.Series:
    """Area (m²) of each district inside the extent, indexed by district id."""
    inter = shapely.intersection(districts_m.geometry.values, extent_m)
    return pd.Series(shapely.area(inter), index=districts_m["district_id"].to_numpy())


def suggest_extent(loaded, *, buffer_m: float = 500.0, min_area_m2: float = 100e6,
                   max_share: float = 0.25) -> Note | None:
    """A note suggesting ``[extent]`` when districts are large and mostly empty of features.

    A top-level district counts when it is larger than ``min_area_m2`` and
    less than ``max_share`` of it lies within ``buffer_m`` of a ledger
    feature; the note is given when at least half of the top-level districts
    count. ``None`` when the workspace has an extent or no features.
    """
    if loaded.workspace.extent is not None or loaded.features.empty:
        return None

    crs = metric_crs_for(loaded.districts)
    districts = loaded.districts.to_crs(crs)
    top = districts[districts["level"] == districts["level"].min()]
    near = shapely.union_all(shapely.buffer(loaded.features.to_crs(crs).geometry.values,
                                            buffer_m, quad_segs=4))
    area = top.area.to_numpy()
    share = shapely.area(shapely.intersection(top.geometry.values, near)) / np.where(
        area > 0, area, 1.0)
    large = (area > min_area_m2) & (share < max_share)
    if large.sum() * 2 < len(top) or not large.any():
        return None
    names = top["name"].astype(str).to_numpy()[large]
    shown = list(names[:3]) + (["…"] if len(names) > 3 else [])
    return Note("extent.suggest", names=Join(shown, "、"), share=float(share[large].mean()),
                buffer_m=buffer_m)
