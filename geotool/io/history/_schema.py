"""The history store's tables, column types and migrations (shared by both backends).

Every table holds rows of many snapshots, told apart by ``as_of`` (the
analysis date; one snapshot per date). Column types are abstract here and
mapped to SQL types by each backend: ``text``, ``int``, ``real``, ``bool``,
``date`` (a calendar day), ``ts`` (a local date-time, no zone) and the
geometry of the table (WGS-84, EPSG:4326), if any.
"""

from __future__ import annotations

__all__ = ["GEOMETRY", "INDEXES", "SCHEMA_VERSION", "TABLES", "migrations"]


def _columns(spec: str) -> list[tuple[str, str]]:
    """``"as_of date, city text"`` -> ``[("as_of", "date"), ("city", "text")]``."""
    pairs = []
    for item in spec.split(","):
        name, kind = item.split()
        pairs.append((name, kind))
    return pairs


#: Table -> ordered (column, type) pairs, written ``name type`` as in SQL; ``as_of`` first.
TABLES: dict[str, list[tuple[str, str]]] = {
    "snapshots": _columns("as_of date, city text, params text, metric_crs text, geotool text, "
                          "features int, issues int, blindspots int"),
    "snapshot_districts": _columns("as_of date, district_id text, name text, level int, "
                                   "parent text, features int, covered int, coverage_rate real, "
                                   "open_issues int, overdue_issues int, recurring_features int, "
                                   "blindspot_area_m2 real, blindspot_share real, score real, "
                                   "rank int"),
    "snapshot_features": _columns("as_of date, layer text, feature_id text, name text, "
                                  "district text, unit text, covered bool, last_touched ts, "
                                  "last_inspected ts, last_issue ts, visit_state text, "
                                  "records_in_window int, open_issues int, overdue_issues int, "
                                  "recurring bool"),
    "snapshot_issues": _columns("as_of date, record_id text, feature_ids text, district text, "
                                "category text, unit text, status text, found_at ts, "
                                "deadline ts, rectified_at ts, reopened_at ts, open bool, "
                                "overdue bool, recurring bool, days_open int"),
    "snapshot_blindspots": _columns("as_of date, district_id text, part int, area_m2 real, "
                                    "features_inside int, uncovered_inside int"),
}

#: Table -> geometry type of its ``geom`` column (WGS-84). Features are kept as
#: a point on each feature (lines and areas too), enough to find them on a map.
GEOMETRY: dict[str, str] = {
    "snapshot_features": "POINT",
    "snapshot_issues": "POINT",
    "snapshot_blindspots": "MULTIPOLYGON",
}

#: Indexes for the queries the store answers: a snapshot by date, a district's
#: or a feature's or an issue's history across dates.
INDEXES: dict[str, list[tuple[str, ...]]] = {
    "snapshot_districts": [("as_of", "level", "district_id"), ("district_id", "as_of")],
    "snapshot_features": [("as_of", "layer", "feature_id"), ("layer", "feature_id", "as_of")],
    "snapshot_issues": [("as_of", "record_id"), ("record_id", "as_of")],
    "snapshot_blindspots": [("as_of", "district_id")],
}

#: The newest schema version this geotool writes.
SCHEMA_VERSION = 2


def migrations(sql_type: dict[str, str], geometry_ddl, spatial_index=None) -> list[list[str]]:
    """The statements that take a store from version ``v`` to ``v + 1`` (item ``v``).

    Parameters
    ----------
    sql_type : dict
        Abstract column type -> the backend's SQL type.
    geometry_ddl : callable
        ``(table, geometry_type) -> list of statements`` adding the ``geom``
        column (and registering it, for a GeoPackage).
    spatial_index : callable, optional
        ``table -> statement`` creating a spatial index.

    Returns
    -------
    list of list of str
        Item 0 creates the tables (version 1); item 1 adds the indexes (version 2).
    """
    v1: list[str] = []
    for table, columns in TABLES.items():
        once = " UNIQUE" if table == "snapshots" else ""  # one snapshot per date
        cols = ", ".join(f"{name} {sql_type[kind]}"
                         + (f" NOT NULL{once}" if name == "as_of" else "")
                         for name, kind in columns)
        v1.append(f"CREATE TABLE {table} ({sql_type['_fid']}, {cols})")
        if table in GEOMETRY:
            v1.extend(geometry_ddl(table, GEOMETRY[table]))
    v2: list[str] = []
    for table, indexes in INDEXES.items():
        for index in indexes:
            v2.append(f"CREATE INDEX ix_{table}_{'_'.join(index)} ON {table} ({', '.join(index)})")
    if spatial_index is not None:
        v2.extend(s for s in (spatial_index(t) for t in GEOMETRY) if s)
    return [v1, v2]
