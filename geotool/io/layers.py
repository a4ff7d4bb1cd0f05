"""Reading ledger layers and district polygons.

Every layer comes out in one schema and one datum (WGS-84):

* ledger features: ``layer, feature_id, name, unit, type, leader, geometry``
* districts: ``district_id, name, parent, level, geometry`` where ``level`` is
  the nesting depth (0 = district, 1 = street, 2 = community, ...).

Supported files: GeoJSON, GeoPackage, Shapefile (the .cpg is honoured; a
.dbf without one is tried as UTF-8, then GBK) and KML. Invalid geometries are
repaired (``make_valid``) with a note; empty or missing geometries, missing
or duplicate ids are quarantined with a reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import CRSError, InputError
from geotool.crs import WGS84, is_geographic, to_metric, to_wgs84
from geotool.io.config import LayerSpec
from geotool.io.dbf import deleted_records
from geotool.io.geojson import GeoJSONScan
from geotool.io.ids import id_texts
from geotool.io.made_ids import ids_from_names, looks_like_id
from geotool.io.quarantine import quarantine_frame
from geotool.io.sheet_layer import SHEET_SUFFIXES, read_sheet_layer
from geotool.io.vectors import _read_source, read_vector
from geotool.text import Join, Note, geos_reason

__all__ = ["LayerResult", "read_districts", "read_layer", "read_vector"]

_POLY = ("Polygon", "MultiPolygon")
_LINE = ("LineString", "MultiLineString", "LinearRing")


@dataclass
class LayerResult:
    """A layer read into the canonical schema, its quarantined rows and notes."""

    frame: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    read: int
    notes: list[str] = field(default_factory=list)
    converted_from: str | None = None


def _looks_geographic(gdf: gpd.GeoDataFrame) -> bool:
    geoms = gdf.geometry.values
    valid = gdf.geometry[~(pd.isna(geoms) | shapely.is_empty(geoms))]
    if valid.empty:
        return True
    minx, miny, maxx, maxy = valid.total_bounds
    return minx >= -180.5 and maxx <= 180.5 and miny >= -90.5 and maxy <= 90.5


def _to_wgs84(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> tuple[gpd.GeoDataFrame, str | None]:
    where = f"[layers.{spec.key}]"
    datum = spec.crs
    if datum is None and gdf.crs is None:
        if _looks_geographic(gdf):
            msg = Note("layer.no_crs", where=where)
        else:
            msg = Note("layer.no_crs_projected", where=where)
        raise CRSError(msg, path=spec.path)
    claimed = datum or (gdf.crs.to_string() if gdf.crs is not None else None)
    geographic_claim = datum in ("GCJ-02", "BD-09") or (
        (datum is None and gdf.crs is not None and gdf.crs.is_geographic)
        or (datum is not None and datum.startswith("EPSG:") and is_geographic(datum))
    )
    if geographic_claim and not _looks_geographic(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        msg = Note("layer.looks_projected", minx=minx, maxx=maxx, miny=miny, maxy=maxy,
                   claimed=claimed, where=where)
        raise CRSError(msg, path=spec.path)
    projected_claim = not geographic_claim and (
        (datum is not None and datum.startswith("EPSG:") and not is_geographic(datum))
        or (datum is None and gdf.crs is not None and gdf.crs.is_projected))
    if projected_claim and _looks_geographic(gdf) and not _all_empty(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        msg = Note("layer.looks_degrees", minx=minx, maxx=maxx, miny=miny, maxy=maxy,
                   claimed=claimed, where=where)
        raise CRSError(msg, path=spec.path)
    converted = datum if datum in ("GCJ-02", "BD-09") else None
    if converted is None and gdf.crs is not None and datum is None:
        converted = None if gdf.crs.equals(WGS84) else gdf.crs.to_string()
    elif converted is None and datum is not None and datum != WGS84:
        converted = datum
    return to_wgs84(gdf, datum), converted


def _all_empty(gdf: gpd.GeoDataFrame) -> bool:
    geoms = gdf.geometry.values
    return bool((pd.isna(geoms) | shapely.is_empty(geoms)).all())


def _clean_geometries(gdf: gpd.GeoDataFrame, path: Path, spec_key: str,
                      rows: np.ndarray) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    notes: list[str] = []
    geoms = gdf.geometry.values
    missing = pd.isna(geoms) | shapely.is_empty(geoms)
    invalid = ~missing & ~shapely.is_valid(geoms)
    q = quarantine_frame(path, rows[missing], "geometry", None, "empty_geometry", layer=spec_key)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = shapely.make_valid(geoms[invalid])
        # keep the original dimension: a polygon repaired to a collection keeps its polygons
        orig_types = shapely.get_type_id(geoms[invalid])
        fixed = np.array([_keep_dim(g, t) for g, t in zip(fixed, orig_types, strict=True)],
                         dtype=object)
        geoms = geoms.copy()
        geoms[invalid] = fixed
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
        still = shapely.is_empty(geoms) | pd.isna(geoms)
        newly = still & ~missing
        repaired = int((invalid & ~newly).sum())
        if repaired:
            kinds = sorted({re.sub(r"\[.*", "", r).strip() for r in reasons})[:3]
            key = "note.repaired_geometry" if repaired == 1 else "note.repaired_geometries"
            notes.append(Note(key, n=repaired, kinds=Join(map(geos_reason, kinds), "; ")))
        if newly.any():
            q = _concat_quarantine([q, quarantine_frame(path, rows[newly], "geometry", None,
                                                        "unrepairable_geometry", layer=spec_key)])
            missing = missing | newly
    return gdf[~missing], q, notes


def _keep_dim(geom: shapely.Geometry, type_id: int) -> shapely.Geometry:
    """Keep the parts of a repaired geometry that have the original dimension.

    A polygon repaired to a collection keeps its polygons; one that collapses
    to a line or a point (zero area) comes back empty: it cannot be repaired.
    """
    if geom is None:
        return geom
    dim = {0: 0, 4: 0, 1: 1, 2: 1, 5: 1, 3: 2, 6: 2}.get(int(type_id), 2)
    if geom.geom_type != "GeometryCollection":
        return geom if shapely.get_dimensions(geom) == dim else shapely.GeometryCollection()
    parts = [g for g in geom.geoms if shapely.get_dimensions(g) == dim]
    if not parts:
        return shapely.GeometryCollection()
    return shapely.union_all(parts)


def _column(gdf: gpd.GeoDataFrame, name: str | None, spec: LayerSpec, role: str,
            required: bool) -> pd.Series:
    if name is None:
        return pd.Series(pd.NA, index=gdf.index, dtype="string")
    if name not in gdf.columns:
        lower = {c.lower(): c for c in gdf.columns}
        if name.lower() in lower:
            name = lower[name.lower()]
        elif required:
            have = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
            if len(gdf) == 0 and not have:
                msg = Note("layer_empty.no_features", key=spec.key)
                raise InputError(msg, path=spec.path)
            if not have:
                msg = Note("layer_empty.no_attributes", name=name, role=role, key=spec.key)
                raise InputError(msg, path=spec.path, column=name)
            msg = Note("layer.no_column", name=name, role=role, key=spec.key, have=have)
            raise InputError(msg, path=spec.path, column=name)
        else:
            return pd.Series(pd.NA, index=gdf.index, dtype="string")
    values = gdf[name]
    if role == "parent" and values.dtype == object:
        values = values.map(_single_value, na_action="ignore")
    return id_texts(values)  # ids are text: 411603.0 is "411603", 1e20 stays whole


def _single_value(value: object) -> object:
    """DataV GeoJSON gives ``parent`` as ``{"adcode": 411600}``: take the single value."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value.values()))  # a number is made text by id_texts
    return value


