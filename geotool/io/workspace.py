"""Loading a whole workspace: config, districts, ledger layers and records.

:func:`load_workspace` is what every command starts with. It returns the
districts, the ledger features and the records, all in WGS-84 and in the
canonical schemas, plus one quarantine table of every input row that could
not be used and a per-file account (read = used + quarantined).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool._collector import collector_paused
from geotool._errors import InputError, shown_path
from geotool._halves import in_halves, own_prepared
from geotool.io.config import Workspace, load_config
from geotool.io.datum_guard import (
    DatumFinding,
    RecordPoints,
    _check_layer,
    _check_records,
    check_district_datum,
)
from geotool.io.early_read import TABLE_SUFFIXES, EarlyRead, record_tables
from geotool.io.extent import read_extent
from geotool.io.layers import features_from_layers, read_districts, read_layer
from geotool.io.parquet import index_parquet, load_conversion_frames, read_records
from geotool.io.quarantine import QUARANTINE_COLUMNS
from geotool.io.record_districts import unknown_district_note
from geotool.io.records import flag_text, normalize_records
from geotool.io.tables import read_table
from geotool.text import TABLE, Join, Note, reason_text, tr

__all__ = ["FileAccount", "Loaded", "load_workspace"]


@dataclass
class FileAccount:
    """What happened to one input file."""

    path: str
    kind: str  # "districts", "layer:<key>" or "records"
    read: int
    used: int
    quarantined: int
    converted_from: str | None = None
    notes: list[str] = field(default_factory=list)
    flagged: int = 0  # cells of optional fields not understood (the rows are used)


@dataclass
class Loaded:
    """A loaded workspace: everything in WGS-84 and canonical schemas."""

    workspace: Workspace
    districts: gpd.GeoDataFrame
    features: gpd.GeoDataFrame
    records: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    accounts: list[FileAccount]
    notes: list[str] = field(default_factory=list)
    flagged: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    datum_findings: list[DatumFinding] = field(default_factory=list)
    extent: shapely.Geometry | None = None  # [extent] path/layers, WGS-84 (buffer_m: None)
    #: geotool Parquet records left on disk for the workers (``load_workspace(parquet="index")``)
    parquet: Any = None

    @property
    def read(self) -> int:
        """Rows read from every file."""
        return sum(a.read for a in self.accounts)

    @property
    def used(self) -> int:
        """Rows used."""
        return sum(a.used for a in self.accounts)

    def layer_labels(self, lang: str = "zh") -> dict[str, str]:
        """Ledger layer key -> display label.

        ``label`` (``label_en`` for English), else the built-in name of a
        well-known key (``alleys`` 背街小巷, ``markets`` 农贸市场 ...), else the key.
        """
        if lang == "en":
            return {s.key: s.label_en or _builtin_label(s.key, lang)
                    for s in self.workspace.ledgers}
        return {s.key: s.label or _builtin_label(s.key, lang) for s in self.workspace.ledgers}


def _builtin_label(key: str, lang: str) -> str:
    """The built-in name of a well-known layer key (``geotool.text``), else the key itself."""

    word = f"mapview.layer_{key.strip().lower()}"
    return tr(word, lang) if word in TABLE else key


#: Canonical names a planner may map a column to in ``[records.columns]``.
_MAPPABLE = ("record_id", "found_at", "lon", "lat", "feature_id", "feature_name", "category",
             "description", "source", "unit", "deadline", "status", "rectified_at", "district",
             "address")


def _relative(path: str, root: Path) -> str:
    try:  # names are shown forms already (shown_path): compare them as text first
        return PurePath(path).relative_to(shown_path(root)).as_posix()
    except ValueError:
        pass
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _relative_column(paths: pd.Series, root: Path) -> pd.Series:
    """:func:`_relative` of every value, worked out once per distinct file name."""
    if not len(paths):
        return paths
    shown = {p: _relative(p, root) for p in pd.unique(paths.dropna())}
    return paths.map(shown)


@collector_paused()
def load_workspace(path: str | Path | Workspace, *, lang: str = "zh",
                   parquet: str = "load",
                   on_records: Callable[[Loaded], object] | None = None,
                   early: EarlyRead | None = None) -> Loaded:
    """Load a workspace folder (or its ``geotool.toml``).

    Parameters
    ----------
    path : str, Path or Workspace
        The workspace folder, its config file, or an already parsed config.
    lang : str
        Language of the quarantine reasons.
    parquet : str
        For records in geotool Parquet files (``geotool convert``): ``"load"``
        reads them all; ``"index"`` only reads their metadata and leaves the
        rows to the workers of a distributed run (:attr:`Loaded.parquet`;
        ``records`` is then empty).
    on_records : callable, optional
        Called once the records of CSV and spreadsheet files are read, before
        the checks that only report (rows outside the city, the datum guard,
        the files' accounts), with a :class:`Loaded` of the layers and those
        records (no accounts yet), which it must not change: the analysis may
        start from there (:class:`geotool.analysis.record_start.HeadStart`).
        The ``Loaded`` returned holds the same records, layers and workspace.
    early : EarlyRead, optional
        The record tables already being read (a command starts that before it
        imports geopandas): used when read from the very files and config
        words found here, else the files are read again.

    Returns
    -------
    Loaded

    Raises
    ------
    ConfigError, InputError, CRSError
        When the config or a file cannot be used at all; each names the file.
    """
    ws = path if isinstance(path, Workspace) else load_config(path)
    matched = ws.record_files()
    pq_files, files = record_tables(matched)
    # the record files are read (Arrow's CSV reader, the GIL mostly free) while the
    # layers are: their errors are raised below, after the layers', as before
    reading = early.tables_for(ws, files) if early is not None else None
    if reading is None:
        reading = _read_tables_started(ws, files)
    try:
        return _load(ws, matched, pq_files, files, reading, lang=lang, parquet=parquet,
                     on_records=on_records)
    finally:
        with contextlib.suppress(Exception):  # stopped early: the reading thread ends first
            reading.result()


def _read_tables_started(ws: Workspace, files: list[Path]) -> Future:
    """:func:`read_table` of each file, started in a thread of its own."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geotool-read")
    try:
        return pool.submit(lambda: [read_table(f, columns=ws.records.columns,
                                               values=ws.records.values) for f in files])
    finally:
        pool.shutdown(wait=False)  # the thread ends with the reading


