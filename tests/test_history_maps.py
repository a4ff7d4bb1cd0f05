"""History on the maps: rank changes, the 本周新增 layer, trend charts (two-week city)."""

from __future__ import annotations

import json
import re

import pytest
from _history_fixtures import D1, D2, build_two_weeks

from geotool.analysis.gaps import find_gaps
from geotool.analysis.snapshot import save_result
from geotool.analysis.trends import history_view
from geotool.cli import main
from geotool.io.history import open_store
from geotool.io.workspace import load_workspace
from geotool.output.render.history_marks import trend_svg


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-weeks") / "ws"
    root.mkdir()
    build_two_weeks(root, 'path = "history.gpkg"')
    loaded = load_workspace(root)
    with open_store(path=root / "history.gpkg") as store:
        for date in (D1, D2):
            save_result(store, find_gaps(loaded, params=loaded.workspace.defaults
                                         .with_overrides(as_of=date)))
    return root


@pytest.fixture(scope="module")
def view(city):
    loaded = load_workspace(city)
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=D2))
    with open_store(path=city / "history.gpkg") as store:
        return history_view(result, store)


def test_view_has_the_rank_changes_and_the_new_items(view):
    assert view.previous == D1
    assert view.rank_change == {"A": -1, "B": -1, "C": 2}
    new = view.new_since
    ids = new["record_id"].fillna(new["feature_id"])
    assert list(zip(new["change"], new["district"], ids, strict=True)) \
        == [("new_issue", "B", "I5"), ("newly_forgotten", "A", "PA2")]


def test_trend_has_every_stored_week_per_district_and_city(view):
    t = view.trend
    assert sorted(set(t["as_of"])) == [D1, D2]
    c = t[t["district_id"] == "C"].sort_values("as_of")
    assert c["score"].tolist() == [66.67, 100.0] and c["overdue_issues"].tolist() == [1, 0]
    city = t[t["district_id"] == ""].sort_values("as_of")
    assert city["open_issues"].tolist() == [4, 4]          # 2+1+1 both weeks
    assert city["coverage_rate"].tolist() == [0.8571, 0.8571]  # 6 of 7 both weeks
    assert city["overdue_issues"].tolist() == [1, 1]