def read_layer(spec: LayerSpec) -> LayerResult:
    """Read one ledger layer into the canonical feature schema, in WGS-84.

    Parameters
    ----------
    spec : LayerSpec
        The ``[layers.X]`` entry.

    Returns
    -------
    LayerResult
        ``frame`` has columns ``layer, feature_id, name, unit, type,
        leader, geometry``; ``quarantine`` has the rows that could not be used.
    """
    if spec.path.suffix.lower() in SHEET_SUFFIXES:  # a ledger kept in Excel/WPS or CSV
        gdf, notes, q_skipped, read, rows = read_sheet_layer(spec)
        spec = replace(spec, unit=spec.unit or ("unit" if "unit" in gdf else None),
                       type=spec.type or ("type" if "type" in gdf else None),
                       leader=spec.leader or ("leader" if "leader" in gdf else None))
    else:
        gdf, notes, scan = _read_source(spec.path, layer=spec.layer or spec.sheet)
        read, rows, q_skipped = _counted(gdf, scan, spec)
    frame = gpd.GeoDataFrame(
        {
            "layer": spec.key,
            "feature_id": _id_column(gdf, spec, notes),
            "name": _column(gdf, spec.name, spec, "name", required=False),
            "unit": _column(gdf, spec.unit, spec, "unit", required=spec.unit is not None),
            "type": _column(gdf, spec.type, spec, "type", required=spec.type is not None),
            "leader": _column(gdf, spec.leader, spec, "leader",
                              required=spec.leader is not None),
            "_row": rows,
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    _fill_ids(frame, "feature_id", spec, notes)
    frame, converted = _to_wgs84(frame, spec)
    frame, q_geom, geom_notes = _clean_geometries(frame, spec.path, spec.key,
                                                  frame["_row"].to_numpy())
    notes += geom_notes
    no_id = frame["feature_id"].isna()
    dup = frame["feature_id"].duplicated(keep="first") & ~no_id
    q = _concat_quarantine([
        q_skipped,
        q_geom,
        quarantine_frame(spec.path, frame.loc[no_id, "_row"].to_numpy(), spec.id, None,
                         "missing_feature_id", layer=spec.key),
        quarantine_frame(spec.path, frame.loc[dup, "_row"].to_numpy(), spec.id,
                         frame.loc[dup, "feature_id"].to_numpy(), "duplicate_feature_id",
                         layer=spec.key),
    ])
    frame = frame[~no_id & ~dup].copy()
    frame["name"] = frame["name"].fillna(frame["feature_id"])
    frame = frame.drop(columns="_row").reset_index(drop=True)
    return LayerResult(frame=frame, quarantine=q, read=read, notes=notes, converted_from=converted)


def _counted(gdf: gpd.GeoDataFrame, scan: GeoJSONScan | None, spec: LayerSpec
             ) -> tuple[int, np.ndarray, pd.DataFrame]:
    """Features in the file, the file position of each one read, and the skipped ones.

    For GeoJSON the count comes from the file's text: features GDAL skips are
    quarantined, and number properties are replaced by their exact JSON text.
    For a shapefile, records marked deleted in the ``.dbf`` are counted and
    quarantined.
    """
    if scan is None:
        deleted = deleted_records(spec.path) if spec.path.suffix.lower() == ".shp" else None
        if deleted is not None and deleted.any() and int((~deleted).sum()) == len(gdf):
            gone = np.flatnonzero(deleted) + 1  # GDAL skipped them: count them, at their place
            q = quarantine_frame(spec.path, gone, None, None, "deleted_record", layer=spec.key)
            return len(deleted), np.flatnonzero(~deleted) + 1, q
        return len(gdf), np.arange(1, len(gdf) + 1), _concat_quarantine([])
    for col in gdf.columns:
        if col != gdf.geometry.name and pd.api.types.is_numeric_dtype(gdf[col]):
            exact = scan.exact(col)
            if exact is not None:
                gdf[col] = pd.Series(exact, index=gdf.index, dtype=object)
    skipped = [quarantine_frame(spec.path, [pos for pos, c, _ in scan.skipped if c == code],
                                "type", [v for _, c, v in scan.skipped if c == code], code,
                                layer=spec.key)
               for code in sorted({c for _, c, _ in scan.skipped})]
    return scan.total, scan.positions, _concat_quarantine(skipped)


def _concat_quarantine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return quarantine_frame("", np.array([], dtype=int), None, None, "empty_geometry")
    return pd.concat(frames, ignore_index=True)


def _fill_ids(frame: gpd.GeoDataFrame, column: str, spec: LayerSpec, notes: list[str]) -> None:
    """A layer whose id column is empty throughout (KML placemarks) gets ids made up.

    Unique names become the ids; otherwise :func:`ids_from_names` (name plus
    a counter). A layer where only some ids are missing keeps them missing
    (quarantined).
    """
    if frame.empty or frame[column].notna().any():
        return
    names = frame["name"]
    if names.notna().all() and not names.duplicated().any():
        frame[column] = names
        notes.append(Note("note.ids_from_names", column=spec.id))
    else:
        frame[column] = ids_from_names(names, frame["_row"].to_numpy(), spec.key)
        notes.append(Note("layer.ids_name_counter", column=spec.id, key=spec.key))


def _id_column(gdf: gpd.GeoDataFrame, spec: LayerSpec, notes: list[str]) -> pd.Series:
    """The id column; a layer with no id column at all (OSM stations: named only) gets
    ids from its names plus a counter, with a note. One with an id-like column
    (编号, code …) under another name is an error naming the columns."""
    lower = {str(c).lower() for c in gdf.columns if c != gdf.geometry.name}
    if spec.id.lower() in lower or any(looks_like_id(c) for c in lower):
        return _column(gdf, spec.id, spec, "id", required=True)
    names = _column(gdf, spec.name, spec, "name", required=False)
    if names.isna().all():
        return _column(gdf, spec.id, spec, "id", required=True)
    notes.append(Note("layer.ids_name_counter", column=spec.id, key=spec.key))
    rows = np.arange(1, len(gdf) + 1)
    return ids_from_names(names, rows, spec.key)


def read_districts(spec: LayerSpec) -> LayerResult:
    """Read the districts layer: polygons, optionally nested through ``parent``.

    Returns
    -------
    LayerResult
        ``frame`` has ``district_id, name, parent, level, geometry``; level 0
        is the top (区), 1 the next (街道), and so on.

    Raises
    ------
    InputError
        When no polygon remains, or parents form a cycle.
    """
    gdf, notes, scan = _read_source(spec.path, layer=spec.layer or spec.sheet)
    read, rows, q_skipped = _counted(gdf, scan, spec)
    frame = gpd.GeoDataFrame(
        {
            "district_id": _column(gdf, spec.id, spec, "id", required=True),
            "name": _column(gdf, spec.name, spec, "name", required=False),
            "parent": _column(gdf, spec.parent, spec, "parent", required=False),
            "_row": rows,
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    _fill_ids(frame, "district_id", spec, notes)
    frame, converted = _to_wgs84(frame, spec)
    frame, q, geom_notes = _clean_geometries(frame, spec.path, spec.key, frame["_row"].to_numpy())
    notes += geom_notes
    types = frame.geometry.geom_type
    not_poly = ~types.isin(_POLY)
    no_id = frame["district_id"].isna()
    dup = frame["district_id"].duplicated(keep="first") & ~no_id
    q = _concat_quarantine([
        q_skipped,
        q,
        quarantine_frame(spec.path, frame.loc[not_poly, "_row"].to_numpy(), "geometry",
                         types[not_poly].to_numpy(), "district_not_polygon", layer=spec.key),
        quarantine_frame(spec.path, frame.loc[no_id & ~not_poly, "_row"].to_numpy(), spec.id,
                         None, "missing_feature_id", layer=spec.key),
        quarantine_frame(spec.path, frame.loc[dup & ~not_poly, "_row"].to_numpy(), spec.id,
                         frame.loc[dup & ~not_poly, "district_id"].to_numpy(),
                         "duplicate_feature_id", layer=spec.key),
    ])
    frame = frame[~not_poly & ~no_id & ~dup].copy()
    if frame.empty:
        raise InputError(Note("layer.no_district_polygon"), path=spec.path)
    frame["name"] = frame["name"].fillna(frame["district_id"])
    known = set(frame["district_id"])
    orphan = frame["parent"].notna() & ~frame["parent"].isin(known)
    if orphan.any():
        codes = ", ".join(sorted(frame.loc[orphan, "parent"].unique())[:5])
        notes.append(Note("note.orphan_parents", n=int(orphan.sum()), codes=codes))
        frame.loc[orphan, "parent"] = pd.NA
    frame["level"] = _levels(frame, spec.path)
    frame = frame[["district_id", "name", "parent", "level", "geometry"]]
    frame = frame.sort_values(["level", "district_id"]).reset_index(drop=True)
    notes += _overlap_notes(frame)
    return LayerResult(frame=frame, quarantine=q, read=read, notes=notes, converted_from=converted)


def _levels(frame: gpd.GeoDataFrame, path: Path) -> pd.Series:
    parent = dict(zip(frame["district_id"], frame["parent"], strict=True))
    levels: dict[str, int] = {}
    for start in sorted(parent):
        chain: list[str] = []
        node = start
        while node is not None and not pd.isna(node) and node not in levels:
            if node in chain:
                msg = Note("layer.parent_cycle", chain=" -> ".join([*chain, node]))
                raise InputError(msg, path=path)
            chain.append(node)
            node = parent.get(node)
        base = -1 if node is None or pd.isna(node) else levels[node]
        for depth, item in enumerate(reversed(chain), start=1):
            levels[item] = base + depth
    return frame["district_id"].map(levels).astype(int)


def _overlap_notes(frame: gpd.GeoDataFrame) -> list[str]:

    notes: list[str] = []
    metric = to_metric(frame)
    for level, group in metric.groupby("level", sort=True):
        if len(group) < 2:
            continue
        total = float(group.area.sum())
        union = float(shapely.union_all(group.geometry.values).area)
        overlap = total - union
        if overlap > 1.0 and overlap > 1e-6 * total:
            notes.append(Note("note.districts_overlap", level=level, overlap=overlap))
    return notes


def features_from_layers(results: list[LayerResult]) -> gpd.GeoDataFrame:
    """Concatenate ledger layers into one feature table (WGS-84)."""
    frames = [r.frame for r in results if not r.frame.empty]
    if not frames:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype="string")
             for c in ("layer", "feature_id", "name", "unit", "type", "leader")},
            geometry=gpd.GeoSeries([], crs=WGS84),
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
