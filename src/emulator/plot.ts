/**
 * Self-contained HTML page (inline CSS + SVG, no scripts or external assets) plotting a
 * SimulationResult: one SVG per analog output and per active marker over the render window, with the
 * waveform report's plays and acquisition windows drawn as labelled spans. Long traces are reduced
 * to a min/max envelope per pixel column, so the page size depends on the plot width, not the window.
 */
import { MODULE_CATALOG } from "../core/module-catalog.js";
import type { SimModule, SimulationResult, SimWaveformEvent } from "./simulate.js";
import { reportRows } from "./summary.js";

export interface PlotOptions {
  title?: string;
  /** width of the data area in px (default 1100) */
  widthPx?: number;
  /** height of an analog plot's data area in px (default 150) */
  heightPx?: number;
  /** spans drawn per plot at most (default 2000); the rest are counted in the legend */
  maxSpans?: number;
  /** waveform-report rows listed in the table at most (default 500) */
  maxRows?: number;
}

const MARGIN_L = 64,
  MARGIN_R = 12,
  MARGIN_T = 24,
  MARGIN_B = 22,
  SPAN_BAND = 16;
const MARKER_H = 28;
const ACQ_KINDS: ReadonlySet<string> = new Set(["acquire", "acquire_weighed", "acquire_ttl"]);
const SEQ_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

export function renderPlotHtml(result: SimulationResult, opts: PlotOptions = {}): string {
  const W = opts.widthPx ?? 1100,
    H = opts.heightPx ?? 150;
  const { fromNs, toNs } = result.window;
  const title = opts.title ?? "q1forge simulation";
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head><body>`,
  );
  const rows = reportRows(result);
  parts.push(
    `<h1>${esc(title)}</h1><p class="window">window ${fromNs} … ${toNs} ns (${toNs - fromNs} samples per channel at 1 GS/s)</p>`,
  );
  for (const [clusterName, cluster] of Object.entries(result.clusters)) {
    for (const [moduleName, mod] of Object.entries(cluster.modules)) {
      const events = rows.filter((e) => e.cluster === clusterName && e.module === moduleName);
      parts.push(
        `<section class="module"><h2>${esc(`${clusterName} / ${moduleName}`)} <small>${mod.type}, slot ${mod.slot}</small></h2>`,
      );
      parts.push(sequencerTable(mod));
      for (const ch of analogChannels(mod)) {
        parts.push(
          analogSvg(
            `${clusterName}/${moduleName}/${ch.name}`,
            ch.name,
            mod.outputs[ch.index]!,
            events,
            fromNs,
            toNs,
            W,
            H,
            opts.maxSpans ?? 2000,
          ),
        );
      }
      mod.markers.forEach((bits, m) => {
        if (!bits.some((b) => b !== 0)) return;
        parts.push(markerSvg(`${clusterName}/${moduleName}/marker${m}`, `marker ${m}`, bits, fromNs, toNs, W));
      });
      parts.push("</section>");
    }
  }
  parts.push(reportTable(rows, opts.maxRows ?? 500));
  parts.push("</body></html>\n");
  return parts.join("");
}

/** Analog channels worth plotting: every output with a non-zero sample, else the module's first output. */
function analogChannels(mod: SimModule): { index: number; name: string }[] {
  const rf = MODULE_CATALOG[mod.type].isRF;
  const name = (d: number): string => (rf ? `out${d >> 1} ${d & 1 ? "Q" : "I"}` : `out${d}`);
  const active = mod.outputs
    .map((o, d) => ({ index: d, name: name(d), on: o.some((v) => v !== 0) }))
    .filter((c) => c.on);
  if (active.length === 0 && mod.outputs.length > 0) return [{ index: 0, name: name(0) }];
  return active;
}

function analogSvg(
  id: string,
  label: string,
  samples: Float32Array,
  events: SimWaveformEvent[],
  fromNs: number,
  toNs: number,
  W: number,
  H: number,
  maxSpans: number,
): string {
  let peak = 0;
  for (let k = 0; k < samples.length; k++) {
    const a = Math.abs(samples[k]!);
    if (a > peak) peak = a;
  }
  const yMax = niceCeil(Math.max(peak, 0.01));
  const top = MARGIN_T + SPAN_BAND;
  const y = (v: number): number => top + (H / 2) * (1 - v / yMax);
  const totalW = MARGIN_L + W + MARGIN_R,
    totalH = top + H + MARGIN_B;
  const out: string[] = [];
  out.push(
    `<svg class="channel analog" data-channel="${esc(id)}" xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}">`,
  );
  out.push(`<text class="ch-label" x="4" y="14">${esc(label)}</text>`);
  out.push(timeAxis(fromNs, toNs, W, top, top + H));
  for (const v of [-yMax, -yMax / 2, 0, yMax / 2, yMax]) {
    const yy = fmt(y(v));
    out.push(
      `<line class="grid" x1="${MARGIN_L}" x2="${MARGIN_L + W}" y1="${yy}" y2="${yy}"/><text class="tick" x="${MARGIN_L - 4}" y="${yy}" text-anchor="end" dominant-baseline="middle">${fmtNum(v)}</text>`,
    );
  }
  out.push(spans(events, fromNs, toNs, W, MARGIN_T, top + H, maxSpans));
  out.push(tracePath(samples, W, y));
  out.push("</svg>");
  return out.join("");
}

