/**
 * The plot page's script (plain browser JavaScript, inlined after uPlot). It reads the JSON in
 * <script id="q1f-data">, builds one uPlot panel per physical output and active marker with a shared,
 * linked x axis (drag to zoom, wheel to zoom at the cursor, shift+wheel or the arrow buttons to pan,
 * double-click to reset), and overlays the operation spans of the sequencers routed to that output as
 * DOM elements: every overlapping span gets its own label lane; acquisition windows are labelled with
 * their acq_channel and bin; conditional plays are hatched and marked "if".
 */
export const PLOT_CLIENT_JS = String.raw`
(function () {
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById("q1f-data").textContent);
  var plots = [];
  var syncing = false;
  var full = [data.window.from_ns, data.window.to_ns];
  var MAX_SPANS_DRAWN = 400;

  function timeUnit(range) { return range >= 10000 ? ["µs", 1000] : ["ns", 1]; }
  function timeTicks(u, splits) {
    var sc = u.scales.x, tu = timeUnit(sc.max - sc.min);
    var inc = splits.length > 1 ? Math.abs(splits[1] - splits[0]) / tu[1] : 1;
    var dec = Math.max(0, Math.min(6, Math.ceil(-Math.log10(inc) + 1e-9)));
    var labels = splits.map(function (v) { return (v / tu[1]).toFixed(dec) + " " + tu[0]; });
    if (u.root && u.root.parentNode) u.root.parentNode.setAttribute("data-x-ticks", labels.join("|"));
    return labels;
  }
  function fmtTime(ns) { return Math.abs(ns) >= 10000 ? (ns / 1000).toFixed(3) + " µs" : ns + " ns"; }

  function setAll(min, max, except) {
    if (syncing) return;
    syncing = true;
    plots.forEach(function (p) { if (p !== except) p.setScale("x", { min: min, max: max }); });
    syncing = false;
  }

  function drawSpans(u, panel) {
    var layer = u.q1fLayer;
    if (!layer) return;
    layer.textContent = "";
    var min = u.scales.x.min, max = u.scales.x.max, w = u.bbox.width / devicePixelRatio;
    var scale = w / Math.max(1e-9, max - min);
    var lanes = [], drawn = 0, hidden = 0;
    for (var i = 0; i < panel.spans.length; i++) {
      var s = panel.spans[i];
      var a = Math.max(s.start_ns, min), b = Math.min(s.start_ns + Math.max(1, s.duration_ns), max);
      if (b <= a) continue;
      if (drawn >= MAX_SPANS_DRAWN) { hidden++; continue; }
      drawn++;
      var x0 = (a - min) * scale, x1 = (b - min) * scale;
      var text = s.label;
      var tw = 6.2 * text.length + 6;
      var lane = 0;
      while (lane < lanes.length && lanes[lane] > x0) lane++;
      lanes[lane] = Math.max(x0 + tw, x1);
      var box = document.createElement("div");
      box.className = "q1f-span " + s.kind + (s.conditional ? " conditional" : "");
      box.style.left = x0 + "px";
      box.style.width = Math.max(1, x1 - x0) + "px";
      box.style.background = s.color;
      box.title = s.tip;
      layer.appendChild(box);
      var lab = document.createElement("div");
      lab.className = "q1f-label " + s.kind + "-label" + (s.conditional ? " conditional" : "");
      lab.style.left = x0 + "px";
      lab.style.top = 2 + 13 * lane + "px";
      lab.style.borderColor = s.color;
      lab.textContent = (s.conditional ? "if " : "") + text;
      lab.title = s.tip;
      layer.appendChild(lab);
    }
    if (hidden > 0) {
      var more = document.createElement("div");
      more.className = "q1f-more";
      more.textContent = hidden + " more operations in view; zoom in to see them";
      layer.appendChild(more);
    }
  }

  var root = document.getElementById("q1f-panels");
  data.panels.forEach(function (panel) {
    var box = document.createElement("section");
    box.className = "q1f-panel " + panel.kind;
    box.setAttribute("data-panel", panel.id);
    var h = document.createElement("h3");
    h.textContent = panel.title;
    box.appendChild(h);
    root.appendChild(box);
    var series = [{ label: "time", value: function (u, v) { return v == null ? "-" : fmtTime(v); } }];
    panel.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: 1, value: function (u, v) { return v == null ? "-" : (+v).toPrecision(4); } });
    });
    var opts = {
      width: Math.max(600, Math.min(1400, window.innerWidth - 48)),
      height: panel.kind === "marker" ? 130 : 200,
      padding: [panel.lanes * 13 + 6, 30, 0, 0],
      scales: { x: { time: false, range: function (u, mn, mx) { return [mn, mx]; } }, y: panel.kind === "marker" ? { range: [-0.1, 1.2] } : { range: function (u, mn, mx) { var m = Math.max(Math.abs(mn), Math.abs(mx), 1e-3) * 1.1; return [-m, m]; } } },
      axes: [
        { label: "program time", values: timeTicks, size: 44, space: 110 },
        panel.kind === "marker"
          ? { label: panel.y_label, size: 64, splits: function () { return [0, 1]; } }
          : { label: panel.y_label, size: 64, space: 18 },
      ],
      series: series,
      cursor: { sync: { key: "q1f" }, drag: { x: true, y: false } },
      legend: { show: true, live: true },
      hooks: {
        setScale: [function (u, key) { if (key === "x") setAll(u.scales.x.min, u.scales.x.max, u); }],
        init: [function (u) {
          var layer = document.createElement("div");
          layer.className = "q1f-spans";
          u.over.appendChild(layer);
          u.q1fLayer = layer;
        }],
        draw: [function (u) { drawSpans(u, panel); }],
      },
    };
    var cols = [panel.x].concat(panel.series.map(function (s) { return s.y; }));
    var u = new uPlot(opts, cols, box);
    u.setScale("x", { min: full[0], max: full[1] });
    drawSpans(u, panel);
    u.over.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var min = u.scales.x.min, max = u.scales.x.max, r = max - min;
      if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
        var d = (ev.shiftKey ? ev.deltaY : ev.deltaX) > 0 ? r * 0.1 : -r * 0.1;
        u.setScale("x", { min: min + d, max: max + d });
        return;
      }
      var at = u.posToVal(ev.offsetX, "x"), f = ev.deltaY < 0 ? 0.8 : 1.25;
      u.setScale("x", { min: at - (at - min) * f, max: at + (max - at) * f });
    }, { passive: false });
    u.over.addEventListener("dblclick", function () { setAll(full[0], full[1], null); });
    plots.push(u);
  });
  function pan(frac) {
    var u = plots[0]; if (!u) return;
    var min = u.scales.x.min, max = u.scales.x.max, d = (max - min) * frac;
    setAll(min + d, max + d, null);
  }
  function zoom(f) {
    var u = plots[0]; if (!u) return;
    var min = u.scales.x.min, max = u.scales.x.max, c = (min + max) / 2, r = (max - min) * f / 2;
    setAll(c - r, c + r, null);
  }
  var bar = document.getElementById("q1f-toolbar");
  [["◀", function () { pan(-0.25); }], ["▶", function () { pan(0.25); }], ["zoom in", function () { zoom(0.5); }], ["zoom out", function () { zoom(2); }], ["reset", function () { setAll(full[0], full[1], null); }]].forEach(function (b) {
    var el = document.createElement("button");
    el.textContent = b[0];
    el.onclick = b[1];
    bar.appendChild(el);
  });
  document.body.setAttribute("data-q1f-ready", String(plots.length));
  document.body.setAttribute("data-q1f-render-ms", (performance.now() - t0).toFixed(1));
})();
`;
