/**
 * Self-contained, offline HTML page plotting a SimulationResult with uPlot (inlined, with its CSS):
 * one zoomable panel per physical output (baseband outN; RF outN with its I and Q paths) and per
 * active marker, x axes linked, a legend per panel, axes with units (program time in ns/µs, amplitude
 * as a fraction of the DAC's full scale, markers 0/1). Operation spans are drawn on the outputs their
 * sequencer drives, labelled "operation · port-clock", every overlapping one in its own lane;
 * acquisition windows carry their acq_channel and bin; conditional plays are marked. Long traces are
 * reduced to a min/max envelope of at most 2 × maxColumns points per trace, so a 10⁶-sample window
 * stays a page of a few hundred kB and pans and zooms smoothly.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { MODULE_CATALOG } from "../core/module-catalog.js";
import { PLOT_CLIENT_JS } from "./plot/client.js";
import { seqKey } from "./plot/routes.js";
import type { TimeOrigin } from "./report-time.js";
import type { SimModule, SimulationResult } from "./simulate.js";
import { pulseRows, timeOriginNote, type ReportRow } from "./summary.js";

export interface PlotOptions {
  title?: string;
  /** physical outputs each sequencer drives ("cluster/module/index" → [n]); without it every span shows on every output of its module */
  routes?: ReadonlyMap<string, number[]>;
  /** program lines that run conditionally, per sequencer ("cluster/module/index") */
  conditional?: ReadonlyMap<string, ReadonlySet<number>>;
  /** schedule-time origins for the report table */
  origins?: ReadonlyMap<string, TimeOrigin>;
  /** traces longer than 4 × maxColumns samples are reduced to a min/max envelope of maxColumns columns (default 2000) */
  maxColumns?: number;
  /** waveform-report rows listed in the table at most (default 500) */
  maxRows?: number;
}

const ACQ_KINDS: ReadonlySet<string> = new Set(["acquire", "acquire_weighed", "acquire_ttl"]);
const SEQ_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const TRACE_COLORS = ["#123a6b", "#c2410c"];

interface PanelSpan {
  start_ns: number;
  duration_ns: number;
  kind: "play" | "acq";
  label: string;
  tip: string;
  color: string;
  conditional: boolean;
}

interface Panel {
  id: string;
  title: string;
  kind: "analog" | "marker";
  y_label: string;
  x: number[];
  series: { label: string; color: string; y: number[] }[];
  spans: PanelSpan[];
  /** label lanes the spans need (top padding) */
  lanes: number;
}

let uplotAssets: { js: string; css: string } | null = null;
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  }
  return uplotAssets;
}

export function renderPlotHtml(result: SimulationResult, opts: PlotOptions = {}): string {
  const { fromNs, toNs } = result.window;
  const title = opts.title ?? "q1forge simulation";
  const rows = pulseRows(result, opts.origins);
  const panels: Panel[] = [];
  const tables: string[] = [];
  for (const [clusterName, cluster] of Object.entries(result.clusters)) {
    for (const [moduleName, mod] of Object.entries(cluster.modules)) {
      const where = `${clusterName}/${moduleName}`;
      tables.push(`<h2>${esc(where)} <small>${mod.type}, slot ${mod.slot}</small></h2>${sequencerTable(mod)}`);
      const events = rows.filter((e) => e.cluster === clusterName && e.module === moduleName);
      const rf = MODULE_CATALOG[mod.type].isRF;
      for (const out of physicalOutputs(mod, rf)) {
        const dacs = rf ? [2 * out, 2 * out + 1] : [out];
        const mine = events.filter((e) => {
          const r = opts.routes?.get(seqKey(clusterName, moduleName, e.sequencer));
          return r === undefined || r.includes(out) || (r.length === 0 && out === 0);
        });
        panels.push(
          panel(
            `${where}/out${out}`,
            `${where} · out${out}${rf ? " (RF: I and Q paths)" : ""}`,
            "analog",
            "amplitude (full scale)",
            dacs.map((d, k) => ({
              label: rf ? `out${out} ${k ? "Q" : "I"}` : `out${out}`,
              color: TRACE_COLORS[k % 2]!,
              samples: mod.outputs[d] ?? new Float32Array(0),
            })),
            spansOf(mine, clusterName, moduleName, opts.conditional),
            fromNs,
            opts.maxColumns ?? 2000,
          ),
        );
      }
      mod.markers.forEach((bits, m) => {
        if (!bits.some((b) => b !== 0)) return;
        panels.push(
          panel(
            `${where}/marker${m}`,
            `${where} · marker ${m}`,
            "marker",
            "marker (0/1)",
            [{ label: `marker ${m}`, color: "#a35200", samples: bits }],
            [],
            fromNs,
            opts.maxColumns ?? 2000,
          ),
        );
      });
    }
  }
  const data = { title, window: { from_ns: fromNs, to_ns: toNs }, panels };
  const { js, css } = uplot();
  return [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>`,
    `<style>${css}</style><style>${CSS}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    `<p class="window">window ${fromNs} … ${toNs} ns of program time (${toNs - fromNs} samples per output at 1 GS/s). Drag to zoom, wheel to zoom at the cursor, shift+wheel or ◀ ▶ to pan, double-click to reset; the x axes are linked.</p>`,
    `<div id="q1f-toolbar"></div><div id="q1f-panels"></div>`,
    `<script type="application/json" id="q1f-data">${JSON.stringify(data).replace(/</g, "\\u003c")}</script>`,
    `<script>${js}</script><script>${PLOT_CLIENT_JS}</script>`,
    tables.join(""),
    reportTable(rows, opts.maxRows ?? 500, opts.origins),
    "</body></html>\n",
  ].join("");
}

