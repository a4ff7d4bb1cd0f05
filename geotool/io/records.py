"""Issue and inspection records: from raw spreadsheet cells to one clean table.

:func:`normalize_records` turns the raw cells of :mod:`geotool.io.tables` into
the canonical record table (WGS-84 points) and a quarantine table. Each row
gets the first of these checks it fails, in this order, or is used:

0. more cells than the header (``extra_cells``: an unquoted separator shifted them)
1. ``found_at`` missing or not a date
2. record kind not understood
3. coordinates not understood or out of range, only one of lon/lat, 0,0,
   lon/lat swapped, outside the city (more than ``city_margin_m`` beyond its
   districts)
4. no coordinates and no feature reference that resolves
5. exact duplicate of an earlier row (``duplicate_row``); the same
   ``record_id`` as an earlier row but a different kind, a different
   category or feature (when both rows give one), or a place more than
   100 m away (``conflicting_duplicate``: two records share an id, e.g. two
   districts both numbering from 001). The earlier row (in file order) is kept.

Only a record's location and its found date are essential. An optional
field that cannot be read (a deadline of ``下周一``, a status of ``待定``, a
rectified or updated date that is no date) keeps the record: the field is
left empty (an issue with no readable status counts as open), the row's
``problems`` column names the fields (``bad_deadline;unknown_status``) and
each such cell is listed in :attr:`RecordsResult.flagged`, which has the
quarantine's columns.

A record without coordinates takes the location of the ledger feature it
names (id first, then exact unique name): a point on it (the middle of a
line, a representative point of a polygon).

Several rows with the same ``record_id`` that pass check 5 are versions of
one issue. They are all kept here; :mod:`geotool.analysis.issues` orders them by event
time (``updated_at``, else ``rectified_at`` for rectified/closed rows, else
``found_at``; ties in file order) to find the status as of a date.

Dates written without a year (``9月1日``) take the most common year of the
dated rows; times with a UTC offset are converted to China time. Both are
reported in :attr:`RecordsResult.notes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._errors import shown_path
from geotool._halves import rows_taken
from geotool.crs import (
    WGS84,
    normalize_datum,
)
from geotool.io.cells import constant, few_codes
from geotool.io.made_ids import row_ids
from geotool.io.parsing import (
    Distinct,
    parse_dates,
    parse_kinds,
    parse_statuses,
    split_lonlat,
    words_at,
)
from geotool.io.record_places import (
    RowDatums,
    _coordinates,
    _raw_text,
    _Reasons,
    _reference_xy,
    feature_anchor_points,
    start_places,
)
from geotool.io.sheet_rows import formula_cells, totals_rows
from geotool.io.tables import Table
from geotool.schema import (
    QUARANTINE_COLUMNS,
    RECORD_COLUMNS,
    RECORD_RAW_COLUMNS,
    RECORD_TEXT_COLUMNS,
)
from geotool.schema import (
    RECORD_CANONICAL as CANONICAL_COLUMNS,
)
from geotool.text import Note, reason_text, tr

__all__ = ["RECORD_COLUMNS", "RecordsResult", "feature_anchor_points", "flag_text",
           "normalize_records"]

_TEXT_COLUMNS = RECORD_TEXT_COLUMNS
_RAW_COLUMNS = RECORD_RAW_COLUMNS
_SAME_PLACE_M = 100.0


@dataclass
class RecordsResult:
    """Normalised records, their quarantine and what was repaired."""

    records: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    read: int
    per_file: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flagged: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))


def _concat(tables: list[Table]) -> pd.DataFrame:
    frames = []
    for table in tables:
        df = table.data
        if "lonlat" in df.columns:
            df = df.copy()
            lon, lat = split_lonlat(df["lonlat"])
            for col, parsed in (("lon", lon), ("lat", lat)):
                val = parsed.astype(object).where(parsed.notna(), None)
                if col not in df.columns:
                    df[col] = val
                else:
                    df[col] = df[col].where(~pd.isna(df[col]) & (df[col].astype(str) != ""),
                                            val)
        frames.append(_raw_columns(df))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in [*_RAW_COLUMNS, "_order"]})
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(
        drop=True)
    data["_order"] = np.arange(len(data))
    return data


def _raw_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df.reindex(columns=RECORD_RAW_COLUMNS)`` (missing columns all NaN), without the copy.

    Reindexing consolidates the file's columns into new blocks (a copy of a
    million rows); here they are selected (no copy) and the missing ones added.
    """
    out = df[[c for c in _RAW_COLUMNS if c in df.columns]]
    for col in _RAW_COLUMNS:
        if col not in df.columns:
            out[col] = np.full(len(df), np.nan)
    return out[_RAW_COLUMNS]


