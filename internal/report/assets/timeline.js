// Draws the run's timeline from the report's data: one row per step,
// one bar per attempt on a time axis, approvals and other decisions as
// marks, sessions as bands. Long idle gaps between sessions are folded
// so that a run resumed hours later still shows its steps.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var host = document.getElementById("timeline");
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var GAP = 46, ROW = 26, TOP = 40, AXIS = 24;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function title(e, text) { el("title", {}, e).textContent = text; return e; }
  function clock(ms) { return new Date(data.start_unix_ms + ms).toISOString().slice(11, 19); }
  function dur(ms) {
    var s = Math.round(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return h ? h + "h" + (m ? m + "m" : "") : m ? m + "m" + (s % 60 ? s % 60 + "s" : "") : s + "s";
  }

  // Segments: the sessions' spans, merged; gaps longer than a few
  // percent of the active time are folded to GAP pixels.
  function segments() {
    var spans = data.sessions.map(function (s) { return [s.start, Math.max(s.end, s.start)]; });
    if (!spans.length) { spans = [[0, Math.max(data.end, 0)]]; }
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var active = 0;
    spans.forEach(function (s) { active += s[1] - s[0]; });
    var fold = Math.max(60000, active * 0.05), out = [];
    spans.forEach(function (s) {
      var last = out[out.length - 1];
      if (last && s[0] - last[1] <= fold) { last[1] = Math.max(last[1], s[1]); } else { out.push([s[0], s[1]]); }
    });
    return out;
  }
  var longest = data.steps.reduce(function (n, s) { return Math.max(n, s.id.length); }, 8);
  var LEFT = Math.min(260, Math.max(120, longest * 7 + 24));
  // The plot fills the page's width (at least 480 pixels; wider scrolls).
  var PLOT = Math.max(480, (host.clientWidth || 1000) - LEFT - 40);

  // Each segment gets a width in proportion to its time, but at least
  // MINW pixels, so that a short session can still be read.
  var segs = segments(), MINW = 70;
  var room = PLOT - GAP * (segs.length - 1), widths = segs.map(function () { return 0; });
  for (var pass = 0, fixed = []; pass < 3; pass++) {
    var free = room, time = 0;
    segs.forEach(function (s, i) { if (fixed[i]) { free -= MINW; } else { time += Math.max(s[1] - s[0], 1); } });
    segs.forEach(function (s, i) {
      widths[i] = fixed[i] ? MINW : Math.max(s[1] - s[0], 1) * free / Math.max(time, 1);
      if (widths[i] < MINW && segs.length > 1) { fixed[i] = true; }
    });
  }
  var x0 = [], pos = 0;
  segs.forEach(function (s, i) { x0.push(pos); pos += widths[i] + GAP; });
  function scaleOf(i) { return widths[i] / Math.max(segs[i][1] - segs[i][0], 1); }
  function x(t) {
    var i = segs.length - 1;
    while (i > 0 && t < segs[i][0]) { i--; }
    var s = segs[i];
    return LEFT + x0[i] + (Math.min(Math.max(t, s[0]), s[1]) - s[0]) * scaleOf(i);
  }

  var width = LEFT + PLOT + 20, height = TOP + data.steps.length * ROW + AXIS;
  var svg = el("svg", { id: "timeline-chart", width: width, height: height, viewBox: "0 0 " + width + " " + height,
    role: "img", "aria-label": "Timeline of run " + data.run + ": " + data.steps.length + " steps" });

  // Folded gaps and sessions behind everything.
  for (var g = 1; g < segs.length; g++) {
    var gx = LEFT + x0[g] - GAP + 4;
    el("rect", { "class": "gap", x: gx, y: TOP - 6, width: GAP - 8, height: data.steps.length * ROW + 6 }, svg);
    el("text", { "class": "gap-label", x: gx + (GAP - 8) / 2, y: TOP - 10, "text-anchor": "middle" }, svg)
      .textContent = dur(segs[g][0] - segs[g - 1][1]);
  }
  data.sessions.forEach(function (s) {
    var sx = x(s.start), sw = Math.max(x(s.end) - sx, 2);
    var band = el("rect", { "class": "session", "data-session": s.n, x: sx, y: 4, width: sw,
      height: TOP - 10 + data.steps.length * ROW }, svg);
    title(band, "session " + s.n + ": " + s.label + ", " + clock(s.start) + "–" + clock(s.end) + (s.open ? " (no end journaled)" : ""));
    el("text", { "class": "session-label", x: sx + 3, y: 16 }, svg).textContent = "#" + s.n + (sw > s.label.length * 6 + 30 ? " " + s.label : "");
  });

  // Axis ticks at a round step, about every 110 pixels of each segment.
  var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  var axisY = TOP + data.steps.length * ROW, ticks = el("g", { "class": "axis" }, svg);
  segs.forEach(function (s, i) {
    var want = 110 / scaleOf(i) / 1000, tick = steps[steps.length - 1] * 1000;
    for (var k = 0; k < steps.length; k++) { if (steps[k] >= want) { tick = steps[k] * 1000; break; } }
    var abs0 = data.start_unix_ms + s[0];
    for (var t = Math.ceil(abs0 / tick) * tick - data.start_unix_ms; t <= s[1]; t += tick) {
      var g = el("g", { "class": "tick" }, ticks), tx = x(t);
      el("line", { x1: tx, x2: tx, y1: TOP - 6, y2: axisY + 4 }, g);
      el("text", { x: tx, y: axisY + 16, "text-anchor": "middle" }, g).textContent = clock(t).slice(0, tick < 60000 ? 8 : 5);
    }
  });

  // One row per step.
  data.steps.forEach(function (s, r) {
    var y = TOP + r * ROW;
    var row = el("g", { "class": "row" + (s.over ? " row-over" : ""), "data-step": s.id, "data-state": s.state }, svg);
    title(el("text", { "class": "label", x: 6, y: y + ROW / 2 + 4 }, row), s.id + ": " + s.state + (s.over ? ", over its rto" : ""))
      .appendChild(document.createTextNode(s.id));
    s.attempts.forEach(function (a) {
      var ax = x(a.start), aw = Math.max(x(a.end) - ax, 3);
      var cls = "attempt outcome-" + a.outcome.replace(/ /g, "-") + (a.open ? " open" : "");
      title(el("rect", { "class": cls, "data-attempt": a.n, "data-outcome": a.outcome, x: ax, y: y + 5, width: aw,
        height: ROW - 10, rx: 2 }, row), a.label);
    });
    s.marks.forEach(function (m) {
      var mx = x(m.at), my = y + ROW / 2, k = m.kind === "approval" && /refused/.test(m.label) ? "refusal" : m.kind;
      var d = "M" + mx + " " + (my - 7) + "l6 7l-6 7l-6 -7z";
      title(el("path", { "class": "mark mark-" + k, "data-kind": m.kind, d: d }, row), m.label);
    });
  });

  host.textContent = "";
  host.appendChild(svg);
  host.setAttribute("data-rendered", data.steps.length + " steps");
})();
