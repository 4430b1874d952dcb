/** Pairing of conditionals with the measurements they consume (2-plan/feedback.ts), and its errors. */
import { ScheduleError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, NodeId } from "../ir/nodes.js";
import { isAcquisition } from "../ops/index.js";
import type { Pair } from "./feedback-types.js";

/** Whether `nodes` hold a conditional (bodies included); reads node kinds only, no operation. */
export function hasConditionals(nodes: readonly IrNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind !== "op" && (n.kind === "conditional" || hasConditionals(n.body))) return true;
  }
  return false;
}

/** Pair conditionals with the measurements they consume, list by list (see the file comment). */
export function pairUp(nodes: readonly IrNode[], out: Pair[], counter: { next: number }, list: number): void {
  const latest = new Map<string, Pair["acq"]>();
  const consumed = new Map<string, { measurement: string; by: string }>();
  for (const n of nodes) {
    if (n.kind === "op") {
      const op = n.op;
      if (isAcquisition(op) && op.type === "ThresholdedAcquisition" && op.feedback_trigger_label !== null)
        latest.set(op.feedback_trigger_label, { id: n.id, op, startNs: n.startNs });
      continue;
    }
    pairUp(n.body, out, counter, counter.next++);
    if (n.kind !== "conditional") continue;
    if (n.mode === "if" && n.condition) {
      // a branch on a variable: nothing to pair (3-emit/feedback.ts compares the variable's register)
      checkNoAppend(n, n.body);
      continue;
    }
    if (n.mode === "if") {
      if (n.triggerLabel === "")
        throw new ScheduleError(
          "CONDITIONAL_WITHOUT_CONDITION",
          `ConditionalOperation "${n.name}" has neither a qubit_name (a measurement's bit) nor a variable`,
          { path: n.path, hint: 'give "qubit_name" (the feedback_trigger_label of a measurement) or "variable"' },
        );
      const acq = latest.get(n.triggerLabel);
      if (!acq) {
        const c = consumed.get(n.triggerLabel);
        if (c) throw resultConsumed(n, c.measurement, c.by, "linq");
        throw missingMeasurement(n, "earlier in the same schedule or loop body");
      }
      checkNoAppend(n, n.body);
      out.push({ acq, cond: n, popNs: n.startNs, list });
      latest.delete(n.triggerLabel);
      consumed.set(n.triggerLabel, { measurement: acq.op.name, by: n.name });
    } else {
      let acq: Pair["acq"] | undefined;
      for (const b of n.body) {
        if (b.kind !== "op") continue;
        const op = b.op;
        if (isAcquisition(op) && op.type === "ThresholdedAcquisition" && op.feedback_trigger_label === n.triggerLabel)
          acq = { id: b.id, op, startNs: b.startNs };
      }
      if (!acq) throw missingMeasurement(n, "in its body");
      if (acq.op.bin_mode === "append")
        throw new ScheduleError(
          "FEEDBACK_APPEND_IN_REPEAT",
          `measurement "${acq.op.name}" in RepeatUntilSuccess "${n.name}" uses bin_mode append, but the number of repetitions is only known at run time`,
          { path: acq.op.path, hint: 'use bin_mode "average" for measurements inside RepeatUntilSuccess' },
        );
      out.push({ acq, cond: n, popNs: n.startNs + n.bodyDurationNs, list });
    }
  }
}

/** An APPEND acquisition that may be skipped would shift every later bin of its channel. */
function checkNoAppend(cond: ConditionalNode, nodes: readonly IrNode[]): void {
  for (const b of nodes) {
    if (b.kind !== "op") {
      checkNoAppend(cond, b.body);
      continue;
    }
    if (isAcquisition(b.op) && b.op.bin_mode === "append")
      throw new ScheduleError(
        "FEEDBACK_APPEND_IN_CONDITIONAL",
        `acquisition "${b.op.name}" in ConditionalOperation "${cond.name}" uses bin_mode append, but it is skipped when the bit does not match, which would shift every later bin of acq_channel ${b.op.acq_channel}`,
        { path: b.op.path, hint: 'use bin_mode "average" for acquisitions inside a ConditionalOperation' },
      );
  }
}

/**
 * A ConditionalOperation whose label's latest measurement an earlier conditional already consumed
 * (one result, one consumer): FEEDBACK_RESULT_CONSUMED naming both conditionals.
 */
export function resultConsumed(
  n: { name: string; path: string; triggerLabel: string },
  measurement: string,
  by: string,
  mode: "linq" | "trigger_network",
): ScheduleError {
  return new ScheduleError(
    "FEEDBACK_RESULT_CONSUMED",
    `ConditionalOperation "${n.name}" depends on qubit_name "${n.triggerLabel}", but the result of the latest measurement with that label ("${measurement}") was already consumed by ConditionalOperation "${by}"; each result feeds one conditional${mode === "linq" ? " (one send, one fb_pop_data)" : " (one latch reset, one conditional)"}`,
    {
      path: n.path,
      hint: `measure again (a ThresholdedAcquisition with "feedback_trigger_label": "${n.triggerLabel}") between "${by}" and "${n.name}", or put both bodies into the one ConditionalOperation "${by}"`,
      details: { measurement, consumed_by: by },
    },
  );
}

function missingMeasurement(n: ConditionalNode, where: string): ScheduleError {
  const what = n.mode === "if" ? "ConditionalOperation" : "RepeatUntilSuccess";
  return new ScheduleError(
    "FEEDBACK_WITHOUT_MEASUREMENT",
    `${what} "${n.name}" depends on qubit_name "${n.triggerLabel}", but no ThresholdedAcquisition with feedback_trigger_label "${n.triggerLabel}" comes ${where}`,
    {
      path: n.path,
      hint: `add a ThresholdedAcquisition with "feedback_trigger_label": "${n.triggerLabel}" ${where}`,
    },
  );
}

export function index(
  nodes: readonly IrNode[],
  seq: number,
  acqs: Map<NodeId, number>,
  conds: Map<NodeId, number[]>,
): void {
  for (const n of nodes) {
    if (n.kind === "op") {
      if (isAcquisition(n.op)) acqs.set(n.id, seq);
      continue;
    }
    if (n.kind === "conditional") {
      const l = conds.get(n.id);
      if (l) {
        if (!l.includes(seq)) l.push(seq);
      } else conds.set(n.id, [seq]);
    }
    index(n.body, seq, acqs, conds);
  }
}

export function forEachAcquisition(nodes: readonly IrNode[], visit: (id: NodeId, op: AcquisitionOp) => void): void {
  for (const n of nodes) {
    if (n.kind === "op") {
      if (isAcquisition(n.op) && n.op.type !== "Trace") visit(n.id, n.op);
    } else forEachAcquisition(n.body, visit);
  }
}
