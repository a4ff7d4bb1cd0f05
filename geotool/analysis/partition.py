"""Splitting the gap analysis by geography, and putting it back together.

A **partition** is one top-level district (区/县). It *owns*:

* the ledger features assigned to it (:func:`~geotool.analysis.districts.district_paths`;
  a feature in no district goes to the nearest one);
* the records whose **anchor** lies in it (the anchor of a record is the
  location of its first version, by ``found_at`` then file order: the place
  the analysis uses for it; a record in no district goes to the nearest one).
  All versions of a ``record_id`` share one anchor, so an issue is owned,
  with all its versions, by exactly one partition.

Besides its own records a partition gets a **halo**: every record whose
anchor lies within ``max(reach_m, match_radius_m)`` of its district polygon
or of one of its features, and every record that names one of its features
(``feature_id``, or a unique name) from anywhere. That is every record that
can touch one of its features or reach into its district, so the coverage,
issue counts, recurrence and blind spots of what it owns are exactly those of
one run over all records. :func:`reduce_analyses` keeps what each partition
owns and puts the pieces back in the single-run order.

Everything here is pure (frames in, frames out); the dask orchestration is in
:mod:`geotool.analysis.distributed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geotool.analysis.blindspots import _count_features
from geotool.analysis.coverage import _reference_pairs
from geotool.analysis.districts import assign_districts
from geotool.analysis.gaps import RecordAnalysis
from geotool.crs import WGS84
from geotool.io.config import Defaults

__all__ = [
    "FeatureIndex",
    "PartitionPlan",
    "halo_m",
    "own_rows",
    "partition_keys",
    "partition_members",
    "plan_partitions",
    "reduce_analyses",
    "renumber_features",
]


def halo_m(params: Defaults) -> float:
    """Halo width in metres: ``max(reach_m, match_radius_m)``.

    Examples
    --------
    >>> halo_m(Defaults(reach_m=300, match_radius_m=50))
    300.0
    """
    return float(max(params.reach_m, params.match_radius_m))


def owners(geoms: gpd.GeoSeries, top: gpd.GeoDataFrame) -> np.ndarray:
    """Top-level district id owning each geometry: the one holding it, else the nearest.

    Parameters
    ----------
    geoms : GeoSeries
        Metric CRS.
    top : GeoDataFrame
        Top-level districts (``district_id``), same CRS.

    Returns
    -------
    ndarray of str
        One id per geometry (ties: the smallest id).

    Examples
    --------
    >>> from shapely.geometry import box, Point
    >>> d = gpd.GeoDataFrame({"district_id": ["A", "B"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=32650)
    >>> owners(gpd.GeoSeries([Point(5, 5), Point(25, 5), Point(10, 50)], crs=32650), d).tolist()
    ['A', 'B', 'A']
    """
    out = assign_districts(geoms.reset_index(drop=True), top).to_numpy(dtype=object)
    missing = np.flatnonzero(pd.isna(out))
    if len(missing):
        ids = top["district_id"].astype(str).to_numpy()
        tree = shapely.STRtree(np.asarray(top.geometry.values, dtype=object))
        values = np.asarray(geoms.values, dtype=object)[missing]
        left, right = tree.query_nearest(values, all_matches=True)
        order = np.lexsort((ids[right], left))
        left, right = left[order], right[order]
        first = np.r_[True, left[1:] != left[:-1]] if len(left) else np.array([], dtype=bool)
        out[missing[left[first]]] = ids[right[first]]
    return out.astype(str)


@dataclass
class PartitionPlan:
    """Who owns which feature, and the shapes a partition's halo is measured from.

    Attributes
    ----------
    parts : list of str
        Top-level district ids, sorted: one partition each.
    feature_owner : ndarray of str
        Owning partition of each feature (positional, like ``features_m``).
    zone_geoms : ndarray of geometries
        The district polygons, then every feature (metric CRS).
    zone_owner : ndarray of str
        The partition each zone geometry belongs to.
    halo_m : float
        Halo width.
    """

    parts: list[str]
    feature_owner: np.ndarray
    zone_geoms: np.ndarray
    zone_owner: np.ndarray
    halo_m: float

    def zone(self, part: str) -> np.ndarray:
        """The zone geometries of one partition."""
        return self.zone_geoms[self.zone_owner == part]


def plan_partitions(features_m: gpd.GeoDataFrame, top: gpd.GeoDataFrame, *,
                    params: Defaults) -> PartitionPlan:
    """Partitions, feature owners and halo zones for the top-level districts ``top``.

    Parameters
    ----------
    features_m : GeoDataFrame
        All ledger features (positional index), metric CRS.
    top : GeoDataFrame
        Top-level districts, same CRS.
    params : Defaults

    Returns
    -------
    PartitionPlan
    """
    feature_owner = owners(features_m.geometry, top) if len(features_m) else np.array([], str)
    ids = top["district_id"].astype(str).to_numpy()
    zone_geoms = np.concatenate([np.asarray(top.geometry.values, dtype=object),
                                 np.asarray(features_m.geometry.values, dtype=object)])
    zone_owner = np.concatenate([ids, feature_owner]).astype(str)
    return PartitionPlan(parts=sorted(ids.tolist()), feature_owner=feature_owner,
                         zone_geoms=zone_geoms, zone_owner=zone_owner, halo_m=halo_m(params))


def partition_keys(records: pd.DataFrame, features_m: gpd.GeoDataFrame, top: gpd.GeoDataFrame,
                   feature_owner: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Anchor, owner and cross-references of every record row.

    Parameters
    ----------
    records : DataFrame
        Canonical records (``record_id, found_at, _order, lon, lat, feature_id,
        feature_name``; WGS-84 lon/lat).
    features_m : GeoDataFrame
        All ledger features, metric CRS.
    top : GeoDataFrame
        Top-level districts, same CRS.
    feature_owner : ndarray of str
        From :func:`plan_partitions`.

    Returns
    -------
    keys : DataFrame
        Indexed like ``records``: ``_anchor_lon, _anchor_lat`` (WGS-84) and
        ``_part`` (owning partition).
    refs : DataFrame
        ``row, part``: positional record rows that name a feature of another
        partition than their own, once per (row, partition).
    """
    n = len(records)
    if n == 0:
        keys = pd.DataFrame({"_anchor_lon": np.array([], float),
                             "_anchor_lat": np.array([], float),
                             "_part": np.array([], dtype=object)}, index=records.index)
        return keys, pd.DataFrame({"row": np.array([], np.int64), "part": np.array([], str)})
    codes, _ = pd.factorize(records["record_id"].to_numpy(dtype=object))
    found = records["found_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((records["_order"].to_numpy(np.int64), found, codes))
    head = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
    first_of = np.empty(codes.max() + 1, dtype=np.int64)
    first_of[codes[head]] = head
    anchor_row = first_of[codes]
    lon = records["lon"].to_numpy(float)
    lat = records["lat"].to_numpy(float)
    heads = gpd.GeoSeries(gpd.points_from_xy(lon[head], lat[head]), crs=WGS84).to_crs(top.crs)
    head_part = owners(heads, top)
    part_of = np.empty(codes.max() + 1, dtype=object)
    part_of[codes[head]] = head_part
    keys = pd.DataFrame({"_anchor_lon": lon[anchor_row], "_anchor_lat": lat[anchor_row],
                         "_part": part_of[codes]}, index=records.index)
    firsts = pd.DataFrame({"feature_id": records["feature_id"].to_numpy(dtype=object)[head],
                           "feature_name": records["feature_name"].to_numpy(dtype=object)[head]})
    firsts = firsts.astype({"feature_id": "string", "feature_name": "string"})
    refs = [r for r in _reference_pairs(features_m, firsts) if len(r)]
    if not refs:
        return keys, pd.DataFrame({"row": np.array([], np.int64), "part": np.array([], str)})
    pairs = pd.concat(refs, ignore_index=True)
    named = pd.DataFrame({"code": codes[head][pairs["record"].to_numpy()],
                          "part": feature_owner[pairs["feature"].to_numpy()].astype(object)})
    named = named[named["part"].to_numpy() != part_of[named["code"].to_numpy()]]
    named = named.drop_duplicates()
    rows = pd.DataFrame({"row": np.arange(n), "code": codes}).merge(named, on="code")
    return keys, rows[["row", "part"]].sort_values(["row", "part"]).reset_index(drop=True)


def partition_members(anchor_xy_m: np.ndarray, zone_geoms: np.ndarray, zone_owner: np.ndarray,
                      halo: float) -> pd.DataFrame:
    """Rows whose anchor lies within ``halo`` metres of a zone geometry.

    Parameters
    ----------
    anchor_xy_m : ndarray, shape (n, 2)
        Anchor coordinates in the metric CRS.
    zone_geoms, zone_owner : ndarray
        Zone geometries and their partitions (:class:`PartitionPlan`).
    halo : float
        Metres (a record exactly this far is inside).

    Returns
    -------
    DataFrame
        ``row, part``, each pair once.
    """
    empty = pd.DataFrame({"row": np.array([], np.int64), "part": np.array([], str)})
    if len(anchor_xy_m) == 0 or len(zone_geoms) == 0:
        return empty
    tree = shapely.STRtree(shapely.points(anchor_xy_m))
    z_idx, p_idx = tree.query(zone_geoms, predicate="dwithin", distance=halo)
    out = pd.DataFrame({"row": p_idx.astype(np.int64), "part": zone_owner[z_idx]})
    return out.drop_duplicates().reset_index(drop=True)


def anchors_m(keys: pd.DataFrame, crs) -> np.ndarray:
    """Anchor coordinates of ``keys`` in the metric ``crs`` (shape (n, 2))."""
    pts = gpd.GeoSeries(gpd.points_from_xy(keys["_anchor_lon"].to_numpy(float),
                                           keys["_anchor_lat"].to_numpy(float)),
                        crs=WGS84).to_crs(crs)
    return shapely.get_coordinates(pts.values)


class FeatureIndex:
    """The ledger features a task's analysis needs, looked up without touching every feature.

    Built once per worker (a spatial index over the whole ledger and its ids
    and names as text). :meth:`needed` gives a task the features that can
    touch one of its records, so the task's coverage, issue links and
    recurrence run over those instead of the whole province's ledger, with the
    same answers.

    Parameters
    ----------
    features_m : GeoDataFrame
        All ledger features (positional index), metric CRS.
    """

    def __init__(self, features_m: gpd.GeoDataFrame) -> None:
        self.crs = features_m.crs
        self.tree = shapely.STRtree(np.asarray(features_m.geometry.values, dtype=object))
        self.ids = pd.Index(features_m["feature_id"].astype(str).to_numpy(dtype=object))
        self.names = pd.Index(features_m["name"].astype(str).to_numpy(dtype=object))

    def needed(self, records: gpd.GeoDataFrame, bbox: tuple[float, float, float, float],
               owned: np.ndarray, *, match_radius_m: float) -> np.ndarray:
        """Sorted positions of the features an analysis of ``records`` needs.

        They are: the ``owned`` ones; every feature within ``match_radius_m``
        of a record's place (for the records inside ``bbox``, every feature
        meeting ``bbox`` grown by ``match_radius_m``; the few records outside
        it, such as those naming a feature from another county, are looked up
        one by one); every feature whose id a record names; and every feature
        sharing a name a record names, so a name unique in the whole ledger
        is unique among these and a name given twice is given twice here too.

        Parameters
        ----------
        records : GeoDataFrame
            The task's records (WGS-84 points; ``feature_id``, ``feature_name``).
        bbox : tuple
            ``(min_lon, min_lat, max_lon, max_lat)``: the task's halo box
            (:func:`geotool.io.parquet.halo_bbox`).
        owned : ndarray of bool
            The features the task's district owns (positional).
        match_radius_m : float
        """
        x0, y0, x1, y1 = bbox
        to_m = pyproj.Transformer.from_crs(WGS84, self.crs, always_xy=True)
        mx0, my0, mx1, my1 = to_m.transform_bounds(x0, y0, x1, y1, densify_pts=21)
        pad = float(match_radius_m) + 1.0
        found = [np.flatnonzero(owned),
                 self.tree.query(shapely.box(mx0 - pad, my0 - pad, mx1 + pad, my1 + pad))]
        lon = shapely.get_x(np.asarray(records.geometry.values, dtype=object))
        lat = shapely.get_y(np.asarray(records.geometry.values, dtype=object))
        outside = ~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if outside.any():
            px, py = to_m.transform(lon[outside], lat[outside])
            found.append(self.tree.query(shapely.points(px, py), predicate="dwithin",
                                         distance=float(match_radius_m))[1])
        for column, values in (("feature_id", self.ids), ("feature_name", self.names)):
            named = records[column].dropna()
            if len(named):
                wanted = pd.unique(named.astype(str).to_numpy(dtype=object))
                found.append(np.flatnonzero(values.isin(wanted)))
        return np.unique(np.concatenate(found).astype(np.int64))


def renumber_features(part: RecordAnalysis, positions: np.ndarray) -> RecordAnalysis:
    """An analysis of the features ``positions`` of the ledger, numbered as in the whole ledger.

    Parameters
    ----------
    part : RecordAnalysis
        :func:`~geotool.analysis.gaps.analyse_records` given
        ``features_m.iloc[positions].reset_index(drop=True)``.
    positions : ndarray of int
        Sorted positions in the whole ledger.
    """
    features = part.features.copy()
    features.index = pd.Index(positions[features.index.to_numpy()])
    rec = part.recurrences
    if len(rec):
        rec = rec.assign(feature=positions[rec["feature"].to_numpy(dtype=np.int64)])
    return RecordAnalysis(features=features, issues=part.issues, blindspots=part.blindspots,
                          recurrences=rec)


def own_rows(part: RecordAnalysis, name: str, feature_owner: np.ndarray,
             issue_part: pd.Series) -> RecordAnalysis:
    """What partition ``name`` owns of its analysis.

    Parameters
    ----------
    part : RecordAnalysis
        :func:`~geotool.analysis.gaps.analyse_records` on the partition's records.
    name : str
        The partition (top-level district id).
    feature_owner : ndarray of str
        Owner of each feature.
    issue_part : Series of str
        Owning partition of each ``record_id`` present (indexed by ``record_id``).
    """
    mine = feature_owner == name
    features = part.features[mine[part.features.index.to_numpy()]]
    owner = issue_part.reindex(part.issues["record_id"].to_numpy(dtype=object)).to_numpy(object)
    issues = part.issues[owner == name]
    rec = part.recurrences
    if len(rec):
        rec = rec[mine[rec["feature"].to_numpy(dtype=np.int64)]]
    return RecordAnalysis(features=features, issues=issues, blindspots=part.blindspots,
                          recurrences=rec)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate, leaving out empty pieces (their dtypes would widen the others')."""
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0]
    out = pd.concat(full) if len(full) > 1 else full[0]
    for col in out.columns:  # text columns: object in some pieces, str in others
        if out[col].dtype == object:
            typed = [f[col].dtype for f in full if f[col].dtype != object]
            if typed and all(pd.api.types.is_string_dtype(t) for t in typed):
                out[col] = out[col].astype(typed[0])
    return out


def reduce_analyses(parts: list[RecordAnalysis], features_m: gpd.GeoDataFrame) -> RecordAnalysis:
    """Put the owned pieces of every partition together, in single-run order.

    Parameters
    ----------
    parts : list of RecordAnalysis
        :func:`own_rows` of every partition (at least one).
    features_m : GeoDataFrame
        All ledger features, metric CRS.

    Returns
    -------
    RecordAnalysis
        Equal to :func:`~geotool.analysis.gaps.analyse_records` on all
        records and all top-level districts.
    """
    features = _concat([p.features for p in parts]).sort_index()
    if len(features) != len(features_m) or not features.index.equals(features_m.index):
        msg = "internal error: the partitions do not own every ledger feature exactly once"
        raise AssertionError(msg)
    rec = _concat([p.recurrences for p in parts])
    rec = rec.sort_values(["feature", "found_at", "record_id"], kind="stable").reset_index(
        drop=True)
    issues = _concat([p.issues for p in parts])
    issues = issues.sort_values("record_id", kind="stable").reset_index(drop=True)
    if len(issues):  # an issue can recur at a feature another partition owns
        ids = pd.Index(pd.unique(rec["record_id"].to_numpy(dtype=object)))
        issues["recurring"] = ids.get_indexer(issues["record_id"].to_numpy(dtype=object)) >= 0
    blind = _concat([p.blindspots for p in parts])
    blind = blind.sort_values(["district_id", "area_m2"], ascending=[True, False],
                              kind="stable").reset_index(drop=True)
    blind = gpd.GeoDataFrame(blind, geometry="geometry", crs=features_m.crs)
    _count_features(blind, features_m, features["covered"])
    return RecordAnalysis(features=features, issues=issues, blindspots=blind, recurrences=rec)
