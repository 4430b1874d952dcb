/**
 * Register-loop emission of a sweep dimension (docs/sweeps.md). Before the loop: the point counter and
 * each parameter's register initialised; in the body the bound operations take their value from
 * registers (`set_awg_gain R,R` + play, `set_awg_offs R,R`, `set_freq R`, `set_ph_delta R`,
 * `wait R`); after the body one `add`/`sub` per register advances it by a constant increment. The
 * instruction count does not depend on the number of points.
 *
 * Gains and offsets are ramped in 16.16 fixed point with a bias (the register holds
 * (value + 32768)·2^16 + 2^15, `asr 16` and `sub 32768` recover the value), so the end points are
 * exactly the values the unrolled program would encode; frequencies and phases step by the rounded
 * increment (their quantum is far below any useful step). The values the program actually plays are
 * computed here with the same integer arithmetic and reported as the sweep coordinates.
 */
import { FrequencyError, ScheduleError } from "../../core/errors.js";
import {
  encodeFrequency,
  encodeGain,
  encodeOffset,
  encodePhase,
  NCO_PHASE_STEPS_PER_TURN,
} from "../../q1/encodings.js";
import { imm, lbl, reg } from "../../q1/types.js";
import type { IrNode, NodeId, OpNode, SweepNode } from "../ir/nodes.js";
import { emitItem, type EmitContext, type EmitResult, type TimelineItem } from "../ops/index.js";
import { checkNcoSpacing, debugMarkerOff, debugMarkerOn, encoded } from "../ops/emit-context.js";
import { isAcquisition } from "../ops/index.js";
import type { OpRef } from "./builder.js";

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

const FIXED = 65536;
const BIAS = 32768;

/** An integer sequence v_i = value(i), realised by one register and a constant increment. */
interface Ramp {
  fixed: boolean;
  init: number;
  inc: number;
  bias: number;
}

function value(r: Ramp, i: number): number {
  const acc = r.init + i * r.inc;
  return r.fixed ? Math.floor(acc / FIXED) - r.bias : acc;
}

/** Fixed-point ramp through exactly `first` and `last` (16-bit gain / offset codes). */
function fixedRamp(first: number, last: number, n: number, bias: number): Ramp {
  return {
    fixed: true,
    init: (first + bias) * FIXED + FIXED / 2,
    inc: n > 1 ? Math.round(((last - first) * FIXED) / (n - 1)) : 0,
    bias,
  };
}

/**
 * The codes round(x_i) of x_i = first + i·step (exact reals), as the unrolled program encodes them,
 * when they stay within the 16-bit range; otherwise (a value encodes to the clamped 32767) the ramp
 * through the encoded end points.
 */
function codeRamp(firstExact: number, stepExact: number, n: number, firstCode: number, lastCode: number): Ramp {
  const init = Math.floor((firstExact + BIAS + 0.5) * FIXED);
  const inc = Math.round(stepExact * FIXED);
  const r: Ramp = { fixed: true, init, inc, bias: BIAS };
  const lo = Math.min(value(r, 0), value(r, n - 1));
  const hi = Math.max(value(r, 0), value(r, n - 1));
  const ok = init >= 0 && init + (n - 1) * inc >= 0 && init + (n - 1) * inc < 2 ** 32 && lo >= -BIAS && hi < BIAS;
  return ok ? r : fixedRamp(firstCode, lastCode, n, BIAS);
}

/** Direct ramp when the step is a whole number of codes, else fixed point (waits). */
function waitRamp(first: number, last: number, n: number): Ramp {
  if (n === 1 || (last - first) % (n - 1) === 0)
    return { fixed: false, init: first, inc: n > 1 ? (last - first) / (n - 1) : 0, bias: 0 };
  return fixedRamp(first, last, n, 0);
}

/** Per-sweep-node emission state. */
interface Lowering {
  node: SweepNode;
  by: OpRef;
  records: SweepEmitRecord[];
  /** registers to advance after the body: register, increment, parameter */
  steps: { r: number; inc: number; param: number }[];
  owned: number[];
}

/** Registers of the bin of each AVERAGE acquisition inside register sweeps (outermost sweep owns them). */
const BIN_REGS = new WeakMap<EmitContext, Map<NodeId, number>>();
const OVERRIDES = new WeakMap<EmitContext, Map<NodeId, (item: TimelineItem, ctx: EmitContext) => EmitResult>>();

