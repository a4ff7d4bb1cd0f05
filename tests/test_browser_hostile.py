"""Hostile text in real Chromium: shown literally, never run, no dialog, no request (#8).

The hostile workspace of ``tests/_hostile.py`` (every payload in every text
field) is rendered with ``geotool maps --tiles none`` and each page opened
from ``file://``. Every request is routed: anything but a ``file:`` or
``data:`` URL is recorded and aborted, and fails the test; so does any
dialog (``alert``), any page error, and any ``<img>`` element.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _hostile import AS_OF, all_in_one, make_hostile_workspace

from geotool.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "pwned"
    payload = all_in_one(marker)
    ws = make_hostile_workspace(root / "ws", payload)
    out = root / "maps"
    assert main(["maps", str(ws), "--out", str(out), "--as-of", AS_OF.isoformat(),
                 "--tiles", "none"]) == 0
    assert not marker.exists()
    return out, payload, marker


class Watched:
    """A page whose requests, dialogs and errors are recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.bad_requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                self.bad_requests.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.geotoolStats && window.geotoolStats.ready",
                                    timeout=15_000)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.evaluate("e => e.textContent")

    def clean(self) -> None:
        assert self.bad_requests == [] and self.dialogs == [] and self.errors == []
        assert self.page.locator("img").count() == 0
        assert self.page.evaluate("typeof window.__xss") == "undefined"


def test_district_map_shows_every_field_literally(chromium, hostile):
    out, payload, marker = hostile
    w = Watched(chromium, out / "A.html")
    page = w.page
    assert payload in page.title()
    title = w.text("#gt-title h1")
    assert f"city:{payload}" in title and f"dname:{payload}" in title
    labels = w.text(".leaflet-control-layers-overlays")
    assert f"label:{payload}" in labels
    # an issue's popup: category, description, source, unit, record id
    page.evaluate("""() => new Promise(done => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        if (!geotool.map.hasLayer(h)) h.addTo(geotool.map);
        const group = h.gtClusters;
        const m = group.getLayers()[0];
        group.zoomToShowLayer(m, () => { m.openPopup(); done(); });
    })""")
    page.locator(".leaflet-popup .gt-card").wait_for(timeout=5_000)
    card = w.text(".leaflet-popup .gt-card")
    for f in ("cat", "desc", "src", "unit"):
        assert f"{f}:{payload}" in card, f
    assert "X-0" in card and payload in card.partition("X-0")[2]
    page.evaluate("() => geotool.map.closePopup()")
    # a ledger feature: tooltip and popup with id, name, unit, type, layer label
    page.evaluate("""() => geotool.layers.features[0].eachLayer(l => {
        if (!window.__done) { l.openTooltip(); l.openPopup(); window.__done = 1; }
    })""")
    card = w.text(".leaflet-popup .gt-card")
    for f in ("fname", "funit", "ftype", "label"):
        assert f"{f}:{payload}" in card, f
    assert f"fname:{payload}" in w.text(".leaflet-tooltip-pane")
    page.evaluate("() => geotool.map.closePopup()")
    # a street and a community: name and id
    for k, f in ((0, "street"), (1, "community")):
        page.evaluate(f"""() => {{
            const l = geotool.layers.areas[{k}].getLayers()[0];
            geotool.map.addLayer(geotool.layers.areas[{k}]);  // communities start hidden
            l.openPopup(l.getBounds().getCenter());
        }}""")
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.leaflet-popup .gt-card')]"
            f".some(e => e.textContent.includes('{f}:'))", timeout=5_000)
        card = page.evaluate(
            f"() => [...document.querySelectorAll('.leaflet-popup .gt-card')]"
            f".map(e => e.textContent).find(t => t.includes('{f}:'))")
        assert f"{f}:{payload}" in card and f"A-1{payload}" in card, f
        page.evaluate("() => geotool.map.closePopup()")
    # the offline place-name layer shows the street's name, literally
    places = page.evaluate("() => [...document.querySelectorAll('.gt-place')]"
                           ".map(e => e.textContent).join('\\n')")
    assert f"street:{payload}" in places
    w.clean()
    assert not marker.exists()
    w.context.close()


def test_overview_and_hostile_file_name(chromium, hostile):
    out, payload, marker = hostile
    w = Watched(chromium, out / "index.html")
    page = w.page
    assert f"city:{payload}" in w.text("#gt-side h1")
    ranking = w.text("#gt-ranking")
    assert ranking.count(f"dname:{payload}") == 2
    page.evaluate("() => geotool.layers.scores[0].getLayers()[1].openPopup()")
    card = w.text(".leaflet-popup .gt-card")
    assert f"dname:{payload}" in card and f"B{payload}" in card
    w.clean()
    # the district whose id is hostile: its map opens from the ranking's link
    href = page.locator("#gt-ranking a").nth(1).get_attribute("href")
    assert href.endswith(".html") and "/" not in href
    w.context.close()
    other = [p for p in out.glob("*.html") if p.name not in ("A.html", "index.html")]
    assert len(other) == 1
    w = Watched(chromium, other[0])
    assert f"dname:{payload}" in w.text("#gt-title h1")
    w.clean()
    w.context.close()
    assert not marker.exists()
