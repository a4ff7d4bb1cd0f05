"""The records' own district field (所属区): values that name no district.

A record's district is always taken from its location; the 所属区 column is
only a cross-check (the datum guard, :mod:`geotool.io.datum_guard`). A value
that is neither a district's id nor its name is therefore not an error, but
the planner is told which values those are, so a typo or an old district
name in the office's spreadsheet does not pass unseen.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.text import Join, Note

__all__ = ["unknown_district_note"]

#: How many of the unknown values the note names (the most frequent first).
SHOWN = 5


def unknown_district_note(records: pd.DataFrame, districts: gpd.GeoDataFrame) -> Note | None:
    """A note naming the 所属区 values that match no district id or name, or None.

    Parameters
    ----------
    records : DataFrame
        Normalised records; the optional ``district`` column is what each said.
    districts : GeoDataFrame
        ``district_id`` and ``name`` of every district at every level.

    Returns
    -------
    Note or None
        ``note.district_unknown`` with the number of records, the number of
        distinct values and the most frequent of them (ties by value), or
        None when every value names a district (or there is no such column).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> d = gpd.GeoDataFrame({"district_id": ["411602"], "name": ["川东区"]}, geometry=[None])
    >>> r = pd.DataFrame({"district": ["川东区", "411602", "川冬区", None, "川冬区", " 老城区"]})
    >>> note = unknown_district_note(r, d)
    >>> note.params["n"], note.params["k"], list(note.params["values"].items)
    (3, 2, ['川冬区', '老城区'])
    """
    if "district" not in records.columns or records.empty or districts.empty:
        return None
    codes, uniques = pd.factorize(records["district"], use_na_sentinel=True)  # a few distinct
    texts = pd.Index(uniques).astype(str).str.strip()
    known = set(districts["district_id"].astype(str).str.strip()) | set(
        districts["name"].dropna().astype(str).str.strip())
    unknown = ~texts.isin(list(known)) & (texts != "")
    if not unknown.any():
        return None
    counts = np.bincount(codes[codes >= 0], minlength=len(texts))
    bad = pd.DataFrame({"text": texts[unknown], "n": counts[np.flatnonzero(unknown)]})
    bad = bad.groupby("text", sort=True)["n"].sum().reset_index()  # ' x' and 'x' are one value
    bad = bad.sort_values(["n", "text"], ascending=[False, True], kind="stable")
    return Note("note.district_unknown", n=int(bad["n"].sum()), k=len(bad),
                values=Join(bad["text"].head(SHOWN).tolist(), ", "))
