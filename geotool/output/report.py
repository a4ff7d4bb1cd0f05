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
import contextlib
import datetime as dt
import io
import json
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyogrio

from geotool import __version__
from geotool._atomic import Staged, remove_stale_temps, write_atomic
from geotool._collector import collector_paused
from geotool._errors import printable, shown_path
from geotool.output.city_workbook import write_city_workbook
from geotool.output.csv_text import csv_chunks
from geotool.output.formulas import escape_formulas, formula_risk
from geotool.output.geojson_text import polygons_geojson
from geotool.output.unit_lists import UnitJobs, unit_jobs
from geotool.output.write_threads import first_done, write_threads
from geotool.schema import public_columns
from geotool.text import header, reason_text, render, tr

__all__ = [
    "EarlyIssueList",
    "escape_formulas",
    "formula_risk",
    "load_summary_lines",
    "summary_table",
    "write_csv",
    "write_flagged",
    "write_gaps",
    "write_quarantine",
]


def write_csv(df: pd.DataFrame, path: Path, *, columns: list[str] | None = None) -> Path:
    """Write ``df`` to ``path`` as every geotool CSV is written; returns ``path``.

    UTF-8 with BOM (Excel opens the Chinese right), no index, times as
    ``YYYY-MM-DD HH:MM``, formula-like text escaped, complete or absent.
    ``columns``: only those, in that order.
    """
    return write_atomic(path, _csv_writer(df, columns))


def _csv_writer(df: pd.DataFrame, columns: list[str] | None) -> Callable[[Path], None]:
    def writer(tmp: Path) -> None:
        with open(tmp, "wb") as file:
            file.write(codecs.BOM_UTF8)
            for block in csv_chunks(df, safe=True, columns=columns):
                file.write(block)

    return writer


class EarlyIssueList:
    """``issues.csv`` written while the analysis finishes; :func:`write_gaps` puts it in place.

    The command gives it to :func:`~geotool.analysis.gaps.find_gaps` as its
    ``on_issues`` hook: the issue table is final once made, and the analysis's
    last steps (the last blind-spot union, the district ranking) leave a core
    free, so the longest CSV is written then, in a thread of its own, under a
    temporary name in ``out``. Nothing in ``out`` changes before
    :func:`write_gaps` renames it over ``issues.csv`` (in the order it writes
    every file), and only when the result's issue table is the very one it
    was written from; else it is written again from the result, and a run
    that stops before then leaves no trace (:meth:`discard`, or the next
    run's clean-up of temporary files).
    """

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self._issues: pd.DataFrame | None = None
        self._staged: Staged | None = None
        self._written: Future | None = None
        self._made: list[Path] = []  # the folders this made for the file, deepest first

    def __call__(self, issues: pd.DataFrame) -> None:
        """Start writing ``issues`` (the hook); a second call is ignored."""
        if self._written is not None:
            return
        folder = self.out
        while not folder.exists() and folder != folder.parent:
            self._made.append(folder)
            folder = folder.parent
        self._staged = Staged.beside(self.out / "issues.csv")
        self._issues = issues
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-early")
        self._written = pool.submit(self._staged.write, _csv_writer(issues, _plain(issues)))
        pool.shutdown(wait=False)  # the thread ends with the file

    def temps(self) -> list[Path]:
        """The temporary file being written (to be kept by the clean-up), if any."""
        return [self._staged.tmp] if self._staged is not None else []

    def publish(self, issues: pd.DataFrame, path: Path) -> Path | None:
        """Put the file in place at ``path`` when written from ``issues`` for it (waits).

        Returns ``None`` (and discards the file) when it was made from other
        issues or for another folder. The writer's error, if it failed (a full
        disk), is raised here.
        """
        if (self._written is None or self._issues is not issues or self._staged is None
                or Path(path) != self._staged.path):
            self._made = []  # write_gaps writes into the folder now: it stays
            self.discard()
            return None
        staged = self._written.result()
        self._written, self._made = None, []
        return staged.publish()

    def discard(self) -> None:
        """Wait for the writer and remove what it made: the file, the folders it made for it.

        Nothing is removed once the file is published.
        """
        if self._written is not None:
            with contextlib.suppress(Exception):  # its error is moot: the file is not used
                self._written.result()
        if self._staged is not None:
            self._staged.discard()
        for folder in self._made:  # only the empty ones: the run wrote nothing else there
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._written = self._issues = None
        self._made = []


