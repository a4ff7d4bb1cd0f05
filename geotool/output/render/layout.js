/* geotool maps: responsive panels. Written for geotool.
 *
 * Every panel the Python renderer puts in the page (class gt-panel, with
 * data-gt-dock="left" or "right" and a button label in data-gt-label) is
 * moved into a dock: a column at the left or right edge of the map in which
 * panels are stacked and shrink (scrolling inside) instead of overlapping.
 * Each panel can be closed to a small button and opened again.
 *
 * Below NARROW_PX of width (phones) every panel starts closed: only the
 * buttons are shown, and an open panel is a sheet along the bottom of the
 * screen; one sheet at a time, so panels never overlap. Leaflet's layer
 * control is moved into the panel with id gt-layers when there is one; left
 * collapsed with a single layer (the overview), that layer can't be switched off.
 *
 * After the layout, the map is fitted to the district again with padding
 * for the open panels (on a phone: the buttons and the zoom and scale
 * controls), so nothing the analysis found starts hidden. On a phone an
 * open sheet refits the district into the room above it while the view is
 * still that fit; once the leader has moved the map, a sheet moves it up by
 * half its height instead, so what was in the middle of the screen stays in
 * the middle of what is left. Closing the sheet undoes either. Popups open
 * clear of the buttons and of an open sheet (on a desktop: of the panels).
 * Labels come from data attributes and are set with textContent.
 */
