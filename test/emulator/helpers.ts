import type { ModuleType } from "../../src/contract/compiled-schedule.js";
import type { EmuModuleInput, EmuSequencerParams, EmuModuleParams } from "../../src/emulator/api.js";
import { loadProgram } from "../../src/emulator/program.js";
import { SequencerEngine, Step } from "../../src/emulator/sequencer.js";

export interface SeqSpec {
  program: string;
  index?: number;
  params?: EmuSequencerParams;
  waveforms?: number[][];
  weights?: number[][];
  acquisitions?: Record<string, number>; // name → num_bins, index = position
}

/** One module with the given sequencers (waveform/weight index = array position). */
export function moduleInput(type: ModuleType, seqs: SeqSpec[], params: EmuModuleParams = {}, slot = 1): EmuModuleInput {
  return {
    slot,
    type,
    params,
    sequencers: seqs.map((s, i) => ({
      index: s.index ?? i,
      params: { sync_en: true, ...(s.params ?? {}) },
      sequence: {
        program: s.program,
        waveforms: Object.fromEntries((s.waveforms ?? []).map((d, k) => [`w${k}`, { data: d, index: k }])),
        weights: Object.fromEntries((s.weights ?? []).map((d, k) => [`wt${k}`, { data: d, index: k }])),
        acquisitions: Object.fromEntries(
          Object.entries(s.acquisitions ?? {}).map(([n, bins], k) => [n, { num_bins: bins, index: k }]),
        ),
      },
    })),
  };
}

/** Run a single sequencer core standalone (no module) and return it, e.g. to inspect registers. */
export function runCore(program: string, params: EmuSequencerParams = {}): SequencerEngine {
  const noop = { acquire: () => undefined, event: () => undefined };
  const seq = new SequencerEngine(
    1,
    0,
    loadProgram(program, "QCM"),
    params,
    new Map([[0, 4]]),
    new Set(),
    new Map(),
    noop,
    1_000_000,
    null,
  );
  for (;;) {
    const r = seq.step();
    if (r === Step.SYNC_BLOCKED) seq.releaseSync(seq.trt);
    else if (r === Step.DONE) break;
  }
  return seq;
}
