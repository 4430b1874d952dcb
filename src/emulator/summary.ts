/**
 * Readable and JSON summaries of a SimulationResult for the `simulate` command: sequencer statuses,
 * the waveform report (plays and acquisition windows) and acquisition results. Samples are summarised
 * (min/max per output, high time per marker), not dumped.
 */
import { isProtocolName, PROTOCOLS } from "../core/protocols.js";
import type { SimulationResult, SimWaveformEvent } from "./simulate.js";

const REPORT_KINDS: ReadonlySet<string> = new Set(["play", "acquire", "acquire_weighed", "acquire_ttl"]);

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

export function formatSummary(result: SimulationResult, name: string, opts: SummaryOptions = {}): string {
  const maxRows = opts.maxRows ?? 50,
    maxValues = opts.maxValues ?? 8;
  const out: string[] = [];
  const end = Math.max(0, ...Object.values(result.clusters).map((c) => c.endTimeNs));
  out.push(`simulated "${name}": window ${result.window.fromNs} … ${result.window.toNs} ns, run ended at ${end} ns`);
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
  const rows = reportRows(result);
  out.push(`waveform report (${rows.length} row${rows.length === 1 ? "" : "s"}):`);
  if (rows.length > 0)
    out.push(
      "  start_ns  duration_ns  kind             operation / port-clock                   module seq  gain            nco_MHz  phase_deg",
    );
  for (const e of rows.slice(0, maxRows)) {
    const op = `${e.operation || "-"} / ${e.portClock || "-"}`;
    const gain = e.gain ? `${num(e.gain[0])},${num(e.gain[1])}` : "-";
    out.push(
      `  ${String(e.startNs).padStart(8)}  ${String(e.durationNs).padStart(11)}  ${e.kind.padEnd(15)}  ${op.padEnd(40)} ${e.module} ${e.sequencer}  ${gain.padEnd(14)}  ${e.ncoFreqHz !== undefined ? num(e.ncoFreqHz / 1e6) : "-"}  ${e.ncoPhaseDeg !== undefined ? num(e.ncoPhaseDeg) : "-"}`,
    );
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

/** JSON-ready summary (NaN → null via JSON.stringify). */
export function summaryJson(result: SimulationResult, name: string): Record<string, unknown> {
  const clusters: Record<string, unknown> = {};
  for (const [cn, c] of Object.entries(result.clusters)) {
    const modules: Record<string, unknown> = {};
    for (const [mn, m] of Object.entries(c.modules)) {
      modules[mn] = {
        slot: m.slot,
        type: m.type,
        sequencers: m.sequencers,
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
  return { ok: true, name, window: result.window, clusters, events: reportRows(result), acquisitions };
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
function real(re: number): string {
  return Number.isNaN(re) ? "NaN" : re.toFixed(6);
}
function complex(re: number, im: number): string {
  if (Number.isNaN(re)) return "NaN";
  return `${re.toFixed(6)}${im < 0 ? "-" : "+"}${Math.abs(im).toFixed(6)}j`;
}
