"""Each responsible unit's lists (责任清单), and place names for the city view.

From a :class:`~geotool.analysis.gaps.GapResult`, :func:`unit_worklists`
builds, for every responsible unit (责任单位), what it has to act on:

* **places**: its ledger places nobody inspected in the window (遗忘场所),
  never-inspected first, then the longest since the last inspection;
* **issues**: its open issues, most urgent first: most days overdue, then
  recurring, then the longest open, ties by issue id;
* **recurring**: its places where a problem came back (反弹), most
  recurrences first;
* **summary**: one row per unit with its counts and its rank among the
  units (1 = worst: overdue issues, then open issues, then forgotten
  places, then recurring places, ties by unit name).

Records and places without a unit carry :data:`~geotool.analysis.scoring.NO_UNIT`
(a neutral marker, never a word): the campaign office's own list.

Every function is vectorised; none reads the clock (days count to ``as_of``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geotool.analysis.codes import arrow, dense_codes, text
from geotool.analysis.districts import district_paths
from geotool.analysis.scoring import NO_UNIT
from geotool.crs import WGS84, wgs84_to_gcj02

__all__ = [
    "PLACE_COLUMNS",
    "WORK_ISSUE_COLUMNS",
    "Worklists",
    "blindspot_table",
    "days_overdue",
    "feature_names",
    "level_names",
    "unit_worklists",
]

PLACE_COLUMNS = ["unit", "layer", "feature_id", "name", "leader", "district_name",
                 "street_name", "community_name", "last_touched", "days_since", "open_issues",
                 "recurring"]
WORK_ISSUE_COLUMNS = ["unit", "record_id", "category", "description", "place", "feature_ids",
                      "address", "district_name", "street_name", "community_name", "found_at",
                      "deadline", "days_overdue", "status", "source", "recurring", "days_open",
                      "lon", "lat"]
RECURRING_COLUMNS = ["unit", "layer", "feature_id", "name", "leader", "district_name",
                     "street_name", "community_name", "recurrences", "last_recurrence",
                     "open_issues"]
SUMMARY_COLUMNS = ["rank", "unit", "forgotten_places", "open_issues", "overdue_issues",
                   "max_days_overdue", "recurring_places"]
_NAME_LEVELS = ("district_name", "street_name", "community_name")


@dataclass
class Worklists:
    """The units' lists, each a frame with a ``unit`` column, sorted within each unit.

    Attributes
    ----------
    summary : DataFrame
        :data:`SUMMARY_COLUMNS`, worst unit first; only units with something to do.
    places, issues, recurring : DataFrame
        :data:`PLACE_COLUMNS`, :data:`WORK_ISSUE_COLUMNS`, ``RECURRING_COLUMNS``,
        ordered by the summary's rank, then most urgent first.
    as_of : date
        The analysis date the days count to.
    """

    summary: pd.DataFrame
    places: pd.DataFrame
    issues: pd.DataFrame
    recurring: pd.DataFrame
    as_of: dt.date

    def of(self, unit: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """``(places, issues, recurring)`` of one unit."""
        return tuple(f[f["unit"].to_numpy() == unit]
                     for f in (self.places, self.issues, self.recurring))


def level_names(frame: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Names of the district, street and community of each row, and the whole path.

    Parameters
    ----------
    frame : DataFrame
        With ``level_<n>`` columns of district ids (as :func:`district_paths` gives).
    districts : DataFrame
        ``district_id, name, level``.

    Returns
    -------
    DataFrame
        Indexed like ``frame``: ``district_name``, ``street_name``,
        ``community_name`` (the first three levels; ``<NA>`` when absent) and
        ``district_path_names`` (every level's name joined by ``/``).

    Examples
    --------
    >>> d = pd.DataFrame({"district_id": ["A", "A1"], "name": ["甲区", "一街道"], "level": [0, 1]})
    >>> f = pd.DataFrame({"level_0": ["A", None], "level_1": ["A1", None]})
    >>> level_names(f, d)["district_path_names"].tolist()
    ['甲区/一街道', <NA>]
    """
    levels = [f"level_{level}" for level in sorted(districts["level"].unique())]
    present = [key for key in levels if key in frame]
    if not len(frame) or not present:
        return _level_names(frame, districts)
    # a few hundred distinct paths among many rows: name each once, then take
    combo = np.zeros(len(frame), dtype=np.int64)
    for key in present:
        codes, n = dense_codes(frame[key].astype("string"))
        combo = np.unique(combo * (n + 1) + codes + 1, return_inverse=True)[1].ravel()
    _, where, inverse = np.unique(combo, return_index=True, return_inverse=True)
    named = _level_names(frame[present].iloc[where].reset_index(drop=True), districts)
    out = named.take(inverse.ravel())
    out.index = frame.index
    return out


