/**
 * `validate --schedule S --hardware H`: the compiler's passes up to, not including, emission
 * (3-emit/*), run on the pair. Every input, timing, routing, acquisition, frequency and latency
 * error a compile would raise before generating waveforms and programs is raised here.
 */
import { PIPELINE } from "../compiler/index.js";
import type { CompileWarning, SequencerPlan } from "../compiler/ir/plan.js";
import type { TimedSchedule } from "../compiler/ir/nodes.js";

export interface PairCheck {
  name: string;
  repetitions: number;
  durationNs: number;
  /** "<cluster>/<module>/seq<i> <port-clock>" per assigned sequencer */
  sequencers: string[];
  warnings: CompileWarning[];
}

export function checkPair(schedule: unknown, hardware: unknown): PairCheck {
  const state: {
    scheduleInput: unknown;
    hardwareInput: unknown;
    options: Record<string, never>;
    warnings: CompileWarning[];
    timed?: TimedSchedule;
    sequencers?: SequencerPlan[];
  } = { scheduleInput: schedule, hardwareInput: hardware, options: {}, warnings: [] };
  for (const pass of PIPELINE) {
    if (pass.name.startsWith("3-emit/")) break;
    pass.run(state);
  }
  const timed = state.timed!;
  return {
    name: timed.name,
    repetitions: timed.repetitions,
    durationNs: timed.durationNs,
    sequencers: (state.sequencers ?? []).map((s) => `${s.cluster}/${s.moduleName}/seq${s.index} ${s.route.portClock}`),
    warnings: state.warnings,
  };
}
