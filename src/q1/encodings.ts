/**
 * Float <-> Q1ASM immediate encodings (quantify-backend.md §4.4, q1asm-and-scpi.md §3).
 * quantify uses Python's round(), i.e. round-half-to-even; we do the same so the integers match.
 */
import { FrequencyError, ValueRangeError } from "../core/errors.js";

/** 16-bit gain/offset immediates: max magnitude 32768 (immediate size 2^16 / 2). */
export const GAIN_OFFSET_SCALE = 32768;
export const NCO_FREQ_STEPS_PER_HZ = 4;
export const NCO_FREQ_LIMIT_STEPS = 2e9;
export const NCO_PHASE_STEPS_PER_TURN = 1e9;
export const NCO_PHASE_STEPS_PER_DEG = 1e9 / 360;

/** Python 3 round(): nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds ties towards +inf; exact ties go to the even neighbour instead. r − x is exact
  // (r and x are within a factor of 2, or x is an integer), so it is 0.5 exactly for a tie and only
  // then (the same test as |x mod 1| = 0.5, without the slow floating-point modulo)
  return r - x === 0.5 ? 2 * Math.round(x / 2) : r;
}

function encodeNormalised(v: number, what: string, code: string): number {
  if (!Number.isFinite(v) || Math.abs(v) > 1) {
    throw new ValueRangeError(code, `${what} is ${v}; it must be within -1.0..1.0 (normalised to the output range).`, {
      path: what,
      hint: "Lower the amplitude, or raise the output range / attenuation so the value fits in -1..1.",
    });
  }
  return Math.max(-GAIN_OFFSET_SCALE, Math.min(roundHalfEven(v * GAIN_OFFSET_SCALE), GAIN_OFFSET_SCALE - 1));
}

/** `set_awg_gain` immediate: round(v·32768) clamped to -32768..32767 (0.25→8192, 1.0→32767). */
export function encodeGain(v: number, what: string): number {
  return encodeNormalised(v, what, "GAIN_OUT_OF_RANGE");
}

/** `set_awg_offs` immediate: same encoding as the gain. */
export function encodeOffset(v: number, what: string): number {
  return encodeNormalised(v, what, "OFFSET_OUT_OF_RANGE");
}

/** Inverse of encodeGain / encodeOffset (32767 decodes to 0.999969…, not 1). */
export function decodeGain(i: number): number {
  return i / GAIN_OFFSET_SCALE;
}

/** `set_freq` immediate: round(hz·4), within ±2e9 steps (±500 MHz). */
export function encodeFrequency(hz: number, what = "NCO frequency"): number {
  const steps = Number.isFinite(hz) ? roundHalfEven(hz * NCO_FREQ_STEPS_PER_HZ) : NaN;
  if (!(Math.abs(steps) <= NCO_FREQ_LIMIT_STEPS)) {
    throw new FrequencyError("NCO_FREQUENCY_OUT_OF_RANGE", `${what} ${hz} Hz is outside the NCO range -5e8..5e8 Hz.`, {
      path: what,
      hint: "Choose an LO frequency (or clock) so that the intermediate frequency is within ±500 MHz.",
    });
  }
  return steps;
}

/** Inverse of encodeFrequency, in Hz. */
export function decodeFrequency(steps: number): number {
  return steps / NCO_FREQ_STEPS_PER_HZ;
}

/** `set_ph` / `set_ph_delta` immediate: round((deg mod 360)·1e9/360); a full turn (1e9) wraps to 0. */
export function encodePhase(deg: number, what = "NCO phase"): number {
  if (!Number.isFinite(deg)) {
    throw new ValueRangeError("PHASE_OUT_OF_RANGE", `${what} is ${deg}; it must be a finite number of degrees.`, {
      path: what,
      hint: "Give the phase in degrees, e.g. 90.",
    });
  }
  const wrapped = ((deg % 360) + 360) % 360; // Python's modulo: result in [0, 360)
  const steps = roundHalfEven(wrapped * NCO_PHASE_STEPS_PER_DEG);
  return steps >= NCO_PHASE_STEPS_PER_TURN ? 0 : steps;
}

/** Inverse of encodePhase, in degrees [0, 360). */
export function decodePhase(steps: number): number {
  return (steps * 360) / NCO_PHASE_STEPS_PER_TURN;
}
