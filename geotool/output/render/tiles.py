"""Base maps: which tiles to draw under the data, and in which datum.

``tiles`` is one of

* ``"osm"`` (default): OpenStreetMap, WGS-84;
* ``"none"``: a plain background, no request at all;
* ``"amap"`` (also ``"gaode"``): AMap/Gaode streets, GCJ-02;
* ``"tianditu:<key>"``: 天地图 vector tiles, CGCS2000 (≈ WGS-84, no shift);
  the service needs a key (``tk``) from lbs.tianditu.gov.cn;
* a URL template with ``{z}``, ``{x}`` and ``{y}`` (``{-y}`` and ``{s}`` allowed)
  for intranet tile servers, WGS-84; prefix it with ``gcj02:`` when the
  server draws GCJ-02 tiles (e.g. ``gcj02:http://10.0.0.5/amap/{z}/{x}/{y}.png``).

When the tiles are GCJ-02 every drawn layer is shifted to GCJ-02 so that it
lines up with the streets on the tiles (see :func:`geotool.crs.from_wgs84`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geotool._errors import GeotoolError
from geotool.text import Note

__all__ = ["PRESETS", "Tiles", "resolve_tiles"]


@dataclass(frozen=True)
class Tiles:
    """A resolved base map.

    Attributes
    ----------
    url : str or None
        Leaflet URL template; ``None`` for no tiles.
    datum : str
        ``"WGS-84"`` or ``"GCJ-02"``: the datum the data is drawn in.
    attribution : str
        Plain-text attribution (no link).
    subdomains : str
        Leaflet ``{s}`` values.
    max_zoom : int
        Deepest zoom the server offers.
    """

    url: str | None
    datum: str = "WGS-84"
    attribution: str = ""
    subdomains: str = "abc"
    max_zoom: int = 19

    @property
    def shift_to_gcj02(self) -> bool:
        """Whether drawn data must be moved to GCJ-02."""
        return self.datum == "GCJ-02"


PRESETS: dict[str, Tiles] = {
    "osm": Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "WGS-84",
                 "© OpenStreetMap contributors", "abc", 19),
    "none": Tiles(None),
    "amap": Tiles("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                  "&style=8&x={x}&y={y}&z={z}", "GCJ-02", "© 高德地图 AutoNavi", "1234", 18),
}
PRESETS["gaode"] = PRESETS["amap"]

_TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
             "&TILECOL={x}&tk=")
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", flags=re.IGNORECASE)
_GCJ_PREFIX = re.compile(r"^(gcj-?02):", flags=re.IGNORECASE)


def _choices() -> Note:
    return Note("maps.tile_choices")


def resolve_tiles(tiles: str | None) -> Tiles:
    """Resolve the ``tiles`` option to a :class:`Tiles`.

    Raises
    ------
    GeotoolError
        For an unknown preset, ``tianditu`` without a key, or a template that
        is not an http(s) URL with ``{z}``, ``{x}`` and ``{y}``.

    Examples
    --------
    >>> resolve_tiles("none").url is None
    True
    >>> resolve_tiles("amap").datum
    'GCJ-02'
    >>> resolve_tiles("gcj02:http://10.1.1.1/t/{z}/{x}/{y}.png").shift_to_gcj02
    True
    """
    text = "osm" if tiles is None else str(tiles).strip()
    key = text.lower()
    if key in PRESETS:
        return PRESETS[key]
    if key == "tianditu" or key.startswith("tianditu:"):
        token = text.partition(":")[2].strip()
        if not re.fullmatch(r"[0-9A-Za-z]{8,64}", token):
            raise GeotoolError(Note("maps.tianditu_key"))
        return Tiles(_TIANDITU + token, "WGS-84", "© 天地图", "01234567", 18)
    datum = "WGS-84"
    match = _GCJ_PREFIX.match(text)
    if match:
        datum, text = "GCJ-02", text[match.end():]
    placeholders = ("{z}", "{x}") if "{-y}" in text else ("{z}", "{x}", "{y}")
    if not _URL.match(text) or not all(p in text for p in placeholders):
        raise GeotoolError(Note("maps.unknown_tiles", tiles=tiles, choices=_choices()))
    return Tiles(text, datum, "", "abc", 19)
