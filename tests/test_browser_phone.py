"""The sample city's maps under a finger: real taps on a 390×844 touch phone.

Real headless Chromium (``is_mobile``, ``has_touch``), ``file://``, every other
request aborted. Taps go through ``locator.tap`` / ``page.touchscreen.tap``
(touch events, then the mouse events a phone derives from them); every check
waits for a condition, never for a time.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture()
def phone(view):
    """Open a page on a touch phone (every non-``file://`` request aborted)."""
    return lambda path: view(path, "phone", is_mobile=True, has_touch=True,
                             device_scale_factor=2)


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


#: Text of the open sheet seen through its × button's box (drawn there, not hidden under it).
UNDER_CLOSE_JS = """() => {
  const sheet = document.querySelector('.gt-panel:not(.gt-closed)');
  const c = sheet.querySelector('.gt-close').getBoundingClientRect();
  const hits = [];
  const walk = document.createTreeWalker(sheet.querySelector('.gt-content'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest('.gt-bar')) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom) {
        const e = document.elementFromPoint((Math.max(r.left, c.left) + Math.min(r.right, c.right)) / 2,
                                            (Math.max(r.top, c.top) + Math.min(r.bottom, c.bottom)) / 2);
        if (e && n.parentElement.contains(e)) hits.push(n.textContent.trim().slice(0, 30));
      }
    }
  }
  return hits;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheet_close_button_never_covers_text(sample_result, sample_maps, phone, lang):
    """Scrolled or not, no text of a sheet is under (or drawn over) its sticky ×."""
    d = sample_result.districts
    stem = sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))[0]
    for name in ("index", stem):
        page, errors = phone(sample_maps[lang] / f"{name}.html")
        panels = page.locator(".gt-panel")
        for i in range(panels.count()):
            panel = panels.nth(i)
            panel.locator(".gt-open").tap()
            page.wait_for_function("document.querySelectorAll('.gt-panel:not(.gt-closed)').length === 1")
            room = panel.evaluate("p => p.scrollHeight - p.clientHeight")
            for top in sorted({0, 12, 30, 60, max(room, 0)}):
                panel.evaluate("(p, t) => { p.scrollTop = t; }", top)
                assert page.evaluate(UNDER_CLOSE_JS) == [], (lang, name, panel.get_attribute("id"), top)
            panel.locator(".gt-close").tap()
            page.wait_for_function("document.querySelectorAll('.gt-panel:not(.gt-closed)').length === 0")
        assert errors == [], name


#: For each map control under the open sheet: whether the sheet is on top at its centre,
#: and the alpha of the sheet's background (1: nothing shows through).
UNDER_SHEET_JS = """() => {
  const sheet = document.querySelector('.gt-panel:not(.gt-closed)');
  const s = sheet.getBoundingClientRect();
  const out = [];
  for (const c of document.querySelectorAll('.leaflet-control, .leaflet-control-scale-line')) {
    if (c.closest('.gt-panel')) continue;
    const r = c.getBoundingClientRect();
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    if (!r.width || y < s.top || y > s.bottom) continue;
    const e = document.elementFromPoint(x, y);
    out.push([c.className.split(' ')[0], !!e && sheet.contains(e)]);
  }
  const bg = getComputedStyle(sheet).backgroundColor;
  const m = bg.match(/rgba?\\(([^)]*)\\)/);
  const parts = m ? m[1].split(',') : [];
  return {under: out, alpha: parts.length === 4 ? parseFloat(parts[3]) : (parts.length ? 1 : 0)};
}"""


def test_sheets_are_opaque_and_above_every_map_control(sample_result, sample_maps, phone):
    """Zoom, scale, attribution and the overview's layers icon never show through a sheet."""
    d = sample_result.districts
    stem = sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))[0]
    for name in ("index", stem):
        page, errors = phone(sample_maps["en"] / f"{name}.html")
        panels = page.locator(".gt-panel")
        covered = 0
        for i in range(panels.count()):
            panel = panels.nth(i)
            panel.locator(".gt-open").tap()
            page.wait_for_function("document.querySelectorAll('.gt-panel:not(.gt-closed)').length === 1")
            got = page.evaluate(UNDER_SHEET_JS)
            assert got["alpha"] == 1, (name, panel.get_attribute("id"), got)
            assert all(on_top for _, on_top in got["under"]), (name, got)
            covered += len(got["under"])
            panel.locator(".gt-close").tap()
            page.wait_for_function("document.querySelectorAll('.gt-panel:not(.gt-closed)').length === 0")
        assert covered > 0, name  # some sheet did lie over the controls
        assert errors == [], name


