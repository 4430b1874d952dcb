/**
 * One strategy per operation kind (DESIGN: a table from operation type to the instructions it
 * emits). Each strategy is called with the builder already waited up to the operation's start.
 */
import { ScheduleError, TimingError, FrequencyError, Q1ForgeError } from "../../core/errors.js";
import { encodeFrequency, encodeGain, encodeOffset, encodePhase } from "../../q1/encodings.js";
import { imm, reg } from "../../q1/types.js";
import type { AcquisitionOp, MarkerPulseOp, ScheduleOp } from "../../schedule/model.js";
import type { ProgramBuilder, OpRef } from "./builder.js";
import { isAcquisition } from "../2-plan/sequencers.js";
import { isWaveformPulse } from "./waveforms.js";
import type { AcqChannelPlan, CompileWarning, SeqLoop, SeqOp, SequencerFrequencies, SequencerPlan, SequencerWaveforms } from "../ir/plan.js";

export interface MarkerEdge {
  kind: "marker";
  startNs: number;
  high: boolean;
  op: MarkerPulseOp;
}
export type TimelineItem = SeqOp | SeqLoop | MarkerEdge;

export interface EmitContext {
  b: ProgramBuilder;
  seq: SequencerPlan;
  freq: SequencerFrequencies;
  waves: SequencerWaveforms;
  channelOf: Map<string, AcqChannelPlan>;
  binRegister: Map<string, number>;
  defaultMarker: number;
  /** marker debug mode (reference 3.8): values written around each play / acquire, or null */
  debugMarkers: DebugMarkers | null;
  tempRegisters: [number, number] | null;
  /** gain latched by the last play in straight-line code (null after labels) */
  /** gain pair latched by the last play in straight-line code, packed as (g0 + 2^15)·2^16 + (g1 + 2^15); null after labels */
  lastGain: number | null;
  lastPlayEnd: { t: number; by: OpRef | null };
  lastAcqStart: { t: number; by: OpRef | null };
  lastFreqUpdate: number;
  lastPhaseUpdate: number;
  warnings: CompileWarning[];
}

const PLAY_COMMENTS = new Map<string, Map<number, string>>();

/** "play <name> (<N> ns)", shared between the many plays of one operation name and duration. */
function playComment(name: string, durationNs: number): string {
  let byDuration = PLAY_COMMENTS.get(name);
  if (!byDuration) {
    if (PLAY_COMMENTS.size > 10_000) PLAY_COMMENTS.clear(); // a bounded cache for long-lived processes
    byDuration = new Map();
    PLAY_COMMENTS.set(name, byDuration);
  }
  let text = byDuration.get(durationNs);
  if (text === undefined) { text = `play ${name} (${durationNs} ns)`; byDuration.set(durationNs, text); }
  return text;
}

/** Minimum spacing of acquisition starts on one sequencer (MIN_TIME_BETWEEN_ACQUISITIONS). */
export const MIN_ACQ_SPACING_NS = 300;

export function isParameterOp(it: TimelineItem): boolean {
  if (it.kind === "marker") return true;
  if (it.kind !== "op") return false;
  const t = it.op.type;
  return t === "VoltageOffset" || t === "SetClockFrequency" || t === "ShiftClockPhase" || t === "ResetClockPhase";
}

/** play / acquire (they commit latched parameters themselves). */
export function isRealTimeIo(it: TimelineItem, _ctx: EmitContext): boolean {
  return it.kind === "op" && (isWaveformPulse(it.op) || isAcquisition(it.op));
}

/** Value written by `set_mrk` at program start (reference 3.8). */
export function markerDefault(seq: SequencerPlan, rfOutputOn: boolean): number {
  if (!rfOutputOn) return 0;
  const ch = seq.route.channelName;
  if (seq.moduleType === "QCM_RF") {
    if (ch === "complex_output_0") return 0b0001;
    if (ch === "complex_output_1") return 0b0010;
    if (ch.startsWith("digital_output")) return 0b0011;
  }
  if (seq.moduleType === "QRM_RF") return 0b0010;
  return 0;
}

