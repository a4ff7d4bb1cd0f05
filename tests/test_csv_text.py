"""geotool's column-wise CSV writer gives exactly the bytes of ``DataFrame.to_csv``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geotool.output.csv_text import csv_chunks

NASTY = ["plain", "", "a,b", 'say "hi"', "line\nbreak", "cr\ronly", "crlf\r\n", " lead",
         "tab\tin", "=1+1", "城管局", "\u3000全角", "x" * 300, None, "NULL", "nan", "'quoted'"]


def _pandas(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, date_format="%Y-%m-%d %H:%M").encode("utf-8")


def _ours(df: pd.DataFrame) -> bytes:
    return b"".join(csv_chunks(df))


def _every_dtype(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    text = [NASTY[i % len(NASTY)] for i in range(n)]
    when = pd.to_datetime("2026-10-26 08:05:59") + pd.to_timedelta(rng.integers(0, 10**6, n), "s")
    return pd.DataFrame({
        "text": pd.Series(text, dtype=object),
        "arrow_text": pd.Series(text, dtype="string"),
        "category": pd.Series(text, dtype="category"),
        "float": rng.normal(size=n) * 10.0 ** rng.integers(-6, 18, n),
        "float_nan": np.where(np.arange(n) % 3 == 0, np.nan, 3.0),
        "float32": (rng.normal(size=n) * 10.0 ** rng.integers(-6, 18, n)).astype(np.float32),
        "whole": np.round(rng.normal(size=n) * 10.0 ** rng.integers(0, 18, n)),
        "inf": np.where(np.arange(n) % 2 == 0, np.inf, -0.0),
        "int": rng.integers(-10**12, 10**12, n),
        "Int64": pd.array([None if i % 4 == 0 else i for i in range(n)], dtype="Int64"),
        "Float64": pd.array([None if i % 5 == 0 else i / 7 for i in range(n)], dtype="Float64"),
        "bool": np.arange(n) % 2 == 0,
        "boolean": pd.array([None if i % 3 == 0 else i % 2 == 0 for i in range(n)],
                            dtype="boolean"),
        "when": when.where(np.arange(n) % 6 != 0),
        "day": pd.to_datetime("2026-10-26").normalize() + pd.to_timedelta(np.arange(n) % 9, "D"),
        "mixed": pd.Series([[1, 1.0, True, "1", None, dt.date(2026, 1, 2)][i % 6]
                            for i in range(n)], dtype=object),
    })


def test_every_dtype_and_nasty_text_match_pandas():
    df = _every_dtype(240)
    assert _ours(df) == _pandas(df)


def test_blocks_of_lines_join_to_the_same_bytes():
    df = _every_dtype(120_017)  # more than two blocks
    assert _ours(df) == _pandas(df)


@pytest.mark.parametrize("values", [["", None, "x"], [None, None], ["a,b"]])
def test_a_single_column_matches_pandas(values):
    df = pd.DataFrame({"only": pd.Series(values, dtype=object)})
    assert _ours(df) == _pandas(df)


def test_empty_frames_match_pandas():
    assert _ours(pd.DataFrame({"a": [], "b": []})) == _pandas(pd.DataFrame({"a": [], "b": []}))
    assert _ours(pd.DataFrame()) == _pandas(pd.DataFrame())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=30),
       st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                min_size=1, max_size=30))
def test_any_text_and_floats_match_pandas(texts, floats):
    n = min(len(texts), len(floats))
    df = pd.DataFrame({"t": pd.Series(texts[:n], dtype=object),
                       "f": pd.Series(floats[:n], dtype=float)})
    assert _ours(df) == _pandas(df)