def _year_for_yearless(found: pd.Series) -> int | None:
    counts = found.dropna().dt.year.value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.max()]
    return int(top.index.max())


def normalize_records(tables: list[Table], features: gpd.GeoDataFrame,
                      city: shapely.Geometry | None, *, datum: str | None = "EPSG:4326",
                      file_datums: Mapping[str, str] | None = None,
                      city_margin_m: float = 1000.0, lang: str = "zh") -> RecordsResult:
    """Turn raw record tables into the canonical records table.

    Parameters
    ----------
    tables : list of Table
        Raw cells from :func:`geotool.io.tables.read_table`.
    features : GeoDataFrame
        All ledger features (``layer, feature_id, name, ...``), WGS-84.
    city : shapely geometry or None
        The union of the districts, WGS-84; records farther than
        ``city_margin_m`` outside it are quarantined. ``None`` disables the check.
    datum : str
        Datum of the coordinates: ``"EPSG:4326"``, ``"GCJ-02"``, ``"BD-09"``
        or any EPSG code (a projected one takes x/y in its units).
    file_datums : mapping, optional
        The datum of particular files (``[records.file_crs]``), by the file as
        the tables name it (``shown_path(table.path)``); the others are in ``datum``.
    city_margin_m : float
        Tolerance outside the city boundary, in metres.
    lang : str
        Language of the quarantine reasons (``"zh"`` or ``"en"``).

    Returns
    -------
    RecordsResult
        ``read == len(records) + len(quarantine)`` always.
    """
    datum = normalize_datum(datum) or WGS84
    notes: list[str] = []
    data, cols = _drop_blank_rows(_concat(tables), notes)
    n = len(data)
    why = _Reasons(data)

    why.flag(data["_merged"].notna(), "unclosed_quote", "", data["_merged"])
    formula_cells(data, why)
    only_outside = _cells_blank(cols) & (data["_outside"].notna() | data["_extra"].notna())
    why.flag(only_outside, "outside_header", "",
             data["_outside"].where(data["_outside"].notna(), data["_extra"]))
    why.flag(data["_extra"].notna(), "extra_cells", "", data["_extra"])

    for col in _TEXT_COLUMNS:
        data[col] = cols[col].text()
    totals_rows(data, why, cols)

    # the coordinates read first and their datum shift started (NumPy, GIL released):
    # it runs while the dates, kinds and statuses are read; every check keeps its order
    datums = RowDatums.of(datum, data["_file"], file_datums)
    places = start_places(cols, datums, data["lon"])
    _dates(data, why, notes, cols)
    _kinds_and_statuses(data, why, cols)
    located, lon_a, lat_a = _coordinates(data, why, datums, city, city_margin_m, cols,
                                         notes, places)

    # feature references
    ref_x, ref_y = _reference_xy(data, features)
    has_ref = ~np.isnan(ref_x)
    has_id = data["feature_id"].notna().to_numpy()
    has_name = data["feature_name"].notna().to_numpy()
    by_ref = has_ref & ~located
    why.flag(~located & has_id & ~has_ref, "unknown_feature_id", "feature_id",
             data["feature_id"])
    why.flag(~located & ~has_id & has_name & ~has_ref, "unknown_feature_name", "feature_name",
             data["feature_name"])
    why.flag(~located & ~has_id & ~has_name, "missing_location", "lon")

    data["lon"] = np.where(located, lon_a, np.where(by_ref, ref_x, np.nan))
    data["lat"] = np.where(located, lat_a, np.where(by_ref, ref_y, np.nan))
    data["located_by"] = words_at(["coordinates", "feature_id", "feature_name"],
                                  np.where(located, 0, np.where(has_id & by_ref, 1, 2)),
                                  data.index, dtype="str")

    _duplicates(data, why, cols["record_id"])

    missing_id = data["record_id"].isna()
    if missing_id.any():  # named by where it is: <file>#<sheet>#<row>
        rows = data.loc[missing_id]
        data.loc[missing_id, "record_id"] = row_ids(rows["_file"], rows["_sheet"], rows["_row"])

    used = why.ok
    data["problems"] = _problems(why, n)
    records = rows_taken(data, used, RECORD_COLUMNS)
    records = gpd.GeoDataFrame(
        records,
        geometry=gpd.points_from_xy(records["lon"].to_numpy(float),
                                    records["lat"].to_numpy(float)),
        crs=WGS84,
        copy=False,  # records is a new frame (the rows taken): no second copy of a million rows
    ).reset_index(drop=True)
    records["_row"] = records["_row"].astype(int)
    quarantine = _quarantine(data, why, lang)
    flagged = _flagged(data, why, used, lang)
    per_file = {shown_path(t.path): {"read": 0, "used": 0, "quarantined": 0} for t in tables}
    per_file.update(_per_file(data, used))
    k = int((used & (data["located_by"] != "coordinates").to_numpy()).sum())
    if k:
        notes.append(Note("note.located_by_feature", n=k))
    if len(records) + len(quarantine) != n:  # pragma: no cover - an invariant
        msg = f"internal error: {n} rows read but {len(records)} + {len(quarantine)} accounted"
        raise AssertionError(msg)
    return RecordsResult(records=records, quarantine=quarantine, read=n, per_file=per_file,
                         notes=notes, flagged=flagged)


