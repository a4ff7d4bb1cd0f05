"""The maps in a real headless Chromium, opened from ``file://`` with no network.

One browser for the module; each page gets a fresh context whose every
request is recorded and, unless it is a ``file://`` URL, aborted. Maps are
rendered from the hand-made workspace of ``tests/_maps_fixtures.py`` (and
from the bundled sample city when ``layers/geotool.toml`` exists) with
``tiles="none"``, so any request but the page itself is a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _browser_fixtures import map_still
from _maps_fixtures import XSS, load_result, make_workspace
from conftest import SAMPLE

from geotool.output.render import render_maps

pytestmark = pytest.mark.browser


@dataclass
class Opened:
    """A page open in its own context, with what it asked the network for."""

    page: object
    context: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def non_file(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]

    def stats(self) -> dict:
        return self.page.evaluate("window.geotoolStats")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    result = load_result(root)
    out = tmp_path_factory.mktemp("maps")
    render_maps(result, out, tiles="none")
    return result, out


@pytest.fixture()
def open_map(chromium):
    opened: list[Opened] = []

    def _open(path: Path, *, wait: bool = True) -> Opened:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        o = Opened(page=None, context=context)

        def route(r):
            o.requests.append(r.request.url)
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: o.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: o.errors.append(f"pageerror: {e}"))
        o.page = page
        page.goto(path.as_uri())
        if wait:
            page.wait_for_function("window.geotoolStats && window.geotoolStats.ready",
                                   timeout=15_000)
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.context.close()


def _expected_overlays(result, district_id: str) -> int:
    d = result.districts
    depths = set()
    frontier = {district_id}
    depth = 0
    while frontier:
        depth += 1
        frontier = set(d.loc[d["parent"].isin(frontier), "district_id"])
        if frontier:
            depths.add(depth)
    layers = result.features.loc[result.features["level_0"] == district_id, "layer"].nunique()
    # outline, levels, place names, blind, ledgers, open issues, rectified issues, heat
    return 1 + len(depths) + 1 + 1 + layers + 1 + 1 + 1


def _issue_markers_in_dom(page) -> int:
    """Issue markers drawn: single markers plus the counts written on clusters."""
    singles = page.locator(".leaflet-marker-pane .gt-issue").count()
    counts = page.locator(".leaflet-marker-pane .gt-cluster .gt-ring span").all_inner_texts()
    return singles + sum(int(c) for c in counts)


def test_district_map_offline_complete_and_clickable(tiny, open_map, tmp_path):
    result, out = tiny
    o = open_map(out / "A.html")
    page = o.page
    assert o.requests == [(out / "A.html").as_uri()]
    assert o.non_file == [] and o.errors == []
    stats = o.stats()
    n_issues = int((result.issues["level_0"] == "A").sum())
    assert stats["issues"] == n_issues
    assert stats["features"] == int((result.features["level_0"] == "A").sum())
    assert stats["blindspots"] == int((result.blindspots["district_id"] == "A").sum())
    n_open = int(((result.issues["level_0"] == "A") & result.issues["open"].fillna(False)).sum())
    assert _issue_markers_in_dom(page) == n_open  # the whole district is in view, open ones only
    overlays = page.locator(".leaflet-control-layers-overlays label")
    assert overlays.count() == _expected_overlays(result, "A") == stats["overlays"]
    assert page.locator("#gt-title").is_visible() and page.locator("#gt-legend").is_visible()
    title = page.locator("#gt-title").inner_text()
    assert "甲区" in title and "2026-09-30" in title and "蓝旗" in title
    # hatched blind spots: filled with the SVG pattern, which exists
    assert page.locator("path[fill='url(#gt-hatch)']").count() == stats["blindspots"]
    assert page.locator("pattern#gt-hatch line").count() == 1
    page.screenshot(path=str(tmp_path / "A.png"))
    assert (tmp_path / "A.png").stat().st_size > 20_000

    # click a single issue marker: its popup lists the issue's fields
    page.locator(".leaflet-marker-pane .gt-issue").first.click()
    card = page.locator(".leaflet-popup .gt-card")
    card.wait_for(timeout=5_000)
    text = card.inner_text()
    for label in ("问题类型", "问题描述", "来源", "发现时间", "责任单位", "整改时限", "整改状态",
                  "已挂账天数"):
        assert label in text, label
    map_still(page)  # the popup's auto-pan over: the button stays under the mouse
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
    # click a ledger line: its popup names the layer and the state
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").last.click(force=True)
    card.wait_for(timeout=5_000)
    assert "状态" in card.inner_text()
    assert o.errors == [] and o.non_file == []


def test_heat_layer_is_hidden_until_switched_on(tiny, open_map):
    _, out = tiny
    o = open_map(out / "A.html")
    page = o.page
    heat_paths = page.locator(".leaflet-gtHeat-pane path")
    assert heat_paths.count() == 0
    box = page.locator(".leaflet-control-layers-overlays label").last
    assert "未销号问题密度" in box.inner_text()
    assert not box.locator("input").is_checked()
    box.locator("input").check()
    assert heat_paths.count() == o.stats()["heatCells"] > 0
    assert o.errors == []


def test_injected_html_shows_as_text_and_never_runs(tiny, open_map):
    _, out = tiny
    o = open_map(out / "A.html")
    page = o.page
    # the issue whose description and unit carry the injection: open its popup
    page.evaluate("""() => new Promise(done => {
        const h = geotool.layers.issues.find(h => h.gtData.id.includes('X-1'));
        if (!geotool.map.hasLayer(h)) h.addTo(geotool.map);
        const group = h.gtClusters;
        const m = group.getLayers().find(l => l.gtId === 'X-1');
        group.zoomToShowLayer(m, () => { m.openPopup(); done(); });
    })""")
    card = page.locator(".leaflet-popup .gt-card")
    card.wait_for(timeout=5_000)
    assert card.inner_text().count(XSS) == 2  # description and unit, as text
    assert page.locator(".leaflet-popup img").count() == 0
    # the alley named with it: tooltip and popup
    page.evaluate("""() => {
        for (const g of geotool.layers.features) g.eachLayer(l => {
            if (l.feature.properties.v[0] === 'AL-A1') { l.openTooltip(); l.openPopup(); }
        });
    }""")
    assert XSS in page.locator(".leaflet-tooltip").last.inner_text()
    labels = page.locator(".leaflet-control-layers-overlays").inner_text()
    assert f"农贸市场{XSS}" in labels  # layer label from the config, as text
    assert page.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert o.errors == [] and o.non_file == []

    b = open_map(out / "B.html")
    assert XSS in b.page.locator("#gt-title h1").inner_text()
    assert XSS in b.page.title()
    assert b.page.locator("img").count() == 0 and b.page.evaluate("window.__xss") is None
    assert b.errors == [] and b.non_file == []


def test_index_ranks_and_links_to_maps(tiny, open_map, tmp_path):
    _, out = tiny
    o = open_map(out / "index.html")
    page = o.page
    rows = page.locator("#gt-ranking tbody tr")
    assert rows.count() == 2 and o.stats()["districts"] == 2
    assert "红旗" in rows.first.inner_text() and "蓝旗" in rows.last.inner_text()
    assert page.locator(".gt-label").count() == 2  # a name + score label per district
    assert XSS in page.locator("#gt-ranking").inner_text()
    page.screenshot(path=str(tmp_path / "index.png"))
    page.locator("#gt-ranking a", has_text="甲区").click()
    page.wait_for_function("window.geotoolStats && window.geotoolStats.ready", timeout=15_000)
    assert page.url.endswith("/A.html")
    assert page.evaluate("window.__xss") is None
    assert o.errors == [] and o.non_file == []


def test_osm_map_draws_everything_without_network(tiny, open_map, tmp_path):
    result, _ = tiny
    out = tmp_path / "osm"
    render_maps(result, out, tiles="osm", districts=["A"])
    o = open_map(out / "A.html")
    stats = o.stats()
    assert stats["issues"] == int((result.issues["level_0"] == "A").sum())
    assert stats["features"] == int((result.features["level_0"] == "A").sum())
    assert o.non_file and all(re.match(r"https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", u)
                              for u in o.non_file)
    assert not [e for e in o.errors if "ERR_FAILED" not in e and "Failed to load" not in e]


def test_sample_city_maps(chromium, open_map, tmp_path):
    if not (SAMPLE / "geotool.toml").exists():
        pytest.skip("layers/geotool.toml missing: run scripts/make_sample_city.py")
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(SAMPLE)
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
        as_of=loaded.workspace.defaults.as_of))
    render_maps(result, tmp_path, tiles="none")
    top = result.districts[result.districts["level"] == result.districts["level"].min()]
    for did in top["district_id"]:
        path = tmp_path / f"{did}.html"
        o = open_map(path)
        stats = o.stats()
        assert o.non_file == [] and o.errors == [], did
        assert stats["issues"] == int((result.issues["level_0"] == did).sum()), did
        assert stats["features"] == int((result.features["level_0"] == did).sum()), did
        assert o.page.locator(".leaflet-control-layers-overlays label").count() == \
            _expected_overlays(result, did)
        o.page.screenshot(path=str(tmp_path / f"{did}.png"))
    o = open_map(tmp_path / "index.html")
    assert o.page.locator("#gt-ranking tbody tr").count() == len(top)
    assert o.non_file == [] and o.errors == []
