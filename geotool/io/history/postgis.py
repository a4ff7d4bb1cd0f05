"""The PostgreSQL + PostGIS backend, for an office whose planners share one store.

Connects with psycopg 3 to a ``postgresql://`` URL. The first connection
creates the ``postgis`` extension (when missing: that needs a role allowed to
create it) and the tables in the URL's default schema. Geometries are
``geometry(<type>, 4326)`` columns with GiST indexes. Saves and migrations
take a transaction-level advisory lock, so two planners saving at once wait
for each other instead of interleaving; a killed client's transaction is
rolled back by the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import shapely

from geotool._errors import HistoryError
from geotool.io.history.store import HistoryStore

__all__ = ["PostGISStore"]

_LOCK_KEY = 0x67656F74  # "geot": one advisory lock for geotool's writers


def _redacted(url: str) -> str:
    """The URL without its password (in the user part or ``?password=``), for messages.

    Examples
    --------
    >>> _redacted("postgresql://p:s3cr3t@db:5432/g?user=q&password=x&sslmode=require")
    'postgresql://p:***@db:5432/g?user=q&password=***&sslmode=require'
    >>> _redacted("postgresql://p:pw@[::1/g")
    'postgresql://***'
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed host or port
    except ValueError:
        return "postgresql://***"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = hostport
    if at:
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}{':***' if colon else ''}@{hostport}"
    query = "&".join("password=***" if kv.lower().startswith("password=") else kv
                     for kv in parts.query.split("&")) if parts.query else ""
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _scrubbed(text: str, url: str) -> str:
    """A driver's message with every password of ``url`` replaced by ``***``, on one line."""
    secrets = []
    try:
        parts = urlsplit(url)
        secrets.append(parts.password or "")
        secrets += [kv.split("=", 1)[1] for kv in parts.query.split("&")
                    if kv.lower().startswith("password=")]
    except ValueError:
        pass
    text = " ".join(text.split())
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class PostGISStore(HistoryStore):
    """Snapshots in a PostgreSQL database with PostGIS.

    Parameters
    ----------
    url : str
        ``postgresql://user:password@host:port/dbname`` (libpq URI; a unix
        socket folder goes in ``?host=/path``).
    """

    placeholder = "%s"
    sql_types: ClassVar[dict[str, str]] = {
        "_fid": "fid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "text": "TEXT",
        "int": "BIGINT", "real": "DOUBLE PRECISION", "bool": "BOOLEAN", "date": "DATE",
        "ts": "TIMESTAMP"}

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # noqa: PLC0415 - optional: only a PostGIS history store needs it
        except ImportError:  # pragma: no cover - a declared dependency
            raise HistoryError(key="history.no_driver") from None
        self.where = _redacted(url)
        self._url = url
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            reason = _scrubbed(str(exc), url)
            raise HistoryError(key="history.cannot_connect", path=self.where,
                               params={"reason": reason}) from None
        super().__init__(conn)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One transaction; a database error (permissions, lost connection) is one line."""
        import psycopg  # noqa: PLC0415 - optional: only a PostGIS history store needs it

        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                yield cur
        except psycopg.Error as exc:
            raise HistoryError(key="history.failed", path=self.where,
                               params={"reason": _scrubbed(str(exc), self._url)}) from None

    def _lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))

    def _table_exists(self, cur: Any, table: str) -> bool:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table,))
        return bool(cur.fetchone()[0])

    def _before_schema(self, cur: Any) -> None:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def _geometry_ddl(self, table: str, geometry_type: str) -> list[str]:
        kind = {"POINT": "Point", "MULTIPOLYGON": "MultiPolygon"}[geometry_type]
        return [f"ALTER TABLE {table} ADD COLUMN geom geometry({kind}, 4326)"]

    def _spatial_index(self, table: str) -> str:
        return f"CREATE INDEX ix_{table}_geom ON {table} USING GIST (geom)"

    def _geom_select(self) -> str:
        return "ST_AsBinary(geom)"

    def _encode_geoms(self, geoms: np.ndarray) -> list[Any]:
        # hex EWKB text: what PostGIS reads for a geometry column in COPY
        ewkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
        return [None if g is None else str(g) for g in ewkb.tolist()]

    def _geom_insert(self) -> str:
        return "%s::geometry"

    def _insert(self, cur: Any, table: str, cols: list[str], marks: list[str],
                rows: list[tuple]) -> None:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:  # COPY streams rows: far quicker than one INSERT each
                copy.write_row(row)

    def _time_values(self, t: pd.Series, kind: str) -> np.ndarray:
        if kind == "date":
            return t.dt.date.to_numpy(dtype=object)
        return t.astype(object).to_numpy(dtype=object)  # Timestamps are datetimes