/** Physical outputs worth a panel: those with a non-zero sample, else the module's first output. */
function physicalOutputs(mod: SimModule, rf: boolean): number[] {
  const n = rf ? Math.ceil(mod.outputs.length / 2) : mod.outputs.length;
  const active: number[] = [];
  for (let out = 0; out < n; out++) {
    const dacs = rf ? [2 * out, 2 * out + 1] : [out];
    if (dacs.some((d) => mod.outputs[d]?.some((v) => v !== 0))) active.push(out);
  }
  return active.length === 0 && n > 0 ? [0] : active;
}

function spansOf(
  rows: ReportRow[],
  cluster: string,
  module: string,
  conditional: ReadonlyMap<string, ReadonlySet<number>> | undefined,
): PanelSpan[] {
  return rows.map((e) => {
    const acq = ACQ_KINDS.has(e.kind);
    const name = (e.kind === "skipped" ? "skipped: " : "") + (e.operation || e.kind);
    const label = acq
      ? `${name}${e.operation?.includes("acq_channel") ? "" : e.acqIndex !== undefined ? ` (acq index ${e.acqIndex})` : ""} · bin ${e.bin ?? "-"}`
      : `${name} · ${e.portClock || `seq${e.sequencer}`}`;
    const skipped = e.kind === "skipped";
    const cond =
      skipped || (e.line !== undefined && conditional?.get(seqKey(cluster, module, e.sequencer))?.has(e.line) === true);
    const tip =
      `${label}\n${e.kind} seq${e.sequencer} ${e.portClock}, program time ${e.startNs} ns` +
      (e.scheduleNs !== null ? `, schedule time ${e.scheduleNs} ns (repetition ${e.repetition})` : "") +
      `, ${e.durationNs} ns` +
      (e.gain ? `\n${e.playedAs ? "amplitude" : "gain"} ${num(e.gain[0])}, ${num(e.gain[1])}` : "") +
      (e.playedAs ? `\nplayed as ${e.playedAs}` : "") +
      (e.ncoFreqHz !== undefined ? `\nNCO ${num(e.ncoFreqHz / 1e6)} MHz, phase ${num(e.ncoPhaseDeg ?? 0)}°` : "") +
      (skipped
        ? `\nskipped: its condition was false, so this ${e.skipped} was not played (a set_cond else wait on the trigger network, a branch over it on LINQ)`
        : cond
          ? "\nconditional: plays only when its condition (trigger network or LINQ) holds"
          : "");
    return {
      start_ns: e.startNs,
      duration_ns: e.durationNs,
      kind: acq ? "acq" : "play",
      label,
      tip,
      color: SEQ_COLORS[e.sequencer % SEQ_COLORS.length]!,
      conditional: cond,
    };
  });
}

/** Greatest number of spans overlapping at one time (label lanes at full zoom-out, at least 1). */
function laneCount(spans: PanelSpan[]): number {
  const ev: [number, number][] = [];
  for (const s of spans) ev.push([s.start_ns, 1], [s.start_ns + Math.max(1, s.duration_ns), -1]);
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0,
    max = 1;
  for (const [, d] of ev) max = Math.max(max, (cur += d));
  return Math.min(max + 1, 8);
}

