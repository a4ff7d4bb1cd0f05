"""Where a record is.

Its coordinates read, checked and brought to WGS-84, or the place of the ledger
feature it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geotool._halves import HALVES_MIN, in_halves, own_prepared
from geotool.crs import (
    WGS84,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    is_geographic,
    lat_lon_swapped,
    to_metric,
)
from geotool.io.cells import Distinct, _cell_to_text, constant, few_codes
from geotool.io.parsing import parse_coordinates, split_lonlat
from geotool.text import Note, reason_codes


def feature_anchor_points(features: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point on each feature: the middle of a line, a point inside a polygon.

    Examples
    --------
    >>> from shapely import LineString, box
    >>> f = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (10, 0)]), box(0, 0, 2, 2)])
    >>> [(p.x, p.y) for p in feature_anchor_points(f)]
    [(5.0, 0.0), (1.0, 1.0)]
    """
    geoms = features.geometry.values
    dims = shapely.get_dimensions(geoms)
    anchor = shapely.point_on_surface(geoms)
    lines = dims == 1
    if lines.any():
        anchor[lines] = shapely.line_interpolate_point(
            shapely.line_merge(geoms[lines]), 0.5, normalized=True)
        empty = shapely.is_empty(anchor)
        anchor[empty] = shapely.point_on_surface(geoms[empty])
    return gpd.GeoSeries(anchor, index=features.index, crs=features.crs)


def _raw_text(values: pd.Series) -> np.ndarray:
    """Cells as the text a planner typed (for the quarantine's ``value`` column)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.empty(len(uniques) + 1, dtype=object)
    texts[:-1] = [_cell_to_text(u) for u in uniques]
    texts[-1] = ""
    return texts[codes]


class _Reasons:
    """The first failed check of each row: code, column and offending value.

    ``optional`` collects cells of optional fields (deadline, status,
    rectified/updated date) that could not be read: the row is kept, the
    field left empty and the cell flagged (:func:`_flagged`).
    """

    def __init__(self, data: pd.DataFrame) -> None:
        n = len(data)
        self.data = data
        self.code = np.full(n, None, dtype=object)
        self._ok = np.ones(n, dtype=bool)  # no code yet: kept up to date by flag()
        self.column = constant(n, "")
        self.value = constant(n, "")
        self.optional: list[tuple[str, str, np.ndarray, np.ndarray]] = []

    def flag_optional(self, mask: np.ndarray | pd.Series, code: str, column: str,
                      values: pd.Series) -> None:
        """Flag unreadable cells of an optional field; the rows stay in use."""
        mask = _bool_mask(mask)
        if mask.any():  # the flagged cells only: a column is never turned into objects
            self.optional.append((code, column, mask, _cells_at(values, mask)))

    @property
    def ok(self) -> np.ndarray:
        return self._ok.copy()

    def flag(self, mask: np.ndarray | pd.Series, code: str, column: str,
             values: pd.Series | np.ndarray | Callable[[np.ndarray], np.ndarray] | None = None
             ) -> None:
        """Give ``code`` to rows in ``mask`` that have no reason yet.

        ``values`` (the cells to show, or a function of the flagged rows'
        mask returning their cells) is only looked at when some row is flagged.
        """
        if code not in reason_codes():  # pragma: no cover - a programming error
            raise KeyError(code)
        mask = _bool_mask(mask) & self._ok
        if not mask.any():
            return
        self.code[mask] = code
        self._ok[mask] = False
        self.column[mask] = column
        if values is not None:
            if callable(values):
                self.value[mask] = values(mask)
                return
            self.value[mask] = _raw_text(pd.Series(_cells_at(values, mask), dtype=object))


def _bool_mask(mask: np.ndarray | pd.Series) -> np.ndarray:
    """A mask as a bool array (missing: ``False``)."""
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        return mask
    return np.asarray(pd.Series(mask).fillna(False), dtype=bool)


def _cells_at(values: pd.Series | np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The cells of ``values`` where ``mask`` holds, as objects (only those are converted)."""
    if isinstance(values, pd.Series):
        return values.iloc[mask].to_numpy(dtype=object)
    return np.asarray(values, dtype=object)[mask]


