"""geotool's exception classes.

Every error a user can cause is a :class:`GeotoolError`; the CLI turns it into
one line (no traceback) and exit code 2. Messages name the file, the row or
column when known, what was found and the fix.

A message is either plain text or a :class:`geotool.messages.Note` (a key of
the message catalogue plus its parameters): ``str(exc)`` is always English,
:meth:`GeotoolError.render` gives the line in Chinese or English.
"""

from __future__ import annotations

import os
from typing import Any

from geotool.text import Note, join_where, render, where_prefix

__all__ = ["CRSError", "ConfigError", "GeotoolError", "HistoryError", "InputError", "printable",
           "shown_path"]


_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROLS.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: object) -> str:
    r"""Text from the data as a terminal line may show it: control characters escaped.

    A name holding a line break could forge a line of the listing, an ESC
    sequence recolour or move the terminal's text; each is shown as ``\xNN``.

    Examples
    --------
    >>> print(printable("河西区\x1b[31m\n川东区"))
    河西区\x1b[31m\x0a川东区
    """
    return str(text).translate(_CONTROLS)


def shown_path(path: object) -> str:
    """A file name as geotool shows and writes it: text that always encodes.

    A name that is not valid UTF-8 (GBK bytes, as unzipping a Windows zip
    leaves them) reaches Python with lone surrogates, which no file, terminal
    or table can hold. Each undecodable byte is shown as ``\\xNN`` instead, the
    same in the summary, ``quarantine.csv`` and error messages.

    Examples
    --------
    >>> import os
    >>> print(shown_path(os.fsdecode("问题".encode("gbk") + b".csv")))
    \xce\xca\xcc\xe2.csv
    >>> shown_path("台账/记录.csv")
    '台账/记录.csv'
    """
    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape") if _only_escapes(text) else None
        if raw is not None:
            return raw.decode("utf-8", "backslashreplace")
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _only_escapes(text: str) -> bool:
    """True when every lone surrogate is one ``surrogateescape`` made (U+DC80..U+DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


class GeotoolError(Exception):
    """Base class of all user-facing geotool errors.

    Parameters
    ----------
    message : str or Note, optional
        The text; a :class:`~geotool.messages.Note` can be rendered in Chinese.
    path, row, column
        Where it happened, when known (shown before the text, verbatim).
    key, params
        Instead of ``message``: a message key and its parameters
        (``message = Note(key, **params)``).

    Examples
    --------
    >>> exc = InputError(key="table.unsupported", params={"suffix": ".doc"}, path="a.doc")
    >>> str(exc)
    "a.doc: unsupported record file type '.doc': use .csv or .xlsx"
    >>> exc.render("zh")
    "a.doc：不支持的记录文件类型 '.doc'：请使用 .csv 或 .xlsx"
    >>> exc.key
    'table.unsupported'
    """

    def __init__(self, message: str | None = None, *, path: object | None = None,
                 row: int | None = None, column: str | None = None, key: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        if key is not None:
            message = Note(key, **(params or {}))
        if message is None:
            raise TypeError("GeotoolError needs a message or a key")
        self.path = None if path is None else shown_path(path)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(message)

    @property
    def key(self) -> str | None:
        """The message key, or ``None`` for a plain-text message."""
        return getattr(self.message, "key", None)

    @property
    def params(self) -> dict[str, Any]:
        """The message's parameters (empty for a plain-text message)."""
        return dict(getattr(self.message, "params", {}))

    def render(self, lang: str = "zh") -> str:
        """``file, row N, column 'c': message`` on one line, in ``lang`` (``"zh"``/``"en"``).

        File paths, column names and values are shown verbatim; a plain-text
        message (no key) is shown as it is, after a translated location.

        Examples
        --------
        >>> e = InputError("not a date\\nuse YYYY-MM-DD", path="r.csv", row=3, column="发现时间")
        >>> e.render("zh")
        "r.csv，第 3 行，列 '发现时间'：not a date use YYYY-MM-DD"
        """
        where = where_prefix(lang, self.path, self.row, self.column)
        text = join_where(lang, where, render(self.message, lang))
        return " ".join(text.split())

    def __str__(self) -> str:
        """``file, row N, column 'c': message`` on one line (newlines become spaces).

        Examples
        --------
        >>> str(InputError("not a date\\nuse YYYY-MM-DD", path="r.csv", row=3, column="发现时间"))
        "r.csv, row 3, column '发现时间': not a date use YYYY-MM-DD"
        """
        return self.render("en")

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.message, self.path, self.row, self.column)


def _rebuild(cls: type[GeotoolError], message: str, path: str | None, row: int | None,
             column: str | None) -> GeotoolError:
    return cls(message, path=path, row=row, column=column)


class ConfigError(GeotoolError):
    """The workspace config (geotool.toml) is missing, malformed or wrong."""


class InputError(GeotoolError):
    """A data file cannot be used at all (unreadable, empty, no usable columns)."""


class CRSError(GeotoolError):
    """A coordinate reference system or datum is unknown or missing."""


class HistoryError(GeotoolError):
    """The history store cannot be opened, is of a newer schema, or lacks a snapshot."""
