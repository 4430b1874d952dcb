/**
 * What the plot needs from a compiled schedule beyond the SimulationResult: which physical outputs
 * each sequencer drives (so operation spans are drawn on their own output only) and which program
 * lines run conditionally (between `set_cond 1,…` and `set_cond 0,…`).
 */
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";

/** "cluster/module/index" of a sequencer. */
export const seqKey = (cluster: string, module: string, sequencer: number): string =>
  `${cluster}/${module}/${sequencer}`;

/** Physical outputs (outN) per sequencer, from its connect_out channel map ("off" excluded). */
export function outputRoutes(compiled: CompiledSchedule): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [cn, c] of Object.entries(compiled.clusters))
    for (const [mn, m] of Object.entries(c.modules))
      for (const s of Object.values(m.sequencers))
        out.set(seqKey(cn, mn, s.index), routedOutputs(s.settings.connect_out));
  return out;
}

/** {"out0": "I", "out1": "off", …} → [0] */
export function routedOutputs(connectOut: Record<string, string | undefined>): number[] {
  const outs: number[] = [];
  for (const [k, v] of Object.entries(connectOut)) {
    const n = Number(/(\d+)$/.exec(k)?.[1]);
    if (v && v !== "off" && Number.isInteger(n)) outs.push(n);
  }
  return outs.sort((a, b) => a - b);
}

/** 1-based program lines that run under an enabled condition (set_cond with a non-zero first argument). */
export function conditionalLines(program: string): Set<number> {
  const lines = new Set<number>();
  let on = false;
  program.split("\n").forEach((raw, i) => {
    const m = /^\s*(?:\w+:)?\s*set_cond\s+(\w+)/.exec(raw.replace(/#.*$/, ""));
    if (m) on = m[1] !== "0";
    else if (on) lines.add(i + 1);
  });
  return lines;
}

/** Conditional lines per sequencer ("cluster/module/index" → lines), only for programs that use set_cond. */
export function conditionalLinesOf(compiled: CompiledSchedule): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [cn, c] of Object.entries(compiled.clusters))
    for (const [mn, m] of Object.entries(c.modules))
      for (const s of Object.values(m.sequencers)) {
        const lines = conditionalLines(s.sequence.program);
        if (lines.size > 0) out.set(seqKey(cn, mn, s.index), lines);
      }
  return out;
}
