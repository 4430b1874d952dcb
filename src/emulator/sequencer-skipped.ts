/**
 * The "skipped" events of a LINQ conditional not taken (src/emulator/sequencer.ts): rarely run, kept
 * out of the interpreter loop's file.
 */
import { MAX_OPERANDS, Op } from "./program.js";
import type { SequencerEngine } from "./sequencer.js";
import type { RtSink } from "./sequencer-types.js";

/**
 * A LINQ conditional not taken: the forward branch at `pc`, right after fb_pop_data / fb_pull_data,
 * jumped over a body (up to its `jmp` to the end). Each play / acquisition of that body is reported as
 * a "skipped" event at the time it would have started (the body's real-time durations from now).
 */
export function skippedBody(seq: SequencerEngine, sink: RtSink, pc: number): void {
  if (!sink.skipped || seq.pc <= pc + 1) return;
  const p = seq.program;
  let t = Math.max(seq.trt, seq.tq);
  for (let i = pc + 1; i < seq.pc; i++) {
    const code = p.op[i] as Op;
    if (code === Op.JMP) break;
    if (
      code !== Op.PLAY &&
      code !== Op.ACQUIRE &&
      code !== Op.ACQUIRE_WEIGHED &&
      code !== Op.ACQUIRE_TTL &&
      code !== Op.WAIT &&
      code !== Op.UPD_PARAM
    )
      continue;
    const b = i * MAX_OPERANDS,
      last = b + p.argc[i]! - 1;
    const dur = p.isReg[last] ? seq.regs[p.arg[last]!]! : p.arg[last]!;
    if (code === Op.PLAY) {
      // reported with the length of its waveforms, as a play event is
      const w0 = p.isReg[b] ? seq.regs[p.arg[b]!]! : p.arg[b]!;
      const w1 = p.isReg[b + 1] ? seq.regs[p.arg[b + 1]!]! : p.arg[b + 1]!;
      sink.skipped(seq, code, t, Math.max(seq.waveLengths.get(w0) ?? 0, seq.waveLengths.get(w1) ?? 0), i);
    } else if (code !== Op.WAIT && code !== Op.UPD_PARAM) sink.skipped(seq, code, t, dur, i);
    t += dur;
  }
}
