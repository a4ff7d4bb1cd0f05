"""The sample city's maps under a finger: real taps on a 390×844 touch phone.

Real headless Chromium (``is_mobile``, ``has_touch``), ``file://``, every other
request aborted. Taps go through ``locator.tap`` / ``page.touchscreen.tap``
(touch events, then the mouse events a phone derives from them); every check
waits for a condition, never for a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(chromium):
    """Open a page on a touch phone (every non-``file://`` request aborted)."""
    contexts = []

    def _open(path: Path):
        context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                       device_scale_factor=2)
        contexts.append(context)
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                      else r.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("window.geotoolStats && window.geotoolStats.ready",
                               timeout=20_000)
        return page, errors

    yield _open
    for c in contexts:
        c.close()


EXPANDED = "document.querySelector('.leaflet-control-layers-expanded')"
SCORES_ON = "() => geotool.map.hasLayer(geotool.layers.scores[0])"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_layers_icon_never_blanks_the_map(sample_maps, phone, lang):
    """Tapping the layers icon (and again on the same spot, now the list) keeps the scores on."""
    page, errors = phone(sample_maps[lang] / "index.html")
    toggle = page.locator(".leaflet-control-layers-toggle")
    box = toggle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for i in range(12):
        if i % 2:
            page.touchscreen.tap(x + (i % 3 - 1) * 8, y + (i % 5 - 2) * 4)
        else:
            toggle.tap()
        page.wait_for_function(EXPANDED)
        # the list now lies under the finger: a second tap there, as a leader would
        page.touchscreen.tap(x, y)
        page.locator(".leaflet-control-layers label").first.tap()
        assert page.evaluate(SCORES_ON), (lang, i)
        page.touchscreen.tap(40, 760)  # the map: the list closes
        page.wait_for_function(f"!{EXPANDED}")
        assert page.evaluate(SCORES_ON), (lang, i)
    # the one layer shows no checkbox: there is nothing to switch off
    toggle.tap()
    page.wait_for_function(EXPANDED)
    assert page.locator(".leaflet-control-layers input").is_visible() is False
    assert page.locator(".leaflet-control-layers label").first.is_visible()
    assert errors == []