export interface DebugMarkers {
  play: number;
  acquire: number;
  /** written after the operation: the channel's default marker regardless of rf_output_on */
  reset: number;
}

/** Marker debug mode values per module type (reference 3.8, quantify `_decide_markers`). */
export function debugMarkers(seq: SequencerPlan): DebugMarkers {
  const reset = markerDefault(seq, true);
  const outs = seq.route.outputIndices;
  switch (seq.moduleType) {
    case "QCM": {
      const m = outs.reduce((acc, o) => acc | (1 << o), 0);
      return { play: m, acquire: m, reset };
    }
    case "QRM": return { play: 0b0011, acquire: 0b1100, reset };
    case "QCM_RF": {
      const m = (1 << (Math.floor((outs[0] ?? 0) / 2) + 2)) | reset;
      return { play: m, acquire: m, reset };
    }
    case "QRM_RF": return { play: 0b0110, acquire: 0b1010, reset };
    default: return { play: 0b1, acquire: 0b1, reset };
  }
}

/** Marker bit(s) driven by a MarkerPulse on a channel (reference 3.8). */
export function markerBits(seq: SequencerPlan, op: MarkerPulseOp): number {
  const ch = seq.route.channelName;
  const n = Number(ch.slice(ch.lastIndexOf("_") + 1));
  const table: Record<string, Record<string, number>> = {
    QCM_RF: { complex_output_0: 0b0001, complex_output_1: 0b0010, digital_output_1: 0b0100, digital_output_0: 0b1000 },
    QRM_RF: { complex_output_0: 0b0010, digital_output_0: 0b0100, digital_output_1: 0b1000 },
    QRC: { digital_output_0: 0b1 },
  };
  if (seq.moduleType === "QCM" || seq.moduleType === "QRM") {
    if (ch.startsWith("digital_output_")) return 1 << n;
  } else {
    const bits = table[seq.moduleType]?.[ch];
    if (bits !== undefined) return bits;
  }
  throw new ScheduleError("NO_MARKER_ON_CHANNEL", `MarkerPulse "${op.name}" on port-clock ${seq.route.portClock}: channel ${seq.moduleName}.${ch} has no marker`, {
    path: op.path,
    hint: "connect the port to a digital_output channel of the module",
  });
}

/** Encode with the operation named in any range error. */
function encoded(f: () => number, by: OpRef): number {
  try {
    return f();
  } catch (e) {
    if (e instanceof Q1ForgeError) throw Object.assign(e, { path: by.path ?? e.path, message: `${e.message} (operation "${by.name}")` });
    throw e;
  }
}

