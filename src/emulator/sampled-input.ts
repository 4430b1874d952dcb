/**
 * Recorded (sampled) input signals as an InputSignalModel: the user supplies, per module slot and
 * ADC input, samples at 1 GS/s starting at `startNs` of the RT timeline; outside the recording the
 * input is 0. Useful to replay a trace captured on hardware through a compiled program.
 */
import type { InputSignalModel } from "./api.js";

export interface SampledInput {
  slot: number;
  input: number;
  /** RT time (ns) of samples[0] */
  startNs?: number;
  /** normalised to the ADC full scale (±1), 1 sample per ns */
  samples: Float32Array | Float64Array | number[];
}

export function sampledInput(recordings: SampledInput[]): InputSignalModel {
  const byKey = new Map(recordings.map((r) => [`${r.slot}/${r.input}`, r]));
  return ({ slot, input, fromNs, toNs }) => {
    const out = new Float32Array(Math.max(0, toNs - fromNs));
    const rec = byKey.get(`${slot}/${input}`);
    if (!rec) return out;
    const start = rec.startNs ?? 0;
    const s = rec.samples;
    for (let t = Math.max(fromNs, start); t < toNs && t - start < s.length; t++) out[t - fromNs] = s[t - start]!;
    return out;
  };
}