@pytest.fixture(scope="module")
def maps(city, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps")
    assert main(["maps", str(city), "--as-of", str(D2), "--out", str(out), "--tiles", "none"]) == 0
    return out


def test_index_ranking_shows_the_change_and_trend_charts(maps):
    html = (maps / "index.html").read_text(encoding="utf-8")
    ranking = html[html.index('id="gt-ranking"'):html.index("</table>", html.index('id="gt-ranking"'))]
    rows = {did: ranking[ranking.index(f'data-district="{did}"'):] for did in "ABC"}
    assert '<td class="gt-up">↑2</td>' in rows["C"].split("</tr>")[0]   # green
    assert '<td class="gt-down">↓1</td>' in rows["A"].split("</tr>")[0]  # red
    assert "较上期" in ranking and "2026-10-12" in ranking
    # what it compares with is written under the table, not only in a tooltip a phone never shows
    assert '<p class="gt-hint">较上期: 与 2026-10-12 的快照相比' in html
    assert html.count('class="gt-trend"') == 4          # the city and three districts
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert captions == ["全市", "丙区", "乙区", "甲区"]      # best to worst, as the ranking
    assert html.count("<polyline") == 16                 # four series each
    # the latest figures written under each chart (its values are tooltips a phone never shows)
    lasts = [re.sub(r"</?span>", "", t)
             for t in re.findall(r'<p class="gt-trend-last">(.*?)</p>', html)]
    assert len(lasts) == 4 and all(t.startswith("2026-10-19：得分 ") for t in lasts)
    assert lasts[3] == "2026-10-19：得分 70.0 · 覆盖率 50.0% · 未销号问题 2 · 超期问题 1"  # 甲区 A
    # the key draws each series as the charts do: the issue series dashed
    key = re.search(r'<p class="gt-trend-key">(.*?)</p>', html).group(1)
    assert key.count("stroke-dasharray") == 2 and "━" not in key


def test_district_maps_have_the_new_this_week_layer(maps):
    a = (maps / "A.html").read_text(encoding="utf-8")
    b = (maps / "B.html").read_text(encoding="utf-8")
    c = (maps / "C.html").read_text(encoding="utf-8")
    assert "本周新增（1）" in a and "点位PA2" in a   # newly forgotten
    assert "本周新增（1）" in b and "I5" in b          # new issue
    assert "本周新增（0）" in c
    # off when the map opens, explained in the legend, each new issue with its status now
    data = json.loads(re.search(r'<script type="application/json" id="gt-data">(.*?)</script>',
                                b, flags=re.DOTALL).group(1))
    new = [v for v in data if isinstance(v, dict) and str(v.get("name", "")).startswith("本周新增")]
    assert len(new) == 1 and new[0]["show"] is False
    # drawn over the issue markers (markerPane, 600), which sit on the same spots
    assert new[0]["opts"]["pane"] == "gtNew"
    panes = dict(re.findall(r'\["(gt\w+)", (\d+)\]', b))
    assert 600 < int(panes["gtNew"]) < 650  # under the tooltips (650)
    fields = new[0]["opts"]["fields"]
    issue = new[0]["data"]["features"][0]["properties"]["v"]
    assert issue[fields.index("问题编号")] == "I5" and issue[fields.index("整改状态")] == "未整改"
    assert "<h2>本周新增</h2>" in b
    # the title panel says the district's rank change and since when (C climbed two places)
    title = c[c.index('id="gt-title"'):]
    assert '较上期（2026-10-12）：<b class="gt-up">↑2</b>' in title[:title.index("</dl>") + 200]


def test_trends_png_for_slides(maps):
    from matplotlib import image

    png = maps / "trends.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.imread(png).shape[1] >= 800


def test_no_store_no_history_marks(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, "")
    out = tmp_path / "maps"
    assert main(["maps", str(root), "--as-of", str(D2), "--out", str(out), "--tiles", "none"]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "较上期" not in html and 'class="gt-trend"' not in html
    assert not (out / "trends.png").exists() and not (root / "history.gpkg").exists()
    assert "本周新增" not in (out / "B.html").read_text(encoding="utf-8")  # no layer, no legend


def test_trend_svg_escapes_names(view):
    svg = trend_svg(view.trend, "A", title='<script>alert(1)</script>"', lang="zh")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def _ws_with_d1(tmp_path, *overrides):
    root = tmp_path / "ws"
    root.mkdir()
    build_two_weeks(root, 'path = "history.gpkg"')
    loaded = load_workspace(root)
    with open_store(path=root / "history.gpkg") as store:
        save_result(store, find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
            as_of=D1, **dict(overrides))))
    return root


def test_maps_of_another_citys_store_are_drawn_without_its_history(tmp_path, capsys):
    root = _ws_with_d1(tmp_path)
    toml = root / "geotool.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('name = "两周市"', 'name = "邻市"'),
                    encoding="utf-8")
    out = tmp_path / "maps"
    assert main(["maps", str(root), "--as-of", str(D2), "--out", str(out), "--tiles", "none"]) == 0
    err = capsys.readouterr().err
    assert "另一个城市" in err and "两周市" in err and len(err.strip().splitlines()) == 1
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "较上期" not in html  # 两周市's ranks are not this city's last week


def test_maps_say_when_last_week_had_other_parameters(tmp_path, capsys):
    root = _ws_with_d1(tmp_path, ("window_days", 3))
    out = tmp_path / "maps"
    assert main(["maps", str(root), "--as-of", str(D2), "--out", str(out), "--tiles", "none"]) == 0
    err = capsys.readouterr().err
    assert "分析参数不同" in err and "window_days 3 → 7" in err
    assert "较上期" in (out / "index.html").read_text(encoding="utf-8")


def test_a_new_issue_past_its_deadline_says_so_in_its_popup():
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from geotool.output.render.history_marks import new_layer

    new = gpd.GeoDataFrame({
        "change": ["new_issue", "new_issue"], "district": ["A", "A"], "name": [None, None],
        "feature_id": ["PA1", "PA2"], "record_id": ["I8", "I9"], "category": ["积水", "积水"],
        "status_to": ["open", "open"], "deadline": pd.to_datetime(["2026-10-15", "2026-10-30"]),
        "overdue": [True, False]}, geometry=[Point(117.0, 33.6), Point(117.01, 33.6)],
        crs="EPSG:4326")
    layer, _ = new_layer(new, "A", lang="zh", datum="wgs84")
    import json

    issues = json.loads(layer.payload)["data"]["features"]
    fields = json.loads(layer.payload)["opts"]["fields"]
    status = [f["properties"]["v"][fields.index("整改状态")] for f in issues]
    assert status == ["未整改 · 超期", "未整改"]  # as the issue layers write it
