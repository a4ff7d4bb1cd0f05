"""Writing the lists units act on: CSV, GeoJSON and a formatted .xlsx.

CSV files keep the contract column names (English, for tools) and are
UTF-8 with BOM so Excel opens the Chinese text right; ``gaps.xlsx`` has the
same tables with planner headers (Chinese, or English with ``lang="en"``).
Every file is written atomically. A text cell that a spreadsheet could run
as a formula is prefixed with ``'`` so it shows as text
(:mod:`geotool.output.formulas`, the one guard every CSV and ``.xlsx`` writer
uses, re-exported here as :func:`escape_formulas` and :func:`formula_risk`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyogrio

from geotool import __version__
from geotool._atomic import remove_stale_temps, write_atomic
from geotool._errors import shown_path
from geotool.output.city_workbook import write_city_workbook
from geotool.output.csv_text import csv_chunks
from geotool.output.formulas import escape_formulas, formula_risk
from geotool.output.unit_lists import write_unit_lists
from geotool.schema import public_columns
from geotool.text import header, reason_text, render, tr

__all__ = [
    "escape_formulas",
    "formula_risk",
    "load_summary_lines",
    "summary_table",
    "write_csv",
    "write_flagged",
    "write_gaps",
    "write_quarantine",
]


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` to ``path`` as every geotool CSV is written; returns ``path``.

    UTF-8 with BOM (Excel opens the Chinese right), no index, times as
    ``YYYY-MM-DD HH:MM``, formula-like text escaped, complete or absent.
    """

    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as file:
            file.write(codecs.BOM_UTF8)
            for block in csv_chunks(df, safe=True):
                file.write(block)

    return write_atomic(path, writer)


def write_quarantine(quarantine: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``quarantine.csv`` into ``out``; returns its path."""
    return write_csv(quarantine, Path(out) / "quarantine.csv")


def write_flagged(flagged: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``flagged.csv`` (cells of kept records that could not be read) into ``out``."""
    return write_csv(flagged, Path(out) / "flagged.csv")


_GDAL_ARROW = pyogrio.__gdal_version__ >= (3, 8, 0)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(df.drop(columns=[c for c in ("geometry",) if c in df.columns]))
    return out[public_columns(out.columns)]


def geojson_bytes(gdf, *, layer: str, arrow: bool = False) -> bytes:
    """A GeoDataFrame as GeoJSON bytes (WGS-84, 6 decimals: about 0.1 m).

    ``arrow=True`` goes through GDAL's Arrow interface where GDAL has it (3.8
    and later): the same bytes for the blind spots, with the GIL released while
    GDAL writes.
    """
    buffer = io.BytesIO()
    pyogrio.write_dataframe(gdf.to_crs(4326), buffer, driver="GeoJSON", layer=layer,
                            COORDINATE_PRECISION=6, use_arrow=arrow and _GDAL_ARROW)
    return buffer.getvalue()


def write_gaps(result, out: str | Path, *, lang: str = "zh", xlsx: bool = True,
               unit_lists: bool = True, progress=None, unit_progress=None) -> dict[str, Path]:
    """Write every gap list of a :class:`~geotool.analysis.gaps.GapResult` into ``out``.

    Files: ``features.csv``, ``districts.csv``, ``issues.csv``,
    ``blindspots.geojson``, ``units.csv``, ``gaps.xlsx`` (the city view,
    :mod:`~geotool.output.city_workbook`), one workbook per responsible unit in
    ``units/`` (:mod:`~geotool.output.unit_lists`) and, when rows were
    quarantined, ``quarantine.csv``. Each is written atomically. ``xlsx=False``
    skips the spreadsheets (the slowest files for very large inputs);
    ``unit_lists=False`` skips the units' workbooks. ``progress`` is called
    with a file name before each spreadsheet, ``unit_progress`` with
    ``(done, total)`` after each unit's workbook.

    Returns
    -------
    dict
        File key -> path written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    # the workbooks and the GeoJSON are written by two threads while this one writes the
    # CSVs and prepares the units' lists: most of their time (deflate, Arrow joins, GDAL,
    # file writes) runs without the GIL, so they overlap on two cores
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="geotool-write")
    try:
        city = None
        if xlsx:
            if progress is not None:
                progress("gaps.xlsx")
            city = pool.submit(write_city_workbook, result, out / "gaps.xlsx", lang=lang)
        spots = pool.submit(_write_blindspots, result, out)
        lists = _write_lists(result, out, lang=lang)
        units: dict[str, Path] = {}
        if xlsx and unit_lists:
            if progress is not None:
                progress("units/")
            units = write_unit_lists(result, out, lang=lang, progress=unit_progress, pool=pool)
        written = {**{k: lists.pop(k) for k in ("features", "districts", "issues", "units")},
                   "blindspots": spots.result(), **lists}
        if city is not None:
            written["xlsx"] = city.result()
    except BaseException:
        pool.shutdown(cancel_futures=True)  # a failed run starts no further file
        raise
    finally:
        pool.shutdown()
    written.update(units)
    written["run"] = _run_manifest(result, out, written)
    return written


def _write_blindspots(result, out: Path) -> Path:
    """``blindspots.geojson`` (areas to 0.1 m²)."""

    def geojson(tmp: Path) -> None:
        gdf = result.blindspots.copy()
        gdf["area_m2"] = gdf["area_m2"].round(1)
        tmp.write_bytes(geojson_bytes(gdf, layer="blindspots", arrow=True))

    return write_atomic(out / "blindspots.geojson", geojson)


def _write_lists(result, out: Path, *, lang: str) -> dict[str, Path]:
    """The CSVs of :func:`write_gaps`; stale optional ones removed."""
    written = {
        "features": write_csv(_plain(result.features), out / "features.csv"),
        "districts": write_csv(_plain(result.districts), out / "districts.csv"),
        "issues": write_csv(_plain(result.issues), out / "issues.csv"),
        "units": write_csv(result.units, out / "units.csv"),
    }
    if len(result.quarantine):
        written["quarantine"] = write_quarantine(result.quarantine, out, lang=lang)
    else:
        stale = out / "quarantine.csv"
        if stale.exists():
            stale.unlink()
    flagged = getattr(result, "flagged", None)
    if flagged is not None and len(flagged):
        written["flagged"] = write_flagged(flagged, out, lang=lang)
    elif (out / "flagged.csv").exists():
        (out / "flagged.csv").unlink()
    return written


def _run_manifest(result, out: Path, written: dict[str, Path]) -> Path:
    """``run.json``, written last: the date and parameters every file in ``out`` answers.

    A run stopped part-way leaves the previous ``run.json``; files newer than
    it are from the stopped run, so a reader can always tell which run wrote what.
    """


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
    root = Path(shown_path(loaded.workspace.root))  # account paths are shown forms too
    head = f"{tr('cli.workspace', lang)}: {root}  ({tr('cli.city', lang)}: "
    lines = [head + f"{loaded.workspace.city})"]
    for acc in loaded.accounts:
        try:
            shown = Path(acc.path).relative_to(root)
        except ValueError:
            shown = Path(acc.path)
        if acc.kind == "districts":
            kind = tr("cli.districts_layer", lang)
        elif acc.kind.startswith("layer:"):
            kind = tr("cli.layer", lang) + " " + acc.kind.split(":", 1)[1]
        else:
            kind = tr("cli.records_file", lang)
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
        for (code, _text), n in counts.items():
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
