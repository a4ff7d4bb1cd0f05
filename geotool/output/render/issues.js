/* geotool maps: the issue layers (open issues; rectified ones). Written for geotool.
 *
 * Data is columnar (see geotool/output/render/issue_points.py). A layer with
 * counted cells shows them below opts.streetZoom and single issues (clustered)
 * from there on; markers are built the first time they are needed. A cluster
 * or cell shows how many issues it holds, and a ring whose red share is the
 * share of them that is overdue. Clicking a cluster zooms at most to
 * opts.spiderZoom, then spreads its markers (spiderfy). Strings reach the page
 * through textContent only.
 */
(function () {
  "use strict";

  var G = window.geotool = window.geotool || {};

  function stats() { return window.geotoolStats; }

  function ringHtml(n, over, colors) {
    var deg = n ? Math.round(360 * over / n) : 0;
    return '<div class="gt-ring" data-overdue="' + String(Number(over)) +
      '" style="background:conic-gradient(' + colors.overdue +
      " 0 " + deg + "deg," + colors.open + " " + deg + 'deg 360deg)"><span>' +
      String(Number(n)) + "</span></div>";
  }

  function ringIcon(n, over, opts, extra) {
    var size = n < 10 ? 32 : n < 100 ? 38 : n < 1000 ? 44 : 52;
    var html = opts.kind === "rectified"
      ? '<div class="gt-ring gt-ring-done"><span>' + String(Number(n)) + "</span></div>"
      : ringHtml(n, over, opts.colors);
    return L.divIcon({html: html, className: "gt-cluster" + (extra || ""),
                      iconSize: L.point(size, size)});
  }

  function markerIcons(opts) {
    return opts.classes.map(function (c) {
      return L.divIcon({
        className: "gt-pt",
        html: '<span class="gt-issue gt-' + c.shape + '" style="--c:' + c.color + '">' +
              c.glyph + "</span>",
        iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8]
      });
    });
  }

  function timeText(day0ms, v) {
    if (v === undefined || v < 0) { return ""; }
    var t = new Date(day0ms + v * 60000);
    var s = t.toISOString();
    return (t.getUTCHours() || t.getUTCMinutes()) ? s.slice(0, 10) + " " + s.slice(11, 16)
      : s.slice(0, 10);
  }

  /* Packed columns (one base-36 digit per issue; "" = all zero) as arrays of numbers. */
  function unpack(d) {
    var n = d.n;
    Object.keys(d).forEach(function (key) {
      var col = d[key];
      if (typeof col !== "string" || key === "day0") { return; }
      var out = new Array(n);
      for (var i = 0; i < n; i++) { out[i] = col.length ? parseInt(col.charAt(i), 36) : 0; }
      d[key] = out;
    });
  }

  /* Latitude steps back to offsets; numeric ids back to their text. */
  function restore(d) {
    if (d.latSteps) {
      for (var i = 1; i < d.lat.length; i++) { d.lat[i] += d.lat[i - 1]; }
      d.latSteps = false;
    }
    if (d.idPrefix !== undefined) {
      d.id = d.id.map(function (v) {
        var s = String(v);
        while (s.length < d.idWidth) { s = "0" + s; }
        return d.idPrefix + s;
      });
      d.idPrefix = undefined;
    }
  }

  G.issues = function (data, opts) {
    var d = data.cols;
    unpack(d);
    restore(d);
    var dict = d.dicts;
    var day0ms = Date.parse(d.day0 + "T00:00:00Z");
    var holder = L.layerGroup();
    holder.gtKind = opts.kind;
    holder.gtData = d;
    var cells = null;
    var clusters = null;
    var icons = markerIcons(opts);
    var map = null;

    function get(key, i) {
      var col = d[key];
      return col ? dict[key][col[i]] : "";
    }

    function popup(marker) {
      var i = marker.gtIndex;
      var status = get("status", i);
      if (d.overdue[i]) { status += " · " + opts.words.overdue; }
      if (d.recurring[i]) { status += " · " + opts.words.recurring; }
      var title = get("cat", i);
      var place = get("place", i);
      return G.card(place ? title + " · " + place : title, opts.fields, [
        title, place, get("area", i), get("addr", i), get("desc", i), get("src", i),
        timeText(day0ms, d.found[i]), get("unit", i),
        timeText(day0ms, d.deadline[i] * d.deadlineStep), status,
        d.days[i] >= 0 ? d.days[i] : "", d.id[i]]);
    }

    function buildClusters() {
      clusters = L.markerClusterGroup({
        maxClusterRadius: 45, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        zoomToBoundsOnClick: false, removeOutsideVisibleBounds: true, animate: false,
        iconCreateFunction: function (cluster) {
          var children = cluster.getAllChildMarkers();
          var over = 0;
          for (var j = 0; j < children.length; j++) { over += children[j].gtOver; }
          cluster.gtOverdue = over;
          return ringIcon(children.length, over, opts);
        }
      });
      clusters.on("clusterclick", function (e) {
        var m = clusters._map;
        var b = e.layer.getBounds();
        var target = Math.min(m.getBoundsZoom(b, false, L.point(60, 60)), opts.spiderZoom);
        if (target <= m.getZoom() + 0.01) {
          e.layer.spiderfy();
        } else {
          m.fitBounds(b, {padding: [60, 60], maxZoom: target});
        }
      });
      var markers = new Array(d.n);
      for (var i = 0; i < d.n; i++) {
        var cls = opts.kind === "rectified" ? 2 : d.overdue[i];
        var mk = L.marker([(d.lat0 + d.lat[i]) / d.scale, (d.lon0 + d.lon[i]) / d.scale],
                          {icon: icons[cls], keyboard: false});
        mk.gtIndex = i;
        mk.gtOver = d.overdue[i];
        mk.gtId = d.id[i];
        mk.bindPopup(popup);
        markers[i] = mk;
      }
      clusters.addLayers(markers);
      stats().markers = (stats().markers || 0) + d.n;
      holder.gtClusters = clusters;
    }

    function buildCells() {
      var c = data.cells;
      cells = L.layerGroup();
      for (var i = 0; i < c.n.length; i++) {
        var ll = L.latLng(c.lat[i] / d.scale, c.lon[i] / d.scale);
        var cell = L.marker(ll, {icon: ringIcon(c.n[i], c.overdue[i], opts, " gt-cell"),
                                 keyboard: false});
        cell.gtCount = c.n[i];
        cell.gtOverdue = c.overdue[i];
        cell.bindTooltip(el(opts.words.cell.replace("{n}", String(c.n[i]))
          .replace("{overdue}", String(c.overdue[i]))), {direction: "top"});
        cell.on("click", (function (center) {
          return function () {
            var half = c.half * 2;
            map.fitBounds(L.latLngBounds([center.lat - half, center.lng - half * 1.3],
                                         [center.lat + half, center.lng + half * 1.3]),
                          {maxZoom: opts.streetZoom});
          };
        }(ll)));
        cells.addLayer(cell);
      }
      stats().cells = (stats().cells || 0) + c.n.length;
      holder.gtCells = cells;
    }

    function el(text) {
      var s = document.createElement("span");
      s.textContent = text;
      return s;
    }

    function sync() {
      if (!map) { return; }
      var aggregated = data.cells && (!opts.markers || map.getZoom() < opts.streetZoom);
      if (aggregated) {
        if (!cells) { buildCells(); }
        if (clusters && holder.hasLayer(clusters)) { holder.removeLayer(clusters); }
        if (!holder.hasLayer(cells)) { holder.addLayer(cells); }
      } else {
        if (!clusters) { buildClusters(); }
        if (cells && holder.hasLayer(cells)) { holder.removeLayer(cells); }
        if (!holder.hasLayer(clusters)) { holder.addLayer(clusters); }
      }
      holder.gtAggregated = !!aggregated;
    }

    holder.on("add", function () {
      map = holder._map;
      map.on("zoomend", sync);
      sync();
    });
    holder.on("remove", function () {
      if (map) { map.off("zoomend", sync); }
    });
    stats().issues = (stats().issues || 0) + d.n;
    return G.keep ? G.keep("issues", holder) : holder;
  };
}());
