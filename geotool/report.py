"""Writing the lists units act on: CSV, GeoJSON and a formatted .xlsx.

CSV files keep the contract column names (English, for tools) and are
UTF-8 with BOM so Excel opens the Chinese text right; ``gaps.xlsx`` has the
same tables with planner headers (Chinese, or English with ``lang="en"``).
Every file is written atomically. A text cell that starts with ``=``, ``+``,
``-`` or ``@`` is prefixed with ``'`` so a spreadsheet shows it as text and
never runs it as a formula.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geotool._atomic import remove_stale_temps, write_atomic
from geotool.i18n import header, status_label, t

__all__ = ["write_gaps", "write_quarantine", "load_summary_lines", "summary_table",
           "escape_formulas"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells cannot be run as spreadsheet formulas.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok", None], "b": [-1, 2, 3]}))["a"].tolist()
    ["'=1+1", 'ok', None]
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


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))
    return out[[c for c in out.columns if not c.startswith("level_") and c != "open"]]


def _xlsx(sheets: dict[str, pd.DataFrame], path: Path, lang: str) -> Path:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    def writer(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in sheets.items():
                shown = escape_formulas(df)
                if "status" in shown:
                    shown["status"] = shown["status"].map(lambda s: status_label(s, lang))
                for col in shown.columns:
                    if shown[col].dtype == bool:
                        shown[col] = np.where(shown[col], "是" if lang != "en" else "yes",
                                              "否" if lang != "en" else "no")
                shown.columns = [header(c, lang) for c in shown.columns]
                shown.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                ws.freeze_panes = "A2"
                for cell in ws[1]:
                    cell.font = Font(bold=True, color="FFFFFF")
                    cell.fill = PatternFill("solid", fgColor="1F4E79")
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
                for j, col in enumerate(df.columns, start=1):
                    width = max([len(str(header(col, lang))) * 2] +
                                [len(str(v)) for v in df[col].head(200)])
                    ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 50)
                    if col.endswith(("rate", "share")) or col.startswith("coverage_rate"):
                        for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                            for cell in row:
                                cell.number_format = "0.0%"
                ws.auto_filter.ref = ws.dimensions

    return write_atomic(path, writer)


_SHEETS = {
    "districts": ("区县排名", "Districts"),
    "features": ("遗忘场所", "Forgotten places"),
    "issues": ("问题清单", "Issues"),
    "blindspots": ("盲区", "Blind spots"),
    "units": ("责任单位清单", "Units"),
    "quarantine": ("隔离行", "Quarantine"),
}


def write_gaps(result, out: str | Path, *, lang: str = "zh") -> dict[str, Path]:
    """Write every gap list of a :class:`~geotool.gaps.GapResult` into ``out``.

    Files: ``features.csv``, ``districts.csv``, ``issues.csv``,
    ``blindspots.geojson``, ``units.csv``, ``gaps.xlsx`` and, when rows were
    quarantined, ``quarantine.csv``. Each is written atomically.

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
    blind = _plain(result.blindspots)
    written = {
        "features": _csv(features, out / "features.csv"),
        "districts": _csv(districts, out / "districts.csv"),
        "issues": _csv(issues, out / "issues.csv"),
        "units": _csv(result.units, out / "units.csv"),
    }

    def geojson(tmp: Path) -> None:
        gdf = result.blindspots.copy()
        gdf["area_m2"] = gdf["area_m2"].round(1)
        gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)

    written["blindspots"] = write_atomic(out / "blindspots.geojson", geojson)
    sheets_src = {"districts": districts, "features": features.sort_values(
        ["covered", "district", "layer", "feature_id"], kind="stable"),
        "issues": issues, "blindspots": blind, "units": result.units}
    if len(result.quarantine):
        written["quarantine"] = write_quarantine(result.quarantine, out, lang=lang)
        sheets_src["quarantine"] = result.quarantine
    else:
        stale = out / "quarantine.csv"
        if stale.exists():
            stale.unlink()
    sheets = {(_SHEETS[k][1] if lang == "en" else _SHEETS[k][0]): v for k, v in sheets_src.items()}
    written["xlsx"] = _xlsx(sheets, out / "gaps.xlsx", lang)
    return written


def load_summary_lines(loaded, *, lang: str = "zh") -> list[str]:
    """Lines describing what was read, converted and quarantined."""
    lines = [f"{t('workspace', lang)}: {loaded.workspace.root}  ({t('city', lang)}: "
             f"{loaded.workspace.city})"]
    root = loaded.workspace.root
    for acc in loaded.accounts:
        try:
            shown = Path(acc.path).relative_to(root)
        except ValueError:
            shown = Path(acc.path)
        kind = (t("districts_layer", lang) if acc.kind == "districts" else
                t("layer", lang) + " " + acc.kind.split(":", 1)[1] if acc.kind.startswith("layer:")
                else t("records_file", lang))
        lines.append(f"  {kind:<14} {shown}: "
                     + t("read_used_q", lang, read=acc.read, used=acc.used, q=acc.quarantined))
        if acc.converted_from:
            lines.append("      " + t("converted", lang, src=acc.converted_from))
        for note in acc.notes:
            lines.append(f"      - {note}")
    for note in loaded.notes:
        lines.append(f"  - {note}")
    lines.append(f"  {t('total', lang)}: " + t("read_used_q", lang, read=loaded.read,
                                                  used=loaded.used, q=len(loaded.quarantine)))
    if len(loaded.quarantine):
        lines.append(f"  {t('quarantine_summary', lang)}:")
        col = "reason"
        counts = loaded.quarantine.groupby(["reason_code", col]).size().sort_values(
            ascending=False, kind="stable")
        for (code, text), n in counts.items():
            from geotool.quarantine import reason_text

            lines.append(f"    {n:>6}  {reason_text(code, lang)}")
    else:
        lines.append("  " + t("no_quarantine", lang))
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
    title = (f"{result.city}  {t('as_of', lang)} {result.as_of.isoformat()}  "
             f"{t('window', lang)} {result.params.window_days} {t('days', lang)}")
    return title + "\n" + shown.to_string(index=False)
