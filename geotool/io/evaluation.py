"""The ``[evaluation]`` table: how evaluators are assumed to draw and score places.

The exact quotas of the national evaluation are not public, so everything
here is configuration. A preset (``preset = "mock-2021"``) fills in figures
that were reported for past (mock) evaluations; they are **estimates**, and
every key given next to a preset overrides it.

Keys
----
preset : str
    One of :data:`PRESETS`.
quotas : table of int
    Places drawn per ledger layer (``"markets" = 2``) or per layer and type
    (``"points:学校" = 3``). A place counts under its most specific key; a
    layer key draws from the layer's places no ``layer:type`` key takes.
declared : int
    When ``quotas`` is not given: this many declared places, spread over
    every (layer, type) group in proportion to its size.
undeclared : int
    Places drawn from the area off the ledgers (streets, crossings, shops):
    cells of ``undeclared_cell_m`` metres inside the district.
undeclared_cell_m : float
    Side of those cells, metres (default 100).
loss_per_failed_place : float
    Points lost when a drawn place fails.
p_fail_per_open_issue, p_fail_forgotten : float, optional
    Failure model. Unset: a drawn place fails exactly when it has at least one
    open issue. Set: each open issue makes it fail with that probability, and
    a place nobody inspected in the window fails with ``p_fail_forgotten``,
    all independently.
scope : {"city", "district"}
    Quotas are drawn once for the whole city, or once in every district.
loss_threshold : float
    ``risk.csv`` gives the probability that a district loses more than this.
draws, seed : int
    Monte Carlo defaults (``--draws``, ``--seed`` override them).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geotool._errors import ConfigError
from geotool.text import Note

__all__ = ["PRESETS", "EvaluationSpec", "parse_evaluation"]


@dataclass(frozen=True)
class EvaluationSpec:
    """A parsed ``[evaluation]`` table (see the module docstring for each key)."""

    preset: str | None = None
    quotas: dict[str, int] = field(default_factory=dict)
    declared: int | None = None
    undeclared: int = 0
    undeclared_cell_m: float = 100.0
    loss_per_failed_place: float = 1.0
    p_fail_per_open_issue: float | None = None
    p_fail_forgotten: float | None = None
    scope: str = "city"
    loss_threshold: float = 1.0
    draws: int = 10_000
    seed: int = 0
    estimate: bool = False


#: Presets: figures reported for past evaluations. ESTIMATES, not the official quotas.
PRESETS: dict[str, dict[str, Any]] = {
    # Mock evaluations following the 2021 evaluation handbook (《全国文明城市测评体系操作手册》
    # 2021 版) drew 87 places of 26 types across a city (as reported to us in issue #15;
    # the handbook's own quotas are not public). Field evaluation is about 40 of 100 points,
    # so a failed place is taken to cost 40 / 87 ≈ 0.46 points. ESTIMATE.
    "mock-2021": {"declared": 87, "undeclared": 0, "loss_per_failed_place": 40 / 87,
                  "scope": "city"},
    # A published example of the field draw: 20 declared places by type plus 50 random
    # undeclared ones (streets, crossings, restaurants). 40 points over 70 places. ESTIMATE.
    "published-example": {"declared": 20, "undeclared": 50, "loss_per_failed_place": 40 / 70,
                          "scope": "city"},
    # One city's mock evaluation drew 78 points across its 5 districts, about 16 in each
    # (issue #15). 40 points over 78 places. ESTIMATE.
    "city-mock-78": {"declared": 16, "undeclared": 0, "loss_per_failed_place": 40 / 78,
                     "scope": "district"},
}

_KEYS = {"preset", "quotas", "declared", "undeclared", "undeclared_cell_m",
         "loss_per_failed_place", "p_fail_per_open_issue", "p_fail_forgotten", "scope",
         "loss_threshold", "draws", "seed"}
_COUNTS = ("declared", "undeclared", "draws", "seed")
_PROBS = ("p_fail_per_open_issue", "p_fail_forgotten")
_POSITIVE = ("undeclared_cell_m",)
#: Sane ranges (low, high, unit): beyond them the simulation's arrays outgrow any machine
#: (2e9 draws: 60 GiB; 1 cm cells over a district: terabytes).
RISK_RANGES = {"draws": (1, 1_000_000, ""), "undeclared_cell_m": (1.0, 10_000.0, "m")}
_NON_NEGATIVE = ("loss_per_failed_place", "loss_threshold")
_WHERE = "[evaluation]"


def _hint(key: str, allowed: list[str]) -> Note:
    close = difflib.get_close_matches(key, allowed, n=1)
    return (Note("hint.did_you_mean", name=close[0]) if close
            else Note("hint.allowed", names=", ".join(allowed)))


def _number(name: str, value: Any, path: Path, *, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        key = "config.not_whole_number" if whole else "config.not_number"
        raise ConfigError(Note(key, where=_WHERE, name=name, value=value), path=path)
    if not math.isfinite(value):
        raise ConfigError(Note("config.not_finite", where=_WHERE, name=name, value=value),
                          path=path)
    return value


def _quotas(table: Any, layers: list[str], path: Path) -> dict[str, int]:
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where="[evaluation.quotas]"), path=path)
    out: dict[str, int] = {}
    for key, value in table.items():
        layer = key.split(":", 1)[0].strip()
        if layer not in layers:
            raise ConfigError(Note("risk.quota_layer", key=key, hint=_hint(layer, layers)),
                              path=path)
        count = int(_number(f"quotas.{key}", value, path, whole=True))
        if count < 0:
            raise ConfigError(Note("config.negative", where=_WHERE, name=f"quotas.{key}",
                                   value=value), path=path)
        out[key.strip()] = count
    return out


def parse_evaluation(table: Any, *, layers: list[str], path: Path) -> EvaluationSpec | None:
    """Validate an ``[evaluation]`` table; ``None`` when the config has none.

    Parameters
    ----------
    table : dict or None
        The TOML table.
    layers : list of str
        The workspace's ledger layer keys (quota keys must name one).
    path : Path
        The config file, for error messages.

    Raises
    ------
    ConfigError
        Unknown key or preset, a quota for a layer the workspace lacks, a
        probability outside [0, 1], a negative count or loss.
    """
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where=_WHERE), path=path)
    for key in sorted(set(table) - _KEYS):
        raise ConfigError(Note("config.unknown_key", key=key, where=_WHERE,
                               hint=_hint(key, sorted(_KEYS))), path=path)
    values: dict[str, Any] = {}
    preset = table.get("preset")
    if preset is not None:
        if not isinstance(preset, str):
            raise ConfigError(Note("config.not_string", where=_WHERE, name="preset",
                                   value=preset), path=path)
        if preset not in PRESETS:
            raise ConfigError(Note("risk.unknown_preset", preset=preset,
                                   hint=_hint(str(preset), sorted(PRESETS))), path=path)
        values.update(PRESETS[preset], preset=preset, estimate=True)
    for name in _COUNTS + _PROBS + _POSITIVE + _NON_NEGATIVE:
        if name not in table:
            continue
        value = _number(name, table[name], path, whole=name in _COUNTS)
        bad = ((name in _PROBS and not 0 <= value <= 1) or (name in _POSITIVE and value <= 0)
               or value < 0 or (name == "draws" and value < 1))
        if bad:
            key = "risk.not_probability" if name in _PROBS else "config.not_positive"
            raise ConfigError(Note(key, where=_WHERE, name=name, value=value), path=path)
        if name in RISK_RANGES and not RISK_RANGES[name][0] <= value <= RISK_RANGES[name][1]:
            low, high, unit = RISK_RANGES[name]
            raise ConfigError(Note("guard.out_of_range", where=_WHERE, name=name, value=value,
                                   low=f"{low:g}", high=f"{high:g}", unit=unit), path=path)
        values[name] = value if name in _COUNTS else float(value)
    if "quotas" in table:
        values["quotas"] = _quotas(table["quotas"], layers, path)
    if "scope" in table:
        if table["scope"] not in ("city", "district"):
            raise ConfigError(Note("risk.bad_scope", value=table["scope"]), path=path)
        values["scope"] = table["scope"]
    return replace(EvaluationSpec(), **values)
