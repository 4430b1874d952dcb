/**
 * What the plot needs from a compiled schedule beyond the SimulationResult: which physical outputs
 * each sequencer drives (so operation spans are drawn on their own output only) and which program
 * lines run conditionally (trigger conditions and feedback jumps).
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

/**
 * 1-based program lines that run conditionally: under an enabled trigger condition (between
 * `set_cond 1,…` and `set_cond 0,…`), or skipped by a forward jump on a feedback bit (`fb_pop_data id,Rn`
 * then `jlt`/`jge Rn,…,@label`: the lines up to the label play only when the bit says so).
 */
export function conditionalLines(program: string): Set<number> {
  const lines = new Set<number>();
  const text = program.split("\n").map((raw) => raw.replace(/#.*$/, ""));
  const labelLine = new Map<string, number>();
  text.forEach((l, i) => {
    const m = /^\s*(\w+):/.exec(l);
    if (m) labelLine.set(m[1]!, i);
  });
  let on = false;
  let feedbackReg: string | null = null;
  text.forEach((l, i) => {
    const cond = /^\s*(?:\w+:)?\s*set_cond\s+(\w+)/.exec(l);
    if (cond) {
      on = cond[1] !== "0";
      return;
    }
    if (on) lines.add(i + 1);
    const pop = /^\s*(?:\w+:)?\s*fb_pop_data\s+\w+\s*,\s*(R\d+)/.exec(l);
    if (pop) feedbackReg = pop[1]!;
    const jump = /^\s*(?:\w+:)?\s*(?:jlt|jge)\s+(R\d+)\s*,[^,]+,\s*@(\w+)/.exec(l);
    const target = jump ? labelLine.get(jump[2]!) : undefined;
    if (jump && jump[1] === feedbackReg && target !== undefined && target > i)
      for (let k = i + 1; k < target; k++) lines.add(k + 1);
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
