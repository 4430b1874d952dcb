/**
 * Waveform pulses: sampled (schedule/waveforms.ts), normalised and de-duplicated by shape key
 * (3-emit/waveforms.ts), compensated for crosstalk by `scale` (1-schedule/crosstalk.ts) and played
 * with `set_awg_gain` + `play` (reference 3.11, 4.7).
 */
import { TimingError } from "../../core/errors.js";
import type { Complex } from "../../hardware/resolved.js";
import { encodeGain } from "../../q1/encodings.js";
import { imm, type Operand } from "../../q1/types.js";
import type { WaveformPulse } from "../../schedule/model.js";
import {
  debugMarkerOff,
  debugMarkerOn,
  type EmitContext,
  type PlayOperands,
  type TimelineItem,
} from "./emit-context.js";
import type { PlayInstruction } from "../ir/plan.js";
import type { EmitResult, PulseHandler } from "./types.js";

type Pulse<K extends WaveformPulse["type"]> = Extract<WaveformPulse, { type: K }>;

const PLAY_COMMENTS = new Map<string, Map<number, string>>();

/** the last text playComment returned (consecutive plays mostly repeat it): no map lookups then */
let lastPlay = { name: "", durationNs: NaN, text: "" };

/** "play <name> (<N> ns)", shared between the many plays of one operation name and duration. */
function playComment(name: string, durationNs: number): string {
  if (name === lastPlay.name && durationNs === lastPlay.durationNs) return lastPlay.text;
  const text = playCommentText(name, durationNs);
  lastPlay = { name, durationNs, text };
  return text;
}

function playCommentText(name: string, durationNs: number): string {
  let byDuration = PLAY_COMMENTS.get(name);
  if (!byDuration) {
    if (PLAY_COMMENTS.size > 10_000) PLAY_COMMENTS.clear(); // a bounded cache for long-lived processes
    byDuration = new Map();
    PLAY_COMMENTS.set(name, byDuration);
  }
  let text = byDuration.get(durationNs);
  if (text === undefined) {
    text = `play ${name} (${durationNs} ns)`;
    byDuration.set(durationNs, text);
  }
  return text;
}

/** set_awg_gain (when the latched gains differ) + play of the pulse's normalised waveforms. */
function emitPlay(op: WaveformPulse, item: TimelineItem, ctx: EmitContext): EmitResult {
  const b = ctx.b;
  const t = item.startNs;
  if (t < ctx.lastPlayEnd.t) {
    throw new TimingError(
      "OVERLAPPING_PULSES",
      `pulse "${op.name}" at ${t} ns overlaps pulse "${ctx.lastPlayEnd.by?.name}" that plays until ${ctx.lastPlayEnd.t} ns on ${ctx.seq.route.portClock}`,
      {
        path: op.path,
        hint: "pulses on one port-clock cannot overlap; delay the pulse or use another clock (frequency multiplexing)",
      },
    );
  }
  // updated in place: one object per program, not one per pulse
  ctx.lastPlayEnd.t = t + op.durationNs;
  ctx.lastPlayEnd.by = op;
  const k = ctx.waves.playOfNode[item.id] ?? -1;
  const play = k < 0 ? null : ctx.waves.plays[k]!;
  if (!play) {
    b.emitRt("upd_param", [], 4, `${op.name} has too low amplitude to be played, updating parameters instead`, op);
    return "done";
  }
  const operands = ctx.playOperands[k] ?? playOperands(ctx, k, play);
  debugMarkerOn(ctx, "play", op);
  // a play repeated: its rows are appended again without a lookup (ProgramBuilder.repeat)
  if (ctx.lastGain !== operands.gains) {
    if (operands.gainRow === null || !b.repeat(operands.gainRow, op)) {
      // the play below names the operation
      b.emit("set_awg_gain", operands.gainArgs as Operand[], undefined, op);
      operands.gainRow = b.sharedLast();
    }
    ctx.lastGain = operands.gains;
  }
  const comment = playComment(op.name, op.durationNs);
  if (operands.playRow === null || operands.playComment !== comment || !b.repeat(operands.playRow, op, 4)) {
    b.emitRt("play", operands.playArgs as Operand[], 4, comment, op);
    operands.playRow = b.sharedLast();
    operands.playComment = comment;
  }
  debugMarkerOff(ctx, op);
  return "done";
}

/** The encoded gains and operand lists of play `k`, made once per program and play. */
function playOperands(ctx: EmitContext, k: number, play: PlayInstruction): PlayOperands {
  // gains were range-checked with the operation named when the waveforms were planned
  const g0 = encodeGain(play.gain0, "gain path I");
  const g1 = encodeGain(play.gain1, "gain path Q");
  const operands: PlayOperands = {
    gains: (g0 + 32768) * 65536 + (g1 + 32768),
    gainArgs: Object.freeze([imm(g0), imm(g1)]),
    playArgs: Object.freeze([imm(play.wave0), imm(play.wave1)]),
    gainRow: null,
    playRow: null,
    playComment: "",
  };
  ctx.playOperands[k] = operands;
  return operands;
}

