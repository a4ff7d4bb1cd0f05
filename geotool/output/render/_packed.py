"""Compact columns for the maps: integers bit-packed, repeated strings as dictionary codes.

A column of ``n`` integers is stored as ``{"b": bits, "o": offset, "d": base64}``:
value ``i`` is ``offset + (the b bits from bit i*b on)``, bits least
significant first, bytes in order (NumPy's ``packbits(bitorder="little")``).
``b`` is the fewest bits that hold the column's range, so a column of eight
categories takes 3 bits an issue and one of a single value none at all.
``issues.js`` reads them back (``unbits``). Base64 only uses ``A-Z a-z 0-9 +
/ =``: nothing in it can end a script element.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

__all__ = ["dict_codes", "packed_ints", "unpacked_ints"]


def packed_ints(values: np.ndarray) -> dict:
    """Bit-pack a column of integers (see the module docstring).

    Examples
    --------
    >>> packed_ints(np.array([5, 6, 8]))
    {'b': 2, 'o': 5, 'd': 'NA=='}
    >>> packed_ints(np.array([7, 7])), packed_ints(np.array([], dtype=np.int64))
    ({'b': 0, 'o': 7, 'd': ''}, {'b': 0, 'o': 0, 'd': ''})
    >>> unpacked_ints(packed_ints(np.array([-1, 0, 123456789012])), 3).tolist()
    [-1, 0, 123456789012]
    """
    v = np.asarray(values, dtype=np.int64)
    if not v.size:
        return {"b": 0, "o": 0, "d": ""}
    lo = int(v.min())
    bits = (int(v.max()) - lo).bit_length()
    if bits == 0:
        return {"b": 0, "o": lo, "d": ""}
    raw = (v - lo).astype(np.uint64)
    planes = (raw[:, None] >> np.arange(bits, dtype=np.uint64)) & np.uint64(1)
    packed = np.packbits(planes.astype(np.uint8).ravel(), bitorder="little")
    return {"b": bits, "o": lo, "d": base64.b64encode(packed.tobytes()).decode("ascii")}


def unpacked_ints(spec: dict, n: int) -> np.ndarray:
    """The integers of :func:`packed_ints` back (for tests and checks)."""
    if not spec["b"]:
        return np.full(n, spec["o"], dtype=np.int64)
    planes = np.unpackbits(np.frombuffer(base64.b64decode(spec["d"]), dtype=np.uint8),
                           bitorder="little")[: n * spec["b"]].reshape(n, spec["b"])
    weights = np.uint64(1) << np.arange(spec["b"], dtype=np.uint64)
    return (planes.astype(np.uint64) * weights).sum(axis=1).astype(np.int64) + spec["o"]


def dict_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into a sorted dictionary of a string column ('' for missing).

    Factorises first (distinct values only are handled as text), so a
    column of a million repeated words costs one hash pass.

    Examples
    --------
    >>> codes, words = dict_codes(pd.Series(["b", None, "a", "b"]))
    >>> codes.tolist(), words
    ([2, 0, 1, 2], ['', 'a', 'b'])
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pd.Index(uniques).astype("string").fillna("").tolist()
    texts = [str(t) for t in texts]
    words = sorted(set(texts) | ({""} if (codes < 0).any() else set()))
    if not words:
        return np.zeros(len(codes), dtype=np.int64), [""]
    rank = {w: k for k, w in enumerate(words)}
    lookup = np.array([rank[t] for t in texts] + [rank.get("", 0)], dtype=np.int64)
    return lookup[np.where(codes < 0, len(texts), codes)], words
