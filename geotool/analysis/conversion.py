"""``geotool convert``: spreadsheets to geotool Parquet partitions, once.

The records are read and checked exactly as every command reads them
(:func:`~geotool.io.workspace.load_workspace`: every row used or quarantined
with a reason), then split by top-level district
(:func:`~geotool.analysis.partition.partition_keys`) and written as GeoParquet
(:mod:`geotool.io.parquet`) with what the conversion read, used, quarantined
and flagged, so that a later run on the Parquet files reports the same
accounts and the same quarantine as a run on the spreadsheets.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geotool.analysis.partition import owners, partition_keys
from geotool.crs import metric_crs_for
from geotool.io.parquet import layers_fingerprint, save_conversion, write_records
from geotool.io.workspace import Loaded
from geotool.text import render

__all__ = ["convert_records"]

# notes about the layers, not the records: a later run says them again itself
_LAYER_NOTES = ("note.ids_across_layers", "note.skipped_files")


def _both(note: str) -> dict[str, str]:
    return {"zh": render(note, "zh"), "en": render(note, "en")}


def convert_records(loaded: Loaded, folder: Path) -> list[Path]:
    """Write the records of ``loaded`` into ``folder`` as geotool Parquet partitions.

    Parameters
    ----------
    loaded : Loaded
        A workspace loaded from its spreadsheets.
    folder : Path
        Destination: ``part-*.parquet`` (one or more per top-level district)
        and ``_conversion/`` (accounts, notes, quarantine, flagged cells).

    Returns
    -------
    list of Path
        The Parquet files written.
    """
    crs = metric_crs_for(loaded.districts)
    districts_m = loaded.districts.to_crs(crs)
    features_m = loaded.features.to_crs(crs).reset_index(drop=True)
    top = districts_m[districts_m["level"] == districts_m["level"].min()]
    feature_owner = (owners(features_m.geometry, top) if len(features_m)
                     else np.array([], dtype=str))
    keys, refs = partition_keys(loaded.records, features_m, top, feature_owner)
    paths = write_records(loaded.records, keys, refs, Path(folder),
                          fingerprint=layers_fingerprint(loaded.districts, loaded.features))
    accounts = [{"path": a.path, "read": a.read, "used": a.used, "quarantined": a.quarantined,
                 "converted_from": a.converted_from, "flagged": a.flagged,
                 "notes": [_both(n) for n in a.notes]}
                for a in loaded.accounts if a.kind == "records"]
    notes = [_both(n) for n in loaded.notes if getattr(n, "key", None) not in _LAYER_NOTES]
    quarantine = loaded.quarantine[(loaded.quarantine["layer"].fillna("") == "").to_numpy()]
    save_conversion(Path(folder), accounts, notes, quarantine, loaded.flagged)
    return paths
