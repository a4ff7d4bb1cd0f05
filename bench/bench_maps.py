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
    python bench/bench_maps.py --real [--records 1000000]

``--sample`` also renders the bundled sample city (``layers/``) and prints
its map sizes and ready times.

``--real`` runs the planner's command, ``geotool maps WS --as-of D --tiles
none``, on the real-county workspace of ``bench/realcity.py`` (built once
under ``bench/_work/``) in a fresh process: wall seconds and peak memory
(max RSS), every map's size; then, in Chromium, the largest map: ready time,
the time from a jump to street level over the densest spot until its issues
are drawn, and the popup after a click on a single issue there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
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


#: Jump to street level over the densest cell of the open layer; resolves when it is drawn.
STREET_JS = """() => new Promise(done => {
  const h = geotool.layers.issues.find(l => l.gtKind === 'open');
  let best = null;  // the densest cell: [lat, lng, count]
  if (h.gtCellData) {
    const c = h.gtCellData, s = h.gtData.scale;
    for (let i = 0; i < c.n.length; i++) {
      if (!best || c.n[i] > best[2]) { best = [c.lat[i] / s, c.lon[i] / s, c.n[i]]; } }
  } else {  // maps before on-demand markers: the cell markers
    h.gtCells.eachLayer(m => { if (!best || m.gtCount > best[2]) {
      best = [m.getLatLng().lat, m.getLatLng().lng, m.gtCount]; } });
  }
  const t0 = performance.now();
  const before = geotoolStats.viewDraws || 0;
  geotool.map.setView([best[0], best[1]], 15, {animate: false});
  const drawn = () => h.gtCellData ? (geotoolStats.viewDraws || 0) > before
    : (h.gtClusters && geotool.map.hasLayer(h.gtClusters));
  const wait = () => {
    if (drawn()) {
      requestAnimationFrame(() => setTimeout(() => done({
        ms: performance.now() - t0, cell: best[2],
        built: geotoolStats.markers || 0, rings: document.querySelectorAll(
          '.leaflet-marker-pane .gt-cluster').length,
        singles: document.querySelectorAll('.leaflet-marker-pane .gt-issue').length}), 0));
    } else { setTimeout(wait, 5); }
  };
  wait();
})"""


def _street(browser, path: Path) -> dict:
    """Ready time, jump to street level over the densest spot, popup after a click there."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("window.geotoolStats && window.geotoolStats.ready", timeout=120_000)
    ready = time.perf_counter() - t0
    t1 = time.perf_counter()
    street = page.evaluate(STREET_JS)
    street_wall = time.perf_counter() - t1
    click_s = None
    for _ in range(6):  # zoom into rings until a single issue shows, then click it
        inside = page.evaluate("""() => [...document.querySelectorAll(
            '.leaflet-marker-pane .gt-issue')].findIndex(e => { const r = e.getBoundingClientRect();
            return r.left > 0 && r.top > 0 && r.right < innerWidth && r.bottom < innerHeight; })""")
        if inside >= 0:
            t2 = time.perf_counter()
            page.locator(".leaflet-marker-pane .gt-issue").nth(inside).click()
            page.wait_for_selector(".leaflet-popup .gt-card", timeout=10_000)
            click_s = time.perf_counter() - t2
            break
        nearest = page.evaluate("""() => { let best = -1, dist = Infinity;
            document.querySelectorAll('.leaflet-marker-pane .gt-cluster').forEach((e, k) => {
              const r = e.getBoundingClientRect();
              const d = Math.hypot(r.x - innerWidth / 2, r.y - innerHeight / 2);
              if (d < dist) { dist = d; best = k; } });
            return best; }""")
        if nearest < 0:
            break
        page.locator(".leaflet-marker-pane .gt-cluster").nth(nearest).dispatch_event("click")
        page.wait_for_timeout(800)
    context.close()
    return {"ready_s": ready, "street": street, "street_wall_s": street_wall,
            "click_s": click_s, "errors": errors}


_CHILD_PEAK = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - t
sys.stderr.write(p.stderr[-3000:])
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.returncode)
"""


