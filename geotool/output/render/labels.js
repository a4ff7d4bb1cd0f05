/* geotool maps: place names drawn without a base map, never on top of each other.
 * Written for geotool.
 *
 * data: {lat: [], lon: [], text: [], rank: []} with positions in degrees and
 * rank 0 the most important. After every zoom or pan the labels are taken in
 * rank order and one is shown only when its box does not touch a box already
 * shown (greedy placement). Text is set with textContent.
 */
(function () {
  "use strict";

  var G = window.geotool = window.geotool || {};
  var PAD_PX = 4;

  G.labels = function (data, opts) {
    if (G.map && !G.map.getPane("gtLabels")) {
      var pane = G.map.createPane("gtLabels");
      pane.style.zIndex = "540";
      pane.style.pointerEvents = "none";
    }
    var group = L.layerGroup();
    var onMap = null;
    var items = [];
    var order = [];
    for (var i = 0; i < data.text.length; i++) { order.push(i); }
    order.sort(function (a, b) { return data.rank[a] - data.rank[b] || a - b; });
    for (var k = 0; k < order.length; k++) {
      var j = order[k];
      var span = document.createElement("span");
      span.className = "gt-place gt-place-" + Math.min(data.rank[j], 2);
      span.textContent = data.text[j];
      var marker = L.marker([data.lat[j], data.lon[j]], {
        icon: L.divIcon({className: "gt-place-icon", html: span, iconSize: null}),
        interactive: false, keyboard: false, pane: "gtLabels"
      });
      items.push({marker: marker, span: span, w: 0, h: 0});
      group.addLayer(marker);
    }

    function place() {
      var map = group._map;
      if (!map) { return; }
      var taken = [];
      var shown = 0;
      for (var n = 0; n < items.length; n++) {
        var it = items[n];
        if (!it.w) { it.w = it.span.offsetWidth; it.h = it.span.offsetHeight; }
        var p = map.latLngToContainerPoint(it.marker.getLatLng());
        var box = [p.x - it.w / 2 - PAD_PX, p.y - it.h / 2 - PAD_PX,
                   p.x + it.w / 2 + PAD_PX, p.y + it.h / 2 + PAD_PX];
        var free = true;
        for (var t = 0; t < taken.length && free; t++) {
          var o = taken[t];
          free = box[2] <= o[0] || o[2] <= box[0] || box[3] <= o[1] || o[3] <= box[1];
        }
        it.span.style.visibility = free ? "visible" : "hidden";
        if (free) { taken.push(box); shown += 1; }
      }
      group.gtShown = shown;
    }

    group.on("add", function () {
      onMap = group._map;
      onMap.on("zoomend moveend", place);
      place();
    });
    group.on("remove", function () {
      if (onMap) { onMap.off("zoomend moveend", place); }
      onMap = null;
    });
    group.gtPlace = place;
    group.gtItems = items;
    window.geotoolStats.labels = items.length;
    return G.keep ? G.keep("labels", group) : group;
  };
}());
