"""Benchmark: the write stage alone (``write_gaps``, every output) on one analysed workspace.

The workspace is read and analysed once; then ``write_gaps`` runs ``--repeat``
times into a fresh folder, and each part of it once more, one after the other
in this thread, so that the CPU seconds of each can be read apart:

* ``csv_s``: the CSVs (features, districts, issues, units, quarantine);
* ``geojson_s``: ``blindspots.geojson``;
* ``city_s``: ``gaps.xlsx``;
* ``units_s``: the units' workbooks and their cover.

``write_gaps`` writes every file in two worker threads
(:mod:`geotool.output.write_threads`), so its wall seconds (``write_s``) on two free cores are about
half the sum of its CPU seconds (``write_cpu_s``); on a busy machine they are
not. Prints one JSON line.

Usage::

    python bench/bench_write.py WORKSPACE OUT [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from geotool.analysis.gaps import find_gaps
from geotool.io.workspace import load_workspace
from geotool.output import report
from geotool.output.city_workbook import write_city_workbook
from geotool.output.unit_lists import write_unit_lists


def _cpu(call) -> float:
    start = time.process_time()
    call()
    return round(time.process_time() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workspace")
    parser.add_argument("out", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    loaded = load_workspace(args.workspace)
    result = find_gaps(loaded, params=loaded.workspace.defaults)
    figures: dict[str, object] = {"records": len(loaded.records), "issues": len(result.issues)}
    runs = []
    for _ in range(args.repeat):
        shutil.rmtree(args.out, ignore_errors=True)
        wall, cpu = time.perf_counter(), time.process_time()
        report.write_gaps(result, args.out)
        runs.append({"write_s": round(time.perf_counter() - wall, 2),
                     "write_cpu_s": round(time.process_time() - cpu, 2)})
    figures["runs"] = runs
    out = args.out
    figures["csv_s"] = _cpu(lambda: report._write_lists(result, out, lang="zh"))
    figures["geojson_s"] = _cpu(lambda: report._write_blindspots(result, out))
    figures["city_s"] = _cpu(lambda: write_city_workbook(result, out / "gaps.xlsx"))
    figures["units_s"] = _cpu(lambda: write_unit_lists(result, out))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
