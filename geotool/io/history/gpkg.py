"""The GeoPackage backend: one SQLite file, readable by QGIS and GDAL.

The file is a GeoPackage 1.3 (``application_id`` GPKG, the required
``gpkg_spatial_ref_sys``, ``gpkg_contents`` and ``gpkg_geometry_columns``
tables); every snapshot table is registered in ``gpkg_contents`` (attribute
tables as ``attributes``, the others as ``features`` in EPSG:4326), so QGIS,
``ogrinfo`` and pyogrio list and read them. Geometries are GeoPackage binary
(a ``GP`` header and WKB). Writes run in ``BEGIN IMMEDIATE`` transactions with
SQLite's rollback journal: a killed save is rolled back when the file is next
opened.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geotool._errors import HistoryError
from geotool.io.history._schema import GEOMETRY, TABLES
from geotool.io.history.store import HistoryStore

__all__ = ["GeoPackageStore"]

_APPLICATION_ID = 0x47504B47  # "GPKG"
_USER_VERSION = 10300  # GeoPackage 1.3.0
_HEADER = b"GP\x00\x01" + struct.pack("<i", 4326)  # version 0, little endian, no envelope
_EMPTY_HEADER = b"GP\x00\x11" + struct.pack("<i", 4326)
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _wgs84_wkt() -> str:

    return CRS.from_epsg(4326).to_wkt("WKT1_GDAL")


class GeoPackageStore(HistoryStore):
    """Snapshots in a GeoPackage file (created when missing).

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file.
    """

    placeholder = "?"
    sql_types: ClassVar[dict[str, str]] = {
        "_fid": "fid INTEGER PRIMARY KEY AUTOINCREMENT", "text": "TEXT", "int": "INTEGER",
        "real": "REAL", "bool": "BOOLEAN", "date": "DATE", "ts": "TEXT"}

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the store; a GeoPackage holding other tables is refused."""
        self.path = Path(path)
        self.where = str(self.path)
        if self.path.exists() and self.path.stat().st_size and not _is_sqlite(self.path):
            raise HistoryError(key="history.not_gpkg", path=self.path)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise HistoryError(key="history.cannot_open", path=self.path,
                               params={"reason": str(exc)}) from None
        others = _other_tables(conn)
        if others:  # a ledger's GeoPackage named as the store: never written into
            conn.close()
            raise HistoryError(key="history.not_store", path=self.path,
                               params={"tables": ", ".join(others[:5])})
        conn.execute("PRAGMA foreign_keys = ON")
        super().__init__(conn)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One transaction; a database error (locked, read-only, disk full) is one line."""
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                if self.conn.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HistoryError(key="history.failed", path=self.path,
                               params={"reason": str(exc)}) from None
        finally:
            cur.close()

    def _table_exists(self, cur: sqlite3.Cursor, table: str) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        return cur.fetchone() is not None

    def _before_schema(self, cur: sqlite3.Cursor) -> None:
        cur.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        cur.execute(f"PRAGMA user_version = {_USER_VERSION}")
        if not self._table_exists(cur, "gpkg_spatial_ref_sys"):
            cur.execute("""CREATE TABLE gpkg_spatial_ref_sys (
                srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
                organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
                description TEXT)""")
            cur.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", [
                ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
                ("WGS 84 geodetic", 4326, "EPSG", 4326, _wgs84_wkt(), "longitude/latitude")])
            cur.execute("""CREATE TABLE gpkg_contents (
                table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
                identifier TEXT UNIQUE, description TEXT DEFAULT '',
                last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
                CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
                    REFERENCES gpkg_spatial_ref_sys(srs_id))""")
            cur.execute("""CREATE TABLE gpkg_geometry_columns (
                table_name TEXT NOT NULL, column_name TEXT NOT NULL,
                geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
                z TINYINT NOT NULL, m TINYINT NOT NULL,
                CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
                CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
                CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) """
                        """REFERENCES gpkg_spatial_ref_sys (srs_id))""")
        for table in TABLES:
            if table not in GEOMETRY:
                cur.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                            "VALUES (?, 'attributes', ?)", (table, table))

    def _geometry_ddl(self, table: str, geometry_type: str) -> list[str]:
        return [
            f"ALTER TABLE {table} ADD COLUMN geom {geometry_type}",
            ("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
             f"VALUES ('{table}', 'features', '{table}', 4326)"),
            ("INSERT INTO gpkg_geometry_columns VALUES "
             f"('{table}', 'geom', '{geometry_type}', 4326, 0, 0)"),
        ]

    def _encode_geoms(self, geoms: np.ndarray) -> list[Any]:
        wkb = shapely.to_wkb(geoms, byte_order=1)
        empty = shapely.is_empty(geoms)
        # (no NumPy bytes arrays here: their dtype drops trailing NUL bytes)
        return [None if w is None else (_EMPTY_HEADER if e else _HEADER) + w
                for w, e in zip(wkb.tolist(), empty.tolist(), strict=True)]

    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        body = [None if v is None else bytes(v)[8 + _ENVELOPE_BYTES[(v[3] >> 1) & 7]:]
                for v in values]
        return shapely.from_wkb(np.array(body, dtype=object))

    def _time_values(self, t: pd.Series, kind: str) -> np.ndarray:
        fmt = "%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S"
        return t.dt.strftime(fmt).to_numpy(dtype=object)

    def _after_save(self, cur: sqlite3.Cursor, snap: Any) -> None:
        stamp = f"{snap.as_of.isoformat()}T00:00:00.000Z"  # the data's date, not the clock
        cur.execute("UPDATE gpkg_contents SET last_change = ?", (stamp,))
        for table in GEOMETRY:
            frame = getattr(snap, table.removeprefix("snapshot_"))
            if len(frame) == 0:
                continue
            minx, miny, maxx, maxy = frame.total_bounds
            cur.execute("UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                        "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
                        "max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
                        (minx, minx, miny, miny, maxx, maxx, maxy, maxy, table))


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _other_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables of a file that is not (yet) a store: none for an empty file or a store."""
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    except sqlite3.Error:
        return []  # unreadable: the store's own checks say so
    own = [n for n in names if not n.startswith(("gpkg_", "rtree_", "sqlite_"))]
    return [] if not own or "snapshots" in own else own