(function () {
  "use strict";

  var G = window.geotool = window.geotool || {};
  var NARROW_PX = 600;
  var SHORT_PX = 480;  /* a phone held sideways: wide, but too short for columns of panels */
  var GAP_PX = 10;
  var panels = [];
  /* fitted: the view is still the district fit (nobody moved the map since) */
  var state = {narrow: null, map: null, bounds: null, sheet: 0, fitted: false, own: false};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function narrow() { return window.innerWidth < NARROW_PX || window.innerHeight < SHORT_PX; }

  function setOpen(panel, open) {
    panel.classList.toggle("gt-closed", !open);
    panel.querySelector(".gt-open").setAttribute("aria-expanded", open ? "true" : "false");
  }

  /* Opening a panel on a phone closes the others: one sheet at a time. */
  function openPanel(panel) {
    if (state.narrow) {
      for (var i = 0; i < panels.length; i++) {
        if (panels[i] !== panel) { setOpen(panels[i], false); }
      }
    }
    setOpen(panel, true);
    sheetMoved();
    var close = panel.querySelector(".gt-close");
    if (close && close.focus) { close.focus({preventScroll: true}); }
  }

  function closePanel(panel) {
    setOpen(panel, false);
    sheetMoved();
    var open = panel.querySelector(".gt-open");
    if (open && open.focus) { open.focus({preventScroll: true}); }
  }

  /* Wrap a panel's own content; add its open button and close button. */
  function wrap(panel, closeWord) {
    var content = el("div", "gt-content");
    while (panel.firstChild) { content.appendChild(panel.firstChild); }
    var label = panel.getAttribute("data-gt-label") || "";
    var open = el("button", "gt-open", label);
    open.type = "button";
    open.setAttribute("aria-controls", panel.id);
    var close = el("button", "gt-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", closeWord + " " + label);
    close.title = closeWord;
    var bar = el("div", "gt-bar");  /* on a phone: the sheet's own row, opaque, for the × */
    bar.appendChild(close);
    content.insertBefore(bar, content.firstChild);
    panel.appendChild(open);
    panel.appendChild(content);
    open.addEventListener("click", function () { openPanel(panel); });
    close.addEventListener("click", function () { closePanel(panel); });
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
  }

  /* Leaflet's layer control, moved into the gt-layers panel and kept expanded. */
  function adoptLayerControl() {
    var host = document.getElementById("gt-layers");
    var control = document.querySelector(".leaflet-control-layers");
    if (!host || !control) { return; }
    var slot = host.querySelector(".gt-body") || host;
    control.classList.add("leaflet-control-layers-expanded", "gt-adopted");
    slot.appendChild(control);
    var toggle = control.querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.style.display = "none"; }
  }

  /* A collapsed layer control with only one layer (the overview's): that layer can't be
   * switched off. It shows no checkbox and a tap on its list does nothing, so neither the
   * tap that opens the list (whose click can land on the row that appears under the
   * finger) nor a second tap on the same spot blanks the map. */
  function guardLoneLayer() {
    var control = document.querySelector(".leaflet-control-layers:not(.gt-adopted)");
    if (!control || control.querySelectorAll("input").length !== 1) { return; }
    control.classList.add("gt-lone");
    control.querySelector(".leaflet-control-layers-list").addEventListener("click", function (e) {
      e.preventDefault();
      e.stopPropagation();
    }, true);
  }

  function dockWidth(dock) {
    var w = 0;
    for (var i = 0; i < dock.children.length; i++) {
      var c = dock.children[i];
      if (!c.classList.contains("gt-closed")) { w = Math.max(w, c.getBoundingClientRect().width); }
    }
    return w;
  }

  function dockHeight(dock) {
    var r = dock.getBoundingClientRect();
    return r.height;
  }

  /* Height of the open bottom sheet on a phone (0 when none is open). */
  function sheetHeight() {
    if (!state.narrow) { return 0; }
    for (var i = 0; i < panels.length; i++) {
      if (!panels[i].classList.contains("gt-closed")) {
        return panels[i].getBoundingClientRect().height;
      }
    }
    return 0;
  }

  /* Room the bottom-right map controls (zoom, scale, attribution) take on a phone. */
  function controlsHeight() {
    var corner = document.querySelector(".leaflet-bottom.leaflet-right");
    if (!corner) { return 0; }
    var r = corner.getBoundingClientRect();
    return r.height > 0 ? window.innerHeight - r.top : 0;
  }

  /* Width of the bottom-right map controls' column. */
  function controlsWidth() {
    var corner = document.querySelector(".leaflet-bottom.leaflet-right");
    return corner ? corner.getBoundingClientRect().width : 0;
  }

  /* Popups pan the map so they open below the phone's buttons and above an open sheet. */
  function popupRoom() {
    var o = L.Popup.prototype.options;
    if (state.narrow) {
      var left = document.getElementById("gt-dock-left");
      var right = document.getElementById("gt-dock-right");
      var top = Math.max(dockHeight(left), dockHeight(right)) + GAP_PX * 2;
      o.autoPanPaddingTopLeft = L.point(GAP_PX, top);
      o.autoPanPaddingBottomRight = L.point(GAP_PX, state.sheet + GAP_PX);
      o.maxHeight = Math.max(120, window.innerHeight - top - state.sheet - 3 * GAP_PX - 40);
    } else {  /* beside the open panels' columns when they leave room for a popup */
      var l = dockWidth(document.getElementById("gt-dock-left"));
      var r = dockWidth(document.getElementById("gt-dock-right"));
      var roomy = window.innerWidth - l - r - 4 * GAP_PX >= 360;
      o.autoPanPaddingTopLeft = roomy ? L.point(l + 2 * GAP_PX, GAP_PX) : null;
      o.autoPanPaddingBottomRight = roomy ? L.point(r + 2 * GAP_PX, GAP_PX) : null;
      o.maxHeight = null;
    }
  }

  /* A sheet opened, closed or replaced another: keep the middle of the view in view. */
  function sheetMoved() {
    var h = sheetHeight();
    var shift = h - state.sheet;
    state.sheet = h;
    popupRoom();
    if (!state.map || Math.abs(shift) < 1) { return; }
    if (state.fitted) {
      refit();
    } else {
      ownMove(function () { state.map.panBy([0, Math.round(shift / 2)], {animate: false}); });
    }
  }

  /* A move of the layout's own (not the leader's): the view's fit state is kept. */
  function ownMove(move) {
    state.own = true;
    try { move(); } finally { state.own = false; }
  }

  /* Fit the district with room for the open panels (on a phone: the buttons, the
   * bottom-right controls and an open sheet). */
  function refit() {
    var map = state.map;
    if (!map || !state.bounds) { return; }
    ownMove(function () { map.invalidateSize({animate: false}); });
    var left = document.getElementById("gt-dock-left");
    var right = document.getElementById("gt-dock-right");
    var pad;
    if (state.narrow && window.innerWidth > window.innerHeight && !state.sheet) {
      /* held sideways: the controls' column is narrow, the screen short; keep beside it */
      var topSide = Math.max(dockHeight(left), dockHeight(right)) + GAP_PX * 2;
      pad = {paddingTopLeft: [GAP_PX, topSide],
             paddingBottomRight: [controlsWidth() + GAP_PX * 2, GAP_PX * 2]};
    } else if (state.narrow) {
      var top = Math.max(dockHeight(left), dockHeight(right)) + GAP_PX * 2;
      pad = {paddingTopLeft: [GAP_PX, top],
             paddingBottomRight: [GAP_PX, Math.max(48, controlsHeight() + GAP_PX,
                                                   state.sheet + GAP_PX)]};
    } else {
      pad = {paddingTopLeft: [dockWidth(left) + GAP_PX * 2, 16],
             paddingBottomRight: [dockWidth(right) + GAP_PX * 2, 16]};
      var room = map.getSize().x - pad.paddingTopLeft[0] - pad.paddingBottomRight[0];
      if (room < map.getSize().x * 0.25) {  // panels too wide for side room: plain fit
        pad = {padding: [16, 16]};
      }
    }
    pad.animate = false;
    ownMove(function () { map.fitBounds(state.bounds, pad); });
    state.fitted = true;
    popupRoom();
  }

  function applyMode(first) {
    var now = narrow();
    if (now === state.narrow) { return; }
    state.narrow = now;
    state.sheet = 0;
    document.body.classList.toggle("gt-narrow", now);
    for (var i = 0; i < panels.length; i++) {
      var startClosed = panels[i].getAttribute("data-gt-closed") === "1";
      setOpen(panels[i], !now && !startClosed);
    }
    if (!first) { refit(); }
  }

  /* When the base map does not load (offline, blocked), drop it: plain background and a note. */
  function watchTiles(map, note) {
    var tiles = null;
    map.eachLayer(function (l) { if (l instanceof L.TileLayer) { tiles = l; } });
    if (!tiles) { return; }
    var loaded = 0;
    var failed = 0;
    var dropped = false;
    function drop() {
      if (dropped || loaded > 0) { return; }
      dropped = true;
      map.removeLayer(tiles);
      map.getContainer().style.background = "#f2efe9";
      var box = el("div", "gt-tiles-note", note || "");
      box.setAttribute("role", "status");
      map.getContainer().appendChild(box);
      window.geotoolStats.tilesDropped = true;
    }
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("tileerror", function () {
      failed += 1;
      if (failed >= 3) { drop(); }
    });
    window.setTimeout(drop, 8000);
  }

  /* Called once every layer and panel is in the page (from geotool.finish). */
  G.layout = function (map, opts) {
    opts = opts || {};
    state.map = map;
    state.bounds = opts.bounds || null;
    map.on("movestart", function () { if (!state.own) { state.fitted = false; } });
    var docks = {};
    ["left", "right"].forEach(function (side) {
      var dock = el("div", "gt-dock gt-dock-" + side);
      dock.id = "gt-dock-" + side;
      document.body.appendChild(dock);
      docks[side] = dock;
    });
    adoptLayerControl();
    guardLoneLayer();
    var found = document.querySelectorAll(".gt-panel[data-gt-dock]");
    for (var i = 0; i < found.length; i++) {
      var panel = found[i];
      wrap(panel, opts.closeWord || "×");
      docks[panel.getAttribute("data-gt-dock") === "right" ? "right" : "left"]
        .appendChild(panel);
      panels.push(panel);
    }
    applyMode(true);
    refit();
    watchTiles(map, opts.tilesNote);
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { applyMode(false); }, 120);
    });
  };

  G.panels = function () { return panels.slice(); };
  G.refit = refit;
}());