def write_quarantine(quarantine: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``quarantine.csv`` into ``out``; returns its path."""
    return write_csv(quarantine, Path(out) / "quarantine.csv")


def write_flagged(flagged: pd.DataFrame, out: Path, *, lang: str = "zh") -> Path:
    """Write ``flagged.csv`` (cells of kept records that could not be read) into ``out``."""
    return write_csv(flagged, Path(out) / "flagged.csv")


_GDAL_ARROW = pyogrio.__gdal_version__ >= (3, 8, 0)


def _plain(df: pd.DataFrame) -> list[str]:
    """The columns of ``df`` a CSV shows: no geometry, no result extras."""
    return public_columns([c for c in df.columns if c != "geometry"])


def geojson_bytes(gdf, *, layer: str, arrow: bool = False) -> bytes:
    """A GeoDataFrame as GeoJSON bytes (WGS-84, 6 decimals: about 0.1 m), as GDAL writes it.

    A table of polygons and plain columns (the blind spots) is written by
    :func:`~geotool.output.geojson_text.polygons_geojson`, the same bytes
    without holding the GIL for a second; any other by GDAL (pyogrio),
    through its Arrow interface with ``arrow=True`` where GDAL has it (3.8
    and later).
    """
    wgs84 = gdf.to_crs(4326)
    text = polygons_geojson(wgs84, layer=layer)
    if text is not None:
        return text
    buffer = io.BytesIO()
    pyogrio.write_dataframe(wgs84, buffer, driver="GeoJSON", layer=layer,
                            COORDINATE_PRECISION=6, use_arrow=arrow and _GDAL_ARROW)
    return buffer.getvalue()


@collector_paused()
def write_gaps(result, out: str | Path, *, lang: str = "zh", xlsx: bool = True,
               unit_lists: bool = True, progress=None, unit_progress=None,
               early: EarlyIssueList | None = None) -> dict[str, Path]:
    """Write every gap list of a :class:`~geotool.analysis.gaps.GapResult` into ``out``.

    Files: ``features.csv``, ``districts.csv``, ``issues.csv``,
    ``blindspots.geojson``, ``units.csv``, ``gaps.xlsx`` (the city view,
    :mod:`~geotool.output.city_workbook`), one workbook per responsible unit in
    ``units/`` (:mod:`~geotool.output.unit_lists`) and, when rows were
    quarantined, ``quarantine.csv``. Each is written atomically, in two
    threads (:mod:`~geotool.output.write_threads`); ``run.json`` last.
    ``xlsx=False`` skips the spreadsheets (the slowest files for very large
    inputs); ``unit_lists=False`` skips the units' workbooks. ``progress`` is
    called with a file name before each spreadsheet, ``unit_progress`` with
    ``(done, total)`` after each unit's workbook, in rank order. ``early``:
    the :class:`EarlyIssueList` that has been writing ``issues.csv`` from
    ``result.issues`` (put in place instead of writing it again).

    Returns
    -------
    dict
        File key -> path written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out, keep=early.temps() if early is not None else ())
    units: dict[str, Path] = {}
    with write_threads() as pool:
        # longest first, the many small unit workbooks last (queued when their rows are
        # ready), so that both threads stay busy to the end; this thread only waits.
        # The units' rows (pandas, mostly holding the GIL) are made after the issue list
        # (Arrow, mostly not), so that they run beside the city workbook's row joins,
        # not beside its own pandas work (at 1M: the write stage 0.2-0.3 s shorter)
        files: dict[Future, str] = {}
        if xlsx:
            if progress is not None:
                progress("gaps.xlsx")
            files[pool.submit(write_city_workbook, result, out / "gaps.xlsx", lang=lang)] = "xlsx"
        jobs = None
        for key, frame, path, columns in _csv_files(result, out):
            if key == "features":  # after the issue list, the longest CSV
                files[pool.submit(_write_blindspots, result, out)] = "blindspots"
            if key == "issues" and early is not None:
                files[pool.submit(_issue_list, early, frame, path, columns)] = key
            else:
                files[pool.submit(write_csv, frame, path, columns=columns)] = key
            if key == "issues" and xlsx and unit_lists:
                jobs = pool.submit(_unit_jobs, result, out, lang, pool)
        pending = set(files) | ({jobs} if jobs is not None else set())
        plan: UnitJobs | None = None
        made: list[Future] = []
        shown = 0
        while pending:
            done = first_done(pending)
            if jobs in done:
                plan, made = jobs.result()
                pending.update(made)
                if progress is not None:
                    progress("units/")
            while unit_progress is not None and shown < len(made) and made[shown].done():
                shown += 1
                unit_progress(shown, len(made))
    written = {files[f]: f.result() for f in files}
    written = {k: written[k] for k in (*_ORDER, *sorted(set(written) - set(_ORDER)))
               if k in written}
    if plan is not None:
        units = plan.finish({key: f.result() for key, f in zip(plan.keys, made, strict=True)})
    written.update(units)
    written["run"] = _run_manifest(result, out, written)
    return written