/** x + 0 turns −0 into 0 (JSON has no −0, and the IR must survive a JSON round trip). */
const nz = (x: number): number => x + 0;
const isReal = (c: Complex): boolean => Math.abs(c.im) < 1e-15;
const magnitude = (c: Complex): number => Math.hypot(c.re, c.im);
const degrees = (c: Complex): number => (Math.atan2(c.im, c.re) * 180) / Math.PI;

/**
 * Writes a shape key's numbers into `out` and returns `n`, how many of them count (the rest are
 * padding). Fixed arity: no rest array per pulse (100,000 pulses ask for their key).
 */
function key(out: Float64Array, n: number, a: number, b: number, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0): number {
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
  out[4] = e;
  out[5] = f;
  out[6] = g;
  out[7] = h;
  return n;
}

/** Common fields of every pulse handler. */
const PULSE = { family: "pulse", placement: "port-clock", digitalChannelOk: false, emit: emitPlay } as const;

export const PULSE_HANDLERS: { readonly [K in WaveformPulse["type"]]: PulseHandler<K> } = {
  SquarePulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 4, 0, op.durationNs, op.amp, op.ampImag),
    scale: (op, c) => ({
      ...op,
      amp: nz(op.amp * c.re - op.ampImag * c.im),
      ampImag: nz(op.amp * c.im + op.ampImag * c.re),
    }),
  },
  RampPulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 4, 1, op.durationNs, op.amp, op.offset),
    scale: (op, c) => (isReal(c) ? { ...op, amp: nz(op.amp * c.re), offset: nz(op.offset * c.re) } : null),
  },
  StaircasePulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 5, 2, op.durationNs, op.start_amp, op.final_amp, op.num_steps),
    scale: (op, c) =>
      isReal(c) ? { ...op, start_amp: nz(op.start_amp * c.re), final_amp: nz(op.final_amp * c.re) } : null,
  },
  SoftSquarePulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 3, 3, op.durationNs, op.amp),
    scale: (op, c) => (isReal(c) ? { ...op, amp: nz(op.amp * c.re) } : null),
  },
  ChirpPulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 5, 4, op.durationNs, op.amp, op.start_freq, op.end_freq),
    scale: (op, c) => (isReal(c) ? { ...op, amp: nz(op.amp * c.re) } : null),
  },
  DRAGPulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 7, 5, op.durationNs, op.G_amp, op.D_amp, op.phase, op.sigma ?? -1, op.nr_sigma ?? -1),
    scale: (op, c) => ({
      ...op,
      G_amp: nz(op.G_amp * magnitude(c)),
      D_amp: nz(op.D_amp * magnitude(c)),
      phase: nz(op.phase + degrees(c)),
    }),
  },
  GaussPulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 6, 6, op.durationNs, op.G_amp, op.phase, op.sigma ?? -1, op.nr_sigma ?? -1),
    scale: (op, c) => ({ ...op, G_amp: nz(op.G_amp * magnitude(c)), phase: nz(op.phase + degrees(c)) }),
  },
  SuddenNetZeroPulse: {
    ...PULSE,
    shapeKey: (op, o) =>
      key(
        o,
        8,
        7,
        op.durationNs,
        op.amp_A,
        op.amp_B,
        op.net_zero_A_scale,
        op.t_pulse,
        op.t_phi,
        op.t_integral_correction,
      ),
    scale: (op, c) => (isReal(c) ? { ...op, amp_A: nz(op.amp_A * c.re) } : null),
  },
  SkewedHermitePulse: {
    ...PULSE,
    shapeKey: (op, o) => key(o, 5, 8, op.durationNs, op.amplitude, op.skewness, op.phase),
    scale: (op, c) => ({ ...op, amplitude: nz(op.amplitude * magnitude(c)), phase: nz(op.phase + degrees(c)) }),
  },
  NumericalPulse: {
    ...PULSE,
    shapeKey: (op: Pulse<"NumericalPulse">) =>
      `${op.durationNs}|${op.interpolation}|${op.samples_re.join(",")}|${op.samples_im?.join(",") ?? ""}|${op.t_samples.join(",")}`,
    scale: (op, c) => {
      const im = op.samples_im ?? op.samples_re.map(() => 0);
      return {
        ...op,
        samples_re: op.samples_re.map((r, k) => nz(r * c.re - im[k]! * c.im)),
        samples_im: op.samples_re.map((r, k) => nz(r * c.im + im[k]! * c.re)),
      };
    },
  },
};
