"""District readiness, the weekly ranking (一周一排名) and the units' lists.

Score (0–100, higher is better), for each district at each nesting level::

    score = 100 × (0.40 × coverage_rate
                 + 0.25 × (1 − blindspot_share)
                 + 0.20 × (1 − overdue_share)
                 + 0.15 × (1 − recurring_share))

* ``coverage_rate``   covered ledger features / ledger features (1 when none)
* ``blindspot_share`` blind-spot area / district area
* ``overdue_share``   overdue issues / open issues (0 when none open)
* ``recurring_share`` recurring features / ledger features (0 when none)

Coverage weighs most because evaluators sample ledger places; blind spots
next because an unreached area hides places not yet on any ledger. Ranks
are per level, worst first (rank 1 = lowest score; ties by district id).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["NO_UNIT", "WEIGHTS", "district_table", "score", "units_table"]

#: The ``unit`` of features and issues that name no responsible unit: a neutral marker in the
#: data (an empty text), translated only where it is shown (``lists.no_unit``).
NO_UNIT = ""

WEIGHTS = {"coverage": 0.40, "blindspots": 0.25, "overdue": 0.20, "recurring": 0.15}


def score(coverage_rate: pd.Series, blindspot_share: pd.Series, overdue_share: pd.Series,
          recurring_share: pd.Series) -> pd.Series:
    """The readiness score (0–100) from its four fractions.

    Examples
    --------
    >>> one = pd.Series([1.0])
    >>> zero = pd.Series([0.0])
    >>> float(score(one, zero, zero, zero).iloc[0])
    100.0
    >>> float(score(pd.Series([0.5]), pd.Series([0.2]), pd.Series([0.5]), zero).iloc[0])
    65.0
    """
    value = 100.0 * (WEIGHTS["coverage"] * coverage_rate
                     + WEIGHTS["blindspots"] * (1.0 - blindspot_share)
                     + WEIGHTS["overdue"] * (1.0 - overdue_share)
                     + WEIGHTS["recurring"] * (1.0 - recurring_share))
    return value.round(2)


def district_table(districts: gpd.GeoDataFrame, features: pd.DataFrame, issues: pd.DataFrame,
                   blind_area_m2: pd.Series, layers: list[str], *,
                   extent_area_m2: pd.Series | None = None) -> pd.DataFrame:
    """Readiness of every district at every level.

    Parameters
    ----------
    districts : GeoDataFrame
        ``district_id, name, parent, level``, metric CRS.
    features : DataFrame
        Per feature: ``layer, covered, recurring`` and ``level_<n>`` columns.
    issues : DataFrame
        Per issue: ``open, overdue`` and ``level_<n>`` columns.
    blind_area_m2 : Series
        Blind-spot area per district id (any level).
    layers : list of str
        Ledger layer keys, for the per-layer coverage columns.
    extent_area_m2 : Series, optional
        Area of each district inside the analysis extent (``[extent]``): the
        blind-spot share is taken of it (0 for a district with none of it),
        and the table gets an ``extent_area_m2`` column.

    Returns
    -------
    DataFrame
        The ``districts.csv`` columns plus ``level``, ``parent``, ``area_m2``,
        ``uncovered`` and ``coverage_rate_<layer>``.
    """
    rows = []
    for level in sorted(districts["level"].unique()):
        key = f"level_{level}"
        level_d = districts[districts["level"] == level]
        f = features.groupby(key, observed=True) if key in features else None
        i = issues.groupby(key, observed=True) if key in issues else None
        t = pd.DataFrame(index=pd.Index(level_d["district_id"], name="district_id"))
        t["name"] = level_d["name"].to_numpy()
        t["parent"] = level_d["parent"].to_numpy()
        t["level"] = level
        t["area_m2"] = level_d.area.to_numpy()
        t["features"] = f.size() if f is not None else 0
        t["covered"] = f["covered"].sum() if f is not None else 0
        t["recurring_features"] = f["recurring"].sum() if f is not None else 0
        t["open_issues"] = i["open"].sum() if i is not None else 0
        t["overdue_issues"] = i["overdue"].sum() if i is not None else 0
        for layer in layers:
            sub = features[features["layer"] == layer].groupby(key, observed=True)
            n = sub.size().reindex(t.index)
            c = sub["covered"].sum().reindex(t.index)
            t[f"coverage_rate_{layer}"] = (c / n).round(4)
        rows.append(t)
    table = pd.concat(rows)
    for col in ("features", "covered", "recurring_features", "open_issues", "overdue_issues"):
        table[col] = table[col].fillna(0).astype(np.int64)
    table["uncovered"] = table["features"] - table["covered"]
    has = table["features"] > 0
    table["coverage_rate"] = (table["covered"] / table["features"].where(has)).round(4)
    table["blindspot_area_m2"] = blind_area_m2.reindex(table.index).fillna(0.0).round(1)
    base = table["area_m2"]
    if extent_area_m2 is not None:
        table["extent_area_m2"] = extent_area_m2.reindex(table.index).fillna(0.0)
        base = table["extent_area_m2"].where(table["extent_area_m2"] > 0)
    table["blindspot_share"] = (table["blindspot_area_m2"] / base).fillna(0.0).clip(0, 1).round(4)
    overdue_share = (table["overdue_issues"] / table["open_issues"].where(table["open_issues"] > 0)
                     ).fillna(0.0)
    recurring_share = (table["recurring_features"] / table["features"].where(has)).fillna(0.0)
    table["score"] = score(table["coverage_rate"].fillna(1.0), table["blindspot_share"],
                           overdue_share, recurring_share)
    table = table.reset_index()
    table["rank"] = 0
    for _level, group in table.groupby("level"):
        order = group.sort_values(["score", "district_id"], kind="stable").index
        table.loc[order, "rank"] = np.arange(1, len(order) + 1)
    table["area_m2"] = table["area_m2"].round(1)
    front = ["district_id", "name", "features", "covered", "coverage_rate", "open_issues",
             "overdue_issues", "recurring_features", "blindspot_area_m2", "blindspot_share",
             "score", "rank", "level", "parent", "area_m2", "uncovered"]
    rest = [c for c in table.columns if c.startswith("coverage_rate_")]
    if "extent_area_m2" in table:
        table["extent_area_m2"] = table["extent_area_m2"].round(1)
        rest.insert(0, "extent_area_m2")
    return table[front + rest].sort_values(["level", "rank"], kind="stable").reset_index(drop=True)


def units_table(features: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Per responsible unit: its open/overdue issues and uncovered features.

    Returns
    -------
    DataFrame
        ``unit, features, uncovered_features, recurring_features,
        open_issues, overdue_issues``, worst first (overdue, open,
        uncovered), ties by unit name. Features or issues without a unit are
        listed under :data:`NO_UNIT`.
    """
    blank = NO_UNIT
    fu = features.assign(unit=features["unit"].fillna(blank)).groupby("unit")
    iu = issues.assign(unit=issues["unit"].fillna(blank)).groupby("unit")
    t = pd.DataFrame({
        "features": fu.size(),
        "uncovered_features": fu["covered"].apply(lambda s: int((~s.astype(bool)).sum())),
        "recurring_features": fu["recurring"].sum(),
    })
    t = t.join(pd.DataFrame({"open_issues": iu["open"].sum(),
                             "overdue_issues": iu["overdue"].sum()}), how="outer")
    t = t.fillna(0).astype(np.int64)
    t.index.name = "unit"
    t = t.reset_index()
    t = t.sort_values(["overdue_issues", "open_issues", "uncovered_features", "unit"],
                      ascending=[False, False, False, True], kind="stable")
    return t[["unit", "features", "uncovered_features", "recurring_features", "open_issues",
              "overdue_issues"]].reset_index(drop=True)
