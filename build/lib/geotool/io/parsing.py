"""Parsers for the values planners type into spreadsheets.

Each parser works on a pandas Series of raw cells and returns parsed values
plus a mask of what it could not parse; the caller quarantines those rows.
Every parser works on the *distinct* values of a column (``pd.factorize``)
and spreads the answers back, so a column of a million rows with a few
thousand distinct values costs a few thousand parses. The fast path is
vectorised (``pd.to_datetime``, ``pd.to_numeric``); only values it rejects
go through the slower pattern-based fallbacks, so a million clean rows parse
in about a second.

Recognised forms
----------------
dates
    ``2026-09-01``, ``2026-09-01 08:30[:15]``, ISO times with an offset
    (``2026-09-01T08:30:00+08:00``, converted to China time), ``2026/9/1``,
    ``2026.9.1``, ``2026年9月1日[ 8时30分 | 8:30]``, ``20260901``, Excel serial
    numbers (``46266`` = 2026-09-01), and ``9月1日`` / ``9-1`` without a year,
    which take a year given by the caller (a repair that is reported). A year
    alone (``2026``) or a year and month (``2026-09``) is not a date.
coordinates
    decimal degrees, full-width digits (``１１４．６５``), degrees-minutes-
    seconds (``114°39'12.5"E``, ``114度39分12.5秒``, ``E114.65``), and one cell
    holding ``经度,纬度`` (``114.65,33.62`` with ``,``, ``，``, ``;`` or a space).
statuses and kinds
    the Chinese words in :data:`STATUS_WORDS` and :data:`KIND_WORDS`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "BLANK_WORDS",
    "KIND_WORDS",
    "STATUS_WORDS",
    "Distinct",
    "is_blank",
    "normalize_text",
    "parse_coordinate",
    "parse_coordinates",
    "parse_date",
    "parse_dates",
    "parse_kinds",
    "parse_statuses",
    "split_lonlat",
]

STATUSES = ("open", "rectifying", "rectified", "closed")

#: Status words (after NFKC and lower-casing) -> canonical status.
STATUS_WORDS: dict[str, str] = {
    "open": "open", "reopened": "open", "未整改": "open", "待整改": "open", "未处理": "open",
    "待处理": "open", "未完成": "open", "新发现": "open", "新增": "open", "已交办": "open",
    "交办": "open", "待办": "open", "重新打开": "open", "重新交办": "open", "反弹": "open",
    "复发": "open", "未销号": "open", "未解决": "open",
    "rectifying": "rectifying", "in progress": "rectifying", "整改中": "rectifying",
    "正在整改": "rectifying", "处理中": "rectifying", "办理中": "rectifying",
    "推进中": "rectifying", "整改推进中": "rectifying", "正在处理": "rectifying",
    "rectified": "rectified", "fixed": "rectified", "已整改": "rectified",
    "整改完成": "rectified", "整改完毕": "rectified", "已完成": "rectified",
    "已处理": "rectified", "已办结": "rectified", "完成": "rectified", "已解决": "rectified",
    "closed": "closed", "verified": "closed", "已销号": "closed", "销号": "closed",
    "已关闭": "closed", "已验收": "closed", "验收通过": "closed", "已复核": "closed",
    "办结销号": "closed",
}

#: Kind words -> ``issue`` or ``inspection``.
KIND_WORDS: dict[str, str] = {
    "issue": "issue", "问题": "issue", "问题记录": "issue", "发现问题": "issue",
    "督办": "issue", "投诉": "issue", "举报": "issue", "有问题": "issue",
    "inspection": "inspection", "巡查": "inspection", "检查": "inspection",
    "打卡": "inspection", "巡检": "inspection", "巡查打卡": "inspection",
    "巡查记录": "inspection", "无问题": "inspection", "正常": "inspection",
    "check": "inspection", "visit": "inspection",
}

#: Cell texts (after NFKC, lower case) that mean "nothing here".
BLANK_WORDS = frozenset({"", "nan", "none", "null", "n/a", "na", "nat", "#n/a", "-", "--", "—",
                         "——", "/"})

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954 .. 2119
_YEAR_MIN, _YEAR_MAX = 1950, 2150
_CHINA_TZ = "Etc/GMT-8"  # China Standard Time, UTC+8 (no DST since 1991)


def _cell_to_text(value: object) -> str:
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(value: object) -> str | None:
    if type(value) is str:
        text = value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    else:
        text = unicodedata.normalize("NFKC", _cell_to_text(value)).strip()
    if len(text) <= 4 and text.lower() in BLANK_WORDS:
        return None
    return text


def _clean_many(uniques: np.ndarray) -> list[str | None]:
    """:func:`_clean` over many values; all-text columns go through Arrow's kernels."""
    if len(uniques) < 5_000 or pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        return [_clean(u) for u in uniques]
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        return [_clean(u) for u in uniques]
    arr = pa.array(uniques, type=pa.string())
    # ASCII text needs no NFKC: Arrow trims it. Other text keeps Python's unicodedata,
    # whose Unicode version may differ from Arrow's (seen on rare new code points).
    ascii_mask = pc.string_is_ascii(arr)
    trimmed = pc.utf8_trim_whitespace(arr)
    short = pc.less_equal(pc.utf8_length(trimmed), 4)
    blank = pc.and_(short, pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(sorted(BLANK_WORDS))))
    out = pc.if_else(blank, pa.scalar(None, pa.string()), trimmed).to_pylist()
    for i in np.flatnonzero(~np.asarray(ascii_mask.to_numpy(zero_copy_only=False), dtype=bool)):
        out[i] = _clean(uniques[i])
    return out


