"""No transparent huge pages for the ``geotool`` command's process.

A run over a million records allocates and frees many arrays of a few to a
few dozen MB, and NumPy (and Arrow's allocator) ask the kernel for
transparent huge pages on large blocks. Each huge page is zeroed whole, 2 MB
at a time, the first time any byte of it is touched, and a freed block's
pages go back to the kernel, so the next array pays again. Measured with
``perf`` in ``geotool gaps`` at 1M records on the 2-core development VM,
zeroing huge pages was the largest single cost: 15 % of all CPU samples,
about 3 s of CPU; with huge pages off for the process, page faults took
1.1–1.3 s of CPU instead of 1.8–3.3 s, and the peak resident memory fell
(a huge page is resident whole, used or not).

:func:`keep_small_pages` switches them off for the calling process and its
children (``prctl(PR_SET_THP_DISABLE)``, Linux 3.15+). The ``geotool``
command calls it; the library does not change its host process. Results do
not change. Elsewhere (macOS, Windows, old kernels) nothing changes and
``False`` is returned.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_small_pages"]

_PR_SET_THP_DISABLE = 41


def keep_small_pages() -> bool:
    """Switch transparent huge pages off for this process (Linux); ``True`` when done.

    Returns
    -------
    bool
        Whether the kernel took the setting (``False`` off Linux or on a
        kernel without it).

    Examples
    --------
    >>> isinstance(keep_small_pages(), bool)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return False
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                      ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
