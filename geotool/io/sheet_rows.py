"""Rows and cells of a records sheet that are not plain values: totals rows, formulas.

Two things offices' spreadsheets hold that a reader must not count as a
record, nor let drop one:

* a totals row under the records (合计：10条, 小计): no found date, a sum
  in its first text; quarantined ``totals_row`` rather than reported as a
  record missing its date;
* a formula saved without its computed value (a file written by a script):
  in the found date or the location the record cannot be placed, so it is
  quarantined ``formula_without_value`` naming the field and cell; in any
  other field the field is left empty, the cell flagged and the record kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geotool.io.parsing import Distinct
from geotool.io.record_places import _Reasons
from geotool.schema import RECORD_TEXT_COLUMNS as _TEXT_COLUMNS

__all__ = ["formula_cells", "totals_rows"]

#: A totals row's first words (合计：10条, 小计, Total): a sum, not a record
_TOTALS = r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|(?i:sub-?total|total))"


def totals_rows(data: pd.DataFrame, why: _Reasons, cols: dict[str, Distinct]) -> None:
    """Quarantine rows with no found date whose text starts 合计/小计/总计/共计 (``totals_row``).

    Parameters
    ----------
    data : DataFrame
        The raw records (text columns already as text).
    why : _Reasons
        The rows' reasons, given ``totals_row`` here.
    cols : dict of Distinct
        The columns' distinct cells (``found_at`` tells which rows have no date).
    """
    rows = np.flatnonzero(cols["found_at"].blank())
    if not len(rows):
        return
    total = np.zeros(len(rows), dtype=bool)
    shown = np.full(len(rows), None, dtype=object)
    for col in _TEXT_COLUMNS:  # the few rows without a date only
        cells = data[col].iloc[rows].astype("string")
        hit = cells.str.match(_TOTALS).fillna(False).to_numpy(dtype=bool) & ~total
        shown[hit] = cells.to_numpy(dtype=object)[hit]
        total |= hit
    mask = np.zeros(len(data), dtype=bool)
    mask[rows[total]] = True
    values = np.full(len(data), None, dtype=object)
    values[rows[total]] = shown[total]
    why.flag(mask, "totals_row", "", values)


#: Fields a record cannot do without: a formula saved without its value here drops
#: the row (a feature reference only when the row has no coordinates to go by)
_ESSENTIAL = ("found_at", "lon", "lat")
_REFERENCES = ("feature_id", "feature_name")


def formula_cells(data: pd.DataFrame, why: _Reasons) -> None:
    """Rows with formulas saved without a value (``_formula``: ``{field: "K4: =..."}``).

    A formula in the found date or the location quarantines the row; one in
    any other field leaves that field empty, flags the cell and keeps the
    record (an optional field that cannot be read never drops a record).

    Parameters
    ----------
    data : DataFrame
        The raw records with ``_formula`` and ``lon``.
    why : _Reasons
        The rows' reasons (quarantine) and flagged optional cells.
    """
    cells = data["_formula"].to_numpy(dtype=object)
    rows = np.flatnonzero(pd.notna(cells))
    if not len(rows):
        return
    lon = data["lon"].to_numpy(dtype=object)
    essential: dict[str, np.ndarray] = {}
    optional: dict[str, np.ndarray] = {}
    for i in rows:  # the few rows holding such a formula
        need = _ESSENTIAL + (_REFERENCES if pd.isna(lon[i]) or lon[i] == "" else ())
        for name, text in cells[i].items():
            if name.startswith("_"):  # an ignored column's formula does not matter
                continue
            into = essential if name in need else optional
            into.setdefault(name, np.full(len(data), None, dtype=object))[i] = text
    for name in (*_ESSENTIAL, *_REFERENCES):  # a row's first essential field names it
        if name in essential:
            why.flag(pd.notna(essential[name]), "formula_without_value", name,
                     essential[name])
    for name in sorted(optional):
        why.flag_optional(pd.notna(optional[name]), "formula_without_value", name,
                          pd.Series(optional[name], index=data.index, dtype=object))
