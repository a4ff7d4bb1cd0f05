"""Python's cycle collector paused while a stage works through a city's records.

Shapely geometries are tracked by the cycle collector, so with a million
record points in memory every full collection walks them all, holding the
GIL (about 0.65 s over a 1,000,000-record ``geotool gaps``, stalling every
thread each time). None of them is in a reference cycle: they are freed by
reference counting as soon as they go. So each stage (reading, analysing,
writing) runs with the collector off and turns it back on when it ends; the
few cycles a stage leaves are collected then, at the next threshold.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for a block or, as ``@collector_paused()``, a function.

    Nested uses (and uses from several threads) leave it as it was before
    the outermost one.

    Examples
    --------
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
