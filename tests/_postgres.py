"""A real PostgreSQL 15 + PostGIS server for the tests, in a temporary folder.

The server listens on a unix socket in its own folder only (no TCP), runs as
the ``postgres`` user when the tests run as root (``initdb`` refuses root),
and is stopped and removed at the end of the session. Skips with the reason
when the Debian packages are not installed, except on CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS = Path("/usr/share/postgresql/15/extension/postgis.control")
PACKAGES = "apt-get install -y postgresql-15-postgis-3"


def _run(cmd: list[str], as_postgres: bool) -> subprocess.CompletedProcess:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    # the port only names the socket file; the server opens no TCP socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server; :meth:`database` makes a fresh database and gives its URL."""

    def __init__(self) -> None:
        from conftest import in_ci

        missing = [str(p) for p in (BIN / "initdb", BIN / "pg_ctl", POSTGIS) if not p.exists()]
        if missing:
            reason = f"PostgreSQL 15 + PostGIS 3 not installed ({', '.join(missing)}): {PACKAGES}"
            if in_ci():
                pytest.fail(reason)
            pytest.skip(reason)
        self.as_postgres = os.geteuid() == 0
        self.base = Path(tempfile.mkdtemp(prefix="geotool-pg-"))
        if self.as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self.data = self.base / "data"
        self.port = _free_port()
        _run([str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C", "--no-sync"], self.as_postgres)
        options = (f"-k {self.base} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c full_page_writes=off")
        _run([str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
              "-l", str(self.base / "server.log"), "start"], self.as_postgres)
        self._n = 0

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.base}&port={self.port}"

    def database(self) -> str:
        import psycopg

        self._n += 1
        name = f"geotool_test_{self._n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            _run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                 self.as_postgres)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
