/**
 * State shared by the emitters of one sequencer's program (3-emit/program.ts drives, the handlers in
 * this folder emit), and the marker rules every handler uses (reference 3.8).
 */
import { Q1ForgeError, ScheduleError, TimingError } from "../../core/errors.js";
import { imm, type Instruction, type Operand } from "../../q1/types.js";
import type { MarkerPulseOp, ScheduleOp } from "../../schedule/model.js";
import type { ProgramBuilder, OpRef } from "../3-emit/builder.js";
import type { NodeId, LoopNode, OpNode, ConditionalNode, SweepNode } from "../ir/nodes.js";
import type { FeedbackPlan } from "../2-plan/feedback.js";
import type { TriggerNetworkPlan } from "../2-plan/trigger-network.js";
import type {
  AcqChannelPlan,
  CompileWarning,
  SequencerFrequencies,
  SequencerPlan,
  SequencerWaveforms,
} from "../ir/plan.js";

/** One edge of a MarkerPulse (a MarkerPulse becomes a rising and a falling edge on the timeline). */
export interface MarkerEdge {
  kind: "marker";
  id: NodeId;
  startNs: number;
  high: boolean;
  op: MarkerPulseOp;
}
export type TimelineItem = OpNode | LoopNode | ConditionalNode | SweepNode | MarkerEdge;

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
  /** gain pair latched by the last play in straight-line code, packed as (g0 + 2^15)·2^16 + (g1 + 2^15); null after labels */
  lastGain: number | null;
  lastPlayEnd: { t: number; by: OpRef | null };
  /** per index into `waves.plays`, its encoded gains and operand lists, made on the play's first use (ops/pulses.ts) */
  playOperands: (PlayOperands | undefined)[];
  /** whether the program has MarkerPulses at all (else no list needs expanding into marker edges) */
  hasMarkerPulses: boolean;
  lastAcqStart: { t: number; by: OpRef | null };
  lastFreqUpdate: number;
  lastPhaseUpdate: number;
  warnings: CompileWarning[];
  /** LINQ feedback plan and this sequencer's index in it (2-plan/feedback.ts); absent = no feedback */
  feedback?: { plan: FeedbackPlan; sequencer: number };
  /** trigger-network conditional playback plan (2-plan/trigger-network.ts); absent = not that mode */
  triggerNetwork?: TriggerNetworkPlan;
}

/** The operands of one distinct play: built once, shared by all its set_awg_gain / play rows. */
export interface PlayOperands {
  /** the gain pair packed as (g0 + 2^15)·2^16 + (g1 + 2^15) (compared with `lastGain`) */
  gains: number;
  /** set_awg_gain g0,g1 (frozen: shared) */
  gainArgs: readonly Operand[];
  /** play wave0,wave1 without the duration (frozen: shared) */
  playArgs: readonly Operand[];
  /** the shared rows last emitted for this play (ProgramBuilder.repeat appends them again), and the play's comment */
  gainRow: Instruction | null;
  playRow: Instruction | null;
  playComment: string;
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
    case "QRM":
      return { play: 0b0011, acquire: 0b1100, reset };
    case "QCM_RF": {
      const m = (1 << (Math.floor((outs[0] ?? 0) / 2) + 2)) | reset;
      return { play: m, acquire: m, reset };
    }
    case "QRM_RF":
      return { play: 0b0110, acquire: 0b1010, reset };
    default:
      return { play: 0b1, acquire: 0b1, reset };
  }
}

const MARKER_BITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  QCM_RF: { complex_output_0: 0b0001, complex_output_1: 0b0010, digital_output_1: 0b0100, digital_output_0: 0b1000 },
  QRM_RF: { complex_output_0: 0b0010, digital_output_0: 0b0100, digital_output_1: 0b1000 },
  QRC: { digital_output_0: 0b1 },
};

/** Marker bit(s) driven by a MarkerPulse on a channel (reference 3.8). */
export function markerBits(seq: SequencerPlan, op: MarkerPulseOp): number {
  const ch = seq.route.channelName;
  const n = Number(ch.slice(ch.lastIndexOf("_") + 1));
  if (seq.moduleType === "QCM" || seq.moduleType === "QRM") {
    if (ch.startsWith("digital_output_")) return 1 << n;
  } else {
    const bits = MARKER_BITS[seq.moduleType]?.[ch];
    if (bits !== undefined) return bits;
  }
  throw new ScheduleError(
    "NO_MARKER_ON_CHANNEL",
    `MarkerPulse "${op.name}" on port-clock ${seq.route.portClock}: channel ${seq.moduleName}.${ch} has no marker`,
    {
      path: op.path,
      hint: "connect the port to a digital_output channel of the module",
    },
  );
}

/** `encode(value, what)` with the operation named in any range error (no closure per call: hot path). */
export function encoded(
  encode: (value: number, what: string) => number,
  value: number,
  what: string,
  by: OpRef,
): number {
  try {
    return encode(value, what);
  } catch (e) {
    if (e instanceof Q1ForgeError)
      throw Object.assign(e, { path: by.path ?? e.path, message: `${e.message} (operation "${by.name}")` });
    throw e;
  }
}

export function debugMarkerOn(ctx: EmitContext, kind: "play" | "acquire", op: OpRef): void {
  if (ctx.debugMarkers) ctx.b.emit("set_mrk", [imm(ctx.debugMarkers[kind])], `marker debug mode: ${kind}`, op);
}

/** The extra upd_param occupies 4 ns of sequencer time (quantify counts it in the elapsed time). */
export function debugMarkerOff(ctx: EmitContext, op: OpRef): void {
  if (!ctx.debugMarkers) return;
  ctx.b.emit("set_mrk", [imm(ctx.debugMarkers.reset)], "marker debug mode: reset", op);
  ctx.b.emitRt("upd_param", [], 4, undefined, op);
}

export function checkNcoSpacing(ctx: EmitContext, t: number, kind: "phase" | "frequency", op: ScheduleOp): void {
  const last = kind === "phase" ? ctx.lastPhaseUpdate : ctx.lastFreqUpdate;
  if (t - last < 4) {
    throw new TimingError(
      "NCO_UPDATES_TOO_CLOSE",
      `"${op.name}" at ${t} ns is only ${t - last} ns after the previous NCO ${kind} update on ${ctx.seq.route.portClock}`,
      {
        path: op.path,
        hint: "NCO frequency (or phase) updates must be at least 4 ns apart",
      },
    );
  }
  if (kind === "phase") ctx.lastPhaseUpdate = t;
  else ctx.lastFreqUpdate = t;
}