def _cells_blank(cols: dict[str, Distinct]) -> np.ndarray:
    """Rows whose every record column is blank (their text, if any, lies elsewhere)."""
    blank: np.ndarray | None = None
    for col in cols.values():
        blank = col.blank() if blank is None else blank & col.blank()
    if blank is None:  # pragma: no cover - an invariant: there are always record columns
        msg = "internal error: no record columns"
        raise AssertionError(msg)
    return blank


def _drop_blank_rows(data: pd.DataFrame, notes: list[str]
                     ) -> tuple[pd.DataFrame, dict[str, Distinct]]:
    """Drop rows whose every cell is blank after cleaning (``NaN``, ``NULL``, spaces)."""
    names = [*CANONICAL_COLUMNS, "updated_at"]
    cols = Distinct.columns(data, names)
    blank = np.ones(len(data), dtype=bool)
    for c in names:
        blank &= cols[c].blank()
    blank &= data["_extra"].isna().to_numpy() & data["_merged"].isna().to_numpy()
    blank &= data["_outside"].isna().to_numpy() & data["_formula"].isna().to_numpy()
    if not blank.any():
        return data, cols
    notes.append(Note("note.blank_word_rows", n=int(blank.sum())))
    data = data[~blank].reset_index(drop=True)
    return data, Distinct.columns(data, names)


