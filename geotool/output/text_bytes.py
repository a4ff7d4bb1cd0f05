"""The UTF-8 bytes behind an Arrow string array, for quick looks and for writing them out.

An Arrow string array is one buffer of UTF-8 bytes and the offset of each
value in it. Writers join cell texts with Arrow compute functions and hand
the joined buffer to the file as it is (:func:`joined_bytes`, no Python
string per row); checks that only need a value's first byte or whether a
byte occurs at all look at the buffer with NumPy (:func:`utf8_view`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["joined_bytes", "utf8_view"]


def utf8_view(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The bytes of ``texts`` (uint8, no copy) and the ``len + 1`` offsets of its values in them.

    Examples
    --------
    >>> data, at = utf8_view(pa.array(["ab", None, "城"]).slice(1))
    >>> data.tobytes(), at.tolist()
    (b'\\xe5\\x9f\\x8e', [0, 0, 3])
    """
    large = pa.types.is_large_string(texts.type) or pa.types.is_large_binary(texts.type)
    kind: np.dtype = np.dtype(np.int64 if large else np.int32)
    n = len(texts)
    buffers = texts.buffers()
    if n == 0 or buffers[1] is None:
        return np.zeros(0, dtype=np.uint8), np.zeros(n + 1, dtype=np.int64)
    at = np.frombuffer(buffers[1], dtype=kind, count=n + 1,
                       offset=texts.offset * kind.itemsize).astype(np.int64)
    first, last = int(at[0]), int(at[-1])
    if buffers[2] is None or last == first:
        return np.zeros(0, dtype=np.uint8), at - first
    data = np.frombuffer(buffers[2], dtype=np.uint8, count=last - first, offset=first)
    return data, at - first


def joined_bytes(texts: pa.Array) -> pa.Buffer | bytes:
    """All of ``texts`` (Arrow strings) one after another, without a copy (nulls: nothing).

    Examples
    --------
    >>> bytes(joined_bytes(pa.array(["ab", "", "城"]).slice(1)))
    b'\\xe5\\x9f\\x8e'
    """
    buffers = texts.buffers()
    if not len(texts) or buffers[1] is None or buffers[2] is None:
        return b""
    kind = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    at = np.frombuffer(buffers[1], dtype=kind, count=len(texts) + 1,
                       offset=texts.offset * np.dtype(kind).itemsize)
    return buffers[2].slice(int(at[0]), int(at[-1] - at[0]))