_ORDER = ("features", "districts", "issues", "units", "blindspots", "quarantine", "flagged",
          "xlsx")


def _issue_list(early: EarlyIssueList, issues: pd.DataFrame, path: Path,
                columns: list[str] | None) -> Path:
    """``issues.csv``: the early one put in place, or written now when not made from ``issues``."""
    return early.publish(issues, path) or write_csv(issues, path, columns=columns)


def _unit_jobs(result, out: Path, lang: str, pool: Executor
               ) -> tuple[UnitJobs, list[Future]]:
    """The units' rows and names (in a write thread), each unit's workbook then queued."""
    plan = unit_jobs(result, out, lang=lang)
    return plan, [pool.submit(job) for job in plan.jobs]


def _write_blindspots(result, out: Path) -> Path:
    """``blindspots.geojson`` (areas to 0.1 m²)."""

    def geojson(tmp: Path) -> None:
        gdf = result.blindspots.copy()
        gdf["area_m2"] = gdf["area_m2"].round(1)
        tmp.write_bytes(geojson_bytes(gdf, layer="blindspots", arrow=True))

    return write_atomic(out / "blindspots.geojson", geojson)


def _csv_files(result, out: Path) -> list[tuple[str, pd.DataFrame, Path, list[str] | None]]:
    """The CSVs of :func:`write_gaps` (key, frame, path, columns), longest first.

    Stale optional ones (a quarantine or flagged list this run has not) are removed.
    """
    files = [("issues", result.issues, out / "issues.csv", _plain(result.issues)),
             ("features", result.features, out / "features.csv", _plain(result.features)),
             ("districts", result.districts, out / "districts.csv", _plain(result.districts)),
             ("units", result.units, out / "units.csv", None)]
    if len(result.quarantine):
        files.insert(1, ("quarantine", result.quarantine, out / "quarantine.csv", None))
    elif (out / "quarantine.csv").exists():
        (out / "quarantine.csv").unlink()
    flagged = getattr(result, "flagged", None)
    if flagged is not None and len(flagged):
        files.insert(1, ("flagged", flagged, out / "flagged.csv", None))
    elif (out / "flagged.csv").exists():
        (out / "flagged.csv").unlink()
    return files


def _write_lists(result, out: Path, *, lang: str) -> dict[str, Path]:
    """The CSVs of :func:`write_gaps`, one after the other in this thread (benchmarks)."""
    return {key: write_csv(frame, path, columns=columns)
            for key, frame, path, columns in _csv_files(result, out)}


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
        # paths from ``out`` (a unit's workbook is ``units/<unit>.xlsx``), '/' on every OS
        "files": sorted(Path(os.path.relpath(p, out)).as_posix() for p in written.values()),
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
    return [printable(line) for line in lines]  # names and paths from the data: no ESC, no break


def summary_table(result, *, lang: str = "zh") -> str:
    """A short per-district table (top level) for the terminal, worst first."""
    d = result.districts
    top = d[d["level"] == d["level"].min()].sort_values("rank")
    cols = ["rank", "district_id", "name", "coverage_rate", "open_issues", "overdue_issues",
            "recurring_features", "blindspot_share", "score"]
    shown = pd.DataFrame(top[cols]).copy()
    shown["coverage_rate"] = (shown["coverage_rate"] * 100).round(1).astype(str) + "%"
    shown["blindspot_share"] = (shown["blindspot_share"] * 100).round(1).astype(str) + "%"
    for col in ("district_id", "name"):  # from the data: shown with control characters escaped
        shown[col] = shown[col].astype(str).map(printable)
    shown.columns = [header(c, lang) for c in cols]
    title = (f"{printable(result.city)}  {tr('cli.as_of', lang)} {result.as_of.isoformat()}  "
             f"{tr('cli.window', lang)} {result.params.window_days} {tr('cli.days', lang)}")
    return title + "\n" + shown.to_string(index=False)
