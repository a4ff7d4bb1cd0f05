"""Folium building blocks for the maps: an offline map and data-driven layers.

:func:`offline_map` makes a :class:`folium.Map` that references no CDN (its
``default_js``/``default_css`` are emptied) and carries the inlined assets of
:mod:`geotool.output.render._assets`. :class:`DataLayer` is a LayerControl-aware
overlay whose Leaflet layer is built in the browser by one of the functions
of ``map.js`` from one embedded JSON value, instead of thousands of folium
objects. :func:`render_html` renders and makes element names deterministic,
so the same input gives the same file.
"""

from __future__ import annotations

import html
import itertools

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from geotool.output.render._assets import head_html
from geotool.output.render._display import script_json
from geotool.output.render.tiles import Tiles

__all__ = ["DataLayer", "JsCall", "add_panel", "offline_map", "render_html"]

_KINDS = {"outline", "areas", "features", "blind", "issues", "heat", "scores"}
_CALLS = {"setup", "finish"}


class DataLayer(folium.map.Layer):
    """An overlay built in the browser by ``geotool.<kind>(data, opts)``.

    Parameters
    ----------
    kind : str
        One of the layer functions of ``map.js``.
    data : str
        Script-safe JSON (from :func:`~geotool.output.render._display.script_json`
        or :func:`~geotool.output.render._display.feature_collection`).
    opts : dict
        Drawing options (made script-safe here).
    name : str
        Plain-text name shown in the layer control (escaped here).
    show : bool
        Whether the layer is on when the map opens.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = geotool.{{ this.kind }}({{ this.data }}, {{ this.opts }});\n"
        "{% endmacro %}"
    )

    def __init__(self, kind: str, data: str, opts: dict, *, name: str, show: bool = True) -> None:
        if kind not in _KINDS:
            msg = f"unknown layer kind {kind!r}"
            raise ValueError(msg)
        # Leaflet's layer control shows names as HTML: escape the plain text.
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "DataLayer"
        self.kind = kind
        self.data = data
        self.opts = script_json(opts)


class JsCall(MacroElement):
    """``geotool.<fn>(map, opts)`` at this point of the map script."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "geotool.{{ this.fn }}({{ this._parent.get_name() }}, {{ this.opts }});\n"
        "{% endmacro %}"
    )

    def __init__(self, fn: str, opts: dict) -> None:
        if fn not in _CALLS:
            msg = f"unknown call {fn!r}"
            raise ValueError(msg)
        super().__init__()
        self._name = "JsCall"
        self.fn = fn
        self.opts = script_json(opts)


def offline_map(tiles: Tiles, *, title: str, center: tuple[float, float],
                bounds: list[list[float]], avoid: str | None = None) -> folium.Map:
    """A folium map with inlined Leaflet, no CDN reference, and geotool's panes.

    Parameters
    ----------
    tiles : Tiles
        The base map (``tiles.url`` ``None``: plain background).
    title : str
        Plain-text page title (escaped here).
    center : (lat, lon)
        Initial centre.
    bounds : [[south, west], [north, east]]
        Fitted before any layer is drawn.
    avoid : str, optional
        Id of a panel on the right that the fitted bounds keep clear of.

    Returns
    -------
    folium.Map
    """
    m = folium.Map(location=list(center), zoom_start=13, tiles=None, zoom_control="bottomright",
                   control_scale=False, prefer_canvas=False)
    m.default_js = []
    # MarkerCluster needs a map maxZoom, which folium only sets through a tile layer.
    m.options["max_zoom"] = tiles.max_zoom if tiles.url else 19
    m.options["zoom_snap"] = 0.25  # fit the district closely, not to the nearest whole zoom
    m.default_css = []
    root = m.get_root()
    root.title = html.escape(title)
    root.header.add_child(Element(head_html()), name="geotool_assets")
    if tiles.url:
        folium.TileLayer(tiles=tiles.url, attr=html.escape(tiles.attribution) or " ",
                         subdomains=tiles.subdomains, max_zoom=tiles.max_zoom,
                         max_native_zoom=tiles.max_zoom, name=html.escape(tiles.attribution),
                         control=False).add_to(m)
    m.add_child(JsCall("setup", {"bounds": bounds, "avoid": avoid,
                                  "background": None if tiles.url else "#f2efe9"}))
    return m


def add_panel(m: folium.Map, panel_html: str) -> None:
    """Add fixed HTML (already escaped by the caller) to the page body."""
    m.get_root().html.add_child(Element(panel_html))


def _number_elements(root: Element) -> None:
    """Give every element a sequential id instead of a random one (stable output)."""
    counter = itertools.count()

    def walk(element: Element) -> None:
        element._id = f"{next(counter):04d}"
        for child in element._children.values():
            walk(child)

    walk(root)


def render_html(m: folium.Map, *, lang: str) -> str:
    """Render the page with stable element names and ``<html lang>`` set."""
    root = m.get_root()
    _number_elements(root)
    text = root.render()
    lang_tag = "en" if lang == "en" else "zh-CN"
    return text.replace("<html>", f'<html lang="{lang_tag}">', 1)
