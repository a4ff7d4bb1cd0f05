"""The gap analysis on dask.distributed: one task per top-level district.

:func:`find_gaps_distributed` gives the same :class:`~geotool.analysis.gaps.GapResult`
as :func:`~geotool.analysis.gaps.find_gaps`, computed on a dask cluster:

1. the driver (the ``geotool`` process) loads the layers, plans the
   partitions (:mod:`geotool.analysis.partition`) and sends the layers to
   every worker once;
2. one task per top-level district gathers that district's records and its
   halo and runs :func:`~geotool.analysis.gaps.analyse_records` on them (the
   same code as one process), keeping what the district owns. Records in a
   geotool Parquet folder (:mod:`geotool.io.parquet`) are read by the worker
   itself from shared storage, only the files and rows the district needs;
   records from spreadsheets are loaded by the driver and sent with the task;
3. the driver puts the pieces together and ranks (:func:`~geotool.analysis.gaps.assemble_gaps`).

:func:`dask_client` opens a ``LocalCluster`` of N worker processes, or
connects to a running scheduler.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geotool._errors import ConfigError
from geotool.analysis.coverage import window_bounds
from geotool.analysis.gaps import (
    GapResult,
    RecordAnalysis,
    analyse_records,
    assemble_gaps,
    metric_layers,
)
from geotool.analysis.partition import (
    FeatureIndex,
    PartitionPlan,
    anchors_m,
    own_rows,
    partition_keys,
    partition_members,
    plan_partitions,
    reduce_analyses,
    renumber_features,
)
from geotool.io.config import Defaults
from geotool.io.parquet import check_fingerprint, halo_bbox, read_partition
from geotool.io.workspace import Loaded
from geotool.text import Note

__all__ = ["RunStats", "dask_client", "find_gaps_distributed"]


@dataclass
class RunStats:
    """What the tasks saw, summed over partitions (each record counted once)."""

    records: int = 0
    after_as_of: int = 0
    first_found: pd.Timestamp | None = None
    last_found: pd.Timestamp | None = None


@dataclass
class _Shared:
    """What every task needs, sent to each worker once."""

    features_m: gpd.GeoDataFrame
    districts_m: gpd.GeoDataFrame
    blind_top: gpd.GeoDataFrame  # top-level districts cut to [extent]
    plan: PartitionPlan
    params: Defaults

    @cached_property
    def feature_index(self) -> FeatureIndex:
        """Built on each worker the first time a task there needs it (not sent)."""
        return FeatureIndex(self.features_m)


@contextlib.contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None,
                timeout_s: float = 10.0) -> Iterator[Any]:
    """A ``distributed.Client``: a new ``LocalCluster`` of ``workers`` processes, or a scheduler.

    Parameters
    ----------
    workers : int, optional
        Start a ``LocalCluster`` of this many single-threaded worker processes
        (shut down on exit).
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
    timeout_s : float
        Seconds to wait for the scheduler.

    Raises
    ------
    ConfigError
        When the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster  # noqa: PLC0415 - dask is heavy: loaded only for --workers/--scheduler

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout_s}s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(Note("dask.no_scheduler", address=scheduler, error=str(exc))
                              ) from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers is None or workers < 1:
        msg = Note("dask.bad_workers", n=workers)
        raise ConfigError(msg)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def find_gaps_distributed(loaded: Loaded, *, params: Defaults, client: Any,
                          progress: bool | None = None) -> tuple[GapResult, RunStats]:
    """Run the gap analysis on a dask cluster, one task per top-level district.

    Parameters
    ----------
    loaded : Loaded
        From :func:`geotool.io.workspace.load_workspace`; with
        ``parquet="index"`` its records stay in their Parquet files and the
        workers read them.
    params : Defaults
        ``params.as_of`` is required.
    client : distributed.Client
    progress : bool, optional
        Show dask's progress bar (default: when stdout is a terminal).

    Returns
    -------
    GapResult
        Identical to :func:`~geotool.analysis.gaps.find_gaps` on the same input.
    RunStats
    """
    m = metric_layers(loaded, params)
    plan = plan_partitions(m.features_m, m.top, params=params)
    shared = _Shared(m.features_m, m.districts_m, m.blind_top, plan, params)
    [shared_f] = client.scatter([shared], broadcast=True)
    if loaded.parquet is not None:
        futures = _submit_parquet(client, loaded, plan, m.crs, shared_f)
    else:
        futures = _submit_frames(client, loaded.records, plan, m.features_m, m.top, m.crs,
                                 shared_f)
    results = _collect(futures, progress if progress is not None else sys.stdout.isatty())
    part = reduce_analyses([r[0] for r in results], m.features_m)
    stats = _sum_stats([r[1] for r in results])
    return assemble_gaps(loaded, part, m.features_m, m.districts_m, params=params,
                         extent_m=m.extent_m), stats


