"""The data of one district map: frames selected from a GapResult, as compact JSON.

:func:`select_district` cuts the district, its nested areas, features,
issues and blind spots out of a :class:`~geotool.analysis.gaps.GapResult`. The
``*_payload`` functions turn them into ``(data_json, opts)`` pairs for the
layer functions of ``map.js``: GeoJSON with short property names for
shapes, one array of rows (with lookup tables for repeated words) for
issues. All strings are plain text; ``map.js`` shows them with
``textContent``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import SupportsFloat, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool.output.render import _format as fmt
from geotool.output.render._display import display_geoms, feature_collection, script_json
from geotool.output.render._places import containing_names, id_names, path_names
from geotool.output.render.style import (
    FEATURE_STATES,
    ISSUE_CLASSES,
    ISSUE_COLORS,
    ISSUE_GLYPHS,
    ISSUE_SHAPES,
    feature_states,
    issue_classes,
)
from geotool.text import header, status_label, tr

__all__ = [
    "DistrictData",
    "areas_payload",
    "blind_payload",
    "features_payload",
    "issues_payload",
    "outline_payload",
    "select_district",
]

_MAX_IDS_SHOWN = 40


@dataclass
class DistrictData:
    """Everything drawn on one district's map (WGS-84 frames)."""

    row: pd.Series
    outline: gpd.GeoDataFrame
    features: gpd.GeoDataFrame
    issues: gpd.GeoDataFrame
    blindspots: gpd.GeoDataFrame
    nested: dict[int, gpd.GeoDataFrame] = field(default_factory=dict)
    level_counts: dict[int, int] = field(default_factory=dict)


def _descendants(districts: pd.DataFrame, root: str) -> dict[str, int]:
    """``{district_id: depth}`` of every area nested under ``root`` (root excluded)."""
    children: dict[str, list[str]] = {}
    for did, parent in zip(districts["district_id"].astype(str), districts["parent"], strict=True):
        if parent is not None and not pd.isna(parent):
            children.setdefault(str(parent), []).append(did)
    out: dict[str, int] = {}
    frontier = [(root, 0)]
    while frontier:
        node, depth = frontier.pop()
        for child in children.get(node, []):
            if child not in out and child != root:
                out[child] = depth + 1
                frontier.append((child, depth + 1))
    return out


#: Row positions of each district in a frame, per column: found once per frame, not per map.
_ROWS: dict[int, tuple[weakref.ref[pd.DataFrame], int, dict[str, dict]]] = {}


def _in_district(frame: gpd.GeoDataFrame, level: int, district_id: str) -> gpd.GeoDataFrame:
    col = f"level_{level}"
    if col not in frame.columns:
        col = "district"
    n_rows = int(frame.shape[0])
    known = _ROWS.get(id(frame))
    if known is None or known[0]() is not frame or known[1] != n_rows:
        for key in [k for k, v in _ROWS.items() if v[0]() is None]:
            del _ROWS[key]
        known = _ROWS[id(frame)] = (weakref.ref(frame), n_rows, {})
    groups = known[2]
    if col not in groups:
        keys = frame[col].astype("string").fillna("").to_numpy()
        groups[col] = (pd.Series(np.arange(n_rows)).groupby(keys, sort=False).indices
                       if n_rows else {})
    return frame.iloc[groups[col].get(district_id, np.zeros(0, dtype=np.int64))]


def select_district(result, district_id: str) -> DistrictData:
    """Cut one top-level district's data out of a GapResult.

    Parameters
    ----------
    result : GapResult
    district_id : str
        A district id (top level).

    Returns
    -------
    DistrictData
    """
    d = result.districts
    ids = d["district_id"].astype(str)
    row = d[ids == district_id].iloc[0]
    level = int(row["level"])
    depths = _descendants(d, district_id)
    sub = d[ids.isin(depths)].copy()
    sub["_depth"] = ids[ids.isin(depths)].map(depths)
    nested = {int(k): g.drop(columns="_depth") for k, g in sub.groupby("_depth", sort=True)}
    counts = d.groupby("level").size()
    level_counts = {int(k): int(v) for k, v in counts.items()}
    blind = result.blindspots
    return DistrictData(
        row=row,
        outline=d[ids == district_id],
        nested=nested,
        features=_in_district(result.features, level, district_id),
        issues=_in_district(result.issues, level, district_id),
        blindspots=blind[blind["district_id"].astype(str) == district_id],
        level_counts=level_counts,
    )


