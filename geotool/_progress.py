"""Progress of long work on stderr, shown only on a terminal (silent in pipes and CI).

:class:`Stages` shows one live line (``rich``'s status spinner) naming the
stage under way, the file being written or ``done/total``. When stderr is not
a terminal, every method does nothing, so logs and pipes stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Self

from rich.console import Console

from geotool.text import tr

if TYPE_CHECKING:
    from rich.status import Status

__all__ = ["Stages"]


class Stages:
    """A context manager showing the stage under way on a terminal's stderr.

    Examples
    --------
    >>> with Stages("en") as s:  # stderr is not a terminal here: nothing is shown
    ...     s.stage("progress.load"); s.count(1, 2)
    """

    def __init__(self, lang: str = "zh", *, stream=None) -> None:
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self._status: Status | None = None
        self._text = ""

    def __enter__(self) -> Self:
        isatty = getattr(self.stream, "isatty", None)
        if callable(isatty) and isatty():

            console = Console(file=self.stream)
            self._status = console.status("", spinner="dots")
            self._status.start()
        return self

    def _show(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)

    def stage(self, key: str) -> None:
        """Show the stage ``key`` (a ``progress.*`` text key)."""
        self._text = tr(key, self.lang)
        self._show(self._text)

    def file(self, name: str) -> None:
        """Show the file being written within the stage."""
        self._show(f"{self._text} {name}")

    def count(self, done: int, total: int) -> None:
        """Show ``done/total`` within the stage."""
        self._show(f"{self._text} {done}/{total}")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