def _collect(futures: list[Any], show_progress: bool) -> list[Any]:
    """Every task's result, in task order, each fetched (and freed on its worker) as it ends.

    A worker so holds only the task it runs, never the results of the tasks it
    ran before: its memory stays that of one district whatever the province.
    dask's progress bar, when shown, runs beside the collection.
    """
    from distributed import as_completed  # noqa: PLC0415 - dask is heavy: loaded only for --workers/--scheduler

    bar = None
    if show_progress:
        from distributed import progress  # noqa: PLC0415 - dask is heavy: loaded only for --workers/--scheduler

        bar = threading.Thread(target=progress, args=(list(futures),), daemon=True)
        bar.start()
    position = {future.key: i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for future, result in as_completed(futures, with_results=True):
        results[position[future.key]] = result
        future.release()
    futures.clear()
    if bar is not None:
        bar.join(timeout=5.0)
    return results


def _submit_frames(client: Any, records: gpd.GeoDataFrame, plan: PartitionPlan,
                   features_m: gpd.GeoDataFrame, top: gpd.GeoDataFrame, crs: Any,
                   shared_f: Any) -> list[Any]:
    """Split in-memory records (loaded by the driver) and send each task its rows."""
    keys, refs = partition_keys(records, features_m, top, plan.feature_owner)
    near = partition_members(anchors_m(keys, crs), plan.zone_geoms, plan.zone_owner,
                             plan.halo_m)
    home = pd.DataFrame({"row": np.arange(len(records)), "part": keys["_part"].to_numpy()})
    members = pd.concat([home, near, refs], ignore_index=True).drop_duplicates()
    members = members.sort_values(["part", "row"], kind="stable")
    rows_by_part = {p: g["row"].to_numpy() for p, g in members.groupby("part", sort=False)}
    futures: list[Any] = []
    for name in plan.parts:
        rows = rows_by_part.get(name, np.array([], dtype=np.int64))
        sub = records.iloc[rows].reset_index(drop=True)
        part_of = keys["_part"].to_numpy(dtype=object)[rows]
        bbox = halo_bbox(plan.zone(name), plan.halo_m, crs)
        futures.append(client.submit(_analyse_part, name, sub, part_of, bbox, shared_f,
                                     key=f"geotool-district-{len(futures)}-{client.id}",
                                     pure=False))
    return futures


def _submit_parquet(client: Any, loaded: Loaded, plan: PartitionPlan, crs: Any,
                    shared_f: Any) -> list[Any]:
    """One task per district naming the Parquet files (and bounding box) it reads itself."""

    index = loaded.parquet
    check_fingerprint(index, loaded)
    futures: list[Any] = []
    for name in plan.parts:
        bbox = halo_bbox(plan.zone(name), plan.halo_m, crs)
        files = index.files_for(name, bbox)
        futures.append(client.submit(_parquet_task, name, files, bbox, shared_f,
                                     key=f"geotool-district-{len(futures)}-{client.id}",
                                     pure=False))
    return futures


def _analyse_part(name: str, records: gpd.GeoDataFrame, part_of: np.ndarray,
                  bbox: tuple[float, float, float, float],
                  shared: _Shared) -> tuple[RecordAnalysis, RunStats]:
    """One district's analysis (over the ledger features its records can touch), what it owns."""
    top = shared.blind_top[shared.blind_top["district_id"].astype(str).to_numpy() == name]
    owned_features = shared.plan.feature_owner == name
    positions = shared.feature_index.needed(records, bbox, owned_features,
                                            match_radius_m=shared.params.match_radius_m)
    features = shared.features_m.iloc[positions].reset_index(drop=True)
    analysis = renumber_features(
        analyse_records(records, features, shared.districts_m, top, params=shared.params),
        positions)
    issue_part = pd.Series(part_of, index=records["record_id"].to_numpy(dtype=object))
    issue_part = issue_part[~issue_part.index.duplicated()]
    owned = own_rows(analysis, name, shared.plan.feature_owner, issue_part)
    mine = part_of == name
    found = records["found_at"][mine]
    assert shared.params.as_of is not None
    _, end = window_bounds(shared.params.as_of, shared.params.window_days)
    stats = RunStats(records=int(mine.sum()), after_as_of=int((found >= end).sum()),
                     first_found=found.min() if len(found) else None,
                     last_found=found.max() if len(found) else None)
    return owned, stats


def _parquet_task(name: str, files: list[str], bbox: tuple[float, float, float, float],
                  shared: _Shared) -> tuple[RecordAnalysis, RunStats]:

    crs = shared.districts_m.crs
    records, keys, refs = read_partition(files, name, bbox)
    near = partition_members(anchors_m(keys, crs), shared.plan.zone(name),
                             np.full(len(shared.plan.zone(name)), name, dtype=object),
                             shared.plan.halo_m)
    keep = keys["_part"].to_numpy(dtype=object) == name
    keep[near["row"].to_numpy()] = True
    keep |= refs
    rows = np.flatnonzero(keep)
    sub = records.iloc[rows]
    order = np.argsort(sub["_order"].to_numpy(np.int64), kind="stable")
    sub = sub.iloc[order].reset_index(drop=True)
    part_of = keys["_part"].to_numpy(dtype=object)[rows][order]
    return _analyse_part(name, sub, part_of, bbox, shared)


def _sum_stats(parts: list[RunStats]) -> RunStats:
    firsts = [p.first_found for p in parts if p.first_found is not None]
    lasts = [p.last_found for p in parts if p.last_found is not None]
    return RunStats(records=sum(p.records for p in parts),
                    after_as_of=sum(p.after_as_of for p in parts),
                    first_found=min(firsts) if firsts else None,
                    last_found=max(lasts) if lasts else None)


def found_range(stats: RunStats) -> tuple[dt.date, dt.date] | None:
    """First and last ``found_at`` day of the records the tasks read, if any."""
    if stats.first_found is None or stats.last_found is None:
        return None
    return stats.first_found.date(), stats.last_found.date()
