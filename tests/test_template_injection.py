"""No text from the data or the config is ever a template, markup or script (issue #8, 1-2).

A hostile workspace (``tests/_hostile.py``) puts template syntax, a Jinja2
walk to ``os.system`` that would create a marker file, HTML that would run
script, ``<``/``>`` built from numbers by the template engine, ``</script>``,
``<!--``, the JavaScript line separators and mathtext ``$`` into every text
field that reaches a map. ``geotool maps`` must exit 0, create no marker,
and show every string literally: in the page's JSON data, in the escaped
panels, and (``browser`` tests) in real Chromium's popups, tooltips, panels
and layer control, with no dialog and no request.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import jinja2
import pytest
from _hostile import AS_OF, PAYLOADS, all_in_one, make_hostile_workspace, ssti

from geotool.cli import main

FIELDS_A = ["desc", "cat", "src", "unit", "fname", "funit", "ftype", "street", "community",
            "label"]


def _maps(ws: Path, out: Path, *extra: str) -> int:
    return main(["maps", str(ws), "--out", str(out), "--as-of", AS_OF.isoformat(),
                 "--tiles", "none", *extra])


def _page_data(text: str) -> list:
    block = re.search(r'<script type="application/json" id="gt-data">(.*?)</script>', text,
                      flags=re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _district_page(out: Path) -> str:
    return (out / "A.html").read_text(encoding="utf-8")


def _assert_literal(out: Path, payload: str, *, lang: str = "zh") -> None:
    page = _district_page(out)
    strings = _strings(_page_data(page))
    fields = [f for f in FIELDS_A if f != "label"] + ["label_en" if lang == "en" else "label"]
    for f in fields:
        assert any(f"{f}:{payload}" in s for s in strings), f
    assert any(s == f"X-00{payload}" for s in strings)  # record id
    assert any(s == f"AL-00{payload}" for s in strings)  # feature id
    assert any(s == f"A-1{payload}" for s in strings)  # street id
    # the panels hold the text escaped once
    assert html.escape(f"city:{payload}") in page and html.escape(f"dname:{payload}") in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert html.escape(f"dname:{payload}") in index
    assert any(s == f"B{payload}" for s in _strings(_page_data(index)))  # district id in popup
    for text in (page, index):
        assert "<img" not in text and "<script>alert" not in text
        assert "\u2028" not in text.partition('id="gt-data">')[2].partition("</script>")[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "pwned"
    return make_hostile_workspace(root / "ws", all_in_one(marker)), marker


@pytest.mark.parametrize("extra", [(), ("--png",), ("--lang", "en")], ids=["html", "png", "en"])
def test_every_field_renders_literally(hostile, tmp_path, extra):
    ws, marker = hostile
    assert _maps(ws, tmp_path, *extra) == 0
    assert not marker.exists()
    _assert_literal(tmp_path, all_in_one(marker), lang="en" if "en" in extra else "zh")
    if "--png" in extra:
        assert len(list(tmp_path.glob("*.png"))) == 2


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_each_payload_alone(name, tmp_path):
    marker = tmp_path / "pwned"
    payload = ssti(marker) if name == "ssti" else PAYLOADS[name]
    ws = make_hostile_workspace(tmp_path / "ws", payload)
    assert _maps(ws, tmp_path / "out") == 0
    assert not marker.exists()
    _assert_literal(tmp_path / "out", payload)


def test_ssti_in_a_description_runs_nothing(tmp_path):
    """The issue's case: only a description carries the walk to ``os.system``."""
    marker = tmp_path / "pwned"
    ws = make_hostile_workspace(tmp_path / "ws", "plain", description=ssti(marker))
    assert _maps(ws, tmp_path / "out") == 0
    assert not marker.exists()
    strings = _strings(_page_data(_district_page(tmp_path / "out")))
    assert f"desc:{ssti(marker)}" in strings


def test_no_template_source_holds_data(hostile, tmp_path, monkeypatch):
    """Every Jinja2 template branca builds while rendering is free of user text."""
    import branca.element

    sources: list[str] = []

    def recording(source, *args, **kwargs):
        sources.append(str(source))
        return jinja2.Template(source, *args, **kwargs)

    monkeypatch.setattr(branca.element, "Template", recording)
    ws, _ = hostile
    assert _maps(ws, tmp_path) == 0
    assert not [s for s in sources if "hidden" in s or "见附件" in s or "city:" in s]


def test_tile_url_is_data_not_template(hostile, tmp_path):
    """A tile template from the command line travels as data too."""
    ws, marker = hostile
    url = "http://10.0.0.5/t/{z}/{x}/{y}.png?k={{7*7}}{%raw%}{#"
    assert _maps(ws, tmp_path, "--tiles", url) == 0
    setup = _page_data(_district_page(tmp_path))[0]
    assert setup["tiles"]["url"] == url and setup["tiles"]["attribution"] == ""
    assert not marker.exists()


@pytest.mark.parametrize("name", ["$x^$", "区$\\\\bad{$", "$$", "见$附件$3"])
def test_dollar_in_names_is_literal_in_png(name, tmp_path):
    """Matplotlib would parse ``$…$`` as mathtext (and die on a bad one): PNG text is literal."""
    ws = make_hostile_workspace(tmp_path / "ws", name)
    assert _maps(ws, tmp_path / "out", "--png") == 0
    pngs = sorted((tmp_path / "out").glob("*.png"))
    assert len(pngs) == 2 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_png_text_artists_do_not_parse_math(hostile, monkeypatch):
    """Every text the PNG draws is created or set with ``parse_math=False``."""
    from matplotlib.text import Text

    from geotool.output.render import png as png_module

    seen: list[tuple[str, bool]] = []
    real = Text.draw

    def draw(self, renderer):
        if self.get_text():
            seen.append((self.get_text(), self._parse_math))
        return real(self, renderer)

    monkeypatch.setattr(Text, "draw", draw)
    ws, _ = hostile
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(ws)
    result = find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(as_of=AS_OF))
    png_module.district_png(result, "A")
    assert seen and all(not parse for _, parse in seen), [t for t, p in seen if p]


def test_templates_are_fixed_strings():
    """Only ``_elements.py`` touches folium/branca/jinja2, and every template it makes is a literal."""
    import ast

    import geotool

    root = Path(geotool.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names}
        modules |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom)}
        if path.name != "_elements.py":
            assert not modules & {"folium", "branca", "jinja2"}, path
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", "") in ("Template", "Element")]
        assert calls  # the fixed templates of DataLayer and JsCall
        for call in calls:  # a template source is one string literal, never built
            assert len(call.args) == 1 and isinstance(call.args[0], ast.Constant), \
                ast.unparse(call)
