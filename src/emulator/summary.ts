/**
 * Readable and JSON summaries of a SimulationResult for the `simulate` command: sequencer statuses,
 * the waveform report (plays and acquisition windows) and acquisition results. Samples are summarised
 * (min/max per output, high time per marker), not dumped.
 */
import { isProtocolName, PROTOCOLS } from "../core/protocols.js";
import { originKey, type TimeOrigin } from "./report-time.js";
import type { SimulationResult, SimWaveformEvent } from "./simulate.js";

// "skipped": a conditional play / acquisition not played (a false trigger-network condition: its else wait;
// a LINQ branch not taken: where it would have started); "feedback": a LINQ value popped (id, value)
const REPORT_KINDS: ReadonlySet<string> = new Set([
  "play",
  "acquire",
  "acquire_weighed",
  "acquire_ttl",
  "skipped",
  "feedback",
]);

export interface SummaryOptions {
  /** report rows in the text summary at most (default 50) */
  maxRows?: number;
  /** acquisition values per channel in the text summary at most (default 8) */
  maxValues?: number;
}

/**
 * Plays and acquisition windows, plus long square pulses the compiler emits as offsets: an upd_param
 * that sets a non-zero offset opens an "offset" row that lasts until the sequencer's offset returns
 * to zero (or the window ends).
 */
export function reportRows(result: SimulationResult): SimWaveformEvent[] {
  const rows: SimWaveformEvent[] = [];
  const open = new Map<string, SimWaveformEvent>();
  for (const e of result.events) {
    const key = `${e.cluster}/${e.module}/${e.sequencer}`;
    const o = open.get(key);
    const zero = !e.offset || (e.offset[0] === 0 && e.offset[1] === 0);
    if (o && e.offset && (zero || e.kind === "upd_param")) {
      o.durationNs = e.startNs - o.startNs;
      open.delete(key);
    }
    if (e.kind === "upd_param" && !zero) {
      const row: SimWaveformEvent = { ...e, kind: "offset" };
      open.set(key, row);
      rows.push(row);
    } else if (REPORT_KINDS.has(e.kind)) rows.push(e);
  }
  for (const o of open.values()) o.durationNs = result.window.toNs - o.startNs;
  return rows;
}

/** A row of the waveform report as the user wrote it: schedule time, long square pulses as one pulse. */
export interface ReportRow extends SimWaveformEvent {
  /** ns since the start of repetition `repetition` (schedule time); null without a time origin */
  scheduleNs: number | null;
  repetition: number | null;
  /** how a pulse merged from several instructions was played ("offset 0.2 for 396 ns, then a 4 ns play …") */
  playedAs?: string;
}

/**
 * The waveform report in the user's terms: reportRows() with each long square pulse (an offset row
 * followed, at its end, by the 4 ns play of the same operation) merged into the one pulse the user
 * wrote, its amplitude the offset; and every row's start in schedule time when `origins` knows the
 * sequencer (program time stays in startNs).
 */
export function pulseRows(result: SimulationResult, origins: ReadonlyMap<string, TimeOrigin> = new Map()): ReportRow[] {
  const rows: ReportRow[] = [];
  const lastOffset = new Map<string, ReportRow>();
  for (const e of reportRows(result)) {
    const key = originKey(e.cluster, e.module, e.sequencer);
    const off = lastOffset.get(key);
    if (
      e.kind === "play" &&
      off &&
      off.operation &&
      off.operation === e.operation &&
      off.startNs + off.durationNs === e.startNs &&
      off.offset
    ) {
      const [oi, oq] = off.offset;
      off.playedAs = `offset ${num(oi)},${num(oq)} for ${off.durationNs} ns, then a ${e.durationNs} ns play at gain ${e.gain ? `${num(e.gain[0])},${num(e.gain[1])}` : "-"}`;
      off.kind = "play";
      off.gain = [oi, oq];
      off.durationNs += e.durationNs;
      lastOffset.delete(key);
      continue;
    }
    const o = origins.get(key);
    const rel = o ? e.startNs - o.originNs : null;
    const repetition = o && rel !== null ? Math.max(0, Math.floor(rel / o.periodNs)) : null;
    const row: ReportRow = {
      ...e,
      scheduleNs: o && rel !== null && repetition !== null ? rel - repetition * o.periodNs : null,
      repetition,
    };
    if (e.kind === "offset") lastOffset.set(key, row);
    else if (e.kind === "play") lastOffset.delete(key);
    rows.push(row);
  }
  return rows;
}

