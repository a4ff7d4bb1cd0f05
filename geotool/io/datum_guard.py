"""The datum guard: records or ledgers in GCJ-02/BD-09 that are labelled WGS-84.

Phone apps and web maps in China give GCJ-02 (AMap, Tencent) or BD-09
(Baidu) coordinates, hundreds of metres off WGS-84. A file read with the
wrong datum gives no error, only wrong answers: every record sits beside
the feature it reports on. The guard compares the records with the ledger
features they name or lie near and asks which datum makes them line up.

For each records file (its records located by coordinates) the *typical
offset* is the median distance from a record to the feature it names (when
at least :data:`MIN_PAIRS` records name one), else to the nearest ledger
feature (capped at :data:`CAP_M`). It is computed three times: with the
coordinates read as configured, as if they were GCJ-02 and as if they were
BD-09. The guard speaks when another datum lines the records up clearly
better: its typical offset is at most half the configured one, and at least
:data:`MIN_GAIN_M` smaller. For a ledger layer labelled WGS-84 the same
test moves the records into GCJ-02/BD-09 instead (the direction tells
whether the records or the ledger are shifted).

Each finding is one line naming the file, the likely datum and the exact
fix (``在 [records] 中加上 crs = "GCJ-02"``).
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike

from geotool._halves import own_copy
from geotool.crs import (
    BD09,
    GCJ02,
    WGS84,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    metric_crs_for,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geotool.io.cells import few_codes
from geotool.text import Note

__all__ = ["CAP_M", "MIN_GAIN_M", "MIN_PAIRS", "DatumFinding", "RecordPoints",
           "check_district_datum",
           "check_layer_datum", "check_records_datum", "typical_offsets"]

#: Distances to the nearest feature are capped here (metres): a record far from every
#: feature says nothing about the datum.
CAP_M = 2000.0
#: The better datum must bring the typical offset down by at least this (metres).
MIN_GAIN_M = 100.0
#: Records naming a feature needed to judge by named pairs alone.
MIN_PAIRS = 5
_MIN_POINTS = 5
_MAX_POINTS = 5000

#: A datum shift: ``(lon, lat) -> (lon, lat)`` in degrees.
Shift = Callable[[ArrayLike, ArrayLike], tuple[np.ndarray, np.ndarray]]

_TO_WGS = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


@dataclass(frozen=True)
class DatumFinding:
    """A file whose coordinates line up with the others only in another datum.

    Attributes
    ----------
    file : str
        The file (records file or ledger layer).
    section : str
        The config table to fix: ``[records]`` or ``[layers.X]``.
    configured : str
        The datum it was read with.
    likely : str
        The datum that lines it up.
    offset_m : float
        Typical offset as read, metres.
    fixed_offset_m : float
        Typical offset in the likely datum, metres.
    n : int
        Records the judgement rests on.
    """

    file: str
    section: str
    configured: str
    likely: str
    offset_m: float
    fixed_offset_m: float
    n: int
    by: str = "distance"  # "districts": offset_m/fixed_offset_m count records outside theirs
    others: int = 0  # records files that line up as configured: the fix is for this one alone
    own: bool = False  # its datum came from [records.file_crs]

    def note(self) -> Note:
        """The one-line warning, naming the file, the likely datum and the fix."""
        if self.own:  # its own line in [records.file_crs] is what is wrong
            fix = Note("datum.fix_file_crs", entry=self.file_crs_entry())
        elif self.others:  # [records] crs is every file's: changing it would shift the others
            fix = Note("datum.fix_one_file", configured=self.configured, n=self.others,
                       entry=self.file_crs_entry())
        elif self.likely == WGS84:
            fix = Note("datum.fix_wgs84", section=self.section)
        else:
            fix = Note("datum.fix_add", section=self.section, crs=self.likely)
        key = "datum.warning_districts" if self.by == "districts" else "datum.warning"
        return Note(key, file=self.file, likely=self.likely,
                    configured=self.configured, before=round(self.offset_m),
                    after=round(self.fixed_offset_m), n=self.n, fix=fix)

    def file_crs_entry(self) -> str:
        """The ``[records.file_crs]`` line giving this file the likely datum.

        The file (``/`` between folders) is written as a TOML string and its
        glob characters escaped, so the line names this one file.

        Examples
        --------
        >>> DatumFinding("records/r[1].csv", "[records]", "GCJ-02", "EPSG:4326",
        ...              500.0, 5.0, 40).file_crs_entry()
        '"records/r[[]1].csv" = "EPSG:4326"'
        """
        name = glob.escape(self.file.replace("\\", "/"))
        return f"{json.dumps(name, ensure_ascii=False)} = {json.dumps(self.likely)}"


def _sample(n: int) -> np.ndarray:
    """Evenly spread positions (deterministic) of at most ``_MAX_POINTS`` of ``n``."""
    if n <= _MAX_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, _MAX_POINTS).round().astype(np.int64))


def _distances(xy: np.ndarray, target: np.ndarray, geoms: np.ndarray,
               to_metric: pyproj.Transformer) -> np.ndarray:
    """Metres from WGS-84 points to their named feature (``target >= 0``) or the nearest one.

    ``geoms``: the features' geometries in the metric CRS of ``to_metric``.
    """
    mx, my = to_metric.transform(xy[:, 0], xy[:, 1])
    pts = shapely.points(np.asarray(mx, dtype=float), np.asarray(my, dtype=float))
    out = np.full(len(pts), CAP_M)
    named = target >= 0
    if named.any():
        out[named] = np.minimum(shapely.distance(pts[named], geoms[target[named]]), CAP_M)
    rest = ~named
    if rest.any():
        tree = shapely.STRtree(geoms)
        (p_idx, _f_idx), dist = tree.query_nearest(pts[rest], max_distance=CAP_M,
                                                    return_distance=True, all_matches=False)
        sub = np.full(int(rest.sum()), CAP_M)
        sub[p_idx] = dist
        out[rest] = sub
    return out


@dataclass(frozen=True)
class RecordPoints:
    """The records located by their coordinates, as the arrays the guard looks at.

    Made once (:meth:`of`) for all the checks of a workspace: a million
    records are read out of their table once, not once per check. Feature
    references are kept factorized (codes into their distinct texts).

    Attributes
    ----------
    lon, lat : ndarray
        WGS-84 degrees, as normalised.
    file_codes : ndarray of int
        Index into ``files`` of each record's file.
    files : list of str
        The distinct file names.
    id_codes, name_codes : ndarray of int
        Index into ``ids`` / ``names`` of the feature id / name each record
        gives; -1 when it gives none.
    ids, names : ndarray of str
        The distinct feature ids / names the records give.
    """

    lon: np.ndarray
    lat: np.ndarray
    file_codes: np.ndarray
    files: list[str]
    id_codes: np.ndarray
    ids: np.ndarray
    name_codes: np.ndarray
    names: np.ndarray

    @classmethod
    def of(cls, records: gpd.GeoDataFrame) -> RecordPoints:
        """The records of ``records`` located by coordinates."""
        located = (records["located_by"] == "coordinates").to_numpy(dtype=bool, na_value=False)
        rows: np.ndarray | slice = slice(None) if located.all() else located  # no copy if all
        geoms = records.geometry.values[rows]
        file_codes, file_names = few_codes(records["_file"].to_numpy(dtype=object)[rows])
        files = [str(f) for f in file_names]
        if "feature_id" in records:
            id_codes, ids = _factorized(records["feature_id"], located)
        else:
            id_codes, ids = _factorized(None, len(geoms))
        if "feature_name" in records:
            name_codes, names = _factorized(records["feature_name"], located)
        else:
            name_codes, names = _factorized(None, len(geoms))
        return cls(shapely.get_x(geoms), shapely.get_y(geoms), np.asarray(file_codes), files,
                   id_codes, ids, name_codes, names)

    def take(self, keep: np.ndarray) -> RecordPoints:
        """The records at ``keep`` (a mask or positions)."""
        return RecordPoints(self.lon[keep], self.lat[keep], self.file_codes[keep], self.files,
                            self.id_codes[keep], self.ids, self.name_codes[keep], self.names)


def _factorized(values: pd.Series | None, keep: np.ndarray | int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the kept cells into their distinct texts (``str``); -1 for a missing cell."""
    if values is None:
        return np.full(int(keep), -1, dtype=np.int64), np.array([], dtype=object)
    codes, uniques = pd.factorize(values[keep] if isinstance(keep, np.ndarray) else values,
                                  use_na_sentinel=True)
    texts = pd.Index(uniques).astype(str).to_numpy(dtype=object)
    return np.asarray(codes, dtype=np.int64), texts