/** Emit the instructions of one item; "needs-update" when latched parameters await an upd_param. */
export function emitOperation(it: TimelineItem, ctx: EmitContext): "needs-update" | "done" {
  const b = ctx.b;
  if (it.kind === "marker") {
    const bits = markerBits(ctx.seq, it.op);
    if (it.high && ctx.defaultMarker !== 0 && (bits | ctx.defaultMarker) === ctx.defaultMarker) {
      throw new ScheduleError("RF_OUTPUT_ALREADY_ON", `MarkerPulse "${it.op.name}" on ${ctx.seq.route.portClock} would switch on the RF output of ${ctx.seq.moduleName}.${ctx.seq.route.channelName}, which is already on because rf_output_on is true`, {
        path: it.op.path,
        hint: `set "rf_output_on": false on ${ctx.seq.moduleName} to switch the RF output with MarkerPulses`,
      });
    }
    const value = it.high ? bits | ctx.defaultMarker : ctx.defaultMarker;
    b.emit("set_mrk", [imm(value)], `${it.op.name} marker ${it.high ? "on" : "off"}`, it.op);
    return "needs-update";
  }
  if (it.kind !== "op") return "done";
  const op = it.op;
  const t = it.startNs;
  const by: OpRef = op;
  if (isWaveformPulse(op)) {
    if (t < ctx.lastPlayEnd.t) {
      throw new TimingError("OVERLAPPING_PULSES", `pulse "${op.name}" at ${t} ns overlaps pulse "${ctx.lastPlayEnd.by?.name}" that plays until ${ctx.lastPlayEnd.t} ns on ${ctx.seq.route.portClock}`, {
        path: op.path,
        hint: "pulses on one port-clock cannot overlap; delay the pulse or use another clock (frequency multiplexing)",
      });
    }
    ctx.lastPlayEnd = { t: t + op.durationNs, by };
    const play = ctx.waves.playOf(op);
    if (!play) {
      b.emitRt("upd_param", [], 4, `${op.name} has too low amplitude to be played, updating parameters instead`, by);
      return "done";
    }
    // gains were range-checked with the operation named in stage 4, so encoding cannot fail here
    const g0 = encodeGain(play.gain0, "gain path I");
    const g1 = encodeGain(play.gain1, "gain path Q");
    debugMarkerOn(ctx, "play", op);
    const packed = (g0 + 32768) * 65536 + (g1 + 32768);
    if (ctx.lastGain !== packed) {
      b.emit("set_awg_gain", [imm(g0), imm(g1)], undefined, by); // the play below names the operation
      ctx.lastGain = packed;
    }
    b.emitRt("play", [imm(play.wave0), imm(play.wave1)], 4, playComment(op.name, op.durationNs), by);
    debugMarkerOff(ctx, op);
    return "done";
  }
  if (isAcquisition(op)) {
    debugMarkerOn(ctx, "acquire", op);
    emitAcquisition(op, it, ctx);
    debugMarkerOff(ctx, op);
    return "done";
  }
  switch (op.type) {
    case "VoltageOffset": {
      const oi = encoded(() => encodeOffset(op.offset_path_I, "offset path I"), by);
      const oq = encoded(() => encodeOffset(op.offset_path_Q, "offset path Q"), by);
      b.emit("set_awg_offs", [imm(oi), imm(oq)], `${op.name} offset`, by);
      return "needs-update";
    }
    case "ResetClockPhase":
      checkNcoSpacing(ctx, t, "phase", op);
      b.emit("reset_ph", [], op.name, by);
      return "needs-update";
    case "ShiftClockPhase": {
      const steps = encoded(() => encodePhase(op.phase_shift), by);
      if (steps === 0) return "done";
      checkNcoSpacing(ctx, t, "phase", op);
      b.emit("set_ph_delta", [imm(steps)], `${op.name} (${op.phase_shift} deg)`, by);
      return "needs-update";
    }
    case "SetClockFrequency": {
      if (!ctx.freq.ncoEnabled || ctx.freq.ifHz === null) {
        throw new FrequencyError("NCO_DISABLED", `SetClockFrequency "${op.name}" on ${ctx.seq.route.portClock}: the sequencer's NCO is disabled (interm_freq 0 or no output)`, {
          path: op.path,
          hint: "remove interm_freq: 0 for this port-clock to enable the NCO",
        });
      }
      checkNcoSpacing(ctx, t, "frequency", op);
      const ifNew = op.clock_freq_new === null ? ctx.freq.ifHz : ctx.freq.ifHz + op.clock_freq_new - ctx.freq.clockHz;
      const steps = encoded(() => encodeFrequency(ifNew), by);
      b.emit("set_freq", [imm(steps)], `${op.name} (NCO ${ifNew} Hz)`, by);
      return "needs-update";
    }
    default:
      return "done";
  }
}

function debugMarkerOn(ctx: EmitContext, kind: "play" | "acquire", op: OpRef): void {
  if (ctx.debugMarkers) ctx.b.emit("set_mrk", [imm(ctx.debugMarkers[kind])], `marker debug mode: ${kind}`, op);
}

