"""Writing a week-over-week diff: ``diff.csv``, ``diff_districts.csv``, ``diff.xlsx``.

The CSVs keep the contract column names and codes (``change`` is one of
:data:`geotool.analysis.diff.CHANGES`); the workbook shows planner headers and
words (Chinese by default): 新增问题, 升 2 位 and so on. Every file is
written atomically; text cells cannot run as formulas.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import SupportsInt, cast

import pandas as pd

from geotool._errors import printable
from geotool.analysis.diff import CHANGES, Diff
from geotool.output.report import write_csv
from geotool.output.workbook import Sheet, write_workbook
from geotool.text import header, status_label, tr

__all__ = ["diff_notes", "params_note", "rank_move", "write_diff"]


def rank_move(rank_change: pd.Series, lang: str = "zh") -> pd.Series:
    """升/降 n 位 (up/down n) from rank changes (ranks worst first); 新增 when unknown.

    Examples
    --------
    >>> rank_move(pd.Series([2, -1, 0, None], dtype="Int64")).tolist()
    ['升 2 位', '降 1 位', '持平', '新增']
    """
    def one(v: object) -> str:
        if pd.isna(v):
            return tr("move.new", lang)
        n = int(cast(SupportsInt, v))
        if n == 0:
            return tr("move.same", lang)
        return tr("move.up" if n > 0 else "move.down", lang, n=abs(n))

    return rank_change.astype(object).map(one)  # one per district: a handful of rows


def params_note(params_changed: dict[str, tuple[object, object]], lang: str = "zh"
                ) -> str | None:
    """The warning that two dates were analysed with different parameters (or ``None``).

    Parameters
    ----------
    params_changed : dict
        ``Diff.params_changed``: name -> (value at D1, value at D2).
    lang : {"zh", "en"}

    Examples
    --------
    >>> changed = {"reach_m": (300.0, 500.0), "window_days": (7, 14)}
    >>> print(params_note(changed, "en")[:82])
    the two dates were analysed with different parameters (reach_m 300.0 → 500.0, wind
    """
    if not params_changed:
        return None
    shown = "—"
    changes = ", ".join(f"{name} {shown if a is None else printable(a)} → "
                        f"{shown if b is None else printable(b)}"
                        for name, (a, b) in params_changed.items())
    return tr("diff.params_differ", lang, changes=changes)


def diff_notes(diff: Diff, lang: str = "zh") -> list[str]:
    """What a reader of the diff must know before its rows: other parameters, issues renumbered.

    Parameters
    ----------
    diff : Diff
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        The parameter warning (:func:`params_note`) and the count of issues
        matched by content (``Diff.rematched``), those that apply.
    """
    notes = [params_note(diff.params_changed, lang)]
    if diff.rematched:
        notes.append(tr("diff.rematched", lang, n=diff.rematched))
    return [n for n in notes if n is not None]


def write_diff(diff: Diff, out: str | Path, *, lang: str = "zh") -> dict[str, Path]:
    """Write the diff files into ``out``; returns file key -> path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    changes = pd.DataFrame(diff.changes.drop(columns="geometry"))
    districts = diff.districts.copy()
    districts.insert(districts.columns.get_loc("rank_change") + 1, "rank_move",
                     rank_move(districts["rank_change"], lang))
    written = {"changes": write_csv(changes, out / "diff.csv"),
               "districts": write_csv(districts, out / "diff_districts.csv")}
    shown = changes.copy()
    shown["change"] = shown["change"].map({c: tr(f"change.{c}", lang) for c in CHANGES})
    for col in ("status_from", "status_to"):
        words = {s: status_label(s, lang) for s in shown[col].dropna().unique()}
        shown[col] = shown[col].map(words)
    title = tr("diff.title", lang, d1=diff.date_from.isoformat(), d2=diff.date_to.isoformat())
    top: list[list[object]] = [[note] for note in diff_notes(diff, lang)]
    sheets = [Sheet(name=tr(f"sheet.diff_{key}", lang), frame=frame, title=title,
                    headers=[header(c, lang) for c in frame.columns], as_of=title, top=top)
              for key, frame in (("changes", shown), ("districts", districts))]
    created = dt.datetime.combine(diff.date_to, dt.time())
    written["xlsx"] = write_workbook(out / "diff.xlsx", sheets, lang=lang, created=created)
    return written
