"""Records as GeoParquet partitions: written once by ``geotool convert``, read by workers.

A geotool records folder holds ``part-00000.parquet``, ``part-00001.parquet``,
... (GeoParquet 1.0: WKB points in WGS-84, ``geo`` metadata), one or more files
per top-level district, and a ``_conversion/`` folder with what the
conversion read and quarantined (``accounts.json``, ``quarantine.parquet``
and, for people, ``quarantine.csv``).

Each row is a canonical record (:data:`~geotool.io.records.RECORD_COLUMNS`)
plus its partition keys (:func:`geotool.analysis.partition.partition_keys`):
``_anchor_lon, _anchor_lat`` (where the analysis places the record),
``_part`` (the district owning it) and ``_refs`` (other districts whose
features it names). Each file's ``geotool`` metadata gives its district, the
bounding box of its anchors, the districts it refers to and a fingerprint of
the layers it was partitioned for, so a worker reads only the files, and the
row groups, its district and halo need.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyproj
import shapely

from geotool._atomic import write_atomic
from geotool._errors import InputError
from geotool.crs import WGS84
from geotool.io.config import CONVERSION_DIR
from geotool.io.records import RECORD_COLUMNS
from geotool.text import Note

__all__ = ["CONVERSION_DIR", "ParquetFile", "ParquetIndex", "index_parquet", "layers_fingerprint",
           "read_partition", "read_records", "write_records"]

FORMAT = 1
_META = b"geotool"
_KEYS = ["_anchor_lon", "_anchor_lat", "_part", "_refs"]
_ROW_GROUP = 50_000


def layers_fingerprint(districts: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> str:
    """A hash of the district and ledger layers (ids, names, geometry) records were split for."""
    h = hashlib.sha256()
    for frame, cols in ((districts, ["district_id", "parent", "level"]),
                        (features, ["layer", "feature_id", "name"])):
        for col in cols:
            h.update(col.encode())
            h.update("\x1f".join(frame[col].astype("string").fillna("\x00").tolist()).encode())
        wkb = shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object), output_dimension=2)
        h.update(b"".join(w or b"" for w in wkb))
    return h.hexdigest()[:32]


def write_records(records: gpd.GeoDataFrame, keys: pd.DataFrame, refs: pd.DataFrame,
                  folder: Path, *, fingerprint: str, start: int = 0) -> list[Path]:
    """Write records as one GeoParquet file per owning district (atomically each).

    Parameters
    ----------
    records : GeoDataFrame
        Canonical records (WGS-84).
    keys, refs : DataFrame
        From :func:`geotool.analysis.partition.partition_keys`.
    folder : Path
        Destination; earlier ``part-*.parquet`` files there are removed.
    fingerprint : str
        :func:`layers_fingerprint` of the layers used for the keys.
    start : int
        Number of the first file; above 0, files already there are kept (a
        writer adding records batch by batch).

    Returns
    -------
    list of Path
    """

    folder.mkdir(parents=True, exist_ok=True)
    if start == 0:
        for old in folder.glob("part-*.parquet"):
            old.unlink()
    df = pd.DataFrame(records[RECORD_COLUMNS]).reset_index(drop=True)
    df["_anchor_lon"] = keys["_anchor_lon"].to_numpy(float)
    df["_anchor_lat"] = keys["_anchor_lat"].to_numpy(float)
    df["_part"] = keys["_part"].astype(str).to_numpy(dtype=object)
    ref_lists = np.full(len(df), None, dtype=object)
    if len(refs):
        grouped = refs.groupby("row")["part"].agg(list)
        ref_lists[grouped.index.to_numpy()] = grouped.to_list()
    df["_refs"] = ref_lists
    df["geometry"] = shapely.to_wkb(np.asarray(records.geometry.values, dtype=object))
    schema = pa.Schema.from_pandas(df, preserve_index=False)
    schema = schema.set(schema.get_field_index("_refs"), pa.field("_refs", pa.list_(pa.string())))
    paths = []
    for i, (part, rows) in enumerate(df.groupby("_part", sort=True).indices.items(), start):
        piece = df.iloc[rows].sort_values(["_anchor_lat", "_anchor_lon", "_order"],
                                          kind="stable")
        table = pa.Table.from_pandas(piece, schema=schema, preserve_index=False)
        lon, lat = piece["_anchor_lon"].to_numpy(), piece["_anchor_lat"].to_numpy()
        parts_named = sorted({p for r in piece["_refs"].dropna() for p in r})
        meta = {"format": FORMAT, "part": str(part), "rows": len(piece),
                "bbox": [float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())],
                "refs": parts_named, "fingerprint": fingerprint}
        xy = shapely.get_coordinates(records.geometry.values[piece.index.to_numpy()])
        geo = {"version": "1.0.0", "primary_column": "geometry",
               "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                        "bbox": [float(xy[:, 0].min()), float(xy[:, 1].min()),
                                                 float(xy[:, 0].max()), float(xy[:, 1].max())]}}}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               _META: json.dumps(meta).encode(),
                                               b"geo": json.dumps(geo).encode()})
        path = folder / f"part-{i:05d}.parquet"
        write_atomic(path, partial(pq.write_table, table, row_group_size=_ROW_GROUP))
        paths.append(path)
    return paths


@dataclass
class ParquetFile:
    """One geotool records file, from its metadata."""

    path: str
    part: str
    rows: int
    bbox: tuple[float, float, float, float]
    refs: list[str]
    fingerprint: str


@dataclass
class ParquetIndex:
    """Every geotool records file of a workspace, without reading their rows."""

    files: list[ParquetFile]
    conversion: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Records in all files."""
        return sum(f.rows for f in self.files)

    def files_for(self, part: str, bbox: tuple[float, float, float, float]) -> list[str]:
        """Files a district's task reads.

        Its own, those whose anchors meet ``bbox``, and those naming it.
        """
        x0, y0, x1, y1 = bbox
        out = []
        for f in self.files:
            fx0, fy0, fx1, fy1 = f.bbox
            meets = fx0 <= x1 and x0 <= fx1 and fy0 <= y1 and y0 <= fy1
            if f.part == part or meets or part in f.refs:
                out.append(f.path)
        return out


