"""Matplotlib text from data is text: never mathtext, never TeX (issue #8, item 2).

Matplotlib parses a string with a pair of ``$`` as mathtext (and dies on a
bad one: ``$x^$``). Every PNG geotool draws calls :func:`literal_text` on
its figure just before saving, so every text artist in it (titles, labels,
legend entries, table cells) is drawn exactly as written.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.table import Table
from matplotlib.text import Text

__all__ = ["literal_text"]


def literal_text(fig: Figure) -> Figure:
    """Switch mathtext parsing off on every text artist of ``fig``; return ``fig``."""
    texts = list(fig.findobj(Text))
    for table in fig.findobj(Table):  # a cell's text is not among the cell's children
        texts += [cell.get_text() for cell in table.get_celld().values()]
    for text in texts:
        text.set_parse_math(False)
        text.set_usetex(False)
    return fig