def test_overview_links_and_layer_rows_are_finger_sized(sample_maps, phone):
    """The popup's 打开地图 link, the ranking's district links and the layer rows: ≥ 40 px tall."""
    for lang in ("zh", "en"):
        page, errors = phone(sample_maps[lang] / "index.html")
        page.evaluate("() => { const l = geotool.layers.scores[0].getLayers()[0];"
                      " l.openPopup(l.getBounds().getCenter()); }")
        link = page.locator(".leaflet-popup .gt-card-link")
        link.wait_for()
        assert link.bounding_box()["height"] >= 40, lang
        page.locator(".leaflet-popup-close-button").tap()
        page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
        page.locator(".leaflet-control-layers-toggle").tap()
        page.wait_for_function("document.querySelector('.leaflet-control-layers-expanded')")
        rows = page.locator(".leaflet-control-layers label")
        assert rows.count() >= 1
        assert all(rows.nth(i).bounding_box()["height"] >= 40 for i in range(rows.count())), lang
        page.touchscreen.tap(40, 760)
        page.locator("#gt-side .gt-open").tap()
        links = page.locator("#gt-ranking a")
        assert links.count() >= 2
        heights = [links.nth(i).bounding_box()["height"] for i in range(links.count())]
        assert min(heights) >= 40, (lang, heights)
        assert errors == [], lang


def test_english_words_and_the_density_hint(sample_result, sample_maps, phone):
    """English calls the best district "best" (a red flag is a warning); the density
    layer's hint wraps beside its checkbox, its lines starting where the label's text starts."""
    page, errors = phone(sample_maps["en"] / "index.html")
    flags = page.locator("#gt-ranking .gt-flag-red")
    assert flags.first.text_content().strip() == "⚑ best"
    assert "red flag" not in page.content()
    d = sample_result.districts
    stem = sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))[0]
    for lang in ("zh", "en"):
        page, errors = phone(sample_maps[lang] / f"{stem}.html")
        page.locator("#gt-layers .gt-open").tap()
        label = page.locator("#gt-layers label", has_text="(" if lang == "en" else "（").last
        label.scroll_into_view_if_needed()
        got = label.evaluate("""l => { const t = l.querySelector('input + span');
            const range = document.createRange(); range.selectNodeContents(t);
            const lines = [...range.getClientRects()];
            return {input: l.querySelector('input').getBoundingClientRect().right,
                    text: Math.min(...lines.map(r => r.left)), n: lines.length,
                    words: t.textContent}; }""")
        assert "density" in got["words"] or "密度" in got["words"], got
        assert got["n"] >= 2 or lang == "zh", got  # the English hint wraps on a phone
        assert got["text"] >= got["input"], (lang, got)
        assert errors == [], lang


def test_legend_explains_the_evaluation_risk_layer(sample_result, phone, tmp_path):
    """With the 测评风险 layer drawn, the legend has its section, swatches as on the map."""
    from _browser_fixtures import SAMPLE

    from geotool.analysis.risk import evaluation_risk
    from geotool.io.config import load_config
    from geotool.output.render import render_maps
    from geotool.output.render.extras import RiskOverlay

    d = sample_result.districts
    stem = sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))[0]
    risk = evaluation_risk(sample_result, load_config(SAMPLE).evaluation, draws=1)
    for lang, words in (("zh", ["测评风险", "整改后少失分最多"]),
                        ("en", ["Evaluation risk", "largest saving when fixed"])):
        out = tmp_path / lang
        render_maps(sample_result, out, districts=[stem], tiles="none", lang=lang,
                    extras=[RiskOverlay(risk)])
        page, errors = phone(out / f"{stem}.html")
        page.locator("#gt-legend .gt-open").tap()
        legend = page.locator("#gt-legend")
        assert legend.locator("h2", has_text=words[0]).count() == 1, lang
        rows = legend.locator("li", has_text=words[1])
        rows.first.scroll_into_view_if_needed()
        assert rows.count() == 1 and rows.first.is_visible(), lang
        assert legend.locator("li").filter(has=page.locator(".gt-diamond")).count() >= 1, lang
        assert errors == [], lang


#: Names of the hover tooltips on screen (not the permanent labels).
HOVER_NAMES_JS = """() => [...document.querySelectorAll('.leaflet-tooltip')]
  .filter(t => !t.classList.contains('gt-label')).map(t => t.textContent)"""

#: A point on screen where an area (street/community) polygon is the top element.
AREA_POINT_JS = """() => { const paths = new Set();
  geotool.layers.areas.forEach(g => g.eachLayer(l => paths.add(l._path)));
  for (let y = 120; y < 640; y += 7) for (let x = 20; x < 370; x += 7) {
    if (paths.has(document.elementFromPoint(x, y))) return [x, y]; }
  return null; }"""


def test_a_tapped_area_name_goes_away(sample_result, sample_maps, phone):
    """The name an area tap shows closes with its popup, and when the map is tapped."""
    d = sample_result.districts
    stem = sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))[0]
    page, errors = phone(sample_maps["zh"] / f"{stem}.html")
    for close in ("popup", "map"):
        x, y = page.evaluate(AREA_POINT_JS)  # again: the first popup may have panned the map
        page.touchscreen.tap(x, y)
        page.locator(".leaflet-popup").wait_for()
        page.wait_for_function(f"({HOVER_NAMES_JS})().length === 1")
        if close == "popup":  # a phone may send no mouse event at all with it (iOS)
            page.evaluate("() => geotool.map.closePopup()")
        else:
            page.evaluate("() => geotool.map.fire('click', {latlng: geotool.map.getCenter()})")
        page.wait_for_function(f"({HOVER_NAMES_JS})().length === 0", timeout=5_000)
    assert errors == []
