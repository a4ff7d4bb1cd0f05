"""The two threads every output file is written in, and a failure ending them at once.

Most of the time spent writing geotool's files runs without Python's global
lock (deflate, Arrow compute, GDAL, file writes), so two threads keep two
cores busy. The calling thread only hands out the files and waits: a file
failing in either thread ends the wait at once and cancels the files not yet
started (each file is still complete or absent, :mod:`geotool._atomic`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

__all__ = ["WORKERS", "first_done", "write_threads"]

WORKERS = 2


@contextlib.contextmanager
def write_threads() -> Iterator[ThreadPoolExecutor]:
    """Two worker threads for files; on an exception the files not yet started are cancelled.

    Examples
    --------
    >>> with write_threads() as pool:
    ...     pool.submit(sum, [1, 2]).result()
    3
    """
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="geotool-write")
    try:
        yield pool
    except BaseException:
        pool.shutdown(cancel_futures=True)  # a failed run starts no further file
        raise
    finally:
        pool.shutdown()


def first_done(pending: set[Future]) -> set[Future]:
    """Wait until one of ``pending`` is done; return those done (removed from ``pending``).

    The error of a failed one is raised here, at once.
    """
    done, rest = wait(pending, return_when=FIRST_COMPLETED)
    pending.intersection_update(rest)
    for future in done:
        future.result()
    return done
