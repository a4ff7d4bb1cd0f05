"""Safe, unique and stable file names for district maps.

District ids come from user data and become file names (``<id>.html``). An id
may hold ``/``, ``..``, spaces, control characters, a Windows device name
(``CON``, ``NUL``, ``COM1``...), the name of the overview (``index``) or be
very long. :func:`file_stems` keeps letters and digits of any script (Chinese
is fine), ``-`` and ``_``; anything else becomes ``_``. When the id had to be
changed, or two ids would collide on a case-insensitive file system, a short
hash of the exact id is appended, so the name is unique and the same on every
run.

File systems limit a name to 255 *bytes* (UTF-8 on Linux and macOS) or 255
UTF-16 units (Windows), not characters: 60 characters of CJK extension B
are 240 bytes. The kept part is cut to :data:`MAX_STEM_CHARS` characters and
:data:`MAX_STEM_BYTES` bytes, so a stem with its longest hash suffix and a
``.html``/``.png`` suffix stays under :data:`MAX_NAME_BYTES`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["MAX_NAME_BYTES", "MAX_STEM_BYTES", "MAX_STEM_CHARS", "file_stems", "safe_stem"]

#: Longest sanitised part of a name (characters, before the hash suffix).
MAX_STEM_CHARS = 60
#: Longest sanitised part of a name in UTF-8 bytes (before the hash suffix).
MAX_STEM_BYTES = 180
#: Longest whole file name written, bytes: stem, ``-`` + up to 44 hex digits, ``.html``.
MAX_NAME_BYTES = 255

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "clock$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
                     "com¹", "com²", "com³", "lpt¹", "lpt²", "lpt³"}
#: Names the renderer writes itself.
_OURS = {"index"}


def _hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    out = "".join(ch if (ch.isalnum() or ch in "-_") and ch.isprintable() else "_"
                  for ch in text)
    out = re.sub(r"_{2,}", "_", out).strip("_-. ")
    out = out[:MAX_STEM_CHARS].encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore")
    return out.rstrip("_-")


def safe_stem(district_id: object) -> str:
    """Return a file-name stem (no extension) for one district id.

    Parameters
    ----------
    district_id : object
        The id; converted with ``str``.

    Returns
    -------
    str
        The id itself when it is already safe, else its sanitised form plus
        ``-`` and 8 hex digits of its SHA-1.

    Examples
    --------
    >>> safe_stem("CHQ-01")
    'CHQ-01'
    >>> safe_stem("川东区")
    '川东区'
    >>> safe_stem("../etc/passwd")[:11]
    'etc_passwd-'
    >>> safe_stem("CON").startswith("CON-")
    True
    """
    text = str(district_id)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_STEM_BYTES:
        return f"{_clean(text) or 'district'}-{_hash(text)}"
    clean = _clean(text)
    reserved = clean.casefold() in _WINDOWS_RESERVED | _OURS
    if clean == text and clean and not reserved:
        return clean
    return f"{clean or 'district'}-{_hash(text)}"


def file_stems(district_ids: Iterable[object]) -> dict[str, str]:
    """Map each id to a stem that is unique even on case-insensitive file systems.

    Ids whose safe stems differ only by case (``"A"`` and ``"a"``) all get the
    hash suffix; the result depends only on the set of ids, not their order.

    Parameters
    ----------
    district_ids : iterable
        The ids (converted with ``str``).

    Returns
    -------
    dict of str to str
        ``{id: stem}``.

    Examples
    --------
    >>> stems = file_stems(["a", "A", "b"])
    >>> stems["b"], stems["a"] != stems["A"], stems["a"].lower() != stems["A"].lower()
    ('b', True, True)
    """
    ids = sorted({str(i) for i in district_ids})
    stems = {i: safe_stem(i) for i in ids}
    width = 8
    while True:
        groups: dict[str, list[str]] = {}
        for i, stem in stems.items():
            groups.setdefault(stem.casefold(), []).append(i)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            return stems
        width += 4
        for group in clashes:
            for i in group:
                stems[i] = f"{_clean(i) or 'district'}-{_hash(i, width)}"
        if width > 40:  # pragma: no cover - SHA-1 prefixes of distinct ids
            msg = f"cannot make unique file names for {clashes!r}"
            raise RuntimeError(msg)
