"""Interactive maps (Leaflet, offline, one HTML file each) and static PNGs.

:func:`render_maps` writes one map per top-level district and an overview;
see :mod:`geotool.render.maps`.
"""

from geotool.render.maps import render_maps

__all__ = ["render_maps"]
