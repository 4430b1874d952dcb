/**
 * Stage 1: absolute timing (reference 2.3, ASAP). Each (sub)schedule is timed on its own: missing
 * constraint fields default to "after the previously added schedulable" (ref_pt end, ref_pt_new start,
 * rel_time 0), schedulables are processed in topological order of their references, several
 * constraints take the latest start, and the first schedulable starts at 0. Nested schedules are
 * flattened into their parent (offset by their schedulable's start), loops become LoopNode nodes.
 * Only the top level is shifted when a start is negative.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import type { ScheduleOp } from "../../schedule/model.js";
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import { emit, numberNodes, operationDuration, type Block, type Resolved } from "./placement.js";
import { OverlapScan } from "./overlap.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { conditionalFromSpec } from "./conditional.js";
import { normalizePrimitive, type OpContext } from "../../schedule/normalize.js";
import { ClockTable, pointerKey } from "../../schedule/resources.js";
import type { BlockSpec, OperationSpec, PrimitiveSpec, ScheduleDocument } from "../../schedule/schema.js";
import { topologicalOrder } from "../../schedule/timing-order.js";
import { finishSweeps, resolveSweep, SweepContext } from "./sweep-timing.js";
import { isGateSpec } from "../../schedule/gates.js";
import { gateName } from "./gates.js";
import { opCopier, type OpCopier } from "./op-copy.js";
import { operationPath } from "./operation-paths.js";
import { labelIndex, labelOf } from "./timing-labels.js";
import { constraint, constraintsOf, type Constraint } from "./timing-constraints.js";

interface Scope {
  operations: Record<string, OperationSpec> | undefined;
  operationsPath: string;
  parent: Scope | null;
  cache: Map<string, Resolved>;
}

class TimingResolver {
  readonly clocks = new ClockTable();
  /** sweep parameters in scope and the references substituted (sweep-timing.ts) */
  readonly sweeps = new SweepContext();
  /** first op seen per clock, for the UNKNOWN_CLOCK message */
  private readonly clockUses = new Map<string, ScheduleOp>();
  private readonly inProgress = new Set<string>();
  /** clock of the last operation recorded in clockUses */
  private lastClock: string | null = null;
  /** port-clock keys for the overlap scans */
  private readonly keys = new PortClockKeys();
  /** no list placed so far has overlapping pulses on a port-clock (TimedSchedule.overlapFree) */
  overlapFree = true;
  /** Sweep operations resolved (none: finishSweeps has no SweepNode to find) */
  sweepsSeen = 0;
  /** the operation types normalised (TimedSchedule.opTypes), and the last one added */
  readonly opTypes = new Set<ScheduleOp["type"]>();
  private lastType: string | null = null;
  /** Composites normalised so far (by spec object; never while a sweep is active: its values vary per use) */
  private readonly composites = new Map<
    OperationSpec,
    { ops: readonly ScheduleOp[]; suffixes: readonly string[]; copiers: OpCopier[] | null; durationNs: number }
  >();

  block(spec: BlockSpec, path: string, parent: Scope | null, topLevel: boolean): Block {
    this.clocks.addAll(spec.resources, `${path}/resources`);
    const scope: Scope = {
      operations: spec.operations,
      operationsPath: `${path}/operations`,
      parent,
      cache: new Map(),
    };
    const items = spec.schedulables;
    const n = items.length;
    const labels = labelIndex(items, path);
    // Flat arrays: one schedulable costs no per-constraint objects (100k schedulables must stay cheap).
    const resolved: Resolved[] = new Array(n);
    const dur = new Float64Array(n);
    const ref0 = new Int32Array(n);
    const refPt0 = new Uint8Array(n);
    const refPtNew0 = new Uint8Array(n);
    const rel0 = new Float64Array(n);
    const extra = new Map<number, Constraint[]>(); // schedulables with more than one constraint
    const tmp: Constraint = { ref: -1, refPt: 2, refPtNew: 0, relNs: 0 };
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      const r = this.operation(item.operation, operationPath(path, i), scope);
      resolved[i] = r;
      dur[i] = "kind" in r ? r.durationNs : r.t0Ns + r.durationNs;
      if (item.timing_constraints === undefined) {
        constraint(item, item, i, path, -1, labels, this.sweeps, tmp);
        ref0[i] = tmp.ref;
        refPt0[i] = tmp.refPt;
        refPtNew0[i] = tmp.refPtNew;
        rel0[i] = tmp.relNs;
      } else {
        const list = constraintsOf(item, i, path, labels, this.sweeps);
        const c = list[0]!;
        ref0[i] = c.ref;
        refPt0[i] = c.refPt;
        refPtNew0[i] = c.refPtNew;
        rel0[i] = c.relNs;
        if (list.length > 1) extra.set(i, list);
      }
    }
    const result = topologicalOrder(ref0, extra);
    if ("cycle" in result) {
      const names = result.cycle.map((i) => labelOf(items, i));
      throw new TimingError(
        "CYCLIC_REFERENCE",
        `timing constraints form a cycle: ${[...names, names[0]].join(" → ")}`,
        {
          path: `${path}/schedulables/${result.cycle[0]}`,
          hint: "make every schedulable refer to one that can be timed before it",
          details: { labels: names },
        },
      );
    }
    const abs = new Float64Array(n);
    const order = result.order;
    for (let k = 1; k < n; k++) {
      const i = order[k]!;
      const r = ref0[i]!;
      // start = ref start + {0, d/2, d}[ref_pt] + rel_time − {0, d/2, d}[ref_pt_new]
      let t = (r < 0 ? 0 : abs[r]! + (refPt0[i]! * dur[r]!) / 2) + rel0[i]! - (refPtNew0[i]! * dur[i]!) / 2;
      const more = extra.size === 0 ? undefined : extra.get(i);
      if (more) {
        for (const c of more) {
          const start =
            (c.ref < 0 ? 0 : abs[c.ref]! + (c.refPt * dur[c.ref]!) / 2) + c.relNs - (c.refPtNew * dur[i]!) / 2;
          if (start > t) t = start;
        }
      }
      abs[i] = t;
    }
    let shift = 0;
    if (topLevel) for (let i = 0; i < n; i++) if (abs[i]! < shift) shift = abs[i]!;
    const nodes: IrNode[] = [];
    let durationNs = 0;
    // nodes are placed in schedulable order; while that is start order (the common case) the overlap
    // check of 1-schedule/stacking runs along (TimedSchedule.overlapFree), and no sort is needed
    const scan = new OverlapScan(this.keys);
    let sorted = true;
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      const t = abs[i]! - shift;
      if (!Number.isInteger(t)) {
        throw new TimingError(
          "OFF_GRID",
          `schedulable "${labelOf(items, i)}" would start at ${t} ns, which is not on the 1 ns grid`,
          {
            path: `${path}/schedulables/${i}`,
            hint: "times must be multiples of 1 ns (a center reference point halves an odd duration)",
          },
        );
      }
      if (t + dur[i]! > durationNs) durationNs = t + dur[i]!;
      const before = nodes.length;
      emit(nodes, resolved[i]!, smallInteger(t), items[i]!.label);
      for (let k = before; sorted && k < nodes.length; k++) {
        const node = nodes[k]!;
        if (node.startNs < last) sorted = false;
        else {
          last = node.startNs;
          if (!scan.overlap) scan.add(node);
        }
      }
    }
    if (!sorted) nodes.sort((a, b) => a.startNs - b.startNs);
    if (!sorted || scan.overlap) this.overlapFree = false; // an unsorted list is left to stacking's own check
    return { nodes, durationNs };
  }

  private operation(op: string | OperationSpec, path: string, scope: Scope): Resolved {
    if (typeof op !== "string") return this.spec(op, path, op.name ?? op.type, scope);
    for (let s: Scope | null = scope; s; s = s.parent) {
      const spec = s.operations?.[op];
      if (spec === undefined) continue;
      const hit = s.cache.get(op);
      if (hit) return hit;
      const at = `${s.operationsPath}/${pointerKey(op)}`;
      if (this.inProgress.has(at)) {
        throw new ScheduleError("RECURSIVE_OPERATION", `operation "${op}" contains itself`, {
          path: at,
          hint: "a schedule cannot include itself",
        });
      }
      this.inProgress.add(at);
      const refsBefore = this.sweeps.refsUsed;
      const r = this.spec(spec, at, spec.name ?? op, s);
      this.inProgress.delete(at);
      if (this.sweeps.refsUsed === refsBefore) s.cache.set(op, r); // values of sweep parameters differ per use

      return r;
    }
    const known = new Set<string>();
    for (let s: Scope | null = scope; s; s = s.parent) for (const k of Object.keys(s.operations ?? {})) known.add(k);
    throw new ScheduleError("UNKNOWN_OPERATION_KEY", `operation "${op}" is not defined in operations`, {
      path,
      hint: known.size
        ? `define it under "operations" or use one of: ${[...known].join(", ")}`
        : `define it under "operations"`,
    });
  }

  private spec(spec: OperationSpec, path: string, name: string, scope: Scope): Resolved {
    switch (spec.type) {
      case "Composite": {
        // a gate lowered once and placed many times: normalised once, each placement a copy with its own path
        const hit = this.sweeps.isActive ? undefined : this.composites.get(spec);
        if (hit) {
          const copiers = (hit.copiers ??= hit.ops.map(opCopier)); // on the first reuse: most gates are placed once
          // a one-operation gate (X, Rxy, Reset) is placed as its operation: same start, same duration
          if (hit.ops.length === 1) return copiers[0]!(hit.ops[0]!, path + hit.suffixes[0]!);
          const ops: ScheduleOp[] = new Array(hit.ops.length);
          for (let j = 0; j < ops.length; j++) ops[j] = copiers[j]!(hit.ops[j]!, path + hit.suffixes[j]!);
          return { kind: "ops", ops, durationNs: hit.durationNs };
        }
        const ops: ScheduleOp[] = [];
        const suffixes: string[] = [];
        spec.pulse_info?.forEach((p, j) => {
          suffixes.push(`/pulse_info/${j}`);
          ops.push(this.primitive(p, `${path}/pulse_info/${j}`, spec.name));
        });
        spec.acquisition_info?.forEach((a, j) => {
          suffixes.push(`/acquisition_info/${j}`);
          ops.push(this.primitive(a, `${path}/acquisition_info/${j}`, spec.name));
        });
        const durationNs = operationDuration(ops);
        if (!this.sweeps.isActive) this.composites.set(spec, { ops, suffixes, copiers: null, durationNs });
        return { kind: "ops", ops, durationNs };
      }
      case "LoopOperation": {
        const body = this.block(spec.body, `${path}/body`, scope, false);
        const early = body.nodes[0];
        if (early && early.startNs < 0) {
          throw new TimingError(
            "NEGATIVE_START",
            `loop "${name}": its body starts ${-early.startNs} ns before the loop`,
            { path: `${path}/body`, hint: "time the loop body so that nothing starts before its first schedulable" },
          );
        }
        return {
          kind: "loop",
          repetitions: spec.repetitions,
          body,
          name,
          path,
          durationNs: spec.repetitions * body.durationNs,
        };
      }
      case "Schedule": {
        const block = this.block(spec, path, scope, false);
        return { kind: "schedule", block, durationNs: block.durationNs };
      }
      case "Sweep": {
        this.sweepsSeen++;
        const libraries: unknown[] = [];
        for (let s: Scope | null = scope; s; s = s.parent) if (s.operations) libraries.push(s.operations);
        const node = resolveSweep(this.sweeps, spec, path, name, libraries, () =>
          this.block(spec.body, `${path}/body`, scope, false),
        );
        return { kind: "sweep", node, durationNs: node.durationNs };
      }
      case "ConditionalOperation":
      case "RepeatUntilSuccess":
        return conditionalFromSpec(spec, this.block(spec.body, `${path}/body`, scope, false), name, path);
      case "ConditionalReset":
        // expanded with the gates when a device is given (1-schedule/conditional.ts)
        throw new ScheduleError(
          "GATE_WITHOUT_DEVICE",
          `ConditionalReset "${name}" is gate-level and needs a device to compile`,
          {
            path,
            hint: "pass the device config: compile(schedule, hardware, { device }), or --device D.json to q1forge compile or q1forge run",
          },
        );
      default:
        if (isGateSpec(spec)) {
          // the 1-schedule/gates pass lowers gates when a device is given; without one they end here
          throw new ScheduleError(
            "GATE_WITHOUT_DEVICE",
            `gate "${spec.name ?? gateName(spec)}" (${spec.type}) needs a device to compile`,
            {
              path,
              hint: "pass the device config: compile(schedule, hardware, { device }), or --device D.json to q1forge compile or q1forge run",
            },
          );
        }
        return this.primitive(spec, path, name);
    }
  }

  /** The context of the operation being normalised (normalizePrimitive reads it during the call only). */
  private readonly ctx: OpContext = { path: "", name: "" };

  private primitive(raw: PrimitiveSpec, path: string, name: string): ScheduleOp {
    let op: ScheduleOp;
    const ctx = this.ctx;
    ctx.path = path;
    ctx.name = name;
    if (this.sweeps.isActive) {
      const { spec, refs } = this.sweeps.bind(raw, path);
      op = normalizePrimitive(spec, ctx);
      this.sweeps.record(op, refs);
    } else op = normalizePrimitive(raw, ctx); // outside sweeps: nothing to bind or record
    if (op.type !== this.lastType) {
      // operations mostly repeat the previous one's type: one identity compare, a set insert on a change
      this.opTypes.add(op.type);
      this.lastType = op.type;
    }
    if ("clock" in op && op.clock !== this.lastClock) {
      // operations mostly repeat the previous one's clock (recorded then)
      if (!this.clockUses.has(op.clock)) this.clockUses.set(op.clock, op);
      this.lastClock = op.clock;
    }
    return op;
  }

  checkClocks(): void {
    for (const [clock, op] of this.clockUses) {
      if (this.clocks.has(clock)) continue;
      throw new ScheduleError(
        "UNKNOWN_CLOCK",
        `operation "${op.name}" (${op.type}) uses clock "${clock}", which is not defined in resources`,
        {
          path: op.path,
          hint: `add it to resources with a freq, e.g. "resources": { "${clock}": { "freq": "6 GHz" } }`,
          details: { clock, operation: op.name },
        },
      );
    }
  }
}

