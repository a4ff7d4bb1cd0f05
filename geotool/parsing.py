"""Parsers for the values planners type into spreadsheets.

Each parser works on a pandas Series of raw strings and returns parsed values
plus a mask of what it could not parse; the caller quarantines those rows.
The fast path is vectorised (``pd.to_datetime``, ``pd.to_numeric``); only the
leftovers go through the slower pattern-based fallbacks, so a million clean
rows parse in about a second.

Recognised forms
----------------
dates
    ``2026-09-01``, ``2026-09-01 08:30[:15]``, ``2026/9/1``, ``2026.9.1``,
    ``2026年9月1日[ 8时30分 | 8:30]``, ``20260901``, Excel serial numbers
    (``46266`` = 2026-09-01), and ``9月1日`` / ``9-1`` without a year, which
    take a year given by the caller (a repair that is reported).
coordinates
    decimal degrees, full-width digits (``１１４．６５``), degrees-minutes-
    seconds (``114°39'12.5"E``, ``114度39分12.5秒``), and one cell holding
    ``经度,纬度`` (``114.65,33.62`` with ``,``, ``，``, ``;`` or a space).
statuses and kinds
    the Chinese words in :data:`STATUS_WORDS` and :data:`KIND_WORDS`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "STATUS_WORDS",
    "KIND_WORDS",
    "normalize_text",
    "parse_dates",
    "parse_date",
    "parse_coordinate",
    "parse_coordinates",
    "split_lonlat",
    "parse_statuses",
    "parse_kinds",
]

STATUSES = ("open", "rectifying", "rectified", "closed")

#: Status words (after NFKC and lower-casing) -> canonical status.
STATUS_WORDS: dict[str, str] = {
    "open": "open", "reopened": "open", "未整改": "open", "待整改": "open", "未处理": "open",
    "待处理": "open", "未完成": "open", "新发现": "open", "新增": "open", "已交办": "open",
    "交办": "open", "待办": "open", "重新打开": "open", "重新交办": "open", "反弹": "open",
    "复发": "open", "未销号": "open",
    "rectifying": "rectifying", "in progress": "rectifying", "整改中": "rectifying",
    "正在整改": "rectifying", "处理中": "rectifying", "办理中": "rectifying",
    "推进中": "rectifying", "整改推进中": "rectifying",
    "rectified": "rectified", "fixed": "rectified", "已整改": "rectified",
    "整改完成": "rectified", "整改完毕": "rectified", "已完成": "rectified",
    "已处理": "rectified", "已办结": "rectified", "完成": "rectified",
    "closed": "closed", "verified": "closed", "已销号": "closed", "销号": "closed",
    "已关闭": "closed", "已验收": "closed", "验收通过": "closed", "已复核": "closed",
    "办结销号": "closed",
}

#: Kind words -> ``issue`` or ``inspection``.
KIND_WORDS: dict[str, str] = {
    "issue": "issue", "问题": "issue", "问题记录": "issue", "发现问题": "issue",
    "督办": "issue", "投诉": "issue", "举报": "issue",
    "inspection": "inspection", "巡查": "inspection", "检查": "inspection",
    "打卡": "inspection", "巡检": "inspection", "巡查打卡": "inspection",
    "巡查记录": "inspection", "无问题": "inspection", "正常": "inspection",
    "check": "inspection", "visit": "inspection",
}

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954 .. 2119


def normalize_text(values: pd.Series) -> pd.Series:
    """NFKC-normalise (full-width -> ASCII), strip, and turn blanks/NaN into <NA>."""
    s = values.astype("string")
    uniq = s.dropna().unique()
    mapping = {u: unicodedata.normalize("NFKC", u).strip() for u in uniq}
    out = s.map(mapping, na_action="ignore").astype("string")
    blank = out.isna() | out.str.lower().isin(["", "nan", "none", "null", "n/a", "na", "-", "—", "/"])
    return out.mask(blank)


_CN_DATE = re.compile(
    r"^(?:(?P<y>\d{4})\s*[年/.\-]\s*)?(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*[T\s]?\s*(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})?\s*(?:[:分]\s*(?P<S>\d{1,2})?\s*秒?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2}))?$")


def parse_date(text: str, *, default_year: int | None = None) -> tuple[pd.Timestamp | None, bool]:
    """Parse one date/time string.

    Returns
    -------
    (Timestamp or None, bool)
        The time (``None`` when unparseable) and whether the year was
        supplied from ``default_year`` (a repair the caller reports).

    Examples
    --------
    >>> parse_date("2026年9月1日")
    (Timestamp('2026-09-01 00:00:00'), False)
    >>> parse_date("9月1日", default_year=2026)
    (Timestamp('2026-09-01 00:00:00'), True)
    >>> parse_date("46266")
    (Timestamp('2026-09-01 00:00:00'), False)
    >>> parse_date("下周一")
    (None, False)
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if not text:
        return None, False
    try:
        serial = float(text)
    except ValueError:
        serial = None
    if serial is not None and _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return (_EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")).round("s"), False
    match = _CN_DATE.match(text) or _COMPACT.match(text)
    if match is None:
        return None, False
    parts = match.groupdict()
    year, guessed = parts.get("y"), False
    if year is None:
        if default_year is None:
            return None, False
        year, guessed = default_year, True
    try:
        value = dt.datetime(
            int(year), int(parts["m"]), int(parts["d"]),
            int(parts.get("H") or 0), int(parts.get("M") or 0), int(parts.get("S") or 0),
        )
    except ValueError:
        return None, False
    return pd.Timestamp(value), guessed


def parse_dates(values: pd.Series, *, default_year: int | None = None
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of dates.

    Parameters
    ----------
    values : Series
        Raw cells (strings, datetimes or numbers).
    default_year : int, optional
        Year for dates written without one (``9月1日``).

    Returns
    -------
    parsed : Series of datetime64[ns]
        NaT where blank or unparseable.
    bad : Series of bool
        True where a non-blank value could not be parsed.
    year_guessed : Series of bool
        True where the year came from ``default_year``.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values).astype("datetime64[ns]")
        false = pd.Series(False, index=values.index)
        return parsed, false, false.copy()
    text = normalize_text(values.astype("object").map(_cell_to_text, na_action="ignore"))
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    parsed = parsed.astype("datetime64[ns]")
    year_guessed = pd.Series(False, index=values.index)
    todo = text.notna() & parsed.isna()
    if todo.any():
        cache: dict[str, tuple[pd.Timestamp | None, bool]] = {}
        for idx, raw in text[todo].items():
            if raw not in cache:
                cache[raw] = parse_date(raw, default_year=default_year)
            value, guessed = cache[raw]
            if value is not None:
                parsed.loc[idx] = value
                year_guessed.loc[idx] = guessed
    bad = text.notna() & parsed.isna()
    return parsed, bad, year_guessed


def _cell_to_text(value: object) -> str:
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_DMS = re.compile(
    r"^(?P<hem1>[NSEW东西南北])?\s*(?P<deg>\d+(?:\.\d+)?)\s*(?:°|度|d|\s)\s*"
    r"(?:(?P<min>\d+(?:\.\d+)?)\s*(?:'|′|分|m|\s)\s*)?"
    r"(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:\"|″|''|秒|s)?\s*)?(?P<hem2>[NSEW东西南北])?$",
    re.IGNORECASE,
)


def parse_coordinate(text: str) -> float | None:
    """Parse one coordinate in decimal degrees or degrees-minutes-seconds.

    Examples
    --------
    >>> parse_coordinate("１１４．６５")
    114.65
    >>> round(parse_coordinate("114°39'0\\"E"), 6)
    114.65
    >>> parse_coordinate("东经114度39分") == 114.65
    True
    >>> parse_coordinate("abc") is None
    True
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = text.replace("东经", "E").replace("北纬", "N").replace("西经", "W").replace("南纬", "S")
    try:
        return float(text)
    except ValueError:
        pass
    match = _DMS.match(text)
    if match is None:
        return None
    deg = float(match["deg"])
    minutes = float(match["min"] or 0)
    seconds = float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = deg + minutes / 60.0 + seconds / 3600.0
    hem = (match["hem1"] or match["hem2"] or "").upper()
    return -value if hem in ("S", "W", "南", "西") else value


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of coordinates; returns (float Series, bad mask)."""
    text = normalize_text(values.astype("object").map(_cell_to_text, na_action="ignore"))
    parsed = pd.to_numeric(text, errors="coerce").astype(float)
    todo = text.notna() & parsed.isna()
    if todo.any():
        fixed = text[todo].map(parse_coordinate)
        parsed.loc[todo] = fixed.astype(float)
    bad = text.notna() & parsed.isna()
    return parsed, bad


_PAIR = re.compile(r"^\s*\(?\s*([^,，;；\s]+)\s*(?:[,，;；]|\s)\s*([^,，;；\s)]+)\s*\)?\s*$")


def split_lonlat(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split ``"经度,纬度"`` cells into two raw-text Series (lon, lat)."""
    text = normalize_text(values.astype("object").map(_cell_to_text, na_action="ignore"))
    parts = text.str.extract(_PAIR)
    return parts[0].astype("string"), parts[1].astype("string")


def _map_words(values: pd.Series, words: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    text = normalize_text(values.astype("object").map(_cell_to_text, na_action="ignore"))
    key = text.str.lower().str.replace(r"\s+", " ", regex=True)
    out = key.map(words).astype("string")
    bad = text.notna() & out.isna()
    return out, bad


def parse_statuses(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map status words to ``open/rectifying/rectified/closed``; returns (status, bad mask).

    Examples
    --------
    >>> s, bad = parse_statuses(pd.Series(["未整改", "已销号", "待定", None]))
    >>> list(s.fillna("-")), list(bad)
    (['open', 'closed', '-', '-'], [False, False, True, False])
    """
    return _map_words(values, STATUS_WORDS)


def parse_kinds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map kind words to ``issue``/``inspection``; returns (kind, bad mask)."""
    return _map_words(values, KIND_WORDS)


def looks_like_lat_lon_swapped(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where (lon, lat) is outside China but (lat, lon) is inside."""
    from geotool.crs import in_china

    return ~in_china(lon, lat) & in_china(lat, lon)
