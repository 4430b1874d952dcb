/**
 * What a job's programs leave on the outputs (src/coordinator/session.ts): a `VoltageOffset` in a
 * program (`set_awg_offs`) or a marker it sets (`set_mrk`) is held by the sequencer after the program
 * stops, so it outlives the job unless the session puts it back. Per the idle-value lifecycle it is
 * a runtime change of the job: it reverts to the idle value when the job ends (completed, canceled or
 * error).
 *
 * The sequencers that could hold something are found statically, from the compiled schedule: a
 * program with `set_awg_offs` or `set_mrk` of a non-zero immediate or a register, or a non-zero
 * static AWG offset (`init_offset_awg_path_*`). After the job the session writes their configuration
 * with `offset_awg_path0/1` = 0, which (as in Q1SIM, where the parameters and the instructions share
 * the latched registers) sets the held offsets to 0 and the markers low. A job whose programs leave
 * nothing writes nothing, so an unchanged job still uploads and writes nothing.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { InstrumentCoordinator } from "./coordinator.js";

/** A sequencer whose outputs a job may leave non-idle. */
export interface HeldTarget {
  slot: number;
  seq: number;
}

const HOLDS = /^\s*(?:[A-Za-z_][\w]*:\s*)?(set_awg_offs|set_mrk)\s+([^#\r\n]*)/gm;

/** true when a program line of `program` can leave an AWG offset or a marker set. */
export function programHolds(program: string): boolean {
  for (const m of program.matchAll(HOLDS)) {
    const args = m[2]!.split(",").map((a) => a.trim());
    if (args.some((a) => /^R\d+$/i.test(a) || (a !== "" && Number(a) !== 0))) return true;
  }
  return false;
}

const cache = new WeakMap<CompiledSchedule, Map<string, HeldTarget[]>>();

/** The sequencers of `clusterName` that `compiled` may leave holding an offset or a marker. */
export function heldTargets(compiled: CompiledSchedule, clusterName: string): HeldTarget[] {
  let byCluster = cache.get(compiled);
  const hit = byCluster?.get(clusterName);
  if (hit) return hit;
  const out: HeldTarget[] = [];
  for (const m of Object.values(compiled.clusters[clusterName]?.modules ?? {}))
    for (const s of Object.values(m.sequencers)) {
      const st = s.settings;
      if (st.init_offset_awg_path_I !== 0 || st.init_offset_awg_path_Q !== 0 || programHolds(s.sequence.program))
        out.push({ slot: m.slot, seq: s.index });
    }
  if (!byCluster) cache.set(compiled, (byCluster = new Map()));
  byCluster.set(clusterName, out);
  return out;
}

/** Put the held outputs of `targets` back to idle: AWG offsets 0, markers low (the lazy cache follows). */
export async function releaseHeld(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  targets: Iterable<HeldTarget>,
): Promise<void> {
  for (const t of targets)
    await coordinator.writeSequencerParams(clusterName, t.slot, t.seq, { offset_awg_path0: 0, offset_awg_path1: 0 });
}
