"""The campaign's memory: every saved week's state, in a GeoPackage or PostGIS.

:func:`open_store` opens (and creates or migrates) the store a workspace's
``[history]`` table names; :class:`~geotool.io.history.store.HistoryStore`
is the one interface both backends share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

from geotool.io.config import HistorySpec
from geotool.io.history._schema import GEOMETRY, SCHEMA_VERSION, TABLES
from geotool.io.history.gpkg import GeoPackageStore
from geotool.io.history.postgis import PostGISStore, _redacted
from geotool.io.history.store import FAULT_ENV, HistoryStore, Snapshot

__all__ = ["FAULT_ENV", "GEOMETRY", "SCHEMA_VERSION", "TABLES", "HistoryStore", "Snapshot",
           "open_store", "store_label", "workspace_store"]


def open_store(*, path: str | Path | None = None, url: str | None = None) -> HistoryStore:
    """Open a history store: a GeoPackage file (``path``) or a PostGIS database (``url``).

    Parameters
    ----------
    path : str or Path, optional
        A ``.gpkg`` file, created when missing.
    url : str, optional
        A ``postgresql://`` URL; used when given.

    Returns
    -------
    HistoryStore

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with open_store(path=pathlib.Path(tempfile.mkdtemp()) / "h.gpkg") as store:
    ...     store.dates(), store.schema_version()
    ([], 2)
    """
    if url:

        return PostGISStore(url)
    if path is None:
        msg = "open_store needs a path or a url"
        raise ValueError(msg)

    return GeoPackageStore(path)


@overload
def workspace_store(workspace, *, create: Literal[True] = ...) -> HistoryStore: ...
@overload
def workspace_store(workspace, *, create: bool) -> HistoryStore | None: ...
def workspace_store(workspace, *, create: bool = True) -> HistoryStore | None:
    """The store a workspace's ``[history]`` names (default ``history.gpkg`` beside it).

    Parameters
    ----------
    workspace : Workspace
    create : bool
        When false, a GeoPackage that does not exist yet is not created
        (``None`` is returned instead).
    """
    spec = workspace.history
    if spec is None:

        spec = HistorySpec(path=workspace.root / "history.gpkg")
    if spec.url:
        return open_store(url=spec.url)
    if not create and not spec.path.exists():
        return None
    return open_store(path=spec.path)


def store_label(workspace) -> str:
    """Where a workspace's store is, for messages (a URL without its password)."""
    spec = workspace.history
    if spec is not None and spec.url:

        return _redacted(spec.url)
    return str(spec.path if spec is not None else workspace.root / "history.gpkg")
