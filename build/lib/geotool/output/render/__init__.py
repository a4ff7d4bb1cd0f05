"""Interactive maps (Leaflet, offline, one HTML file each) and static PNGs.

:func:`render_maps` writes one map per top-level district and an overview;
see :mod:`geotool.output.render.maps`.
"""

from geotool.output.render.maps import render_maps

__all__ = ["render_maps"]
