/**
 * End-to-end helpers: an inline baseband cluster (QCM slot 1, QRM slot 2) and the analytic signal
 * model the emulator output is compared against, written independently of src/emulator:
 *   path I/Q = offset + gain·envelope; outputs = √½·(cos φ·I − sin φ·Q), √½·(sin(φ+θ)·I + cos(φ+θ)·Q)
 * with φ = 2π·f·(t − t_reset) (reference q1asm §6.2), θ the mixer phase and the gain ratio applied to
 * one output. Program timing: wait_sync 4 + upd_param 4 + latency wait 4 put the repetition's
 * reset_ph / upd_param at 12 ns, so schedule time 0 is emulator time 16 ns.
 */
import { compile } from "../../src/compiler/index.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { basebandHardware, RESOURCES } from "../compiler/fixtures.js";

export const RESET_NS = 12;
export const T0_NS = 16;
export const TOL = 2 / 32768;

/** The compiler tests' baseband cluster and clocks: the golden schedules run on exactly these. */
export { basebandHardware as hardware, RESOURCES } from "../compiler/fixtures.js";

export function compileJson(
  schedule: Record<string, unknown>,
  options: Record<string, unknown> = {},
): CompiledSchedule {
  return compile({ resources: RESOURCES, ...schedule }, basebandHardware(options));
}

/** One tone: envelope (I, Q) starting at `startNs`, NCO f reset at `resetNs`. */
export interface Tone {
  startNs: number;
  envI: ArrayLike<number>;
  envQ?: ArrayLike<number>;
  freqHz: number;
  resetNs?: number;
  /** initial NCO phase in degrees at the reset */
  phaseDeg?: number;
}

export interface Mixer {
  gainRatio?: number;
  phaseDeg?: number;
  offsetI?: number;
  offsetQ?: number;
}

/** Analytic two-output signal of several tones (summed), over [fromNs, toNs). */
export function analytic(tones: Tone[], fromNs: number, toNs: number, mixer: Mixer = {}): [Float64Array, Float64Array] {
  const n = toNs - fromNs;
  const out0 = new Float64Array(n).fill(mixer.offsetI ?? 0),
    out1 = new Float64Array(n).fill(mixer.offsetQ ?? 0);
  const g = mixer.gainRatio ?? 1,
    th = ((mixer.phaseDeg ?? 0) * Math.PI) / 180;
  for (const tone of tones) {
    for (let k = 0; k < tone.envI.length; k++) {
      const t = tone.startNs + k;
      if (t < fromNs || t >= toNs) continue;
      const I = tone.envI[k]!,
        Q = tone.envQ ? tone.envQ[k]! : 0;
      const phi =
        2 * Math.PI * tone.freqHz * (t - (tone.resetNs ?? RESET_NS)) * 1e-9 + ((tone.phaseDeg ?? 0) * Math.PI) / 180;
      let a = Math.SQRT1_2 * (Math.cos(phi) * I - Math.sin(phi) * Q);
      let b = Math.SQRT1_2 * (Math.sin(phi + th) * I + Math.cos(phi + th) * Q);
      if (g > 1) a /= g;
      if (g < 1) b *= g;
      out0[t - fromNs]! += a;
      out1[t - fromNs]! += b;
    }
  }
  return [out0, out1];
}

/** Largest |emulated − analytic| over the arrays. */
export function maxError(emulated: Float32Array, expected: Float64Array): number {
  if (emulated.length !== expected.length) throw new Error(`length ${emulated.length} ≠ ${expected.length}`);
  let m = 0;
  for (let k = 0; k < expected.length; k++) m = Math.max(m, Math.abs(emulated[k]! - expected[k]!));
  return m;
}
