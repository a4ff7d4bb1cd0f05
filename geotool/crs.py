"""Datums and working coordinate systems.

geotool brings every input to one datum on read (WGS-84, EPSG:4326), does
distances and areas in a metric CRS picked for the data (a UTM zone), and
writes WGS-84. Chinese web maps use two non-standard datums that pyproj does
not know:

* **GCJ-02** ("Mars coordinates"): AMap/Gaode, Tencent, Google China. Offset
  from WGS-84 by a few hundred metres inside China, none outside.
* **BD-09**: Baidu maps, a further offset from GCJ-02.

The forward transforms are the published closed-form formulas; the inverses
are solved by fixed-point iteration to better than 1e-9 degrees (about 0.1
mm), so a round trip is exact for all practical purposes. All functions are
vectorised over NumPy arrays.
"""

from __future__ import annotations

import math
from typing import overload

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike

from geotool._errors import CRSError
from geotool._halves import in_halves
from geotool.text import Note

__all__ = [
    "DATUMS",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "is_geographic",
    "lat_lon_swapped",
    "metric_crs_for",
    "normalize_datum",
    "require_metric",
    "to_metric",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

WGS84 = "EPSG:4326"
GCJ02 = "GCJ-02"
BD09 = "BD-09"
DATUMS = (GCJ02, BD09)

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

_ALIASES = {
    "GCJ02": GCJ02,
    "GCJ-02": GCJ02,
    "GCJ": GCJ02,
    "AMAP": GCJ02,
    "GAODE": GCJ02,
    "火星坐标": GCJ02,
    "高德": GCJ02,
    "BD09": BD09,
    "BD-09": BD09,
    "BD09LL": BD09,
    "BAIDU": BD09,
    "百度": BD09,
    "WGS84": WGS84,
    "WGS-84": WGS84,
    "CGCS2000": "EPSG:4490",
}


@overload
def normalize_datum(value: str | int) -> str: ...
@overload
def normalize_datum(value: None) -> None: ...
def normalize_datum(value: str | int | None) -> str | None:
    """Return a canonical datum name: ``"GCJ-02"``, ``"BD-09"`` or an ``EPSG:n`` code.

    Parameters
    ----------
    value : str, int or None
        What a user wrote: ``"gcj02"``, ``"GCJ-02"``, ``"bd-09"``, ``4326``,
        ``"EPSG:4490"``, ``"WGS84"`` ... ``None`` passes through.

    Raises
    ------
    CRSError
        When the value is not a datum geotool knows nor a CRS pyproj knows.

    Examples
    --------
    >>> normalize_datum("gcj02")
    'GCJ-02'
    >>> normalize_datum(4326)
    'EPSG:4326'
    """
    if value is None:
        return None
    if isinstance(value, int):
        value = f"EPSG:{value}"
    text = str(value).strip()
    key = text.upper().replace(" ", "").replace("_", "")
    if key in _ALIASES:
        return _ALIASES[key]
    if key.isdigit():
        text = f"EPSG:{key}"
    try:
        crs = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise CRSError(Note("crs.unknown", value=value)) from None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def in_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Boolean mask of points inside the rough box where GCJ-02 applies an offset."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 longitudes/latitudes (degrees) to GCJ-02.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.3975, 39.9087)
    >>> round(float(lon) - 116.3975, 4), round(float(lat) - 39.9087, 4)
    (0.0062, 0.0014)
    """
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 longitudes/latitudes to WGS-84 (iterative exact inverse)."""
    glon, glat = _arrays(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        if wlon.ndim == 1:  # per point: two cores, blocks in cache, the same bits
            wlon, wlat, step = in_halves(_inverse_pass, wlon, wlat, glon, glat)
        else:
            wlon, wlat, step = _inverse_pass(wlon, wlat, glon, glat)
        # the step shrinks ~250x per pass: below 1e-9 degrees (0.1 mm) the next one is
        # already far below a micrometre, so stop (4 passes in China)
        if np.nanmax(step + 0.0, initial=0.0) < 1e-9:
            break
    return wlon, wlat


_BLOCK = 16_384  # points per block of a pass: its dozens of temporaries stay in the cache


def _inverse_pass(wlon: np.ndarray, wlat: np.ndarray, glon: np.ndarray, glat: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One fixed-point pass of :func:`gcj02_to_wgs84`: the next guesses and each step.

    Element by element, a block at a time (a million points in one go would
    stream every temporary through memory); the step of a point is the larger
    of its two corrections, NaN where it has no coordinates.
    """
    if wlon.ndim != 1 or wlon.size <= _BLOCK:
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        return wlon - elon, wlat - elat, np.fmax(np.abs(elon), np.abs(elat))
    nlon, nlat, step = np.empty_like(wlon), np.empty_like(wlat), np.empty_like(wlon)
    for start in range(0, wlon.size, _BLOCK):  # blocks of points, not a loop over rows
        at = slice(start, start + _BLOCK)
        nlon[at], nlat[at], step[at] = _inverse_pass(wlon[at], wlat[at], glon[at], glat[at])
    return nlon, nlat, step


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 longitudes/latitudes to Baidu BD-09."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert Baidu BD-09 longitudes/latitudes to GCJ-02 (iterative exact inverse)."""
    blon, blat = _arrays(lon, lat)
    # closed-form approximation, then refine
    x, y = blon - 0.0065, blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):
        flon, flat = gcj02_to_bd09(glon, glat)
        glon = glon - (flon - blon)
        glat = glat - (flat - blat)
    return glon, glat


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 longitudes/latitudes to Baidu BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert Baidu BD-09 longitudes/latitudes to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


def _transform_geoms(geoms: np.ndarray, func) -> np.ndarray:
    def apply(coords: np.ndarray) -> np.ndarray:
        if len(coords) == 0:
            return coords
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, apply)


def to_wgs84(gdf: gpd.GeoDataFrame, datum: str | None = None) -> gpd.GeoDataFrame:
    """Bring a GeoDataFrame to WGS-84 (EPSG:4326).

    Parameters
    ----------
    gdf : GeoDataFrame
        Input layer.
    datum : str, optional
        The datum the coordinates are really in, overriding ``gdf.crs``:
        ``"GCJ-02"``, ``"BD-09"`` or an EPSG code. Needed for GCJ-02/BD-09
        data, which files always label as EPSG:4326.

    Returns
    -------
    GeoDataFrame
        A copy in EPSG:4326.
    """
    datum = normalize_datum(datum)
    out = gdf.copy()
    if datum in _TO_WGS:
        geoms = _transform_geoms(out.geometry.values, _TO_WGS[datum])
        return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84),
                                crs=WGS84)
    if datum is not None:
        out = out.set_crs(datum, allow_override=True)
    if out.crs is None:
        raise CRSError(Note("crs.layer_none"))
    return out.to_crs(WGS84)


