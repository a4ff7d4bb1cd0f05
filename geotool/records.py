"""Issue and inspection records: from raw spreadsheet cells to one clean table.

:func:`normalize_records` turns the raw cells of :mod:`geotool.tables` into
the canonical record table (WGS-84 points) and a quarantine table. Each row
gets the first of these checks it fails, in this order, or is used:

1. ``found_at`` missing or not a date; ``deadline``/``rectified_at``/``updated_at`` not a date
2. record kind or (for issues) status not understood
3. coordinates not understood, only one of lon/lat, 0,0, lon/lat swapped,
   outside the city (more than ``city_margin_m`` beyond its districts)
4. no coordinates and no feature reference that resolves
5. exact duplicate of an earlier row; same ``record_id`` and ``found_at`` as an
   earlier row but a different kind, category, feature or place
   (``conflicting_duplicate``)

A record without coordinates takes the location of the ledger feature it
names (id first, then exact unique name): a point on it (the middle of a
line, a representative point of a polygon).

Several rows with the same ``record_id`` are versions of one issue. They are
all kept here; :mod:`geotool.issues` orders them by event time (``updated_at``,
else ``rectified_at`` for rectified/closed rows, else ``found_at``; ties in
file order) to find the status as of a date.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.crs import WGS84, bd09_to_wgs84, gcj02_to_wgs84, in_china, normalize_datum, to_metric
from geotool.parsing import (
    normalize_text,
    parse_coordinates,
    parse_dates,
    parse_kinds,
    parse_statuses,
    split_lonlat,
)
from geotool.quarantine import QUARANTINE_COLUMNS, quarantine_frame
from geotool.tables import CANONICAL_COLUMNS, Table

__all__ = ["RECORD_COLUMNS", "RecordsResult", "normalize_records", "feature_anchor_points"]

#: Columns of the records table (plus ``geometry``).
RECORD_COLUMNS = [*CANONICAL_COLUMNS, "updated_at", "located_by", "_file", "_sheet", "_row",
                  "_order"]

_TEXT_COLUMNS = ("record_id", "feature_id", "feature_name", "category", "description", "source",
                 "unit", "district")
_IDENTITY = ("kind", "category", "feature_id", "_lon5", "_lat5")


@dataclass
class RecordsResult:
    """Normalised records, their quarantine and what was repaired."""

    records: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    read: int
    per_file: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def feature_anchor_points(features: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point on each feature: the middle of a line, a point inside a polygon."""
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


