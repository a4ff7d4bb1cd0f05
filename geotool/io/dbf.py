"""What a shapefile's ``.dbf`` holds: records marked deleted, which GDAL skips unsaid.

Deleting a feature in many GIS programs only marks its ``.dbf`` record
(``*`` as the record's first byte) until the file is packed; GDAL then
skips it without a word, and every later feature's position shifts.
:func:`deleted_records` reads the marks (one byte per record, memory-mapped)
so that the layer reader can count every record the file holds and
quarantine the marked ones at their own position.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["deleted_records"]

_DELETED = 0x2A  # "*"


def deleted_records(shp: Path) -> np.ndarray | None:
    """A boolean per ``.dbf`` record, ``True`` when it is marked deleted.

    Returns ``None`` when there is no readable ``.dbf`` beside ``shp``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> header = bytes([3, 126, 1, 1]) + (2).to_bytes(4, "little") + (65).to_bytes(2, "little")
    >>> header += (2).to_bytes(2, "little") + bytes(20) + b"ID" + bytes(9) + b"C" + bytes(4)
    >>> header += bytes([1]) + bytes(15) + b"\\r"
    >>> _ = (d / "a.dbf").write_bytes(header + b" a*b\\x1a")
    >>> deleted_records(d / "a.shp").tolist()
    [False, True]
    """
    for dbf in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")):
        if dbf.is_file():
            break
    else:
        return None
    try:
        size = dbf.stat().st_size
        with open(dbf, "rb") as fh:
            head = fh.read(12)
        if len(head) < 12:
            return None
        count = int.from_bytes(head[4:8], "little")
        header_len = int.from_bytes(head[8:10], "little")
        record_len = int.from_bytes(head[10:12], "little")
        if record_len == 0 or header_len >= size:
            return None
        count = min(count, (size - header_len) // record_len)
        if count == 0:
            return np.zeros(0, dtype=bool)
        marks = np.memmap(dbf, dtype=np.uint8, mode="r", offset=header_len,
                          shape=(count, record_len))[:, 0]
        return np.asarray(marks == _DELETED)
    except (OSError, ValueError):
        return None