def from_wgs84(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Express a WGS-84 GeoDataFrame in another datum (GCJ-02, BD-09 or EPSG).

    The result of a GCJ-02/BD-09 conversion is labelled EPSG:4326, as web
    maps expect.
    """
    datum = normalize_datum(datum)
    if datum in _FROM_WGS:
        geoms = _transform_geoms(gdf.to_crs(WGS84).geometry.values, _FROM_WGS[datum])
        out = gdf.copy()
        return out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84))
    return gdf.to_crs(datum)


def metric_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pyproj.CRS:
    """Pick a metric CRS for data: the UTM zone (WGS-84) of its centre.

    Henan falls in UTM zones 49N and 50N. Distances and areas computed in
    this CRS are in metres and square metres, with less than 0.1 % scale
    error across a city.

    Raises
    ------
    CRSError
        When the data has no CRS or is empty.
    """
    if gdf.crs is None:
        raise CRSError(Note("crs.metric_no_crs"))
    if gdf.crs.is_projected:
        return gdf.crs
    geoms = gdf.geometry.values
    valid = gdf.geometry[~(pd.isna(geoms) | shapely.is_empty(geoms))]
    if valid.empty:
        raise CRSError(Note("crs.metric_empty"))
    minx, miny, maxx, maxy = valid.to_crs(WGS84).total_bounds
    lon, lat = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    zone = math.floor((lon + 180.0) / 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_metric(gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None = None) -> gpd.GeoDataFrame:
    """Project to a metric CRS (given, or picked by :func:`metric_crs_for`)."""
    return gdf.to_crs(crs if crs is not None else metric_crs_for(gdf))


def require_metric(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise unless every frame is in a projected (metric) CRS.

    Raises
    ------
    CRSError
        For the first frame without a CRS or in a geographic one (degrees).
    """
    for frame in frames:
        if frame.crs is None or not frame.crs.is_projected:
            msg = ("distances and areas need a metric CRS: project with geotool.crs.to_metric() "
                   f"first (got {frame.crs})")
            raise CRSError(msg)


def is_geographic(datum: str) -> bool:
    """Whether ``datum`` (an EPSG code, ``"GCJ-02"`` or ``"BD-09"``) is in degrees.

    An unknown code is not geographic (the reader that uses it reports it).

    Examples
    --------
    >>> is_geographic("GCJ-02"), is_geographic("EPSG:4490"), is_geographic("EPSG:32650")
    (True, True, False)
    """
    if datum in ("GCJ-02", "BD-09"):
        return True
    try:
        return bool(pyproj.CRS.from_user_input(datum).is_geographic)
    except pyproj.exceptions.CRSError:
        return False


def lat_lon_swapped(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where (lon, lat) is outside China but (lat, lon) is inside.

    Examples
    --------
    >>> lat_lon_swapped([33.6, 114.6], [114.6, 33.6]).tolist()
    [True, False]
    """
    return ~in_china(lon, lat) & in_china(lat, lon)