def _load(ws: Workspace, matched: list[Path], pq_files: list[Path], files: list[Path],
          reading: Future, *, lang: str, parquet: str,
          on_records: Callable[[Loaded], object] | None) -> Loaded:
    """:func:`load_workspace` once the record files are being read."""
    accounts: list[FileAccount] = []
    quarantines: list[pd.DataFrame] = []

    dres = read_districts(ws.districts)
    accounts.append(FileAccount(shown_path(ws.districts.path), "districts", dres.read,
                                len(dres.frame), len(dres.quarantine), dres.converted_from,
                                dres.notes))
    quarantines.append(dres.quarantine)
    districts = dres.frame

    layer_results = []
    for spec in ws.ledgers:
        res = read_layer(spec)
        layer_results.append(res)
        accounts.append(FileAccount(shown_path(spec.path), f"layer:{spec.key}", res.read,
                                    len(res.frame), len(res.quarantine), res.converted_from,
                                    res.notes))
        quarantines.append(res.quarantine)
    features = features_from_layers(layer_results)
    shared_note = None
    shared = features.loc[features["feature_id"].duplicated(keep=False), "feature_id"]
    if len(shared):  # a record naming such an id touches each feature that has it
        ids = sorted(shared.astype(str).unique())
        shared_note = Note("note.ids_across_layers", n=len(ids), ids=", ".join(ids[:5]))
    top = districts[districts["level"] == 0]
    city = shapely.union_all(top.geometry.values) if len(top) else None
    for account, res in zip(accounts[1:], layer_results, strict=True):
        outside = _outside_count(res.frame, city)
        if outside:
            account.notes.append(Note("note.features_outside", n=outside))

    if pq_files:  # converted records (geotool convert): accounts and quarantine come with them
        return _load_parquet_records(ws, districts, features, accounts, quarantines, pq_files,
                                     matched, shared_note, lang=lang, mode=parquet)
    skipped = [f for f in matched if f.suffix.lower() not in TABLE_SUFFIXES]
    if ws.records.paths and not files:
        msg = Note("workspace.no_record_files", paths=list(ws.records.paths),
                   root=shown_path(ws.root))
        raise InputError(msg, path=ws.config_path)
    tables = reading.result()
    own_files, unmatched = ws.records.file_datums(ws.root, files, ws.config_path)
    own_datums = {shown_path(f): d for f, d in own_files.items()}
    rres = normalize_records(tables, features, city, datum=ws.records.crs,
                             file_datums=own_datums, lang=lang)
    # the raw cells are not needed any more (only each file's name and notes): freed now,
    # before the analysis may start beside the checks below
    tables = [replace(t, data=t.data.iloc[:0].copy()) for t in tables]
    extent = read_extent(ws.extent, features)
    if on_records is not None:
        on_records(Loaded(workspace=ws, districts=districts, features=features,
                          records=rres.records, quarantine=pd.DataFrame(columns=QUARANTINE_COLUMNS),
                          accounts=[], extent=extent))
    notes = list(rres.notes) + ([shared_note] if shared_note is not None else [])
    if skipped:
        names = ", ".join(shown_path(f.name) for f in skipped[:5])
        names += " ..." if len(skipped) > 5 else ""
        notes.append(Note("note.skipped_files", n=len(skipped), names=names))
    own = ws.own_outputs()
    if own:  # an --out inside a records folder: geotool's own lists are no records
        names = ", ".join(shown_path(f.name) for f in own[:5]) + (" ..." if len(own) > 5 else "")
        notes.append(Note("note.own_outputs", n=len(own), names=names))
    if unmatched:  # a typo, likely: those files would be read in the wrong datum
        notes.append(Note("note.file_crs_unmatched", patterns=", ".join(map(repr, unmatched))))
    outside = _outside_count(rres.records, city)
    if outside:
        notes.append(Note("note.records_outside", n=outside))
    unknown = unknown_district_note(rres.records, districts)
    if unknown is not None:
        notes.append(unknown)
    flagged_per_file = rres.flagged["file"].value_counts().to_dict() if len(rres.flagged) else {}
    for table in tables:
        shown = shown_path(table.path)
        counts = rres.per_file.get(shown, {"read": 0, "used": 0, "quarantined": 0})
        file_notes = list(table.notes)
        if table.encoding and table.encoding not in ("utf-8", "utf-8-sig"):
            file_notes.append(Note("note.encoding", encoding=table.encoding))
        if table.ignored_columns:
            file_notes.append(Note("note.columns_not_used_map",
                                   columns=Join(table.ignored_columns, ", "),
                                   example=table.ignored_columns[0],
                                   names=", ".join(_MAPPABLE)))
        accounts.append(FileAccount(shown, "records", counts["read"], counts["used"],
                                    counts["quarantined"],
                                    _shown_datum(own_datums.get(shown, ws.records.crs)),
                                    file_notes, int(flagged_per_file.get(shown, 0))))
    quarantines.append(rres.quarantine)
    quarantine = pd.concat([q for q in quarantines if not q.empty] or
                           [pd.DataFrame(columns=QUARANTINE_COLUMNS)], ignore_index=True)
    if len(quarantine):  # files named relative to the workspace: the list is shared with units
        quarantine["file"] = _relative_column(quarantine["file"], ws.root)
    if len(quarantine):  # layers' reasons are written in Chinese; follow the chosen language
        texts = {code: reason_text(code, lang) for code in quarantine["reason_code"].unique()}
        quarantine["reason"] = quarantine["reason_code"].map(texts)
    findings = _datum_findings(ws, rres.records, features, layer_results, districts,
                               dres.converted_from, own_datums)
    flagged = rres.flagged.copy()
    if len(flagged):
        flagged["file"] = _relative_column(flagged["file"], ws.root)
    return Loaded(workspace=ws, districts=districts, features=features, records=rres.records,
                  quarantine=quarantine, accounts=accounts, notes=notes, flagged=flagged,
                  datum_findings=findings, extent=extent)