/** One sentence naming the report's time origin. */
export function timeOriginNote(origins: ReadonlyMap<string, TimeOrigin>): string {
  if (origins.size === 0)
    return "times: program time (ns since the sequencer started; no schedule time origin is known for these programs)";
  const byValue = new Map<string, string[]>();
  for (const [k, o] of origins) {
    const v = `${o.originNs} ns, period ${o.periodNs} ns`;
    byValue.set(v, [...(byValue.get(v) ?? []), k.replace(/\/(\d+)$/, "/seq$1")]);
  }
  const parts = [...byValue].map(([v, ks]) => (byValue.size === 1 ? v : `${ks.join(", ")}: ${v}`));
  return `times: t_ns is schedule time, ns since the start of repetition rep; prog_ns is program time = t_ns + origin + rep × period, the origin being the program header (wait_sync, upd_param, latency correction, loop header): ${parts.join("; ")}`;
}

export interface SummaryContext {
  /** time origin per sequencer (report-time.ts timeOrigins) for schedule time */
  origins?: ReadonlyMap<string, TimeOrigin>;
  /** compile warnings to show (e.g. overlapping pulses summed) */
  warnings?: { message: string }[];
}

export function formatSummary(
  result: SimulationResult,
  name: string,
  opts: SummaryOptions & SummaryContext = {},
): string {
  const maxRows = opts.maxRows ?? 50,
    maxValues = opts.maxValues ?? 8;
  const origins = opts.origins ?? new Map<string, TimeOrigin>();
  const out: string[] = [];
  const end = Math.max(0, ...Object.values(result.clusters).map((c) => c.endTimeNs));
  out.push(
    `simulated "${name}": window ${result.window.fromNs} … ${result.window.toNs} ns of program time, run ended at ${end} ns`,
  );
  for (const w of opts.warnings ?? []) out.push(`warning: ${w.message}`);
  out.push("sequencers:");
  for (const [cn, c] of Object.entries(result.clusters)) {
    for (const [mn, m] of Object.entries(c.modules)) {
      for (const [sn, s] of Object.entries(m.sequencers)) {
        const flags = [...s.err_flags, ...s.warn_flags];
        out.push(
          `  ${cn}/${mn} ${sn}  ${s.portClock || "-"}  ${s.state} ${s.status}  end ${s.endTimeNs} ns${flags.length ? `  flags ${flags.join(",")}` : ""}${s.errorLine !== undefined ? `  line ${s.errorLine}` : ""}`,
        );
        for (const l of s.log) out.push(`    ${l}`);
      }
    }
  }
  const rows = pulseRows(result, origins);
  out.push(`waveform report (${rows.length} row${rows.length === 1 ? "" : "s"}):`);
  out.push(`  ${timeOriginNote(origins)}`);
  if (rows.length > 0)
    out.push(
      "  rep      t_ns  prog_ns  duration_ns  kind             operation / port-clock                   module seq  gain            nco_MHz  phase_deg",
    );
  for (const e of rows.slice(0, maxRows)) {
    const op = `${e.operation || "-"} / ${e.portClock || "-"}`;
    const gain = e.gain ? `${num(e.gain[0])},${num(e.gain[1])}` : "-";
    out.push(
      `  ${String(e.repetition ?? "-").padStart(3)}  ${String(e.scheduleNs ?? "-").padStart(8)}  ${String(e.startNs).padStart(7)}  ${String(e.durationNs).padStart(11)}  ${e.kind.padEnd(15)}  ${op.padEnd(40)} ${e.module} ${e.sequencer}  ${gain.padEnd(14)}  ${e.ncoFreqHz !== undefined ? num(e.ncoFreqHz / 1e6) : "-"}  ${e.ncoPhaseDeg !== undefined ? num(e.ncoPhaseDeg) : "-"}`,
    );
    if (e.playedAs) out.push(`        played as ${e.playedAs}`);
    if (e.kind === "feedback" && e.linqId !== undefined)
      out.push(`        LINQ id ${e.linqId}: value ${e.linqValue ?? "-"} (thresholded bits: 3 = 1, 2 = 0)`);
    if (e.kind === "skipped" && e.skipped) out.push(`        ${e.skipped} not played: its condition was false`);
  }
  if (rows.length > maxRows) out.push(`  … ${rows.length - maxRows} more (use --json)`);
  const acqs = Object.entries(result.acquisitions);
  out.push(`acquisitions (${acqs.length}):`);
  for (const [ch, a] of acqs) {
    const n = a.re.length;
    const vals: string[] = [];
    const isReal = isProtocolName(a.protocol) && PROTOCOLS[a.protocol].result === "real";
    for (let k = 0; k < Math.min(n, maxValues); k++) vals.push(isReal ? real(a.re[k]!) : complex(a.re[k]!, a.im[k]!));
    out.push(
      `  ${ch}  ${a.protocol}/${a.bin_mode}  shape [${a.shape.join(", ")}]  ${vals.join(" ")}${n > maxValues ? ` … (${n} values)` : ""}`,
    );
  }
  return out.join("\n") + "\n";
}

