"""The history store: one interface, a GeoPackage or a PostGIS backend.

A :class:`Snapshot` is everything geotool keeps of one analysis date: its
parameters, per-district figures and rank, per-feature state, per-issue state
and the blind-spot polygons. :class:`HistoryStore` saves snapshots (saving a
date again replaces it, in one transaction), lists and loads them. The SQL is
shared; a backend only says how to connect, which placeholder and SQL types it
uses and how geometries travel.

Fault injection (for tests): with ``GEOTOOL_HISTORY_FAULT=N`` a save raises
right after its N-th table write inside the transaction; ``N:exit`` ends the
process there instead (``os._exit``), as a kill would.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import HistoryError, printable
from geotool.io.history._schema import GEOMETRY, SCHEMA_VERSION, TABLES, migrations

__all__ = ["FAULT_ENV", "HistoryStore", "Snapshot"]

FAULT_ENV = "GEOTOOL_HISTORY_FAULT"
_CHILDREN = {"districts": "snapshot_districts", "features": "snapshot_features",
             "issues": "snapshot_issues", "blindspots": "snapshot_blindspots"}


@dataclass
class Snapshot:
    """One stored analysis date.

    Attributes
    ----------
    as_of : date
    city : str
    params : dict
        The analysis parameters (JSON-able).
    metric_crs : str
        The metric CRS the analysis worked in (for areas of blind spots).
    districts : DataFrame
        ``snapshot_districts`` columns (without ``as_of``).
    features, issues, blindspots : GeoDataFrame
        The other tables' columns, WGS-84 geometries.
    """

    as_of: dt.date
    city: str
    params: dict[str, Any]
    metric_crs: str
    districts: pd.DataFrame
    features: gpd.GeoDataFrame
    issues: gpd.GeoDataFrame
    blindspots: gpd.GeoDataFrame
    geotool: str = field(default="")


def _fault_plan() -> tuple[int, bool] | None:
    raw = os.environ.get(FAULT_ENV, "").strip()
    if not raw:
        return None
    n, _, mode = raw.partition(":")
    return int(n), mode == "exit"


class HistoryStore(ABC):
    """Snapshots of one workspace, kept in a database.

    Use :func:`geotool.io.history.open_store`; a store is a context manager
    (closing it closes the connection).
    """

    #: The DB-API placeholder of the backend.
    placeholder = "?"
    #: Abstract column type -> SQL type.
    sql_types: ClassVar[dict[str, str]] = {}
    #: Where the store is, for messages.
    where: str = ""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._migrate()

    # ---- backend hooks ----
    @abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A context yielding a cursor inside one transaction (rolled back on error)."""

    @abstractmethod
    def _geometry_ddl(self, table: str, geometry_type: str) -> list[str]:
        """Statements adding the ``geom`` column of ``table``."""

    def _spatial_index(self, table: str) -> str | None:
        return None

    def _table_exists(self, cur: Any, table: str) -> bool:
        raise NotImplementedError

    def _before_schema(self, cur: Any) -> None:  # noqa: B027 - an optional hook a backend may override
        """Backend set-up run in the schema transaction (extensions, GeoPackage tables)."""

    def _geom_insert(self) -> str:
        return self.placeholder

    def _geom_select(self) -> str:
        return "geom"

    def _encode_geoms(self, geoms: np.ndarray) -> list[Any]:
        wkb = shapely.to_wkb(geoms, byte_order=1, include_srid=False)
        return [None if w is None else bytes(w) for w in wkb]

    def _decode_geoms(self, values: list[Any]) -> np.ndarray:
        return shapely.from_wkb(np.array([None if v is None else bytes(v) for v in values],
                                         dtype=object))

    def _lock(self, cur: Any) -> None:  # noqa: B027 - an optional hook a backend may override
        """Serialise writers (a server with several planners)."""

    def _time_values(self, t: pd.Series, kind: str) -> np.ndarray:
        """Dates (``kind="date"``) or date-times (``"ts"``) as the driver takes them."""
        raise NotImplementedError

    def _to_sql(self, values: pd.Series, kind: str) -> list[Any]:
        """A column as Python values of the abstract ``kind`` (``None`` for missing)."""
        s = values.reset_index(drop=True)
        mask = s.isna().to_numpy(dtype=bool)
        if kind in ("date", "ts"):
            out = self._time_values(pd.to_datetime(s), kind).astype(object)
        elif kind == "bool":
            out = s.where(~mask, False).to_numpy(dtype=bool).astype(object)
        elif kind == "int":
            num = pd.to_numeric(s.where(~mask, 0)).to_numpy(dtype=np.float64)
            out = num.astype(np.int64).astype(object)
        elif kind == "real":
            out = pd.to_numeric(s.where(~mask, 0.0)).to_numpy(dtype=np.float64).astype(object)
        else:
            out = s.astype(str).to_numpy(dtype=object)
        out[mask] = None
        return out.tolist()

    def _after_save(self, cur: Any, snap: Snapshot) -> None:  # noqa: B027 - an optional hook a backend may override
        """Backend bookkeeping inside the save transaction."""

    # ---- schema ----
    def _migrate(self, upto: int = SCHEMA_VERSION) -> None:
        steps = migrations(self.sql_types, self._geometry_ddl, self._spatial_index)
        with self._transaction() as cur:
            self._lock(cur)
            if self._table_exists(cur, "geotool_schema"):
                cur.execute("SELECT max(version) FROM geotool_schema")
                version = int(cur.fetchone()[0] or 0)
            else:
                self._before_schema(cur)
                cur.execute("CREATE TABLE geotool_schema (version INTEGER NOT NULL)")
                version = 0
            if version > SCHEMA_VERSION:
                raise HistoryError(key="history.newer_schema", path=self.where,
                                   params={"found": version, "known": SCHEMA_VERSION})
            for v in range(version, min(upto, len(steps))):
                for statement in steps[v]:
                    cur.execute(statement)
                cur.execute(f"INSERT INTO geotool_schema (version) VALUES ({self.placeholder})",
                            (v + 1,))

    def schema_version(self) -> int:
        """The schema version of the store."""
        with self._transaction() as cur:
            cur.execute("SELECT max(version) FROM geotool_schema")
            return int(cur.fetchone()[0])

    # ---- writing ----
    def _rows(self, table: str, frame: pd.DataFrame, as_of: dt.date
              ) -> tuple[list[str], list[str], list[tuple]]:
        columns = TABLES[table]
        cols = [c for c, _ in columns]
        data = [self._to_sql(pd.Series([as_of] * len(frame), dtype=object), "date")]
        for name, kind in columns[1:]:
            values = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
            data.append(self._to_sql(values.reset_index(drop=True), kind))
        marks = [self.placeholder] * len(cols)
        if table in GEOMETRY:
            cols.append("geom")
            marks.append(self._geom_insert())
            data.append(self._encode_geoms(_as_type(frame.geometry.values, GEOMETRY[table])))
        return cols, marks, list(zip(*data, strict=True)) if data and len(frame) else []

    def _insert(self, cur: Any, table: str, cols: list[str], marks: list[str],
                rows: list[tuple]) -> None:
        """Insert ``rows`` (the backend may use a faster bulk path)."""
        cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(marks)})",
                        rows)

    def save(self, snap: Snapshot) -> None:
        """Store ``snap``, replacing any snapshot of the same date, in one transaction.

        Either the whole snapshot is stored or (an error, a kill) the store is
        left as it was. A store holding another city's snapshots is refused
        (:meth:`check_city`) and left untouched.
        """
        plan = _fault_plan()
        writes = 0

        def wrote() -> None:
            nonlocal writes
            writes += 1
            if plan is not None and writes == plan[0]:
                if plan[1]:
                    os._exit(75)
                raise RuntimeError(f"{FAULT_ENV}: injected fault after write {writes}")

        head = pd.DataFrame([{
            "city": snap.city, "params": json.dumps(snap.params, sort_keys=True, ensure_ascii=False,
                                                    default=str),
            "metric_crs": snap.metric_crs, "geotool": snap.geotool,
            "features": len(snap.features), "issues": len(snap.issues),
            "blindspots": len(snap.blindspots)}])
        frames = {"snapshots": head, **{t: getattr(snap, k) for k, t in _CHILDREN.items()}}
        with self._transaction() as cur:
            self._lock(cur)
            self._refuse_other_city(cur, snap.city)
            for table in reversed(list(TABLES)):
                cur.execute(f"DELETE FROM {table} WHERE as_of = {self.placeholder}",
                            (self._to_sql(pd.Series([snap.as_of]), "date")[0],))
                wrote()
            for table in TABLES:
                cols, marks, rows = self._rows(table, frames[table], snap.as_of)
                if rows:
                    self._insert(cur, table, cols, marks, rows)
                wrote()
            self._after_save(cur, snap)

    def _refuse_other_city(self, cur: Any, city: str) -> None:
        cur.execute(f"SELECT DISTINCT city FROM snapshots WHERE city <> {self.placeholder} "
                    "ORDER BY city", (city,))
        others = [str(r[0]) for r in cur.fetchall()]
        if others:
            raise HistoryError(key="history.other_city", path=self.where or None,
                               params={"stored": printable("、".join(others)),
                                       "city": printable(city)})

    def check_city(self, city: str) -> None:
        """Refuse a store holding snapshots of another city (before any work).

        A store keeps one city's weeks: saving city B's snapshot of a date
        into city A's store would replace A's week without a word, and the
        trends and ``geotool diff`` would compare two cities.

        Parameters
        ----------
        city : str
            The workspace's ``[city] name``.

        Raises
        ------
        HistoryError
            ``history.other_city``, naming the cities stored.
        """
        with self._transaction() as cur:
            self._refuse_other_city(cur, city)

    # ---- reading ----
    def dates(self) -> list[dt.date]:
        """The stored as-of dates, oldest first."""
        with self._transaction() as cur:
            cur.execute("SELECT as_of FROM snapshots ORDER BY as_of")
            return [_date(r[0]) for r in cur.fetchall()]

    def _select(self, table: str, where: str = "", params: tuple = ()) -> pd.DataFrame:
        columns = TABLES[table]
        names = [c for c, _ in columns]
        select = ", ".join(names + ([self._geom_select()] if table in GEOMETRY else []))
        with self._transaction() as cur:
            cur.execute(f"SELECT {select} FROM {table} {where}", params)
            rows = cur.fetchall()
        cols: list[Sequence[Any]] = (list(zip(*rows, strict=True)) if rows
                                     else [[] for _ in range(len(select.split(",")))])
        out = pd.DataFrame({name: _from_sql(list(cols[i]), kind)
                            for i, (name, kind) in enumerate(columns)})
        if table in GEOMETRY:
            return gpd.GeoDataFrame(out, geometry=self._decode_geoms(list(cols[len(names)])),
                                    crs="EPSG:4326")
        return out

    def load(self, as_of: dt.date) -> Snapshot | None:
        """The snapshot of ``as_of``, or ``None`` when that date is not stored."""
        p = self.placeholder
        key = (self._to_sql(pd.Series([as_of]), "date")[0],)
        head = self._select("snapshots", f"WHERE as_of = {p}", key)
        if head.empty:
            return None
        h = head.iloc[0]
        parts = {k: self._select(t, f"WHERE as_of = {p} ORDER BY fid", key).drop(columns="as_of")
                 for k, t in _CHILDREN.items()}
        return Snapshot(as_of=as_of, city=h["city"], params=json.loads(h["params"]),
                        metric_crs=h["metric_crs"], geotool=h["geotool"], **parts)

    def previous(self, as_of: dt.date) -> dt.date | None:
        """The latest stored date before ``as_of`` (``None`` when there is none)."""
        earlier = [d for d in self.dates() if d < as_of]
        return earlier[-1] if earlier else None

    def district_history(self, *, level: int | None = None) -> pd.DataFrame:
        """Every stored district row (``as_of`` first), oldest date first.

        Parameters
        ----------
        level : int, optional
            Only districts of this nesting level.
        """
        where = ""
        params: tuple[object, ...] = ()
        if level is not None:
            where, params = f"WHERE level = {self.placeholder}", (int(level),)
        out = self._select("snapshot_districts", where + " ORDER BY as_of, fid", params)
        return out.reset_index(drop=True)

    def snapshots(self) -> pd.DataFrame:
        """One row per stored snapshot: date, parameters, counts (oldest first)."""
        out = self._select("snapshots", "ORDER BY as_of")
        return out.reset_index(drop=True)

    # ---- lifetime ----
    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_type(geoms: np.ndarray, geometry_type: str) -> np.ndarray:
    """Geometries as the table's type: polygons made multi for a MULTIPOLYGON column."""
    geoms = np.asarray(geoms, dtype=object)
    if geometry_type != "MULTIPOLYGON" or len(geoms) == 0:
        return geoms
    parts, index = shapely.get_parts(geoms, return_index=True)
    out = np.full(len(geoms), None, dtype=object)
    out[:] = [shapely.MultiPolygon()] * len(geoms)
    if len(parts):
        multi = shapely.multipolygons(parts, indices=index)
        out[np.unique(index)] = multi
    return out


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _from_sql(values: list[Any], kind: str) -> pd.Series:
    if kind == "date":
        return pd.Series([_date(v) for v in values], dtype=object)
    if kind == "ts":
        return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
    if kind == "bool":
        return pd.Series(values, dtype=object).fillna(False).astype(bool)
    if kind == "int":
        return pd.Series(values, dtype=object).fillna(0).astype(np.int64)
    if kind == "real":
        return pd.Series(values, dtype=object).astype(float)
    return pd.Series(values, dtype=object)
