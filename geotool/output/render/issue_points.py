"""The issue layers of a district map: compact columns and pre-counted cells.

Two layers are drawn from one district's issues: the **open** issues
(overdue ones marked; on when the map opens) and the **rectified** ones
(off by default). Each layer's data is columnar: coordinates as integers in
units of 1e-5 degree (about 1 m) relative to a base point, every repeated
string (category, status, source, unit, place, street/community) as an
index into a shared dictionary, times as minutes from a base day. The
browser builds one marker per issue only when it zooms in to street level
(:data:`STREET_ZOOM`) on a large district; further out it draws the cells
of :func:`issue_cells`, counted here (vectorised), so a county with tens of
thousands of issues opens quickly. A cell's number is the count of issues in
it and its ring the share of them that is overdue.

Everything is computed with NumPy/pandas over whole columns; no Python loop
over issues.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.crs import WGS84
from geotool.output.render._display import DECIMALS, to_datum
from geotool.output.render.heat import cell_size_m
from geotool.output.render.style import ISSUE_CLASSES, ISSUE_COLORS, ISSUE_GLYPHS, ISSUE_SHAPES
from geotool.text import header, status_label, tr

__all__ = [
    "AGGREGATE_FROM",
    "RECTIFIED_MARKERS_MAX",
    "STREET_ZOOM",
    "IssueColumns",
    "issue_cells",
    "issue_columns",
]

#: Zoom from which single issues (clusters, then markers) are drawn on a large district.
STREET_ZOOM = 15
#: Layers with more issues than this are drawn as counted cells below :data:`STREET_ZOOM`.
AGGREGATE_FROM = 2_000
#: Rectified issues beyond this many are kept as counted cells only (no single markers).
RECTIFIED_MARKERS_MAX = 10_000
#: Cells along the longer side of the district, for the aggregated view.
CELLS_ACROSS = 24

_SCALE = 10 ** DECIMALS


@dataclass(frozen=True)
class IssueColumns:
    """One issue layer as columns (script-safe JSON is made by the caller).

    Attributes
    ----------
    data : dict
        ``{"n", "lat0", "lon0", "lat", "lon", "overdue", "recurring", "days",
        "found", "deadline", "day0", "id", "desc", codes..., "dicts"}``;
        ``lat``/``lon`` in 1e-5 degree from ``lat0``/``lon0``; ``found`` and
        ``deadline`` in minutes from ``day0`` (``-1`` when missing).
    n : int
        Issues in the layer.
    overdue : int
        Of them overdue.
    """

    data: dict
    n: int
    overdue: int


_DIGITS = np.array(list("0123456789abcdefghijklmnopqrstuvwxyz"))


def _packed(codes: np.ndarray) -> list[int] | str:
    """Small codes (< 36) as one base-36 digit each in a string, else a list of ints.

    Examples
    --------
    >>> _packed(np.array([0, 1, 35])), _packed(np.array([0, 36]))
    ('01z', [0, 36])
    """
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and (codes.max() >= len(_DIGITS) or codes.min() < 0):
        return codes.tolist()
    return "".join(_DIGITS[codes].tolist())


def _codes(values: pd.Series) -> tuple[list[int] | str, list[str]]:
    """Dictionary codes of a string column ('' for missing), dictionary sorted.

    One value only: the codes are ``""`` (all zero). Fewer than 36: packed
    in a string (:func:`_packed`).
    """
    texts = values.astype("string").fillna("")
    codes, uniques = pd.factorize(texts, sort=True)
    words = [str(u) for u in uniques]
    if len(words) <= 1:
        return "", words or [""]
    return _packed(codes), words


def _minutes(values: pd.Series, day0: pd.Timestamp) -> list[int]:
    ts = pd.to_datetime(values, errors="coerce")
    mins = ((ts - day0) // pd.Timedelta(minutes=1)).astype("Float64").fillna(-1)
    return mins.astype(np.int64).tolist()


def _place(issues: pd.DataFrame, features: pd.DataFrame, labels: dict[str, str],
           more_word: str) -> pd.Series:
    """``name（layer label）`` of each issue's first ledger feature ('' when none).

    ``more_word`` holds ``{n}``, the number of further features the issue names.
    """
    ids = issues["feature_ids"].astype("string").fillna("")
    fid = ids.str.split(";").str[0].fillna("")
    lay = issues["layers"].astype("string").fillna("").str.split(";").str[0].fillna("")
    names = features[["layer", "feature_id", "name"]].astype("string").drop_duplicates(
        ["layer", "feature_id"])
    keys = pd.DataFrame({"layer": lay.to_numpy(), "feature_id": fid.to_numpy()})
    name = keys.merge(names, on=["layer", "feature_id"], how="left")["name"].to_numpy()
    name = pd.Series(name, index=issues.index, dtype="string").fillna(fid)
    label = lay.map(labels).astype("string").fillna(lay)
    text = name + "（" + label + "）"
    more = ids.str.count(";")
    head, _, tail = more_word.partition("{n}")
    text = text.where(more == 0, text + head + more.astype("string") + tail)
    return text.where(fid != "", "")


def _area_names(issues: pd.DataFrame, districts: pd.DataFrame) -> pd.Series:
    """Street / community names of each issue (names of its level_1 and level_2 areas)."""
    names = pd.Series(districts["name"].astype("string").to_numpy(),
                      index=districts["district_id"].astype(str).to_numpy())
    parts = []
    for col in ("level_1", "level_2"):
        if col in issues.columns:
            ids = issues[col].astype("string")
            parts.append(ids.map(names).fillna(""))
    if not parts:
        return pd.Series("", index=issues.index, dtype="string")
    out = parts[0]
    for p in parts[1:]:
        out = out.str.cat(p, sep=" / ").str.strip(" /")
    return out


def _ids(values: pd.Series) -> dict:
    """Record ids; ``PREFIX`` + zero-padded numbers stored as the numbers.

    Examples
    --------
    >>> _ids(pd.Series(["R-007", "R-120"]))
    {'id': [7, 120], 'idPrefix': 'R-', 'idWidth': 3}
    >>> _ids(pd.Series(["a", "R-1"]))
    {'id': ['a', 'R-1']}
    """
    texts = values.astype("string").fillna("")
    parts = texts.str.extract(r"^(\D*)(\d{1,15})$")
    plain = {"id": texts.tolist()}
    if texts.empty or parts[0].isna().any() or parts[0].nunique() != 1:
        return plain
    width = parts[1].str.len()
    if width.nunique() != 1:
        return plain
    return {"id": parts[1].astype(np.int64).tolist(), "idPrefix": str(parts[0].iloc[0]),
            "idWidth": int(width.iloc[0])}


def issue_columns(issues: gpd.GeoDataFrame, *, datum: str, features: pd.DataFrame,
                  districts: pd.DataFrame, labels: dict[str, str], statuses: dict[str, str],
                  more_word: str) -> IssueColumns:
    """Columns of one issue layer.

    Parameters
    ----------
    issues : GeoDataFrame
        WGS-84 points (rows without a point are dropped).
    datum : str
        Datum of the drawn coordinates.
    features : DataFrame
        The ledger features (``layer``, ``feature_id``, ``name``): issue places.
    districts : DataFrame
        ``district_id`` and ``name``: street and community names.
    labels : dict
        Layer key to plain-text label.
    statuses : dict
        Status code to plain-text label.
    more_word : str
        Appended with the count of further features (``" 等{n}处"``).

    Returns
    -------
    IssueColumns
    """
    issues = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    n = len(issues)
    if n:  # south to north, so that latitudes are stored as small steps
        issues = issues.iloc[np.argsort(issues.geometry.y.to_numpy(), kind="stable")]
    frame = to_datum(gpd.GeoDataFrame(geometry=issues.geometry.values, crs=WGS84), datum)
    lat = np.round(frame.geometry.y.to_numpy() * _SCALE).astype(np.int64) if n else np.zeros(0)
    lon = np.round(frame.geometry.x.to_numpy() * _SCALE).astype(np.int64) if n else np.zeros(0)
    lat0 = int(lat.min()) if n else 0
    lon0 = int(lon.min()) if n else 0
    times = pd.concat([pd.to_datetime(issues["found_at"], errors="coerce"),
                       pd.to_datetime(issues["deadline"], errors="coerce")])
    day0 = times.min().normalize() if times.notna().any() else pd.Timestamp("2000-01-01")
    overdue = issues["overdue"].fillna(False).astype(bool).to_numpy()
    status_text = issues["status"].astype("string").map(lambda s: statuses.get(s, s))
    data = {"n": n, "lat0": lat0, "lon0": lon0, "scale": _SCALE,
            "lat": np.diff(lat, prepend=lat0).tolist(), "latSteps": True,
            "lon": (lon - lon0).tolist(),
            "overdue": _packed(overdue.astype(np.int64)),
            "recurring": _packed(issues["recurring"].fillna(False).astype(bool)
                                 .to_numpy().astype(np.int64)),
            "days": issues["days_open"].astype("Float64").fillna(-1).astype(np.int64).tolist(),
            "day0": day0.strftime("%Y-%m-%d"),
            "found": _minutes(issues["found_at"], day0),
            "deadline": _minutes(issues["deadline"], day0), "deadlineStep": 1,
            **_ids(issues["record_id"]),
            "dicts": {}}
    deadline = np.asarray(data["deadline"], dtype=np.int64)
    if deadline.size and not (deadline[deadline >= 0] % 1440).any():  # whole days: store days
        data["deadline"] = np.where(deadline >= 0, deadline // 1440, -1).tolist()
        data["deadlineStep"] = 1440
    columns = {"cat": issues["category"], "desc": issues["description"],
               "src": issues["source"], "unit": issues["unit"], "status": status_text,
               "place": _place(issues, features, labels, more_word),
               "area": _area_names(issues, districts)}
    if "address" in issues.columns:
        columns["addr"] = issues["address"]
    for key, values in columns.items():
        data[key], data["dicts"][key] = _codes(values)
    return IssueColumns(data=data, n=n, overdue=int(overdue.sum()))


def issue_cells(issues: gpd.GeoDataFrame, area: gpd.GeoSeries, metric_crs: str, *,
                datum: str, cells_across: int = CELLS_ACROSS) -> dict:
    """Issues counted in square cells; one entry per non-empty cell.

    Parameters
    ----------
    issues : GeoDataFrame
        WGS-84 points with an ``overdue`` column.
    area : GeoSeries
        The district (WGS-84): fixes the grid origin and cell size.
    metric_crs : str
        CRS in metres for the grid.
    datum : str
        Datum of the returned positions.
    cells_across : int
        Cells along the longer side of the district.

    Returns
    -------
    dict
        ``{"cell_m", "lat", "lon", "n", "overdue", "half"}``: each cell's
        drawn position (the mean of its issues, 1e-5 degree integers), its
        count and overdue count; ``half`` is half a cell in degrees
        (latitude), for zooming to a cell.

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame({"overdue": [True, False, False]},
    ...     geometry=gpd.points_from_xy([114.6001, 114.6002, 114.64], [33.6001] * 3), crs=WGS84)
    >>> area = gpd.GeoSeries([shapely.box(114.6, 33.6, 114.65, 33.65)], crs=WGS84)
    >>> c = issue_cells(pts, area, "EPSG:32650", datum="WGS-84", cells_across=10)
    >>> c["n"], c["overdue"]
    ([2, 1], [1, 0])
    """

    bounds = area.to_crs(metric_crs).total_bounds
    size = cell_size_m(max(bounds[2] - bounds[0], bounds[3] - bounds[1]), cells_across)
    pts = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    empty = {"cell_m": size, "lat": [], "lon": [], "n": [], "overdue": [], "half": 0.0}
    if pts.empty:
        return empty
    xy = np.column_stack([pts.to_crs(metric_crs).geometry.x, pts.to_crs(metric_crs).geometry.y])
    ij = np.floor((xy - bounds[:2]) / size).astype(np.int64)
    _, inverse, counts = np.unique(ij, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    shown = to_datum(gpd.GeoDataFrame(geometry=pts.geometry.values, crs=WGS84), datum)
    lat = np.bincount(inverse, weights=shown.geometry.y.to_numpy()) / counts
    lon = np.bincount(inverse, weights=shown.geometry.x.to_numpy()) / counts
    over = np.bincount(inverse, weights=pts["overdue"].fillna(False).astype(bool).to_numpy())
    return {"cell_m": float(size),
            "lat": np.round(lat * _SCALE).astype(np.int64).tolist(),
            "lon": np.round(lon * _SCALE).astype(np.int64).tolist(),
            "n": counts.astype(np.int64).tolist(), "overdue": over.astype(np.int64).tolist(),
            "half": round(size / 2 / 111_320, 6)}


def issue_layer(issues: gpd.GeoDataFrame, *, kind: str, area: gpd.GeoSeries, metric_crs: str,
                datum: str, features: pd.DataFrame, districts: pd.DataFrame,
                labels: dict[str, str], lang: str) -> tuple[dict, dict, str]:
    """Data, drawing options and layer-control name of one issue layer.

    Parameters
    ----------
    issues : GeoDataFrame
        The district's open issues (``kind="open"``) or rectified ones
        (``kind="rectified"``), WGS-84.
    kind : {"open", "rectified"}
    area : GeoSeries
        The district outline (WGS-84), for the counted cells.
    metric_crs, datum : str
    features, districts : DataFrame
        For place and street/community names.
    labels : dict
        Layer key to its plain-text label.
    lang : str

    Returns
    -------
    (data, opts, name)
        ``data`` is ``{"cols": ..., "cells": ... or None}`` (plain values, made
        script-safe by the caller).
    """

    statuses = {s: status_label(s, lang) for s in issues["status"].dropna().astype(str).unique()}
    cols = issue_columns(issues, datum=datum, features=features, districts=districts,
                         labels=labels, statuses=statuses,
                         more_word=tr("mapview.more_places", lang, n="{n}"))
    many = cols.n > AGGREGATE_FROM
    markers = kind == "open" or cols.n <= RECTIFIED_MARKERS_MAX
    cells = issue_cells(issues, area, metric_crs, datum=datum) if many or not markers else None
    if kind == "open":
        name = tr("mapview.open_layer", lang, n=cols.n, overdue=cols.overdue)
    else:
        name = tr("mapview.rectified_layer", lang, n=cols.n)
    if cells is not None:
        size = int(cells["cell_m"])
        name += tr("mapview.aggregated" if markers else "mapview.cells_only", lang, size=size)
    fields = [header("category", lang), tr("mapview.place", lang), tr("mapview.area", lang),
              tr("mapview.address", lang)] + [
        header(c, lang) for c in ("description", "source", "found_at", "unit", "deadline",
                                  "status", "days_open", "record_id")]
    opts = {
        "kind": kind, "fields": fields, "markers": markers, "streetZoom": STREET_ZOOM,
        "spiderZoom": 17,
        "classes": [{"key": c, "color": ISSUE_COLORS[c], "shape": ISSUE_SHAPES[c],
                     "glyph": ISSUE_GLYPHS[c]} for c in ISSUE_CLASSES],
        "colors": {"open": ISSUE_COLORS["open"], "overdue": ISSUE_COLORS["overdue"]},
        "words": {"overdue": header("overdue", lang),
                  "recurring": tr("map.recurring_issue", lang),
                  "cell": tr(f"mapview.cell_{kind}", lang, n="{n}", overdue="{overdue}")},
    }
    data = cols.data if markers else {"n": cols.n, "overdue": [], "dicts": {}, "id": []}
    return {"cols": data, "cells": cells}, opts, name
