"""Writing the lists units act on: CSV, GeoJSON and a formatted .xlsx.

CSV files keep the contract column names (English, for tools) and are
UTF-8 with BOM so Excel opens the Chinese text right; ``gaps.xlsx`` has the
same tables with planner headers (Chinese, or English with ``lang="en"``).
Every file is written atomically. A text cell that starts with ``=``, ``+``,
``-`` or ``@`` is prefixed with ``'`` so a spreadsheet shows it as text and
never runs it as a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from geotool._atomic import remove_stale_temps, write_atomic
from geotool.text import header, reason_text, render, status_label, tr

__all__ = [
    "escape_formulas",
    "load_summary_lines",
    "summary_table",
    "write_gaps",
    "write_flagged",
    "write_quarantine",
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells cannot be run as spreadsheet formulas.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok", "@x"], "b": [-1, 2, 3]})).values.tolist()
    [["'=1+1", -1], ['ok', 2], ["'@x", 3]]
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text = s.astype("string")
            risky = text.str.startswith(_FORMULA_START).fillna(False)
            if risky.any():
                out[col] = s.astype(object).where(~risky, "'" + text.astype(object))
    return out


def _csv(df: pd.DataFrame, path: Path) -> Path:
    def writer(tmp: Path) -> None:
        escape_formulas(df).to_csv(tmp, index=False, encoding="utf-8-sig",
                                   date_format="%Y-%m-%d %H:%M")

    return write_atomic(path, writer)


def write_quarantine(quarantine: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``quarantine.csv`` into ``out``; returns its path."""
    return _csv(quarantine, Path(out) / "quarantine.csv")


def write_flagged(flagged: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``flagged.csv`` (cells of kept records that could not be read) into ``out``."""
    return _csv(flagged, Path(out) / "flagged.csv")


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))
    return out[[c for c in out.columns if not c.startswith("level_") and c != "open"]]


def _cell_rows(df: pd.DataFrame) -> list[list[object]]:
    cols = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d %H:%M")
        cols.append(s.astype(object).where(s.notna(), None))
    if not cols:
        return []
    return pd.concat(cols, axis=1).to_numpy().tolist()


def _write_body(ws, df: pd.DataFrame) -> None:
    """Write the cells with the type-specific writers: text stays text, numbers numbers."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and df[c].dtype != bool for c in df.columns]
    writers = [ws.write_number if num else ws.write_string for num in numeric]
    for i, row in enumerate(_cell_rows(df), start=1):
        for j, value in enumerate(row):
            if value is not None:
                writers[j](i, j, value if numeric[j] else str(value))


def _xlsx(sheets: dict[str, pd.DataFrame], path: Path, lang: str,
          created: dt.datetime = dt.datetime(2000, 1, 1)) -> Path:
    import xlsxwriter

    yes, no = ("yes", "no") if lang == "en" else ("是", "否")

    def writer(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": True})
        book.set_properties({"created": created})  # not the clock: same input, same bytes
        head = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79",
                                "text_wrap": True, "valign": "vcenter", "border": 1})
        pct = book.add_format({"num_format": "0.0%"})
        try:
            for name, df in sheets.items():
                shown = escape_formulas(df)
                if "status" in shown:
                    shown["status"] = shown["status"].map(lambda s: status_label(s, lang),
                                                          na_action="ignore")
                if "visit_state" in shown:
                    shown["visit_state"] = shown["visit_state"].map(
                        lambda s: tr(f"visit.{s}", lang), na_action="ignore")
                for col in shown.columns:
                    if shown[col].dtype == bool:
                        shown[col] = np.where(shown[col], yes, no)
                ws = book.add_worksheet(name)
                for j, col in enumerate(df.columns):
                    sample = [len(str(v)) for v in df[col].head(200)]
                    width = max([len(str(header(col, lang))) * 2] + sample)
                    is_pct = col.endswith(("rate", "share")) or col.startswith("coverage_rate")
                    ws.set_column(j, j, min(max(width, 8), 50), pct if is_pct else None)
                ws.write_row(0, 0, [header(c, lang) for c in df.columns], head)
                _write_body(ws, shown)
                ws.freeze_panes(1, 0)
                ws.autofilter(0, 0, max(len(df), 1), max(len(df.columns) - 1, 0))
        finally:
            book.close()

    return write_atomic(path, writer)