def _shown_datum(datum: str | None) -> str | None:
    """The datum a file's account names: none for plain WGS-84."""
    return datum if datum not in (None, "EPSG:4326") else None


def _datum_findings(ws: Workspace, records: gpd.GeoDataFrame, features: gpd.GeoDataFrame,
                    layer_results: list, districts: gpd.GeoDataFrame | None = None,
                    districts_converted: str | None = None,
                    own_datums: dict[str, str] | None = None) -> list[DatumFinding]:
    """Run the datum guard on the records files and on ledger layers read as WGS-84."""

    points = RecordPoints.of(records)  # read out of the table once for every check
    found = _check_records(points, features, ws.records.crs or "EPSG:4326", own_datums)
    found = [replace(f, file=_relative(f.file, ws.root)) for f in found]
    shifted = {f.file for f in found}
    if shifted:
        bad_files = [i for i, f in enumerate(points.files) if _relative(f, ws.root) in shifted]
        points = points.take(~np.isin(points.file_codes, bad_files))
    if districts_converted is None and ws.districts.crs in (None, "EPSG:4326"):
        trusted = records
        if shifted:
            codes, files = pd.factorize(records["_file"])  # a few file names for a million rows
            trusted = records[~np.isin(codes, [i for i, f in enumerate(files)
                                               if _relative(f, ws.root) in shifted])]
        finding = check_district_datum(trusted, districts,
                                       file=_relative(str(ws.districts.path), ws.root))
        if finding is not None:
            found.append(finding)
    for spec, res in zip(ws.ledgers, layer_results, strict=True):
        if res.converted_from is not None or spec.crs not in (None, "EPSG:4326"):
            continue  # a layer with its own datum or CRS is not second-guessed
        finding = _check_layer(points, res.frame, key=spec.key,
                               file=_relative(str(spec.path), ws.root))
        if finding is not None:
            found.append(finding)
    return found