/** The emission of `item` when a register sweep drives it, or null for the operation's own handler. */
export function sweepOverride(item: TimelineItem, ctx: EmitContext): EmitResult | null {
  const f = OVERRIDES.get(ctx)?.get(item.id);
  return f ? f(item, ctx) : null;
}

/** Records of every register sweep emitted on the sequencer of `ctx`. */
const RECORDS = new WeakMap<EmitContext, SweepEmitRecord[]>();
export function sweepRecords(ctx: EmitContext): SweepEmitRecord[] {
  return RECORDS.get(ctx) ?? [];
}

export function emitSweep(
  node: SweepNode,
  ctx: EmitContext,
  emitNodes: (nodes: IrNode[], ctx: EmitContext) => void,
): void {
  const b = ctx.b;
  const by: OpRef = { name: node.name, path: node.path };
  b.currentNode = node.id;
  b.waitUntil(node.startNs, by, "sweep");
  const origin = node.origin ?? node.id;
  const n = node.repetitions;
  let records = RECORDS.get(ctx);
  if (!records) RECORDS.set(ctx, (records = []));
  let overrides = OVERRIDES.get(ctx);
  if (!overrides) OVERRIDES.set(ctx, (overrides = new Map()));
  let bins = BIN_REGS.get(ctx);
  const outermost = !bins;
  if (!bins) BIN_REGS.set(ctx, (bins = new Map()));
  const low: Lowering = {
    node,
    by,
    records: node.params.map((_, k) => ({ node: origin, param: k, instructions: 0, registers: 0, actual: null })),
    steps: [],
    owned: [],
  };
  const alloc = (k: number): number => {
    const p = node.params[k]!;
    const r = b.registers.allocate({ name: `sweep "${node.name}" parameter "${p.name}"`, path: p.path });
    low.owned.push(r);
    low.records[k]!.registers++;
    return r;
  };
  const count = (k: number, f: () => void): void => {
    const before = b.count;
    f();
    low.records[k]!.instructions += b.count - before;
  };

  // the point counter (charged to the first parameter)
  const counter = alloc(0);
  const names = node.params.map((p) => p.name).join(", ");
  const label = `sweep${node.id}`;
  count(0, () =>
    b.emit("move", [imm(n), reg(counter)], `iterator for sweep "${node.name}" (${names}), ${n} points`, by),
  );

  // bound operations on this sequencer
  const ops = new Map<NodeId, OpNode>();
  const acqs: OpNode[] = [];
  const index = (nodes: readonly IrNode[], inLoop: boolean): void => {
    for (const x of nodes) {
      if (x.kind === "op") {
        ops.set(x.id, x);
        if (!isAcquisition(x.op)) continue;
        const ch = ctx.channelOf.get(x.op.acq_channel);
        if (inLoop && ch?.binMode === "average" && x.op.type !== "Trace") {
          throw new ScheduleError(
            "SWEEP_AVERAGE_IN_LOOP",
            `sweep "${node.name}": AVERAGE acquisition "${x.op.name}" sits in a LoopOperation inside the sweep, whose repetitions would each take a bin`,
            { path: x.op.path, hint: "move the LoopOperation around the Sweep, or use bin_mode append" },
          );
        }
        acqs.push(x);
      } else index(x.body, inLoop || x.kind === "loop");
    }
  };
  index(node.body, false);
  const mine: NodeId[] = [];
  const byNode = new Map<NodeId, typeof node.bindings>();
  for (const bd of node.bindings) {
    if (!ops.has(bd.node)) continue;
    const l = byNode.get(bd.node);
    if (l) l.push(bd);
    else byNode.set(bd.node, [bd]);
  }
  for (const [id, bds] of byNode) {
    const item = ops.get(id)!;
    if (overrides.has(id)) {
      throw new ScheduleError(
        "SWEEP_OPERATION_IN_TWO_SWEEPS",
        `operation "${item.op.name}" refers to parameters of two nested sweeps (inner sweep "${node.name}")`,
        { path: item.op.path, hint: "drive each operation from the parameters of one sweep (zip them)" },
      );
    }
    const f = lowerOperation(item, bds, low, ctx, alloc, count);
    overrides.set(id, f);
    mine.push(id);
  }

  // the duration parameter: `wait R` at the split point
  let waitReg: { out: number; ramp: Ramp; k: number; acc: number } | null = null;
  let extraNs = 0;
  if (node.shift) {
    const k = node.shift.param;
    const p = node.params[k]!;
    const ramp = waitRamp(p.values[0]! - p.nominal, p.values[n - 1]! - p.nominal, n);
    const acc = alloc(k);
    const out = ramp.fixed ? alloc(k) : acc;
    count(k, () => b.emit("move", [imm(ramp.init), reg(acc)], `sweep "${node.name}": ${p.name} (ns)`, p));
    if (ramp.inc !== 0) low.steps.push({ r: acc, inc: ramp.inc, param: k });
    const actual = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      actual[i] = value(ramp, i) + p.nominal;
      extraNs += actual[i]! - p.nominal;
      if (actual[i]! - p.nominal < 4 || actual[i]! - p.nominal > 65535) {
        throw new ScheduleError(
          "SWEEP_WAIT_OUT_OF_RANGE",
          `sweep "${node.name}": parameter "${p.name}" waits ${actual[i]! - p.nominal} ns at point ${i}; a register wait takes 4..65535 ns`,
          { path: p.path, hint: "keep the swept duration within 4 ns .. 65535 ns" },
        );
      }
    }
    low.records[k]!.actual = actual;
    waitReg = { out, ramp, k, acc };
  }

  // AVERAGE acquisition bins: one register per acquisition, from its first bin, +1 per point
  const ownedBins: number[] = [];
  for (const a of acqs) {
    const op = a.op;
    if (!isAcquisition(op) || bins.has(a.id)) continue;
    const ch = ctx.channelOf.get(op.acq_channel);
    if (!ch || ch.binMode !== "average" || op.type === "Trace") continue;
    const r = b.registers.allocate({ name: `sweep "${node.name}" bins of "${op.name}"`, path: op.path });
    ownedBins.push(r);
    bins.set(a.id, r);
    b.emit("move", [imm(ch.binOfNode[a.id]!), reg(r)], `sweep "${node.name}": first bin of ${op.name}`, by);
    const binReg = r;
    overrides.set(a.id, (item, c) => {
      const prev = c.binRegister.get(op.acq_channel);
      c.binRegister.set(op.acq_channel, binReg);
      try {
        return emitItem(item as OpNode, c);
      } finally {
        if (prev === undefined) c.binRegister.delete(op.acq_channel);
        else c.binRegister.set(op.acq_channel, prev);
      }
    });
    mine.push(a.id);
  }

  b.currentNode = node.id;
  b.label(label);
  b.enterLoop();
  ctx.lastGain = null;
  if (waitReg) {
    const split = node.startNs + node.shift!.splitNs;
    const before = node.body.filter((x) => x.startNs < split);
    const after = node.body.filter((x) => x.startNs >= split);
    emitNodes(before, ctx);
    b.currentNode = node.id;
    b.waitUntil(split, by, "swept wait of");
    const w = waitReg;
    const p = node.params[w.k]!;
    count(w.k, () => {
      if (w.ramp.fixed) b.emit("asr", [reg(w.acc), imm(16), reg(w.out)], undefined, p);
      b.emitRtRegister("wait", [reg(w.out)], `sweep "${node.name}": wait ${p.name}`, p);
    });
    emitNodes(after, ctx);
  } else emitNodes(node.body, ctx);
  b.currentNode = node.id;
  b.waitUntil(node.startNs + node.bodyDurationNs, by, "end of point of");
  for (const s of low.steps) {
    count(s.param, () => {
      if (s.inc > 0) b.emit("add", [reg(s.r), imm(s.inc), reg(s.r)], undefined, by);
      else b.emit("sub", [reg(s.r), imm(-s.inc), reg(s.r)], undefined, by);
    });
  }
  count(0, () => b.emit("loop", [reg(counter), lbl(label)], undefined, by));
  b.exitLoop(n);
  b.advance(extraNs);
  ctx.lastGain = null;
  for (const id of mine) overrides.delete(id);
  for (const r of low.owned.reverse()) b.registers.release(r);
  for (const r of ownedBins.reverse()) b.registers.release(r);
  if (outermost) BIN_REGS.delete(ctx);
  for (const rec of low.records) records.push(rec);
}

/** The override of one operation driven by sweep parameters; registers are set up before the loop. */
function lowerOperation(
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
