/**
 * The register form of one operation inside a register sweep (3-emit/sweeps.ts drives): gains,
 * offsets, frequency, phase or a wait taken from sweep registers, with the values each point plays.
 */
import { FrequencyError, ScheduleError } from "../../core/errors.js";
import {
  encodeFrequency,
  encodeGain,
  encodeOffset,
  encodePhase,
  NCO_PHASE_STEPS_PER_TURN,
} from "../../q1/encodings.js";
import { imm, reg } from "../../q1/types.js";
import type { NodeId, OpNode, SweepNode } from "../ir/nodes.js";
import type { EmitContext, EmitResult, TimelineItem } from "../ops/index.js";
import { checkNcoSpacing, debugMarkerOff, debugMarkerOn, encoded } from "../ops/emit-context.js";
import type { OpRef } from "./builder.js";
import { BIAS, type Ramp, value, codeRamp } from "./sweep-ramps.js";

/** What the register lowering of one sweep parameter cost on one sequencer, and the values it plays. */
export interface SweepEmitRecord {
  /** the sweep node (original id) */
  node: NodeId;
  param: number;
  instructions: number;
  registers: number;
  /** the values played per point (parameter units; time in ns), or null when no operation on this sequencer uses it */
  actual: number[] | null;
}

export interface Lowering {
  node: SweepNode;
  by: OpRef;
  records: SweepEmitRecord[];
  /** registers to advance after the body: register, increment, parameter */
  steps: { r: number; inc: number; param: number }[];
  owned: number[];
}

