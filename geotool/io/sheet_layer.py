"""Ledgers kept as spreadsheets (台账 in Excel/WPS): points from their 经度/纬度 columns.

A ``[layers.X]`` whose ``path`` is a ``.xlsx``/``.csv`` is read with the
records' reader (:func:`geotool.io.tables.read_table`: encodings, title
rows, merged cells, several sheets) and the records' coordinate parsing
(decimal, D°M'S", full-width digits, one ``经度,纬度`` cell). Header words
for a ledger are added (名称, 点位名称, 编号, 责任单位, 类型 …) and the
``id``/``name``/``unit``/``type`` keys of the layer name its own columns.

Rows whose coordinates cannot be used are quarantined with the records'
reasons (``bad_coordinates``, ``partial_coordinates``, ``zero_coordinates``,
``swapped_coordinates``, ``missing_location``). A row with only an address
is quarantined too: geotool does not geocode addresses (it never uses the
network); give the row coordinates, or put the place on a map layer.

The result is a GeoDataFrame of points labelled EPSG:4326 holding the
coordinates *as written*; :func:`geotool.io.layers.read_layer` then applies
the layer's ``crs`` (GCJ-02, BD-09 or an EPSG code) like for any other file.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.crs import in_china
from geotool.io.columns import COLUMN_ALIASES, _key
from geotool.io.config import LayerSpec
from geotool.io.parsing import Distinct, parse_coordinates, split_lonlat
from geotool.io.quarantine import quarantine_frame
from geotool.io.tables import read_table
from geotool.text import Join, Note

__all__ = ["LEDGER_ALIASES", "SHEET_SUFFIXES", "read_sheet_layer"]

#: File suffixes read as spreadsheet ledgers.
SHEET_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

#: The LayerSpec defaults of the columns a sheet ledger always has.
_DEFAULT_NAMES = {"feature_id": "id", "feature_name": "name"}

#: Ledger header words -> the reader's column names (beyond the records' words).
LEDGER_ALIASES: dict[str, str] = {
    "编号": "feature_id", "点位编号": "feature_id", "台账编号": "feature_id",
    "场所编号": "feature_id", "设施编号": "feature_id", "编码": "feature_id",
    "id": "feature_id",
    "名称": "feature_name", "点位名称": "feature_name", "场所名称": "feature_name",
    "地点": "feature_name", "点位": "feature_name", "单位名称": "feature_name",
    "市场名称": "feature_name", "小区名称": "feature_name", "道路名称": "feature_name",
    "站点名称": "feature_name", "name": "feature_name",
    "责任单位": "unit", "整改责任单位": "unit", "包保单位": "unit", "责任部门": "unit",
    # not 责任人: offices write a unit there as often as a person
    "责任领导": "leader", "包保领导": "leader", "包片领导": "leader", "路长": "leader",
    "类型": "ftype", "类别": "ftype", "点位类型": "ftype", "场所类型": "ftype",
    "type": "ftype",
}


def _coordinates(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                               np.ndarray]:
    """Longitude, latitude (NaN when unusable), the reason code, column and value per row."""
    n = len(data)
    raw_lon = data["lon"] if "lon" in data else pd.Series([None] * n, index=data.index,
                                                          dtype=object)
    raw_lat = data["lat"] if "lat" in data else pd.Series([None] * n, index=data.index,
                                                          dtype=object)
    if "lonlat" in data:
        p_lon, p_lat = split_lonlat(data["lonlat"])
        blank_lon = Distinct(raw_lon).blank()
        raw_lon = raw_lon.astype(object).where(~blank_lon, p_lon.astype(object))
        blank_lat = Distinct(raw_lat).blank()
        raw_lat = raw_lat.astype(object).where(~blank_lat, p_lat.astype(object))
    lon_s, bad_lon = parse_coordinates(raw_lon)
    lat_s, bad_lat = parse_coordinates(raw_lat)
    lon, lat = lon_s.to_numpy(dtype=float, copy=True), lat_s.to_numpy(dtype=float, copy=True)
    code = np.full(n, None, dtype=object)
    column = np.full(n, "lon", dtype=object)
    shown = (raw_lon.astype("string").fillna("") + "," + raw_lat.astype("string").fillna(""))
    value = shown.to_numpy(dtype=object)

    def flag(mask: np.ndarray, reason: str, col: str = "lon") -> None:
        mask = np.asarray(mask, dtype=bool) & pd.isna(code)
        code[mask] = reason
        column[mask] = col

    has_lon, has_lat = ~np.isnan(lon), ~np.isnan(lat)
    flag(bad_lon.to_numpy(), "bad_coordinates")
    flag(bad_lat.to_numpy(), "bad_coordinates", "lat")
    flag(~has_lon & ~has_lat, "missing_location")
    flag(has_lon & ~has_lat, "partial_coordinates", "lat")
    flag(~has_lon & has_lat, "partial_coordinates")
    both = has_lon & has_lat
    with np.errstate(invalid="ignore"):
        flag(both & (np.abs(lon) < 1e-9) & (np.abs(lat) < 1e-9), "zero_coordinates")
        flag(both & ~in_china(lon, lat) & in_china(lat, lon), "swapped_coordinates")
        flag(both & ((np.abs(lon) > 180) | (np.abs(lat) > 90)), "bad_coordinates")
    ok = pd.isna(code)
    lon[~ok], lat[~ok] = np.nan, np.nan
    return lon, lat, code, column, value


def _named_columns(spec: LayerSpec) -> dict[str, str]:
    """Column -> the header the config names for it (defaults ``id``/``name`` aside)."""
    return {canon: key for key, canon in ((spec.id, "feature_id"), (spec.name, "feature_name"),
                                          (spec.unit, "unit"), (spec.type, "ftype"),
                                          (spec.leader, "leader"))
            if key and key != _DEFAULT_NAMES.get(canon)}


def _header_words(spec: LayerSpec, *, only_named: bool) -> dict[str, str]:
    """Header -> column of a sheet ledger: the config's names first, then the usual words.

    With ``only_named``, a column the config names (``leader = "责任领导"``) is
    read from that header only: the usual words for it (路长, 包保领导 …) are
    not, so a sheet with both never takes the other one for coming first.
    """
    named = _named_columns(spec)
    words: dict[str, str] = {key: canon for canon, key in named.items()}
    if only_named:
        for table in (LEDGER_ALIASES, COLUMN_ALIASES):
            for raw, canon in table.items():
                if canon in named and _key(raw) != _key(named[canon]):
                    words.setdefault(raw, f"_ignored_{canon}:{raw}")  # not the one named
    for raw, canon in LEDGER_ALIASES.items():
        words.setdefault(raw, canon)
    for key, canon in ((spec.id, "feature_id"), (spec.name, "feature_name")):
        words.setdefault(key, canon)  # the defaults, "id" and "name"
    return words


def read_sheet_layer(spec: LayerSpec) -> tuple[gpd.GeoDataFrame, list[str], pd.DataFrame, int,
                                               np.ndarray]:
    """Read a spreadsheet ledger as points.

    Parameters
    ----------
    spec : LayerSpec
        The ``[layers.X]`` entry; its ``path`` is a ``.xlsx``/``.csv`` file.

    Returns
    -------
    (GeoDataFrame, notes, quarantine, read, rows)
        Points (EPSG:4326 label, coordinates as written) with the columns
        named by ``spec.id``, ``spec.name``, ``spec.unit``, ``spec.type``,
        ``spec.leader`` when the sheet has them; the notes; the quarantined rows (the
        records' coordinate reasons); the rows read; and the spreadsheet row
        number of each point.

    Raises
    ------
    InputError
        When the file cannot be read as a spreadsheet or has no header.
    """
    table = read_table(spec.path, columns=_header_words(spec, only_named=True))
    if any(canon not in table.data for canon in _named_columns(spec)):
        # a named header the sheet lacks (type = "type" over a 类型 column): the usual
        # words then, as before, and a missing one is reported as such below
        table = read_table(spec.path, columns=_header_words(spec, only_named=False))
    data = table.data.reset_index(drop=True)
    notes = list(table.notes)
    if table.encoding and table.encoding not in ("utf-8", "utf-8-sig"):
        notes.append(Note("note.encoding", encoding=table.encoding))
    twice = [c for c in table.ignored_columns
             if isinstance(c, Note) and c.key == "word.duplicate_column"]
    if twice:  # 路长 and 责任领导 both: the first is used, and the planner should know
        notes.append(Note("note.sheet_columns_twice", columns=Join(twice, ", ")))
    lon, lat, code, column, value = _coordinates(data)
    ok = pd.isna(code)
    rows = data["_row"].to_numpy(dtype=np.int64)
    sheets = data["_sheet"].fillna("").to_numpy(dtype=object)
    frames = []
    for reason in sorted({c for c in code if c is not None}):
        bad = code == reason
        frames.append(quarantine_frame(spec.path, rows[bad], None, value[bad], reason,
                                       sheet=sheets[bad], layer=spec.key))
        frames[-1]["column"] = column[bad]
    if "address" in data and (~ok & data["address"].notna().to_numpy()).any():
        notes.append(Note("sheet_layer.no_geocoding",
                          n=int((~ok & data["address"].notna().to_numpy()).sum())))
    q = (pd.concat(frames, ignore_index=True) if frames else
         quarantine_frame(spec.path, np.array([], dtype=int), None, None, "missing_location"))
    names = {"feature_id": spec.id, "feature_name": spec.name, "unit": spec.unit or "unit",
             "ftype": spec.type or "type", "leader": spec.leader or "leader"}
    columns = {names[c]: data.loc[ok, c].to_numpy(dtype=object)
               for c in names if names[c] and c in data}
    gdf = gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(lon[ok], lat[ok]),
                           crs="EPSG:4326")
    return gdf, notes, q, len(data), rows[ok]
