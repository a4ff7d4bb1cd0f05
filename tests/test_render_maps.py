"""The maps as HTML text: offline, escaped, named safely, shifted for GCJ-02 tiles.

Built from the tiny hand-made workspace of ``tests/_maps_fixtures.py`` run
through ``load_workspace`` + ``find_gaps``. Browser checks are in
``test_browser_maps.py``.
"""

from __future__ import annotations

import doctest
import html
import json
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from _maps_fixtures import XSS, load_result, make_workspace

from geotool._errors import GeotoolError
from geotool.crs import wgs84_to_gcj02
from geotool.output.render import _display, _format, _names, heat, render_maps, style, tiles
from geotool.output.render._names import MAX_STEM_CHARS, file_stems, safe_stem
from geotool.output.render._packed import unpacked_ints
from geotool.output.render.district_map import district_map
from geotool.output.render.tiles import resolve_tiles

SVG_NS = "http://www.w3.org/2000/svg"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    return load_result(root)


@pytest.fixture(scope="module")
def maps_none(result, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("maps_none")
    render_maps(result, out, tiles="none")
    return out


def _pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def _page_data(text: str) -> list:
    """The page's one JSON data element, parsed."""
    block = re.search(r'<script type="application/json" id="gt-data">(.*?)</script>', text,
                      flags=re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def _overlay_names(text: str) -> list[str]:
    """Plain-text names of the layer-control entries (``map.js`` escapes them)."""
    return [v["name"] for v in _page_data(text) if isinstance(v, dict) and "show" in v]


def _issue_layers(text: str) -> dict[str, dict]:
    """``{"open": cols, "rectified": cols}``: the issue layers' column data, unpacked."""
    out = {}
    for v in _page_data(text):
        if isinstance(v, dict) and "cols" in v.get("data", {}):
            cols = dict(v["data"]["cols"])
            for key, spec in (cols.pop("packed", None) or {}).items():
                cols[key] = unpacked_ints(spec, cols["n"]).tolist()
            if "idPrefix" in cols:
                cols["id"] = [f"{cols['idPrefix']}{i:0{cols['idWidth']}d}"
                              for i in unpacked_ints(cols["id"], cols["n"])]
            out[v["opts"]["kind"]] = cols
    return out


def _issue_names(result, district: str, lang: str = "zh") -> list[str]:
    iss = result.issues[result.issues["level_0"] == district]
    n_open = int(iss["open"].sum())
    n_over = int((iss["open"] & iss["overdue"]).sum())
    if lang == "en":
        return [f"Open issues ({n_open:,d}, {n_over:,d} overdue)",
                f"Rectified issues ({len(iss) - n_open:,d})"]
    return [f"未销号问题（{n_open:,d}，其中超期 {n_over:,d}）", f"已整改问题（{len(iss) - n_open:,d}）"]


def _urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", text))


# --- offline --------------------------------------------------------------------------------

def test_tiles_none_pages_reference_nothing_online(maps_none):
    pages = _pages(maps_none)
    assert set(pages) == {"A.html", "B.html", "index.html"}
    for name, text in pages.items():
        assert _urls(text) <= {SVG_NS}, name  # the SVG namespace name is never fetched
        assert not re.search(r"<script[^>]+src=", text), name
        assert "<link" not in text, name
        for host in ("jsdelivr", "cloudflare", "bootstrapcdn", "jquery.com", "unpkg"):
            assert host not in text, (name, host)
        assert "sourceMappingURL" not in text, name
        # CSS images are inlined or dropped: no relative image file is requested
        assert not re.search(r"url\((?!data:|#|\"?#)", text.replace("url(#gt-hatch", "")), name
        assert "L.map(" in text and "L.markerClusterGroup" in text, name


def test_osm_pages_reference_only_the_tile_template(result, tmp_path):
    render_maps(result, tmp_path, tiles="osm", districts=["A"])
    text = (tmp_path / "A.html").read_text(encoding="utf-8")
    assert _urls(text) == {SVG_NS, "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert "<a " not in text.split("<body>")[0]  # the attribution is plain text, no link


def test_intranet_template_is_the_only_url(result, tmp_path):
    url = "http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png"
    render_maps(result, tmp_path, tiles=url, districts=["B"])
    assert _urls((tmp_path / "B.html").read_text(encoding="utf-8")) == {SVG_NS, url}


# --- content ------------------------------------------------------------------------------

def test_layer_names_in_chinese_by_default(maps_none, result):
    text = (maps_none / "A.html").read_text(encoding="utf-8")
    n_blind = int((result.blindspots["district_id"] == "A").sum())
    assert _overlay_names(text) == [
        "区界", "街道/乡镇（2）", "社区/村（4）", "地名", f"盲区（时间窗内无记录覆盖）（{n_blind}）",
        f"农贸市场{XSS}（3）", "背街小巷（12）", "测评点位（5）",
        *_issue_names(result, "A"), "未销号问题密度（默认隐藏，可在图层中打开）"]
    for words in ("图例", "创文覆盖作战图", "分析日期", "2026-09-30", "遗忘场所", "超期未整改"):
        assert words in text, words


def test_english_pages(result, tmp_path):
    render_maps(result, tmp_path, tiles="none", lang="en")
    text = (tmp_path / "A.html").read_text(encoding="utf-8")
    names = _overlay_names(text)
    assert names[:3] == ["District boundary", "Streets / towns (2)",
                         "Communities / villages (4)"]
    assert names[-3:-1] == _issue_names(result, "A", "en")
    assert names[-1].startswith("Open-issue density")
    for name in ("Blind spots", "Legend", "coverage map", "As of", '<html lang="en">',
                 "forgotten (no record in window)"):
        assert name in text, name
    for word in ("图例", "区界", "分析日期", "未销号问题密度"):
        assert word not in text, word
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "District ranking (best to worst)" in index and "⚑ best" in index
    assert "red flag" not in index  # a warning in English: the best district is "best"
    assert "Open map" in index
    # issue popups: English status words, places as "name (layer)" with ASCII brackets
    layers = _issue_layers(text)
    words = layers["open"]["dicts"]["status"] + layers["rectified"]["dicts"]["status"]
    assert set(words) <= {"Open", "Being rectified", "Rectified", "Closed"} and words
    places = [p for p in layers["open"]["dicts"]["place"] if p]
    assert places and all(" (" in p and "（" not in p for p in places), places[:3]


def test_every_issue_of_the_district_is_drawn(result):
    page = district_map(result, "A", tiles=resolve_tiles("none"))
    expected = int((result.issues["level_0"] == "A").sum())
    assert expected > 40 and page.issues == expected
    layers = _issue_layers(page.html)
    assert layers["open"]["n"] + layers["rectified"]["n"] == expected
    ids = layers["open"]["id"] + layers["rectified"]["id"]
    assert sorted(ids) == sorted(result.issues.loc[result.issues["level_0"] == "A", "record_id"])
    # open ones in one layer (on), rectified ones in another (off at first)
    iss = result.issues.set_index("record_id")
    assert iss.loc[layers["open"]["id"], "open"].all()
    assert not iss.loc[layers["rectified"]["id"], "open"].any()
    assert layers["open"]["overdue"] == iss.loc[layers["open"]["id"], "overdue"].astype(int).tolist()
    shows = {v["opts"]["kind"]: v["show"] for v in _page_data(page.html)
             if isinstance(v, dict) and "cols" in v.get("data", {})}
    assert shows == {"open": True, "rectified": False}


def test_overlays_listed_in_order(result):
    page = district_map(result, "A", tiles=resolve_tiles("none"))
    assert page.overlays[0] == "区界"
    assert page.overlays[-3].startswith("未销号问题（") and page.overlays[-2].startswith("已整改问题（")
    assert page.overlays[-1].startswith("未销号问题密度")
    # polygons under lines under points
    ledgers = [o for o in page.overlays if o.split("（")[0] in ("背街小巷", "测评点位")
               or o.startswith("农贸市场")]
    assert [o[:2] for o in ledgers] == ["农贸", "背街", "测评"]


def test_user_strings_are_escaped_everywhere(maps_none):
    escaped = html.escape(XSS)
    for name, text in _pages(maps_none).items():
        assert XSS not in text, name  # never raw, in HTML or in script data
        assert "<img" not in text.lower(), name
    a = (maps_none / "A.html").read_text(encoding="utf-8")
    b = (maps_none / "B.html").read_text(encoding="utf-8")
    index = (maps_none / "index.html").read_text(encoding="utf-8")
    json_form = _display.script_json(XSS)[1:-1]
    assert json_form in a  # the description, unit and alley name as JSON data
    assert f"农贸市场{XSS}（3）" in _overlay_names(a)  # plain text; map.js escapes it
    assert f"<h1>{html.escape('测试市乙区' + XSS + ' 创文覆盖作战图')}</h1>" in b  # title panel
    assert f"<title>{html.escape('测试市乙区' + XSS)}" in b
    assert escaped in index  # ranking table


def test_pages_are_stable(result, tmp_path):
    render_maps(result, tmp_path / "one", tiles="none")
    render_maps(result, tmp_path / "two", tiles="none")
    for name in ("A.html", "B.html", "index.html"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_index_ranks_best_first_with_flags_and_links(maps_none, result):
    text = (maps_none / "index.html").read_text(encoding="utf-8")
    table = text[text.index('id="gt-ranking"'):]
    rows = re.findall(r'<tr data-district="([^"]+)">(.*?)</tr>', table)
    top = result.districts[result.districts["level"] == 0]
    best = top.sort_values("score", ascending=False)["district_id"].tolist()
    assert [r[0] for r in rows] == best
    assert "红旗" in rows[0][1] and "蓝旗" in rows[-1][1]
    assert 'href="A.html"' in table and 'href="B.html"' in table


def test_only_chosen_districts_are_written_and_linked(result, tmp_path):
    render_maps(result, tmp_path, tiles="none", districts=["B"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["B.html", "index.html"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="B.html"' in index and 'href="A.html"' not in index


def test_unknown_district_names_the_id_and_the_choices(result, tmp_path):
    with pytest.raises(GeotoolError, match=r"unknown district id 'A-1'.*A, B"):
        render_maps(result, tmp_path, districts=["A-1"])
    assert not list(tmp_path.iterdir())


# --- base maps and datums -----------------------------------------------------------------

def _issue_latlon(page: str, record_id: str) -> tuple[float, float]:
    for cols in _issue_layers(page).values():
        if record_id in cols["id"]:
            i = cols["id"].index(record_id)
            return ((cols["lat0"] + cols["lat"][i]) / cols["scale"],
                    (cols["lon0"] + cols["lon"][i]) / cols["scale"])
    raise AssertionError(record_id)


def test_amap_tiles_shift_drawn_data_to_gcj02(result, tmp_path):
    render_maps(result, tmp_path / "wgs", tiles="none", districts=["B"])
    render_maps(result, tmp_path / "gcj", tiles="amap", districts=["B"])
    wgs = _issue_latlon((tmp_path / "wgs" / "B.html").read_text(encoding="utf-8"), "X-5")
    gcj = _issue_latlon((tmp_path / "gcj" / "B.html").read_text(encoding="utf-8"), "X-5")
    assert wgs == pytest.approx((33.62, 114.68), abs=1e-5)
    glon, glat = wgs84_to_gcj02(np.array([114.68]), np.array([33.62]))
    assert gcj == pytest.approx((float(glat[0]), float(glon[0])), abs=1.5e-5)
    assert abs(gcj[1] - wgs[1]) > 0.003  # a few hundred metres: really shifted
    gcj_page = (tmp_path / "gcj" / "B.html").read_text(encoding="utf-8")
    assert "autonavi.com" in gcj_page
    # the boundary moved too: the WGS-84 corner 114.7, 33.6 is not drawn on GCJ-02 tiles
    assert "[114.7,33.6]" in (tmp_path / "wgs" / "B.html").read_text(encoding="utf-8")
    assert "[114.7,33.6]" not in gcj_page


@pytest.mark.parametrize("value", ["google", "javascript:alert(1)//{z}{x}{y}",
                                   "http://x/tiles/{z}/{x}.png", "tianditu",
                                   "tianditu:<script>", "ftp://h/{z}/{x}/{y}"])
def test_bad_tiles_are_refused(value):
    with pytest.raises(GeotoolError):
        resolve_tiles(value)


def test_tile_presets():
    assert resolve_tiles("OSM").datum == "WGS-84"
    assert resolve_tiles("gaode").shift_to_gcj02
    t = resolve_tiles("tianditu:0123456789abcdef")
    assert t.url.endswith("tk=0123456789abcdef") and not t.shift_to_gcj02
    t = resolve_tiles("GCJ02:http://10.0.0.5/amap/{z}/{x}/{y}.png")
    assert t.shift_to_gcj02 and t.url == "http://10.0.0.5/amap/{z}/{x}/{y}.png"


# --- file names -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "a\\b", "..", ".", "", " ", "CON",
                                 "nul", "Com1", "LPT9", "index", "INDEX", "aux.txt", "a b",
                                 "x" * 300, "区" * 200, "tab\there", "semi;colon", "q?*:|\"<>"])
def test_safe_stem_is_a_plain_file_name(bad):
    stem = safe_stem(bad)
    assert stem and stem == stem.strip(" .")
    assert not set(stem) & set('/\\:*?"<>|;\t ') and ".." not in stem and "." not in stem
    assert stem.casefold() not in {"con", "nul", "com1", "lpt9", "aux", "index"}
    assert stem != bad or bad in ("x",)
    assert len(stem) <= MAX_STEM_CHARS + 9
    assert safe_stem(bad) == stem  # stable


@pytest.mark.parametrize("good", ["A", "411602", "CHQ-01", "川东区", "x_y"])
def test_safe_ids_are_kept(good):
    assert safe_stem(good) == good


def test_changed_ids_stay_unique():
    ids = ["a/b", "a_b", "a b", "a\\b", "A", "a", "区", "区 ", "x" * 300, "x" * 301]
    stems = file_stems(ids)
    assert len({s.casefold() for s in stems.values()}) == len(ids)
    assert stems["a_b"] == "a_b" and stems["区"] == "区"
    assert file_stems(list(reversed(ids))) == stems


def test_weird_district_ids_give_safe_files(result, tmp_path):
    weird = {"A": "../A 区/CON", "B": "index"}
    res = _rename_districts(result, weird)
    out = tmp_path / "maps"
    index = render_maps(res, out, tiles="none")
    files = sorted(p.name for p in out.iterdir())
    assert index == out / "index.html" and len(files) == 3
    assert all(p.parent == out for p in out.iterdir())
    stems = file_stems(weird.values())
    assert sorted(f"{s}.html" for s in stems.values()) == sorted(f for f in files
                                                                  if f != "index.html")
    text = index.read_text(encoding="utf-8")
    for stem in stems.values():
        assert f'href="{_names_quote(stem)}.html"' in text


def _names_quote(stem: str) -> str:
    from urllib.parse import quote

    return quote(stem, safe="-_")


def _rename_districts(result, mapping: dict[str, str]):
    import copy

    res = copy.copy(result)
    d = result.districts.copy()
    d["district_id"] = d["district_id"].replace(mapping)
    d["parent"] = d["parent"].replace(mapping)
    res.districts = d
    for name in ("features", "issues"):
        frame = getattr(result, name).copy()
        for col in [c for c in frame.columns if c.startswith("level_")] + ["district"]:
            frame[col] = frame[col].replace(mapping)
        setattr(res, name, frame)
    b = result.blindspots.copy()
    b["district_id"] = b["district_id"].replace(mapping)
    res.blindspots = b
    return res


# --- PNG and size ---------------------------------------------------------------------------

def test_png_maps_are_written_without_warnings(result, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from geotool.output.render.png import cjk_font

        if cjk_font() is None:
            warnings.filterwarnings("ignore", message="no CJK font")
        render_maps(result, tmp_path, tiles="none", png=True)
    for name in ("A.png", "B.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (1920, 1080)  # a 16:9 slide
        assert len(data) > 20_000


def test_png_without_cjk_font_warns_once(result, tmp_path, monkeypatch):
    from geotool.output.render import png

    monkeypatch.setattr(png, "cjk_font", lambda: None)
    monkeypatch.setattr(png, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_maps(result, tmp_path, tiles="none", png=True)
    assert [str(w.message)[:11] for w in caught] == ["no CJK font"]
    assert (tmp_path / "A.png").stat().st_size > 20_000


def test_empty_district_still_renders(result, tmp_path):
    import copy

    empty = copy.copy(result)
    empty.issues = result.issues.iloc[0:0]
    empty.features = result.features.iloc[0:0]
    empty.blindspots = result.blindspots.iloc[0:0]
    empty.districts = result.districts[result.districts["level"] == 0]
    render_maps(empty, tmp_path, tiles="none", png=True)
    text = (tmp_path / "A.html").read_text(encoding="utf-8")
    assert _overlay_names(text) == ["区界", "地名", "盲区（时间窗内无记录覆盖）（0）",
                                    "未销号问题（0，其中超期 0）", "已整改问题（0）",
                                    "未销号问题密度（默认隐藏，可在图层中打开）"]
    assert (tmp_path / "A.png").exists()


def test_5000_issues_stay_small(tmp_path):
    root = make_workspace(tmp_path / "ws", n_issues=5000)
    res = load_result(root)
    render_maps(res, tmp_path / "maps", tiles="none", districts=["A"])
    size = (tmp_path / "maps" / "A.html").stat().st_size
    assert size < 5 * 1024 * 1024
    assert size < 1.5 * 1024 * 1024  # about 110 bytes an issue


# --- helpers --------------------------------------------------------------------------------

def test_script_json_cannot_close_a_script():
    text = _display.script_json({"d": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_display_geometry_is_rounded_and_simplified(result):
    feats = result.features[result.features["layer"] == "alleys"]
    geoms = _display.display_geoms(feats, result.metric_crs)
    coords = np.concatenate([np.asarray(g.coords) for g in geoms])
    assert np.allclose(coords, np.round(coords, 5))


@pytest.mark.parametrize("module", [_names, _display, _format, heat, style, tiles])
def test_doctests(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


@pytest.mark.slow
def test_large_district_map_stays_under_5_mb(tmp_path):
    """120,000 issues in one district (#10's largest county): aggregated, compact, ≤ 5 MB."""
    root = make_workspace(tmp_path / "ws", n_issues=120_000)
    res = load_result(root)
    render_maps(res, tmp_path / "maps", tiles="none", districts=["A"])
    text = (tmp_path / "maps" / "A.html").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 5_000_000
    layers = _issue_layers(text)
    assert layers["open"]["n"] > 50_000 and len(layers["open"]["id"]) == layers["open"]["n"]
    assert layers["rectified"]["id"] == []  # too many: counted in cells only
    names = _overlay_names(text)
    assert any("汇总" in n and n.startswith("未销号问题") for n in names)


def test_png_overview_slide(result, tmp_path):
    render_maps(result, tmp_path, tiles="none", png=True)
    data = (tmp_path / "index.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1920, 1080)


def test_a_feature_popup_names_its_leader_only_when_the_ledger_has_leaders(result):
    from geotool.output.render._payloads import features_payload

    part = result.features.iloc[:2].copy()
    _, opts = features_payload(part, "测评点位", result.metric_crs, "wgs84", "zh")
    assert "责任领导/路长" not in opts["fields"]  # no ledger names leaders: no empty line
    part["leader"] = ["王副区长", None]
    data, opts = features_payload(part, "测评点位", result.metric_crs, "wgs84", "zh")
    at = opts["fields"].index("责任领导/路长")
    assert opts["fields"][at - 1] == "责任单位"
    values = [f["properties"]["v"][at] for f in json.loads(data)["features"]]
    assert values == ["王副区长", ""]
