"""Writing the evaluation risk: ``risk.csv`` (per district) and ``risk_places.csv`` (per place).

Both are UTF-8 with BOM (Excel opens the Chinese right), keep the contract
column names of :data:`geotool.analysis.risk.DISTRICT_COLUMNS` and
:data:`~geotool.analysis.risk.PLACE_COLUMNS`, are written atomically and
have formula-like text cells escaped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geotool._atomic import write_atomic
from geotool.output.report import escape_formulas
from geotool.text import tr

__all__ = ["risk_lines", "write_risk"]


def _csv(df: pd.DataFrame, path: Path) -> Path:
    def writer(tmp: Path) -> None:
        escape_formulas(df).to_csv(tmp, index=False, encoding="utf-8-sig")

    return write_atomic(path, writer)


def write_risk(risk, out: str | Path) -> list[Path]:
    """Write ``risk.csv`` and ``risk_places.csv`` into ``out``; returns their paths.

    Parameters
    ----------
    risk : RiskResult
        From :func:`geotool.analysis.risk.evaluation_risk`.
    out : str or Path
        Output folder (created when missing).
    """
    out = Path(out)
    places = pd.DataFrame(risk.places.drop(columns="geometry"))
    return [_csv(risk.districts, out / "risk.csv"), _csv(places, out / "risk_places.csv")]


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
    return lines
