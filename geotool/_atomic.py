"""Atomic file writing: a file is complete or absent, never half-written.

Every output is written to a temporary file in the destination folder and
renamed over the final name (``os.replace`` is atomic on POSIX and Windows).
A process killed part-way leaves at most a hidden ``.geotool-<name>.<hex>.tmp``
file beside the target, which the next run removes
(:func:`remove_stale_temps` removes only files of that form: never a planner's own).

Fault injection for tests: with ``GEOTOOL_KILL_AT=<point>:<n>`` in the
environment the process SIGKILLs itself at the ``n``-th time it reaches that
point (``write``: the temporary file is complete, not yet renamed;
``publish``: just renamed). Tests use it instead of killing at wall-clock
moments, so every kill lands where the test says. ``GEOTOOL_FAIL_AT=<point>:<n>``
raises an ``OSError`` (no space left on device) there instead, as a full disk would.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TEMP_PREFIX", "Staged", "atomic_path", "checkpoint", "remove_stale_temps",
           "scratch_dir", "write_atomic"]

#: Prefix of every temporary file geotool makes; nothing else is ever cleaned up.
TEMP_PREFIX = ".geotool-"
_TEMP_RE = re.compile(r"^\.geotool-.*\.[0-9a-f]{16}\.tmp$")
_KILL_ENV = "GEOTOOL_KILL_AT"
_FAIL_ENV = "GEOTOOL_FAIL_AT"
_reached: dict[str, int] = {}
_count_lock = threading.Lock()  # files may be written from two threads


def checkpoint(point: str) -> None:
    """Count a pass through ``point``; SIGKILL the process where ``GEOTOOL_KILL_AT`` says.

    A no-op unless ``GEOTOOL_KILL_AT`` or ``GEOTOOL_FAIL_AT`` is set (tests only).
    """
    kill, fail = os.environ.get(_KILL_ENV), os.environ.get(_FAIL_ENV)
    if not kill and not fail:
        return
    with _count_lock:
        _reached[point] = _reached.get(point, 0) + 1
        here = f"{point}:{_reached[point]}"
    if kill == here:
        os.kill(os.getpid(), signal.SIGKILL)
    if fail == here:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} (injected at {here})")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path for ``path``'s content; publish it whole on success.

    The temporary file is created beside the target with the usual
    permissions (mode ``0o666`` less the umask, applied by the OS); on success
    it is flushed to disk and renamed over ``path``; on an exception it is removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    staged = Staged.beside(path)
    try:
        yield staged.tmp
        _flush_to_disk(staged.tmp)
        staged.publish()
    finally:
        staged.discard()


@dataclass(frozen=True)
class Staged:
    """A file written under a temporary name beside its target, put in place by :meth:`publish`.

    For a file written ahead of the moment it may replace the previous one
    (``issues.csv`` while the analysis finishes): nothing at ``path`` changes
    until :meth:`publish`; :meth:`discard` removes the temporary file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> staged = Staged.beside(d / "a.txt").write(lambda tmp: tmp.write_text("done"))
    >>> (d / "a.txt").exists(), staged.publish().read_text()
    (False, 'done')
    """

    path: Path
    tmp: Path

    @classmethod
    def beside(cls, path: str | Path) -> Staged:
        """An empty temporary file for ``path``, made now (its name is known at once)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(path, _new_temp(path))

    def write(self, writer: Callable[[Path], object]) -> Staged:
        """Call ``writer(tmp)`` and flush the file to disk; on an error the file is removed."""
        try:
            writer(self.tmp)
            _flush_to_disk(self.tmp)
        except BaseException:
            self.discard()
            raise
        return self

    def publish(self) -> Path:
        """Rename the written file over ``path`` (atomic); returns ``path``."""
        checkpoint("write")
        os.replace(self.tmp, self.path)
        checkpoint("publish")
        return self.path

    def discard(self) -> None:
        """Remove the temporary file (nothing to do once published)."""
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()


def _flush_to_disk(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _new_temp(path: Path) -> Path:
    """Create an empty, uniquely named temporary file for ``path`` in its folder."""
    # keep the name short enough for any file system: 255 bytes in all
    stem = os.fsencode(path.name)[:180].decode("utf-8", "ignore")
    while True:
        tmp = path.parent / f"{TEMP_PREFIX}{stem}.{secrets.token_hex(8)}.tmp"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:  # pragma: no cover - 64 random bits collided
            continue
        return tmp


@contextlib.contextmanager
def scratch_dir(folder: str | Path, name: str) -> Iterator[Path]:
    """A private folder for a library's own temporary files, inside the output folder.

    Libraries that spill to ``$TMPDIR`` (xlsxwriter's worksheet parts) are
    pointed here instead, so that nothing holding the data outlives a run
    outside ``--out``: the folder is removed on exit, and one a killed run
    left (``.geotool-<name>.<16 hex>.tmp``) is removed by the next run
    (:func:`remove_stale_temps`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with scratch_dir(d, "parts") as s:
    ...     _ = (s / "x").write_text("data")
    ...     s.name.startswith(".geotool-parts.")
    True
    >>> list(d.iterdir())
    []
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        path = folder / f"{TEMP_PREFIX}{name}.{secrets.token_hex(8)}.tmp"
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # pragma: no cover - 64 random bits collided
            continue
        break
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_atomic(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        The final file.
    writer : callable
        Writes the whole content to the path it is given.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def remove_stale_temps(folder: str | Path, *, keep: Collection[Path] = ()) -> int:
    """Delete geotool's own temporary files a killed run left in ``folder``; return how many.

    Only names of the form ``.geotool-<name>.<16 hex>.tmp`` are touched: files
    (:func:`atomic_path`, :class:`Staged`) and folders (:func:`scratch_dir`).
    ``keep``: this run's own, still being written.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    kept = {Path(k).name for k in keep}
    count = 0
    for tmp in folder.glob(f"{TEMP_PREFIX}*.tmp"):
        if not _TEMP_RE.match(tmp.name) or tmp.is_symlink() or tmp.name in kept:
            continue
        with contextlib.suppress(OSError):
            if tmp.is_dir():
                shutil.rmtree(tmp)
                count += 1
            elif tmp.is_file():
                tmp.unlink()
                count += 1
    return count
