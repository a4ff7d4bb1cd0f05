"""The quick look at a value's first character never changes what counts as a formula."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geotool.output.report import formula_risk

_LEADING = r"^[\s\u200b-\u200d\u2060\ufeff]+"


def _full_check(values: pd.Series) -> list[bool]:
    """Every value looked at closely (NFKC, leading blanks, formula signs)."""
    text = values.astype("string")
    core = text.str.normalize("NFKC").str.replace(_LEADING, "", regex=True)
    risky = core.str.startswith(("=", "+", "-", "@", "\u2212")) | text.str.startswith(("\t", "\r"))
    return risky.fillna(False).astype(bool).tolist()


STARTS = ["=", "+", "-", "@", "\u2212", "＝", "﹦", "＋", "－", "＠", " ", "\u3000", "\u00a0",
          "\u200b", "\ufeff", "\t", "\r", "\n", "a", "Z", "0", "城", "\u9fff", "\u4e00", "ｱ",
          "①", "ﬁ", "'"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.builds(lambda a, b, c: a + b + c,
                                               st.sampled_from(STARTS), st.sampled_from(STARTS),
                                               st.text(max_size=4))), max_size=20))
def test_prefilter_agrees_with_the_full_check(values):
    s = pd.Series(values, dtype=object)
    assert formula_risk(s).tolist() == _full_check(s)