/**
 * `t` (an integer read from a Float64Array, so a boxed double) as a small integer when it is one. The
 * nodes' `startNs` field then stays a small-integer field: a double field would box every node's start
 * in a heap number of its own (16 bytes more per node for the garbage collector to copy).
 */
function smallInteger(t: number): number {
  const i = t | 0;
  return i === t ? i : t;
}

/** Resolve absolute timing of a validated schedule document. */
export function resolveTiming(doc: ScheduleDocument): TimedSchedule {
  const resolver = new TimingResolver();
  const top = resolver.block(doc, "", null, true);
  resolver.checkClocks();
  const first = top.nodes[0];
  if (first && first.startNs < 0) {
    const what = first.kind === "op" ? `operation "${first.op.name}"` : `loop "${first.name}"`;
    throw new TimingError("NEGATIVE_START", `${what} would start at ${first.startNs} ns, before the schedule starts`, {
      path: first.kind === "op" ? first.op.path : first.path,
      hint: "a negative t0 or a nested schedule reaching before its own start cannot be played; shift it with rel_time",
    });
  }
  const nextNodeId = numberNodes(top.nodes, 0);
  if (resolver.sweepsSeen > 0) finishSweeps(top.nodes, resolver.sweeps);
  return {
    name: doc.name,
    repetitions: doc.repetitions ?? 1,
    durationNs: top.durationNs,
    clocks: resolver.clocks.clocks,
    nodes: top.nodes,
    nextNodeId,
    opTypes: [...resolver.opTypes],
    overlapFree: resolver.overlapFree,
  };
}
