"""Place names for popups: district paths and containing areas as names, not codes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.crs import WGS84
from geotool.output.render._display import DECIMALS, to_datum

__all__ = ["containing_names", "id_names", "path_names"]


def _names(districts: pd.DataFrame) -> pd.Series:
    ids = districts["district_id"].astype(str).to_numpy()
    names = districts["name"].astype("string").fillna(pd.Series(ids, index=districts.index,
                                                                 dtype="string"))
    return pd.Series(names.to_numpy(), index=ids, dtype="string")


def path_names(paths: pd.Series, districts: pd.DataFrame, *, sep: str = " / ") -> pd.Series:
    """``a/b/c`` district-id paths as ``name_a / name_b / name_c`` (unknown ids kept).

    Examples
    --------
    >>> d = pd.DataFrame({"district_id": ["1", "11"], "name": ["甲区", "一街道"]})
    >>> path_names(pd.Series(["1/11", "1/99", None]), d).tolist()
    ['甲区 / 一街道', '甲区 / 99', '']
    """
    names = _names(districts)
    parts = paths.astype("string").fillna("").str.split("/", expand=True)
    if parts.empty or parts.shape[1] == 0:
        return pd.Series("", index=paths.index, dtype="string")
    shown = parts.apply(lambda col: col.map(names).fillna(col))  # one map per path level
    out = shown.iloc[:, 0].fillna("")
    for k in range(1, shown.shape[1]):
        col = shown.iloc[:, k]
        out = out.where(col.isna() | (col == ""), out + sep + col.fillna(""))
    return out.fillna("")


def id_names(ids: pd.Series, features: pd.DataFrame, *, limit: int = 40,
             sep: str = "、") -> pd.Series:
    """``;``-separated feature ids as their names (first ``limit``, then ``…``)."""
    names = pd.Series(features["name"].astype("string").fillna(
        features["feature_id"].astype("string")).to_numpy(),
        index=features["feature_id"].astype(str).to_numpy()).groupby(level=0).first()
    exploded = ids.astype("string").fillna("").str.split(";").explode()
    exploded = exploded[exploded.fillna("") != ""]
    shown = exploded.map(names).fillna(exploded)
    rank = shown.groupby(level=0).cumcount()
    joined = shown[rank < limit].groupby(level=0).agg(sep.join)
    more = rank.groupby(level=0).max().ge(limit)
    joined = joined.where(~more.reindex(joined.index, fill_value=False), joined + " …")
    return joined.reindex(ids.index, fill_value="").astype("string")


def containing_names(geoms: gpd.GeoSeries, nested: dict[int, gpd.GeoDataFrame], *,
                     sep: str = " / ") -> pd.Series:
    """Names of the nested areas (streets, communities) each shape lies in, joined.

    A shape is placed by its representative point; each depth contributes the
    name of the area containing that point.
    """
    out = pd.Series("", index=geoms.index, dtype="string")
    if geoms.empty:
        return out
    pts = gpd.GeoDataFrame(geometry=geoms.representative_point().values, crs=geoms.crs,
                           index=geoms.index)
    for depth in sorted(nested):
        areas = nested[depth]
        if areas.empty:
            continue
        areas = areas.to_crs(geoms.crs) if areas.crs != geoms.crs else areas
        idx_pts, idx_areas = areas.sindex.query(pts.geometry.values, predicate="within")
        names = areas["name"].astype("string").fillna(areas["district_id"].astype("string"))
        first = pd.Series(names.to_numpy()[idx_areas], index=pts.index[idx_pts])
        first = first[~first.index.duplicated()]
        found = first.reindex(out.index)
        has = found.notna().to_numpy()
        out = pd.Series(np.where(has & (out != ""), out + sep + found.fillna(""),
                                 np.where(has, found.fillna(""), out)), index=out.index,
                        dtype="string")
    return out


def place_labels(nested: dict[int, gpd.GeoDataFrame], features: gpd.GeoDataFrame, *,
                 metric_crs: str, datum: str, max_features: int = 40) -> dict:
    """Names to write on the map so it reads without a base map.

    Street (rank 0) and community (rank 1) names at a point inside each area
    when the districts have them; otherwise the names of the largest ledger
    features (areas by area, lines by length; rank 1 for the ten largest,
    2 for the rest). ``layout`` in the browser hides any that would collide.

    Returns
    -------
    dict
        ``{"lat", "lon", "text", "rank"}`` lists, positions in ``datum``.
    """

    frames = []
    for depth in sorted(nested)[:2]:
        areas = nested[depth]
        if areas.empty:
            continue
        named = areas[areas["name"].astype("string").fillna("") != ""]
        frames.append(gpd.GeoDataFrame({"text": named["name"].astype(str).to_numpy(),
                                        "rank": min(depth - 1, 1)},
                                       geometry=named.geometry.representative_point().values,
                                       crs=areas.crs))
    if not frames and features is not None and not features.empty:
        named = features[features["name"].astype("string").fillna("") != ""]
        metric = named.geometry.to_crs(metric_crs)
        size = np.where(metric.area.to_numpy() > 0, metric.area.to_numpy(),
                        metric.length.to_numpy() * 10.0)
        top = np.argsort(-size, kind="stable")[:max_features]
        top = top[size[top] > 0]
        chosen = named.iloc[top]
        frames.append(gpd.GeoDataFrame(
            {"text": chosen["name"].astype(str).to_numpy(),
             "rank": np.where(np.arange(len(chosen)) < 10, 1, 2)},
            geometry=chosen.geometry.representative_point().values, crs=named.crs))
    if not frames:
        return {"lat": [], "lon": [], "text": [], "rank": []}
    allf = pd.concat(frames, ignore_index=True)
    shown = to_datum(gpd.GeoDataFrame(allf, geometry="geometry", crs=WGS84), datum)
    return {"lat": np.round(shown.geometry.y.to_numpy(), DECIMALS).tolist(),
            "lon": np.round(shown.geometry.x.to_numpy(), DECIMALS).tolist(),
            "text": allf["text"].tolist(), "rank": allf["rank"].astype(int).tolist()}