/** The override of one operation driven by sweep parameters; registers are set up before the loop. */
export function lowerOperation(
  item: OpNode,
  bds: SweepNode["bindings"],
  low: Lowering,
  ctx: EmitContext,
  alloc: (k: number) => number,
  count: (k: number, f: () => void) => void,
): (item: TimelineItem, ctx: EmitContext) => EmitResult {
  const b = ctx.b;
  const node = low.node;
  const n = node.repetitions;
  const op = item.op;
  const k = bds[0]!.param;
  const p = node.params[k]!;
  const v = (i: number): number => p.values[i]!;
  const setActual = (a: number[]): void => {
    low.records[k]!.actual ??= a;
  };
  /** a fixed ramp's register and the register holding its decoded value */
  const fixedPath = (
    exact: (i: number) => number,
    code: (i: number) => number,
    what: string,
  ): { acc: number; out: number; ramp: Ramp } => {
    const step = n > 1 ? (exact(n - 1) - exact(0)) / (n - 1) : 0;
    const ramp = codeRamp(exact(0), step, n, code(0), code(n - 1));
    const acc = alloc(k);
    const out = alloc(k);
    count(k, () => b.emit("move", [imm(ramp.init), reg(acc)], `sweep "${node.name}": ${what}`, op));
    if (ramp.inc !== 0) low.steps.push({ r: acc, inc: ramp.inc, param: k });
    return { acc, out, ramp };
  };
  const constPath = (code: number, what: string): number => {
    const r = alloc(k);
    count(k, () => b.emit("move", [imm(code), reg(r)], `sweep "${node.name}": ${what}`, op));
    return r;
  };
  const decode = (path: { acc: number; out: number }): void => {
    b.emit("asr", [reg(path.acc), imm(16), reg(path.out)], undefined, op);
    b.emit("sub", [reg(path.out), imm(BIAS), reg(path.out)], undefined, op);
  };

  if (op.type === "SetClockFrequency") {
    if (!ctx.freq.ncoEnabled || ctx.freq.ifHz === null) {
      throw new FrequencyError(
        "NCO_DISABLED",
        `sweep "${node.name}" sets the frequency of ${ctx.seq.route.portClock}, but the sequencer's NCO is disabled`,
        { path: p.path, hint: "remove interm_freq: 0 for this port-clock to enable the NCO" },
      );
    }
    const ifHz = ctx.freq.ifHz;
    const scale = bds[0]!.scale;
    const hz = (x: number): number => ifHz + scale * x - ctx.freq.clockHz;
    const first = encoded(encodeFrequency, hz(v(0)), "NCO frequency", { name: `sweep "${node.name}"`, path: p.path });
    const inc = n > 1 ? Math.round(((hz(v(n - 1)) - hz(v(0))) * 4) / (n - 1)) : 0;
    encoded(encodeFrequency, (first + (n - 1) * inc) / 4, "NCO frequency", {
      name: `sweep "${node.name}"`,
      path: p.path,
    });
    const r = alloc(k);
    count(k, () => b.emit("move", [imm(first), reg(r)], `sweep "${node.name}": ${p.name} (NCO ${hz(v(0))} Hz)`, op));
    if (inc !== 0) low.steps.push({ r, inc, param: k });
    setActual(Array.from({ length: n }, (_, i) => ((first + i * inc) / 4 - ifHz + ctx.freq.clockHz) / scale));
    return (it, c) => {
      checkNcoSpacing(c, it.startNs, "frequency", op);
      count(k, () => b.emit("set_freq", [reg(r)], `${op.name}: ${p.name}`, op));
      return "needs-update";
    };
  }
  if (op.type === "ShiftClockPhase") {
    const scale = bds[0]!.scale;
    const first = encodePhase(scale * v(0));
    const inc = n > 1 ? Math.round((scale * (v(n - 1) - v(0)) * NCO_PHASE_STEPS_PER_TURN) / 360 / (n - 1)) : 0;
    const r = alloc(k);
    count(k, () => b.emit("move", [imm(first), reg(r)], `sweep "${node.name}": ${p.name} (phase steps)`, op));
    if (inc !== 0) low.steps.push({ r, inc, param: k });
    setActual(Array.from({ length: n }, (_, i) => ((first + i * inc) * 360) / NCO_PHASE_STEPS_PER_TURN / scale));
    return (it, c) => {
      checkNcoSpacing(c, it.startNs, "phase", op);
      count(k, () => b.emit("set_ph_delta", [reg(r)], `${op.name}: ${p.name}`, op));
      return "needs-update";
    };
  }
  if (op.type === "VoltageOffset") {
    const paths = (["offset_path_I", "offset_path_Q"] as const).map((f) => {
      const bd = bds.find((x) => x.field === f);
      if (!bd) return { const: constPath(encoded(encodeOffset, op[f], f, op), `${f} (constant)`) };
      const code = (i: number): number => encoded(encodeOffset, bd.scale * v(i), f, op);
      const path = fixedPath((i) => bd.scale * v(i) * BIAS, code, `${p.name} → ${f}`);
      if (!low.records[k]!.actual)
        setActual(Array.from({ length: n }, (_, i) => value(path.ramp, i) / BIAS / bd.scale));
      return { path };
    });
    return () => {
      count(k, () => {
        for (const x of paths) if ("path" in x) decode(x.path!);
        const regs = paths.map((x) => ("path" in x ? x.path!.out : x.const!));
        b.emit("set_awg_offs", [reg(regs[0]!), reg(regs[1]!)], `${op.name}: ${p.name}`, op);
      });
      return "needs-update";
    };
  }
  // a waveform pulse: gains proportional to the parameter (2-plan/sweeps.ts checked the shape is)
  const playIndex = ctx.waves.playOfNode[item.id] ?? -1;
  const play = playIndex < 0 ? null : ctx.waves.plays[playIndex]!;
  if (!play) {
    throw new ScheduleError(
      "SWEEP_PULSE_NOT_PLAYED",
      `sweep "${node.name}": pulse "${op.name}" has no waveform to scale`,
      {
        path: p.path,
        hint: "give the swept amplitude a non-zero value",
      },
    );
  }
  const ratio = (i: number): number => v(i) / p.nominal;
  const gains = [play.gain0, play.gain1];
  let best = Math.abs(gains[0]!) >= Math.abs(gains[1]!) ? 0 : 1;
  const paths = gains.map((g, j) => {
    if (g === 0) return { const: constPath(0, `gain path ${j} (constant)`) };
    const code = (i: number): number => encoded(encodeGain, g * ratio(i), `gain path ${j}`, op);
    return { path: fixedPath((i) => g * ratio(i) * BIAS, code, `${p.name} → gain path ${j}`), g };
  });
  const bp = paths[best]!;
  if ("path" in bp && bp.path) {
    const ramp = bp.path.ramp;
    const g = bp.g!;
    setActual(Array.from({ length: n }, (_, i) => ((value(ramp, i) / BIAS) * p.nominal) / g));
  } else best = -1;
  return (it, c) => {
    const part = (it as OpNode).op;
    if (part.type === "VoltageOffset") {
      // a long square (2-plan/long-pulses.ts): the offset takes the swept amplitude, then back to 0
      const on = part.offset_path_I !== 0 || part.offset_path_Q !== 0;
      count(k, () => {
        if (!on) {
          b.emit("set_awg_offs", [imm(0), imm(0)], `${op.name}: end of ${p.name} offset`, op);
          return;
        }
        for (const x of paths) if ("path" in x) decode(x.path!);
        const regs = paths.map((x) => ("path" in x ? x.path!.out : x.const!));
        b.emit("set_awg_offs", [reg(regs[0]!), reg(regs[1]!)], `${op.name}: ${p.name} as offset`, op);
      });
      return "needs-update";
    }
    const t = it.startNs;
    c.lastPlayEnd = { t: t + op.durationNs, by: op };
    debugMarkerOn(c, "play", op);
    count(k, () => {
      for (const x of paths) if ("path" in x) decode(x.path!);
      const regs = paths.map((x) => ("path" in x ? x.path!.out : x.const!));
      b.emit("set_awg_gain", [reg(regs[0]!), reg(regs[1]!)], `${op.name}: ${p.name}`, op);
    });
    b.emitRt("play", [imm(play.wave0), imm(play.wave1)], 4, `play ${op.name} (${op.durationNs} ns)`, op);
    debugMarkerOff(c, op);
    c.lastGain = null;
    return "done";
  };
}
