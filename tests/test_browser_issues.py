"""Honest issue numbers in a real Chromium: open issues only, overdue share, cluster clicks.

On the sample city (every district): the numbers on the clusters are the
open-issue counts of their members, and the rings' red share their overdue
share; rectified issues are a separate layer, off at first. Clicking a
cluster never zooms past :data:`SPIDER_ZOOM`; there it spreads. A popup names
the place. On a 5,000-issue district the open issues are counted in cells
when the map opens and, from street zoom on, only the issues in view are drawn.
"""

from __future__ import annotations

import pytest
from _maps_fixtures import load_result, make_workspace

from geotool.output.render import render_maps
from geotool.output.render.issue_points import STREET_ZOOM

pytestmark = pytest.mark.browser

SPIDER_ZOOM = 17

#: Every cluster and single marker of the open layer now on screen, with its members.
CLUSTERS_JS = """() => {
  const h = geotool.layers.issues.find(l => l.gtKind === 'open');
  const out = {clusters: [], singles: 0};
  const g = h.gtClusters;
  g._featureGroup.eachLayer(l => {
    if (l instanceof L.MarkerCluster) {
      const members = l.getAllChildMarkers();
      const ring = l._icon.querySelector('.gt-ring');
      out.clusters.push({text: l._icon.textContent, members: members.length,
        open: members.filter(m => h.gtData.overdue[m.gtIndex] >= 0).length,
        overdue: members.filter(m => h.gtData.overdue[m.gtIndex] === 1).length,
        shownOverdue: Number(ring.getAttribute('data-overdue')),
        background: ring.style.background});
    } else { out.singles += 1; }
  });
  return out;
}"""


def _open_counts(result, did: str) -> tuple[int, int]:
    iss = result.issues[result.issues["level_0"] == did]
    is_open = iss["open"].fillna(False).astype(bool)
    return int(is_open.sum()), int((is_open & iss["overdue"].fillna(False).astype(bool)).sum())


def _top(result) -> list[str]:
    d = result.districts
    return sorted(d.loc[d["level"] == d["level"].min(), "district_id"].astype(str))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cluster_numbers_are_open_issue_counts(sample_result, sample_maps, view, lang):
    for did in _top(sample_result):
        page, errors = view(sample_maps[lang] / f"{did}.html", "desktop")
        n_open, n_over = _open_counts(sample_result, did)
        got = page.evaluate(CLUSTERS_JS)
        total = got["singles"]
        for c in got["clusters"]:
            assert int(c["text"]) == c["members"] == c["open"], (did, c)
            assert c["shownOverdue"] == c["overdue"], (did, c)
            assert "conic-gradient" in c["background"], (did, c)
            total += c["members"]
        assert total == n_open, did
        # rectified issues: their own layer, off at first
        rect = page.evaluate("""() => {
            const h = geotool.layers.issues.find(l => l.gtKind === 'rectified');
            return {on: geotool.map.hasLayer(h), n: h.gtData.n};
        }""")
        n_all = int((sample_result.issues["level_0"] == did).sum())
        assert rect == {"on": False, "n": n_all - n_open}, did
        names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        word = "未销号问题（" if lang == "zh" else "Open issues ("
        (open_name,) = [t.strip() for t in names if t.strip().startswith(word)]
        assert f"{n_open:,d}" in open_name and f"{n_over:,d}" in open_name, open_name
        assert errors == []


