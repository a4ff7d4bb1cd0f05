"""The issue layers of a district map: compact columns and pre-counted cells.

Two layers are drawn from one district's issues: the **open** issues
(overdue ones marked; on when the map opens) and the **rectified** ones
(off by default). Each layer's data is columnar: coordinates as integers in
units of 1e-5 degree (about 1 m) relative to a base point, every repeated
string (category, status, source, unit, place, street/community) as an
index into a shared dictionary, times as minutes from a base day, and every
integer column bit-packed (:mod:`geotool.output.render._packed`). On a large
district the browser draws the cells of :func:`issue_cells`, counted here
(vectorised), below street level (:data:`STREET_ZOOM`); from there on it
draws only the issues of the cells in view (the issues are stored sorted by
cell, so a cell is one index range), counted again on screen, so a county
with hundreds of thousands of issues opens and zooms quickly. A cell's
number is the count of issues in it and its ring the share of them that is
overdue.

Everything is computed with NumPy/pandas over whole columns; no Python loop
over issues.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

from geotool.crs import GCJ02, WGS84, wgs84_to_gcj02
from geotool.output.render._display import DECIMALS
from geotool.output.render._packed import dict_codes, packed_ints
from geotool.output.render.heat import cell_size_m
from geotool.output.render.style import ISSUE_CLASSES, ISSUE_COLORS, ISSUE_GLYPHS, ISSUE_SHAPES
from geotool.text import header, paren_marks, status_label, tr

__all__ = [
    "AGGREGATE_FROM",
    "RECTIFIED_MARKERS_MAX",
    "SHOWN_COLUMNS",
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
#: The issue columns a map shows (or needs to show them).
SHOWN_COLUMNS = ("record_id", "feature_ids", "layers", "category", "description", "source", "unit",
         "address", "found_at", "deadline", "status", "overdue", "recurring", "days_open",
         "level_1", "level_2")


@dataclass(frozen=True)
class IssueColumns:
    """One issue layer as columns (script-safe JSON is made by the caller).

    Attributes
    ----------
    data : dict
        ``{"n", "lat0", "lon0", "scale", "day0", "deadlineStep", "id", "dicts",
        "packed"}``; ``packed`` holds the bit-packed integer columns ``lat``,
        ``lon`` (1e-5 degree from ``lat0``/``lon0``), ``overdue``,
        ``recurring``, ``days``, ``found`` (minutes from ``day0``),
        ``deadline`` (in ``deadlineStep`` minutes; ``-1`` when missing) and
        the dictionary codes (``cat``, ``status``, ``place`` ...) into
        ``dicts``; ``id`` is the record ids, or their packed numbers with
        ``idPrefix`` and ``idWidth``.
    n : int
        Issues in the layer.
    overdue : int
        Of them overdue.
    """

    data: dict
    n: int
    overdue: int


def _coded(codes: np.ndarray, texts: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Row codes into ``texts`` (one text per distinct key) as codes into a sorted dictionary."""
    sub, words = dict_codes(texts.reset_index(drop=True))
    return sub[codes], words