def _dates(data: pd.DataFrame, why: _Reasons, notes: list[str],
           cols: dict[str, Distinct]) -> None:
    raw_found = data["found_at"]
    found, bad, _ = parse_dates(cols["found_at"])
    year = _year_for_yearless(found)
    guessed_total = 0
    if bad.any() and year is not None:
        found, bad, guessed = parse_dates(cols["found_at"], default_year=year)
        guessed_total += int(guessed.sum())
    why.flag(bad, "bad_found_at", "found_at", raw_found)
    why.flag(found.isna(), "missing_found_at", "found_at")
    for col in ("deadline", "rectified_at", "updated_at"):
        parsed, bad_c, guessed_c = parse_dates(cols[col], default_year=year)
        guessed_total += int((guessed_c & ~bad_c).sum())
        why.flag_optional(bad_c, f"bad_{col}", col, data[col])
        data[col] = parsed
    data["found_at"] = found
    if guessed_total:
        notes.append(Note("note.yearless_dates", n=guessed_total, year=year))
    # suspicious but usable: kept, and said, so the unit can check the ledger
    found_day = found.dt.normalize()
    for col, key in (("rectified_at", "note.rectified_before_found"),
                     ("updated_at", "note.updated_before_found")):
        if not data[col].notna().any():  # a column the files do not have
            continue
        early = (data[col].dt.normalize() < found_day).fillna(False)
        if early.any():
            first = data.loc[early].head(5)
            rows = [f"{str(f).replace(chr(92), '/').rsplit('/', 1)[-1]}:{r}"
                    for f, r in zip(first["_file"], first["_row"], strict=True)]
            notes.append(Note(key, n=int(early.sum()), rows=", ".join(rows)))


def _kinds_and_statuses(data: pd.DataFrame, why: _Reasons, cols: dict[str, Distinct]) -> None:
    kind, bad_kind = parse_kinds(cols["kind"])
    status, bad_status = parse_statuses(cols["status"])
    has_issue_fields = data["category"].notna() | status.notna() | bad_status
    default = words_at(["issue", "inspection"], np.where(has_issue_fields, 0, 1), data.index)
    kind = kind.fillna(default)
    why.flag(bad_kind, "unknown_kind", "kind", data["kind"])
    is_issue = (kind == "issue").to_numpy(dtype=bool, na_value=False)
    # an issue whose status cannot be read is kept and counts as open (flagged)
    why.flag_optional(bad_status.to_numpy() & is_issue, "unknown_status", "status",
                      data["status"])
    status = status.where(is_issue)
    data["kind"] = kind
    data["status"] = status.where(status.notna() | ~is_issue, "open")


def _duplicates(data: pd.DataFrame, why: _Reasons, record_ids: Distinct) -> None:
    ok = why.ok
    if not ok.any():
        return
    cols = [*CANONICAL_COLUMNS, "updated_at"]
    # only rows sharing an id and a time can be copies: compare whole rows among those
    id_codes = record_ids.text_codes()  # the cleaned ids, as integers (-1: none)
    rows = np.flatnonzero(ok)
    rows = rows[_repeated(id_codes[rows])]  # a copy shares its id with another row
    found_codes, found = pd.factorize(data["found_at"].to_numpy()[rows], use_na_sentinel=True)
    key = id_codes[rows].astype(np.int64) * (len(found) + 1) + found_codes
    maybe = rows[pd.Series(key).duplicated(keep=False).to_numpy()]
    if len(maybe):
        exact = np.zeros(len(data), dtype=bool)
        exact[maybe] = data.loc[maybe, cols].duplicated(keep="first").to_numpy()
        why.flag(exact, "duplicate_row", "record_id", data["record_id"])

    rest = why.ok & (id_codes >= 0)
    if not rest.any():
        return
    rest &= _repeated(id_codes)  # ids seen once cannot conflict
    if not rest.any():
        return
    sub = data.loc[rest, ["record_id", "kind", "category", "feature_id", "lon", "lat", "_order"]]
    sub = sub.sort_values("_order", kind="stable")
    groups = sub.groupby("record_id", sort=False)
    first = groups[["kind", "category", "feature_id", "lon", "lat"]].transform("first")
    differs = np.zeros(len(sub), dtype=bool)
    for col in ("kind", "category", "feature_id"):
        a, b = sub[col], first[col]
        both = a.notna() & b.notna()
        differs |= (both & (a.astype(object) != b.astype(object))).to_numpy(dtype=bool)
    lat0 = np.radians(first["lat"].to_numpy(float))
    dx = (sub["lon"].to_numpy(float) - first["lon"].to_numpy(float)) * np.cos(lat0) * 111_320.0
    dy = (sub["lat"].to_numpy(float) - first["lat"].to_numpy(float)) * 110_574.0
    differs |= np.hypot(dx, dy) > _SAME_PLACE_M
    conflict = np.zeros(len(data), dtype=bool)
    conflict[sub.index.to_numpy()[differs]] = True
    why.flag(conflict, "conflicting_duplicate", "record_id", data["record_id"])


