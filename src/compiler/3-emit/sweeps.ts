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
import { ScheduleError } from "../../core/errors.js";
import { imm, lbl, reg } from "../../q1/types.js";
import type { IrNode, NodeId, OpNode, SweepNode } from "../ir/nodes.js";
import { emitItem, type EmitContext, type EmitResult, type TimelineItem } from "../ops/index.js";
import { isAcquisition } from "../ops/index.js";
import type { OpRef } from "./builder.js";
import { type Ramp, value, waitRamp } from "./sweep-ramps.js";
import { lowerOperation, type Lowering, type SweepEmitRecord } from "./sweep-operations.js";

export type { SweepEmitRecord };

/** Registers of the bin of each AVERAGE acquisition inside register sweeps (outermost sweep owns them). */
const BIN_REGS = new WeakMap<EmitContext, Map<NodeId, number>>();
const OVERRIDES = new WeakMap<EmitContext, Map<NodeId, (item: TimelineItem, ctx: EmitContext) => EmitResult>>();

/** The emission of `item` when a register sweep drives it, or null for the operation's own handler. */
export function sweepOverride(item: TimelineItem, ctx: EmitContext): EmitResult | null {
  const f = OVERRIDES.get(ctx)?.get(item.id);
  return f ? f(item, ctx) : null;
}

/** The overrides registered on `ctx` so far (undefined when no register sweep was emitted on it). */
export function sweepOverrides(
  ctx: EmitContext,
): ReadonlyMap<NodeId, (item: TimelineItem, ctx: EmitContext) => EmitResult> | undefined {
  return OVERRIDES.get(ctx);
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
