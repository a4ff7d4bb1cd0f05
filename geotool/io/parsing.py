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

import math
import re
import unicodedata
from typing import cast

import numpy as np
import pandas as pd

from geotool.io.cells import (
    BLANK_WORDS,
    Distinct,
    _distinct,
    parse_date,
    parse_dates,
    words_at,
)

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
    "words_at",
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


def parse_coordinates(values: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
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
        value = parse_coordinate(cast(str, texts[i]))  # todo holds only texts, never None
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
    >>> cells = pd.Series(["114.65,33.62", "114.65，33.62", "(114.65 33.62)", None])
    >>> lon, lat = split_lonlat(cells)
    >>> list(lon.fillna("-")), list(lat.fillna("-"))
    (['114.65', '114.65', '114.65', '-'], ['33.62', '33.62', '33.62', '-'])
    """
    col = _distinct(values)
    pairs = [_split_pair(t) for t in col.texts]
    lon_u = np.empty(len(pairs), dtype=object)
    lat_u = np.empty(len(pairs), dtype=object)
    lon_u[:] = [p[0] for p in pairs]
    lat_u[:] = [p[1] for p in pairs]
    return words_at(list(lon_u), col.codes, col.index), words_at(list(lat_u), col.codes, col.index)


_WORD_STRIP = " 。.!！,，;；:：、"


def _word_key(text: str) -> str:
    key = re.sub(r"\s+", " ", text.lower()).strip(_WORD_STRIP)
    return key


def _map_words(values: pd.Series | Distinct, words: dict[str, str]) -> tuple[pd.Series, pd.Series]:
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
    bad = pd.Series(col.spread(bad_u), index=col.index)
    return words_at(list(out_u), col.codes, col.index), bad


def parse_statuses(values: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    """Map status words to ``open/rectifying/rectified/closed``; returns (status, bad mask).

    Examples
    --------
    >>> s, bad = parse_statuses(pd.Series(["未整改", "已销号", "待定", None]))
    >>> list(s.fillna("-")), list(bad)
    (['open', 'closed', '-', '-'], [False, False, True, False])
    """
    return _map_words(values, STATUS_WORDS)


def parse_kinds(values: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    """Map kind words to ``issue``/``inspection``; returns (kind, bad mask)."""
    return _map_words(values, KIND_WORDS)