def _targets(points: RecordPoints, features: gpd.GeoDataFrame) -> np.ndarray:
    """Index into ``features`` of the feature each record names (id, else unique name); -1."""
    n = len(points.lon)
    out = np.full(n, -1, dtype=np.int64)
    if features.empty or n == 0:
        return out
    ids = pd.Index(features["feature_id"].astype(str).to_numpy())
    first = ~ids.duplicated(keep="first")
    by_id = np.append(pd.Index(ids[first]).get_indexer(points.ids), -1)  # per distinct id
    by_id = np.where(by_id >= 0, np.flatnonzero(first)[np.maximum(by_id, 0)], -1)
    out = by_id[points.id_codes]
    names = features["name"].astype(str)
    unique = ~names.duplicated(keep=False).to_numpy()
    need = (out < 0) & (points.name_codes >= 0)
    if need.any():
        by_name = np.append(pd.Index(names.to_numpy()[unique]).get_indexer(points.names), -1)
        by_name = np.where(by_name >= 0, np.flatnonzero(unique)[np.maximum(by_name, 0)], -1)
        out = np.where(need, by_name[points.name_codes], out)
    return out


def _picked(target: np.ndarray) -> np.ndarray:
    """Positions of the points :func:`typical_offsets` judges by (named ones, evenly sampled)."""
    rows = np.flatnonzero(target >= 0) if (target >= 0).sum() >= MIN_PAIRS \
        else np.arange(len(target))
    return rows[_sample(len(rows))]


