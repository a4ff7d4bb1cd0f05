"""The distributed engine gives the single-process answers, on a real dask cluster.

The cluster tests start a real ``LocalCluster`` of two worker processes, and a
real ``dask scheduler`` and ``dask worker`` as subprocesses on loopback.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geotool.analysis.gaps import find_gaps
from geotool.analysis.partition import (
    halo_m,
    owners,
    partition_keys,
    partition_members,
    plan_partitions,
)
from geotool.cli import main
from geotool.io.config import Defaults
from geotool.io.workspace import load_workspace
from geotool.output.report import write_gaps

REPO = Path(__file__).resolve().parent.parent


def _province_module():
    spec = importlib.util.spec_from_file_location("province", REPO / "bench" / "province.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- the pure partitioning, on shapes worked out on paper -----------------------------------

def _top():
    return gpd.GeoDataFrame({"district_id": ["A", "B"]},
                            geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
                            crs=32650)


def test_owner_is_the_district_holding_it_else_the_nearest():
    g = gpd.GeoSeries([Point(500, 500), Point(1500, 500), Point(2100, 500), Point(1000, 500),
                       LineString([(900, 10), (1400, 10)])], crs=32650)
    # on the shared border: the smallest id; the line lies mostly in B
    assert owners(g, _top()).tolist() == ["A", "B", "B", "A", "B"]


def test_halo_includes_a_record_exactly_at_the_halo_distance():
    top = _top()
    feats = gpd.GeoDataFrame({"feature_id": ["f"], "name": ["n"]},
                             geometry=[Point(1900, 500)], crs=32650)
    plan = plan_partitions(feats, top, params=Defaults(reach_m=300, match_radius_m=50))
    assert plan.halo_m == 300.0 and plan.feature_owner.tolist() == ["B"]
    xy = np.array([[1300.0, 500.0], [1300.01, 500.0], [2200.0, 500.0], [2200.01, 500.0]])
    got = partition_members(xy, plan.zone_geoms, plan.zone_owner, plan.halo_m)
    a = sorted(got.loc[got["part"] == "A", "row"].tolist())
    b = sorted(got.loc[got["part"] == "B", "row"].tolist())
    assert a == [0]  # 300 m from A's border is inside A's halo; 300.01 m is not
    assert b == [0, 1, 2, 3]  # 2200 is 200 m beyond B and 300 m from its feature


def test_halo_is_the_larger_of_reach_and_match_radius():
    assert halo_m(Defaults(reach_m=100, match_radius_m=250)) == 250.0


def test_all_versions_share_the_first_versions_anchor_and_references_cross_over():
    top = _top()
    feats = gpd.GeoDataFrame({"feature_id": ["FA", "FB"], "name": ["甲", "乙"]},
                             geometry=[Point(100, 100), Point(1900, 100)], crs=32650)
    owner = owners(feats.geometry, top)
    lonlat = gpd.GeoSeries([Point(1500, 500), Point(500, 500), Point(500, 500)],
                           crs=32650).to_crs(4326)
    records = pd.DataFrame({
        # R1's second row is found first: its place (in A) is the anchor of both rows
        "record_id": ["R1", "R1", "R2"],
        "found_at": pd.to_datetime(["2026-09-02", "2026-09-01", "2026-09-01"]),
        "_order": [0, 1, 2],
        "lon": lonlat.x.to_numpy(), "lat": lonlat.y.to_numpy(),
        "feature_id": pd.array([None, None, "FB"], dtype="string"),
        "feature_name": pd.array([None, None, None], dtype="string"),
    })
    keys, refs = partition_keys(records, feats, top, owner)
    assert keys["_part"].tolist() == ["A", "A", "A"]
    assert np.allclose(keys["_anchor_lon"], lonlat.x.to_numpy()[1])
    # R2 lies in A but names B's feature: B's partition gets it
    assert refs.values.tolist() == [[2, "B"]]


def test_a_task_gets_the_features_its_records_can_touch_and_those_they_name():
    from geotool.analysis.partition import FeatureIndex
    from geotool.io.parquet import halo_bbox

    feats = gpd.GeoDataFrame({
        "feature_id": ["F0", "F1", "F2", "F3", "F4", "F5", "F6", "F7"],
        "name": ["近", "远", "编号", "甲", "甲", "乙", "外", "自有"],
    }, geometry=[Point(500, 500), Point(5000, 500), Point(9000, 500), Point(7000, 500),
                 Point(8000, 500), Point(20000, 20000), Point(12040, 500),
                 Point(15000, 15000)], crs=32650)
    where = gpd.GeoSeries([Point(600, 500), Point(600, 510), Point(600, 520),
                           Point(12000, 500)], crs=32650).to_crs(4326)
    records = gpd.GeoDataFrame({
        "feature_id": pd.array([None, "F2", None, None], dtype="string"),
        "feature_name": pd.array([None, None, "甲", None], dtype="string"),
    }, geometry=where.values, crs=4326)
    bbox = halo_bbox(np.array([box(0, 0, 1000, 1000)], dtype=object), 300.0, feats.crs)
    owned = np.array([True, False, False, False, False, False, False, True])
    got = FeatureIndex(feats).needed(records, bbox, owned, match_radius_m=50)
    # F0 near the box; F2 named by id; F3 and F4 share the name named (neither is unique);
    # F6 40 m from the record outside the box; F7 owned. Not F1 (far), nor F5 (unnamed).
    assert got.tolist() == [0, 2, 3, 4, 6, 7]


# ---- the same answers on a real cluster -----------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as lc, Client(lc) as client:
        yield client


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """Nine counties with streets, features across borders, versions and cross references.

    Blind spots are looked for inside an ``[extent]`` (500 m around the ledger
    features), which cuts every county into many pieces.
    """
    root = tmp_path_factory.mktemp("province") / "ws"
    _province_module().make_province(root, counties=9, records=20_000,
                                     features_per_county=40, fmt="csv")
    with (root / "geotool.toml").open("a", encoding="utf-8") as config:
        config.write("\n[extent]\nbuffer_m = 500\n")
    return root


def _blind_areas(result) -> pd.Series:
    b = result.blindspots
    return pd.Series(b["area_m2"].to_numpy(), index=b["district_id"] + "#" + b["part"].astype(str))


def assert_same_answers(single, distributed, tmp_path: Path) -> None:
    a = write_gaps(single, tmp_path / "single", xlsx=False)
    b = write_gaps(distributed, tmp_path / "distributed", xlsx=False)
    for key in ("features", "districts", "issues", "units"):
        assert a[key].read_bytes() == b[key].read_bytes(), key
    sa, sb = _blind_areas(single), _blind_areas(distributed)
    assert sa.index.tolist() == sb.index.tolist()
    assert len(sa) > 0
    np.testing.assert_allclose(sb.to_numpy(), sa.to_numpy(), rtol=1e-6)
    assert single.blindspots["feature_ids_inside"].tolist() == \
        distributed.blindspots["feature_ids_inside"].tolist()
    pd.testing.assert_frame_equal(single.recurrences, distributed.recurrences)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["sample", "province"])
def test_local_cluster_gives_the_single_process_answers(which, cluster, province,
                                                        sample_workspace, tmp_path):
    from geotool.analysis.distributed import find_gaps_distributed

    ws = sample_workspace if which == "sample" else province
    loaded = load_workspace(ws)
    params = loaded.workspace.defaults
    single = find_gaps(loaded, params=params)
    distributed, stats = find_gaps_distributed(loaded, params=params, client=cluster)
    assert stats.records == len(loaded.records)
    assert_same_answers(single, distributed, tmp_path)
    if which == "province":  # the fixture really crosses borders, and has an extent
        assert single.recurrences.shape[0] > 0
        assert (single.issues["feature_ids"] != "").sum() > 100
        assert single.extent is not None and distributed.extent is not None
        assert single.extent.iloc[0].equals(distributed.extent.iloc[0])
        assert "extent_area_m2" in distributed.districts


def _square(x: int) -> list[int]:
    return [x * x] * 1000


@pytest.mark.slow
def test_results_are_fetched_and_freed_on_the_workers_as_tasks_end(cluster):
    """A worker never keeps the results of tasks it ran: the driver takes each as it ends."""
    from geotool.analysis.distributed import _collect

    futures = [cluster.submit(_square, i, key=f"geotool-district-test-{i}", pure=False)
               for i in range(6)]
    keys = {f.key for f in futures}
    out = _collect(futures, show_progress=True)
    assert [r[0] for r in out] == [0, 1, 4, 9, 16, 25]  # in task order
    assert futures == []
    for _ in range(100):  # the release reaches the scheduler asynchronously
        held = {k for ks in cluster.has_what().values() for k in ks} & keys
        if not held:
            break
        time.sleep(0.1)
    assert not held


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_workers(address: str, n: int, timeout_s: float = 60) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(n, timeout=timeout_s)


@pytest.mark.slow
def test_scheduler_and_worker_subprocesses_through_the_cli(province, province_parquet, tmp_path,
                                                           capsys):
    """A real ``dask scheduler`` and ``dask worker`` on loopback, used through ``--scheduler``.

    The workers read the Parquet records themselves; the answers are those of one
    process on the spreadsheets.
    """
    dask = Path(sys.executable).with_name("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1.0)
        procs.append(subprocess.Popen([str(dask), "worker", address, "--nthreads", "1",
                                       "--nworkers", "2", "--no-dashboard",
                                       "--local-directory", str(tmp_path / "dask-worker")],
                                      env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        _wait_for_workers(address, 2)
        out_d = tmp_path / "via_scheduler"
        assert main(["gaps", str(province_parquet), "--scheduler", address, "--out",
                     str(out_d)]) == 0
        assert main(["gaps", str(province), "--out", str(tmp_path / "single")]) == 0
        for name in ("features.csv", "districts.csv", "issues.csv", "units.csv",
                     "blindspots.geojson"):
            assert (out_d / name).read_bytes() == (tmp_path / "single" / name).read_bytes()
        assert address in capsys.readouterr().out
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_unreachable_scheduler_is_one_line(sample_workspace, tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    code = main(["--lang", "en", "gaps", str(sample_workspace), "--scheduler", address,
                 "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot reach the dask scheduler" in err


def test_workers_and_scheduler_together_is_an_error(sample_workspace, tmp_path, capsys):
    code = main(["--lang", "en", "gaps", str(sample_workspace), "--workers", "2",
                 "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)])
    assert code == 2
    assert "either --workers or --scheduler" in capsys.readouterr().err


def test_workers_must_be_positive(sample_workspace, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["gaps", str(sample_workspace), "--workers", "0", "--out", str(tmp_path)])
    assert exc.value.code == 2


# ---- records as geotool Parquet: convert once, same accounts, workers read them ------------

def _use_parquet(ws: Path, pattern: str = "records_parquet/*.parquet") -> None:
    import re

    config = ws / "geotool.toml"
    text = re.sub(r"(?m)^paths = \[.*\]$", f'paths = ["{pattern}"]',
                  config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def sample_parquet(tmp_path_factory, sample_workspace):
    import shutil

    ws = tmp_path_factory.mktemp("sample_parquet") / "ws"
    shutil.copytree(sample_workspace, ws)
    assert main(["convert", str(ws), "--to", "parquet"]) == 0
    _use_parquet(ws)
    return ws


@pytest.fixture(scope="module")
def province_parquet(tmp_path_factory, province):
    import shutil

    ws = tmp_path_factory.mktemp("province_parquet") / "ws"
    shutil.copytree(province, ws)
    assert main(["convert", str(ws), "--to", "parquet", "--out", str(ws / "pq")]) == 0
    _use_parquet(ws, "pq/*.parquet")
    return ws


@pytest.mark.slow
def test_parquet_keeps_every_record_and_the_same_accounts(sample_workspace, sample_parquet):
    from geotool.output.report import load_summary_lines

    a, b = load_workspace(sample_workspace), load_workspace(sample_parquet)
    cols = [c for c in a.records.columns if c not in ("geometry", "_file")]
    pd.testing.assert_frame_equal(pd.DataFrame(a.records[cols]), pd.DataFrame(b.records[cols]))
    assert (a.records.geometry.values == b.records.geometry.values).all()
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine)
    pd.testing.assert_frame_equal(a.flagged.reset_index(drop=True),
                                  b.flagged.reset_index(drop=True))
    assert (a.read, a.used) == (b.read, b.used)
    for lang in ("zh", "en"):
        la, lb = load_summary_lines(a, lang=lang)[1:], load_summary_lines(b, lang=lang)[1:]
        extra = [line for line in lb if line not in la]
        assert len(extra) == 1 and "geotool convert" in extra[0]
        assert [line for line in lb if line != extra[0]] == la
    parts = sorted((sample_parquet / "records_parquet").glob("part-*.parquet"))
    assert len(parts) == 4  # one per top-level district
    assert (sample_parquet / "records_parquet" / "_conversion" / "quarantine.csv").exists()


@pytest.mark.slow
def test_parquet_single_and_on_a_cluster_give_the_spreadsheet_answers(
        sample_workspace, sample_parquet, cluster, tmp_path):
    from geotool.analysis.distributed import find_gaps_distributed

    base = load_workspace(sample_workspace)
    params = base.workspace.defaults
    single = find_gaps(base, params=params)
    from_parquet = find_gaps(load_workspace(sample_parquet), params=params)
    assert_same_answers(single, from_parquet, tmp_path / "one")
    index_only = load_workspace(sample_parquet, parquet="index")
    assert len(index_only.records) == 0 and index_only.parquet.rows == len(base.records)
    on_cluster, stats = find_gaps_distributed(index_only, params=params, client=cluster)
    assert stats.records == len(base.records)
    assert_same_answers(single, on_cluster, tmp_path / "two")
    a = write_gaps(single, tmp_path / "q1", xlsx=False)
    b = write_gaps(on_cluster, tmp_path / "q2", xlsx=False)
    assert a["quarantine"].read_bytes() == b["quarantine"].read_bytes()


@pytest.mark.slow
def test_parquet_partitioned_for_other_layers_is_refused(province_parquet, tmp_path, capsys):
    from geotool._errors import InputError
    from geotool.io.parquet import check_fingerprint

    loaded = load_workspace(province_parquet, parquet="index")
    check_fingerprint(loaded.parquet, loaded)  # as converted: fine
    loaded.features = loaded.features.iloc[1:]
    with pytest.raises(InputError, match="geotool convert again"):
        check_fingerprint(loaded.parquet, loaded)


def test_parquet_not_written_by_geotool_is_one_line(tmp_path, sample_workspace, capsys):
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(sample_workspace, ws, ignore=shutil.ignore_patterns("records"))
    (ws / "records").mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(ws / "records" / "x.parquet")
    _use_parquet(ws, "records/*.parquet")
    assert main(["--lang", "en", "validate", str(ws), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not written by geotool convert" in err and "x.parquet" in err


def test_parquet_and_spreadsheets_together_are_refused(tmp_path, sample_workspace, capsys):
    import shutil

    ws = tmp_path / "ws"
    shutil.copytree(sample_workspace, ws)
    pd.DataFrame({"a": [1]}).to_parquet(ws / "records" / "x.parquet")
    _use_parquet(ws, "records/*")
    assert main(["--lang", "en", "validate", str(ws), "--out", str(tmp_path / "o")]) == 2
    assert "mix Parquet and spreadsheets" in capsys.readouterr().err