def geojson_bytes(gdf, *, layer: str) -> bytes:
    """A GeoDataFrame as GeoJSON bytes (WGS-84, 6 decimals: about 0.1 m)."""
    import io

    import pyogrio

    buffer = io.BytesIO()
    pyogrio.write_dataframe(gdf.to_crs(4326), buffer, driver="GeoJSON", layer=layer,
                            COORDINATE_PRECISION=6)
    return buffer.getvalue()


def _open_first(issues) -> pd.DataFrame:
    """The spreadsheet's issue list: open issues, overdue first, oldest first."""
    is_open = issues["open"].to_numpy(dtype=bool)
    sheet = _plain(issues[is_open])
    return sheet.sort_values(["overdue", "days_open", "record_id"], ascending=[False, False, True],
                             kind="stable")


def write_gaps(result, out: str | Path, *, lang: str = "zh", xlsx: bool = True
               ) -> dict[str, Path]:
    """Write every gap list of a :class:`~geotool.analysis.gaps.GapResult` into ``out``.

    Files: ``features.csv``, ``districts.csv``, ``issues.csv``,
    ``blindspots.geojson``, ``units.csv``, ``gaps.xlsx`` and, when rows were
    quarantined, ``quarantine.csv``. Each is written atomically. ``xlsx=False``
    skips the spreadsheet (the slowest file for very large inputs).

    Returns
    -------
    dict
        File key -> path written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    features = _plain(result.features)
    districts = _plain(result.districts)
    issues = _plain(result.issues)
    blind = _plain(result.blindspots).assign(area_m2=lambda d: d["area_m2"].round(1))
    written = {
        "features": _csv(features, out / "features.csv"),
        "districts": _csv(districts, out / "districts.csv"),
        "issues": _csv(issues, out / "issues.csv"),
        "units": _csv(result.units, out / "units.csv"),
    }

    def geojson(tmp: Path) -> None:
        gdf = result.blindspots.copy()
        gdf["area_m2"] = gdf["area_m2"].round(1)
        tmp.write_bytes(geojson_bytes(gdf, layer="blindspots"))

    written["blindspots"] = write_atomic(out / "blindspots.geojson", geojson)
    sheets_src = {"districts": districts, "features": features.sort_values(
        ["covered", "district", "layer", "feature_id"], kind="stable"),
        "issues": _open_first(result.issues), "blindspots": blind, "units": result.units}
    if len(result.quarantine):
        written["quarantine"] = write_quarantine(result.quarantine, out, lang=lang)
        sheets_src["quarantine"] = result.quarantine
    else:
        stale = out / "quarantine.csv"
        if stale.exists():
            stale.unlink()
    flagged = getattr(result, "flagged", None)
    if flagged is not None and len(flagged):
        written["flagged"] = write_flagged(flagged, out, lang=lang)
        sheets_src["flagged"] = flagged
    elif (out / "flagged.csv").exists():
        (out / "flagged.csv").unlink()
    sheets = {tr(f"sheet.{k}", lang): v for k, v in sheets_src.items()}
    if xlsx:
        created = dt.datetime.combine(result.as_of, dt.time())
        written["xlsx"] = _xlsx(sheets, out / "gaps.xlsx", lang, created)
    written["run"] = _run_manifest(result, out, written)
    return written


def _run_manifest(result, out: Path, written: dict[str, Path]) -> Path:
    """``run.json``, written last: the date and parameters every file in ``out`` answers.

    A run stopped part-way leaves the previous ``run.json``; files newer than
    it are from the stopped run, so a reader can always tell which run wrote what.
    """
    import json

    from geotool import __version__

    params = {k: (v.isoformat() if isinstance(v, dt.date) else v)
              for k, v in vars(result.params).items()}
    doc = {
        "geotool": __version__,
        "city": result.city,
        "as_of": result.as_of.isoformat(),
        "parameters": params,
        "metric_crs": result.metric_crs,
        "counts": {"features": len(result.features), "issues": len(result.issues),
                   "blindspots": len(result.blindspots), "quarantined": len(result.quarantine)},
        "files": sorted(p.name for p in written.values()),
    }
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return write_atomic(out / "run.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))


def load_summary_lines(loaded, *, lang: str = "zh") -> list[str]:
    """Lines describing what was read, converted and quarantined."""
    head = f"{tr('cli.workspace', lang)}: {loaded.workspace.root}  ({tr('cli.city', lang)}: "
    lines = [head + f"{loaded.workspace.city})"]
    root = loaded.workspace.root
    for acc in loaded.accounts:
        try:
            shown = Path(acc.path).relative_to(root)
        except ValueError:
            shown = Path(acc.path)
        kind = (tr("cli.districts_layer", lang) if acc.kind == "districts" else
                tr("cli.layer", lang) + " " + acc.kind.split(":", 1)[1] if acc.kind.startswith("layer:")
                else tr("cli.records_file", lang))
        counts = (tr("cli.read_used_q_flagged", lang, read=acc.read, used=acc.used,
                     q=acc.quarantined, f=acc.flagged) if getattr(acc, "flagged", 0)
                  else tr("cli.read_used_q", lang, read=acc.read, used=acc.used, q=acc.quarantined))
        lines.append(f"  {kind:<14} {shown}: " + counts)
        if acc.converted_from:
            lines.append("      " + tr("cli.converted", lang, src=acc.converted_from))
        for note in acc.notes:
            lines.append(f"      - {render(note, lang)}")
    for note in loaded.notes:
        lines.append(f"  - {render(note, lang)}")
    lines.append(f"  {tr('cli.total', lang)}: " + tr("cli.read_used_q", lang, read=loaded.read,
                                                  used=loaded.used, q=len(loaded.quarantine)))
    if len(loaded.quarantine):
        lines.append(f"  {tr('cli.quarantine_summary', lang)}:")
        col = "reason"
        counts = loaded.quarantine.groupby(["reason_code", col]).size().sort_values(
            ascending=False, kind="stable")
        for (code, text), n in counts.items():

            lines.append(f"    {n:>6}  {reason_text(code, lang)}")
    else:
        lines.append("  " + tr("cli.no_quarantine", lang))
    flagged = getattr(loaded, "flagged", None)
    if flagged is not None and len(flagged):
        lines.append(f"  {tr('cli.flagged_summary', lang)}:")
        for code, n in flagged["reason_code"].value_counts(sort=False).sort_index().items():
            lines.append(f"    {n:>6}  {reason_text(code, lang)}")
    return lines


def summary_table(result, *, lang: str = "zh") -> str:
    """A short per-district table (top level) for the terminal, worst first."""
    d = result.districts
    top = d[d["level"] == d["level"].min()].sort_values("rank")
    cols = ["rank", "district_id", "name", "coverage_rate", "open_issues", "overdue_issues",
            "recurring_features", "blindspot_share", "score"]
    shown = pd.DataFrame(top[cols]).copy()
    shown["coverage_rate"] = (shown["coverage_rate"] * 100).round(1).astype(str) + "%"
    shown["blindspot_share"] = (shown["blindspot_share"] * 100).round(1).astype(str) + "%"
    shown.columns = [header(c, lang) for c in cols]
    title = (f"{result.city}  {tr('cli.as_of', lang)} {result.as_of.isoformat()}  "
             f"{tr('cli.window', lang)} {result.params.window_days} {tr('cli.days', lang)}")
    return title + "\n" + shown.to_string(index=False)
