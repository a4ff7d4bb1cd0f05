"""Writing the evaluation risk: ``risk.csv`` (per district) and ``risk_places.csv`` (per place).

Both are UTF-8 with BOM (Excel opens the Chinese right), keep the contract
column names of :data:`geotool.analysis.risk.DISTRICT_COLUMNS` and
:data:`~geotool.analysis.risk.PLACE_COLUMNS`, are written atomically and
have formula-like text cells escaped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geotool._errors import printable
from geotool.output.report import write_csv
from geotool.text import tr

__all__ = ["risk_lines", "write_risk"]


def write_risk(risk, out: str | Path) -> list[Path]:
    """Write ``risk.csv`` and ``risk_places.csv`` into ``out``.

    Parameters
    ----------
    risk : RiskResult
        From :func:`geotool.analysis.risk.evaluation_risk`: its ``districts``
        go to ``risk.csv``, its ``places`` (without geometry) to ``risk_places.csv``.
    out : str or Path
        Output folder (created when missing).

    Returns
    -------
    list of Path
        The two files, in that order.
    """
    out = Path(out)
    places = pd.DataFrame(risk.places.drop(columns="geometry"))
    return [write_csv(risk.districts, out / "risk.csv"),
            write_csv(places, out / "risk_places.csv")]


def risk_lines(risk, *, lang: str = "zh", top: int = 10,
               labels: dict[str, str] | None = None) -> list[str]:
    """What ``geotool risk`` prints: the city's figures and the places to fix first."""
    labels = labels or {}
    city = risk.districts.iloc[-1]
    lines = [tr("risk.summary", lang, draws=risk.draws, seed=risk.seed,
                loss=float(city["expected_loss"]), p10=float(city["p10_loss"]),
                p90=float(city["p90_loss"]))]
    if risk.spec.estimate:
        lines.append(tr("risk.estimate", lang, preset=risk.spec.preset))
    lines += [note.render(lang) for note in risk.notes]
    best = risk.places[risk.places["drop_if_fixed"] > 0].head(top)
    for rank, (_, r) in enumerate(best.iterrows(), start=1):
        lines.append(tr("risk.top_place", lang, rank=rank, name=r["name"],
                        layer=labels.get(r["layer"], r["layer"]), fid=r["feature_id"],
                        drop=float(r["drop_if_fixed"])))
    return [printable(line) for line in lines]  # place names from the data: no ESC codes
