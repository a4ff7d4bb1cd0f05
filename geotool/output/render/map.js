/* geotool maps: draws the data that geotool's Python renderer embeds in the page.
 *
 * Written for geotool. All data sits in one JSON script element (id gt-data);
 * the page's script only names slots of it
 * (geotool.data(3)). Every user-supplied string (names, descriptions, units)
 * reaches the page through textContent, never as HTML; where Leaflet takes
 * HTML (layer-control names, the tile attribution) it is escaped first.
 * Nothing here makes a network request except the chosen tiles. window.geotoolStats reports what was drawn (for tests and
 * the benchmark); stats.ready turns true when the map is complete.
 */
(function () {
  "use strict";

  var G = {layers: {}};
  var stats = {
    ready: false, readyMs: null, issues: 0, features: 0, blindspots: 0,
    heatCells: 0, areas: 0, districts: 0
  };
  var overlays = [];
  var pageData = null;
  window.geotool = G;
  window.geotoolStats = stats;

  /* Slot i of the page's JSON data element. */
  G.data = function (i) {
    if (pageData === null) {
      pageData = JSON.parse(document.getElementById("gt-data").textContent);
    }
    return pageData[i];
  };

  /* Plain text made safe for the places where Leaflet inserts HTML. */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  G.escapeHtml = escapeHtml;

  /* Keep each built layer by kind (for tests and for users' own scripts). */
  function keep(kind, layer) {
    (G.layers[kind] = G.layers[kind] || []).push(layer);
    return layer;
  }
  G.keep = keep;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function textNode(text) {
    return el("span", null, text);
  }

  /* A popup body: a title and label/value rows (empty values skipped). */
  G.card = function (title, fields, values, link) {
    var box = el("div", "gt-card");
    box.appendChild(el("div", "gt-card-title", title));
    var table = el("table");
    for (var i = 0; i < fields.length; i++) {
      var v = values[i];
      if (v === null || v === undefined || v === "") { continue; }
      var tr = el("tr");
      tr.appendChild(el("th", null, fields[i]));
      tr.appendChild(el("td", null, v));
      table.appendChild(tr);
    }
    box.appendChild(table);
    if (link) {
      var a = el("a", "gt-card-link", link.text);
      a.setAttribute("href", link.href);
      box.appendChild(a);
    }
    return box;
  };

  /* Panes (drawing order) and the initial view, before any layer is added. Rectified
   * issues (gtDone) lie under the place names, the ledger points and the open issues;
   * what is new this week (gtNew) over the issue markers, which sit on the same spots. */
  G.setup = function (map, opts) {
    var panes = [["gtAreas", 350], ["gtBlind", 360], ["gtHeat", 370], ["gtDone", 530],
                 ["gtPoints", 550], ["gtNew", 640]];  /* markerPane 600, tooltips 650 */
    for (var i = 0; i < panes.length; i++) {
      map.createPane(panes[i][0]).style.zIndex = String(panes[i][1]);
    }
    if (opts.background) { map.getContainer().style.background = opts.background; }
    if (opts.tiles) {
      L.tileLayer(opts.tiles.url, {
        attribution: escapeHtml(opts.tiles.attribution || " "), subdomains: opts.tiles.subdomains,
        maxZoom: opts.tiles.maxZoom, maxNativeZoom: opts.tiles.maxZoom
      }).addTo(map);
    }
    L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
    if (opts.bounds) {
      var fit = {padding: [16, 16], animate: false};
      var side = opts.avoid ? document.getElementById(opts.avoid) : null;
      if (side && window.innerWidth > 640) {
        fit = {paddingTopLeft: [16, 16], paddingBottomRight: [side.offsetWidth + 24, 16],
               animate: false};
      }
      map.fitBounds(opts.bounds, fit);
    }
    G.map = map;
    G.bounds = opts.bounds || null;
  };

  /* One overlay of the layer control: built by geotool.<kind>, shown if asked. */
  G.overlay = function (map, kind, slot) {
    var layer = G[kind](slot.data, slot.opts);
    if (slot.show) { layer.addTo(map); }
    overlays.push({name: slot.name, layer: layer});
    return layer;
  };

  /* Leaflet's layer control over the overlays built so far, names escaped. */
  G.control = function (map, opts) {
    var control = L.control.layers(null, null,
      {collapsed: opts.collapsed, position: opts.position}).addTo(map);
    for (var i = 0; i < overlays.length; i++) {
      control.addOverlay(overlays[i].layer, escapeHtml(overlays[i].name));
    }
    G.layerControl = control;
    return control;
  };

  /* The district boundary: drawn, not interactive. */
  G.outline = function (data, opts) {
    return keep("outline", L.geoJSON(data, {
      pane: "gtAreas", interactive: false,
      style: {color: opts.color, weight: opts.weight, fill: false}
    }));
  };

  /* Nested areas (streets, communities): outline, name, popup with their figures. */
  G.areas = function (data, opts) {
    return keep("areas", L.geoJSON(data, {
      pane: "gtAreas",
      style: {color: opts.color, weight: opts.weight, dashArray: opts.dash,
              fillColor: opts.color, fillOpacity: 0.04},
      onEachFeature: function (f, layer) {
        var p = f.properties;
        stats.areas += 1;
        layer.bindTooltip(function () { return textNode(p.n); }, opts.permanent ?
          {permanent: true, direction: "center", className: "gt-label"} : {sticky: true});
        layer.bindPopup(function () { return G.card(p.n, opts.fields, p.v); });
      }
    }));
  };

  function pointIcon(style) {
    return L.divIcon({
      className: "gt-pt",
      html: '<span class="gt-shape gt-' + style.shape + (style.hollow ? " gt-hollow" : "") +
            '" style="--c:' + style.color + '"></span>',
      iconSize: [14, 14], iconAnchor: [7, 7], popupAnchor: [0, -6], tooltipAnchor: [8, 0]
    });
  }

  /* A ledger layer, each feature styled by its state (colour + dash/shape). */
  G.features = function (data, opts) {
    var icons = opts.styles.map(pointIcon);
    return keep("features", L.geoJSON(data, {
      style: function (f) {
        var s = opts.styles[f.properties.s];
        return {color: s.color, weight: s.weight, dashArray: s.dash, lineCap: "butt",
                fillColor: s.color, fillOpacity: 0.22, opacity: 0.95};
      },
      pointToLayer: function (f, latlng) {
        return L.marker(latlng, {icon: icons[f.properties.s], keyboard: false,
                                 pane: opts.pane || "gtPoints"});
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        stats.features += 1;
        layer.bindTooltip(function () { return textNode(p.n); }, {sticky: true});
        layer.bindPopup(function () { return G.card(p.n, opts.fields, p.v); });
      }
    }));
  };

  /* Blind spots: translucent polygons filled with an SVG hatch pattern. */
  function ensureHatch(id, color) {
    if (document.getElementById(id)) { return; }
    var svg = L.SVG.create("svg");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "gt-defs");
    var defs = L.SVG.create("defs");
    var pattern = L.SVG.create("pattern");
    pattern.setAttribute("id", id);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "9");
    pattern.setAttribute("height", "9");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = L.SVG.create("rect");
    back.setAttribute("width", "9");
    back.setAttribute("height", "9");
    back.setAttribute("fill", color);
    back.setAttribute("fill-opacity", "0.10");
    var line = L.SVG.create("line");
    line.setAttribute("x1", "0");
    line.setAttribute("y1", "0");
    line.setAttribute("x2", "0");
    line.setAttribute("y2", "9");
    line.setAttribute("stroke", color);
    line.setAttribute("stroke-width", "2.5");
    line.setAttribute("stroke-opacity", "0.65");
    pattern.appendChild(back);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  G.blind = function (data, opts) {
    ensureHatch("gt-hatch", opts.color);
    return keep("blind", L.geoJSON(data, {
      pane: "gtBlind",
      style: {color: opts.color, weight: 1.5, dashArray: "5 4", fillColor: "url(#gt-hatch)",
              fillOpacity: 1},
      onEachFeature: function (f, layer) {
        var p = f.properties;
        stats.blindspots += 1;
        layer.bindTooltip(function () { return textNode(p.n); }, {sticky: true});
        layer.bindPopup(function () { return G.card(p.n, opts.fields, p.v); });
      }
    }));
  };

  /* Density of open issues: grid cells counted in Python, hidden by default. */
  G.heat = function (data, opts) {
    var group = L.featureGroup();
    for (var i = 0; i < data.cells.length; i++) {
      var c = data.cells[i];
      var k = 0;
      while (k + 1 < opts.breaks.length && c[8] >= opts.breaks[k + 1]) { k += 1; }
      var poly = L.polygon([[c[0], c[1]], [c[2], c[3]], [c[4], c[5]], [c[6], c[7]]], {
        pane: "gtHeat", stroke: true, weight: 0.5, color: "#ffffff", fillColor: opts.colors[k],
        fillOpacity: 0.65
      });
      poly.bindTooltip(textNode(opts.cellText.replace("{n}", String(c[8]))), {sticky: true});
      poly.addTo(group);
      stats.heatCells += 1;
    }
    return keep("heat", group);
  };

  /* The overview's district names never lie on one another: where two would touch (a
   * small district between big ones on a narrow phone), the smaller district's name is
   * hidden until a zoom gives it room (its colour and its popup still say it all). */
  function declutterScores(group) {
    var map = group._map;
    if (!map) { return; }
    var items = [];
    group.eachLayer(function (l) {
      var t = l.getTooltip && l.getTooltip();
      var node = t && t.getElement && t.getElement();
      if (!node) { return; }
      var b = l.getBounds();
      var p0 = map.latLngToContainerPoint(b.getNorthWest());
      var p1 = map.latLngToContainerPoint(b.getSouthEast());
      node.style.visibility = "visible";
      items.push({node: node, size: Math.abs((p1.x - p0.x) * (p1.y - p0.y)),
                  box: node.getBoundingClientRect()});
    });
    items.sort(function (a, b) { return b.size - a.size; });  /* the biggest first */
    var kept = [];
    for (var i = 0; i < items.length; i++) {
      var r = items[i].box;
      var hit = kept.some(function (k) {
        return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
      });
      if (hit) { items[i].node.style.visibility = "hidden"; } else { kept.push(r); }
    }
    stats.labelsHidden = items.length - kept.length;
  }

  /* Overview: districts coloured by score, each with a link to its own map. */
  G.scores = function (data, opts) {
    var group = L.geoJSON(data, {
      style: function (f) {
        return {color: "#222222", weight: 1.5, fillColor: f.properties.c, fillOpacity: 0.75};
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        stats.districts += 1;
        var label = el("span", null);
        label.appendChild(el("b", null, p.n));
        label.appendChild(el("br"));
        label.appendChild(textNode(p.l));
        layer.bindTooltip(label, {permanent: true, direction: "center", className: "gt-label"});
        layer.bindPopup(function () {
          return G.card(p.n, opts.fields, p.v, p.h ? {href: p.h, text: opts.linkText} : null);
        });
      }
    });
    group.on("add", function () {
      var map = group._map;
      var again = function () { declutterScores(group); };
      map.on("zoomend moveend resize", again);
      group.once("remove", function () { map.off("zoomend moveend resize", again); });
      window.setTimeout(again, 0);  /* once the tooltips are on the page */
    });
    return keep("scores", group);
  };

  /* An inspection route (issue #15): the line, then numbered stops (numbers and names as text). */
  G.stops = function (data, opts) {
    var group = L.featureGroup();
    L.polyline(data.line, {color: opts.color, weight: 4, opacity: 0.85, interactive: false})
      .addTo(group);
    data.stops.forEach(function (s) {
      var badge = document.createElement("span");
      badge.className = "gt-stop";
      badge.setAttribute("style", "display:inline-block;min-width:20px;height:20px;" +
        "line-height:20px;border-radius:10px;text-align:center;font:bold 12px sans-serif;" +
        "color:#fff;background:" + opts.color + ";border:2px solid #fff");
      badge.textContent = String(s[2]);
      L.marker([s[0], s[1]], {icon: L.divIcon({className: "gt-pt", html: badge,
        iconSize: [24, 24], iconAnchor: [12, 12]}), keyboard: false, pane: "gtPoints"})
        .bindTooltip(function () { return textNode(s[3]); }, {sticky: true})
        .addTo(group);
    });
    return keep("stops", group);
  };

  function now() {
    return Math.round(window.performance ? window.performance.now() : 0);
  }

  /* A phone sends no mouseout after a tap, so a tapped area's name would stay on screen:
   * closing a popup or tapping the map closes every hover name (not the permanent labels). */
  function closeHoverNames(map) {
    map.eachLayer(function (l) {
      var t = l.getTooltip && l.getTooltip();
      if (t && !t.options.permanent && l.isTooltipOpen()) { l.closeTooltip(); }
    });
  }

  /* Called last: every layer is built. Ready once the next frame is painted. */
  G.finish = function (map, opts) {
    stats.overlays = opts.overlays;
    map.on("popupclose click", function () { closeHoverNames(map); });
    if (G.layout) {
      G.layout(map, {bounds: G.bounds, closeWord: opts.closeWord, tilesNote: opts.tilesNote});
    }
    if (G.tapTargets) { G.tapTargets(map); }
    stats.scriptMs = now();
    var done = function () {
      stats.ready = true;
      stats.readyMs = now();
      document.documentElement.setAttribute("data-geotool-ready", "1");
    };
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(function () { window.setTimeout(done, 0); });
    } else {
      window.setTimeout(done, 0);
    }
  };
}());