def outline_payload(outline: gpd.GeoDataFrame, metric_crs: str | None, datum: str) -> str:
    """The district boundary as GeoJSON."""
    lines = gpd.GeoDataFrame(geometry=outline.boundary.values, crs=outline.crs)
    geoms = display_geoms(lines, metric_crs, datum=datum)
    return feature_collection(geoms, [{} for _ in range(len(geoms))])


def areas_payload(areas: gpd.GeoDataFrame, level_counts: dict[int, int], metric_crs: str | None,
                  datum: str, lang: str) -> tuple[str, list[str]]:
    """Nested areas (streets, communities) with their figures; returns (data, fields)."""
    fields = [header(c, lang) for c in ("district_id", "coverage_rate", "features", "uncovered",
                                        "open_issues", "overdue_issues", "blindspot_share",
                                        "score", "rank")]
    props = []
    for _, r in areas.iterrows():
        n_level = level_counts.get(int(r["level"]), 0)
        props.append({"n": fmt.text(r["name"]) or fmt.text(r["district_id"]), "v": [
            fmt.text(r["district_id"]), fmt.pct(r["coverage_rate"], lang),
            fmt.count(r["features"], lang), fmt.count(r.get("uncovered"), lang),
            fmt.count(r["open_issues"], lang), fmt.count(r["overdue_issues"], lang),
            fmt.pct(r["blindspot_share"], lang), _score(r["score"]),
            tr("map.rank_value", lang, rank=int(r["rank"]), n=n_level)]})
    geoms = display_geoms(areas, metric_crs, datum=datum)
    return feature_collection(geoms, props), fields


def _score(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(cast(SupportsFloat, value)):.1f}"


def features_payload(features: gpd.GeoDataFrame, layer_label: str, metric_crs: str | None,
                     datum: str,
                     lang: str, districts: pd.DataFrame | None = None) -> tuple[str, dict]:
    """One ledger layer: GeoJSON with state index and popup values; returns (data, opts).

    With ``districts``, the district path is shown as names (``川东区 / 荷花路街道``).
    """
    cols = ["feature_id", "layer", "state", "unit", "covered", "last_touched",
            "records_in_window", "open_issues", "overdue_issues", "recurring", "district_path",
            "type"]
    leads = "leader" in features and bool(features["leader"].notna().any())
    if leads:  # a ledger naming its leaders (路长制): who to call, beside the unit
        cols.insert(4, "leader")
    words = {"state": tr("map.state", lang), "layer": tr("mapview.layer", lang),
             "district_path": tr("mapview.district_path", lang)}
    fields = [words.get(c) or header(c, lang) for c in cols]
    paths = (path_names(features["district_path"], districts) if districts is not None
             else features["district_path"].astype("string").fillna(""))
    states = feature_states(features)
    state_words = [tr(f"map.state_{s.key}", lang) for s in FEATURE_STATES]
    props = []
    for s, path, (_, r) in zip(states, paths, features.iterrows(), strict=True):
        values = [
            fmt.text(r["feature_id"]), layer_label, state_words[s], fmt.text(r["unit"]),
            fmt.yes_no(r["covered"], lang), fmt.date(r["last_touched"]) or tr("map.never", lang),
            fmt.count(r["records_in_window"], lang), fmt.count(r["open_issues"], lang),
            fmt.count(r["overdue_issues"], lang), fmt.yes_no(r["recurring"], lang),
            fmt.text(path), fmt.text(r.get("type"))]
        if leads:
            values.insert(4, fmt.text(r["leader"]))
        props.append({"n": fmt.text(r["name"]) or fmt.text(r["feature_id"]), "s": int(s),
                      "v": values})
    geoms = display_geoms(features, metric_crs, datum=datum)
    styles = [{"key": s.key, "color": s.color, "dash": s.dash, "weight": s.weight,
               "shape": s.shape, "hollow": s.hollow} for s in FEATURE_STATES]
    return feature_collection(geoms, props), {"fields": fields, "styles": styles}


