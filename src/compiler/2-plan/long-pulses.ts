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
