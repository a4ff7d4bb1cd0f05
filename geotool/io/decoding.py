"""A text file's bytes and encoding: BOMs, UTF-16 without a BOM, UTF-8, GBK, then a guess.

Plain UTF-8 (no BOM, no NUL) is the common case and the large one: its text
is checked in Arrow and decoded only as far as it is read (:func:`head_text`),
so a 100 MB file is not turned into a Python string its reader never needs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from charset_normalizer import from_bytes

from geotool._errors import InputError
from geotool.text import Note

#: Characters of the text that the header search reads (:func:`head_text`).
HEAD_CHARS = 500_000


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a zip or an old .xls saved as text is refused by name."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(Note("table.unreadable", reason=reason), path=path) from None
    _sniff_container(raw, path)
    return raw


def plain_utf8(raw: bytes) -> bool:
    """True for valid UTF-8 with no BOM and no NUL: :func:`decode` would read it as ``utf-8``.

    Examples
    --------
    >>> plain_utf8("编号,经度".encode()), plain_utf8(b"\\xb1\\xe0"), plain_utf8(b"\\xef\\xbb\\xbfa")
    (True, False, False)
    """
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        return False
    offsets = pa.py_buffer(np.array([0, len(raw)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(raw)])
    try:
        text.validate(full=True)  # the UTF-8 check, without making the string
    except pa.ArrowInvalid:
        return False
    return True


def head_text(raw: bytes) -> str:
    """The first :data:`HEAD_CHARS` characters (or all) of plain UTF-8 bytes."""
    cut = min(len(raw), 4 * HEAD_CHARS + 4)  # a character is at most 4 bytes
    while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # back to a character's first byte
        cut -= 1
    return raw[:cut].decode("utf-8")


def _sniff_container(raw: bytes, path: Path) -> None:
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(Note("table.zip_as_text"), path=path)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(Note("table.old_xls_file"), path=path)


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The file's text and its encoding (``utf-8``, ``utf-8-sig``, ``utf-16``, ``gbk``, ...)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    head = raw[:2000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:  # UTF-16 without a BOM
        odd_nuls = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        return raw.decode("utf-16-le" if odd_nuls else "utf-16-be", errors="replace"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in ("gbk", "gb18030"):  # GB18030 only when GBK can't: say which it was
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            pass

    best = from_bytes(raw).best()
    if best is None:
        raise InputError(Note("table.unknown_encoding"), path=path)
    return str(best), best.encoding
