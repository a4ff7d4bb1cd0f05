"""A workspace's record tables read in a thread from a command's first moment.

A command that analyses a workspace spends its first second (more on a slow
laptop) importing geopandas, shapely and pyproj, which holds one core and
leaves the other idle, while the record files' reading (Arrow's CSV reader,
the GIL mostly free) waits for :func:`geotool.io.workspace.load_workspace`.
:class:`EarlyRead` starts that reading before those imports (this module
imports none of them); ``load_workspace(..., early=...)`` takes its tables
when they were read from the very files, columns and value words of the
config it reads itself, and reads them again otherwise. What the reading
raises is raised where ``load_workspace`` raises its own reading's errors
(after the layers'), so a command reports the same errors in the same order.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geotool.io.config import CONVERSION_DIR, load_config  # light: no pandas, pyproj nor geopandas

if TYPE_CHECKING:
    from geotool.io.config import Workspace

__all__ = ["TABLE_SUFFIXES", "EarlyRead", "record_tables"]

# record tables read as such; .xls is kept so that read_table can tell the planner to
# save it as .xlsx
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")


def record_tables(matched: list[Path]) -> tuple[list[Path], list[Path]]:
    """The matched record files split: (GeoParquet partitions, CSV and spreadsheet files).

    GeoParquet partitions (``geotool convert`` output, outside its
    ``_conversion`` folder) are read instead of the tables when there are
    any; the tables list is empty then.

    Parameters
    ----------
    matched : list of Path
        :meth:`geotool.io.config.Workspace.record_files`.
    """
    parquet = [f for f in matched
               if f.suffix.lower() == ".parquet" and CONVERSION_DIR not in f.parts]
    tables = [] if parquet else [f for f in matched if f.suffix.lower() in TABLE_SUFFIXES]
    return parquet, tables


def _key(ws: Workspace, files: list[Path]) -> tuple[Any, ...]:
    """What the tables read depend on: the files (with size and time) and the config's words."""
    stats = tuple((f, f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return stats, repr(ws.records.columns), repr(ws.records.values)


class EarlyRead:
    """The record tables of the workspace at ``path``, being read in a thread.

    Parameters
    ----------
    path : str or Path
        The workspace folder or config, as given to ``load_workspace``.

    Notes
    -----
    As the commands use it, before their heavy imports::

        early = EarlyRead(workspace)
        from geotool.io.workspace import load_workspace
        loaded = load_workspace(workspace, early=early)
    """

    def __init__(self, path: str | Path) -> None:
        self._key: Future[tuple[Any, ...]] = Future()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-early-read")
        try:
            self._tables: Future[list[Any]] | None = pool.submit(self._read, Path(path))
        finally:
            pool.shutdown(wait=False)  # the thread ends with the reading

    def _read(self, path: Path) -> list[Any]:
        try:
            from geotool.io.tables import read_table  # noqa: PLC0415 - pandas loads in the thread: the point

            ws = load_config(path)
            _, files = record_tables(ws.record_files())
            self._key.set_result(_key(ws, files))
        except BaseException as exc:  # the config is read (and refused) again by load_workspace
            self._key.set_exception(exc)
            raise
        return [read_table(f, columns=ws.records.columns, values=ws.records.values)
                for f in files]

    def tables_for(self, ws: Workspace, files: list[Path]) -> Future[list[Any]] | None:
        """The reading of ``files`` with ``ws``'s words, or None when it read something else
        (or was handed over already).

        Waits only for the config to be read in the thread, not for the tables.
        The reading is handed over once: this object keeps no reference to the
        tables (they are freed with the load's own reading).
        """
        try:
            same = self._key.result() == _key(ws, files)
        except Exception:
            return None
        tables, self._tables = self._tables, None
        return tables if same else None

    def wait(self) -> None:
        """Wait for the thread to end (whatever it raised is left to ``tables_for``)."""
        if self._tables is not None:
            self._tables.exception()
