/* geotool maps: finger-sized tap targets for markers and ledger points. Written for geotool.
 *
 * On a touch screen (pointer: coarse) map.css gives every interactive marker
 * icon (issue markers, ledger points, route stops, cluster rings) a transparent
 * disc of 44 px behind its symbol, so a tap up to 22 px from its centre lands
 * on it; nothing new is drawn. Where discs overlap (a dense cluster) the one on
 * top would take every tap in the overlap, so a tap on the markers goes to:
 * the marker drawn under the finger, if any (the one on top, as before: what
 * is seen is what is tapped); else the marker whose drawn symbol is nearest,
 * among those whose discs lie under the finger (ties: the nearest centre).
 * "Under the finger" is where the touch ended, not where the click lands: a
 * browser may move a tap's click onto a nearby element it thinks was meant
 * (Chrome's touch adjustment), and with discs overlapping that is often the
 * wrong marker. Such a tap then reaches Leaflet as a click on the marker's
 * icon at the finger's position (Leaflet closes any hover name opened on the
 * way, as on every click).
 * With a mouse (pointer: fine) there are no discs and clicks are left as
 * they are.
 */
(function () {
  "use strict";

  var G = window.geotool = window.geotool || {};

  /* How long after a touch ends its click may come, ms. */
  var CLICK_MS = 1000;

  /* The marker icon (a Leaflet interactive marker) that el is, or is inside of. */
  function iconOf(el, box) {
    for (var e = el; e && e !== box; e = e.parentNode) {
      if (e.classList && e.classList.contains("leaflet-marker-icon")) {
        return e.classList.contains("leaflet-interactive") ? e : null;
      }
    }
    return null;
  }

  /* [distance to the drawn symbol's edge, distance to its centre] of (x, y), in pixels. */
  function distance(icon, x, y) {
    var shape = icon.firstElementChild || icon;
    var r = shape.getBoundingClientRect();
    var d = Math.sqrt(Math.pow(x - (r.left + r.right) / 2, 2) +
                      Math.pow(y - (r.top + r.bottom) / 2, 2));
    return [Math.max(0, d - Math.min(r.width, r.height) / 2), d];
  }

  /* The marker icon a tap at (x, y) is meant for (see above); null when what is on top
   * there is not a marker (a popup, a panel, a control, the map). */
  function meant(box, x, y) {
    var under = document.elementsFromPoint(x, y);
    var best = null;
    var bestD = null;
    for (var i = 0; i < under.length; i++) {
      var icon = box.contains(under[i]) ? iconOf(under[i], box) : null;
      if (!icon) { break; }  /* below the markers (or something above them): done */
      if (under[i] !== icon) { return icon; }  /* its symbol is drawn here, above the rest */
      var d = distance(icon, x, y);
      if (!best || d[0] < bestD[0] || (d[0] === bestD[0] && d[1] < bestD[1])) {
        best = icon;
        bestD = d;
      }
    }
    return best;
  }

  /* A click like e, at the finger's position. */
  function clickAt(e, at) {
    return new MouseEvent("click", {
      bubbles: true, cancelable: true, view: window, clientX: at.x, clientY: at.y,
      screenX: e.screenX + at.x - e.clientX, screenY: e.screenY + at.y - e.clientY
    });
  }

  /* Give each tap on the markers to the marker it is meant for (see above). */
  G.tapTargets = function (map) {
    var coarse = window.matchMedia ? window.matchMedia("(pointer: coarse)") : null;
    var box = map.getContainer();
    var touch = null;
    box.addEventListener("touchend", function (e) {
      var t = e.changedTouches && e.changedTouches[0];
      touch = t ? {x: t.clientX, y: t.clientY, ms: Date.now()} : null;
    }, {capture: true, passive: true});
    box.addEventListener("click", function (e) {
      var at = touch && Date.now() - touch.ms < CLICK_MS ? touch : {x: e.clientX, y: e.clientY};
      touch = null;
      if (!coarse || !coarse.matches || !e.isTrusted) { return; }  /* ours are not trusted */
      var hit = iconOf(e.target, box);
      var best = meant(box, at.x, at.y);
      if (!best || best === hit) { return; }
      e.stopPropagation();
      e.preventDefault();
      best.dispatchEvent(clickAt(e, at));
    }, true);
  };
}());