/** A report row as JSON (snake_case, as every q1forge JSON). */
export function reportRowJson(e: ReportRow): Record<string, unknown> {
  return {
    kind: e.kind,
    cluster: e.cluster,
    module: e.module,
    slot: e.slot,
    sequencer: e.sequencer,
    port_clock: e.portClock,
    operation: e.operation ?? "",
    repetition: e.repetition,
    start_ns: e.scheduleNs,
    program_start_ns: e.startNs,
    duration_ns: e.durationNs,
    ...(e.gain ? { gain: e.gain } : {}),
    ...(e.offset ? { offset: e.offset } : {}),
    ...(e.ncoFreqHz !== undefined ? { nco_freq_hz: e.ncoFreqHz } : {}),
    ...(e.ncoPhaseDeg !== undefined ? { nco_phase_deg: e.ncoPhaseDeg } : {}),
    ...(e.acqIndex !== undefined ? { acq_index: e.acqIndex } : {}),
    ...(e.bin !== undefined ? { bin: e.bin } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.skipped ? { skipped: e.skipped } : {}),
    ...(e.linqId !== undefined ? { linq_id: e.linqId, linq_value: e.linqValue ?? null } : {}),
    ...(e.playedAs ? { played_as: e.playedAs } : {}),
  };
}

/** JSON-ready summary, snake_case keys (NaN → null via JSON.stringify). */
export function summaryJson(result: SimulationResult, name: string, ctx: SummaryContext = {}): Record<string, unknown> {
  const origins = ctx.origins ?? new Map<string, TimeOrigin>();
  const clusters: Record<string, unknown> = {};
  for (const [cn, c] of Object.entries(result.clusters)) {
    const modules: Record<string, unknown> = {};
    for (const [mn, m] of Object.entries(c.modules)) {
      const sequencers: Record<string, unknown> = {};
      for (const [sn, s] of Object.entries(m.sequencers))
        sequencers[sn] = {
          state: s.state,
          status: s.status,
          info_flags: s.info_flags,
          warn_flags: s.warn_flags,
          err_flags: s.err_flags,
          log: s.log,
          end_time_ns: s.endTimeNs,
          ...(s.errorLine !== undefined ? { error_line: s.errorLine } : {}),
          port_clock: s.portClock ?? null,
        };
      modules[mn] = {
        slot: m.slot,
        type: m.type,
        sequencers,
        outputs: m.outputs.map((o, index) => {
          let min = 0,
            max = 0;
          for (let k = 0; k < o.length; k++) {
            const v = o[k]!;
            if (v < min) min = v;
            if (v > max) max = v;
          }
          return { index, samples: o.length, min, max };
        }),
        markers: m.markers.map((b, index) => ({ index, high_ns: b.reduce((n, v) => n + v, 0) })),
      };
    }
    clusters[cn] = { end_time_ns: c.endTimeNs, modules };
  }
  const acquisitions: Record<string, unknown> = {};
  for (const [ch, a] of Object.entries(result.acquisitions)) {
    acquisitions[ch] = {
      protocol: a.protocol,
      bin_mode: a.bin_mode,
      shape: a.shape,
      dims: a.dims,
      re: Array.from(a.re),
      im: Array.from(a.im),
    };
  }
  const time_origin: Record<string, unknown> = {};
  for (const [k, o] of origins) time_origin[k] = { origin_ns: o.originNs, period_ns: o.periodNs };
  // false when a sequencer ended in error: the command then exits 1 (issue 13 item 14)
  const ok = !Object.values(result.clusters).some((c) =>
    Object.values(c.modules).some((m) => Object.values(m.sequencers).some((s) => s.status === "ERROR")),
  );
  return {
    ok,
    name,
    window: { from_ns: result.window.fromNs, to_ns: result.window.toNs },
    warnings: ctx.warnings ?? [],
    time_origin,
    clusters,
    events: pulseRows(result, origins).map(reportRowJson),
    acquisitions,
  };
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
function real(re: number): string {
  return Number.isNaN(re) ? "NaN" : re.toFixed(6);
}
function complex(re: number, im: number): string {
  if (Number.isNaN(re)) return "NaN";
  return `${re.toFixed(6)}${im < 0 ? "-" : "+"}${Math.abs(im).toFixed(6)}j`;
}
