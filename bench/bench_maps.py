#!/usr/bin/env python
"""Benchmark the district maps: file size and browser ready time.

Builds the test workspace of ``tests/_maps_fixtures.py`` with a district of
5,000 issues (``--issues``), renders it offline (``tiles="none"``), prints
each map's size, and opens the big one in headless Chromium (Debian's
``/usr/bin/chromium``) from ``file://`` with every non-file request blocked,
timing how long until the map reports ready (``window.geotoolStats.ready``)
and how long a marker click takes to show its popup. Targets (issue #4): under
5 MB and ready in under 2 s.

With ``--large`` the district holds 120,000 issues (about 40% open): the
shape of the largest county of issue #10. It prints each map's size, the
render time and peak memory, how many open issues were counted in cells
(``cells``) and how many markers the browser built when the map opened
(none while the district is aggregated), then the ready time in Chromium.

Usage::

    python bench/bench_maps.py [--issues 5000 | --large] [--repeat 3] [--sample]

``--sample`` also renders the bundled sample city (``layers/``) and prints
its map sizes and ready times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from _maps_fixtures import load_result, make_workspace

from geotool.output.render import render_maps

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
MAX_BYTES = 5 * 1024 * 1024
MAX_READY_S = 2.0


def _open(browser, path: Path, timeout_error: type[Exception]) -> dict:
    """Open one map; return ready times, stats and blocked requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.geotoolStats && window.geotoolStats.ready", timeout=30_000)
    wall = time.perf_counter() - t0
    stats = page.evaluate("window.geotoolStats")
    click_s = None
    for _ in range(8):  # zoom into clusters until a single issue marker shows
        marker = page.locator(".leaflet-marker-pane .gt-issue")
        if marker.count():
            t1 = time.perf_counter()
            marker.first.click()
            try:
                page.wait_for_selector(".leaflet-popup .gt-card", timeout=5_000)
                click_s = time.perf_counter() - t1
            except timeout_error:
                errors.append("no popup after clicking an issue marker")
            break
        clusters = page.locator(".leaflet-marker-pane .gt-cluster:not(.gt-cell)")
        cells = page.locator(".leaflet-marker-pane .gt-cell")
        if not clusters.count() and cells.count():  # aggregated: a cell zooms to street level
            cells.first.dispatch_event("click")
            page.wait_for_timeout(900)
            continue
        if not clusters.count():
            break
        clusters.first.dispatch_event("click")
        page.wait_for_timeout(700)  # zoom animation
    context.close()
    return {"wall_s": wall, "ready_ms": stats["readyMs"], "stats": stats, "blocked": blocked,
            "errors": errors, "click_s": click_s}


def _browser_figures(paths: list[Path], repeat: int) -> None:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install chromium (browser figures skipped)")
        return
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for path in paths:
            runs = [_open(browser, path, PlaywrightTimeout) for _ in range(repeat)]
            wall = statistics.median(r["wall_s"] for r in runs)
            ready = statistics.median(r["ready_ms"] for r in runs)
            clicks = [r["click_s"] for r in runs if r["click_s"] is not None]
            s = runs[-1]["stats"]
            ok = "OK" if wall < MAX_READY_S else "SLOW"
            print(f"  {path.name}: ready {wall:.2f} s wall (goto→ready, median of {repeat}), "
                  f"{ready / 1000:.2f} s after navigation start [{ok}]; issues {s['issues']} "
                  f"(cells {s.get('cells', 0)}, markers built {s.get('markers', 0)}), "
                  f"features {s['features']}, blind spots {s['blindspots']}; "
                  f"popup after click {statistics.median(clicks) * 1000:.0f} ms; "
                  f"blocked requests {len(runs[-1]['blocked'])}; errors {runs[-1]['errors']}"
                  if clicks else f"  {path.name}: ready {wall:.2f} s")
        browser.close()


def _sizes(folder: Path) -> list[Path]:
    paths = sorted(folder.glob("*.html"))
    for path in paths:
        size = path.stat().st_size
        ok = "OK" if size < MAX_BYTES else "TOO BIG"
        print(f"  {path.name}: {size / 1e6:.2f} MB [{ok}]")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", action="store_true", help="also the bundled sample city")
    parser.add_argument("--large", action="store_true",
                        help="a district of 120,000 issues (issue #10's largest county)")
    args = parser.parse_args(argv)
    if args.large:
        args.issues = 120_000
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        t0 = time.perf_counter()
        make_workspace(tmp / "ws", n_issues=args.issues)
        result = load_result(tmp / "ws")
        t1 = time.perf_counter()
        render_maps(result, tmp / "maps", tiles="none")
        t2 = time.perf_counter()
        iss = result.issues[result.issues["level_0"] == "A"]
        n, n_open = len(iss), int(iss["open"].fillna(False).astype(bool).sum())
        import resource

        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"synthetic district A with {n:,d} issues ({n_open:,d} open): workspace + gaps "
              f"{t1 - t0:.2f} s, render_maps (2 districts + index) {t2 - t1:.2f} s, "
              f"peak {peak_mb:,.0f} MB (whole process)")
        _sizes(tmp / "maps")
        _browser_figures([tmp / "maps" / "A.html"], args.repeat)
        if args.sample:
            from geotool.analysis.gaps import find_gaps
            from geotool.io.workspace import load_workspace

            loaded = load_workspace(REPO / "layers")
            res = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
                as_of=loaded.workspace.defaults.as_of or dt.date(2026, 10, 26)))
            t3 = time.perf_counter()
            render_maps(res, tmp / "sample", tiles="none")
            print(f"sample city {res.city}: render_maps {time.perf_counter() - t3:.2f} s")
            paths = _sizes(tmp / "sample")
            _browser_figures(paths, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
