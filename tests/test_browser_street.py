"""Street level on an aggregated district, in a real Chromium, on a hand-countable city.

District A of the map fixture gets 13 open issues (the threshold for counted
cells is lowered to 5 so that so few are aggregated): a pile of 6 within a
few metres at P1 (2 of them overdue), one lone issue 280 m east of it (P3),
3 far away in the north-east (P2) and the fixture's own X-1, X-2 (overdue)
and X-4. When the map opens the cells count all 13 (3 overdue). At zoom 17
over P1 only P1's pile (one ring: 6, 2 overdue) and P3 (one marker) are
drawn; no marker is built for the others. Clicking the ring spreads its 6
issues as markers; a click on one opens its popup.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from _maps_fixtures import AS_OF, load_result, make_workspace

from geotool.output.render import issue_points, render_maps

pytestmark = pytest.mark.browser

P1 = (114.603, 33.603)
P3 = (114.606, 33.604)
P2 = (114.64, 33.64)


def _row(rid: str, lon: float, lat: float, overdue: bool) -> list[object]:
    found = AS_OF - dt.timedelta(days=12 if overdue else 2)
    deadline = AS_OF - dt.timedelta(days=3) if overdue else AS_OF + dt.timedelta(days=4)
    return [rid, "问题", f"{found} 09:00", lon, lat, "", "乱堆乱放", f"描述{rid}", "晨查",
            "城管局", str(deadline), "未整改", ""]


@pytest.fixture()
def street_maps(tmp_path, monkeypatch):
    root = make_workspace(tmp_path / "ws", n_issues=0)
    rows = [_row(f"S-{k}", P1[0] + 0.00001 * k, P1[1] + 0.00001 * (k % 3), k < 2)
            for k in range(6)]
    rows.append(_row("S-lone", *P3, False))
    rows += [_row(f"S-far{k}", P2[0] + 0.0001 * k, P2[1], False) for k in range(3)]
    with open(root / "records" / "records.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = load_result(root)
    monkeypatch.setattr(issue_points, "AGGREGATE_FROM", 5)
    render_maps(res, tmp_path / "maps", tiles="none", districts=["A"])
    return res, tmp_path / "maps" / "A.html"


def test_street_zoom_draws_the_cell_in_view_and_counts_match(street_maps, view):
    res, path = street_maps
    iss = res.issues[(res.issues["level_0"] == "A") & res.issues["open"]]
    assert len(iss) == 13 and int(iss["overdue"].sum()) == 3  # the hand count above
    page, errors = view(path, "desktop")
    cells = page.evaluate("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        const out = {agg: h.gtAggregated, n: 0, overdue: 0};
        h.gtCells.eachLayer(c => { out.n += c.gtCount; out.overdue += c.gtOverdue; });
        return out;
    }""")
    assert cells == {"agg": True, "n": 13, "overdue": 3}
    assert page.locator(".leaflet-marker-pane .gt-issue").count() == 0
    page.evaluate(f"geotool.map.setView([{P1[1]}, {P1[0]}], 17, {{animate: false}})")
    page.wait_for_function("geotoolStats.viewDraws > 0")
    drawn = page.evaluate("""() => {
        const h = geotool.layers.issues.find(l => l.gtKind === 'open');
        const rings = [], singles = [];
        h.gtView.eachLayer(l => {
          if (l.gtCount) { rings.push([l.gtCount, l.gtOverdue, l._icon.textContent]); }
          else if (l.gtIndex !== undefined) { singles.push(h.gtData.id[l.gtIndex]); } });
        return {rings, singles, built: geotoolStats.markers || 0};
    }""")
    assert drawn == {"rings": [[6, 2, "6"]], "singles": ["S-lone"], "built": 1}
    assert page.locator(".leaflet-marker-pane .gt-issue").count() == 1
    assert page.locator(".leaflet-marker-pane .gt-view").count() == 1
    page.locator(".leaflet-marker-pane .gt-view").dispatch_event("click")
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-marker-pane .gt-issue').length === 7")
    assert page.locator(".leaflet-marker-pane .gt-view").count() == 0  # all 6 spread
    page.locator(".leaflet-marker-pane .gt-issue").first.click(force=True)
    card = page.locator(".leaflet-popup .gt-card")
    card.wait_for(timeout=5_000)
    assert "乱堆乱放" in card.inner_text()
    assert errors == []
