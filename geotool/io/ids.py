"""Ids and names as text: the digits a planner typed, whatever type a reader gave them.

An id column that looks numeric (``411603``, a 20-digit work-order number,
``1e20``) is still a code: it is compared, joined and shown as text. Readers
hand such cells over as numbers (GDAL makes a 20-digit JSON integer a
float, openpyxl gives ``411603.0`` for a cell typed as a number), so every
id, name, parent, unit and type column goes through :func:`id_texts`.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd

__all__ = ["id_texts", "number_text"]


def number_text(value: float | np.integer | np.floating) -> str | None:
    """A number as an id is written: no ``.0``, no exponent, no float noise.

    The shortest decimal that reads back as the same float is spelled out in
    plain digits. Infinity is the text ``inf``; NaN is no value (``None``).

    Examples
    --------
    >>> number_text(411603.0), number_text(1e20), number_text(12345678901234567890)
    ('411603', '100000000000000000000', '12345678901234567890')
    >>> number_text(0.1), number_text(float("-inf")), number_text(float("nan")) is None
    ('0.1', '-inf', True)
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _cell_text(value: object) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return number_text(value)
    return str(value)


def _hashable(value: object) -> object:
    if isinstance(value, (list, dict, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return json.dumps(items, ensure_ascii=False, default=str)
    return value


def id_texts(values: pd.Series) -> pd.Series:
    """Cells as stripped text (``string`` dtype); blank or missing cells are ``<NA>``.

    Examples
    --------
    >>> id_texts(pd.Series([411603.0, 1e20, float("inf"), None, " A1 "])).tolist()
    ['411603', '100000000000000000000', 'inf', <NA>, 'A1']
    """
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        out = values.astype("string")
    else:
        try:
            codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        except TypeError:  # lists or mappings (a JSON array as an id): their JSON text
            values = values.astype(object).map(_hashable)
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = np.empty(len(uniques) + 1, dtype=object)
        texts[:-1] = [_cell_text(u) for u in uniques]
        texts[-1] = None
        out = pd.Series(texts[codes], index=values.index, dtype="string")
    out = out.str.strip()
    return out.mask(out == "")
