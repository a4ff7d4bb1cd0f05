"""geotool's exception classes.

Every error a user can cause is a :class:`GeotoolError`; the CLI turns it into
one line (no traceback) and exit code 2. Messages name the file, the row or
column when known, what was found and the fix.
"""

from __future__ import annotations

__all__ = ["GeotoolError", "ConfigError", "InputError", "CRSError"]


class GeotoolError(Exception):
    """Base class of all user-facing geotool errors."""

    def __init__(self, message: str, *, path: object | None = None,
                 row: int | None = None, column: str | None = None) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        """``file, row N, column 'c': message`` on one line (newlines become spaces).

        Examples
        --------
        >>> str(InputError("not a date\\nuse YYYY-MM-DD", path="r.csv", row=3, column="发现时间"))
        "r.csv, row 3, column '发现时间': not a date use YYYY-MM-DD"
        """
        where = []
        if self.path:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        return " ".join(text.split())


class ConfigError(GeotoolError):
    """The workspace config (geotool.toml) is missing, malformed or wrong."""


class InputError(GeotoolError):
    """A data file cannot be used at all (unreadable, empty, no usable columns)."""


class CRSError(GeotoolError):
    """A coordinate reference system or datum is unknown or missing."""
