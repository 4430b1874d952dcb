/**
 * Latency corrections (reference 3.1 f.2) made relative: each used port-clock's correction in whole
 * nanoseconds minus the minimum over the used port-clocks, so the earliest one waits 0 extra ns.
 */
import { TimingError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { SequencerPlan } from "../ir/plan.js";

/** Relative latency per sequencer, ns (aligned with `sequencers`). */
export function relativeLatencies(sequencers: readonly SequencerPlan[], hw: HardwareSetup): number[] {
  const ns = sequencers.map((seq) => {
    const pc = seq.route.portClock;
    const s = hw.model.portClock(pc).latencyCorrectionS;
    const v = Math.round(s * 1e9);
    if (!Number.isFinite(s) || Math.abs(s * 1e9 - v) > 0.0011) {
      throw new TimingError("OFF_GRID", `latency_corrections for ${pc} is ${s} s, not a multiple of 1 ns`, {
        path: `/hardware_options/latency_corrections/${pc}`,
        hint: "use whole nanoseconds, e.g. 8e-9",
      });
    }
    return v;
  });
  const min = ns.length > 0 ? Math.min(...ns) : 0;
  return ns.map((v) => v - min);
}
