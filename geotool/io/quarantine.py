"""The quarantine: input rows geotool could not use, each with a reason.

Every row read ends up either used or here, with its file, sheet, row
number (the number a spreadsheet shows; for layers the feature's 1-based
position), the column at fault, the value found and a reason a planner
understands, in Chinese and English. ``read = used + quarantined`` always.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geotool._errors import shown_path
from geotool.schema import QUARANTINE_COLUMNS
from geotool.text import reason_text

__all__ = ["QUARANTINE_COLUMNS", "quarantine_frame"]


def quarantine_frame(path: str | Path, rows: np.ndarray | list[int], column: str | None,
                     values: np.ndarray | list | None, code: str, *, sheet: str | np.ndarray = "",
                     layer: str = "", lang: str = "zh") -> pd.DataFrame:
    """Build quarantine rows for one reason.

    Parameters
    ----------
    path : str or Path
        The file the rows came from.
    rows : array of int
        Row numbers.
    column : str or None
        The column at fault.
    values : array or None
        The offending values, one per row.
    code : str
        A quarantine reason code (:func:`geotool.text.reason_codes`).

    Examples
    --------
    >>> q = quarantine_frame("a.geojson", [3], "id", None, "missing_feature_id", layer="points")
    >>> q[["file", "layer", "row", "reason_code", "reason"]].values.tolist()
    [['a.geojson', 'points', 3, 'missing_feature_id', '缺少编号']]
    """
    rows = np.asarray(rows)
    n = len(rows)
    if values is None:
        values = [""] * n
    vals = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in values]
    return pd.DataFrame({
        "file": [shown_path(path)] * n,
        "sheet": sheet if not isinstance(sheet, str) else [sheet] * n,
        "layer": [layer] * n,
        "row": rows.astype(int),
        "column": [column or ""] * n,
        "value": vals,
        "reason_code": [code] * n,
        "reason": [reason_text(code, lang)] * n,
    }, columns=QUARANTINE_COLUMNS)
