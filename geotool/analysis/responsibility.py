"""The responsibility check (责任全覆盖): does every square metre and every place have a unit?

Campaign offices divide the city into grid cells (网格) or communities, each
with a responsible unit, and every ledger place belongs to a unit. For the
polygon layer named in ``[check] layer`` this finds, in metres:

* **gaps**: parts of each top-level district covered by no cell (area, a
  point inside);
* **overlaps**: parts covered by two cells (area, both cells, a point inside);
* **features with no unit**: ledger features without a unit of their own and
  outside any cell that has one;
* **features outside every cell**.

Slivers narrower than 1 m (:data:`SLIVER_M` each side) and parts smaller
than ``min_area_m2`` are ignored: borders digitised twice never meet exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.crs import WGS84, metric_crs_for
from geotool.io.records import feature_anchor_points

__all__ = ["SLIVER_M", "CheckResult", "gaps_between", "overlaps_between", "responsibility_check"]


@dataclass
class CheckResult:
    """What the responsibility check found; every frame WGS-84.

    Attributes
    ----------
    gaps : GeoDataFrame
        ``district_id, part, area_m2, lon, lat`` (polygons).
    overlaps : GeoDataFrame
        ``cell_a, cell_b, area_m2, lon, lat`` (polygons), ``cell_a < cell_b``.
    no_unit : GeoDataFrame
        ``layer, feature_id, name`` of features with no responsible unit.
    outside : GeoDataFrame
        ``layer, feature_id, name`` of features outside every cell.
    layer : str
        The grid layer's key.
    cells : int
        Cells checked.
    """

    gaps: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame
    no_unit: gpd.GeoDataFrame
    outside: gpd.GeoDataFrame
    layer: str
    cells: int

    def counts(self) -> dict[str, int]:
        """Number of findings of each kind."""
        return {"gaps": len(self.gaps), "overlaps": len(self.overlaps),
                "no_unit": len(self.no_unit), "outside": len(self.outside)}


#: Slivers narrower than twice this (metres) are not gaps or overlaps: borders digitised
#: twice, or moved by a datum round trip, never meet exactly.
SLIVER_M = 0.5


def _parts(geoms: np.ndarray, min_area_m2: float) -> tuple[np.ndarray, np.ndarray]:
    """Polygon parts of each geometry at least ``min_area_m2``: (owner index, part).

    Each geometry is first opened by :data:`SLIVER_M` (shrunk, then grown
    back with mitred corners, which leaves rectangles exactly as they were).
    """
    geoms = shapely.buffer(shapely.buffer(geoms, -SLIVER_M, join_style="mitre"), SLIVER_M,
                           join_style="mitre")
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_dimensions(parts) == 2) & (shapely.area(parts) >= min_area_m2)
    return owner[keep], parts[keep]


def _with_points(frame: pd.DataFrame, geoms: np.ndarray, crs) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms) if len(geoms) else [], crs=crs)
    gdf["area_m2"] = np.round(gdf.area.to_numpy(), 1)
    inside = gpd.GeoSeries(shapely.point_on_surface(gdf.geometry.values), crs=crs).to_crs(WGS84)
    gdf["lon"] = np.round(inside.x.to_numpy(), 6)
    gdf["lat"] = np.round(inside.y.to_numpy(), 6)
    return gdf.to_crs(WGS84)


def gaps_between(districts_m: gpd.GeoDataFrame, cells_m: gpd.GeoDataFrame, *,
                 min_area_m2: float = 1.0) -> gpd.GeoDataFrame:
    """Parts of each district no cell covers (metric input; WGS-84 output).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"district_id": ["A"]}, geometry=[box(0, 0, 100, 100)], crs=32650)
    >>> c = gpd.GeoDataFrame({"feature_id": ["g1"]}, geometry=[box(0, 0, 60, 100)], crs=32650)
    >>> gaps_between(d, c)["area_m2"].tolist()
    [4000.0]
    """
    covered = shapely.union_all(cells_m.geometry.values)
    left = shapely.difference(districts_m.geometry.values, covered)
    owner, parts = _parts(left, min_area_m2)
    frame = pd.DataFrame({"district_id": districts_m["district_id"].to_numpy()[owner]})
    gdf = _with_points(frame, parts, districts_m.crs)
    gdf = gdf.sort_values(["district_id", "area_m2"], ascending=[True, False], kind="stable")
    gdf["part"] = gdf.groupby("district_id").cumcount() + 1
    return gdf[["district_id", "part", "area_m2", "lon", "lat", "geometry"]].reset_index(drop=True)


def overlaps_between(cells_m: gpd.GeoDataFrame, *, min_area_m2: float = 1.0) -> gpd.GeoDataFrame:
    """Areas two cells both cover (metric input; WGS-84 output), one row per pair and part.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> c = gpd.GeoDataFrame({"feature_id": ["g1", "g2"]},
    ...                      geometry=[box(0, 0, 60, 100), box(50, 0, 100, 100)], crs=32650)
    >>> overlaps_between(c)[["cell_a", "cell_b", "area_m2"]].values.tolist()
    [['g1', 'g2', 1000.0]]
    """
    geoms = cells_m.geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    ids = cells_m["feature_id"].astype(str).to_numpy()
    keep = ids[a] < ids[b]
    a, b = a[keep], b[keep]
    inter = shapely.intersection(geoms[a], geoms[b])
    owner, parts = _parts(inter, min_area_m2)
    frame = pd.DataFrame({"cell_a": ids[a][owner], "cell_b": ids[b][owner]})
    gdf = _with_points(frame, parts, cells_m.crs)
    gdf = gdf.sort_values(["cell_a", "cell_b", "area_m2"], ascending=[True, True, False],
                          kind="stable")
    return gdf[["cell_a", "cell_b", "area_m2", "lon", "lat", "geometry"]].reset_index(drop=True)


def responsibility_check(loaded, *, min_area_m2: float = 1.0) -> CheckResult | None:
    """Run the responsibility check on the grid layer named in ``[check] layer``.

    Parameters
    ----------
    loaded : Loaded
        The workspace; ``loaded.workspace.check`` names the grid layer.
    min_area_m2 : float
        Gaps and overlaps smaller than this (square metres) are ignored.

    Returns
    -------
    CheckResult or None
        ``None`` when the workspace names no grid layer.
    """
    spec = loaded.workspace.check
    if spec is None:
        return None

    crs = metric_crs_for(loaded.districts)
    districts_m = loaded.districts.to_crs(crs)
    top = districts_m[districts_m["level"] == districts_m["level"].min()]
    features_m = loaded.features.to_crs(crs).reset_index(drop=True)
    is_cell = (features_m["layer"] == spec.layer).to_numpy()
    is_poly = shapely.get_dimensions(features_m.geometry.values) == 2
    cells = features_m[is_cell & is_poly].reset_index(drop=True)
    places = features_m[~is_cell].reset_index(drop=True)
    gaps = gaps_between(top, cells, min_area_m2=min_area_m2)
    overlaps = overlaps_between(cells, min_area_m2=min_area_m2)

    anchors = feature_anchor_points(places).values
    p_idx, c_idx = shapely.STRtree(cells.geometry.values).query(anchors, predicate="within")
    in_cell = np.zeros(len(places), dtype=bool)
    in_cell[p_idx] = True
    cell_unit = cells["unit"].notna().to_numpy()
    unit_from_cell = np.zeros(len(places), dtype=bool)
    unit_from_cell[p_idx[cell_unit[c_idx]]] = True
    no_unit = places["unit"].isna().to_numpy() & ~unit_from_cell
    cols = ["layer", "feature_id", "name"]

    def pick(mask: np.ndarray) -> gpd.GeoDataFrame:
        out = gpd.GeoDataFrame(places.loc[mask, cols], geometry=anchors[mask], crs=crs)
        return out.to_crs(WGS84).sort_values(cols[:2], kind="stable").reset_index(drop=True)

    return CheckResult(gaps=gaps, overlaps=overlaps, no_unit=pick(no_unit),
                       outside=pick(~in_cell), layer=spec.layer, cells=len(cells))
