"""Checks every table of ``geotool.toml`` shares: unknown keys, and datums.

:mod:`geotool.io.config` and :mod:`geotool.io.records_spec` (the ``[records]``
table) both use them.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from geotool._errors import ConfigError
from geotool.text import Note

__all__ = ["config_datum", "reject_unknown"]


def reject_unknown(keys: set[str], allowed: set[str], where: str | Note, path: Path) -> None:
    """Raise :class:`ConfigError` for the first key (sorted) not in ``allowed``, with a hint.

    Parameters
    ----------
    keys : set of str
        The keys a table has.
    allowed : set of str
        The keys it may have.
    where : str or Note
        The table (``[records]``), as the message names it.
    path : Path
        The config file.
    """
    for key in sorted(keys - allowed):
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = (Note("hint.did_you_mean", name=close[0]) if close
                else Note("hint.allowed", names=", ".join(sorted(allowed))))
        raise ConfigError(Note("config.unknown_key", key=key, where=where, hint=hint), path=path)


def config_datum(value: Any) -> str:
    """:func:`geotool.crs.normalize_datum`, imported here: the parser, which needs only
    the ranges, starts without pyproj (:mod:`geotool.io.early_read`)."""
    from geotool.crs import normalize_datum  # noqa: PLC0415 - see the docstring

    return normalize_datum(value)
