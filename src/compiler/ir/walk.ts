/**
 * The one walker over IR node trees. Passes that only read use `forEachOp`; passes that rewrite
 * operation lists use `mapOps`, which rebuilds loops around rewritten bodies and returns the input
 * array itself when nothing changed (so "unchanged" is cheap to detect and costs no copy).
 */
import type { IrNode, LoopNode, OpNode, SweepNode } from "./nodes.js";

/** The loops around a node, outermost first. */
export type LoopStack = readonly (LoopNode | SweepNode)[];

/** Call `visit` for every operation node in execution order of the first iteration (loop bodies in place). */
export function forEachOp(
  nodes: readonly IrNode[],
  visit: (node: OpNode, loops: LoopStack) => void,
  loops: LoopStack = [],
): void {
  // an index loop: a for-of runs an iterator (one result object per node until the loop is optimised)
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    switch (node.kind) {
      case "op":
        visit(node, loops);
        break;
      case "loop":
        forEachOp(node.body, visit, [...loops, node]);
        break;
      case "conditional":
        forEachOp(node.body, visit, loops);
        break;
      case "sweep":
        forEachOp(node.body, visit, [...loops, node]);
        break;
    }
  }
}

/** Whether `test` holds for some operation node (loop, sweep and conditional bodies included); stops at the first. */
export function someOp(nodes: readonly IrNode[], test: (node: OpNode) => boolean): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === "op" ? test(node) : someOp(node.body, test)) return true;
  }
  return false;
}

/**
 * Rewrite every list of sibling nodes (the top level and each loop body, innermost first): `rewrite`
 * gets a list whose loops already carry rewritten bodies and returns the list to use (or the same
 * array when it changes nothing).
 */
export function mapLists(nodes: IrNode[], rewrite: (list: IrNode[]) => IrNode[]): IrNode[] {
  let changed = false;
  let list = nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === "op") continue;
    const body = mapLists(node.body, rewrite);
    if (body === node.body) continue;
    if (!changed) {
      list = nodes.slice();
      changed = true;
    }
    list[i] = { ...node, body };
  }
  return rewrite(list);
}

/** Index of every node by id (loops and operations), for lookups from pass outputs keyed by id. */
export function nodesById(nodes: readonly IrNode[], out: Map<number, IrNode> = new Map()): Map<number, IrNode> {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    out.set(node.id, node);
    if (node.kind !== "op") nodesById(node.body, out);
  }
  return out;
}
