"""A gap analysis as the history store keeps it (:class:`~geotool.io.history.Snapshot`).

:func:`snapshot_of` takes the parts of a :class:`~geotool.analysis.gaps.GapResult`
that the week-over-week comparison and the trends need: the parameters, each
district's figures and rank, each feature's state (as a point on it), each
issue's state and the blind-spot polygons. :func:`save_result` stores it.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from geotool import __version__
from geotool.analysis.gaps import GapResult
from geotool.io.history import TABLES, HistoryStore, Snapshot

__all__ = ["save_result", "snapshot_of"]


def _columns(table: str) -> list[str]:
    return [c for c, _ in TABLES[table][1:]]


def snapshot_of(result: GapResult) -> Snapshot:
    """The snapshot of a gap analysis (WGS-84).

    Parameters
    ----------
    result : GapResult

    Returns
    -------
    Snapshot
    """

    params = {k: (v.isoformat() if isinstance(v, dt.date) else v)
              for k, v in vars(result.params).items()}
    f = result.features
    points = shapely.point_on_surface(f.geometry.values)
    features = gpd.GeoDataFrame(pd.DataFrame(f[_columns("snapshot_features")]),
                                geometry=points, crs="EPSG:4326").reset_index(drop=True)
    issues = gpd.GeoDataFrame(pd.DataFrame(result.issues[_columns("snapshot_issues")]),
                              geometry=result.issues.geometry.values,
                              crs="EPSG:4326").reset_index(drop=True)
    b = result.blindspots
    blind = gpd.GeoDataFrame(pd.DataFrame(b[_columns("snapshot_blindspots")]),
                             geometry=b.geometry.values, crs="EPSG:4326").reset_index(drop=True)
    districts = pd.DataFrame(result.districts[_columns("snapshot_districts")])
    districts = districts.reset_index(drop=True)
    return Snapshot(as_of=result.as_of, city=result.city, params=params,
                    metric_crs=result.metric_crs, districts=districts, features=features,
                    issues=issues, blindspots=blind, geotool=__version__)


def save_result(store: HistoryStore, result: GapResult) -> Snapshot:
    """Store ``result``'s snapshot (replacing one of the same date); returns it."""
    snap = snapshot_of(result)
    store.save(snap)
    return snap