_MAP_STAGES = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from geotool.analysis.gaps import find_gaps
from geotool.io.workspace import load_workspace
from geotool.output.render import render_maps
t1 = time.perf_counter()
loaded = load_workspace(sys.argv[1])
t2 = time.perf_counter()
result = find_gaps(loaded, params=loaded.workspace.defaults)
t3 = time.perf_counter()
render_maps(result, sys.argv[2], tiles="none")
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "analyse_s": t3 - t2,
                  "maps_s": t4 - t3,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def real(records: int, work: Path, html: Path | None = None) -> int:
    """``geotool maps`` on the real-county city in a fresh process, then its largest map."""
    sys.path.insert(0, str(REPO / "bench"))
    from realcity import make_realcity

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if html is None:
        ws = make_realcity(work / f"real_{records}", records=records)
        out = Path(tempfile.mkdtemp(prefix="bench_maps_", dir=work))
        cmd = [sys.executable, "-m", "geotool.cli", "maps", str(ws), "--as-of", "2026-10-26",
               "--tiles", "none", "--out", str(out)]
        # a wrapper process, so that the peak is geotool's own (not this bench's)
        got = subprocess.run([sys.executable, "-c", _CHILD_PEAK, *cmd], capture_output=True,
                             text=True, check=False)
        wall, peak, rc = got.stdout.split()
        if rc != "0":
            sys.stderr.write(got.stderr)
            return 1
        print(f"geotool maps, {records:,d} records, --tiles none: {float(wall):.1f} s end to "
              f"end, peak {float(peak):,.0f} MB")
        paths = _sizes(out)
        html = max(paths, key=lambda p: p.stat().st_size)
        split = subprocess.run([sys.executable, "-c", _MAP_STAGES, str(ws), str(out / "split")],
                               capture_output=True, text=True, check=True)
        st = json.loads(split.stdout.strip().splitlines()[-1])
        print(f"  the same by stage (another fresh process): import {st['import_s']:.1f} s, "
              f"read {st['read_s']:.1f} s, analyse {st['analyse_s']:.1f} s, "
              f"maps {st['maps_s']:.1f} s; peak {st['peak_mb']:,.0f} MB")
    html = html.resolve()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install chromium (browser figures skipped)")
        return 0
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        r = _street(browser, html)
        browser.close()
    s = r["street"]
    click = f"{r['click_s'] * 1000:.0f} ms" if r["click_s"] is not None else "no single issue"
    print(f"  {html.name} ({html.stat().st_size / 1e6:.2f} MB): ready {r['ready_s']:.2f} s "
          f"(goto → ready); street level over the densest cell ({s['cell']:,d} open issues): "
          f"drawn in {s['ms'] / 1000:.2f} s ({r['street_wall_s']:.2f} s wall), "
          f"{s['rings']} rings and {s['singles']} single issues on screen, "
          f"{s['built']:,d} markers built; popup after click {click}; errors {r['errors']}")
    print(json.dumps({"ready_s": r["ready_s"], "street_s": s["ms"] / 1000,
                      "click_s": r["click_s"], "html_mb": html.stat().st_size / 1e6}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", action="store_true", help="also the bundled sample city")
    parser.add_argument("--large", action="store_true",
                        help="a district of 120,000 issues (issue #10's largest county)")
    parser.add_argument("--real", action="store_true",
                        help="geotool maps on the real-county bench city (bench/realcity.py)")
    parser.add_argument("--records", type=int, default=1_000_000, help="with --real")
    parser.add_argument("--html", type=Path, default=None,
                        help="with --real: only the browser figures of this map")
    args = parser.parse_args(argv)
    if args.real:
        return real(args.records, REPO / "bench" / "_work", args.html)
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