def _concat(tables: list[Table]) -> pd.DataFrame:
    frames = []
    for table in tables:
        df = table.data.copy()
        if "lonlat" in df.columns:
            lon, lat = split_lonlat(df["lonlat"])
            for col, val in (("lon", lon), ("lat", lat)):
                if col not in df.columns:
                    df[col] = val.astype(object)
                else:
                    df[col] = df[col].where(df[col].notna(), val.astype(object))
        frames.append(df)
    cols = [*CANONICAL_COLUMNS, "updated_at", "_file", "_sheet", "_row"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    data = pd.concat([f.reindex(columns=cols) for f in frames], ignore_index=True)
    data["_order"] = np.arange(len(data))
    return data


def _year_for_yearless(found: pd.Series) -> int | None:
    years = found.dropna().dt.year
    if years.empty:
        return None
    counts = Counter(years.tolist())
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


def normalize_records(tables: list[Table], features: gpd.GeoDataFrame,
                      city: shapely.Geometry | None, *, datum: str | None = "EPSG:4326",
                      city_margin_m: float = 1000.0, lang: str = "zh") -> RecordsResult:
    """Turn raw record tables into the canonical records table.

    Parameters
    ----------
    tables : list of Table
        Raw cells from :func:`geotool.tables.read_table`.
    features : GeoDataFrame
        All ledger features (``layer, feature_id, name, ...``), WGS-84.
    city : shapely geometry or None
        The union of the districts, WGS-84; records farther than
        ``city_margin_m`` outside it are quarantined. ``None`` disables the check.
    datum : str
        Datum of the coordinates: ``"EPSG:4326"``, ``"GCJ-02"`` or ``"BD-09"``.
    city_margin_m : float
        Tolerance outside the city boundary, in metres.
    lang : str
        Language of the quarantine reasons (``"zh"`` or ``"en"``).

    Returns
    -------
    RecordsResult
    """
    datum = normalize_datum(datum) or WGS84
    data = _concat(tables)
    n = len(data)
    reason = pd.Series(pd.NA, index=data.index, dtype="string")
    rcol = pd.Series(pd.NA, index=data.index, dtype="string")
    rval = pd.Series(pd.NA, index=data.index, dtype="string")
    notes: list[str] = []

    def flag(mask: pd.Series, code: str, column: str, values: pd.Series | None = None) -> None:
        new = mask.fillna(False).astype(bool) & reason.isna()
        reason[new] = code
        rcol[new] = column
        if values is not None:
            rval[new] = values[new].astype("string")

    for col in _TEXT_COLUMNS:
        data[col] = normalize_text(data[col].astype("object").map(str, na_action="ignore"))

    raw_found = data["found_at"].copy()
    found, bad, _ = parse_dates(raw_found)
    year = _year_for_yearless(found)
    if bad.any() and year is not None:
        found, bad, guessed = parse_dates(raw_found, default_year=year)
        if guessed.any():
            notes.append(f"{int(guessed.sum())} found-at date(s) without a year taken as {year}")
    flag(bad, "bad_found_at", "found_at", raw_found)
    flag(found.isna(), "missing_found_at", "found_at")
    data["found_at"] = found
    for col in ("deadline", "rectified_at", "updated_at"):
        parsed, bad_c, _ = parse_dates(data[col], default_year=year)
        flag(bad_c, f"bad_{col}", col, data[col])
        data[col] = parsed

    kind, bad_kind = parse_kinds(data["kind"])
    data["category"] = data["category"]
    has_issue_fields = data["category"].notna() | data["status"].notna()
    kind = kind.fillna(pd.Series(np.where(has_issue_fields, "issue", "inspection"),
                                 index=data.index, dtype="string"))
    flag(bad_kind, "unknown_kind", "kind", data["kind"])
    data["kind"] = kind
    status, bad_status = parse_statuses(data["status"])
    flag(bad_status & (kind == "issue"), "unknown_status", "status", data["status"])
    status = status.where(kind == "issue")
    data["status"] = status.where(status.notna() | (kind != "issue"), "open")

    # coordinates
    lon, bad_lon = parse_coordinates(data["lon"])
    lat, bad_lat = parse_coordinates(data["lat"])
    flag(bad_lon, "bad_coordinates", "lon", data["lon"])
    flag(bad_lat, "bad_coordinates", "lat", data["lat"])
    partial = lon.notna() ^ lat.notna()
    flag(partial, "partial_coordinates", "lon" if True else "lat",
         data["lon"].astype("string").fillna("") + "," + data["lat"].astype("string").fillna(""))
    both = lon.notna() & lat.notna()
    pair = lon.astype("string") + "," + lat.astype("string")
    flag(both & (lon.abs() < 1e-9) & (lat.abs() < 1e-9), "zero_coordinates", "lon", pair)
    lon_a, lat_a = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    swapped = both & pd.Series(~in_china(lon_a, lat_a) & in_china(lat_a, lon_a), index=data.index)
    flag(swapped, "swapped_coordinates", "lon", pair)
    if datum == "GCJ-02":
        lon_a, lat_a = gcj02_to_wgs84(lon_a, lat_a)
    elif datum == "BD-09":
        lon_a, lat_a = bd09_to_wgs84(lon_a, lat_a)
    elif datum != WGS84:
        pts = gpd.GeoSeries(gpd.points_from_xy(lon_a, lat_a), crs=datum).to_crs(WGS84)
        lon_a, lat_a = pts.x.to_numpy(), pts.y.to_numpy()
    located = both & reason.isna()
    if city is not None and not city.is_empty:
        zone = _city_zone(city, city_margin_m)
        inside = shapely.contains_xy(zone, np.nan_to_num(lon_a), np.nan_to_num(lat_a))
        flag(located & ~pd.Series(inside, index=data.index), "outside_city", "lon", pair)
    located = both & reason.isna()

    # feature references
    ref_point = _reference_points(data, features)
    has_id = data["feature_id"].notna()
    has_name = data["feature_name"].notna()
    by_ref = ref_point.notna() & ~located
    flag(~located & has_id & ref_point.isna(), "unknown_feature_id", "feature_id",
         data["feature_id"])
    flag(~located & ~has_id & has_name & ref_point.isna(), "unknown_feature_name",
         "feature_name", data["feature_name"])
    flag(~located & ~has_id & ~has_name, "missing_location", "lon")

    x = np.where(located, lon_a, np.nan)
    y = np.where(located, lat_a, np.nan)
    ref_x = ref_point.map(lambda p: p.x if p is not None else np.nan, na_action="ignore")
    ref_y = ref_point.map(lambda p: p.y if p is not None else np.nan, na_action="ignore")
    x = np.where(by_ref, ref_x.to_numpy(dtype=float, na_value=np.nan), x)
    y = np.where(by_ref, ref_y.to_numpy(dtype=float, na_value=np.nan), y)
    data["lon"], data["lat"] = x, y
    data["located_by"] = np.where(located, "coordinates",
                                  np.where(by_ref & has_id, "feature_id", "feature_name"))

    # ids and duplicates
    stem = data["_file"].map(lambda p: p.rsplit("/", 1)[-1], na_action="ignore")
    synthetic = stem + "#" + data["_sheet"].fillna("") + "#" + data["_row"].astype(str)
    data["record_id"] = data["record_id"].fillna(synthetic.astype("string"))
    ok = reason.isna()
    dup_exact, dup_conflict = _duplicates(data[ok])
    flag(pd.Series(False, index=data.index).mask(dup_exact.reindex(data.index, fill_value=False),
                                                 True), "duplicate_row", "record_id",
         data["record_id"])
    flag(pd.Series(False, index=data.index).mask(dup_conflict.reindex(data.index, fill_value=False),
                                                 True), "conflicting_duplicate", "record_id",
         data["record_id"])

    used = reason.isna()
    records = data[used].copy()
    records = gpd.GeoDataFrame(
        records[RECORD_COLUMNS],
        geometry=gpd.points_from_xy(records["lon"], records["lat"]),
        crs=WGS84,
    ).reset_index(drop=True)
    quarantine = _quarantine(data[~used], reason[~used], rcol[~used], rval[~used], lang)
    per_file = _per_file(data, used)
    if (used & (data["located_by"] != "coordinates")).any():
        k = int((used & (data["located_by"] != "coordinates")).sum())
        notes.append(f"{k} record(s) located by their feature id or name")
    assert len(records) + len(quarantine) == n
    return RecordsResult(records=records, quarantine=quarantine, read=n, per_file=per_file,
                         notes=notes)


def _city_zone(city: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    series = gpd.GeoSeries([city], crs=WGS84)
    metric = to_metric(series)
    zone = metric.buffer(margin_m).to_crs(WGS84).iloc[0]
    shapely.prepare(zone)
    return zone


def _reference_points(data: pd.DataFrame, features: gpd.GeoDataFrame) -> pd.Series:
    out = pd.Series([None] * len(data), index=data.index, dtype=object)
    if features.empty:
        return out
    anchors = feature_anchor_points(features)
    by_id = pd.Series(anchors.values, index=features["feature_id"].astype(str))
    by_id = by_id[~by_id.index.duplicated(keep="first")]
    names = features["name"].astype(str)
    unique_names = names[~names.duplicated(keep=False)]
    by_name = pd.Series(anchors.values[unique_names.index.to_numpy()],
                        index=unique_names.to_numpy())
    has_id = data["feature_id"].notna()
    out[has_id] = data.loc[has_id, "feature_id"].astype(str).map(by_id).to_numpy()
    need = out.isna() & data["feature_name"].notna()
    out[need] = data.loc[need, "feature_name"].astype(str).map(by_name).to_numpy()
    return out.where(out.notna(), None)


def _duplicates(data: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    cols = [*CANONICAL_COLUMNS, "updated_at"]
    exact = data.duplicated(subset=cols, keep="first")
    rest = data[~exact].copy()
    rest["_lon5"] = rest["lon"].round(5)
    rest["_lat5"] = rest["lat"].round(5)
    key = ["record_id", "found_at"]
    first = rest.groupby(key, sort=False, dropna=False)[list(_IDENTITY)].transform("first")
    differs = pd.Series(False, index=rest.index)
    for col in _IDENTITY:
        a, b = rest[col], first[col]
        differs |= ~((a == b).fillna(False) | (a.isna() & b.isna()))
    conflict = differs.reindex(data.index, fill_value=False)
    return exact, conflict


def _quarantine(rows: pd.DataFrame, reason: pd.Series, column: pd.Series, value: pd.Series,
                lang: str) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    parts = []
    for code in sorted(reason.unique()):
        mask = reason == code
        sub = rows[mask]
        parts.append(quarantine_frame(
            "", sub["_row"].to_numpy(), None, value[mask].fillna("").to_numpy(), code,
            lang=lang).assign(file=sub["_file"].to_numpy(), sheet=sub["_sheet"].fillna("").to_numpy(),
                               column=column[mask].fillna("").to_numpy(),
                               _order=sub["_order"].to_numpy()))
    out = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def _per_file(data: pd.DataFrame, used: pd.Series) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for path, group in data.groupby("_file", sort=True):
        u = int(used[group.index].sum())
        out[str(path)] = {"read": len(group), "used": u, "quarantined": len(group) - u}
    return out