def _to_wgs84_xy(lon: np.ndarray, lat: np.ndarray, datums: RowDatums
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's coordinates from its datum to WGS-84 (one call per datum, not per row)."""
    if datums.codes is None:
        return _one_to_wgs84(lon, lat, datums.names[0])
    x, y = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    for k, datum in enumerate(datums.names):
        rows = datums.codes == k
        x[rows], y[rows] = _one_to_wgs84(lon[rows], lat[rows], datum)
    return x, y


def _one_to_wgs84(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    if datum == "GCJ-02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "BD-09":
        return bd09_to_wgs84(lon, lat)
    if datum == WGS84:
        return lon, lat
    transformer = pyproj.Transformer.from_crs(datum, WGS84, always_xy=True)
    x, y = transformer.transform(lon, lat, errcheck=False)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    bad = ~np.isfinite(x) | ~np.isfinite(y)
    x[bad], y[bad] = np.nan, np.nan
    return x, y


@dataclass(frozen=True)
class RowDatums:
    """The datum of each record row's coordinates: one for every row, or one per file.

    Attributes
    ----------
    names : tuple of str
        The datums (normalised: ``EPSG:4326``, ``GCJ-02``, ``BD-09``, ``EPSG:n``).
    codes : ndarray of int, optional
        Per row, the index into ``names``; ``None``: every row is in ``names[0]``.

    Examples
    --------
    >>> files = pd.Series(["a.csv", "b.csv", "a.csv"])
    >>> d = RowDatums.of("GCJ-02", files, {"b.csv": "EPSG:4326"})
    >>> d.names, d.codes.tolist(), d.geographic(3).tolist()
    (('EPSG:4326', 'GCJ-02'), [1, 0, 1], [True, True, True])
    """

    names: tuple[str, ...]
    codes: np.ndarray | None = None

    @classmethod
    def of(cls, default: str, files: pd.Series, own: Mapping[str, str] | None) -> RowDatums:
        """``default`` for every row, but ``own[file]`` for the rows of the files it names."""
        if not own or not len(files):
            return cls((default,))
        file_codes, names = few_codes(files)
        per_file = [own.get(str(f), default) for f in names]  # a few files, not the rows
        datums = tuple(sorted(set(per_file)))
        if len(datums) == 1:
            return cls(datums)
        lookup = np.array([datums.index(d) for d in per_file], dtype=np.intp)
        return cls(datums, lookup[file_codes])

    def geographic(self, n: int) -> np.ndarray:
        """Per row (of ``n``): whether its datum takes longitude and latitude."""
        flags = np.array([is_geographic(d) for d in self.names])
        return np.full(n, flags[0]) if self.codes is None else flags[self.codes]


@dataclass
class ParsedPlaces:
    """The coordinate columns read, and their datum shift under way (see :func:`start_places`).

    Attributes
    ----------
    lon, lat : Series of float
        NaN where a cell is blank or unreadable.
    bad_lon, bad_lat : Series of bool
        Cells that hold text but no coordinate.
    pairs_fixed : int
        Rows whose longitude cell held both ("114.65,33.62"), split.
    wgs84 : Future
        Of the WGS-84 x, y of the rows with both coordinates (NaN elsewhere).
    """

    lon: pd.Series
    lat: pd.Series
    bad_lon: pd.Series
    bad_lat: pd.Series
    pairs_fixed: int
    wgs84: Future[tuple[np.ndarray, np.ndarray]]


def start_places(cols: dict[str, Distinct], datums: RowDatums, raw_lon: pd.Series
                 ) -> ParsedPlaces:
    """Read the coordinate cells and start bringing them to WGS-84 in a background thread.

    The shift (four passes of arithmetic over a million points for GCJ-02, in
    NumPy, which releases the GIL) then runs while the caller reads the dates,
    kinds and statuses; :func:`_coordinates` takes the result. Nothing here
    flags a row: the checks keep their order.
    """
    lon, bad_lon = parse_coordinates(cols["lon"])
    lat, bad_lat = parse_coordinates(cols["lat"])
    fixed_n = 0
    pair_in_lon = bad_lon.to_numpy() & cols["lat"].blank()
    if pair_in_lon.any():  # "114.65,33.62" typed into the longitude column
        rows = np.flatnonzero(pair_in_lon)
        p_lon, p_lat = split_lonlat(pd.Series(_cells_at(raw_lon, rows), dtype=object))
        v_lon, b_lon = parse_coordinates(p_lon)
        v_lat, b_lat = parse_coordinates(p_lat)
        fixed = (v_lon.notna() & v_lat.notna() & ~b_lon & ~b_lat).to_numpy()
        if fixed.any():
            lon.iloc[rows[fixed]] = v_lon.to_numpy()[fixed]
            lat.iloc[rows[fixed]] = v_lat.to_numpy()[fixed]
            bad_lon.iloc[rows[fixed]] = False
            fixed_n = int(fixed.sum())
    lon_a, lat_a = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    both = ~np.isnan(lon_a) & ~np.isnan(lat_a)
    args = (np.where(both, lon_a, np.nan), np.where(both, lat_a, np.nan), datums)
    wgs84: Future[tuple[np.ndarray, np.ndarray]]
    if len(lon_a) >= HALVES_MIN:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-datum")
        try:
            wgs84 = pool.submit(_to_wgs84_xy, *args)
        finally:
            pool.shutdown(wait=False)  # the thread ends once the shift is done
    else:
        wgs84 = Future()
        wgs84.set_result(_to_wgs84_xy(*args))
    return ParsedPlaces(lon, lat, bad_lon, bad_lat, fixed_n, wgs84)


def _coordinates(data: pd.DataFrame, why: _Reasons, datums: RowDatums,
                 city: shapely.Geometry | None, margin_m: float,
                 cols: dict[str, Distinct], notes: list[str],
                 places: ParsedPlaces | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw_lon, raw_lat = data["lon"], data["lat"]
    places = places or start_places(cols, datums, raw_lon)
    lon, lat, bad_lon, bad_lat = places.lon, places.lat, places.bad_lon, places.bad_lat
    if places.pairs_fixed:
        notes.append(Note("note.pair_in_lon", n=places.pairs_fixed))
    why.flag(bad_lon, "bad_coordinates", "lon", raw_lon)
    why.flag(bad_lat, "bad_coordinates", "lat", raw_lat)
    lon_a, lat_a = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    has_lon, has_lat = ~np.isnan(lon_a), ~np.isnan(lat_a)

    def pair(rows: np.ndarray) -> np.ndarray:
        """``lon,lat`` as typed, for the flagged rows only."""
        lon_t = _raw_text(pd.Series(_cells_at(raw_lon, rows), dtype=object))
        lat_t = _raw_text(pd.Series(_cells_at(raw_lat, rows), dtype=object))
        return lon_t + "," + lat_t

    why.flag(~has_lon & has_lat, "partial_coordinates", "lon", pair)
    why.flag(has_lon & ~has_lat, "partial_coordinates", "lat", pair)
    both = has_lon & has_lat
    why.flag(both & (np.abs(lon_a) < 1e-9) & (np.abs(lat_a) < 1e-9), "zero_coordinates", "lon",
             pair)
    geographic = both & datums.geographic(len(both))
    if geographic.any():
        with np.errstate(invalid="ignore"):
            swapped = geographic & lat_lon_swapped(lon_a, lat_a)
            why.flag(swapped, "swapped_coordinates", "lon", pair)
            out_of_range = geographic & ((np.abs(lon_a) > 180) | (np.abs(lat_a) > 90))
        why.flag(out_of_range, "bad_coordinates", "lon", pair)
    x, y = places.wgs84.result()
    why.flag(both & (np.isnan(x) | np.isnan(y)), "bad_coordinates", "lon", pair)
    located = both & why.ok
    if city is not None and not city.is_empty and located.any():
        zone = _city_zone(city, margin_m)
        # GIL released; each half tests against its own prepared zone (see geotool._halves)
        inside = in_halves(lambda px, py: shapely.contains_xy(own_prepared(zone), px, py),
                           np.nan_to_num(x), np.nan_to_num(y))
        why.flag(located & ~inside, "outside_city", "lon", pair)
    located = both & why.ok
    return located, x, y


def _city_zone(city: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    series = gpd.GeoSeries([city], crs=WGS84)
    metric = to_metric(series)
    return metric.buffer(margin_m).to_crs(WGS84).iloc[0]


def _reference_xy(data: pd.DataFrame, features: gpd.GeoDataFrame
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Anchor x/y of the feature each row names (id first, then unique name); NaN if none."""
    n = len(data)
    ref_x, ref_y = np.full(n, np.nan), np.full(n, np.nan)
    if features.empty or n == 0:
        return ref_x, ref_y
    anchors = feature_anchor_points(features).values
    ax, ay = shapely.get_x(anchors), shapely.get_y(anchors)
    ids = pd.Index(features["feature_id"].astype(str).to_numpy())
    first_id = ~ids.duplicated(keep="first")
    id_index = pd.Index(ids[first_id])
    id_pos = np.flatnonzero(first_id)
    names = features["name"].astype(str)
    unique = ~names.duplicated(keep=False).to_numpy()
    name_index = pd.Index(names.to_numpy()[unique])
    name_pos = np.flatnonzero(unique)

    fid = data["feature_id"]
    has_id = fid.notna().to_numpy()
    if has_id.any():
        pos = id_index.get_indexer(fid[has_id].astype(str).to_numpy())
        hit = pos >= 0
        rows = np.flatnonzero(has_id)[hit]
        ref_x[rows], ref_y[rows] = ax[id_pos[pos[hit]]], ay[id_pos[pos[hit]]]
    need = np.isnan(ref_x) & ~has_id & data["feature_name"].notna().to_numpy()
    if need.any():
        pos = name_index.get_indexer(data.loc[need, "feature_name"].astype(str).to_numpy())
        hit = pos >= 0
        rows = np.flatnonzero(need)[hit]
        ref_x[rows], ref_y[rows] = ax[name_pos[pos[hit]]], ay[name_pos[pos[hit]]]
    return ref_x, ref_y