class Distinct:
    """A column factorized once: codes into its distinct cleaned texts.

    Every parser accepts one instead of a Series, so a caller parsing a
    column several ways (or checking it for blanks) factorizes it once.
    ``texts`` has one entry per distinct value plus a final ``None`` that
    code -1 (a missing cell) picks. A float column also keeps its numbers.
    """

    def __init__(self, values: pd.Series) -> None:
        self.index = values.index
        self.values = values
        self.numeric: np.ndarray | None = None
        if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
            self.numeric = values.to_numpy(dtype=float, na_value=np.nan)
        self._codes: np.ndarray | None = None
        self._uniques: object = None
        self._texts: list[str | None] | None = None

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            codes, self._uniques = pd.factorize(self.values, use_na_sentinel=True)
            self._codes = np.asarray(codes)
        return self._codes

    @classmethod
    def of(cls, values: pd.Series | Distinct) -> Distinct:
        return values if isinstance(values, Distinct) else cls(values)

    @property
    def texts(self) -> list[str | None]:
        if self._texts is None:
            self.codes  # noqa: B018 - factorizes
            uniques = np.asarray(self._uniques, dtype=object)
            texts = _clean_many(uniques)
            texts.append(None)
            self._texts = texts
        return self._texts

    def spread(self, per_unique: np.ndarray) -> np.ndarray:
        """Per-distinct-value results -> per-row results."""
        return per_unique[self.codes]

    def blank(self) -> np.ndarray:
        """True where the cell is empty, whitespace, NaN or a blank word."""
        if self.numeric is not None:
            return np.isnan(self.numeric)
        return self.spread(np.array([t is None for t in self.texts], dtype=bool))

    def text(self) -> pd.Series:
        """Cleaned text per row (``string`` dtype, <NA> for blanks)."""
        arr = np.empty(len(self.texts), dtype=object)
        arr[:] = self.texts
        return pd.Series(self.spread(arr), index=self.index, dtype="string")


def _distinct(values: pd.Series | Distinct) -> Distinct:
    return Distinct.of(values)


def normalize_text(values: pd.Series | Distinct) -> pd.Series:
    """NFKC-normalise (full-width -> ASCII), strip, and turn blanks/NaN into <NA>.

    Examples
    --------
    >>> list(normalize_text(pd.Series([" 川汇区 ", "ＡＢ１", "NaN", None])).fillna("-"))
    ['川汇区', 'AB1', '-', '-']
    """
    return _distinct(values).text()


def is_blank(values: pd.Series | Distinct) -> np.ndarray:
    """Boolean array: True where the cell is empty, whitespace, NaN or a blank word."""
    return _distinct(values).blank()


_CN_DATE = re.compile(
    r"^(?:(?P<y>\d{4})\s*[年/.\-]\s*)?(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*[T\s]?\s*(?P<ampm>上午|下午|晚上)?\s*(?P<H>\d{1,2})\s*[:时点]\s*(?P<M>\d{1,2})?\s*"
    r"(?:分)?\s*(?::?\s*(?P<S>\d{1,2})\s*秒?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2}))?$")
_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_PARTIAL_DATE = re.compile(r"^\d{4}(?:[-/.]\d{1,2})?$")