def _outside_count(frame: gpd.GeoDataFrame, city: shapely.Geometry | None) -> int:
    """How many geometries touch no district at all."""
    if city is None or frame.empty:
        return 0
    # GIL released; each half tests against its own prepared city (see geotool._halves)
    touches = in_halves(lambda geoms: shapely.intersects(own_prepared(city), geoms),
                        np.asarray(frame.geometry.values))
    return int((~touches).sum())


class _Stored(str):
    """A note saved by ``geotool convert`` in both languages; renders like a :class:`Note`."""

    texts: dict[str, str]

    def __new__(cls, texts: dict[str, str]) -> _Stored:
        obj = super().__new__(cls, texts.get("en", ""))
        obj.texts = texts
        return obj

    def render(self, lang: str = "zh") -> str:
        """The text in ``lang``."""
        return self.texts.get(lang, str(self))


def _load_parquet_records(ws: Workspace, districts: gpd.GeoDataFrame, features: gpd.GeoDataFrame,
                          accounts: list[FileAccount], quarantines: list[pd.DataFrame],
                          files: list[Path], matched: list[Path], shared_note: Note | None, *,
                          lang: str, mode: str) -> Loaded:
    """Records from geotool Parquet files, with the accounts of the spreadsheets they came from."""

    others = [f for f in matched if f.suffix.lower() in TABLE_SUFFIXES]
    if others:
        names = ", ".join(f.name for f in others[:5])
        raise InputError(Note("parquet.mixed", names=names), path=ws.config_path)
    index = index_parquet(files)
    notes: list[str] = []
    conv = index.conversion
    for acc in conv.get("accounts", []):
        accounts.append(FileAccount(acc["path"], "records", acc["read"], acc["used"],
                                    acc["quarantined"], acc.get("converted_from"),
                                    [_Stored(n) for n in acc.get("notes", [])],
                                    int(acc.get("flagged", 0))))
    notes.extend(_Stored(n) for n in conv.get("notes", []))
    q, flagged = load_conversion_frames(index)
    if q is not None:
        quarantines.append(q)
        where = _relative(str(Path(conv["folder"]) / "_conversion" / "quarantine.csv"), ws.root)
        notes.append(Note("parquet.converted", n=len(conv.get("accounts", [])), q=len(q),
                          quarantine=where))
    else:  # Parquet without a conversion account: each file is its own account
        accounts.extend(FileAccount(f.path, "records", f.rows, f.rows, 0) for f in index.files)
    if shared_note is not None:
        notes.append(shared_note)
    skipped = [f for f in matched if f.suffix.lower() not in (*TABLE_SUFFIXES, ".parquet")]
    if skipped:
        names = ", ".join(f.name for f in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        notes.append(Note("note.skipped_files", n=len(skipped), names=names))
    records = read_records(type(index)([]) if mode == "index" else index)
    quarantine = pd.concat([q for q in quarantines if not q.empty] or
                           [pd.DataFrame(columns=QUARANTINE_COLUMNS)], ignore_index=True)
    if len(quarantine):  # as load_workspace does: relative names, reasons in the chosen language
        quarantine["file"] = _relative_column(quarantine["file"], ws.root)
        texts = {code: reason_text(code, lang) for code in quarantine["reason_code"].unique()}
        quarantine["reason"] = quarantine["reason_code"].map(texts)
    extra = {}
    if flagged is not None:

        texts = {code: flag_text(code, lang) for code in flagged["reason_code"].unique()}
        extra["flagged"] = flagged.assign(reason=flagged["reason_code"].map(texts))
    return Loaded(workspace=ws, districts=districts, features=features, records=records,
                  quarantine=quarantine, accounts=accounts, notes=notes,
                  parquet=index if mode == "index" else None, **extra)
