"""``gaps.xlsx``: the city view, in the planner's words.

Sheets: one ranking per district level (区县, 街道/乡镇, 社区/村: worst first),
the ledger places (uncovered first), the open issues (most days overdue
first), the blind spots (with their district, street and community, a centre
point in WGS-84 and GCJ-02, and the places inside), the units and, when rows
were quarantined, those rows. Names stand next to codes, layers show their
labels, dates are Excel date cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from geotool.analysis.scoring import NO_UNIT
from geotool.analysis.worklists import (
    blindspot_table,
    days_overdue,
    feature_names,
    level_names,
)
from geotool.output.workbook import Sheet, write_workbook
from geotool.text import header, level_name, status_label, tr

__all__ = ["city_sheets", "layer_labeler", "shown_frame", "write_city_workbook"]


def layer_labeler(result, lang: str):
    """A function mapping a Series of layer keys (or ``;``-joined keys) to their labels."""
    labels = result.layer_labels_en if lang == "en" else result.layer_labels

    def label(values: pd.Series) -> pd.Series:
        uniques = pd.unique(values.dropna().astype(str))
        shown = {v: ";".join(labels.get(k, k) for k in v.split(";")) if v else v for v in uniques}
        return values.map(shown)

    return label


def shown_frame(frame: pd.DataFrame, lang: str, label=None) -> pd.DataFrame:
    """``frame`` with planner words in it: statuses, layer labels, the no-unit marker."""
    out = frame.copy()
    if "status" in out:
        words = {v: status_label(v, lang) for v in pd.unique(out["status"].dropna())}
        out["status"] = out["status"].map(words)
    if "visit_state" in out:
        words = {v: tr(f"visit.{v}", lang) for v in pd.unique(out["visit_state"].dropna())}
        out["visit_state"] = out["visit_state"].map(words)
    if "unit" in out:
        unit = out["unit"].astype(object)
        out["unit"] = unit.where(unit.notna() & (unit != NO_UNIT), tr("lists.no_unit", lang))
    if label is not None:
        for col in ("layer", "layers"):
            if col in out:
                out[col] = label(out[col])
    return out


def _sheet(name: str, frame: pd.DataFrame, lang: str, result, headers=None) -> Sheet:
    title = f"{result.city} {name}"
    shown = headers or [header(c, lang) for c in frame.columns]
    return Sheet(name=name, frame=frame, headers=shown, title=title,
                 as_of=tr("lists.as_of", lang, as_of=result.as_of.isoformat()))


def _rankings(result, lang: str, label) -> list[Sheet]:
    d = pd.DataFrame(result.districts.drop(columns="geometry"))
    names = dict(zip(d["district_id"].astype(str), d["name"], strict=False))
    d["parent_name"] = d["parent"].astype("string").map(names)
    layer_cols = [c for c in d.columns if c.startswith("coverage_rate_")]
    cols = ["rank", "district_id", "name", "parent_name", "features", "covered", "coverage_rate",
            "open_issues", "overdue_issues", "recurring_features", "blindspot_area_m2",
            "blindspot_share", "score", "area_m2", "uncovered", *layer_cols]
    labels = result.layer_labels_en if lang == "en" else result.layer_labels
    sheets = []
    levels = sorted(d["level"].unique())
    for depth, level in enumerate(levels):
        part = d[d["level"] == level].sort_values("rank", kind="stable")[cols]
        if depth == 0:
            part = part.drop(columns="parent_name")
        heads = [tr("sheet.coverage_rate_layer", lang,
                    layer=labels.get(c[len("coverage_rate_"):], c[len("coverage_rate_"):]))
                 if c.startswith("coverage_rate_") else header(c, lang) for c in part.columns]
        word = tr("sheet.level_0", lang) if depth == 0 else level_name(depth, lang)
        word = word.replace(" / ", " & ") if lang == "en" else word.replace("/", "、")
        name = tr("sheet.ranking_level", lang, level=word)
        sheets.append(_sheet(name, part.reset_index(drop=True), lang, result, heads))
    return sheets


def _features(result, lang: str, label) -> pd.DataFrame:
    f = pd.DataFrame(result.features.drop(columns="geometry"))
    d = pd.DataFrame(result.districts.drop(columns="geometry"))
    names = level_names(f, d)
    f = f.sort_values(["covered", "district", "layer", "feature_id"], kind="stable")
    names = names.loc[f.index]
    days = (pd.Timestamp(result.as_of) - f["last_touched"].dt.normalize()).dt.days
    out = pd.DataFrame({
        "layer": f["layer"], "feature_id": f["feature_id"], "name": f["name"],
        "district_name": names["district_name"], "street_name": names["street_name"],
        "community_name": names["community_name"], "unit": f["unit"], "type": f["type"],
        "covered": f["covered"], "last_touched": f["last_touched"],
        "days_since": days.astype("Int64"), "records_in_window": f["records_in_window"],
        "open_issues": f["open_issues"], "overdue_issues": f["overdue_issues"],
        "recurring": f["recurring"], "district_code": f["district"],
        "district_path_names": names["district_path_names"],
        "district_path_codes": f["district_path"]})
    for col in ("last_inspected", "last_issue", "visit_state"):  # when the engine gives them
        if col in f:
            out.insert(out.columns.get_loc("records_in_window"), col, f[col])
    if "leader" in f and f["leader"].notna().any():  # a ledger names leaders (路长制)
        out.insert(out.columns.get_loc("unit") + 1, "leader", f["leader"])
    return shown_frame(out.reset_index(drop=True), lang, label)


_ISSUE_ORDER = ["days_overdue", "recurring", "days_open", "record_id"]


def _issue_rows(issues: pd.DataFrame, as_of) -> np.ndarray:
    """Positions of the open issues, most days overdue first (then recurring, longest open, id).

    Sorted on the key columns alone, so that every shown column is taken once, in order.
    """
    open_rows = np.flatnonzero(issues["open"].to_numpy(dtype=bool))
    head = pd.DataFrame(issues[["deadline", "overdue", "recurring", "days_open", "record_id"]]
                        ).iloc[open_rows].reset_index(drop=True)
    head["days_overdue"] = days_overdue(head, as_of)
    order = head.sort_values(_ISSUE_ORDER, ascending=[False, False, False, True],
                             kind="stable").index.to_numpy()
    return open_rows[order]


def _issues(result, lang: str, label) -> pd.DataFrame:
    issues = result.issues
    shown = [c for c in issues.columns if c not in ("geometry", "open")]
    iss = pd.DataFrame(issues[shown]).take(_issue_rows(issues, result.as_of)).reset_index(
        drop=True)
    d = pd.DataFrame(result.districts.drop(columns="geometry"))
    names = level_names(iss, d)
    feats = pd.DataFrame(result.features[["feature_id", "name"]])
    out = pd.DataFrame({
        "record_id": iss["record_id"], "category": iss["category"],
        "description": iss["description"], "place": feature_names(iss["feature_ids"], feats),
        "feature_ids": iss["feature_ids"], "layers": iss["layers"],
        "district_name": names["district_name"], "street_name": names["street_name"],
        "community_name": names["community_name"], "unit": iss["unit"],
        "source": iss["source"], "found_at": iss["found_at"], "deadline": iss["deadline"],
        "days_overdue": days_overdue(iss, result.as_of), "status": iss["status"],
        "days_open": iss["days_open"], "recurring": iss["recurring"],
        "lon": iss["lon"], "lat": iss["lat"], "district_code": iss["district"],
        "district_path_codes": iss["district_path"]}, index=iss.index)
    for col in ("problems", "address"):  # when the records give them
        if col in iss:
            out.insert(out.columns.get_loc("district_name"), col, iss[col])
    return shown_frame(out, lang, label)


def city_sheets(result, lang: str = "zh") -> list[Sheet]:
    """The sheets of ``gaps.xlsx`` (see the module docstring)."""
    label = layer_labeler(result, lang)
    sheets = _rankings(result, lang, label)
    sheets.append(_sheet(tr("sheet.features", lang), _features(result, lang, label), lang, result))
    sheets.append(_sheet(tr("sheet.issues", lang), _issues(result, lang, label), lang, result))
    sheets.append(_sheet(tr("sheet.blindspots", lang), blindspot_table(result), lang, result))
    units = shown_frame(result.units, lang)
    units.insert(0, "rank", range(1, len(units) + 1))
    sheets.append(_sheet(tr("sheet.units", lang), units, lang, result))
    if len(result.quarantine):
        sheets.append(_sheet(tr("sheet.quarantine", lang), result.quarantine, lang, result))
    flagged = getattr(result, "flagged", None)
    if flagged is not None and len(flagged):
        sheets.append(_sheet(tr("sheet.flagged", lang), flagged, lang, result))
    return sheets


def write_city_workbook(result, path: Path, *, lang: str = "zh") -> Path:
    """Write ``gaps.xlsx`` at ``path``; returns the path."""
    created = dt.datetime.combine(result.as_of, dt.time())
    return write_workbook(Path(path), city_sheets(result, lang), lang=lang, created=created)
