"""Colours, dash patterns and marker shapes of the maps.

Every state is told apart by two channels, never colour alone: the
colour-blind-safe Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design") plus a dash pattern for lines and outlines and a shape for points
and issue markers. The score ramp of the overview is ColorBrewer's RdYlBu
(5 classes, marked colour-blind safe), with the score printed on each
district as well. The interactive maps (``map.css``/``map.js``) and the
static PNGs (:mod:`geotool.output.render.png`) take their styles from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BLIND_COLOR",
    "FEATURE_STATES",
    "HEAT_COLORS",
    "ISSUE_CLASSES",
    "ISSUE_COLORS",
    "OKABE_ITO",
    "SCORE_BREAKS",
    "SCORE_COLORS",
    "FeatureStyle",
    "feature_states",
    "issue_classes",
    "score_color",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class FeatureStyle:
    """How a ledger feature in one state is drawn.

    Attributes
    ----------
    key : str
        State key (``covered``, ``forgotten``, ``open``, ``recurring``).
    color : str
        Stroke and fill colour.
    dash : str or None
        SVG dash array of lines and polygon outlines (``None``: solid).
    weight : float
        Line width in pixels.
    shape : str
        Point marker shape (``circle``, ``square``, ``diamond``, ``triangle``).
    hollow : bool
        Point markers drawn as an outline only.
    """

    key: str
    color: str
    dash: str | None
    weight: float
    shape: str
    hollow: bool = False


#: Feature states, most urgent last; a feature takes the most urgent that applies.
FEATURE_STATES: tuple[FeatureStyle, ...] = (
    FeatureStyle("covered", OKABE_ITO["blue"], None, 3.0, "circle"),
    FeatureStyle("forgotten", OKABE_ITO["vermillion"], "10 6", 4.0, "square", hollow=True),
    FeatureStyle("open", OKABE_ITO["orange"], "2 5", 5.0, "diamond"),
    FeatureStyle("recurring", OKABE_ITO["reddish_purple"], "14 4 3 4", 5.0, "triangle"),
)

#: Issue marker classes (index = class code in the map data).
ISSUE_CLASSES: tuple[str, ...] = ("open", "overdue", "rectified")
ISSUE_COLORS = {"open": OKABE_ITO["orange"], "overdue": OKABE_ITO["vermillion"],
                "rectified": OKABE_ITO["bluish_green"]}
#: Issue marker shapes (with a glyph inside, so they never look like ledger points).
ISSUE_SHAPES = {"open": "circle", "overdue": "square", "rectified": "circle"}
ISSUE_GLYPHS = {"open": "!", "overdue": "!!", "rectified": "✓"}

#: Score classes of the overview (lower bound of each class) and their colours.
SCORE_BREAKS = (0.0, 60.0, 70.0, 80.0, 90.0)
SCORE_COLORS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")

#: Heat (open issues per grid cell), low to high: viridis at five stops.
HEAT_COLORS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")

#: Blind-spot hatching and outline.
BLIND_COLOR = "#333333"

#: District outline and nested-level outlines (by depth below the district).
OUTLINE_COLOR = "#000000"
LEVEL_STYLES = (("#444444", 2.0, "8 4"), ("#777777", 1.2, "3 3"), ("#999999", 0.8, "1 3"))


def feature_states(features: pd.DataFrame) -> np.ndarray:
    """Index into :data:`FEATURE_STATES` for each feature.

    Parameters
    ----------
    features : DataFrame
        With ``covered``, ``open_issues`` and ``recurring`` columns.

    Returns
    -------
    numpy.ndarray of int
        0 covered, 1 forgotten (not covered), 2 has open issues, 3 recurring;
        the most urgent state wins.

    Examples
    --------
    >>> df = pd.DataFrame({"covered": [True, False, True, False],
    ...                    "open_issues": [0, 0, 2, 1], "recurring": [False, False, False, True]})
    >>> feature_states(df).tolist()
    [0, 1, 2, 3]
    """
    covered = features["covered"].fillna(False).astype(bool).to_numpy()
    open_ = features["open_issues"].fillna(0).to_numpy() > 0
    recurring = features["recurring"].fillna(False).astype(bool).to_numpy()
    state = np.where(covered, 0, 1)
    state = np.where(open_, 2, state)
    return np.where(recurring, 3, state).astype(int)


def issue_classes(issues: pd.DataFrame) -> np.ndarray:
    """Index into :data:`ISSUE_CLASSES` for each issue.

    Open and rectifying issues are ``open`` (``overdue`` when past their
    deadline); rectified and closed ones are ``rectified``.

    Examples
    --------
    >>> df = pd.DataFrame({"open": [True, True, False], "overdue": [False, True, False]})
    >>> issue_classes(df).tolist()
    [0, 1, 2]
    """
    open_ = issues["open"].fillna(False).astype(bool).to_numpy()
    overdue = issues["overdue"].fillna(False).astype(bool).to_numpy()
    return np.where(open_, np.where(overdue, 1, 0), 2).astype(int)


def score_color(score: float) -> str:
    """Colour of a readiness score (0–100) on the overview.

    Examples
    --------
    >>> score_color(35.0), score_color(95.0)
    ('#d7191c', '#2c7bb6')
    """
    if score is None or not np.isfinite(score):
        return "#cccccc"
    idx = int(np.searchsorted(SCORE_BREAKS, float(score), side="right")) - 1
    return SCORE_COLORS[max(0, min(idx, len(SCORE_COLORS) - 1))]
