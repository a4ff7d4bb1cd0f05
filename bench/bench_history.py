"""Time the history store on the sample city: save, load, diff (GeoPackage and PostGIS).

Run: ``python bench/bench_history.py`` (PostGIS only when the Debian packages
are installed: it starts a throw-away server like the tests do). Prints figures.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from geotool.analysis.diff import diff_snapshots
from geotool.analysis.gaps import find_gaps
from geotool.analysis.snapshot import save_result
from geotool.io.history import open_store
from geotool.io.workspace import load_workspace

DATES = [dt.date(2026, 10, 5), dt.date(2026, 10, 12), dt.date(2026, 10, 19),
         dt.date(2026, 10, 26)]


def _bench(name: str, opener, results) -> None:
    with opener() as store:
        t0 = time.perf_counter()
        for r in results:
            save_result(store, r)
        t1 = time.perf_counter()
        save_result(store, results[-1])  # the same date again: replaced
        t2 = time.perf_counter()
        a, b = store.load(DATES[-2]), store.load(DATES[-1])
        t3 = time.perf_counter()
        diff = diff_snapshots(a, b)
        t4 = time.perf_counter()
    n = sum(len(r.features) + len(r.issues) + len(r.districts) for r in results)
    print(f"{name:8s} save 4 weeks ({n:,d} rows) {t1 - t0:6.2f} s | replace one {t2 - t1:5.2f} s"
          f" | load two {t3 - t2:5.2f} s | diff {t4 - t3:5.2f} s ({len(diff.changes)} changes)")


def main() -> None:
    loaded = load_workspace(HERE.parent / "layers")
    results = [find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=d))
               for d in DATES]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.gpkg"
        _bench("gpkg", lambda: open_store(path=path), results)
        print(f"         file size {path.stat().st_size / 1e6:.1f} MB")
    from _postgres import BIN, POSTGIS

    if not (BIN / "initdb").exists() or not POSTGIS.exists():
        print("postgis  skipped: postgresql-15-postgis-3 not installed")
        return
    from _postgres import Server

    server = Server()
    try:
        url = server.database()
        _bench("postgis", lambda: open_store(url=url), results)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