def parse_date(text: str, *, default_year: int | None = None) -> tuple[pd.Timestamp | None, bool]:
    """Parse one date/time string with the pattern-based fallbacks.

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
    if serial is not None:
        if _SERIAL_MIN <= serial <= _SERIAL_MAX:
            return (_EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")).round("s"), False
        if not text.isdigit() or len(text) != 8:
            return None, False
    match = _CN_DATE.match(text) or _COMPACT.match(text)
    if match is None:
        return None, False
    parts = match.groupdict()
    year, guessed = parts.get("y"), False
    if year is None:
        if default_year is None:
            return None, False
        year, guessed = default_year, True
    hour = int(parts.get("H") or 0)
    if parts.get("ampm") in ("下午", "晚上") and hour < 12:
        hour += 12
    try:
        value = dt.datetime(int(year), int(parts["m"]), int(parts["d"]), hour,
                            int(parts.get("M") or 0), int(parts.get("S") or 0))
    except ValueError:
        return None, False
    if not _YEAR_MIN <= value.year <= _YEAR_MAX:
        return None, False
    return pd.Timestamp(value), guessed


def _iso(texts: pd.Series) -> pd.Series:
    """Vectorised ISO-8601 parse of distinct texts -> naive datetime64[ns] (China time)."""
    try:
        out = pd.to_datetime(texts, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # mixed offsets, or offsets mixed with naive times
        aware = texts.map(lambda s: s is not None and bool(_TZ_SUFFIX.search(s)))
        naive = pd.to_datetime(texts.where(~aware), format="ISO8601", errors="coerce")
        if isinstance(naive.dtype, pd.DatetimeTZDtype):
            naive = naive.dt.tz_convert(_CHINA_TZ).dt.tz_localize(None)
        zoned = pd.to_datetime(texts.where(aware), format="ISO8601", errors="coerce", utc=True)
        zoned = zoned.dt.tz_convert(_CHINA_TZ).dt.tz_localize(None)
        out = naive.astype("datetime64[us]").where(~aware, zoned.astype("datetime64[us]"))
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_convert(_CHINA_TZ).dt.tz_localize(None)
    out = out.astype("datetime64[us]")
    years = out.dt.year
    out = out.where((years >= _YEAR_MIN) & (years <= _YEAR_MAX))
    return out.astype("datetime64[ns]")


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

    Examples
    --------
    >>> p, bad, guessed = parse_dates(pd.Series(["2026/9/1", "9月2日", "46266", "明天"]),
    ...                               default_year=2026)
    >>> [str(v.date()) if not pd.isna(v) else None for v in p], list(bad), list(guessed)
    (['2026-09-01', '2026-09-02', '2026-09-01', None], [False, False, False, True], \
[False, True, False, False])
    """
    if not isinstance(values, Distinct) and pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_convert(_CHINA_TZ).dt.tz_localize(None)
        years = parsed.dt.year
        bad = parsed.notna() & ((years < _YEAR_MIN) | (years > _YEAR_MAX))
        parsed = parsed.where(~bad).astype("datetime64[ns]")
        return parsed, bad, pd.Series(False, index=values.index)
    col = _distinct(values)
    texts = col.texts
    uniq = pd.Series(texts, dtype=object)
    parsed_u = _iso(uniq)
    partial = np.array([t is not None and len(t) <= 7 and bool(_PARTIAL_DATE.match(t))
                        for t in texts], bool)
    parsed_u[partial] = pd.NaT
    guessed_u = np.zeros(len(texts), dtype=bool)
    todo = np.flatnonzero(uniq.notna().to_numpy() & parsed_u.isna().to_numpy() & ~partial)
    if len(todo):
        fixed = parsed_u.to_numpy().copy()
        for i in todo:
            value, guessed = parse_date(texts[i], default_year=default_year)
            if value is not None:
                fixed[i] = value.to_datetime64()
                guessed_u[i] = guessed
        parsed_u = pd.Series(fixed, dtype="datetime64[ns]")
    bad_u = uniq.notna().to_numpy() & parsed_u.isna().to_numpy()
    parsed = pd.Series(col.spread(parsed_u.to_numpy()), index=col.index, dtype="datetime64[ns]")
    bad = pd.Series(col.spread(bad_u), index=col.index)
    year_guessed = pd.Series(col.spread(guessed_u), index=col.index)
    return parsed, bad, year_guessed


_HEMI = r"[NSEW东西南北]"
_END = rf"(?=\s*{_HEMI}?$)"
_DMS = re.compile(
    rf"^(?P<hem1>{_HEMI})?\s*(?P<deg>\d+(?:\.\d+)?)(?:\s*(?:°|º|度|d(?![a-z]))|\s+|{_END})\s*"
    rf"(?:(?P<min>\d+(?:\.\d+)?)(?:\s*(?:'|′|’|分|m(?![a-z]))|\s+|{_END})\s*)?"
    r"(?:(?P<sec>\d+(?:\.\d+)?)\s*(?:\"|″|''|′′|”|秒|s)?\s*)?"
    rf"(?P<hem2>{_HEMI})?$",
    re.IGNORECASE,
)
_HEMI_WORDS = {"东经": "E", "北纬": "N", "西经": "W", "南纬": "S"}


