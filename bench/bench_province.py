"""Benchmark: a province on one process and on a dask ``LocalCluster`` of 1 and 2 workers.

Generates (once, cached under ``bench/_work/``) a synthetic province
(:mod:`province`: counties with streets, ledger features, records written
straight into geotool Parquet partitions), then runs ``gaps`` on it in a fresh
process per mode and prints seconds per stage, the driver's peak memory and
each worker's peak memory (max RSS), plus the task-time figures the 30M
projection is drawn from.

Usage::

    python bench/bench_province.py --records 1000000            # 120 counties
    python bench/bench_province.py --records 10000000 --modes single,1,2
    python bench/bench_province.py --records 30000000 --generate-only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time
mode, ws, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
from geotool.io.workspace import load_workspace
from geotool.analysis.gaps import find_gaps
from geotool.output.report import write_gaps
res = {"mode": mode}
if mode == "single":
    t1 = time.perf_counter()
    L = load_workspace(ws)
    t2 = time.perf_counter()
    r = find_gaps(L, params=L.workspace.defaults)
    t3 = time.perf_counter()
    res.update(records=len(L.records))
else:
    from distributed import Client, LocalCluster, get_task_stream
    from geotool.analysis.distributed import find_gaps_distributed
    n = int(mode)
    t_c = time.perf_counter()
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    res["cluster_start_s"] = time.perf_counter() - t_c
    t1 = time.perf_counter()
    L = load_workspace(ws, parquet="index")
    t2 = time.perf_counter()
    with get_task_stream(client) as ts:
        r, stats = find_gaps_distributed(L, params=L.workspace.defaults, client=client,
                                         progress=False)
    t3 = time.perf_counter()
    tasks = [sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
             for t in ts.data if str(t["key"]).startswith("('geotool-district") or
             "geotool-district" in str(t["key"])]
    res.update(records=stats.records, tasks=len(tasks), task_sum_s=sum(tasks),
               task_max_s=max(tasks) if tasks else 0.0)
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    res["worker_peak_mb"] = sorted(peaks.values())
t4a = time.perf_counter()
write_gaps(r, out, xlsx=False)
t4 = time.perf_counter()
res.update(features=len(L.features), counties=int((L.districts.level == 0).sum()),
           import_s=t1 - t0, load_s=t2 - t1, analyse_s=t3 - t2, write_s=t4 - t4a,
           total_s=t4 - t0, driver_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(res))
if mode != "single":
    client.close(); cluster.close()
"""


def _run(mode: str, root: Path) -> dict:
    out = root / f"out_{mode}"
    proc = subprocess.run([sys.executable, "-c", _CHILD, mode, str(root), str(out)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        sys.exit(proc.returncode)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _same(root: Path, modes: list[str]) -> bool:
    files = ("features.csv", "districts.csv", "issues.csv", "units.csv")
    first = root / f"out_{modes[0]}"
    return all((first / f).read_bytes() == (root / f"out_{m}" / f).read_bytes()
               for m in modes[1:] for f in files)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000)
    p.add_argument("--counties", type=int, default=120)
    p.add_argument("--features-per-county", type=int, default=150)
    p.add_argument("--modes", default="single,1,2",
                   help="comma-separated: single, or a number of workers")
    p.add_argument("--generate-only", action="store_true")
    p.add_argument("--work", type=Path, default=HERE / "_work")
    args = p.parse_args()
    sys.path.insert(0, str(HERE))
    from province import make_province

    root = args.work / f"province_{args.records}_{args.counties}_{args.features_per_county}"
    t = time.perf_counter()
    make_province(root, counties=args.counties, records=args.records,
                  features_per_county=args.features_per_county, fmt="parquet")
    size = sum(f.stat().st_size for f in (root / "records").glob("*.parquet")) / 1e6
    print(f"province {root} ready in {time.perf_counter() - t:.1f} s ({size:,.0f} MB Parquet)")
    if args.generate_only:
        return
    modes = args.modes.split(",")
    for mode in modes:
        m = _run(mode, root)
        print(json.dumps(m))
        head = "one process" if mode == "single" else f"LocalCluster {mode} worker(s)"
        line = (f"{head}: records {m['records']:,}  counties {m['counties']}  "
                f"load {m['load_s']:.1f} s  analyse {m['analyse_s']:.1f} s  "
                f"write {m['write_s']:.1f} s  total {m['total_s']:.1f} s  "
                f"driver peak {m['driver_peak_mb']:,.0f} MB")
        if mode != "single":
            line += (f"  worker peak {', '.join(f'{v:,.0f}' for v in m['worker_peak_mb'])} MB"
                     f"  tasks {m['tasks']} (sum {m['task_sum_s']:.1f} s, "
                     f"longest {m['task_max_s']:.1f} s)  cluster start "
                     f"{m['cluster_start_s']:.1f} s")
        print(line)
    if len(modes) > 1:
        print("same features/districts/issues/units in every mode:", _same(root, modes))


if __name__ == "__main__":
    main()
