/**
 * Placing resolved operations on the time axis (1-schedule/timing.ts resolves, this file places):
 * an operation, a Composite's entries, a loop, a sweep, a conditional or a nested schedule becomes IR
 * nodes at an absolute start, labels prefixed with the enclosing schedulable's; the finished tree is
 * numbered once.
 */
import type { ScheduleOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, LoopNode, OpNode, SweepNode } from "../ir/nodes.js";
import type { ResolvedConditional } from "./conditional.js";

/** A (sub)schedule timed relative to its own start: nodes sorted by startNs. */
export interface Block {
  nodes: IrNode[];
  durationNs: number;
}

/** An operation, resolved once (library operations are cached per key). A lone primitive is its ScheduleOp. */
export type Resolved =
  | ScheduleOp
  | { kind: "ops"; ops: ScheduleOp[]; durationNs: number }
  | { kind: "loop"; repetitions: number; body: Block; name: string; path: string; durationNs: number }
  | { kind: "schedule"; block: Block; durationNs: number }
  | { kind: "sweep"; node: SweepNode; durationNs: number }
  | ResolvedConditional<Block>;

/** Operation duration = max over entries of t0 + duration (0 without entries), as quantify. */
export function operationDuration(ops: ScheduleOp[]): number {
  if (ops.length === 0) return 0;
  let d = -Infinity;
  for (const op of ops) d = Math.max(d, op.t0Ns + op.durationNs);
  return d;
}

/** Nodes get id −1 here; resolveTiming numbers the finished tree once (placed copies get their own ids). */
export function emit(out: IrNode[], r: Resolved, t: number, labelOrUndefined: string | undefined): void {
  const label = labelOrUndefined ?? null;
  if (!("kind" in r)) {
    out.push({ kind: "op", id: -1, startNs: t + r.t0Ns, op: r, label });
  } else if (r.kind === "ops") {
    for (const op of r.ops) out.push({ kind: "op", id: -1, startNs: t + op.t0Ns, op, label });
  } else if (r.kind === "loop") {
    const loop: LoopNode = {
      kind: "loop",
      id: -1,
      startNs: t,
      repetitions: r.repetitions,
      bodyDurationNs: r.body.durationNs,
      body: shifted(r.body.nodes, t, label),
      name: r.name,
      path: r.path,
      label,
    };
    out.push(loop);
  } else if (r.kind === "sweep") {
    out.push({ ...r.node, startNs: t, body: shifted(r.node.body, t, label), label });
  } else if (r.kind === "conditional") {
    const node: ConditionalNode = { ...r.node, id: -1, startNs: t, body: shifted(r.body.nodes, t, label), label };
    out.push(node);
  } else {
    for (const node of shifted(r.block.nodes, t, label)) out.push(node);
  }
}

/** Copies of `nodes` moved by `offset` ns, labels prefixed with the enclosing schedulable's label. */
function shifted(nodes: IrNode[], offset: number, prefix: string | null): IrNode[] {
  return nodes.map((node): IrNode => {
    const label = prefix === null ? node.label : node.label === null ? prefix : `${prefix}/${node.label}`;
    if (node.kind === "op")
      return { kind: "op", id: -1, startNs: node.startNs + offset, op: node.op, label } satisfies OpNode;
    return { ...node, startNs: node.startNs + offset, body: shifted(node.body, offset, prefix), label };
  });
}

/** Give every node of the finished tree its id, in document order (loops before their bodies). */
export function numberNodes(nodes: IrNode[], next: number): number {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    node.id = next++;
    if (node.kind !== "op") next = numberNodes(node.body, next);
  }
  return next;
}
