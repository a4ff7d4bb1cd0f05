"""The ``[records]`` table: where the records are, their datum, their headers and words.

``crs`` is the datum of every records file; ``[records.file_crs]`` gives
particular files (globs, relative to the config like ``paths``) a datum of
their own, for an office whose GPS-app (奥维) exports are WGS-84 while its
AMap spreadsheets are GCJ-02::

    [records]
    paths = ["records/*.xlsx", "records/*.csv"]
    crs = "GCJ-02"
    [records.file_crs]
    "records/奥维导出*.csv" = "EPSG:4326"

A file two of those patterns give different datums is a config error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geotool._errors import ConfigError, CRSError, shown_path
from geotool.io.columns import canonical_column
from geotool.io.config_keys import config_datum, reject_unknown
from geotool.io.record_files import matched_files
from geotool.schema import RECORD_CANONICAL
from geotool.text import Note

__all__ = ["RecordsSpec", "parse_records"]

_RECORD_KEYS = {"paths", "crs", "file_crs", "columns", "values"}


@dataclass(frozen=True)
class RecordsSpec:
    """The ``[records]`` table.

    Attributes
    ----------
    paths : tuple of str
        Globs of the records files, relative to the config.
    crs : str or None
        The datum of every file without one of its own.
    columns, values : dict
        ``[records.columns]`` and ``[records.values]``.
    file_crs : tuple of (str, str)
        ``[records.file_crs]``: (glob, datum) pairs, in the config's order.
    """

    paths: tuple[str, ...] = ()
    crs: str | None = "EPSG:4326"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    file_crs: tuple[tuple[str, str], ...] = ()

    def file_datums(self, root: Path, files: list[Path], config: Path
                    ) -> tuple[dict[Path, str], list[str]]:
        """The files among ``files`` that ``file_crs`` gives a datum of their own.

        Parameters
        ----------
        root : Path
            The config's folder (the globs are relative to it).
        files : list of Path
            The records files, resolved.
        config : Path
            The config file, named by the error.

        Returns
        -------
        (dict, list of str)
            Path -> datum, for those files only (the others are in ``crs``),
            and the patterns that match none of ``files`` (a typo, likely).

        Raises
        ------
        ConfigError
            A records file that two ``file_crs`` patterns give different datums.
        """
        wanted = set(files)
        own: dict[Path, tuple[str, str]] = {}
        unmatched = []
        for pattern, datum in self.file_crs:  # each pattern globbed once
            hits = [p for p in matched_files(root, (pattern,)) if p in wanted]
            if not hits:
                unmatched.append(pattern)
            for path in hits:
                before = own.setdefault(path, (pattern, datum))
                if before[1] != datum:
                    msg = Note("config.file_crs_conflict", file=shown_path(path),
                               first=before[0], first_crs=before[1], second=pattern,
                               second_crs=datum)
                    raise ConfigError(msg, path=config)
        return {f: own[f][1] for f in files if f in own}, unmatched


def _file_crs(table: Any, path: Path) -> tuple[tuple[str, str], ...]:
    """``[records.file_crs]``: glob -> datum, each datum checked."""
    if not isinstance(table, dict):
        raise ConfigError(Note("config.file_crs_not_map"), path=path)
    out = []
    for pattern, value in table.items():
        where = f"[records.file_crs] {pattern!r}"
        if not str(pattern).strip():
            raise ConfigError(Note("config.file_crs_empty"), path=path)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(Note("config.not_string", where="[records.file_crs]",
                                   name=pattern, value=value), path=path)
        try:
            out.append((str(pattern), config_datum(value)))
        except CRSError as exc:
            raise ConfigError(Note("config.crs", where=where, reason=exc.message),
                              path=path) from None
    return tuple(out)


def parse_records(table: Any, path: Path) -> RecordsSpec:
    """The ``[records]`` table of the config ``path``, checked (:class:`ConfigError` if not)."""
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where="[records]"), path=path)
    reject_unknown(set(table), _RECORD_KEYS, "[records]", path)
    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(Note("config.paths_not_list", value=paths), path=path)
    crs = table.get("crs", "EPSG:4326")
    try:
        crs = config_datum(crs)
    except CRSError as exc:
        raise ConfigError(Note("config.crs", where="[records]", reason=exc.message),
                          path=path) from None
    columns = table.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ConfigError(Note("config.columns_not_map"), path=path)

    known = {*RECORD_CANONICAL, "updated_at", "lonlat"}
    for header, canon in columns.items():
        if canon not in known:
            close = difflib.get_close_matches(canon, sorted(known), n=1)
            hint = (Note("hint.did_you_mean", name=close[0]) if close
                    else Note("hint.use_one_of", names=", ".join(sorted(known))))
            msg = Note("config.not_record_column", header=header, canon=canon, hint=hint)
            raise ConfigError(msg, path=path)
    values = _record_values(table.get("values", {}), columns, path)
    file_crs = _file_crs(table.get("file_crs", {}), path)
    return RecordsSpec(paths=tuple(paths), crs=crs, columns=dict(columns), values=values,
                       file_crs=file_crs)


_VALUE_TARGETS = {"status": ("open", "rectifying", "rectified", "closed"),
                  "kind": ("issue", "inspection")}


def _record_values(table: Any, columns: dict[str, str], path: Path) -> dict[str, dict[str, str]]:
    """``[records.values]``: header -> {cell value -> value}, checked against the column."""

    example = '"是否整改" = { "是" = "rectified", "否" = "open" }'
    if not isinstance(table, dict):
        raise ConfigError(Note("config.values_not_map", example=example, where="[records.values]"),
                          path=path)
    out: dict[str, dict[str, str]] = {}
    for header, mapping in table.items():
        if not isinstance(mapping, dict) or not all(
                isinstance(v, str) for v in mapping.values()):
            raise ConfigError(Note("config.values_not_map", example=example, where=repr(header)),
                              path=path)
        canon = canonical_column(header, columns)
        if canon is None:
            close = difflib.get_close_matches(header, sorted(columns), n=1)
            hint = Note("hint.did_you_mean", name=close[0]) if close else ""
            raise ConfigError(Note("config.values_unknown_column", column=header, hint=hint),
                              path=path)
        allowed = _VALUE_TARGETS.get(canon)
        for value, target in mapping.items():
            if allowed is not None and target not in allowed:
                raise ConfigError(Note("config.values_bad_target", column=header, value=value,
                                       target=target, canon=canon, allowed=", ".join(allowed)),
                                  path=path)
        out[str(header)] = {str(k): v for k, v in mapping.items()}
    return out
