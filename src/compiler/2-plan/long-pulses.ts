/**
 * Long square pulses (reference 3.1 d): a SquarePulse of at least PULSE_STITCHING_DURATION becomes a
 * voltage offset at its start, an offset back to 0 four ns before its end and a 4 ns square tail, so
 * that it costs 4 samples of waveform memory whatever its length.
 */
import type { VoltageOffsetOp, WaveformPulse } from "../../schedule/model.js";

/** Square pulses at least this long are played through offsets (PULSE_STITCHING_DURATION). */
export const LONG_SQUARE_NS = 100;

export type LongSquareParts = [on: VoltageOffsetOp, off: VoltageOffsetOp, tail: WaveformPulse];

export function longSquareParts(op: Extract<WaveformPulse, { type: "SquarePulse" }>): LongSquareParts {
  // Literal objects with the normaliser's property order keep one hidden class per op type (no spreads).
  const offset = (i: number, q: number): VoltageOffsetOp => ({
    type: "VoltageOffset",
    name: op.name,
    path: op.path,
    t0Ns: op.t0Ns,
    port: op.port,
    clock: op.clock,
    durationNs: 0,
    offset_path_I: i,
    offset_path_Q: q,
  });
  const tail: WaveformPulse = {
    type: "SquarePulse",
    name: op.name,
    path: op.path,
    t0Ns: op.t0Ns,
    port: op.port,
    clock: op.clock,
    durationNs: 4,
    amp: op.amp,
    ampImag: op.ampImag,
  };
  return [offset(op.amp, op.ampImag), offset(0, 0), tail];
}

/** Ramps at least this long are stitched (issue 13 item 10; quantify `long_ramp_pulse`). */
export const LONG_RAMP_NS = 2000;
/** STITCHED_PULSE_PART_DURATION_NS: the length of each whole ramp part. */
export const STITCHED_PART_NS = 2000;

/** One part of a stitched ramp: an operation and its start relative to the ramp's start. */
export interface RampPart {
  atNs: number;
  op: VoltageOffsetOp | WaveformPulse;
}

/**
 * quantify's `long_ramp_pulse`: whole 2,000 ns ramps of amp·2000/duration played on top of a DC offset
 * that steps up by that amount per part (no offset before the first part when the ramp starts at 0),
 * the offset back to 0 before the last part once offsets were used, and a last ramp that carries the
 * remaining amplitude from the running offset. The whole parts share one waveform (2,000 samples),
 * whatever the ramp's length.
 */
export function longRampParts(op: Extract<WaveformPulse, { type: "RampPulse" }>): RampPart[] {
  const dur = op.durationNs;
  const whole = Math.floor((dur - 1) / STITCHED_PART_NS);
  const ampPart = (STITCHED_PART_NS / dur) * op.amp;
  const durLeft = dur - whole * STITCHED_PART_NS;
  const ampLeft = op.amp - whole * ampPart;
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const offset = (atNs: number, i: number): RampPart => ({
    atNs,
    op: {
      type: "VoltageOffset",
      name: op.name,
      path: op.path,
      t0Ns: op.t0Ns,
      port: op.port,
      clock: op.clock,
      durationNs: 0,
      offset_path_I: i,
      offset_path_Q: 0,
    },
  });
  const ramp = (atNs: number, amp: number, rampOffset: number, durationNs: number): RampPart => ({
    atNs,
    op: {
      type: "RampPulse",
      name: op.name,
      path: op.path,
      t0Ns: op.t0Ns,
      port: op.port,
      clock: op.clock,
      durationNs,
      amp,
      offset: rampOffset,
    },
  });
  const parts: RampPart[] = [];
  let last = op.offset;
  for (let k = 0; k < whole; k++) {
    const at = k * STITCHED_PART_NS;
    if (!(last === op.offset && close(op.offset, 0))) parts.push(offset(at, last));
    parts.push(ramp(at, ampPart, 0, STITCHED_PART_NS));
    last += ampPart;
  }
  const at = whole * STITCHED_PART_NS;
  if (!close(last, op.offset) && !close(last - ampPart, 0)) parts.push(offset(at, 0));
  parts.push(ramp(at, ampLeft, last, durLeft));
  return parts;
}