/** Polyline through every sample when there are few; else a min/max envelope per pixel column. */
function tracePath(samples: Float32Array, W: number, y: (v: number) => number): string {
  const n = samples.length;
  if (n === 0) return "";
  if (n <= 2 * W) {
    const pts: string[] = [];
    for (let k = 0; k < n; k++) {
      // samples hold for 1 ns: draw each as a step
      pts.push(
        `${fmt(MARGIN_L + (k * W) / n)},${fmt(y(samples[k]!))} ${fmt(MARGIN_L + ((k + 1) * W) / n)},${fmt(y(samples[k]!))}`,
      );
    }
    return `<polyline class="trace" points="${pts.join(" ")}"/>`;
  }
  const hi: string[] = [],
    lo: string[] = [];
  for (let c = 0; c < W; c++) {
    const a = Math.floor((c * n) / W),
      b = Math.max(a + 1, Math.floor(((c + 1) * n) / W));
    let mn = Infinity,
      mx = -Infinity;
    for (let k = a; k < b; k++) {
      const v = samples[k]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const x = fmt(MARGIN_L + c + 0.5);
    hi.push(`${x},${fmt(y(mx))}`);
    lo.push(`${x},${fmt(y(mn) + 0.5)}`);
  }
  return `<polygon class="trace envelope" points="${hi.join(" ")} ${lo.reverse().join(" ")}"/>`;
}

function markerSvg(id: string, label: string, bits: Uint8Array, fromNs: number, toNs: number, W: number): string {
  const n = bits.length,
    top = MARGIN_T,
    totalW = MARGIN_L + W + MARGIN_R,
    totalH = top + MARKER_H + MARGIN_B;
  const yOf = (b: number): number => (b ? top + 2 : top + MARKER_H);
  // run-length steps: one vertex pair per transition
  let d = `M${MARGIN_L},${yOf(bits[0] ?? 0)}`;
  for (let k = 1; k < n; k++) {
    if (bits[k] === bits[k - 1]) continue;
    const x = fmt(MARGIN_L + (k * W) / n);
    d += `H${x}V${yOf(bits[k]!)}`;
  }
  d += `H${MARGIN_L + W}`;
  return (
    `<svg class="channel marker" data-channel="${esc(id)}" xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}">` +
    `<text class="ch-label" x="4" y="14">${esc(label)}</text>${timeAxis(fromNs, toNs, W, top, top + MARKER_H)}<path class="trace step" d="${d}"/></svg>`
  );
}

/** Plays and acquisition windows as shaded spans with a label band above the data area. */
function spans(
  events: SimWaveformEvent[],
  fromNs: number,
  toNs: number,
  W: number,
  bandTop: number,
  bottom: number,
  maxSpans: number,
): string {
  const span = toNs - fromNs;
  if (span <= 0) return "";
  const out: string[] = [];
  let drawn = 0,
    lastLabelEnd = -Infinity;
  for (const e of events) {
    const a = Math.max(e.startNs, fromNs),
      b = Math.min(e.startNs + Math.max(e.durationNs, 1), toNs);
    if (b <= a) continue;
    if (drawn++ >= maxSpans) continue;
    const x0 = MARGIN_L + ((a - fromNs) * W) / span,
      w = Math.max(1, ((b - a) * W) / span);
    const acq = ACQ_KINDS.has(e.kind);
    const color = SEQ_COLORS[e.sequencer % SEQ_COLORS.length]!;
    const name = e.operation || e.kind;
    const text = `${name} · ${e.portClock}`;
    const tip =
      `${text}\n${e.kind} seq${e.sequencer} start ${e.startNs} ns, ${e.durationNs} ns` +
      (e.gain ? `\ngain ${fmtNum(e.gain[0])}, ${fmtNum(e.gain[1])}` : "") +
      (e.ncoFreqHz !== undefined ? `\nNCO ${fmtNum(e.ncoFreqHz / 1e6)} MHz, phase ${fmtNum(e.ncoPhaseDeg ?? 0)}°` : "");
    out.push(
      `<g class="span ${acq ? "acq" : "play"}"><title>${esc(tip)}</title>` +
        `<rect x="${fmt(x0)}" y="${bandTop}" width="${fmt(w)}" height="${fmt(bottom - bandTop)}" fill="${color}" fill-opacity="${acq ? 0.08 : 0.12}"/>` +
        `<rect x="${fmt(x0)}" y="${bandTop + (acq ? 8 : 0)}" width="${fmt(w)}" height="8" fill="${color}" fill-opacity="0.7"/>`,
    );
    // label only when there is room and it would not overlap the previous label
    const labelW = text.length * 6;
    if (x0 >= lastLabelEnd && (w >= 24 || labelW < 200)) {
      out.push(`<text class="op-label" x="${fmt(x0 + 1)}" y="${bandTop - 2}">${esc(text)}</text>`);
      lastLabelEnd = x0 + labelW;
    }
    out.push("</g>");
  }
  if (drawn > maxSpans)
    out.push(
      `<text class="tick" x="${MARGIN_L + W}" y="12" text-anchor="end">${drawn - maxSpans} more operations not drawn</text>`,
    );
  return out.join("");
}

function timeAxis(fromNs: number, toNs: number, W: number, top: number, bottom: number): string {
  const span = Math.max(1, toNs - fromNs);
  const step = niceStep(span / 8);
  const out = [`<line class="axis" x1="${MARGIN_L}" x2="${MARGIN_L + W}" y1="${bottom}" y2="${bottom}"/>`];
  for (let t = Math.ceil(fromNs / step) * step; t <= toNs; t += step) {
    const x = fmt(MARGIN_L + ((t - fromNs) * W) / span);
    out.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/><text class="tick" x="${x}" y="${bottom + 14}" text-anchor="middle">${fmtTime(t)}</text>`,
    );
  }
  return out.join("");
}

function sequencerTable(mod: SimModule): string {
  const rows = Object.entries(mod.sequencers).map(
    ([name, s]) =>
      `<tr class="${s.status.toLowerCase()}"><td>${esc(name)}</td><td>${esc(s.portClock ?? "")}</td><td>${s.state}</td><td>${s.status}</td><td>${esc([...s.err_flags, ...s.warn_flags].join(", "))}</td><td>${s.endTimeNs} ns</td></tr>`,
  );
  return `<table class="seqs"><tr><th>sequencer</th><th>port-clock</th><th>state</th><th>status</th><th>flags</th><th>end</th></tr>${rows.join("")}</table>`;
}

function reportTable(events: SimWaveformEvent[], maxRows: number): string {
  const rows = events
    .slice(0, maxRows)
    .map(
      (e) =>
        `<tr><td>${e.startNs}</td><td>${e.durationNs}</td><td>${e.kind}</td><td>${esc(e.operation ?? "")}</td><td>${esc(e.module)}</td><td>${e.sequencer}</td><td>${esc(e.portClock)}</td>` +
        `<td>${e.gain ? `${fmtNum(e.gain[0])}, ${fmtNum(e.gain[1])}` : ""}</td><td>${e.ncoFreqHz !== undefined ? fmtNum(e.ncoFreqHz / 1e6) : ""}</td><td>${e.ncoPhaseDeg !== undefined ? fmtNum(e.ncoPhaseDeg) : ""}</td></tr>`,
    );
  return `<details open><summary>waveform report (${rows.length} rows shown)</summary><table class="report"><tr><th>start ns</th><th>duration ns</th><th>kind</th><th>operation</th><th>module</th><th>seq</th><th>port-clock</th><th>gain</th><th>NCO MHz</th><th>phase °</th></tr>${rows.join("")}</table></details>`;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-12)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return Math.max(1, m * p);
  return Math.max(1, 10 * p);
}
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();
const fmtNum = (v: number): string =>
  Math.abs(v) < 1e-9
    ? "0"
    : Math.abs(v) >= 1000 || Number.isInteger(v)
      ? String(Math.round(v * 1000) / 1000)
      : v.toPrecision(4).replace(/\.?0+$/, "");
const fmtTime = (ns: number): string => (Math.abs(ns) >= 10_000 ? `${fmtNum(ns / 1000)} µs` : `${ns} ns`);
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const CSS = `body{font:13px system-ui,sans-serif;margin:16px;color:#222}h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 4px}h2 small{color:#777;font-weight:normal}
svg.channel{display:block;margin:4px 0;overflow:hidden}.trace{fill:none;stroke:#124;stroke-width:1}.envelope{fill:#124;stroke:#124;stroke-width:.6}.step{stroke:#a50}
.grid{stroke:#eee}.axis{stroke:#999}.tick{font-size:10px;fill:#666}.ch-label{font-size:12px;font-weight:bold;fill:#333}.op-label{font-size:10px;fill:#333}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;font-size:12px}tr.error td{background:#fdd}tr.warning td{background:#ffd}`;
