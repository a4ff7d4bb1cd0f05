"""The JavaScript and CSS inlined into every map, read from installed packages.

Leaflet and Leaflet.markercluster come from the ``xstatic-leaflet`` and
``xstatic-leaflet-markercluster`` packages (never copied into the repository,
never fetched from a CDN); ``map.js``/``issues.js``/``labels.js``/``layout.js``/
``taps.js``/``map.css`` beside this module are geotool's own. Before inlining:

* source-map comments are removed (a browser with devtools open would
  fetch them);
* Leaflet's attribution prefix, a link to leafletjs.com, becomes plain text
  (and the licence header names the site without ``https://``);
* image URLs in Leaflet's CSS become ``data:`` URIs (the layers icon) or
  ``none`` (the default marker icon, which the maps never use);
* CSS comments are removed.

The only ``http://`` text left is the SVG namespace name
``http://www.w3.org/2000/svg`` that Leaflet passes to
``document.createElementNS``: an identifier, never loaded.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

__all__ = ["SVG_NAMESPACE", "head_html"]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_HERE = Path(__file__).resolve().parent


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as xl  # noqa: PLC0415 - asset packages read only when a map is built

    return Path(xl.BASE_DIR)


def _cluster_dir() -> Path:
    import xstatic.pkg.leaflet_markercluster as xm  # noqa: PLC0415 - asset packages read only when a map is built

    return Path(xm.BASE_DIR)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _strip_source_maps(js: str) -> str:
    return re.sub(r"^\s*//[#@] sourceMappingURL=.*$", "", js, flags=re.MULTILINE)


def _plain_attribution(js: str) -> str:
    """Replace Leaflet's linked attribution prefix (with its inline flag SVG) by plain text.

    The licence header keeps its words; only its URL loses the scheme.
    """
    js = js.replace("interactive maps. https://leafletjs.com", "interactive maps. leafletjs.com", 1)
    pattern = re.compile(r"""prefix:'<a href="https://leafletjs\.com"[^']*'.*?"Leaflet</a>\"""",
                         flags=re.DOTALL)
    out, n = pattern.subn('prefix:"Leaflet"', js, count=1)
    if n != 1:
        msg = "unexpected leaflet.js: attribution prefix not found (Leaflet version changed?)"
        raise RuntimeError(msg)
    return out


def _css(text: str, images: Path | None = None) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        if images is not None and name.startswith("layers"):
            data = base64.b64encode((images / Path(name).name).read_bytes()).decode("ascii")
            return f"url(data:image/png;base64,{data})"
        return "none"

    text = re.sub(r"url\(\s*['\"]?images/([\w.-]+)['\"]?\s*\)", inline, text)
    return re.sub(r"\n\s*\n+", "\n", text)


def _check(kind: str, text: str) -> str:
    closing = "</script" if kind == "script" else "</style"
    if closing in text.lower() or "<!--" in text:
        msg = f"asset would break out of its <{kind}> element"
        raise RuntimeError(msg)
    return text


@functools.lru_cache(maxsize=1)
def head_html() -> str:
    """The ``<style>`` and ``<script>`` elements every map needs, inlined.

    Returns
    -------
    str
        HTML for the document head: Leaflet, MarkerCluster and geotool's
        own CSS and JavaScript.
    """
    leaflet, cluster = _leaflet_dir(), _cluster_dir()
    css = "\n".join([
        _css(_read(leaflet / "leaflet.css"), leaflet / "images"),
        _css(_read(cluster / "MarkerCluster.css")),
        _read(_HERE / "map.css"),
    ])
    scripts = [
        _plain_attribution(_strip_source_maps(_read(leaflet / "leaflet.js"))),
        _strip_source_maps(_read(cluster / "leaflet.markercluster.js")),
        _read(_HERE / "map.js"),
        _read(_HERE / "issues.js"),
        _read(_HERE / "labels.js"),
        _read(_HERE / "layout.js"),
        _read(_HERE / "taps.js"),
    ]
    parts = [f"<style>\n{_check('style', css)}\n</style>"]
    parts += [f"<script>\n{_check('script', js)}\n</script>" for js in scripts]
    return "\n".join(parts)