/** The extra upd_param occupies 4 ns of sequencer time (quantify counts it in the elapsed time). */
function debugMarkerOff(ctx: EmitContext, op: OpRef): void {
  if (!ctx.debugMarkers) return;
  ctx.b.emit("set_mrk", [imm(ctx.debugMarkers.reset)], "marker debug mode: reset", op);
  ctx.b.emitRt("upd_param", [], 4, undefined, op);
}

function checkNcoSpacing(ctx: EmitContext, t: number, kind: "phase" | "frequency", op: ScheduleOp): void {
  const last = kind === "phase" ? ctx.lastPhaseUpdate : ctx.lastFreqUpdate;
  if (t - last < 4) {
    throw new TimingError("NCO_UPDATES_TOO_CLOSE", `"${op.name}" at ${t} ns is only ${t - last} ns after the previous NCO ${kind} update on ${ctx.seq.route.portClock}`, {
      path: op.path,
      hint: "NCO frequency (or phase) updates must be at least 4 ns apart",
    });
  }
  if (kind === "phase") ctx.lastPhaseUpdate = t; else ctx.lastFreqUpdate = t;
}

function emitAcquisition(op: AcquisitionOp, placed: SeqOp, ctx: EmitContext): "done" {
  const b = ctx.b;
  const t = placed.startNs;
  if (t - ctx.lastAcqStart.t < MIN_ACQ_SPACING_NS) {
    throw new TimingError("ACQUISITIONS_TOO_CLOSE", `acquisition "${op.name}" at ${t} ns starts ${t - ctx.lastAcqStart.t} ns after "${ctx.lastAcqStart.by?.name}" on ${ctx.seq.route.portClock}; the minimum is ${MIN_ACQ_SPACING_NS} ns`, {
      path: op.path,
      hint: "space acquisitions on one port-clock at least 300 ns apart",
    });
  }
  ctx.lastAcqStart = { t, by: op };
  const ch = ctx.channelOf.get(op.acq_channel)!;
  const binReg = ctx.binRegister.get(op.acq_channel);
  const comment = `${op.type} ${op.name} (acq_channel ${op.acq_channel})`;
  const weighted = op.type === "NumericalSeparatedWeightedIntegration" || op.type === "NumericalWeightedIntegration";
  if (weighted) {
    const [w0, w1] = ctx.waves.weightIndices.get(op)!;
    if (binReg === undefined) {
      b.emitRt("acquire_weighed", [imm(ch.qbloxIndex), imm(ch.binOfOp.get(placed)!), imm(w0), imm(w1)], 4, comment, op);
    } else {
      ctx.tempRegisters ??= [b.registers.allocate(op), b.registers.allocate(op)];
      const [rx, ry] = ctx.tempRegisters;
      b.emit("move", [imm(w0), reg(rx)], undefined, op);
      b.emit("move", [imm(w1), reg(ry)], undefined, op);
      b.emitRt("acquire_weighed", [imm(ch.qbloxIndex), reg(binReg), reg(rx), reg(ry)], 4, comment, op);
      b.emit("add", [reg(binReg), imm(1), reg(binReg)], undefined, op);
    }
    return "done";
  }
  if (op.type === "Trace") {
    b.emitRt("acquire", [imm(ch.qbloxIndex), imm(0)], 4, comment, op);
  } else if (binReg === undefined) {
    b.emitRt("acquire", [imm(ch.qbloxIndex), imm(ch.binOfOp.get(placed)!)], 4, comment, op);
  } else {
    b.emitRt("acquire", [imm(ch.qbloxIndex), reg(binReg)], 4, comment, op);
    b.emit("add", [reg(binReg), imm(1), reg(binReg)], `increment bin for acq_channel ${op.acq_channel}`, op);
  }
  return "done";
}