def _place(issues: pd.DataFrame, features: pd.DataFrame, labels: dict[str, str],
           more_word: str, brackets: tuple[str, str]) -> tuple[np.ndarray, list[str]]:
    """Codes and dictionary of ``name（layer label）`` of each issue's first ledger feature.

    '' when an issue names none. ``more_word`` holds ``{n}``, the number of
    further features the issue names; ``brackets`` are the language's
    (:func:`geotool.text.paren_marks`). The text is built once per distinct
    (feature ids, layers) pair, never per issue.
    """
    id_codes, id_uniques = pd.factorize(issues["feature_ids"].astype("string").fillna(""))
    lay_codes, lay_uniques = pd.factorize(issues["layers"].astype("string").fillna(""))
    pair, pairs = pd.factorize(id_codes.astype(np.int64) * max(len(lay_uniques), 1) + lay_codes)
    ids = pd.Series(np.asarray(id_uniques, dtype=object)[pairs // max(len(lay_uniques), 1)],
                    dtype="string") if len(pairs) else pd.Series([], dtype="string")
    lays = pd.Series(np.asarray(lay_uniques, dtype=object)[pairs % max(len(lay_uniques), 1)],
                     dtype="string") if len(pairs) else pd.Series([], dtype="string")
    fid = ids.str.split(";").str[0].fillna("")
    lay = lays.str.split(";").str[0].fillna("")
    names = features[["layer", "feature_id", "name"]].astype("string").drop_duplicates(
        ["layer", "feature_id"])
    keys = pd.DataFrame({"layer": lay.to_numpy(), "feature_id": fid.to_numpy()})
    name = keys.merge(names, on=["layer", "feature_id"], how="left")["name"].to_numpy()
    name = pd.Series(name, dtype="string").fillna(fid)
    label = lay.map(labels).astype("string").fillna(lay)
    text = name + brackets[0] + label + brackets[1]
    more = ids.str.count(";")
    head, _, tail = more_word.partition("{n}")
    text = text.where(more == 0, text + head + more.astype("string") + tail)
    return _coded(pair, text.where(fid != "", ""))


def _area_names(issues: pd.DataFrame, districts: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Codes and dictionary of each issue's street / community names (level_1, level_2)."""
    names = pd.Series(districts["name"].astype("string").to_numpy(),
                      index=districts["district_id"].astype(str).to_numpy())
    cols = [c for c in ("level_1", "level_2") if c in issues.columns]
    if not cols:
        return np.zeros(len(issues), dtype=np.int64), [""]
    pair, keys = pd.factorize(pd.MultiIndex.from_frame(issues[cols].astype("string")))
    parts = [pd.Series(keys.get_level_values(k), dtype="string").map(names).fillna("")
             for k in range(len(cols))]
    out = parts[0]
    for part in parts[1:]:
        out = out.str.cat(part, sep=" / ").str.strip(" /")
    return _coded(pair, out)


def _ids(values: pd.Series) -> dict:
    """Record ids; ``PREFIX`` + zero-padded numbers stored as the (packed) numbers.

    Examples
    --------
    >>> _ids(pd.Series(["R-007", "R-120"]))
    {'id': {'b': 7, 'o': 7, 'd': 'gDg='}, 'idPrefix': 'R-', 'idWidth': 3}
    >>> _ids(pd.Series(["a", "R-1"]))
    {'id': ['a', 'R-1']}
    """
    texts = pa.array(values.astype("string").fillna(""), type=pa.large_string())
    if not len(texts):
        return {"id": []}
    parts = pc.extract_regex(texts, r"^(?P<p>\D*)(?P<d>\d{1,15})$")
    if parts.null_count:
        return {"id": texts.to_pylist()}
    prefix, digits = parts.field("p"), parts.field("d")
    width = pc.utf8_length(digits)
    if pc.count_distinct(prefix).as_py() != 1 or pc.count_distinct(width).as_py() != 1:
        return {"id": texts.to_pylist()}
    numbers = pc.cast(digits, pa.int64()).to_numpy()
    return {"id": packed_ints(numbers), "idPrefix": prefix[0].as_py(),
            "idWidth": int(width[0].as_py())}


def _minutes(values: pd.Series, day0: pd.Timestamp) -> np.ndarray:
    ts = pd.to_datetime(values, errors="coerce")
    mins = ((ts - day0) // pd.Timedelta(minutes=1)).astype("Float64").fillna(-1)
    return mins.astype(np.int64).to_numpy()


def issue_columns(issues: gpd.GeoDataFrame, lat: np.ndarray, lon: np.ndarray, *,
                  features: pd.DataFrame, districts: pd.DataFrame, labels: dict[str, str],
                  statuses: dict[str, str], more_word: str,
                  brackets: tuple[str, str] = ("（", "）")) -> IssueColumns:
    """Columns of one issue layer, in the given row order.

    Parameters
    ----------
    issues : GeoDataFrame
        The issues (rows with a point), in the order they are stored.
    lat, lon : ndarray
        Their drawn positions (in the tiles' datum), degrees.
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
    brackets : tuple of str
        Around each place's layer label: ``name（label）``, ``name (label)`` in English.

    Returns
    -------
    IssueColumns
        Every integer column bit-packed (:mod:`geotool.output.render._packed`).
    """
    n = len(issues)
    ilat = np.round(np.asarray(lat, dtype=float) * _SCALE).astype(np.int64)
    ilon = np.round(np.asarray(lon, dtype=float) * _SCALE).astype(np.int64)
    lat0 = int(ilat.min()) if n else 0
    lon0 = int(ilon.min()) if n else 0
    times = pd.concat([pd.to_datetime(issues["found_at"], errors="coerce"),
                       pd.to_datetime(issues["deadline"], errors="coerce")])
    day0 = times.min().normalize() if times.notna().any() else pd.Timestamp("2000-01-01")
    overdue = issues["overdue"].fillna(False).astype(bool).to_numpy()
    deadline = _minutes(issues["deadline"], day0)
    step = 1
    if deadline.size and not (deadline[deadline >= 0] % 1440).any():  # whole days: store days
        deadline, step = np.where(deadline >= 0, deadline // 1440, -1), 1440
    ints = {"lat": ilat - lat0, "lon": ilon - lon0, "overdue": overdue.astype(np.int64),
            "recurring": issues["recurring"].fillna(False).astype(bool).to_numpy()
            .astype(np.int64),
            "days": issues["days_open"].astype("Float64").fillna(-1).astype(np.int64)
            .to_numpy(),
            "found": _minutes(issues["found_at"], day0), "deadline": deadline}
    data: dict = {"n": n, "lat0": lat0, "lon0": lon0, "scale": _SCALE,
                  "day0": day0.strftime("%Y-%m-%d"), "deadlineStep": step,
                  **_ids(issues["record_id"]), "dicts": {}}
    status = issues["status"].astype("string")
    codes, words = dict_codes(status)
    coded = {"status": _coded(codes, pd.Series([statuses.get(w, w) for w in words],
                                               dtype="string")),
             "place": _place(issues, features, labels, more_word, brackets),
             "area": _area_names(issues, districts)}
    for key, col in (("cat", "category"), ("desc", "description"), ("src", "source"),
                     ("unit", "unit"), ("addr", "address")):
        if col in issues.columns:
            coded[key] = dict_codes(issues[col])
    for key, (codes, words) in coded.items():
        ints[key] = codes
        data["dicts"][key] = words
    data["packed"] = {key: packed_ints(values) for key, values in ints.items()}
    return IssueColumns(data=data, n=n, overdue=int(overdue.sum()))


def _cells(x: np.ndarray, y: np.ndarray, area: gpd.GeoSeries, metric_crs: str,
           cells_across: int) -> tuple[float, np.ndarray]:
    """Cell size and each point's cell number (cells numbered in (column, row) order)."""
    bounds = area.to_crs(metric_crs).total_bounds
    size = cell_size_m(max(bounds[2] - bounds[0], bounds[3] - bounds[1]), cells_across)
    mx, my = Transformer.from_crs(WGS84, metric_crs, always_xy=True).transform(x, y)
    if not len(mx):
        return float(size), np.zeros(0, dtype=np.int64)
    i = np.floor((np.asarray(mx) - bounds[0]) / size).astype(np.int64)
    j = np.floor((np.asarray(my) - bounds[1]) / size).astype(np.int64)
    i, j = i - i.min(), j - j.min()
    _, inverse = np.unique(i * (int(j.max()) + 1) + j, return_inverse=True)  # (column, row) order
    return float(size), inverse.ravel()


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
        ``{"cell_m", "lat", "lon", "n", "overdue", "half", "start"}``: each
        cell's drawn position (the mean of its issues, 1e-5 degree integers),
        its count and overdue count; ``half`` is half a cell in degrees
        (latitude), for zooming to a cell; ``start`` the index of its first
        issue once the issues are sorted by cell (:func:`issue_layer` stores
        them so).

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame({"overdue": [True, False, False]},
    ...     geometry=gpd.points_from_xy([114.6001, 114.6002, 114.64], [33.6001] * 3), crs=WGS84)
    >>> area = gpd.GeoSeries([shapely.box(114.6, 33.6, 114.65, 33.65)], crs=WGS84)
    >>> c = issue_cells(pts, area, "EPSG:32650", datum="WGS-84", cells_across=10)
    >>> c["n"], c["overdue"], c["start"]
    ([2, 1], [1, 0], [0, 2])
    """
    pts = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    x, y = shapely.get_x(pts.geometry.values), shapely.get_y(pts.geometry.values)
    size, cell = _cells(x, y, area, metric_crs, cells_across)
    return _cell_table(cell, *_shown(x, y, datum), pts["overdue"].fillna(False).astype(bool)
                       .to_numpy(), size)


def _cell_table(cell: np.ndarray, lon: np.ndarray, lat: np.ndarray, overdue: np.ndarray,
                size: float) -> dict:
    if not len(cell):
        return {"cell_m": size, "lat": [], "lon": [], "n": [], "overdue": [], "half": 0.0,
                "start": []}
    counts = np.bincount(cell)
    mean_lat = np.bincount(cell, weights=lat) / counts
    mean_lon = np.bincount(cell, weights=lon) / counts
    over = np.bincount(cell, weights=overdue.astype(np.int64))
    return {"cell_m": float(size),
            "lat": np.round(mean_lat * _SCALE).astype(np.int64).tolist(),
            "lon": np.round(mean_lon * _SCALE).astype(np.int64).tolist(),
            "n": counts.astype(np.int64).tolist(), "overdue": over.astype(np.int64).tolist(),
            "half": round(size / 2 / 111_320, 6),
            "start": (np.cumsum(counts) - counts).astype(np.int64).tolist()}


def _shown(x: np.ndarray, y: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 longitudes and latitudes in the drawn datum."""
    if datum == GCJ02 and len(x):
        return wgs84_to_gcj02(x, y)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


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

    issues = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    statuses = {s: status_label(s, lang) for s in issues["status"].dropna().astype(str).unique()}
    n = len(issues)
    many = n > AGGREGATE_FROM
    markers = kind == "open" or n <= RECTIFIED_MARKERS_MAX
    x, y = shapely.get_x(issues.geometry.values), shapely.get_y(issues.geometry.values)
    lon, lat = _shown(x, y, datum)
    overdue = issues["overdue"].fillna(False).astype(bool).to_numpy()
    cells = None
    if many or not markers:  # sorted by cell (then south to north): a cell is one index range
        size, cell = _cells(x, y, area, metric_crs, CELLS_ACROSS)
        cells = _cell_table(cell, lon, lat, overdue, size)
        order = np.lexsort((lat, cell))
    else:  # south to north
        order = np.argsort(lat, kind="stable")
    if not markers:  # cells only: no single issue goes into the page
        cols = IssueColumns(data={"n": n, "dicts": {}, "id": [], "packed": {}}, n=n,
                            overdue=int(overdue.sum()))
    else:
        used = [c for c in SHOWN_COLUMNS if c in issues.columns]  # the others are not copied
        cols = issue_columns(issues[used].iloc[order], lat[order], lon[order], features=features,
                             districts=districts, labels=labels, statuses=statuses,
                             more_word=tr("mapview.more_places", lang, n="{n}"),
                             brackets=paren_marks(lang))
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
    return {"cols": cols.data, "cells": cells}, opts, name