def typical_offsets(lon: np.ndarray, lat: np.ndarray, candidates: Mapping[str, Shift | None],
                    features: gpd.GeoDataFrame, target: np.ndarray | None = None
                    ) -> tuple[dict[str, float], int]:
    """Median distance (m) from points to ledger features, for each candidate shift.

    Parameters
    ----------
    lon, lat : arrays
        The points as read (WGS-84 degrees).
    candidates : mapping
        Name -> function ``(lon, lat) -> (lon, lat)`` that applies the shift
        (``None``: no shift).
    features : GeoDataFrame
        Ledger features, WGS-84.
    target : array of int, optional
        Index of the feature each point names (-1: none, use the nearest).

    Returns
    -------
    (dict, int)
        Candidate -> typical offset in metres, and the number of points used.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    target = np.full(len(lon), -1, dtype=np.int64) if target is None else np.asarray(target)
    pick = _picked(target)  # named pairs are the stronger evidence
    lon, lat, target = lon[pick], lat[pick], target[pick]
    if len(lon) < _MIN_POINTS or features.empty:
        return {}, len(lon)
    crs = metric_crs_for(features)
    geoms_m = np.asarray(features.to_crs(crs).geometry.values)
    to_metric = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)  # made once, not per shift

    def offset(shift: Shift | None) -> float:
        x, y = (lon, lat) if shift is None else shift(lon, lat)
        # GEOS releases the GIL: the shifts are measured side by side, each on its own
        # copy of the features (no GEOS object is shared between threads)
        own = own_copy(geoms_m)
        return float(np.median(_distances(np.column_stack([x, y]), target, own, to_metric)))

    names = list(candidates)
    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1) or 1) as pool:
        offsets = list(pool.map(offset, [candidates[name] for name in names]))
    return dict(zip(names, offsets, strict=True)), len(lon)


def _verdict(offsets: dict[str, float], configured: str) -> str | None:
    if configured not in offsets:
        return None
    best = min(offsets, key=lambda k: (offsets[k], k != configured))
    before, after = offsets[configured], offsets[best]
    if best != configured and after <= 0.5 * before and before - after >= MIN_GAIN_M:
        return best
    return None


def check_records_datum(records: gpd.GeoDataFrame, features: gpd.GeoDataFrame, *,
                        datum: str = WGS84, file_datums: Mapping[str, str] | None = None
                        ) -> list[DatumFinding]:
    """Records files whose coordinates line up with the ledgers only in another datum.

    Parameters
    ----------
    records : GeoDataFrame
        Normalised records (WGS-84, as read with ``datum``), with ``_file``,
        ``located_by``, ``feature_id`` and ``feature_name``.
    features : GeoDataFrame
        Ledger features, WGS-84.
    datum : str
        The datum ``[records] crs`` gave (``EPSG:4326``, ``GCJ-02`` or ``BD-09``);
        other EPSG codes are not judged.
    file_datums : mapping, optional
        The datums ``[records.file_crs]`` gave particular files (by ``_file``).

    Returns
    -------
    list of DatumFinding
        One per file, in file-name order.
    """
    if records.empty or features.empty:
        return []
    return _check_records(RecordPoints.of(records), features, datum, file_datums)


def _check_records(points: RecordPoints, features: gpd.GeoDataFrame, datum: str,
                   file_datums: Mapping[str, str] | None = None) -> list[DatumFinding]:
    """:func:`check_records_datum` of records already read out (:class:`RecordPoints`)."""
    own = dict(file_datums or {})
    if not len(points.lon) or features.empty:
        return []
    findings = []
    fine = 0
    for code in np.argsort(points.files, kind="stable"):  # in file-name order
        name = points.files[code]
        read_as = own.get(name, datum)
        if read_as not in (WGS84, GCJ02, BD09):
            continue
        group = points.take(points.file_codes == code)
        target = _targets(group, features)
        pick = _picked(target)  # shifting back a few thousand points, not a million
        lon, lat, target = group.lon[pick], group.lat[pick], target[pick]
        if read_as != WGS84:  # back to the values as written in the file
            lon, lat = _FROM_WGS[read_as](lon, lat)
        candidates = {WGS84: None, GCJ02: _TO_WGS[GCJ02], BD09: _TO_WGS[BD09]}
        offsets, n = typical_offsets(lon, lat, candidates, features, target)
        likely = _verdict(offsets, read_as)
        if likely is not None:
            findings.append(DatumFinding(name, "[records]", read_as, likely,
                                         offsets[read_as], offsets[likely], n,
                                         own=name in own))
        elif offsets:
            fine += 1
    return [replace(f, others=fine) for f in findings]


def check_layer_datum(records: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, *, key: str,
                      file: str) -> DatumFinding | None:
    """A ledger layer labelled WGS-84 that lines up with the records only after a shift.

    The records (as read) are moved into GCJ-02 and BD-09: when that lines
    them up with the layer's features, the layer itself is in that datum.

    Parameters
    ----------
    records : GeoDataFrame
        Normalised records, WGS-84.
    layer : GeoDataFrame
        The features of one ledger layer read as WGS-84.
    key, file : str
        The layer's key (``[layers.<key>]``) and file, for the message.
    """
    if records.empty or layer.empty:
        return None
    return _check_layer(RecordPoints.of(records), layer, key=key, file=file)


def _check_layer(points: RecordPoints, layer: gpd.GeoDataFrame, *, key: str, file: str
                 ) -> DatumFinding | None:
    """:func:`check_layer_datum` of records already read out (:class:`RecordPoints`)."""
    if not len(points.lon) or layer.empty:
        return None
    layer = layer.reset_index(drop=True)
    target = _targets(points, layer)
    pick = _picked(target)
    candidates = {WGS84: None, GCJ02: _FROM_WGS[GCJ02], BD09: _FROM_WGS[BD09]}
    offsets, n = typical_offsets(points.lon[pick], points.lat[pick], candidates, layer,
                                 target[pick])
    likely = _verdict(offsets, WGS84)
    if likely is None:
        return None
    return DatumFinding(file, f"[layers.{key}]", WGS84, likely, offsets[WGS84], offsets[likely],
                        n)


def check_district_datum(records: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *,
                         file: str) -> DatumFinding | None:
    """A district layer labelled WGS-84 that the records' own district names fit only shifted.

    Records that say which district they are in (所属区, by name or id) are
    tested against that district's polygon with the records as read and
    moved into GCJ-02/BD-09 (the same as moving the polygons back). The guard
    speaks when a shift at least halves the records lying outside their
    district and saves at least :data:`MIN_PAIRS` of them.

    Parameters
    ----------
    records : GeoDataFrame
        Normalised records (WGS-84) with ``district``.
    districts : GeoDataFrame
        ``district_id, name`` polygons read as WGS-84.
    file : str
        The districts file, for the message.
    """
    if records.empty or districts.empty or "district" not in records:
        return None
    mask = ((records["located_by"] == "coordinates").to_numpy(dtype=bool, na_value=False)
            & records["district"].notna().to_numpy())
    if mask.sum() < MIN_PAIRS:
        return None
    ids = pd.Index(districts["district_id"].astype(str).to_numpy())
    names = districts["name"].astype(str)
    unique = ~names.duplicated(keep=False).to_numpy()
    codes, said = _factorized(records["district"], mask)  # a few district names, many rows
    target = np.append(ids.get_indexer(said), -1)
    by_name = np.append(pd.Index(names.to_numpy()[unique]).get_indexer(said), -1)
    target = np.where(target >= 0, target,
                      np.where(by_name >= 0, np.flatnonzero(unique)[np.maximum(by_name, 0)], -1))
    target = target[codes]
    keep = target >= 0
    if keep.sum() < MIN_PAIRS:
        return None
    points = records.geometry.values[mask][keep]
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    geoms = districts.geometry.values[target[keep]]
    outside = {}
    for name, shift in ((WGS84, None), (GCJ02, _FROM_WGS[GCJ02]), (BD09, _FROM_WGS[BD09])):
        x, y = (lon, lat) if shift is None else shift(lon, lat)
        outside[name] = int((~shapely.contains_xy(geoms, x, y)).sum())
    best = min(outside, key=lambda k: (outside[k], k != WGS84))
    before, after = outside[WGS84], outside[best]
    if best == WGS84 or after > 0.5 * before or before - after < MIN_PAIRS:
        return None
    return DatumFinding(file, "[layers.districts]", WGS84, best, float(before), float(after),
                        int(keep.sum()), by="districts")