function panel(
  id: string,
  title: string,
  kind: "analog" | "marker",
  yLabel: string,
  traces: { label: string; color: string; samples: ArrayLike<number> }[],
  spans: PanelSpan[],
  fromNs: number,
  maxColumns: number,
): Panel {
  const n = traces[0]?.samples.length ?? 0;
  const decimate = n > 4 * maxColumns;
  let x: number[];
  const series = traces.map((t) => ({ label: t.label, color: t.color, y: [] as number[] }));
  if (!decimate) {
    // samples hold for 1 ns: a point at the start and the end of each sample draws the steps
    x = new Array<number>(2 * n);
    for (let k = 0; k < n; k++) {
      x[2 * k] = fromNs + k;
      x[2 * k + 1] = fromNs + k + 1;
    }
    traces.forEach((t, i) => {
      const y = series[i]!.y;
      for (let k = 0; k < n; k++) y.push(round(t.samples[k]!), round(t.samples[k]!));
    });
  } else {
    // min/max envelope per column, alternating (min,max),(max,min) so the line sweeps the band
    x = [];
    const cols = maxColumns;
    for (let c = 0; c < cols; c++) {
      const a = Math.floor((c * n) / cols),
        b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
      x.push(fromNs + a, fromNs + b - 1);
      traces.forEach((t, i) => {
        let mn = Infinity,
          mx = -Infinity;
        for (let k = a; k < b; k++) {
          const v = t.samples[k]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        const y = series[i]!.y;
        if (c % 2 === 0) y.push(round(mn), round(mx));
        else y.push(round(mx), round(mn));
      });
    }
  }
  return {
    id,
    title: decimate ? `${title} — min/max envelope, ${Math.round(n / maxColumns)} ns per column` : title,
    kind,
    y_label: yLabel,
    x,
    series,
    spans,
    lanes: laneCount(spans),
  };
}

function sequencerTable(mod: SimModule): string {
  const rows = Object.entries(mod.sequencers).map(
    ([name, s]) =>
      `<tr class="${s.status.toLowerCase()}"><td>${esc(name)}</td><td>${esc(s.portClock ?? "")}</td><td>${s.state}</td><td>${s.status}</td><td>${esc([...s.err_flags, ...s.warn_flags].join(", "))}</td><td>${s.endTimeNs} ns</td></tr>`,
  );
  return `<table class="seqs"><tr><th>sequencer</th><th>port-clock</th><th>state</th><th>status</th><th>flags</th><th>end</th></tr>${rows.join("")}</table>`;
}

function reportTable(
  events: ReportRow[],
  maxRows: number,
  origins: ReadonlyMap<string, TimeOrigin> | undefined,
): string {
  const rows = events
    .slice(0, maxRows)
    .map(
      (e) =>
        `<tr><td>${e.repetition ?? "-"}</td><td>${e.scheduleNs ?? "-"}</td><td>${e.startNs}</td><td>${e.durationNs}</td><td>${e.kind}</td><td>${esc(e.operation ?? "")}${e.playedAs ? `<br><small>played as ${esc(e.playedAs)}</small>` : ""}</td><td>${esc(e.module)}</td><td>${e.sequencer}</td><td>${esc(e.portClock)}</td>` +
        `<td>${e.gain ? `${num(e.gain[0])}, ${num(e.gain[1])}` : ""}</td><td>${e.ncoFreqHz !== undefined ? num(e.ncoFreqHz / 1e6) : ""}</td><td>${e.ncoPhaseDeg !== undefined ? num(e.ncoPhaseDeg) : ""}</td></tr>`,
    );
  return `<details open><summary>waveform report (${rows.length} of ${events.length} rows)</summary><p>${esc(timeOriginNote(origins ?? new Map()))}</p><table class="report"><tr><th>rep</th><th>t ns</th><th>prog ns</th><th>duration ns</th><th>kind</th><th>operation</th><th>module</th><th>seq</th><th>port-clock</th><th>gain</th><th>NCO MHz</th><th>phase °</th></tr>${rows.join("")}</table></details>`;
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
const num = (v: number): string =>
  Math.abs(v) < 1e-9
    ? "0"
    : Math.abs(v) >= 1000 || Number.isInteger(v)
      ? String(Math.round(v * 1000) / 1000)
      : v.toPrecision(4).replace(/\.?0+$/, "");
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const CSS = `body{font:13px system-ui,sans-serif;margin:16px;color:#222}h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 4px}h2 small{color:#777;font-weight:normal}
h3{font-size:13px;margin:10px 0 2px}.window{color:#555}#q1f-toolbar button{margin-right:4px}
.q1f-spans{position:absolute;inset:0;pointer-events:none;overflow:hidden}
.q1f-span{position:absolute;top:0;bottom:0;opacity:.12}.q1f-span.acq{opacity:.07}
.q1f-span.conditional{background-image:repeating-linear-gradient(45deg,rgba(0,0,0,.35) 0 2px,transparent 2px 6px)!important;opacity:.25}
.q1f-label{position:absolute;font-size:10px;line-height:12px;white-space:nowrap;background:rgba(255,255,255,.85);border-left:2px solid;padding:0 2px;pointer-events:auto}
.q1f-label.acq-label{font-style:italic}.q1f-label.conditional{font-weight:bold}.q1f-more{position:absolute;right:4px;bottom:2px;font-size:10px;color:#a00}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;font-size:12px}tr.error td{background:#fdd}tr.warning td{background:#ffd}`;