def _meta(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow.parquet loaded only for Parquet records

    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid (a ValueError)
        raise InputError(Note("parquet.unreadable", error=str(exc).splitlines()[0]),
                         path=path) from None
    raw = (schema.metadata or {}).get(_META)
    if raw is None:
        raise InputError(Note("parquet.not_geotool"), path=path)
    return json.loads(raw)


def index_parquet(paths: list[Path]) -> ParquetIndex:
    """Read the metadata of geotool records files (and their folder's conversion account).

    Raises
    ------
    InputError
        For a file that is not a geotool records file.
    """
    files = []
    for path in paths:
        m = _meta(path)
        files.append(ParquetFile(str(path), m["part"], int(m["rows"]), tuple(m["bbox"]),
                                 list(m["refs"]), m["fingerprint"]))
    conversion: dict[str, Any] = {}
    folders = sorted({Path(p).parent for p in paths})
    if len(folders) == 1 and (folders[0] / CONVERSION_DIR / "accounts.json").exists():
        conversion = json.loads((folders[0] / CONVERSION_DIR / "accounts.json").read_text("utf-8"))
        conversion["folder"] = str(folders[0])
    return ParquetIndex(files, conversion)


def check_fingerprint(index: ParquetIndex, loaded: Any) -> None:
    """Raise when the files were partitioned for other layers than ``loaded``'s."""
    now = layers_fingerprint(loaded.districts, loaded.features)
    for f in index.files:
        if f.fingerprint != now:
            raise InputError(Note("parquet.stale"), path=f.path)


def _to_records(df: pd.DataFrame) -> gpd.GeoDataFrame:
    df = df.copy()
    for col in ("_file", "_sheet"):  # plain Python strings in the loader's records
        values = df[col].astype(object)
        df[col] = values.where(values.notna(), None)
    geometry = gpd.points_from_xy(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
    return gpd.GeoDataFrame(df[RECORD_COLUMNS], geometry=geometry, crs=WGS84)


def read_records(index: ParquetIndex) -> gpd.GeoDataFrame:
    """All records of the files, in their original order (as the spreadsheets gave them)."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow.parquet loaded only for Parquet records

    columns = [*RECORD_COLUMNS]
    frames = [pq.read_table(f.path, columns=columns).to_pandas() for f in index.files]
    if not frames:
        return gpd.GeoDataFrame(pd.DataFrame(columns=RECORD_COLUMNS), geometry=[], crs=WGS84)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df = df.sort_values("_order", kind="stable").reset_index(drop=True)
    return _to_records(df)


def read_partition(files: list[str], part: str, bbox: tuple[float, float, float, float]
                   ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, np.ndarray]:
    """The rows a district's task may need: its own, those anchored in ``bbox``, those naming it.

    Parameters
    ----------
    files : list of str
        From :meth:`ParquetIndex.files_for`.
    part : str
        The district.
    bbox : tuple
        ``(min_lon, min_lat, max_lon, max_lat)`` of its halo (WGS-84).

    Returns
    -------
    records : GeoDataFrame
        Canonical records (a superset of the partition; the caller selects).
    keys : DataFrame
        ``_anchor_lon, _anchor_lat, _part`` of each row.
    names_part : ndarray of bool
        Rows whose ``_refs`` include ``part``.
    """
    import pyarrow.parquet as pq  # noqa: PLC0415 - pyarrow.parquet loaded only for Parquet records

    x0, y0, x1, y1 = bbox
    lon, lat = pc.field("_anchor_lon"), pc.field("_anchor_lat")
    near = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    wanted = near | (pc.field("_part") == part) | pc.field("_refs").is_valid()
    columns = [*RECORD_COLUMNS, *_KEYS]
    frames = [pq.read_table(path, columns=columns, filters=wanted).to_pandas() for path in files]
    frames = [f for f in frames if len(f)] or frames[:1]
    if not frames:
        df = pd.DataFrame(columns=columns)
    else:
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df = df.reset_index(drop=True)
    refs = df["_refs"].explode()
    names_part = (refs == part).groupby(level=0).any().reindex(df.index, fill_value=False)
    keys = df[["_anchor_lon", "_anchor_lat", "_part"]]
    return _to_records(df), keys, names_part.to_numpy(dtype=bool)


def halo_bbox(zone_geoms: np.ndarray, halo_m: float, crs: Any) -> tuple[float, float, float, float]:
    """WGS-84 bounds of the zone geometries grown by ``halo_m`` metres (a safe superset)."""

    if len(zone_geoms) == 0:
        return (0.0, 0.0, 0.0, 0.0)
    x0, y0, x1, y1 = shapely.total_bounds(zone_geoms)
    pad = halo_m + 1.0
    t = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    b = t.transform_bounds(x0 - pad, y0 - pad, x1 + pad, y1 + pad, densify_pts=21)
    eps = 1e-5
    return (b[0] - eps, b[1] - eps, b[2] + eps, b[3] + eps)


def save_conversion(folder: Path, accounts: list[dict[str, Any]], notes: list[dict[str, str]],
                    quarantine: pd.DataFrame, flagged: pd.DataFrame) -> None:
    """Write ``_conversion/``: accounts, notes, quarantine and flagged cells of the spreadsheets."""
    side = folder / CONVERSION_DIR
    side.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "accounts": accounts, "notes": notes},
                      ensure_ascii=False, indent=1, sort_keys=True)
    write_atomic(side / "accounts.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    for name, frame in (("quarantine", quarantine), ("flagged", flagged)):
        q = pd.DataFrame(frame).reset_index(drop=True).astype(object)
        write_atomic(side / f"{name}.parquet", partial(q.to_parquet, index=False))


def load_conversion_frames(index: ParquetIndex) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Quarantine and flagged cells the conversion wrote (``None`` without a conversion account)."""
    folder = index.conversion.get("folder")
    if not folder:
        return None, None
    out = []
    for name in ("quarantine", "flagged"):
        path = Path(folder) / CONVERSION_DIR / f"{name}.parquet"
        frame = pd.read_parquet(path) if path.exists() else None
        if frame is not None and "row" in frame:
            frame["row"] = frame["row"].astype(np.int64)
        out.append(frame)
    return out[0], out[1]
