"""Cell values as planners type them: cleaned text, distinct-value parsing, dates."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool.io.ids import number_text

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
    if isinstance(value, float):
        return number_text(value) or ""
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
    if len(uniques) < _ARROW_MIN or pd.api.types.infer_dtype(uniques, skipna=False) != "string":
        return [_clean(u) for u in uniques]
    return _clean_arrow(pa.array(uniques, type=pa.string())).to_pylist()


#: Fewer distinct texts than this are cleaned one by one in Python (as fast, and exact).
_ARROW_MIN = 5_000
#: Tables of at least this many rows have their columns factorized in two threads.
_THREADS_MIN = 200_000


def _clean_arrow(arr: pa.Array) -> pa.Array:
    """:func:`_clean` of every text of an Arrow string array (null: a blank cell).

    ASCII text needs no NFKC: Arrow trims it. Other text keeps Python's
    unicodedata, whose Unicode version may differ from Arrow's (seen on rare
    new code points).
    """
    import pyarrow.compute as pc  # noqa: PLC0415 - imported here to avoid an import cycle

    if len(arr) < _ARROW_MIN:
        return pa.array([_clean(u) for u in arr.to_pylist()], type=arr.type)
    ascii_mask = pc.string_is_ascii(arr)
    trimmed = pc.utf8_trim_whitespace(arr)
    short = pc.less_equal(pc.utf8_length(trimmed), 4)
    blank_words = pa.array(sorted(BLANK_WORDS), type=arr.type)
    blank = pc.and_(short, pc.is_in(pc.utf8_lower(trimmed), value_set=blank_words))
    out = pc.if_else(blank, pa.scalar(None, arr.type), trimmed)
    other = np.flatnonzero(~np.asarray(ascii_mask.to_numpy(zero_copy_only=False), dtype=bool))
    if len(other):
        fixed = pa.array([_clean(u) for u in pc.take(arr, pa.array(other)).to_pylist()],
                         type=arr.type)
        mask = np.zeros(len(arr), dtype=bool)
        mask[other] = True
        out = pc.replace_with_mask(out, pa.array(mask), fixed)
    return out


def _arrow_strings(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow array behind a column of Arrow-backed strings (``str``/``string``), else None."""
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    return values.array.__arrow_array__()


_PEEK = 1_000  # values looked at before the whole column is compared


def strictly_increasing(values: pa.Array | pa.ChunkedArray) -> bool:
    """True when every value is greater than the one before it (texts: byte-wise), none missing.

    Such a column (ids as a system numbers them) has no repeated value, and its
    order of appearance is its sorted order: factorizing or ranking it needs no
    hash table and no sort. Told from the first values when they repeat.

    Examples
    --------
    >>> strictly_increasing(pa.chunked_array([["R1", "R2"], ["R3"]]))
    True
    >>> strictly_increasing(pa.array(["R1", "R1"])), strictly_increasing(pa.array(["b", "a"]))
    (False, False)
    """
    n = len(values)
    if values.null_count:
        return False
    for size in (min(n, _PEEK), n):
        if size > 1 and not pc.all(pc.less(values.slice(0, size - 1),
                                           values.slice(1, size - 1))).as_py():
            return False
    return True


def constant(n: int, value: object) -> np.ndarray:
    """An object array of ``n`` references to ``value`` (``np.full`` makes ``n`` copies of a str).

    Examples
    --------
    >>> constant(2, "a.csv").tolist()
    ['a.csv', 'a.csv']
    """
    out = np.empty(n, dtype=object)
    out[:] = [value] if n else []
    return out


