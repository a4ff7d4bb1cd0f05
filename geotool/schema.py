"""Every column contract of geotool, in one place.

Readers produce, the analysis consumes and the outputs write the columns
named here; nothing else declares them. Each contract is a tuple in output
order. The *extras* are columns a result frame carries for the maps and
lists beside its public contract (``level_<n>`` district ids per nesting
level, the ``open`` flag of an issue); :func:`public_columns` drops them
before a table is written.

Examples
--------
>>> "found_at" in RECORD_CANONICAL and "address" in ISSUE_COLUMNS
True
>>> public_columns(["record_id", "open", "level_1", "status"])
['record_id', 'status']
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BLINDSPOT_COLUMNS", "FEATURE_COLUMNS", "ISSUE_COLUMNS", "QUARANTINE_COLUMNS",
           "RECORD_CANONICAL", "RECORD_COLUMNS", "RECORD_RAW_COLUMNS", "RECORD_TEXT_COLUMNS",
           "is_extra", "public_columns"]

#: Canonical record columns (what a records file may hold), in output order.
RECORD_CANONICAL: tuple[str, ...] = (
    "record_id", "kind", "found_at", "lon", "lat", "feature_id", "feature_name", "category",
    "description", "source", "unit", "deadline", "status", "rectified_at", "district", "address",
    "reporter", "phone",
)
#: Record columns held as text.
RECORD_TEXT_COLUMNS: tuple[str, ...] = (
    "record_id", "feature_id", "feature_name", "category", "description", "source", "unit",
    "district", "address")
#: The records table as the readers hand it over (before normalisation).
RECORD_RAW_COLUMNS: list[str] = [*RECORD_CANONICAL, "updated_at", "_file", "_sheet", "_row",
                                 "_extra", "_merged", "_outside", "_formula"]
#: The normalised records table (plus ``geometry``).
RECORD_COLUMNS: list[str] = [*RECORD_CANONICAL, "updated_at", "located_by", "problems", "_file",
                             "_sheet", "_row", "_order"]

#: One row per input row or cell that was not used (or was flagged).
QUARANTINE_COLUMNS: list[str] = ["file", "sheet", "layer", "row", "column", "value",
                                 "reason_code", "reason"]

#: ``features.csv``: one row per ledger feature.
FEATURE_COLUMNS: list[str] = [
    "layer", "feature_id", "name", "district", "unit", "covered", "last_touched",
    "records_in_window", "open_issues", "overdue_issues", "recurring", "district_path", "type",
    "last_inspected", "last_issue", "visit_state", "leader"]
#: ``issues.csv``: one row per issue known as of the date.
ISSUE_COLUMNS: list[str] = [
    "record_id", "feature_ids", "layers", "district", "district_path", "category",
    "description", "source", "unit", "found_at", "deadline", "status", "rectified_at", "overdue",
    "days_open", "recurring", "lon", "lat", "address", "problems", "reopened_at"]
#: ``blindspots.geojson``: one row per blind-spot part.
BLINDSPOT_COLUMNS: list[str] = ["district_id", "part", "area_m2", "features_inside",
                                "uncovered_inside", "feature_ids_inside"]

_EXTRA_NAMES = frozenset({"open"})
_EXTRA_PREFIXES = ("level_",)


def is_extra(column: str) -> bool:
    """Whether ``column`` is a result extra (``level_<n>``, ``open``), not a public column.

    Examples
    --------
    >>> is_extra("level_2"), is_extra("open"), is_extra("open_issues")
    (True, True, False)
    """
    return column in _EXTRA_NAMES or column.startswith(_EXTRA_PREFIXES)


def public_columns(columns: Iterable[str]) -> list[str]:
    """``columns`` without the result extras, order kept."""
    return [c for c in columns if not is_extra(c)]
