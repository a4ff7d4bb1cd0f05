"""One district's interactive map ("挂图作战"): a self-contained HTML page.

Layers (each switchable in the layer control): the district boundary; its
streets, communities and finer areas with their names; one layer per ledger
with every feature styled by state (covered, forgotten, open issues,
recurring); the issues as clustered markers coloured and shaped by status;
the blind spots hatched; and, hidden at first, a grid of open-issue
density. A title panel gives the district's figures and rank; a legend
explains every symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geotool.crs import metric_crs_for
from geotool.output.render import _format as fmt
from geotool.output.render._display import display_geoms, script_json
from geotool.output.render._elements import (
    DataLayer,
    add_panel,
    finish_map,
    offline_map,
    render_html,
)
from geotool.output.render._payloads import (
    DistrictData,
    areas_payload,
    blind_payload,
    features_payload,
    outline_payload,
    select_district,
)
from geotool.output.render._places import place_labels
from geotool.output.render.extent_layer import extent_layer
from geotool.output.render.heat import heat_breaks, heat_grid
from geotool.output.render.history_marks import change_line, new_layer, new_legend
from geotool.output.render.issue_points import SHOWN_COLUMNS, issue_layer
from geotool.output.render.panels import layers_panel, legend_panel, title_panel
from geotool.output.render.style import BLIND_COLOR, HEAT_COLORS, LEVEL_STYLES, OUTLINE_COLOR
from geotool.output.render.tiles import Tiles
from geotool.text import level_name, paren, tr

__all__ = ["DistrictMap", "district_map"]

#: Nested areas get permanent name labels up to this many per level.
MAX_PERMANENT_LABELS = 40
#: Nested levels shown when the map opens (deeper ones start hidden).
SHOWN_DEPTHS = 2

_DIM = {"Point": "point", "MultiPoint": "point", "LineString": "line",
        "MultiLineString": "line", "Polygon": "area", "MultiPolygon": "area"}
_DRAW_ORDER = {"area": 0, "line": 1, "point": 2}


@dataclass(frozen=True)
class DistrictMap:
    """A rendered district map.

    Attributes
    ----------
    html : str
        The whole page.
    overlays : list of str
        Plain-text names of the layer-control entries, in order.
    issues : int
        Issue markers drawn.
    features : int
        Ledger features drawn.
    blindspots : int
        Blind-spot parts drawn.
    """

    html: str
    overlays: list[str]
    issues: int
    features: int
    blindspots: int


def _bounds(outline: gpd.GeoDataFrame, datum: str) -> list[list[float]]:
    geoms = display_geoms(outline, None, tolerance_m=0, datum=datum)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    return [[float(y0), float(x0)], [float(y1), float(x1)]]


def _layer_order(features: gpd.GeoDataFrame, labels: dict[str, str]) -> list[str]:
    present = list(dict.fromkeys(features["layer"].astype(str)))
    keys = [k for k in labels if k in present] + [k for k in present if k not in labels]

    def kind(key: str) -> int:
        types = features.loc[features["layer"].astype(str) == key].geom_type
        return min((_DRAW_ORDER.get(_DIM.get(t, "point"), 2) for t in types), default=2)

    return sorted(keys, key=kind)


def _named(label: str, n: int, lang: str) -> str:
    return paren(label, f"{n:,d}", lang)


def district_map(result, district_id: str, *, lang: str = "zh", tiles: Tiles,
                 index_href: str | None = "index.html", history=None,
                 extras: Sequence = ()) -> DistrictMap:
    """Build the map page of one top-level district.

    Parameters
    ----------
    result : GapResult
        From :func:`geotool.analysis.gaps.find_gaps`.
    district_id : str
        A top-level district id present in ``result.districts``.
    lang : {"zh", "en"}
    tiles : Tiles
        From :func:`geotool.output.render.tiles.resolve_tiles`.
    index_href : str or None
        Relative link back to the overview.
    history : HistoryView, optional
        Adds the 本周新增 layer (new issues, newly forgotten places since the
        previous snapshot; :func:`geotool.analysis.trends.history_view`).
    extras : sequence
        Optional overlays (:mod:`geotool.output.render.extras`: evaluation
        risk, inspection route), each adding layers and a title-panel part.

    Returns
    -------
    DistrictMap
    """
    data: DistrictData = select_district(result, district_id)
    datum = tiles.datum
    mcrs = result.metric_crs or None
    row = data.row
    name = fmt.text(row["name"]) or district_id
    title = tr("map.map_title", lang, city=result.city, district=name)
    bounds = _bounds(data.outline, datum)
    center = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
    m = offline_map(tiles, title=title, center=center, bounds=bounds)
    overlays: list[str] = []

    def add(layer: DataLayer, plain: str) -> None:
        layer.add_to(m)
        overlays.append(plain)

    add(DataLayer("outline", outline_payload(data.outline, mcrs, datum),
                  {"color": OUTLINE_COLOR, "weight": 3}, name=tr("map.outline", lang)),
        tr("map.outline", lang))
    level_names = {}
    for depth, areas in data.nested.items():
        color, weight, dash = LEVEL_STYLES[min(depth, len(LEVEL_STYLES)) - 1]
        payload, fields = areas_payload(areas, data.level_counts, mcrs, datum, lang)
        label = _named(level_name(depth, lang), len(areas), lang)
        level_names[depth] = level_name(depth, lang)
        add(DataLayer("areas", payload, {"color": color, "weight": weight, "dash": dash,
                                         "fields": fields,
                                         "permanent": False},
                      name=label, show=depth <= SHOWN_DEPTHS), label)

    names = place_labels(data.nested, data.features, metric_crs=mcrs or _utm(data), datum=datum)
    add(DataLayer("labels", script_json(names), {}, name=tr("mapview.place_names", lang)),
        tr("mapview.place_names", lang))

    extent = extent_layer(result, data.outline, mcrs, datum, lang)  # [extent] outline
    if extent is not None:
        add(*extent)

    blind = data.blindspots
    payload, opts = blind_payload(blind, mcrs, datum, lang, BLIND_COLOR, nested=data.nested,
                                  features=data.features)
    label = _named(tr("map.blindspots", lang), len(blind), lang)
    add(DataLayer("blind", payload, opts, name=label), label)

    feats = data.features
    kinds: set[str] = set()
    labels = (result.layer_labels_en or {}) if lang == "en" else result.layer_labels
    for key in _layer_order(feats, result.layer_labels):
        part = feats[feats["layer"].astype(str) == key]
        kinds |= {_DIM.get(t, "point") for t in part.geom_type}
        layer_label = str(labels.get(key, key))
        payload, opts = features_payload(part, layer_label, mcrs, datum, lang,
                                         districts=result.districts)
        label = _named(layer_label, len(part), lang)
        add(DataLayer("features", payload, opts, name=label), label)

    issues = data.issues  # only what the issue layers show is carried on (and copied)
    issues = issues[[c for c in (*SHOWN_COLUMNS, "open") if c in issues.columns]
                    + [issues.geometry.name]]
    issues = issues[~(issues.geometry.isna() | issues.geometry.is_empty)]
    is_open = issues["open"].fillna(False).astype(bool)
    open_issues = issues[is_open]
    aggregated = False
    for kind, part in (("open", open_issues), ("rectified", issues[~is_open])):
        points, opts, label = issue_layer(
            part, kind=kind, area=data.outline.geometry, metric_crs=mcrs or _utm(data),
            datum=datum, features=result.features, districts=result.districts,
            labels=labels, lang=lang)
        add(DataLayer("issues", script_json(points), opts, name=label, show=kind == "open"),
            label)
        aggregated = aggregated or points["cells"] is not None

    new = history is not None and history.new_since is not None
    if new:
        add(*new_layer(history.new_since, district_id, lang=lang, datum=datum))

    grid = heat_grid(open_issues.geometry, data.outline.geometry.iloc[0], mcrs or _utm(data),
                     datum=datum)
    breaks = heat_breaks(grid.max_count, len(HEAT_COLORS))
    label = paren(tr("map.heat", lang), tr("map.heat_hint", lang), lang)
    add(DataLayer("heat", script_json({"cells": grid.cells}),
                  {"breaks": breaks, "colors": list(HEAT_COLORS),
                   "cellText": tr("map.heat_cell", lang, n="{n}")}, name=label, show=False), label)

    for extra in extras:
        for layer, plain in extra.layers(district_id, metric_crs=mcrs, datum=datum, lang=lang):
            add(layer, plain)

    finish_map(m, overlays=len(overlays), collapsed=False, position="topright", lang=lang)
    n_level = data.level_counts.get(int(row["level"]), 0)
    add_panel(m, title_panel(row, city=result.city, as_of=result.as_of,
                             window_days=int(result.params.window_days), n_level=n_level,
                             lang=lang, index_href=index_href,
                             extra_html=change_line(history, district_id, lang)
                             + "".join(e.panel(district_id, lang=lang) for e in extras)))
    add_panel(m, legend_panel(lang=lang, geom_kinds=kinds, nested_depths=list(data.nested),
                              level_names=level_names, heat_breaks=breaks,
                              heat_cell_m=grid.cell_m, aggregated=aggregated,
                              extra_html=(new_legend(lang) if new else "")
                              + "".join(e.legend(lang=lang) for e in extras)))
    add_panel(m, layers_panel(lang=lang))
    return DistrictMap(html=render_html(m, lang=lang), overlays=overlays, issues=len(issues),
                       features=len(feats), blindspots=len(blind))


def _utm(data: DistrictData) -> str:
    return metric_crs_for(data.outline).to_string()
