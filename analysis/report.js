// report.js - the report's interactive views, hand-written with no library: sortable, filterable tables;
// zoomable curves; heat maps; parallel coordinates; importance bars. Data: the JSON in
// <script id="report-views">. Each <div data-view="k"> gets view k; when every view is drawn,
// <body> gets data-rendered="N" (N views drawn) and data-failed="M" (views that threw, each also
// logged with console.error), which the browser test reads.
"use strict";

const NS = "http://www.w3.org/2000/svg";
const W = 760, H = 400, M = {l: 70, r: 20, t: 20, b: 50};

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function fmt(v) {
  if (typeof v !== "number") return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(+v.toPrecision(3));
}

// A scale maps [lo, hi] (log10 space when log) onto [a, b].
function scale(lo, hi, a, b, log) {
  const f = log ? Math.log10 : (v) => v;
  const l = f(lo), h = f(hi) === f(lo) ? f(lo) + 1 : f(hi);
  const s = (v) => a + (f(v) - l) * (b - a) / (h - l);
  s.inv = (p) => { const v = l + (p - a) * (h - l) / (b - a); return log ? Math.pow(10, v) : v; };
  s.ticks = () => {
    if (log) {
      const out = [], step = Math.max(1, Math.ceil((h - l) / 6));
      for (let e = Math.ceil(l); e <= h; e += step) out.push(Math.pow(10, e));
      return out.length ? out : [lo];
    }
    const raw = (h - l) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(l / step) * step; v <= h + 1e-9 * step; v += step) out.push(v);
    return out;
  };
  return s;
}

function axes(svg, sx, sy, xlabel, ylabel) {
  el("line", {x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, stroke: "#444"}, svg);
  el("line", {x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, stroke: "#444"}, svg);
  for (const t of sx.ticks()) {
    el("text", {x: sx(t), y: H - M.b + 16, "text-anchor": "middle", "font-size": 11}, svg, fmt(t));
  }
  for (const t of sy.ticks()) {
    el("text", {x: M.l - 6, y: sy(t) + 4, "text-anchor": "end", "font-size": 11}, svg, fmt(t));
    el("line", {x1: M.l, x2: W - M.r, y1: sy(t), y2: sy(t), stroke: "#eee"}, svg);
  }
  el("text", {x: (M.l + W - M.r) / 2, y: H - 12, "text-anchor": "middle", "font-size": 12}, svg, xlabel);
  el("text", {x: 14, y: (M.t + H - M.b) / 2, "text-anchor": "middle", "font-size": 12,
              transform: `rotate(-90 14 ${(M.t + H - M.b) / 2})`}, svg, ylabel);
}

function extent(values, positive) {
  const v = values.filter((x) => x !== null && isFinite(x) && (!positive || x > 0));
  return v.length ? [Math.min(...v), Math.max(...v)] : [1, 10];
}

function path(xs, ys, sx, sy) {
  let d = "";
  xs.forEach((x, i) => {
    if (x === null || ys[i] === null || ys[i] <= 0) return;
    d += (d ? "L" : "M") + sx(x).toFixed(1) + "," + sy(ys[i]).toFixed(1);
  });
  return d;
}

// ---- curves: x axis chosen in a select; drag a box to zoom, double-click to reset ----------

function drawCurves(box, view, axis, range) {
  box.querySelector("svg")?.remove();
  const series = view.axes[axis];
  const xs = extent(series.flatMap((s) => s.x)), ys = extent(series.flatMap((s) => s.y.concat(s.lo, s.hi)), true);
  const [x0, x1, y0, y1] = range || [xs[0], xs[1], ys[0], ys[1]];
  const sx = scale(x0, x1, M.l, W - M.r, false), sy = scale(y0, y1, H - M.b, M.t, true);
  const svg = el("svg", {width: W, height: H, viewBox: `0 0 ${W} ${H}`}, box);
  axes(svg, sx, sy, axis, view.ylabel);
  const clip = "clip" + Math.random().toString(36).slice(2);
  el("rect", {x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b},
     el("clipPath", {id: clip}, el("defs", {}, svg)));
  const plot = el("g", {"clip-path": `url(#${clip})`}, svg);
  series.forEach((s, k) => {
    const band = path(s.x, s.hi, sx, sy) + path(s.x.slice().reverse(), s.lo.slice().reverse(), sx, sy).replace(/^M/, "L");
    if (band) el("path", {d: band + "Z", fill: s.colour, opacity: 0.15, stroke: "none"}, plot);
    el("path", {d: path(s.x, s.y, sx, sy), fill: "none", stroke: s.colour, "stroke-width": 1.8}, plot);
    el("rect", {x: W - M.r - 150, y: M.t + 6 + 16 * k, width: 12, height: 4, fill: s.colour}, svg);
    el("text", {x: W - M.r - 134, y: M.t + 12 + 16 * k, "font-size": 11}, svg, s.name);
  });
  zoomable(svg, sx, sy, (r) => drawCurves(box, view, axis, r), () => drawCurves(box, view, axis, null));
}