def parse_coordinate(text: str) -> float | None:
    """Parse one coordinate in decimal degrees or degrees-minutes-seconds.

    Returns ``None`` for anything else (including infinities and NaN).

    Examples
    --------
    >>> parse_coordinate("１１４．６５")
    114.65
    >>> round(parse_coordinate("114°39'0\\"E"), 6)
    114.65
    >>> parse_coordinate("东经114度39分") == 114.65
    True
    >>> parse_coordinate("E114.65")
    114.65
    >>> parse_coordinate("abc") is None
    True
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    for word, hemi in _HEMI_WORDS.items():
        text = text.replace(word, hemi)
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is not None:
        return value if math.isfinite(value) else None
    match = _DMS.match(text)
    if match is None:
        return None
    deg = float(match["deg"])
    minutes = float(match["min"] or 0)
    seconds = float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    if (match["min"] and "." in match["deg"]) or (match["sec"] and "." in (match["min"] or ".")):
        return None  # 114.5°30' mixes decimal degrees with minutes
    if (match["hem1"] and match["hem2"]) or not (match["hem1"] or match["hem2"] or match["min"]
                                                 or re.search(r"[°º度dD]", text)):
        return None
    value = deg + minutes / 60.0 + seconds / 3600.0
    hem = (match["hem1"] or match["hem2"] or "").upper()
    return -value if hem in ("S", "W", "南", "西") else value


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of coordinates; returns (float Series, bad mask).

    Examples
    --------
    >>> v, bad = parse_coordinates(pd.Series(["114.65", "１１４．６５", "114°39'E", "x", None]))
    >>> [round(x, 4) for x in v.fillna(-1)], list(bad)
    ([114.65, 114.65, 114.65, -1.0, -1.0], [False, False, False, True, False])
    """
    col = _distinct(values)
    if col.numeric is not None:
        parsed = col.numeric.copy()
        bad = ~np.isfinite(parsed) & ~np.isnan(parsed)
        parsed[bad] = np.nan
        return pd.Series(parsed, index=col.index), pd.Series(bad, index=col.index)
    texts = col.texts
    uniq = pd.Series(texts, dtype=object)
    parsed_u = pd.to_numeric(uniq, errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()
    parsed_u[~np.isfinite(parsed_u)] = np.nan
    todo = np.flatnonzero(uniq.notna().to_numpy() & np.isnan(parsed_u))
    for i in todo:
        value = parse_coordinate(texts[i])
        if value is not None:
            parsed_u[i] = value
    bad_u = uniq.notna().to_numpy() & np.isnan(parsed_u)
    parsed = pd.Series(col.spread(parsed_u), index=col.index, dtype=float)
    return parsed, pd.Series(col.spread(bad_u), index=col.index)


_PAIR_SIMPLE = re.compile(r"^\s*[(\[]?\s*([^,;\s]+)\s*(?:[,;]|\s+)\s*([^,;\s()\[\]]+)\s*[)\]]?\s*$")


def _split_pair(text: str | None) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    text = text.replace("；", ";")
    match = _PAIR_SIMPLE.match(text)
    if match is None and ("," in text or ";" in text):
        left, _, right = re.split(r"([,;])", text, maxsplit=1)
        left, right = left.strip(" ([").strip(), right.strip(" )]").strip()
        return (left or None), (right or None)
    if match is None:
        return text, None
    return match[1], match[2]


def split_lonlat(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split ``"经度,纬度"`` cells into two raw-text Series (lon, lat).

    A cell that does not split gives its text as the longitude and no
    latitude, so the row is quarantined as a partial coordinate pair.

    Examples
    --------
    >>> lon, lat = split_lonlat(pd.Series(["114.65,33.62", "114.65，33.62", "(114.65 33.62)", None]))
    >>> list(lon.fillna("-")), list(lat.fillna("-"))
    (['114.65', '114.65', '114.65', '-'], ['33.62', '33.62', '33.62', '-'])
    """
    col = _distinct(values)
    pairs = [_split_pair(t) for t in col.texts]
    lon_u = np.empty(len(pairs), dtype=object)
    lat_u = np.empty(len(pairs), dtype=object)
    lon_u[:] = [p[0] for p in pairs]
    lat_u[:] = [p[1] for p in pairs]
    lon = pd.Series(col.spread(lon_u), index=col.index, dtype="string")
    lat = pd.Series(col.spread(lat_u), index=col.index, dtype="string")
    return lon, lat


_WORD_STRIP = " 。.!！,，;；:：、"


def _word_key(text: str) -> str:
    key = re.sub(r"\s+", " ", text.lower()).strip(_WORD_STRIP)
    return key


def _map_words(values: pd.Series, words: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    col = _distinct(values)
    texts = col.texts
    out_u = np.empty(len(texts), dtype=object)
    bad_u = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        if text is None:
            continue
        key = _word_key(text)
        word = words.get(key) or words.get(key.replace(" ", ""))
        out_u[i] = word
        bad_u[i] = word is None
    out = pd.Series(col.spread(out_u), index=col.index, dtype="string")
    return out, pd.Series(col.spread(bad_u), index=col.index)


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
