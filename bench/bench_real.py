"""Benchmark the planner's default command on a city shaped like a real one, beside the peers.

For each size N (records), builds once (cached under ``bench/_work/``) the
real-county workspace of :mod:`realcity`, then in the same run:

* ``geotool gaps WS --as-of D`` exactly as a planner runs it (every output,
  ``gaps.xlsx`` and the unit workbooks included), in a fresh process: wall
  seconds and peak memory (max RSS of the process);
* the same process split by stage (read, analyse, write) in a child that
  imports the library;
* ``bench/peers.py``: the coverage and blind-spot work in DuckDB + spatial
  (and PostGIS with ``--postgis URL``), end to end;

and prints one table row per size, plus the ratio to DuckDB.

Usage::

    python bench/bench_real.py                       # 1,000,000 records
    python bench/bench_real.py --sizes 100000 1000000 5000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from realcity import make_realcity


def _timed(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; wall seconds, peak MB of the child, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(proc.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, proc.stdout


def bench(records: int, work: Path, postgis: str | None, *, keep: bool = False) -> dict:
    """One size: the default command, its stages and the peers (outputs removed unless ``keep``)."""
    ws = make_realcity(work / f"real_{records}", records=records)
    out = Path(tempfile.mkdtemp(prefix="bench_out_", dir=work))
    try:
        return _bench_in(records, ws, out, postgis)
    finally:
        if not keep:  # a 5M run writes gigabytes of lists
            shutil.rmtree(out, ignore_errors=True)


def _bench_in(records: int, ws: Path, out: Path, postgis: str | None) -> dict:
    wall, peak, _ = _timed([sys.executable, "-m", "geotool.cli", "gaps", str(ws), "--as-of",
                            "2026-10-26", "--out", str(out / "cli")])
    files = sorted(p.relative_to(out / "cli").as_posix() for p in (out / "cli").rglob("*")
                   if p.is_file())
    _, _, stages = _timed([sys.executable, str(HERE / "stages.py"), str(ws),
                           str(out / "stages")])
    peer_cmd = [sys.executable, str(HERE / "peers.py"), str(ws), "--out", str(out / "peers")]
    if postgis:
        peer_cmd += ["--postgis", postgis]
    _, _, peers = _timed(peer_cmd)
    return {"records": records, "gaps_s": wall, "gaps_peak_mb": peak, "files": len(files),
            **json.loads(stages.strip().splitlines()[-1]),
            "peers": json.loads(peers.strip().splitlines()[-1])}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--work", type=Path, default=HERE / "_work")
    p.add_argument("--postgis", default=None)
    p.add_argument("--keep", action="store_true", help="keep each run's outputs in --work")
    args = p.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    print("| records | geotool gaps (all outputs) s | peak MB | read s | analyse s | write s "
          "| peak MB by read / analyse / write | DuckDB end to end s | DuckDB blind spots s "
          "| geotool / DuckDB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = bench(n, args.work, args.postgis, keep=args.keep)
        duck = r["peers"]["duckdb_total_s"]
        print(f"| {n:,} | {r['gaps_s']:.1f} | {r['gaps_peak_mb']:,.0f} | {r['read_s']:.1f} | "
              f"{r['analyse_s']:.1f} | {r['write_s']:.1f} | {r['peak_mb_read']:,.0f} / "
              f"{r['peak_mb_analyse']:,.0f} / {r['peak_mb']:,.0f} | {duck:.1f} | "
              f"{r['peers']['duckdb']['blind_s']:.1f} | {r['gaps_s'] / duck:.2f} |", flush=True)
        if "postgis" in r["peers"]:
            print(f"|   PostGIS end to end {r['peers']['postgis_total_s']:.1f} s |")


if __name__ == "__main__":
    main()
