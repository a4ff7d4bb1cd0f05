"""Folium building blocks for the maps: an offline map, data-driven layers, literal text.

No text from the data or the config is ever part of a template's source.
branca renders every :class:`~branca.element.MacroElement` and then wraps
its output in a new ``Element``, whose string becomes a Jinja2 template
that is rendered again; a ``{{ 7*7 }}`` in a description would be evaluated
there. So:

* every element geotool adds (:class:`DataLayer`, :class:`JsCall`, the map
  itself, the inlined assets, the panels) renders its fixed template once
  and puts the output into the page as a :class:`Literal`, which is never
  parsed as a template;
* the templates carry no data at all, only element names and slot numbers:
  every value (GeoJSON, popup words, layer names, tile URL and attribution)
  travels in ONE ``<script type="application/json" id="gt-data">`` element,
  escaped for the script context by
  :func:`~geotool.output.render._display.script_json`, and ``map.js`` shows
  every string with ``textContent`` (or HTML-escapes it where Leaflet wants
  HTML: layer-control names, the tile attribution);
* panels are HTML built by the caller with every value escaped once.

:func:`offline_map` makes a :class:`folium.Map` that references no CDN (its
``default_js``/``default_css`` are emptied) and carries the inlined assets of
:mod:`geotool.output.render._assets`. :func:`render_html` fills the data
element, renders, and makes element names deterministic, so the same input
gives the same file.
"""

from __future__ import annotations

import html
import itertools
from typing import cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geotool.output.render._assets import head_html
from geotool.output.render._display import script_json
from geotool.output.render.tiles import Tiles
from geotool.text import tr

__all__ = ["DATA_ID", "DataLayer", "JsCall", "Literal", "add_panel", "finish_map",
           "offline_map", "page_data", "render_html"]

#: ``id`` of the page's one JSON data element.
DATA_ID = "gt-data"

_KINDS = {"outline", "areas", "features", "blind", "issues", "heat", "scores", "labels",
          "stops"}
_CALLS = {"setup", "control", "finish"}


def _known(value: str, allowed: set[str], what: str) -> str:
    """``value`` when it is one of ``allowed``, else a ``ValueError`` naming ``what``."""
    if value not in allowed:
        msg = f"unknown {what} {value!r}"
        raise ValueError(msg)
    return value


class Literal(Element):
    """Text put into the page exactly as given; never parsed as a template.

    Parameters
    ----------
    text : str
        Finished HTML or script (every user value in it already escaped).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = text

    def render(self, **kwargs) -> str:
        """Return the text unchanged."""
        return self.text


class _LiteralMacro(MacroElement):
    """A MacroElement whose rendered macros reach the page as :class:`Literal` text.

    branca's own ``MacroElement.render`` wraps each macro's output in
    ``Element(output)``, i.e. makes it the source of a second template.
    """

    # branca's own MacroElement.render returns None as well (it is not annotated there),
    # though its base Element.render is typed to return str
    def render(self, **kwargs) -> None:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "cannot render an element that is not in a Figure"
            raise TypeError(msg)
        module = self._template.module
        for part, parent in (("header", figure.header), ("html", figure.html),
                             ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                parent.add_child(Literal(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Map(folium.Map, _LiteralMacro):
    """``folium.Map`` rendered through :class:`_LiteralMacro` (its options are numbers)."""


class _Slotted(_LiteralMacro):
    """An element whose data sits in the page's data element, at ``self.slot``."""

    payload: str
    slot: int = -1


class DataLayer(_Slotted):
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
        Plain-text name shown in the layer control (``map.js`` escapes it).
    show : bool
        Whether the layer is on when the map opens.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = geotool.overlay({{ this._parent.get_name() }}, "
        "{{ this.kind|tojson }}, geotool.data({{ this.slot|int }}));\n"
        "{% endmacro %}"
    )

    def __init__(self, kind: str, data: str, opts: dict, *, name: str, show: bool = True) -> None:
        super().__init__()
        self._name = "DataLayer"
        self.kind = _known(kind, _KINDS, "layer kind")
        self.layer_name = name
        self.payload = (f'{{"data":{data},"opts":{script_json(opts)},'
                        f'"name":{script_json(str(name))},"show":{script_json(bool(show))}}}')