def _repeated(codes: np.ndarray) -> np.ndarray:
    """True where a code (-1 included) occurs more than once: ``duplicated(keep=False)``.

    Examples
    --------
    >>> _repeated(np.array([0, 1, 0, -1, 2, -1])).tolist()
    [True, False, True, True, False, True]
    """
    shifted = codes + 1
    return np.bincount(shifted)[shifted] > 1 if len(codes) else np.zeros(0, dtype=bool)


def _quarantine(data: pd.DataFrame, why: _Reasons, lang: str) -> pd.DataFrame:
    bad = ~why.ok
    if not bad.any():
        return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else int)
                             for c in QUARANTINE_COLUMNS})
    codes = why.code[bad]
    texts = {code: reason_text(code, lang) for code in set(codes)}
    out = pd.DataFrame({
        "file": data["_file"][bad].to_numpy(dtype=object),  # the quarantined rows only
        "sheet": data["_sheet"][bad].fillna("").to_numpy(dtype=object),
        "layer": "",
        "row": data["_row"].to_numpy()[bad].astype(int),
        "column": why.column[bad],
        "value": why.value[bad],
        "reason_code": codes,
        "reason": [texts[c] for c in codes],
    }, columns=QUARANTINE_COLUMNS)
    return out.reset_index(drop=True)


def _problems(why: _Reasons, n: int) -> pd.Series:
    """Per row, the ``;``-joined codes of its flagged optional fields (``NA`` when none)."""
    out = constant(n, "")
    for code, _column, mask, _values in why.optional:
        out[mask] = np.where(out[mask] == "", code, out[mask] + ";" + code)
    series = pd.Series(out, dtype="string")
    return series.mask(series == "")


def _flagged(data: pd.DataFrame, why: _Reasons, used: np.ndarray, lang: str) -> pd.DataFrame:
    """One row per flagged cell of a used record, in the quarantine's columns."""
    frames = []
    for code, column, mask, cells in why.optional:  # cells: the values at mask
        keep = mask & used
        if not keep.any():
            continue
        frames.append(pd.DataFrame({
            "file": data["_file"].to_numpy(dtype=object)[keep],
            "sheet": data["_sheet"].fillna("").to_numpy(dtype=object)[keep],
            "layer": "",
            "row": data["_row"].to_numpy()[keep].astype(int),
            "column": column,
            "value": _raw_text(pd.Series(cells[used[mask]], dtype=object)),
            "reason_code": code,
            "reason": flag_text(code, lang),
        }, columns=QUARANTINE_COLUMNS))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else int)
                             for c in QUARANTINE_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["file", "sheet", "row", "column"], kind="stable").reset_index(drop=True)


def flag_text(code: str, lang: str = "zh") -> str:
    """The planner-facing text of a flagged cell: the reason, and that the record was kept.

    Examples
    --------
    >>> flag_text("bad_deadline", "en")
    'deadline not understood: the record is kept, this field left empty'
    """
    return tr("flag.kept", lang, reason=reason_text(code, lang))


def _per_file(data: pd.DataFrame, used: np.ndarray) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if data.empty:
        return out
    codes, files = few_codes(data["_file"])
    read = np.bincount(codes, minlength=len(files))
    kept = np.bincount(codes, weights=np.asarray(used, dtype=float), minlength=len(files))
    for path, n, u in zip(files, read, kept, strict=True):
        out[str(path)] = {"read": int(n), "used": int(u), "quarantined": int(n) - int(u)}
    return out