def _level_names(frame: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """:func:`level_names` row by row (vectorised; run on the distinct rows)."""
    names = pd.Series(districts["name"].astype("string").to_numpy(),
                      index=districts["district_id"].astype(str).to_numpy())
    names = names[~names.index.duplicated()]
    levels = sorted(districts["level"].unique())
    out = pd.DataFrame(index=frame.index)
    path = pd.Series("", index=frame.index, dtype="string")
    for i, level in enumerate(levels):
        key = f"level_{level}"
        ids = frame[key] if key in frame else pd.Series(pd.NA, index=frame.index)
        named = pd.Series(names.reindex(ids.astype("string").to_numpy()).to_numpy(),
                          index=frame.index, dtype="string")
        if i < len(_NAME_LEVELS):
            out[_NAME_LEVELS[i]] = named
        path = path.where(named.isna(), (path + "/").where(path != "", "") + named.fillna(""))
    for col in _NAME_LEVELS:
        if col not in out:
            out[col] = pd.Series(pd.NA, index=frame.index, dtype="string")
    out["district_path_names"] = path.replace("", pd.NA)
    return out


def feature_names(ids: pd.Series, features: pd.DataFrame) -> pd.Series:
    """``;``-joined names of the features whose ids are listed (``;``-joined) in ``ids``.

    Examples
    --------
    >>> f = pd.DataFrame({"feature_id": ["P1", "P2"], "name": ["一小学", "二医院"]})
    >>> feature_names(pd.Series(["P2;P1", "", None]), f).tolist()
    ['二医院;一小学', '', '']
    """
    if not len(ids):
        return pd.Series("", index=ids.index, dtype=object)
    codes, distinct = pd.factorize(ids.fillna("").astype(str))  # a few hundred id lists
    names = _feature_names(pd.Series(distinct), features).to_numpy()
    return pd.Series(names[codes], index=ids.index, dtype=object)


def _feature_names(ids: pd.Series, features: pd.DataFrame) -> pd.Series:
    out = pd.Series("", index=ids.index, dtype=object)
    lookup = features[["feature_id", "name"]].astype({"feature_id": str})
    lookup = lookup.drop_duplicates("feature_id")
    split = ids.fillna("").astype(str).str.split(";").explode()
    split = split[split != ""]
    if split.empty:
        return out
    named = pd.Series(lookup.set_index("feature_id")["name"].reindex(split.to_numpy()).to_numpy(),
                      index=split.index).fillna(pd.Series(split.to_numpy(), index=split.index))
    joined = named.astype(str).groupby(level=0, sort=False).agg(";".join)
    out.loc[joined.index] = joined.to_numpy()
    return out


def days_overdue(issues: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Whole days past the deadline as of ``as_of`` (0 when not overdue).

    An issue is overdue on the day after its deadline, which is then 1 day overdue.

    Examples
    --------
    >>> i = pd.DataFrame({"deadline": pd.to_datetime(["2026-09-10", "2026-09-20", None]),
    ...                   "overdue": [True, False, False]})
    >>> days_overdue(i, dt.date(2026, 9, 14)).tolist()
    [4, 0, 0]
    """
    day = pd.Timestamp(as_of)
    late = (day - pd.to_datetime(issues["deadline"]).dt.normalize()).dt.days
    late = late.where(issues["overdue"].to_numpy(dtype=bool), 0)
    return late.fillna(0).clip(lower=0).astype(np.int64)


def _sort_order(columns: list[pd.Series], ascending: list[bool]) -> np.ndarray:
    """Positions sorting by ``columns`` (stable; missing values first), like ``sort_values``.

    Each column becomes dense integer ranks (Arrow), so text is compared once, not per pair.
    """
    ranks = []
    for values, up in zip(columns, ascending, strict=True):
        a = arrow(values)
        if pa.types.is_null(a.type):  # nothing but missing values: all equal
            ranks.append(np.zeros(len(a), dtype=np.int64))
            continue
        if pa.types.is_boolean(a.type):
            a = a.cast(pa.int8())
        r = pc.rank(a, sort_keys="ascending" if up else "descending", tiebreaker="dense")
        ranks.append(np.where(a.is_null().to_numpy(zero_copy_only=False), 0, r.to_numpy()))
    return np.lexsort(ranks[::-1])


def _units(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pd.Series(text(arrow(values).fill_null(NO_UNIT)), index=values.index)
    return values.astype(object).where(values.notna(), NO_UNIT).astype(str)


def _days_since(when: pd.Series, as_of: dt.date) -> pd.Series:
    return (pd.Timestamp(as_of) - pd.to_datetime(when).dt.normalize()).dt.days.astype("Int64")


def unit_worklists(result) -> Worklists:
    """Every unit's lists from a gap result.

    Parameters
    ----------
    result : GapResult
        From :func:`geotool.analysis.gaps.find_gaps`.

    Returns
    -------
    Worklists
    """
    as_of = result.as_of
    districts = pd.DataFrame(result.districts.drop(columns="geometry"))
    feats = pd.DataFrame(result.features.drop(columns="geometry"))
    feats["unit"] = _units(feats["unit"])
    if "leader" not in feats:  # a result of an older engine or a hand-made one
        feats["leader"] = pd.Series(pd.NA, index=feats.index, dtype="string")
    fnames = level_names(feats, districts)

    forgotten = feats[~feats["covered"].to_numpy(dtype=bool)]
    places = forgotten[["unit", "layer", "feature_id", "name", "leader"]].join(
        fnames[list(_NAME_LEVELS)])
    places["last_touched"] = forgotten["last_touched"]
    places["days_since"] = _days_since(forgotten["last_touched"], as_of)
    places["open_issues"] = forgotten["open_issues"]
    places["recurring"] = forgotten["recurring"]

    # the open issues: sorted on a few key columns, then every shown column taken once
    iss = result.issues
    open_rows = np.flatnonzero(iss["open"].to_numpy(dtype=bool))
    head = pd.DataFrame(iss[["unit", "record_id", "deadline", "overdue", "recurring",
                             "days_open"]]).iloc[open_rows]
    head["unit"] = _units(head["unit"])
    head["days_overdue"] = days_overdue(head, as_of)

    recurring = _recurring_places(result, feats, fnames)
    summary = _summary(places, head, recurring)
    rank = summary["rank"].to_numpy(dtype=float)
    listed = arrow(summary["unit"])

    def order_of(frame: pd.DataFrame, keys: list[str], ascending: list[bool]) -> np.ndarray:
        at = pc.index_in(arrow(frame["unit"]).cast(listed.type), value_set=listed)
        found = at.is_valid().to_numpy(zero_copy_only=False)
        unit_rank = np.where(found, rank[at.fill_null(0).to_numpy()], np.nan)
        return _sort_order([pd.Series(unit_rank), *(frame[k] for k in keys)], [True, *ascending])

    def ordered(frame: pd.DataFrame, keys: list[str], ascending: list[bool]) -> pd.DataFrame:
        return frame.take(order_of(frame, keys, ascending)).reset_index(drop=True)

    places = ordered(places, ["days_since", "open_issues", "layer", "feature_id"],
                     [False, False, True, True])
    rows = open_rows[order_of(head, ["days_overdue", "recurring", "days_open", "record_id"],
                              [False, False, False, True])]
    issues = _issue_list(iss, rows, feats, districts, as_of)
    recurring = ordered(recurring, ["recurrences", "last_recurrence", "layer", "feature_id"],
                        [False, False, True, True])
    # the leader column only where a ledger names leaders (路长制); else no empty column
    leads = feats["leader"].notna().any()
    place_cols, recurring_cols = ([c for c in cols if leads or c != "leader"]
                                  for cols in (PLACE_COLUMNS, RECURRING_COLUMNS))
    return Worklists(summary=summary, places=places[place_cols],
                     issues=issues[WORK_ISSUE_COLUMNS], recurring=recurring[recurring_cols],
                     as_of=as_of)


def _issue_list(issues: pd.DataFrame, rows: np.ndarray, feats: pd.DataFrame,
                districts: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The :data:`WORK_ISSUE_COLUMNS` of the issues at positions ``rows``, in that order."""
    shown = [c for c in issues.columns if c.startswith("level_") or c in (
        "unit", "record_id", "category", "description", "feature_ids", "address", "found_at",
        "deadline", "overdue", "status", "source", "recurring", "days_open", "lon", "lat")]
    iss = pd.DataFrame(issues[shown]).take(rows).reset_index(drop=True)
    out = pd.DataFrame({"unit": _units(iss["unit"]), "record_id": iss["record_id"],
                        "category": iss["category"], "description": iss["description"],
                        "place": feature_names(iss["feature_ids"], feats),
                        "feature_ids": iss["feature_ids"], "address": iss.get("address")},
                       index=iss.index)
    out = out.join(level_names(iss, districts)[list(_NAME_LEVELS)])
    for col in ("found_at", "deadline"):
        out[col] = iss[col]
    out["days_overdue"] = days_overdue(iss, as_of)
    for col in ("status", "source", "recurring", "days_open", "lon", "lat"):
        out[col] = iss[col]
    return out


def _recurring_places(result, feats: pd.DataFrame, fnames: pd.DataFrame) -> pd.DataFrame:
    rec = result.recurrences
    flagged = feats[feats["recurring"].to_numpy(dtype=bool)]
    out = flagged[["unit", "layer", "feature_id", "name", "leader"]].join(
        fnames[list(_NAME_LEVELS)])
    key = pd.MultiIndex.from_arrays([flagged["layer"].astype(str),
                                     flagged["feature_id"].astype(str)])
    if len(rec):
        per = rec.assign(layer=rec["layer"].astype(str), feature_id=rec["feature_id"].astype(str)
                         ).groupby(["layer", "feature_id"])
        out["recurrences"] = per.size().reindex(key).fillna(0).astype(np.int64).to_numpy()
        out["last_recurrence"] = per["found_at"].max().reindex(key).to_numpy()
    else:
        out["recurrences"] = np.zeros(len(out), dtype=np.int64)
        out["last_recurrence"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    out["open_issues"] = flagged["open_issues"]
    return out


def _summary(places: pd.DataFrame, issues: pd.DataFrame, recurring: pd.DataFrame
             ) -> pd.DataFrame:
    by_issue = issues.groupby("unit")
    t = pd.DataFrame({"forgotten_places": places.groupby("unit").size()})
    t = t.join(pd.DataFrame({"open_issues": by_issue.size(),
                             "overdue_issues": (issues["days_overdue"] > 0).groupby(
                                 issues["unit"]).sum(),
                             "max_days_overdue": by_issue["days_overdue"].max()}), how="outer")
    t = t.join(pd.DataFrame({"recurring_places": recurring.groupby("unit").size()}), how="outer")
    t = t.fillna(0).astype(np.int64)
    t.index.name = "unit"
    t = t.reset_index().sort_values(
        ["overdue_issues", "open_issues", "forgotten_places", "recurring_places", "unit"],
        ascending=[False, False, False, False, True], kind="stable").reset_index(drop=True)
    t["rank"] = np.arange(1, len(t) + 1)
    return t[SUMMARY_COLUMNS]


def blindspot_table(result) -> pd.DataFrame:
    """The blind spots with where they are: names, a centre point and the places inside.

    Each part is placed in the district, street and community holding most of
    its area; its centre is a point inside it (``point_on_surface``), given in
    WGS-84 and in GCJ-02 (what phone map apps use), 6 decimals.

    Returns
    -------
    DataFrame
        ``district_id, district_name, street_name, community_name, part,
        area_m2, centre_lon, centre_lat, centre_lon_gcj02, centre_lat_gcj02,
        features_inside, uncovered_inside, feature_ids_inside,
        feature_names_inside``.
    """
    blind = result.blindspots
    cols = ["district_id", "district_name", "street_name", "community_name", "part", "area_m2",
            "centre_lon", "centre_lat", "centre_lon_gcj02", "centre_lat_gcj02",
            "features_inside", "uncovered_inside", "feature_ids_inside", "feature_names_inside"]
    if blind.empty:
        return pd.DataFrame(columns=cols)
    crs = result.metric_crs or None
    metric = blind.to_crs(crs) if crs else blind.to_crs(blind.estimate_utm_crs())
    dm = result.districts[["district_id", "name", "parent", "level", "geometry"]].to_crs(
        metric.crs)
    levels = district_paths(metric.geometry, dm)
    names = level_names(levels, pd.DataFrame(dm.drop(columns="geometry")))
    centre = gpd.GeoSeries(shapely.point_on_surface(metric.geometry.values),
                           crs=metric.crs).to_crs(WGS84)
    lon, lat = centre.x.to_numpy(), centre.y.to_numpy()
    glon, glat = wgs84_to_gcj02(lon, lat)
    out = pd.DataFrame({"district_id": blind["district_id"].to_numpy()}, index=blind.index)
    out = out.join(names[list(_NAME_LEVELS)])
    out["part"] = blind["part"]
    out["area_m2"] = blind["area_m2"].round(1)
    out["centre_lon"], out["centre_lat"] = np.round(lon, 6), np.round(lat, 6)
    out["centre_lon_gcj02"], out["centre_lat_gcj02"] = np.round(glon, 6), np.round(glat, 6)
    for col in ("features_inside", "uncovered_inside", "feature_ids_inside"):
        out[col] = blind[col]
    feats = pd.DataFrame(result.features[["feature_id", "name"]])
    out["feature_names_inside"] = feature_names(blind["feature_ids_inside"], feats)
    return out[cols].reset_index(drop=True)
