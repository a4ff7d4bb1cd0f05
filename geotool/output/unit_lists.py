"""One workbook per responsible unit (``units/<unit>.xlsx``) and the cover that ranks them.

Each unit with something to do gets a printable workbook of three sheets,
its forgotten places, its open issues (most urgent first) and its recurring
places, each headed by the unit's summary: the as-of date, its counts and its
rank among the units. Records and places that name no unit go to a list of
their own for the campaign office, named in the current language. The cover
(``units/00-<cover>.xlsx``) ranks the units worst first with their counts and
the file of each.

File names are made safe: characters no file system accepts become ``_``,
names reserved on Windows get a leading ``_``, long names are cut, and two
units whose safe names coincide get ``-2``, ``-3`` in rank order. A unit
name never leaves the ``units`` folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geotool._atomic import remove_stale_temps
from geotool.analysis.scoring import NO_UNIT
from geotool.analysis.worklists import Worklists, unit_worklists
from geotool.output.city_workbook import layer_labeler, shown_frame
from geotool.output.workbook import Sheet, Table, table, write_workbook
from geotool.text import header, tr

__all__ = ["UNITS_DIR", "UnitJobs", "safe_file_names", "unit_jobs", "write_unit_lists"]

UNITS_DIR = "units"
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_MAX_STEM = 80
_MAX_STEM_BYTES = 200  # leaves room for "-<n>" and ".xlsx" within 255 bytes

# "leader" (责任领导/路长) is there only when a ledger names leaders (the lists say so)
_PLACES = ["layer", "feature_id", "name", "leader", "district_name", "street_name",
           "community_name", "last_touched", "days_since", "open_issues", "recurring"]
_ISSUES = ["record_id", "category", "description", "place", "feature_ids", "address",
           "district_name",
           "street_name", "community_name", "found_at", "deadline", "days_overdue", "status",
           "source", "recurring", "days_open", "lon", "lat"]
_RECURRING = ["layer", "feature_id", "name", "leader", "district_name", "street_name",
              "community_name", "recurrences", "last_recurrence", "open_issues"]
_COUNTS = ["forgotten_places", "open_issues", "overdue_issues", "recurring_places"]


def _stem(name: str) -> str:
    stem = _BAD.sub("_", name).strip(" .")[:_MAX_STEM]
    # file systems count bytes (255): 80 four-byte characters would be 320
    stem = stem.encode("utf-8", "surrogatepass")[:_MAX_STEM_BYTES].decode("utf-8", "ignore")
    stem = stem.strip(" .")
    if not stem:
        stem = "_"
    # a reserved device name, or a leading '-' a shell loop would take for an option
    if stem.split(".")[0].upper() in _RESERVED or stem.startswith("-"):
        stem = "_" + stem
    return stem


def safe_file_names(names: list[str], *, taken: set[str] | None = None) -> list[str]:
    """A safe, distinct ``.xlsx`` file name for each name, in order.

    Examples
    --------
    >>> safe_file_names(["城管局", "a/b", "a:b", "CON", "..", "城管局", "-rf"])
    ['城管局.xlsx', 'a_b.xlsx', 'a_b-2.xlsx', '_CON.xlsx', '_.xlsx', '城管局-2.xlsx', '_-rf.xlsx']
    """
    used = {t.lower() for t in (taken or set())}
    out = []
    for name in names:
        stem = _stem(str(name))
        candidate, n = stem, 1
        while f"{candidate}.xlsx".lower() in used:
            n += 1
            candidate = f"{stem}-{n}"
        used.add(f"{candidate}.xlsx".lower())
        out.append(f"{candidate}.xlsx")
    return out


def _shown_name(unit: str, lang: str) -> str:
    return tr("lists.no_unit", lang) if unit == NO_UNIT else unit


def _top(result, unit: str, row: pd.Series, n_units: int, lang: str) -> list[list[object]]:
    counts: list[object] = []
    for col in _COUNTS:
        counts += [header(col, lang), int(row[col])]
    return [
        [tr("lists.title", lang, city=result.city, unit=_shown_name(unit, lang))],
        [tr("lists.as_of_label", lang), result.as_of,
         tr("lists.rank_label", lang, n=n_units), int(row["rank"]),
         tr("lists.window", lang, days=result.params.window_days)],
        counts,
    ]


def _without_empty_leader(part: Table, cols: list[str]) -> tuple[Table, list[str]]:
    """``part`` and its columns, less the leader column where none of its rows names one.

    The lists get 责任领导/路长 when a ledger names leaders; a unit whose own
    places name none gets no empty column.
    """
    if "leader" not in cols:
        return part, cols
    j = cols.index("leader")
    codes = part.columns[j].codes
    if codes is not None and bool((codes >= 0).any()):
        return part, cols
    keep = [i for i in range(len(cols)) if i != j]
    return (Table([part.names[i] for i in keep], [part.columns[i] for i in keep]),
            [cols[i] for i in keep])


def _unit_sheets(result, unit: str, row: pd.Series, parts: tuple[Table, ...],
                 columns: list[list[str]], n_units: int, lang: str) -> list[Sheet]:
    top = _top(result, unit, row, n_units, lang)
    title = tr("lists.title", lang, city=result.city, unit=_shown_name(unit, lang))
    as_of = tr("lists.as_of", lang, as_of=result.as_of.isoformat())
    sheets = []
    for key, part, cols in zip(("lists.sheet_places", "lists.sheet_issues",
                                "lists.sheet_recurring"), parts,
                               columns, strict=True):
        sheets.append(Sheet(name=tr(key, lang), frame=part,
                            headers=[header(c, lang) for c in cols], top=top,
                            title=title, as_of=as_of))
    return sheets


def _cover(result, lists: Worklists, files: list[str], lang: str) -> Sheet:
    s = lists.summary.copy()
    s["unit"] = [_shown_name(u, lang) for u in s["unit"]]
    s["file"] = files
    cols = ["rank", "unit", *_COUNTS, "max_days_overdue", "file"]
    heads = [tr("lists.file", lang) if c == "file" else header(c, lang) for c in cols]
    title = tr("lists.cover_title", lang, city=result.city)
    return Sheet(name=tr("lists.sheet_cover", lang), frame=s[cols], headers=heads,
                 top=[[title], [tr("lists.as_of_label", lang), result.as_of]], title=title,
                 as_of=tr("lists.as_of", lang, as_of=result.as_of.isoformat()))


@dataclass
class UnitJobs:
    """The units' workbooks, ready to write: one job per workbook, then :meth:`finish`.

    Attributes
    ----------
    keys : list of str
        ``"unit:<unit>"`` of each job, in rank order.
    jobs : list of callable
        Each writes one unit's workbook and returns its path; they may run in
        any thread, in any order.
    """

    keys: list[str]
    jobs: list[Callable[[], Path]]
    _cover: Callable[[], Path]
    _folder: Path

    def finish(self, written: dict[str, Path]) -> dict[str, Path]:
        """After every job: the cover written, stale workbooks removed; ``written`` + cover."""
        written = {**written, "cover": self._cover()}
        keep = {p.name for p in written.values()}
        for old in self._folder.glob("*.xlsx"):
            if old.name not in keep:
                old.unlink()
        return written


def unit_jobs(result, out: str | Path, *, lang: str = "zh",
              lists: Worklists | None = None) -> UnitJobs:
    """Everything :func:`write_unit_lists` does before the workbooks: their rows, names, jobs.

    Every list is put in the planner's words and encoded once; each unit's
    job takes its rows. Parameters as for :func:`write_unit_lists`.
    """
    folder = Path(out) / UNITS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder)
    lists = lists or unit_worklists(result)
    summary = lists.summary
    cover_name = f"00-{tr('lists.sheet_cover', lang)}.xlsx"
    names = [tr("lists.no_unit_file", lang) if u == NO_UNIT else u for u in summary["unit"]]
    files = safe_file_names(names, taken={cover_name})
    created = dt.datetime.combine(result.as_of, dt.time())
    label = layer_labeler(result, lang)
    frames = (lists.places, lists.issues, lists.recurring)
    groups = [f.groupby("unit", sort=False).indices for f in frames]
    columns = [[c for c in cols if c in f]
               for f, cols in zip(frames, (_PLACES, _ISSUES, _RECURRING), strict=True)]
    tables = [table(shown_frame(f[cols].reset_index(drop=True), lang, label), lang=lang)
              for f, cols in zip(frames, columns, strict=True)]
    none = np.zeros(0, dtype=np.int64)
    n = len(summary)

    def job(row, file: str) -> Callable[[], Path]:
        def one() -> Path:
            taken = [_without_empty_leader(t.take(g.get(row.unit, none)), cols)
                     for t, g, cols in zip(tables, groups, columns, strict=True)]
            parts = tuple(t for t, _ in taken)
            sheets = _unit_sheets(result, row.unit, pd.Series(row._asdict()), parts,
                                  [c for _, c in taken], n, lang)
            return write_workbook(folder / file, sheets, lang=lang, created=created)
        return one

    rows = list(zip(summary.itertuples(index=False), files, strict=True))

    def cover() -> Path:
        return write_workbook(folder / cover_name, [_cover(result, lists, files, lang)],
                              lang=lang, created=created)

    return UnitJobs(keys=[f"unit:{row.unit}" for row, _ in rows],
                    jobs=[job(row, file) for row, file in rows], _cover=cover, _folder=folder)


def write_unit_lists(result, out: str | Path, *, lang: str = "zh",
                     lists: Worklists | None = None, progress=None,
                     pool: Executor | None = None) -> dict[str, Path]:
    """Write every unit's workbook and the cover into ``out/units``.

    Parameters
    ----------
    result : GapResult
    out : path
        The output folder; workbooks go into its ``units`` folder. Workbooks
        there from an earlier run for units with nothing to do now are removed.
    lang : {"zh", "en"}
    lists : Worklists, optional
        Precomputed :func:`~geotool.analysis.worklists.unit_worklists`.
    progress : callable, optional
        Called with ``(done, total)`` after each workbook.
    pool : Executor, optional
        Threads to write the units' workbooks in (they release the GIL while
        compressing and joining rows); by default one after the other, here.

    Returns
    -------
    dict
        ``"unit:<unit>"`` (``"unit:"`` for the no-unit list) -> path, and
        ``"cover"`` -> the cover's path.
    """
    plan = unit_jobs(result, out, lang=lang, lists=lists)
    done = [pool.submit(job) for job in plan.jobs] if pool is not None else None
    written: dict[str, Path] = {}
    for i, (key, job) in enumerate(zip(plan.keys, plan.jobs, strict=True)):
        written[key] = done[i].result() if done is not None else job()
        if progress is not None:
            progress(i + 1, len(plan.jobs))
    return plan.finish(written)