class JsCall(_Slotted):
    """``geotool.<fn>(map, opts)`` at this point of the map script."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "geotool.{{ this.fn }}({{ this._parent.get_name() }}, geotool.data({{ this.slot|int }}));\n"
        "{% endmacro %}"
    )

    def __init__(self, fn: str, opts: dict) -> None:
        super().__init__()
        self._name = "JsCall"
        self.fn = _known(fn, _CALLS, "call")
        self.payload = script_json(opts)


class _PageData(Element):
    """The page's one ``<script type="application/json">`` element (filled by render_html)."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "PageData"
        self.values: list[str] = []

    def render(self, **kwargs) -> str:
        text = "[" + ",".join(self.values) + "]"
        if "<" in text or "\u2028" in text or "\u2029" in text:  # pragma: no cover - script_json
            msg = "page data is not script-safe"
            raise RuntimeError(msg)
        return f'<script type="application/json" id="{DATA_ID}">{text}</script>'


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
    m = _Map(location=[float(c) for c in center], zoom_start=13, tiles=None,
             zoom_control="bottomright", control_scale=False, prefer_canvas=False)
    m.default_js = []
    # MarkerCluster needs a map maxZoom, which folium only sets through a tile layer.
    m.options["max_zoom"] = int(tiles.max_zoom) if tiles.url else 19
    m.options["zoom_snap"] = 0.25  # fit the district closely, not to the nearest whole zoom
    m.default_css = []
    root = cast(Figure, m.get_root())  # folium puts every Map in a branca Figure
    root.title = html.escape(title)  # a value of branca's fixed page template
    root.header.add_child(Literal(head_html()), name="geotool_assets")
    root.html.add_child(_PageData(), name="geotool_data")
    base = None
    if tiles.url:
        base = {"url": tiles.url, "attribution": tiles.attribution,
                "subdomains": tiles.subdomains, "maxZoom": int(tiles.max_zoom)}
    m.add_child(JsCall("setup", {"bounds": bounds, "avoid": avoid, "tiles": base,
                                  "background": None if tiles.url else "#f2efe9"}))
    return m


def finish_map(m: folium.Map, *, overlays: int, collapsed: bool, position: str,
               lang: str) -> None:
    """Add Leaflet's layer control and the call that finishes the map script.

    Parameters
    ----------
    m : folium.Map
        From :func:`offline_map`, with all its :class:`DataLayer` elements added.
    overlays : int
        How many overlays the layer control lists.
    collapsed : bool
        Whether the layer control opens collapsed.
    position : str
        Leaflet control position (``"topright"``, ``"bottomright"`` ...).
    lang : {"zh", "en"}
        Language of the close button and of the note when tiles fail to load.
    """
    m.add_child(JsCall("control", {"collapsed": bool(collapsed), "position": str(position)}))
    m.add_child(JsCall("finish", {"overlays": int(overlays),
                                  "closeWord": tr("mapview.close", lang),
                                  "tilesNote": tr("mapview.tiles_failed", lang)}))


def add_panel(m: folium.Map, panel_html: str) -> None:
    """Add fixed HTML (every value in it already escaped by the caller) to the page body."""
    cast(Figure, m.get_root()).html.add_child(Literal(panel_html))


def _walk(root: Element):
    yield root
    for child in root._children.values():
        yield from _walk(child)


def page_data(root: Element) -> _PageData:
    """Number every element, fill the data element from the slotted ones, return it."""
    counter = itertools.count()
    slots = itertools.count()
    store = (cast(_PageData, root.html._children["geotool_data"]) if isinstance(root, Figure)
             else None)
    if store is None:  # pragma: no cover - offline_map adds it
        msg = "not a geotool map"
        raise ValueError(msg)
    store.values = []
    for element in _walk(root):
        element._id = f"{next(counter):04d}"
        if isinstance(element, _Slotted):
            element.slot = next(slots)
            store.values.append(element.payload)
    return store


def render_html(m: folium.Map, *, lang: str) -> str:
    """Render the page with stable element names and ``<html lang>`` set."""
    root = m.get_root()
    page_data(root)
    text = root.render()
    lang_tag = "en" if lang == "en" else "zh-CN"
    return text.replace("<html>", f'<html lang="{lang_tag}">', 1)
