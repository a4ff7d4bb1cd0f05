/* geotool maps: the issue layers (open issues; rectified ones). Written for geotool.
 *
 * Data is columnar and bit-packed (see geotool/output/render/issue_points.py
 * and _packed.py). A small layer is one MarkerCluster group. A layer with
 * counted cells shows the cells below opts.streetZoom; from there on only the
 * issues of the cells in view are drawn: counted again in a screen grid
 * (GRID_PX) each time the view settles, a ring for a grid square of several
 * issues, a marker (built once, on first sight) for a lone one. A cluster, cell
 * or ring shows how many issues it holds, and a ring whose red share is the
 * share of them that is overdue. Clicking one zooms at most to
 * opts.spiderZoom, then spreads its markers. Strings reach the page through
 * textContent only.
 */
(function () {
  "use strict";

  var G = window.geotool = window.geotool || {};

  /* Screen grid of the street-level view, pixels; and the most markers one ring spreads. */
  var GRID_PX = 60;
  var SPREAD_MAX = 60;

  /* Rectified issues are drawn in their own pane (made by G.setup), below the open ones. */
  var DONE_PANE = "gtDone";

  function stats() { return window.geotoolStats; }

  function paneOf(opts) { return opts.kind === "rectified" ? DONE_PANE : "markerPane"; }

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

  /* One bit-packed column (see _packed.py) as a typed array of n numbers. */
  function unbits(spec, n) {
    var wide = spec.o < -2147483648 || spec.o + Math.pow(2, spec.b) > 2147483647;
    var out = wide ? new Float64Array(n) : new Int32Array(n);
    var i;
    if (!spec.b) {
      for (i = 0; i < n; i++) { out[i] = spec.o; }
      return out;
    }
    var text = window.atob(spec.d);
    var bytes = new Uint8Array(text.length);
    for (i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    var b = spec.b;
    var pos = 0;
    for (i = 0; i < n; i++) {
      var v = 0;
      var got = 0;
      var scale = 1;
      while (got < b) {
        var off = pos & 7;
        var take = Math.min(8 - off, b - got);
        v += ((bytes[pos >> 3] >> off) & ((1 << take) - 1)) * scale;
        scale *= (1 << take);
        got += take;
        pos += take;
      }
      out[i] = v + spec.o;
    }
    return out;
  }

  /* Packed columns back to arrays; numeric ids back to their text. */
  function restore(d) {
    Object.keys(d.packed || {}).forEach(function (key) { d[key] = unbits(d.packed[key], d.n); });
    d.packed = null;
    if (d.idPrefix !== undefined) {
      var nums = unbits(d.id, d.n);
      var pad = new Array(d.idWidth + 1).join("0");
      var ids = new Array(d.n);
      for (var i = 0; i < d.n; i++) {
        var s = String(nums[i]);
        ids[i] = d.idPrefix + (s.length < d.idWidth ? (pad + s).slice(-d.idWidth) : s);
      }
      d.id = ids;
      d.idPrefix = undefined;
    }
  }

  G.issues = function (data, opts) {
    var d = data.cols;
    restore(d);
    var dict = d.dicts;
    var day0ms = Date.parse(d.day0 + "T00:00:00Z");
    var holder = L.layerGroup();
    holder.gtKind = opts.kind;
    holder.gtData = d;
    holder.gtCellData = data.cells;
    holder.gtStreetZoom = opts.streetZoom;
    var cells = null;
    var clusters = null;
    var icons = markerIcons(opts);
    var map = null;
    var singles = {};  /* issue index -> its marker, built on first sight */
    var view = null;  /* what the street-level view draws now */
    var shown = {};  /* issue index -> marker, lone issues in that view */
    var spreadAt = null;  /* zoom of a spread ring, until the zoom changes or the map is clicked */
    var cellBox = null;
    var drawn = null;  /* zoom and (padded) bounds of the street-level view drawn last */

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

    function latLng(i) {
      return L.latLng((d.lat0 + d.lat[i]) / d.scale, (d.lon0 + d.lon[i]) / d.scale);
    }

    function issueMarker(i, at) {
      var cls = opts.kind === "rectified" ? 2 : d.overdue[i];
      /* a spread marker (asked for by a click) goes on top, in the marker pane */
      var mk = L.marker(at || latLng(i), {icon: icons[cls], keyboard: false,
                                          pane: at ? "markerPane" : paneOf(opts),
                                          zIndexOffset: at ? 1000 : 0});  /* spread: on top */
      mk.gtIndex = i;
      mk.gtOver = d.overdue[i];
      mk.gtId = d.id[i];
      mk.bindPopup(popup);
      stats().markers = (stats().markers || 0) + 1;
      return mk;
    }

    function single(i) {
      if (!singles[i]) { singles[i] = issueMarker(i); }
      return singles[i];
    }

    function buildClusters() {
      clusters = L.markerClusterGroup({
        maxClusterRadius: 45, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        zoomToBoundsOnClick: false, removeOutsideVisibleBounds: true, animate: false,
        clusterPane: paneOf(opts),
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
      for (var i = 0; i < d.n; i++) { markers[i] = single(i); }
      clusters.addLayers(markers);
      holder.gtClusters = clusters;
    }

    /* Each cell's extent (offsets in 1e-5 degree), from its index range. */
    function cellBoxes() {
      var c = data.cells;
      cellBox = new Float64Array(4 * c.n.length);
      for (var k = 0; k < c.n.length; k++) {
        var lo = [Infinity, Infinity];
        var hi = [-Infinity, -Infinity];
        for (var i = c.start[k]; i < c.start[k] + c.n[k]; i++) {
          if (d.lat[i] < lo[0]) { lo[0] = d.lat[i]; }
          if (d.lat[i] > hi[0]) { hi[0] = d.lat[i]; }
          if (d.lon[i] < lo[1]) { lo[1] = d.lon[i]; }
          if (d.lon[i] > hi[1]) { hi[1] = d.lon[i]; }
        }
        cellBox.set([lo[0], lo[1], hi[0], hi[1]], 4 * k);
      }
    }

    /* Street level: the issues of the cells in view, counted in a GRID_PX screen grid. */
    function drawView() {
      if (!cellBox) { cellBoxes(); }
      if (!view) { view = L.layerGroup(); holder.gtView = view; }
      if (drawn && drawn.zoom === map.getZoom() && drawn.bounds.contains(map.getBounds())) {
        return;  /* a short pan (a popup making room): what is drawn still covers the view */
      }
      var c = data.cells;
      var s = d.scale;
      var b = map.getBounds().pad(0.2);
      drawn = {zoom: map.getZoom(), bounds: b};
      var south = b.getSouth() * s - d.lat0;
      var north = b.getNorth() * s - d.lat0;
      var west = b.getWest() * s - d.lon0;
      var east = b.getEast() * s - d.lon0;
      var world = 256 * Math.pow(2, map.getZoom()) / GRID_PX;
      var bins = new Map();
      var inView = 0;
      for (var k = 0; k < c.n.length; k++) {
        if (cellBox[4 * k] > north || cellBox[4 * k + 2] < south ||
            cellBox[4 * k + 1] > east || cellBox[4 * k + 3] < west) { continue; }
        for (var i = c.start[k]; i < c.start[k] + c.n[k]; i++) {
          var la = d.lat[i];
          var lo = d.lon[i];
          if (la < south || la > north || lo < west || lo > east) { continue; }
          var sin = Math.sin((d.lat0 + la) / s * Math.PI / 180);
          var gx = Math.floor(((d.lon0 + lo) / s + 180) / 360 * world);
          var gy = Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * world);
          var key = gx * 67108864 + gy;
          var bin = bins.get(key);
          if (bin) { bin.push(i); } else { bins.set(key, [i]); }
          inView += 1;
        }
      }
      var next = {};
      view.eachLayer(function (l) { if (l.gtMembers) { view.removeLayer(l); } });
      bins.forEach(function (members) {
        if (members.length === 1) {
          next[members[0]] = single(members[0]);
        } else {
          view.addLayer(ring(members));
        }
      });
      Object.keys(shown).forEach(function (i) {
        if (!next[i]) { view.removeLayer(shown[i]); }
      });
      Object.keys(next).forEach(function (i) {
        if (!shown[i]) { view.addLayer(next[i]); }
      });
      shown = next;
      stats().viewDraws = (stats().viewDraws || 0) + 1;
      stats().viewShown = inView;
    }

    /* A ring of several issues, at their mean position. */
    function ring(members) {
      var lat = 0;
      var lon = 0;
      var over = 0;
      for (var j = 0; j < members.length; j++) {
        lat += d.lat[members[j]];
        lon += d.lon[members[j]];
        over += d.overdue[members[j]];
      }
      var ll = L.latLng((d.lat0 + lat / members.length) / d.scale,
                        (d.lon0 + lon / members.length) / d.scale);
      var mk = L.marker(ll, {icon: ringIcon(members.length, over, opts, " gt-view"),
                             keyboard: false, pane: paneOf(opts)});
      mk.gtMembers = members;
      mk.gtCount = members.length;
      mk.gtOverdue = over;
      mk.bindTooltip(function () {
        return el(opts.words.cell.replace("{n}", String(members.length))
          .replace("{overdue}", String(over)));
      }, {direction: "top"});
      mk.on("click", function () { ringClick(mk); });
      return mk;
    }

    /* Zoom towards a ring's issues (at most to opts.spiderZoom), then spread them. */
    function ringClick(mk) {
      var members = mk.gtMembers;
      var z = map.getZoom();
      var bounds = L.latLngBounds(members.map(latLng));
      var cap = members.length > SPREAD_MAX ? map.getMaxZoom() : opts.spiderZoom;
      var target = Math.min(map.getBoundsZoom(bounds, false, L.point(60, 60)), cap);
      if (target > z + 0.01) {
        map.fitBounds(bounds, {padding: [60, 60], maxZoom: target});
        return;
      }
      spread(mk);
    }

    /* Up to SPREAD_MAX of a ring's issues on a spiral around it; the ring keeps the rest. */
    function spread(mk) {
      var centre = map.latLngToLayerPoint(mk.getLatLng());
      var members = mk.gtMembers;
      var out = members.slice(0, SPREAD_MAX);
      var circle = out.length <= 9;
      var angle = 0;
      var radius = circle ? 30 : 26;
      for (var j = 0; j < out.length; j++) {
        var at = map.layerPointToLatLng(L.point(centre.x + radius * Math.cos(angle),
                                                centre.y + radius * Math.sin(angle)));
        var leg = L.polyline([mk.getLatLng(), at], {weight: 1, color: "#555555",
                                                    opacity: 0.6, interactive: false});
        leg.gtMembers = [];
        view.addLayer(leg);
        var m = issueMarker(out[j], at);
        m.gtMembers = [];
        m.gtSpread = true;
        view.addLayer(m);
        if (circle) {
          angle += 2 * Math.PI / out.length;
        } else {  /* a spiral: about 22 px between neighbours */
          angle += 22 / radius;
          radius += 1.6;
        }
      }
      view.removeLayer(mk);
      if (members.length > out.length) {
        view.addLayer(ring(members.slice(out.length)));
      }
      spreadAt = map.getZoom();
    }

    function buildCells() {
      var c = data.cells;
      cells = L.layerGroup();
      for (var i = 0; i < c.n.length; i++) {
        var ll = L.latLng(c.lat[i] / d.scale, c.lon[i] / d.scale);
        var cell = L.marker(ll, {icon: ringIcon(c.n[i], c.overdue[i], opts, " gt-cell"),
                                 keyboard: false, pane: paneOf(opts)});
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
      if (spreadAt !== null && !aggregated && map.getZoom() === spreadAt) { return; }
      if (spreadAt !== null) { drawn = null; }
      spreadAt = null;
      if (aggregated) {
        if (!cells) { buildCells(); }
        if (clusters && holder.hasLayer(clusters)) { holder.removeLayer(clusters); }
        if (view && holder.hasLayer(view)) { holder.removeLayer(view); }
        if (!holder.hasLayer(cells)) { holder.addLayer(cells); }
      } else if (data.cells) {
        if (cells && holder.hasLayer(cells)) { holder.removeLayer(cells); }
        drawView();
        if (!holder.hasLayer(view)) { holder.addLayer(view); }
      } else {
        if (!clusters) { buildClusters(); }
        if (!holder.hasLayer(clusters)) { holder.addLayer(clusters); }
      }
      holder.gtAggregated = !!aggregated;
    }

    function unspread() {
      if (spreadAt !== null) { spreadAt = null; drawn = null; sync(); }
    }

    holder.on("add", function () {
      map = holder._map;
      map.on("moveend", sync);
      map.on("click", unspread);
      sync();
    });
    holder.on("remove", function () {
      if (map) { map.off("moveend", sync); map.off("click", unspread); }
    });
    stats().issues = (stats().issues || 0) + d.n;
    return G.keep ? G.keep("issues", holder) : holder;
  };
}());