function zoomable(svg, sx, sy, zoom, reset) {
  let start = null;
  const sel = el("rect", {fill: "#36c", opacity: 0.2, visibility: "hidden"}, svg);
  const at = (e) => { const r = svg.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  svg.addEventListener("mousedown", (e) => { start = at(e); e.preventDefault(); });
  svg.addEventListener("mousemove", (e) => {
    if (!start) return;
    const p = at(e);
    Object.entries({x: Math.min(p[0], start[0]), y: Math.min(p[1], start[1]), width: Math.abs(p[0] - start[0]),
                    height: Math.abs(p[1] - start[1]), visibility: "visible"}).forEach(([k, v]) => sel.setAttribute(k, v));
  });
  svg.addEventListener("mouseup", (e) => {
    const p = at(e), s = start;
    start = null;
    if (!s || Math.abs(p[0] - s[0]) < 5 || Math.abs(p[1] - s[1]) < 5) { sel.setAttribute("visibility", "hidden"); return; }
    zoom([sx.inv(Math.min(p[0], s[0])), sx.inv(Math.max(p[0], s[0])),
          sy.inv(Math.max(p[1], s[1])), sy.inv(Math.min(p[1], s[1]))]);
  });
  svg.addEventListener("dblclick", reset);
}

function curves(box, view) {
  const pick = document.createElement("select");
  for (const a of Object.keys(view.axes)) pick.add(new Option("x = " + a, a));
  const holder = document.createElement("div");
  pick.addEventListener("change", () => drawCurves(holder, view, pick.value, null));
  box.append(pick, " drag a box to zoom, double-click to reset", holder);
  drawCurves(holder, view, pick.value, null);
}

// ---- colours: blue (best) to red (worst) ------------------------------------------------------

function colour(t) {
  const c = [[49, 54, 149], [116, 173, 209], [254, 224, 144], [244, 109, 67], [165, 0, 38]];
  const u = Math.min(Math.max(t, 0), 1) * (c.length - 1), i = Math.min(Math.floor(u), c.length - 2), f = u - i;
  return "rgb(" + c[i].map((v, j) => Math.round(v + f * (c[i + 1][j] - v))).join(",") + ")";
}

// Position in [0, 1] of a metric value, 0 the best: log scale when every value is positive over 2 decades.
function badness(values, mode) {
  const [lo, hi] = extent(values, false);
  const log = lo > 0 && hi / lo >= 100;
  const s = scale(lo, hi, 0, 1, log);
  return (v) => (mode === "min" ? s(v) : 1 - s(v));
}

function heatmap(box, view) {
  const nums = view.z.flat().filter((v) => typeof v === "number");
  const bad = badness(nums, view.mode);
  const cw = Math.max(28, Math.min(70, (W - M.l) / view.xs.length)), ch = 24;
  const w = M.l + cw * view.xs.length + 10, h = M.t + ch * view.ys.length + M.b;
  const svg = el("svg", {width: w, height: h}, box);
  view.ys.forEach((y, j) => {
    el("text", {x: M.l - 6, y: M.t + ch * j + 16, "text-anchor": "end", "font-size": 11}, svg, fmt(y));
    view.xs.forEach((x, i) => {
      const v = view.z[j][i], num = typeof v === "number";
      const r = el("rect", {x: M.l + cw * i, y: M.t + ch * j, width: cw - 1, height: ch - 1,
                            fill: num ? colour(bad(v)) : v === "diverged" ? "#555" : "#fff", stroke: "#ddd"}, svg);
      el("title", {}, r, `${view.xkey}=${fmt(x)}, ${view.ykey}=${fmt(y)}: ${num ? v.toPrecision(4) : v}`);
    });
  });
  view.xs.forEach((x, i) => el("text", {x: M.l + cw * i + cw / 2, y: M.t + ch * view.ys.length + 14,
                                        "text-anchor": "middle", "font-size": 11}, svg, fmt(x)));
  el("text", {x: M.l, y: h - 10, "font-size": 12}, svg, `x: ${view.xkey}, y: ${view.ykey}; colour: median ` +
     `${view.metric} (blue best, dark grey diverged, white no run)` + (view.others.length ? `, best over ${view.others.join(", ")}` : ""));
  el("text", {x: 4, y: 12, "font-size": 11}, svg, view.ykey);
}

function parallel(box, view) {
  const n = view.axes.length, gap = (W - M.l - M.r) / Math.max(n - 1, 1);
  const svg = el("svg", {width: W, height: H}, box);
  const metric = view.axes[n - 1].values, bad = badness(metric.filter((v) => v !== null), view.mode);
  const ys = view.axes.map((a) => {
    if (a.values.some((v) => typeof v === "string")) {
      const levels = [...new Set(a.values)].sort();
      const s = scale(0, Math.max(levels.length - 1, 1), H - M.b, M.t + 14, false);
      return {at: (v) => s(levels.indexOf(v)), ticks: levels.map((l, i) => [s(i), l])};
    }
    const [lo, hi] = extent(a.values, false), log = lo > 0 && hi / lo >= 100;
    const s = scale(lo, hi, H - M.b, M.t + 14, log);
    return {at: (v) => (v === null ? M.t : s(v)), ticks: s.ticks().map((t) => [s(t), fmt(t)])};
  });
  for (let r = 0; r < metric.length; r++) {
    const pts = view.axes.map((a, i) => `${M.l + gap * i},${ys[i].at(a.values[r]).toFixed(1)}`);
    el("polyline", {points: pts.join(" "), fill: "none", "stroke-width": 1, opacity: 0.5,
                    stroke: metric[r] === null ? "#555" : colour(bad(metric[r]))}, svg);
  }
  view.axes.forEach((a, i) => {
    const x = M.l + gap * i;
    el("line", {x1: x, x2: x, y1: M.t + 14, y2: H - M.b, stroke: "#222"}, svg);
    el("text", {x: x, y: H - M.b + 20, "text-anchor": "middle", "font-size": 12}, svg, a.name);
    const last = i === n - 1;  // the last axis labels its ticks on its left, inside the picture
    ys[i].ticks.forEach(([y, t]) => el("text", {x: last ? x - 4 : x + 4, y: y + 4, "font-size": 10,
                                                "text-anchor": last ? "end" : "start"}, svg, t));
  });
  el("text", {x: M.l, y: H - 8, "font-size": 11}, svg, `${view.shown} of ${view.runs} runs; diverged runs at the ` +
     `top of the ${view.axes[n - 1].name} axis, dark grey; colour: blue best`);
}

function importance(box, view) {
  const t = document.createElement("table");
  t.innerHTML = "<tr><th>term</th><th>share of variance</th><th>95% interval</th><th></th></tr>";
  view.terms.forEach((term, i) => {
    const row = t.insertRow(), s = view.share[i], lo = view.lo[i], hi = view.hi[i];
    row.insertCell().textContent = term;
    row.insertCell().textContent = s === null ? "n/a" : s.toFixed(3);
    row.insertCell().textContent = lo === null ? "n/a" : `${lo.toFixed(3)} – ${hi.toFixed(3)}`;
    const bar = row.insertCell(), svg = el("svg", {width: 300, height: 14}, bar), p = (v) => 300 * Math.min(Math.max(v, 0), 1);
    if (s !== null) el("rect", {x: 0, y: 2, width: p(s), height: 10, fill: "#4a7fc1"}, svg);
    if (lo !== null) el("line", {x1: p(lo), x2: p(hi), y1: 7, y2: 7, stroke: "#000", "stroke-width": 2}, svg);
  });
  box.append(t, `${view.cells} cells × ${view.repeats} repeats`);
}

// ---- tables: click a header to sort, type in the box to filter ---------------------------

function sortKey(text) {
  const v = parseFloat(text);
  return text === "n/a" || text === "" ? [2, 0] : isNaN(v) ? [1, text] : [0, v];
}

function sortable(table) {
  const body = table.tBodies[0];
  const box = document.createElement("input");
  box.placeholder = "filter rows (text in any cell)";
  box.className = "filter";
  box.addEventListener("input", () => {
    const q = box.value.toLowerCase();
    for (const r of body.rows) r.style.display = r.textContent.toLowerCase().includes(q) ? "" : "none";
  });
  table.before(box);
  Array.from(table.tHead.rows[0].cells).forEach((th, c) => {
    th.style.cursor = "pointer";
    th.title = "click to sort";
    th.addEventListener("click", () => {
      const dir = th.dataset.dir === "1" ? -1 : 1;
      th.dataset.dir = String(dir);
      const rows = Array.from(body.rows).map((r) => [sortKey(r.cells[c].textContent), r]);
      rows.sort((a, b) => (a[0][0] - b[0][0]) || (a[0][1] < b[0][1] ? -dir : a[0][1] > b[0][1] ? dir : 0));
      rows.forEach(([, r]) => body.appendChild(r));
    });
  });
}

const KINDS = {curves, heatmap, parallel, importance};

function main() {
  document.querySelectorAll("table.data").forEach(sortable);
  const data = document.getElementById("report-views");
  const views = data ? JSON.parse(data.textContent) : [];
  let rendered = 0, failed = 0;
  document.querySelectorAll("[data-view]").forEach((box) => {
    try {
      KINDS[views[+box.dataset.view].kind](box, views[+box.dataset.view]);
      rendered++;
    } catch (e) {
      failed++;
      box.append("this view failed: " + e);
      console.error("view " + box.dataset.view + " failed: " + e);
    }
  });
  document.body.dataset.rendered = String(rendered);
  document.body.dataset.failed = String(failed);
}

document.addEventListener("DOMContentLoaded", main);
