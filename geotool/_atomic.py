"""Atomic file writing: a file is complete or absent, never half-written.

Every output is written to a temporary file in the destination folder and
renamed over the final name (``os.replace`` is atomic on POSIX and Windows).
A process killed part-way leaves at most a ``.<name>.*.tmp`` file, which the
next run removes, and never a truncated output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["atomic_path", "remove_stale_temps", "write_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path for ``path``'s content; publish it whole on success.

    On Linux the temporary file is anonymous (``O_TMPFILE``): it has no name
    until it is complete, so a process killed part-way leaves nothing behind.
    Elsewhere it is a hidden ``.<name>.*.tmp`` beside the target, which the
    next run removes (:func:`remove_stale_temps`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('done', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _anonymous_file(path.parent)
    if fd is not None:
        try:
            yield Path(f"/proc/self/fd/{fd}")
            os.fsync(fd)
            os.fchmod(fd, 0o666 & ~_umask())
            _publish(fd, path)
        finally:
            os.close(fd)
        return
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _anonymous_file(folder: Path) -> int | None:
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, 0o600)
    except OSError:  # file system without O_TMPFILE support
        return None


def _linkat(fd: int, target: Path) -> None:
    """Give the anonymous file ``fd`` the name ``target`` (Linux ``linkat``)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    source = f"/proc/self/fd/{fd}".encode()
    if libc.linkat(at_fdcwd, source, at_fdcwd, os.fsencode(target), at_symlink_follow) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(target))


def _publish(fd: int, path: Path) -> None:
    """Name the complete anonymous file ``path``, replacing any old file atomically."""
    name = path.parent / f".{path.name}.{os.getpid()}.{fd}.tmp"
    try:
        _linkat(fd, name)  # the file is complete already: never a partial file
    except OSError:
        # no linkat through /proc here: copy the finished bytes the portable way
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as out, open(f"/proc/self/fd/{fd}", "rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        name = Path(tmp)
        os.chmod(name, 0o666 & ~_umask())
    os.replace(name, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def remove_stale_temps(folder: str | Path) -> int:
    """Delete temporary files a killed run left in ``folder``; return how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    count = 0
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            count += 1
    return count