def few_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values, sort=True)`` of a column of few values (file names, sheets).

    A column holding one value throughout (a single records file: a million
    references to one str) is told by one comparison pass, without hashing.

    Examples
    --------
    >>> codes, names = few_codes(np.array(["b.csv", "a.csv", "b.csv"], dtype=object))
    >>> codes.tolist(), names.tolist()
    ([1, 0, 1], ['a.csv', 'b.csv'])
    """
    arr = np.asarray(values, dtype=object)
    if len(arr) and isinstance(arr[0], str) and bool((arr == arr[0]).all()):
        return np.zeros(len(arr), dtype=np.intp), arr[:1].copy()
    codes, uniques = pd.factorize(arr, sort=True)
    return np.asarray(codes), np.asarray(uniques, dtype=object)


class Distinct:
    """A column factorized once: codes into its distinct cleaned texts.

    Every parser accepts one instead of a Series, so a caller parsing a
    column several ways (or checking it for blanks) factorizes it once.
    ``texts`` has one entry per distinct value plus a final ``None`` that
    code -1 (a missing cell) picks. A float column also keeps its numbers.
    A column of Arrow strings is factorized and cleaned in Arrow (its
    distinct texts become Python strings only when a parser asks for them).
    """

    def __init__(self, values: pd.Series) -> None:
        self.index = values.index
        self.values = values
        self.numeric: np.ndarray | None = None
        if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
            self.numeric = values.to_numpy(dtype=float, na_value=np.nan)
        self._arrow = None if self.numeric is not None else _arrow_strings(values)
        self._codes: np.ndarray | None = None
        self._uniques: object = None
        self._clean: pa.Array | None = None
        self._texts: list[str | None] | None = None
        self._blank: np.ndarray | None = None

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None and self._arrow is not None and strictly_increasing(self._arrow):
            # every value after the one before (ids as a system numbers them): each is
            # distinct, in order of appearance, so no hash table of a million texts
            self._codes = np.arange(len(self._arrow), dtype=np.intp)
            self._uniques = self._arrow.combine_chunks()
        if self._codes is None:
            codes, uniques = pd.factorize(self.values, use_na_sentinel=True)
            self._codes = np.asarray(codes)
            self._uniques = uniques
            if self._arrow is not None:  # the distinct texts as one Arrow array
                chunked = pd.Index(uniques).array.__arrow_array__()
                self._uniques = pa.chunked_array(chunked).combine_chunks()
        return self._codes

    @classmethod
    def of(cls, values: pd.Series | Distinct) -> Distinct:
        return values if isinstance(values, Distinct) else cls(values)

    @classmethod
    def columns(cls, data: pd.DataFrame, names: list[str]) -> dict[str, Distinct]:
        """A Distinct per column, factorized and cleaned two columns at a time when large.

        The factorizing and the Arrow kernels release the GIL, so two columns
        are worked out side by side on two cores; each column is one thread's.
        """
        cols = {c: cls(data[c]) for c in names}
        if len(data) >= _THREADS_MIN and (os.cpu_count() or 1) >= 2:
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(Distinct.blank, cols.values()))
        return cols

    @property
    def clean(self) -> pa.Array:
        """The cleaned distinct texts as an Arrow string array (null: blank)."""
        if self._clean is None:
            self.codes  # noqa: B018 - factorizes
            if self._arrow is not None:
                self._clean = _clean_arrow(cast(pa.Array, self._uniques))
            else:
                self._clean = pa.array(self.texts[:-1], type=pa.large_string())
        return self._clean

    @property
    def texts(self) -> list[str | None]:
        if self._texts is None:
            self.codes  # noqa: B018 - factorizes
            if self._arrow is not None:
                texts = self.clean.to_pylist()
            else:
                texts = _clean_many(np.asarray(self._uniques, dtype=object))
            texts.append(None)
            self._texts = texts
        return self._texts

    def spread(self, per_unique: np.ndarray) -> np.ndarray:
        """Per-distinct-value results -> per-row results."""
        return per_unique[self.codes]

    def blank(self) -> np.ndarray:
        """True where the cell is empty, whitespace, NaN or a blank word (worked out once)."""
        if self._blank is None:
            if self.numeric is not None:
                self._blank = np.isnan(self.numeric)
            elif self._texts is None:
                nulls = self.clean.is_null().to_numpy(zero_copy_only=False)
                self._blank = self.spread(np.append(np.asarray(nulls, dtype=bool), True))
            else:
                self._blank = self.spread(np.array([t is None for t in self.texts], dtype=bool))
        return self._blank.copy()

    def _unchanged(self) -> bool:
        """True when cleaning changed no text (then the column itself is its clean text)."""
        if self._arrow is None:
            return False
        clean = self.clean
        return clean.null_count == 0 and clean.equals(cast(pa.Array, self._uniques))

    def text(self) -> pd.Series:
        """Cleaned text per row (``string`` dtype, <NA> for blanks)."""
        if self._unchanged():
            return string_series(cast(pa.ChunkedArray, self._arrow), self.index)
        return words_at(self.clean, self.codes, self.index)

    def text_codes(self) -> np.ndarray:
        """Per row, an index into the distinct cleaned texts (-1: blank).

        Cells that clean to the same text (``" R1"``, ``"R1"``) get the same code.
        """
        if self._unchanged():
            return self.codes
        per_unique, _ = pd.factorize(string_series(self.clean), use_na_sentinel=True)
        return self.spread(np.append(np.asarray(per_unique), -1))


def string_series(arr: pa.Array | pa.ChunkedArray, index: pd.Index | None = None,
                  dtype: str = "string") -> pd.Series:
    """An Arrow string array as a ``string`` (or ``str``) Series, no Python object per cell."""
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    kind = pd.StringDtype("pyarrow", na_value=np.nan if dtype == "str" else pd.NA)
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=kind), index=index, dtype=kind)


def words_at(words: pa.Array | list[str | None], codes: np.ndarray,
             index: pd.Index | None = None, dtype: str = "string") -> pd.Series:
    """``words[codes]`` as a ``string`` (or ``str``) Series (missing where a code is -1 or
    the word is None).

    Examples
    --------
    >>> list(words_at(["issue", "inspection"], np.array([1, -1, 0])).fillna("-"))
    ['inspection', '-', 'issue']
    """
    import pyarrow.compute as pc  # noqa: PLC0415 - see _clean_arrow

    codes = np.asarray(codes)
    if not (codes >= 0).any():  # nothing to take (a column the file does not have)
        return string_series(pa.nulls(len(codes), pa.large_string()), index, dtype)
    if not isinstance(words, pa.Array):
        words = pa.array(words, type=pa.large_string())
    return string_series(pc.take(words, pa.array(codes, mask=codes < 0)), index, dtype)


def _distinct(values: pd.Series | Distinct) -> Distinct:
    return Distinct.of(values)


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


def parse_dates(values: pd.Series | Distinct, *, default_year: int | None = None
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of dates.

    Parameters
    ----------
    values : Series or Distinct
        Raw cells (strings, datetimes or numbers), or a column already factorized.
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
            text = cast(str, texts[i])  # todo holds only texts, never the missing value
            value, guessed = parse_date(text, default_year=default_year)
            if value is not None:
                fixed[i] = value.to_datetime64()
                guessed_u[i] = guessed
        parsed_u = pd.Series(fixed, dtype="datetime64[ns]")
    bad_u = uniq.notna().to_numpy() & parsed_u.isna().to_numpy()
    parsed = pd.Series(col.spread(parsed_u.to_numpy()), index=col.index, dtype="datetime64[ns]")
    bad = pd.Series(col.spread(bad_u), index=col.index)
    year_guessed = pd.Series(col.spread(guessed_u), index=col.index)
    return parsed, bad, year_guessed
