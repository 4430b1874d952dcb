/**
 * Time origin of the waveform report: where schedule time 0 lies in each sequencer's program time.
 * q1forge programs start with a header (wait_sync 4, upd_param 4, the latency-correction wait) and
 * each repetition with `reset_ph; upd_param 4` after the loop label; schedule time 0 of repetition r
 * is at program time origin + r · period, period = repetition duration + that loop header.
 * Read from the program text (the header's real-time instructions), so a compiled schedule from any
 * tool following the same layout works; other programs get no origin (report in program time).
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";

export interface TimeOrigin {
  /** program time (ns) of schedule time 0 in repetition 0 */
  originNs: number;
  /** program time (ns) between repetition starts */
  periodNs: number;
}

/** Key of a sequencer in `timeOrigins`: "cluster/module/index". */
export const originKey = (cluster: string, module: string, sequencer: number): string =>
  `${cluster}/${module}/${sequencer}`;

/** real-time header instructions whose last argument is their duration (fb_acq_tb_id carries the latency wait with feedback) */
const HEADER_RT: ReadonlySet<string> = new Set(["wait_sync", "upd_param", "wait", "fb_acq_tb_id", "set_latch_en"]);

/**
 * Real time a program spends before its wait_sync (`set_latch_en 1,4` on trigger-network receivers):
 * wait_sync releases every sequencer when the last one arrives, so all of them start that much later.
 */
function preSyncNs(program: string): number {
  let t = 0;
  for (const raw of program.split("\n")) {
    const m = /^\s*(?:\w+:)?\s*(set_latch_en|wait_sync)\s+(\S+)/.exec(raw.replace(/#.*$/, ""));
    if (!m) continue;
    if (m[1] === "wait_sync") return t;
    t += Number(m[2]!.split(",").pop());
  }
  return 0;
}

/** Program time of schedule time 0 and the loop header's length, or null when the header has another shape. */
export function programOrigin(program: string): { originNs: number; loopHeaderNs: number } | null {
  let t = 0,
    labelAt = -1;
  for (const raw of program.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const m = /^(?:([A-Za-z_]\w*):)?\s*(\w+)?\s*(.*)$/.exec(line);
    if (!m) return null;
    if (m[1] !== undefined && labelAt < 0) labelAt = t;
    const mnemonic = m[2];
    if (mnemonic === undefined) continue;
    if (HEADER_RT.has(mnemonic)) {
      const args = (m[3] ?? "").split(",");
      const d = Number(args[args.length - 1]);
      if (!Number.isInteger(d)) return null;
      t += d;
      if (mnemonic === "upd_param" && labelAt >= 0) return { originNs: t, loopHeaderNs: t - labelAt };
    } else if (!["set_mrk", "move", "reset_ph", "nop"].includes(mnemonic)) return null;
  }
  return null;
}

/** Time origin per sequencer of a compiled schedule. */
export function timeOrigins(compiled: CompiledSchedule): Map<string, TimeOrigin> {
  const out = new Map<string, TimeOrigin>();
  for (const [cn, c] of Object.entries(compiled.clusters)) {
    const seqs = Object.entries(c.modules).flatMap(([mn, m]) =>
      Object.values(m.sequencers).map((s) => [mn, s] as const),
    );
    const release = Math.max(0, ...seqs.map(([, s]) => preSyncNs(s.sequence.program)));
    for (const [mn, s] of seqs) {
      const o = programOrigin(s.sequence.program);
      if (o)
        out.set(originKey(cn, mn, s.index), {
          originNs: o.originNs - preSyncNs(s.sequence.program) + release,
          periodNs: compiled.repetition_duration_ns + o.loopHeaderNs,
        });
    }
  }
  return out;
}