def test_cluster_clicks_stop_at_street_level_then_spread(sample_result, sample_maps, view):
    did = _top(sample_result)[-1]
    page, errors = view(sample_maps["zh"] / f"{did}.html", "phone")
    biggest = page.evaluate("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        let best = null;
        h.gtClusters._featureGroup.eachLayer(l => {
          if (l instanceof L.MarkerCluster && (!best || l.getChildCount() > best.getChildCount()))
            best = l; });
        window.__target = best.getAllChildMarkers()[0];
        return best.getChildCount();
    }""")
    assert biggest >= 2
    zooms = []
    for _ in range(12):
        spread = page.evaluate("""() => new Promise(done => {
            const h = geotool.layers.issues.find(l => l.gtKind === 'open');
            const parent = h.gtClusters.getVisibleParent(window.__target);
            if (!parent || parent === window.__target) { done(true); return; }
            if (parent._icon === null || !(parent instanceof L.MarkerCluster)) { done(true); return; }
            const map = geotool.map;
            let finished = false;
            const end = () => { if (!finished) { finished = true; setTimeout(() => done(false), 50); } };
            map.once('zoomend', end);
            h.gtClusters.once('spiderfied', () => { finished = true; done(true); });
            parent._icon.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            setTimeout(end, 1500);
        })""")
        zooms.append(page.evaluate("geotool.map.getZoom()"))
        if spread:
            break
    assert spread, zooms
    assert max(zooms) <= SPIDER_ZOOM + 1e-9, zooms
    assert errors == []


def test_popup_names_the_place(sample_result, sample_maps, view):
    did = _top(sample_result)[0]
    page, errors = view(sample_maps["zh"] / f"{did}.html", "phone")
    iss = sample_result.issues
    feats = sample_result.features.set_index(["layer", "feature_id"])["name"]
    text = page.evaluate("""() => new Promise(done => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        const d = h.gtData;
        const i = d.place.findIndex(p => d.dicts.place[p] !== '');
        const m = h.gtClusters.getLayers().find(l => l.gtIndex === i);
        h.gtClusters.zoomToShowLayer(m, () => { m.openPopup(); done(d.id[i]); });
    })""")
    row = iss.set_index("record_id").loc[text]
    name = feats.loc[(row["layers"].split(";")[0], row["feature_ids"].split(";")[0])]
    card = page.locator(".leaflet-popup .gt-card")
    card.wait_for(timeout=5_000)
    body = card.inner_text()
    label = sample_result.layer_labels[row["layers"].split(";")[0]]
    assert f"{name}（{label}）" in body, body
    street = sample_result.districts.set_index("district_id").loc[row["level_1"], "name"]
    assert street in body, body
    assert errors == []


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("ws_big"), n_issues=6000)
    res = load_result(root)
    out = tmp_path_factory.mktemp("maps_big")
    render_maps(res, out, tiles="none", districts=["A"])
    return res, out


def test_large_district_opens_aggregated_and_shows_markers_at_street_zoom(big, view):
    res, out = big
    page, errors = view(out / "A.html", "desktop")
    n_open, n_over = _open_counts(res, "A")
    assert n_open > 2000
    cells = page.evaluate("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        const out = {agg: h.gtAggregated, n: 0, overdue: 0, cells: 0, built: !!h.gtClusters};
        h.gtCells.eachLayer(c => { out.n += c.gtCount; out.overdue += c.gtOverdue; out.cells += 1; });
        return out;
    }""")
    assert cells["agg"] and not cells["built"]
    assert cells["n"] == n_open and cells["overdue"] == n_over and cells["cells"] > 4
    assert page.locator(".leaflet-marker-pane .gt-cell").count() == cells["cells"]
    assert "汇总" in page.locator(".leaflet-control-layers-overlays").inner_text()
    page.evaluate(f"geotool.map.setZoom({STREET_ZOOM}, {{animate: false}})")
    page.wait_for_function("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        return !h.gtAggregated && h.gtView && geotool.map.hasLayer(h.gtView);
    }""", timeout=10_000)
    assert page.locator(".leaflet-marker-pane .gt-cell").count() == 0
    drawn = page.evaluate("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        let n = 0, singles = 0;
        h.gtView.eachLayer(l => { if (l.gtCount) { n += l.gtCount; } else if (l.gtIndex !== undefined) { singles += 1; } });
        return {n: n + singles, inView: geotoolStats.viewShown, built: geotoolStats.markers || 0};
    }""")
    # only the issues in view are drawn (rings count them all), and only lone ones get a marker
    assert 0 < drawn["n"] == drawn["inView"] < n_open
    assert drawn["built"] < drawn["n"]
    assert errors == []


def test_feature_and_blind_spot_popups_speak_in_names(sample_result, sample_maps, view):
    did = _top(sample_result)[1]
    page, errors = view(sample_maps["zh"] / f"{did}.html", "desktop")
    card = page.locator(".leaflet-popup .gt-card")
    fid = page.evaluate("""() => { let id = null;
        for (const g of geotool.layers.features) g.eachLayer(l => {
          if (!id) { id = l.feature.properties.v[0]; l.openPopup(); } });
        return id; }""")
    card.wait_for(timeout=5_000)
    body = card.inner_text()
    feat = sample_result.features.set_index("feature_id").loc[fid]
    names = sample_result.districts.set_index("district_id")["name"]
    path = " / ".join(names.get(p, p) for p in feat["district_path"].split("/"))
    assert path in body and feat["name"] in body, body
    assert sample_result.layer_labels[feat["layer"]] in body, body
    page.evaluate("""() => { let done = false;
        geotool.layers.blind[0].eachLayer(l => { if (!done) { done = true; l.openPopup(); } }); }""")
    page.wait_for_function("document.querySelector('.leaflet-popup .gt-card-title')"
                           " && document.querySelector('.leaflet-popup .gt-card-title')"
                           ".textContent.startsWith('盲区')")
    body = card.inner_text()
    assert "(平方米)" not in body and "盲区面积" in body, body
    assert body.count("平方公里") + body.count("平方米") == 2, body  # title and area row, one unit
    streets = set(sample_result.districts.loc[sample_result.districts["parent"] == did, "name"])
    assert any(s in body for s in streets), body
    assert errors == []
