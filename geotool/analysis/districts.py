"""Which district a feature or record belongs to.

A point belongs to the district polygon that contains it; a line or polygon
to the district holding the largest part of it (length for lines, area for
polygons). Where districts nest (区 → 街道 → 社区), each level is assigned on
its own. Ties and overlaps are broken by the smallest district id, so the
answer never depends on file order.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geotool._errors import ConfigError
from geotool.analysis.cells import GRID_MIN_POINTS, cell_candidates
from geotool.analysis.codes import sorted_codes, text
from geotool.crs import require_metric
from geotool.text import Note

__all__ = ["assign_districts", "district_paths", "resolve_district", "resolve_districts"]


def assign_districts(geoms: gpd.GeoSeries, districts: gpd.GeoDataFrame,
                     parents: pd.Series | None = None) -> pd.Series:
    """District id for each geometry, at one level of districts.

    Parameters
    ----------
    geoms : GeoSeries
        Features or record points, in a metric CRS.
    districts : GeoDataFrame
        Polygons of one level with a ``district_id`` column, same CRS.
    parents : Series, optional
        Indexed like ``geoms``: only districts whose ``parent`` is this id are
        candidates (a street is chosen among its own district's streets).

    Returns
    -------
    Series of str
        Indexed like ``geoms``; ``<NA>`` where no district contains any part.

    Examples
    --------
    >>> from shapely.geometry import box, Point, LineString
    >>> d = gpd.GeoDataFrame({"district_id": ["A", "B"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=32650)
    >>> g = gpd.GeoSeries([Point(5, 5), LineString([(8, 5), (18, 5)]), Point(50, 50)], crs=32650)
    >>> assign_districts(g, d).tolist()
    ['A', 'B', <NA>]
    """
    require_metric(geoms, districts)
    if len(geoms) == 0 or len(districts) == 0:
        return pd.Series(pd.NA, index=geoms.index, dtype="string")
    ids = districts["district_id"].astype(str).to_numpy()
    want = have = None
    if parents is not None:
        # the same text is the same key: "" (or none) matches "" (or none)
        keys = pd.Index(pd.unique(np.concatenate([
            parents.astype("string").fillna("").to_numpy(dtype=object),
            districts["parent"].astype("string").fillna("").to_numpy(dtype=object)])))
        want = keys.get_indexer(parents.astype("string").fillna("").to_numpy(dtype=object))
        have = keys.get_indexer(districts["parent"].astype("string").fillna("")
                                .to_numpy(dtype=object))
    chosen = _assign(np.asarray(geoms.values), districts, want, have)
    return pd.Series(_ids_text(ids, chosen), index=geoms.index)


def _ids_text(ids: np.ndarray, chosen: np.ndarray) -> pd.arrays.ArrowStringArray:
    """``ids[chosen]`` as a ``string`` array, ``<NA>`` where ``chosen`` is -1 (Arrow take)."""
    taken = pa.array(ids.astype(object), type=pa.large_string()).take(
        pa.array(chosen, mask=chosen < 0))
    return text(taken, pd.StringDtype("pyarrow"))


def _assign(values: np.ndarray, districts: gpd.GeoDataFrame, want: np.ndarray | None,
            have: np.ndarray | None) -> np.ndarray:
    """Row in ``districts`` chosen for each geometry (-1: none).

    With ``want`` (a key per geometry) and ``have`` (a key per district), only
    districts whose key is the geometry's are candidates.
    """
    ids = sorted_codes(districts["district_id"].astype(str))  # ties: the smallest id
    dgeoms = np.asarray(districts.geometry.values)
    shapely.prepare(dgeoms)
    dims = shapely.get_dimensions(values)
    # single points only: a MultiPoint has several coordinates (it is measured below)
    points = (shapely.get_type_id(values) == 0) & ~shapely.is_empty(values)
    chosen = np.full(len(values), -1, dtype=np.int64)
    tree = shapely.STRtree(dgeoms)

    def allowed(pairs: np.ndarray, idx: np.ndarray) -> np.ndarray:
        if want is None or have is None:
            return np.ones(pairs.shape[1], dtype=bool)
        return want[idx[pairs[0]]] == have[pairs[1]]

    if points.any():
        idx = np.flatnonzero(points)
        xy = shapely.get_coordinates(values[idx])
        pairs, sure = _point_candidates(xy, dgeoms, tree)
        keep = allowed(pairs, idx)
        pairs, sure = pairs[:, keep], sure[keep]
        # each point tested in its candidate polygons, prepared (a plain intersects
        # query would walk every edge of the polygon per point)
        test = np.flatnonzero(~sure)
        sure[test] = shapely.intersects_xy(dgeoms[pairs[1, test]], xy[pairs[0, test], 0],
                                           xy[pairs[0, test], 1])
        pairs = pairs[:, sure]
        chosen[idx] = _pick(pairs[0], pairs[1], np.zeros(pairs.shape[1]), ids, len(idx))
    idx = np.flatnonzero(~points)
    idx = idx[~shapely.is_empty(values[idx])]
    if len(idx):
        pairs = tree.query(values[idx], predicate="intersects")
        pairs = pairs[:, allowed(pairs, idx)]
        # the part inside each candidate matters only where there are several candidates
        several = np.bincount(pairs[0], minlength=len(idx))[pairs[0]] > 1
        measure = np.zeros(pairs.shape[1])
        inter = shapely.intersection(values[idx][pairs[0][several]], dgeoms[pairs[1][several]])
        dim = dims[idx][pairs[0][several]]
        # the part inside: a line's length, an area's area, a MultiPoint's points
        measure[several] = np.select([dim == 1, dim == 0],
                                     [shapely.length(inter),
                                      shapely.get_num_coordinates(inter)],
                                     shapely.area(inter))
        chosen[idx] = _pick(pairs[0], pairs[1], -measure, ids, len(idx))
    return chosen


def _point_candidates(xy: np.ndarray, polygons: np.ndarray, tree: shapely.STRtree
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(point, polygon) pairs the point may lie in, and which surely do (no test needed).

    Many points in a few polygons: a grid of cells classified per polygon
    (:func:`~geotool.analysis.cells.cell_candidates`); fewer points: the
    polygon's bounding box, one NumPy test per polygon; many polygons: the tree.
    """
    if len(polygons) > 64:
        pairs = tree.query(shapely.points(xy))
        return pairs, np.zeros(pairs.shape[1], dtype=bool)
    if len(xy) >= GRID_MIN_POINTS and bool(np.isin(shapely.get_type_id(polygons), (3, 6)).all()):
        return cell_candidates(xy, polygons)
    parts = []
    for i, (x0, y0, x1, y1) in enumerate(shapely.bounds(polygons)):
        inside = np.flatnonzero((xy[:, 0] >= x0) & (xy[:, 0] <= x1)
                                & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
        parts.append(np.stack([inside, np.full(len(inside), i)]))
    pairs = np.concatenate(parts, axis=1) if parts else np.empty((2, 0), dtype=np.int64)
    return pairs, np.zeros(pairs.shape[1], dtype=bool)


def _pick(left: np.ndarray, right: np.ndarray, key: np.ndarray, ids: np.ndarray,
          n: int) -> np.ndarray:
    """For each left index, the right index with the smallest key (ties: smallest ``ids``)."""
    result = np.full(n, -1, dtype=np.int64)
    if len(left) == 0:
        return result
    if np.bincount(left).max() == 1:  # one candidate each: nothing to choose
        result[left] = right
        return result
    order = np.lexsort((ids[right], key, left))
    left_sorted = left[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = left_sorted[1:] != left_sorted[:-1]
    result[left_sorted[first]] = right[order][first]
    return result


def district_paths(geoms: gpd.GeoSeries, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Assign geometries to every nesting level of the districts.

    Parameters
    ----------
    geoms : GeoSeries
        In a metric CRS.
    districts : GeoDataFrame
        All districts (``district_id, parent, level``), same CRS.

    Returns
    -------
    DataFrame
        Indexed like ``geoms``: ``district`` (top level), ``district_path``
        (ids of every level joined by ``/``) and one column ``level_<n>`` per
        level. A lower level is chosen among the children of the upper level
        chosen (the largest part inside it).
    """
    require_metric(geoms, districts)
    levels = sorted(districts["level"].unique())
    values = np.asarray(geoms.values)
    out = pd.DataFrame(index=geoms.index)
    # district ids and parents as integer keys: "" (or none) is one key
    keys = pd.Index(pd.unique(np.concatenate([
        districts["district_id"].astype(str).to_numpy(dtype=object),
        districts["parent"].astype("string").fillna("").to_numpy(dtype=object), [""]])))
    blank = keys.get_loc("")
    chosen_ids, want = [], None
    for level in levels:
        d = districts[districts["level"] == level]
        ids = d["district_id"].astype(str).to_numpy(dtype=object)
        have = keys.get_indexer(d["parent"].astype("string").fillna("").to_numpy(dtype=object))
        chosen = (_assign(values, d, want, have) if len(values) and len(d)
                  else np.full(len(values), -1, dtype=np.int64))
        out[f"level_{level}"] = _ids_text(ids, chosen)
        chosen_ids.append((ids, chosen))
        want = np.where(chosen >= 0, keys.get_indexer(ids)[np.maximum(chosen, 0)], blank)
    first = f"level_{levels[0]}"
    out["district"] = out[first]
    out["district_path"] = _paths(chosen_ids)
    return out


def _paths(levels: list[tuple[np.ndarray, np.ndarray]]) -> pd.arrays.ArrowStringArray:
    """``/``-joined ids of the levels chosen (``<NA>`` when none), built once per distinct path."""
    combo = np.zeros(len(levels[0][1]), dtype=np.int64)
    size = 1
    for ids, chosen in levels:  # a dense code per distinct path so far
        combo, size = _dense(combo * (len(ids) + 1) + chosen + 1, size * (len(ids) + 1))
    where = np.zeros(size, dtype=np.int64)
    where[combo] = np.arange(len(combo))  # any row of a path stands for it
    texts: list[str | None] = []
    for at in where.tolist():  # one per distinct path (a few hundred), never per geometry
        path = ""
        for depth, (ids, chosen) in enumerate(levels):
            if chosen[at] >= 0:
                path = str(ids[chosen[at]]) if depth == 0 else f"{path}/{ids[chosen[at]]}"
        texts.append(path or None)
    taken = pa.array(texts, type=pa.large_string()).take(pa.array(combo))
    return text(taken, pd.StringDtype())


def _dense(values: np.ndarray, bound: int) -> tuple[np.ndarray, int]:
    """Dense codes (0..k-1, in value order) of ``values`` in ``range(bound)``, and k."""
    if bound > 4 * len(values) + 1024:
        distinct, inverse = np.unique(values, return_inverse=True)
        return inverse.ravel(), len(distinct)
    seen = np.zeros(bound, dtype=bool)
    seen[values] = True
    code = np.cumsum(seen) - 1
    return code[values], int(seen.sum())


def resolve_districts(districts: pd.DataFrame, wanted: list[str]) -> list[str]:
    """Top-level district ids for names or ids given by a planner (``--district``).

    Parameters
    ----------
    districts : DataFrame
        ``district_id, name, level`` (any CRS).
    wanted : list of str
        District names or ids; a name matches after surrounding spaces are dropped.

    Returns
    -------
    list of str
        The ids, in the order given, each once.

    Raises
    ------
    ConfigError
        For a name or id of no top-level district; the message lists every
        top-level district as ``name (id)``.

    Examples
    --------
    >>> d = pd.DataFrame({"district_id": ["411602", "411603"], "name": ["川东区", "河西区"],
    ...                   "level": [0, 0]})
    >>> resolve_districts(d, ["河西区", "411602", " 河西区 "])
    ['411603', '411602']
    """

    top = districts[districts["level"] == districts["level"].min()]
    ids = top["district_id"].astype(str).tolist()
    names = top["name"].astype(str).str.strip().tolist()
    by_name = dict(zip(names, ids, strict=True))
    out: list[str] = []
    for item in wanted:
        text = str(item).strip()
        found = text if text in ids else by_name.get(text)
        if found is None:
            listed = ", ".join(f"{n} ({i})" for n, i in sorted(zip(names, ids, strict=True),
                                                              key=lambda p: p[1]))
            raise ConfigError(Note("arg.unknown_district", value=text, names=listed))
        if found not in out:
            out.append(found)
    return out


_LISTED = 12  # districts named in a message before "… N more"


def resolve_district(districts: pd.DataFrame, wanted: str) -> str:
    """The id of one district of any level, given by its id or its name (``route --district``).

    Parameters
    ----------
    districts : DataFrame
        ``district_id, name, level`` (any CRS).
    wanted : str
        An id, or a name (surrounding spaces dropped) that one district bears.

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        ``arg.district_ambiguous`` for a name several districts bear (each
        listed as ``name (id)``, to be given by id); ``arg.unknown_district``
        for neither an id nor a name, listing the top-level districts (at
        most a dozen, then how many more).

    Examples
    --------
    >>> d = pd.DataFrame({"district_id": ["4116", "411602", "411603", "41160201", "41160301"],
    ...                   "name": ["周口", "川东区", "河西区", "城关镇", "城关镇"],
    ...                   "level": [0, 1, 1, 2, 2]})
    >>> resolve_district(d, "川东区"), resolve_district(d, "41160301")
    ('411602', '41160301')
    >>> try:
    ...     resolve_district(d, "城关镇")
    ... except ConfigError as exc:
    ...     print(exc.render("zh")[-41:])
    请用代码指定其中一个：城关镇 (41160201), 城关镇 (41160301)
    """
    ids = districts["district_id"].astype(str).to_numpy()
    names = districts["name"].astype(str).str.strip().to_numpy()
    text = str(wanted).strip()
    if text in set(ids):
        return text
    hits = np.flatnonzero(names == text)
    if len(hits) == 1:
        return str(ids[hits[0]])
    if len(hits) > 1:
        listed = ", ".join(f"{names[i]} ({ids[i]})" for i in hits[np.argsort(ids[hits])])
        raise ConfigError(Note("arg.district_ambiguous", value=text, names=listed))
    level = districts["level"].to_numpy()
    top = np.flatnonzero(level == level.min())
    top = top[np.argsort(ids[top], kind="stable")]
    listed = ", ".join(f"{names[i]} ({ids[i]})" for i in top[:_LISTED])
    if len(top) > _LISTED:
        raise ConfigError(Note("arg.unknown_district_more", value=text, names=listed,
                               n=len(top) - _LISTED))
    raise ConfigError(Note("arg.unknown_district", value=text, names=listed))
