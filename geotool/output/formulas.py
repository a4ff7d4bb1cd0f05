"""Text a spreadsheet could run as a formula, found and escaped once per distinct value.

A text cell that a spreadsheet could run as a formula is prefixed with ``'``
so it shows as text: one that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return, also after leading white space of any script (space,
NBSP, U+3000, line breaks), zero-width characters, and after NFKC
normalisation (the full-width ``＝ ＋ － ＠`` and small ``﹦ ﹢ ﹣ ﹫`` forms,
which spreadsheets read as their ASCII twins).

Columns repeat their words many times, so every check is made on the
distinct values of a column (:func:`text_codes`, Arrow's dictionary
encoding for Arrow strings) and mapped back to the rows by their codes.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geotool.output.text_bytes import utf8_view

__all__ = ["arrow_text", "escape_formulas", "formula_risk", "risky_words", "safe_words",
           "text_codes"]

_FORMULA_START = ("=", "+", "-", "@", "\u2212")
_RAW_START = ("\t", "\r")
#: White space (``\s`` is Unicode-aware) and invisible characters a cell may start with.
_LEADING = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+")


def _risky(value: str) -> bool:
    """The full check of one value (NFKC, leading blanks, formula signs)."""
    if value.startswith(_RAW_START):
        return True
    core = _LEADING.sub("", unicodedata.normalize("NFKC", value))
    return core.startswith(_FORMULA_START)


def _safe_start(words: pa.Array) -> np.ndarray:
    """Which values start with an ASCII letter or digit or a CJK ideograph (U+4E00-U+9FFF).

    Those are safe (NFKC keeps them, and they are neither white space nor
    formula signs), and so are empty and missing values. Decided from the first
    bytes of the UTF-8 (U+4E00 is ``E4 B8 80``, U+9FFF ``E9 BF BF``).
    """
    data, at = utf8_view(words)
    starts, filled = at[:-1], np.diff(at) > 0
    first = np.zeros(len(words), dtype=np.uint8)
    second = np.zeros(len(words), dtype=np.uint8)
    first[filled] = data[starts[filled]]
    lead = (np.diff(at) > 1) & (first >= 0xC0)  # a multi-byte character: its second byte
    second[lead] = data[starts[lead] + 1]
    alnum = ((first >= ord("0")) & (first <= ord("9")) | (first >= ord("A")) & (first <= ord("Z"))
             | (first >= ord("a")) & (first <= ord("z")))
    cjk = ((first >= 0xE5) & (first <= 0xE9)) | ((first == 0xE4) & (second >= 0xB8))
    valid = words.is_valid().to_numpy(zero_copy_only=False)
    return alnum | cjk | ~filled | ~valid


def risky_words(words: pa.Array) -> np.ndarray:
    r"""Which of ``words`` (Arrow strings) a spreadsheet could run as a formula (null: False).

    Only values that do not start with a letter, digit or CJK ideograph are
    looked at closely, each distinct one once.

    Examples
    --------
    >>> risky_words(pa.array(["=1", "\u3000＝1", "a=b", None, "\n@x", "=1"])).tolist()
    [True, True, False, False, True, True]
    """
    words = words.cast(pa.string())
    maybe = np.flatnonzero(~_safe_start(words))
    risky = np.zeros(len(words), dtype=bool)
    if len(maybe):  # few: the words that start with a sign, a blank or another script
        odd = pc.dictionary_encode(words.take(pa.array(maybe)))
        per_odd = np.array([_risky(v) for v in odd.dictionary.to_pylist()] + [False])
        risky[maybe] = per_odd[pc.fill_null(odd.indices, -1).to_numpy(zero_copy_only=False)]
    return risky


def safe_words(words: pa.Array) -> pa.Array:
    """``words`` with ``'`` in front of each one a spreadsheet could run (nulls kept).

    Examples
    --------
    >>> safe_words(pa.array(["=1", "ok", None])).to_pylist()
    ["'=1", 'ok', None]
    """
    words = words.cast(pa.string())
    risky = risky_words(words)
    if not risky.any():
        return words
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", words, ""), words)


def arrow_text(values: pd.Series) -> pa.Array:
    """A :class:`pandas.StringDtype` column as one Arrow string array (no copy when Arrow)."""
    arrow = pa.array(values.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    return arrow.cast(pa.string())


def text_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """The distinct values of a text column as Arrow strings, and each row's index into them.

    Missing values get the code ``-1``. Arrow-backed strings are encoded by
    Arrow (no Python object per row); other columns by :func:`pandas.factorize`
    with ``str()`` of each distinct value.

    Examples
    --------
    >>> codes, words = text_codes(pd.Series(["b", None, "a", "b"], dtype="string"))
    >>> codes.tolist(), words.to_pylist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    if isinstance(values.dtype, pd.StringDtype):
        encoded = pc.dictionary_encode(arrow_text(values))
        codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64), encoded.dictionary
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pa.array([str(v) for v in uniques], pa.string())


def formula_risk(values: pd.Series) -> pd.Series:
    r"""Which values a spreadsheet could run as a formula (boolean, missing: False).

    Examples
    --------
    >>> values = pd.Series(["=1", " =1", "\u3000＝1", "\u00a0﹦1", "\n@x", "a=b", None])
    >>> formula_risk(values).tolist()
    [True, True, True, True, True, False, False]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    codes, words = text_codes(values)
    per_word = np.append(risky_words(words), False)  # the last: code -1, missing
    return pd.Series(per_word[codes], index=values.index)


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells cannot be run as spreadsheet formulas.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok", "@x"], "b": [-1, 2, 3]})).values.tolist()
    [["'=1+1", -1], ['ok', 2], ["'@x", 3]]
    """
    out = df.copy(deep=False)  # copy-on-write: the columns changed below are new
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            risky = formula_risk(s)
            if risky.any():
                text = s.astype("string").astype(object)
                out[col] = s.astype(object).where(~risky, "'" + text)
    return out