def blind_payload(blind: gpd.GeoDataFrame, metric_crs: str | None, datum: str, lang: str,
                  color: str, *, nested: dict | None = None,
                  features: pd.DataFrame | None = None) -> tuple[str, dict]:
    """Blind spots: area in one unit, the streets/communities and places they hold.

    Returns ``(data, opts)``. ``nested`` (depth to areas) names where each
    blind spot lies; ``features`` turns the ids inside into names.
    """
    fields = [tr("mapview.blind_area", lang), tr("mapview.area", lang),
              header("features_inside", lang), header("uncovered_inside", lang),
              tr("mapview.places_inside", lang)]
    where = containing_names(blind.geometry, nested or {})
    if features is not None and len(blind):
        inside = id_names(blind["feature_ids_inside"], features, limit=_MAX_IDS_SHOWN)
    else:
        inside = blind["feature_ids_inside"].astype("string").fillna("").str.replace(";", "、")
    props = []
    for place, names, (_, r) in zip(where, inside, blind.iterrows(), strict=True):
        size = fmt.area(r["area_m2"], lang)
        title = f"{tr('map.blindspot', lang)} · {size}" + (f" · {place}" if place else "")
        props.append({"n": title, "v": [
            size, fmt.text(place), fmt.count(r["features_inside"], lang),
            fmt.count(r["uncovered_inside"], lang), fmt.text(names)]})
    geoms = display_geoms(blind, metric_crs, datum=datum)
    return feature_collection(geoms, props), {"fields": fields, "color": color}


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes into a list of distinct plain-text values ('' for missing)."""
    texts = [fmt.text(v) for v in values]
    uniques = sorted(set(texts))
    index = {t: i for i, t in enumerate(uniques)}
    return np.array([index[t] for t in texts], dtype=int), uniques


def issues_payload(issues: gpd.GeoDataFrame, datum: str, lang: str) -> tuple[str, dict]:
    """Issues as one compact array of rows; returns (data, opts).

    Each row is ``[lat, lon, class, status, category, description, source,
    found, unit, deadline, days_open, record_id, recurring]`` where class,
    status, category, source and unit are indexes into lookup lists.
    """
    issues = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    geoms = display_geoms(issues, None, tolerance_m=0, datum=datum)
    xy = np.array([[g.y, g.x] for g in geoms]) if len(geoms) else np.zeros((0, 2))
    classes = issue_classes(issues)
    status_codes, statuses = _codes(issues["status"])
    cat_codes, cats = _codes(issues["category"])
    src_codes, srcs = _codes(issues["source"])
    unit_codes, units = _codes(issues["unit"])
    rows = []
    for i, (_, r) in enumerate(issues.iterrows()):
        rows.append([float(xy[i, 0]), float(xy[i, 1]), int(classes[i]), int(status_codes[i]),
                     int(cat_codes[i]), fmt.text(r["description"]), int(src_codes[i]),
                     fmt.date(r["found_at"]), int(unit_codes[i]), fmt.date(r["deadline"]),
                     int(r["days_open"]) if not pd.isna(r["days_open"]) else "",
                     fmt.text(r["record_id"]), 1 if bool(r["recurring"]) else 0])
    data = {"rows": rows, "statuses": [status_label(s, lang) for s in statuses],
            "categories": cats, "sources": srcs, "units": units}
    severity = {"rectified": 0, "open": 1, "overdue": 2}
    opts = {
        "fields": [header(c, lang) for c in ("category", "description", "source", "found_at",
                                             "unit", "deadline", "status", "days_open",
                                             "record_id")],
        "classes": [{"key": c, "color": ISSUE_COLORS[c], "shape": ISSUE_SHAPES[c],
                     "glyph": ISSUE_GLYPHS[c]} for c in ISSUE_CLASSES],
        "severity": [severity[c] for c in ISSUE_CLASSES],
        "maxSeverity": max(severity.values()),
        "overdueWord": header("overdue", lang),
        "recurringWord": tr("map.recurring_issue", lang),
    }
    return script_json(data), opts
