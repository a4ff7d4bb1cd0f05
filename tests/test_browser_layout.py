"""The sample city's maps as a leader sees them: phone (390×844) and desktop (1280×900).

Real headless Chromium, ``file://``, every other request aborted. For each
page, size and language: the map takes most of the screen when it opens
(``document.elementFromPoint`` on a grid of points), no two panels overlap
(nor a panel and a map control), tables fit their panel or scroll inside it,
every button is a 40 px tap target on a phone, and each phone panel opens as
a sheet and closes again. Screenshots go to the test's tmp dir and, when the
folder ``GEOTOOL_SHOTS`` names exists, are copied there too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _browser_fixtures import SIZES

pytestmark = pytest.mark.browser


#: Share of the viewport where the top element is the map (panes, tiles, vectors, markers).
MAP_SHARE_JS = """() => {
  const w = window.innerWidth, h = window.innerHeight, n = 40;
  let map = 0, all = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const e = document.elementFromPoint((i + 0.5) * w / n, (j + 0.5) * h / n);
    all += 1;
    if (e && e.closest('.leaflet-container') && !e.closest('.leaflet-control')
        && !e.closest('.gt-panel')) map += 1;
  }
  return map / all;
}"""

#: Rectangles of visible panels and map controls (the adopted layer control is in a panel).
BOXES_JS = """() => {
  const out = [];
  const seen = el => { const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  for (const p of document.querySelectorAll('.gt-panel')) {
    if (!seen(p)) continue;
    const r = p.getBoundingClientRect();
    out.push({name: p.id, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  }
  for (const c of document.querySelectorAll('.leaflet-control')) {
    if (c.closest('.gt-panel') || !seen(c)) continue;
    const r = c.getBoundingClientRect();
    out.push({name: c.className.split(' ').slice(0, 2).join('.'),
              x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  }
  return out;
}"""

#: Tables wider than their panel that do not scroll inside it.
TABLES_JS = """() => {
  const bad = [];
  for (const t of document.querySelectorAll('.gt-panel table, .leaflet-popup table')) {
    const panel = t.closest('.gt-panel') || t.closest('.leaflet-popup-content');
    if (!t.getClientRects().length) continue;
    if (t.scrollWidth <= panel.clientWidth + 1) continue;
    let e = t.parentElement, scrolls = false;
    while (e && e !== panel.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if ((o === 'auto' || o === 'scroll') && e.clientWidth <= panel.clientWidth + 1) {
        scrolls = true; break; }
      e = e.parentElement;
    }
    if (!scrolls) bad.push([panel.id || panel.className, t.scrollWidth, panel.clientWidth]);
  }
  return bad;
}"""

#: Buttons and controls a finger must hit, smaller than 40 px.
SMALL_TARGETS_JS = """() => {
  const bad = [];
  const sel = '.gt-open, .gt-close, .leaflet-control-zoom a';
  for (const b of document.querySelectorAll(sel)) {
    const r = b.getBoundingClientRect();
    if (!r.width) continue;
    if (r.width < 40 || r.height < 40) bad.push([b.className, r.width, r.height]);
  }
  return bad;
}"""


def _pages(sample_result) -> list[str]:
    d = sample_result.districts
    top = d.loc[d["level"] == d["level"].min(), "district_id"].astype(str)
    return ["index", *sorted(top)]


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]:
                out.append((a["name"], b["name"]))
    return out


def _shots_dir() -> Path | None:
    folder = os.environ.get("GEOTOOL_SHOTS")
    return Path(folder) if folder and Path(folder).is_dir() else None


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000
    shots = _shots_dir()
    if shots is not None:
        shutil.copy(path, shots / path.name)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_maps_leave_room_for_the_map_and_panels_never_overlap(sample_result, sample_maps, view,
                                                             tmp_path, lang, size):
    for stem in _pages(sample_result):
        page, errors = view(sample_maps[lang] / f"{stem}.html", size)
        _shot(page, tmp_path, f"{lang}-{size}-{stem}")
        share = page.evaluate(MAP_SHARE_JS)
        assert share >= 0.6, (stem, share)
        assert _overlaps(page.evaluate(BOXES_JS)) == [], stem
        assert page.evaluate(TABLES_JS) == [], stem
        panels = page.locator(".gt-panel")
        assert panels.count() >= 2, stem
        if size != "desktop":  # a phone, upright or held sideways (landscape: 844 x 390)
            w, h = SIZES[size]
            assert page.evaluate(SMALL_TARGETS_JS) == [], stem
            # every panel starts closed to a button; each opens as a sheet and closes again
            assert page.locator(".gt-panel.gt-closed").count() == panels.count(), stem
            for i in range(panels.count()):
                panel = panels.nth(i)
                panel.locator(".gt-open").click()
                assert "gt-closed" not in (panel.get_attribute("class") or ""), stem
                assert page.locator(".gt-panel:not(.gt-closed)").count() == 1, stem
                box = panel.bounding_box()
                assert box["width"] >= w - 10 and box["y"] + box["height"] >= h - 1, stem
                panels_now = [b for b in page.evaluate(BOXES_JS) if b["name"].startswith("gt-")]
                assert _overlaps(panels_now) == [], stem
                assert page.evaluate(TABLES_JS) == [], (stem, panel.get_attribute("id"))
                assert page.evaluate(SMALL_TARGETS_JS) == [], stem
                if i == 0:
                    _shot(page, tmp_path, f"{lang}-{size}-{stem}-sheet")
                panel.locator(".gt-close").click()
                assert page.locator(".gt-panel:not(.gt-closed)").count() == 0, stem
        else:
            # desktop: title, legend and layers open at first, none hiding the district
            assert page.locator(".gt-panel.gt-closed").count() == 0, stem
        assert errors == [], stem


def test_district_outline_is_clear_of_the_panels(sample_result, sample_maps, view):
    """The fitted district lies where no panel is (desktop; phone buttons at the top)."""
    for stem, size in ((_pages(sample_result)[1], "phone"), (_pages(sample_result)[1], "desktop"),
                       ("index", "desktop")):
        w, h = SIZES[size]
        page, _ = view(sample_maps["zh"] / f"{stem}.html", size)
        outline = page.evaluate("""() => {
            const b = (geotool.layers.outline || geotool.layers.scores)[0].getBounds();
            const p0 = geotool.map.latLngToContainerPoint(b.getNorthWest());
            const p1 = geotool.map.latLngToContainerPoint(b.getSouthEast());
            return {x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y, name: 'outline'};
        }""")
        assert outline["x0"] >= 0 and outline["y0"] >= 0, size
        assert outline["x1"] <= w and outline["y1"] <= h, size
        panels = [b for b in page.evaluate(BOXES_JS) if not b["name"].startswith("leaflet")]
        assert _overlaps([outline, *panels]) == [], size


def test_place_names_are_written_and_never_collide(sample_result, sample_maps, view):
    """Street/community names drawn offline; the ones shown never touch each other."""
    stem = _pages(sample_result)[1]
    for size in SIZES:
        page, errors = view(sample_maps["zh"] / f"{stem}.html", size)
        boxes = page.evaluate("""() => [...document.querySelectorAll('.gt-place')]
            .filter(e => getComputedStyle(e).visibility === 'visible')
            .map(e => { const r = e.getBoundingClientRect();
                        return {name: e.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""")
        streets = set(sample_result.districts.loc[sample_result.districts["parent"] == stem, "name"])
        assert len(boxes) >= 3, size
        assert streets & {b["name"] for b in boxes}, size
        assert _overlaps(boxes) == [], size
        assert errors == []


def test_place_names_fall_back_to_the_largest_features():
    """Without streets or communities, the largest ledger features are named."""
    import geopandas as gpd
    import shapely

    from geotool.output.render._places import place_labels

    feats = gpd.GeoDataFrame(
        {"name": ["大场", "小场", "长巷", ""]},
        geometry=[shapely.box(114.60, 33.60, 114.61, 33.61), shapely.box(114.62, 33.60, 114.621, 33.601),
                  shapely.LineString([(114.6, 33.62), (114.7, 33.62)]), shapely.box(114.6, 33.6, 114.7, 33.7)],
        crs="EPSG:4326")
    got = place_labels({}, feats, metric_crs="EPSG:32650", datum="WGS-84")
    assert got["text"] == ["大场", "长巷", "小场"]  # by size (a line counts 10 m² a metre); unnamed skipped
    assert got["rank"] == [1, 1, 1]


def test_default_base_map_falls_back_to_a_plain_background_with_a_note(sample_result, view,
                                                                        tmp_path):
    """AMap (the default) unreachable: tiles dropped, plain background, a small note."""
    from geotool.output.render import render_maps

    stem = _pages(sample_result)[1]
    render_maps(sample_result, tmp_path, districts=[stem])  # default tiles
    text = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert "autonavi.com" in text
    page, errors = view(tmp_path / f"{stem}.html", "phone")
    page.wait_for_function("window.geotoolStats.tilesDropped === true", timeout=15_000)
    note = page.locator(".gt-tiles-note")
    assert note.is_visible() and "底图未能加载" in note.inner_text()
    assert page.locator(".leaflet-tile-pane img").count() == 0
    assert page.evaluate(MAP_SHARE_JS) >= 0.6
    _shot(page, tmp_path, f"zh-phone-{stem}-amap-offline")
    assert errors == []


#: Open the popup of the ledger feature farthest north (its top would sit under the buttons),
#: or west with ``"west"``; true when the popup panned the map to make room.
NORTH_POPUP_JS = """(side) => {
  const far = side === 'west' ? (a, b) => a.lng < b.lng : (a, b) => a.lat > b.lat;
  let best = null;
  for (const key of Object.keys(geotool.layers)) {
    for (const group of geotool.layers[key]) {
      if (!group.eachLayer) continue;
      group.eachLayer(l => {
        if (!l.getPopup || !l.getPopup()) return;
        const at = l.getLatLng ? l.getLatLng()
          : (l.getBounds ? (side === 'west'
              ? L.latLng(l.getBounds().getCenter().lat, l.getBounds().getWest())
              : L.latLng(l.getBounds().getNorth(), l.getBounds().getCenter().lng)) : null);
        if (at && (!best || far(at, best.at))) best = {l, at};
      });
    }
  }
  const map = geotool.map;
  return new Promise(done => {  // resolves once the popup's own pan (if any) has ended
    let moving = false;
    map.once('autopanstart', () => { moving = true; map.once('moveend', () => done(true)); });
    best.l.openPopup(best.at);
    if (!moving) done(false);
  });
}"""

#: Rectangles of the popup, its close button and the phone's panel buttons.
POPUP_BOXES_JS = """() => {
  const box = (e, name) => { const r = e.getBoundingClientRect();
    return {name, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const p = document.querySelector('.leaflet-popup');
  const buttons = [...document.querySelectorAll('.gt-open')]
    .filter(b => getComputedStyle(b).display !== 'none').map(b => box(b, b.textContent));
  return {popup: p && box(p, 'popup'),
          close: p && box(p.querySelector('.leaflet-popup-close-button'), 'close'),
          buttons, vh: innerHeight};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_popups_open_below_the_buttons_and_close_with_a_finger(sample_result, sample_maps,
                                                                     view, lang):
    """A popup near the top pans the map down: its title and × clear the 概况/图例/图层 row."""
    for stem in _pages(sample_result)[1:]:
        page, errors = view(sample_maps[lang] / f"{stem}.html", "phone")
        assert page.evaluate(NORTH_POPUP_JS), stem  # the map moved to make room
        page.locator(".leaflet-popup .gt-card").wait_for(timeout=5_000)
        got = page.evaluate(POPUP_BOXES_JS)
        assert got["buttons"], stem
        assert _overlaps([got["popup"], *got["buttons"]]) == [], (stem, got)
        assert got["popup"]["y1"] <= got["vh"], stem
        close = got["close"]
        assert close["x1"] - close["x0"] >= 40 and close["y1"] - close["y0"] >= 40, (stem, close)
        # a tap on the × closes the popup and opens no panel
        page.mouse.click((close["x0"] + close["x1"]) / 2, (close["y0"] + close["y1"]) / 2)
        page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0",
                               timeout=5_000)
        assert page.locator(".gt-panel:not(.gt-closed)").count() == 0, stem
        assert errors == [], stem


OUTLINE_JS = """() => {
    const b = geotool.layers.outline[0].getBounds();
    const p0 = geotool.map.latLngToContainerPoint(b.getNorthWest());
    const p1 = geotool.map.latLngToContainerPoint(b.getSouthEast());
    return {x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y, name: 'outline'};
}"""


def test_desktop_popups_open_beside_the_panels(sample_result, sample_maps, view):
    """The westernmost feature's popup pans the map so the title and legend column can't hide it."""
    for stem in _pages(sample_result)[1:]:
        page, errors = view(sample_maps["zh"] / f"{stem}.html", "desktop")
        assert page.evaluate(NORTH_POPUP_JS, "west"), stem
        page.locator(".leaflet-popup .gt-card").wait_for(timeout=5_000)
        popup = page.evaluate(POPUP_BOXES_JS)["popup"]
        panels = [b for b in page.evaluate(BOXES_JS) if b["name"].startswith("gt-")]
        assert panels and _overlaps([popup, *panels]) == [], (stem, popup, panels)
        assert errors == [], stem


def test_phone_sheet_refits_the_district_above_it_then_puts_it_back(sample_result, sample_maps,
                                                                     view):
    """A sheet opened on the fitted view: the whole district fits between buttons and sheet."""
    for stem in _pages(sample_result)[1:]:
        page, errors = view(sample_maps["zh"] / f"{stem}.html", "phone")
        before = page.evaluate(OUTLINE_JS)
        legend = page.locator("#gt-legend")
        legend.locator(".gt-open").click()
        sheet = legend.bounding_box()
        assert sheet["height"] > 100, stem
        got = page.evaluate(OUTLINE_JS)
        buttons = page.evaluate(POPUP_BOXES_JS)["buttons"]
        assert got["y1"] <= sheet["y"] and got["x0"] >= 0 and got["x1"] <= SIZES["phone"][0], stem
        assert _overlaps([got, *buttons]) == [], stem
        legend.locator(".gt-close").click()
        back = page.evaluate(OUTLINE_JS)
        assert all(abs(back[k] - before[k]) <= 1 for k in ("x0", "y0", "x1", "y1")), stem
        assert errors == [], stem


def test_phone_sheet_keeps_the_middle_in_view_once_the_map_was_moved(sample_result, sample_maps,
                                                                    view):
    """After the leader pans, a sheet lifts the map by half its height; closing puts it back."""
    stem = _pages(sample_result)[1]
    page, errors = view(sample_maps["zh"] / f"{stem}.html", "phone")
    w, h = SIZES["phone"]
    page.evaluate("() => geotool.map.once('moveend', () => { window.__dragged = true; })")
    page.mouse.move(w / 2, h / 2)  # a finger's drag of the map
    page.mouse.down()
    page.mouse.move(w / 2 + 40, h / 2 + 30, steps=5)
    page.mouse.up()
    page.wait_for_function("window.__dragged === true", timeout=5_000)  # inertia included
    zoom = page.evaluate("() => geotool.map.getZoom()")
    middle = page.evaluate(f"() => {{ const ll = geotool.map.containerPointToLatLng([{w / 2}, {h / 2}]);"
                           " return [ll.lat, ll.lng]; }")
    where = f"() => geotool.map.latLngToContainerPoint({middle}).y"
    legend = page.locator("#gt-legend")
    legend.locator(".gt-open").click()
    sheet = legend.bounding_box()
    y = page.evaluate(where)
    assert abs(y - (h - sheet["height"]) / 2) <= 2, (y, sheet)
    assert y < sheet["y"]
    # another sheet in its place: the map follows the new height
    layers = page.locator("#gt-layers")
    layers.locator(".gt-open").click()
    other = layers.bounding_box()
    assert abs(page.evaluate(where) - (h - other["height"]) / 2) <= 2
    layers.locator(".gt-close").click()
    assert abs(page.evaluate(where) - h / 2) <= 2
    assert page.evaluate("() => geotool.map.getZoom()") == zoom
    assert errors == []


@pytest.mark.parametrize("size", ["phone", "landscape"])
def test_phone_district_clears_the_zoom_and_scale_controls(sample_result, sample_maps, view, size):
    """The fitted district's box touches neither the buttons nor the bottom-right controls.

    Held sideways (844 x 390) the controls' column is kept free beside the
    district, not their height across the whole short screen (which fitted
    the district a zoom level and more too far out).
    """
    for stem in _pages(sample_result)[1:]:
        page, _ = view(sample_maps["zh"] / f"{stem}.html", size)
        outline = page.evaluate("""() => {
            const b = geotool.layers.outline[0].getBounds();
            const p0 = geotool.map.latLngToContainerPoint(b.getNorthWest());
            const p1 = geotool.map.latLngToContainerPoint(b.getSouthEast());
            return {x0: p0.x, y0: p0.y, x1: p1.x, y1: p1.y, name: 'outline'};
        }""")
        boxes = page.evaluate(BOXES_JS)
        assert any(b["name"].startswith("leaflet-control-zoom") for b in boxes), stem
        assert _overlaps([outline, *boxes])[:1] == [], stem
        zoom, best = page.evaluate("""() => [geotool.map.getZoom(),
            geotool.map.getBoundsZoom(geotool.layers.outline[0].getBounds())]""")
        assert zoom >= best - 0.75, (stem, zoom, best)  # within a snap and the margins


def test_rectified_issues_are_drawn_below_the_open_ones(sample_result, sample_maps, view):
    """With 已整改问题 switched on, its rings sit in a pane under the open issues' pane."""
    stem = _pages(sample_result)[1]
    page, errors = view(sample_maps["zh"] / f"{stem}.html", "desktop")
    page.locator("#gt-layers label", has_text="已整改问题").locator("input").check()
    page.wait_for_function("document.querySelector('.gt-ring-done')", timeout=5_000)
    z = page.evaluate("""() => {
        const pane = sel => Number(getComputedStyle(document.querySelector(sel)
            .closest('.leaflet-pane')).zIndex);
        return {done: pane('.gt-ring-done'), open: pane('.gt-ring:not(.gt-ring-done)'),
                points: pane('.gt-shape')};
    }""")
    assert z["done"] < z["open"] and z["done"] < z["points"], z
    assert errors == []


def test_phone_ranking_fits_its_sheet(sample_result, sample_maps, view):
    """The index ranking needs no sideways swipe on a phone, in either language."""
    for lang in ("zh", "en"):
        page, _ = view(sample_maps[lang] / "index.html", "phone")
        page.locator("#gt-side .gt-open").click()
        width, room = page.evaluate("""() => { const t = document.querySelector('#gt-ranking');
            const p = t.closest('.gt-panel'); const s = getComputedStyle(p);
            return [t.scrollWidth, p.clientWidth - parseFloat(s.paddingLeft)
                    - parseFloat(s.paddingRight)]; }""")
        assert width <= room + 1, (lang, width, room)
        # each flag on one line (it wrapped to ⚑ / 红 / 旗, a character per line)
        lines = page.evaluate("""() => [...document.querySelectorAll('#gt-ranking .gt-flag')]
            .map(f => { const r = document.createRange(); r.selectNodeContents(f);
                        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })""")
        assert lines and set(lines) == {1}, (lang, lines)


def test_overview_district_names_never_lie_on_one_another(sample_maps, view):
    """Held sideways with the ranking open, the city is small: names that would touch are
    hidden, the biggest district's kept; with room (a desktop) every name is shown."""
    names_js = """() => [...document.querySelectorAll('.gt-label')]
        .filter(e => getComputedStyle(e).visibility === 'visible')
        .map(e => { const r = e.getBoundingClientRect();
                    return {name: e.innerText, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"""
    page, errors = view(sample_maps["zh"] / "index.html", "desktop")
    assert len(page.evaluate(names_js)) == 4  # the sample city's four districts
    page, errors = view(sample_maps["zh"] / "index.html", "landscape")
    page.locator("#gt-side .gt-open").click()
    page.wait_for_function("window.geotoolStats.labelsHidden > 0")  # refitted small: some go
    shown = page.evaluate(names_js)
    assert len(shown) >= 1 and _overlaps(shown) == [], shown
    page.locator("#gt-side .gt-close").click()  # room again: every name comes back
    page.wait_for_function("window.geotoolStats.labelsHidden === 0")
    assert _overlaps(page.evaluate(names_js)) == [] and errors == []
