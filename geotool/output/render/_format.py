"""Plain-text formatting of values for popups, panels and tables."""

from __future__ import annotations

import datetime as dt
import math
from typing import SupportsFloat, SupportsInt, cast

import pandas as pd

from geotool.text import tr

__all__ = ["area", "count", "date", "pct", "text", "yes_no"]


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pct(value: object, lang: str = "zh") -> str:
    """A fraction 0..1 as a percentage; empty when missing.

    Examples
    --------
    >>> pct(0.9891), pct(None)
    ('98.9%', '')
    """
    if _missing(value):
        return ""
    return tr("map.percent", lang, v=100.0 * float(cast(SupportsFloat, value)))


def date(value: object) -> str:
    """A date or timestamp as ``YYYY-MM-DD`` (``HH:MM`` added when not midnight).

    Examples
    --------
    >>> date(pd.Timestamp("2026-09-01 08:00")), date(pd.NaT)
    ('2026-09-01 08:00', '')
    """
    if _missing(value):
        return ""
    ts = pd.Timestamp(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ts.strftime("%Y-%m-%d")
    return ts.strftime("%Y-%m-%d %H:%M") if (ts.hour or ts.minute) else ts.strftime("%Y-%m-%d")


def count(value: object, lang: str = "zh") -> str:
    """An integer count; empty when missing.

    Examples
    --------
    >>> count(1234.0)
    '1,234'
    """
    if _missing(value):
        return ""
    return tr("map.count", lang, v=int(cast(SupportsInt, value)))


def area(value_m2: object, lang: str = "zh") -> str:
    """An area in m², in km² from 0.1 km² up.

    Examples
    --------
    >>> area(2_790_000), area(12_000, "en")
    ('2.79 平方公里', '12,000 m²')
    """
    if _missing(value_m2):
        return ""
    v = float(cast(SupportsFloat, value_m2))
    if not math.isfinite(v):
        return ""
    return tr("map.area_km2", lang, v=v / 1e6) if v >= 1e5 else tr("map.area_m2", lang, v=v)


def text(value: object) -> str:
    """A user string, or empty when missing (never ``nan``/``<NA>``)."""
    return "" if _missing(value) else str(value)


def yes_no(value: object, lang: str = "zh") -> str:
    """``是``/``否`` (``yes``/``no``); empty when missing."""
    if _missing(value):
        return ""
    return tr("map.yes" if bool(value) else "map.no", lang)
