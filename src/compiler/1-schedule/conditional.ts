/**
 * Timing of the feedback operations (ConditionalOperation, RepeatUntilSuccess; docs/feedback.md):
 * their body is timed like a loop body; the operation lasts one body ("if") or `max_repetitions`
 * bodies ("repeat"), whatever the measured bits turn out to be.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import type { ConditionalOperationSpec, ConditionalResetSpec, FeedbackOperationSpec } from "../../schedule/feedback.js";
import type { BlockSpec, OperationSpec, ScheduleDocument, SubScheduleSpec } from "../../schedule/schema.js";
import type { ConditionalNode, IrNode } from "../ir/nodes.js";

export interface ResolvedConditional<B extends { nodes: IrNode[]; durationNs: number }> {
  kind: "conditional";
  /** the node without placement (id, start, body, label are filled where it is placed) */
  node: Omit<ConditionalNode, "id" | "startNs" | "body" | "label">;
  body: B;
  durationNs: number;
}

export function conditionalFromSpec<B extends { nodes: IrNode[]; durationNs: number }>(
  spec: Exclude<FeedbackOperationSpec, ConditionalResetSpec>,
  body: B,
  name: string,
  path: string,
): ResolvedConditional<B> {
  const early = body.nodes[0];
  if (early && early.startNs < 0) {
    throw new TimingError("NEGATIVE_START", `${spec.type} "${name}": its body starts ${-early.startNs} ns before it`, {
      path: `${path}/body`,
      hint: "time the body so that nothing starts before its first schedulable",
    });
  }
  if (body.durationNs <= 0) {
    throw new TimingError("EMPTY_CONDITIONAL", `${spec.type} "${name}" has a body of ${body.durationNs} ns`, {
      path: `${path}/body`,
      hint: "a conditional body needs a positive duration",
    });
  }
  const repeat = spec.type === "RepeatUntilSuccess";
  if (!repeat) checkOneCondition(spec, name, path);
  const maxRepetitions = repeat ? spec.max_repetitions : 1;
  return {
    kind: "conditional",
    node: {
      kind: "conditional",
      mode: repeat ? "repeat" : "if",
      triggerLabel: spec.qubit_name ?? "",
      value: (repeat ? spec.success_value : spec.value) ?? 1,
      ...(!repeat && spec.variable !== undefined
        ? {
            condition: {
              variable: spec.variable,
              comparison: spec.comparison ?? ">=",
              threshold: (spec.threshold ?? 0) >>> 0,
            },
          }
        : {}),
      maxRepetitions,
      bodyDurationNs: body.durationNs,
      name,
      path,
    },
    body,
    durationNs: maxRepetitions * body.durationNs,
  };
}

/**
 * ConditionalReset (quantify's name) → a nested Schedule: Measure gate (ThresholdedAcquisition,
 * feedback_trigger_label = the qubit), then `hardware_buffer_time` (default 536 ns: the multi-cast TB
 * latency plus the receiver's Q1 allowance, enough for any route) after its end a ConditionalOperation
 * with an X gate. Runs before the gates pass, which lowers both gates with the device. Blocks without
 * a ConditionalReset are returned as they are.
 */
export function expandConditionalResets(
  doc: ScheduleDocument,
  mode: "linq" | "trigger_network" = doc.feedback_mode ?? "linq",
): ScheduleDocument {
  return expandBlock(doc, mode === "trigger_network");
}

function expandBlock<T extends BlockSpec>(b: T, tn: boolean): T {
  let schedulables = b.schedulables;
  b.schedulables.forEach((item, i) => {
    if (typeof item.operation === "string") return;
    const op = expandOperation(item.operation, tn);
    if (op === item.operation) return;
    if (schedulables === b.schedulables) schedulables = b.schedulables.slice();
    schedulables[i] = { ...item, operation: op };
  });
  let operations = b.operations;
  for (const [key, spec] of Object.entries(b.operations ?? {})) {
    const op = expandOperation(spec, tn);
    if (op === spec) continue;
    if (operations === b.operations) operations = { ...b.operations };
    operations![key] = op;
  }
  return schedulables === b.schedulables && operations === b.operations ? b : { ...b, schedulables, operations };
}

function expandOperation(op: OperationSpec, tn: boolean): OperationSpec {
  switch (op.type) {
    case "LoopOperation":
    case "ConditionalOperation":
    case "RepeatUntilSuccess": {
      const body = expandBlock(op.body, tn);
      return body === op.body ? op : { ...op, body };
    }
    case "Schedule":
      return expandBlock(op, tn);
    case "ConditionalReset":
      return conditionalReset(op, tn);
    default:
      return op;
  }
}

/**
 * On the trigger network (`tn`, feedback_mode "trigger_network") ConditionalReset is quantify's: the
 * conditional X starts TRIGGER_DELAY = 364 ns after the measurement and is followed by 4 ns of
 * hardware buffer (the set_cond else-branch), so the reset lasts measure + 364 + X + 4 ns.
 */
function conditionalReset(r: ConditionalResetSpec, tn: boolean): SubScheduleSpec {
  const name = r.name ?? `ConditionalReset ${r.qubit}`;
  const measure: OperationSpec = {
    type: "Measure",
    name: `Measure ${r.qubit}`,
    qubit: r.qubit,
    acq_protocol: "ThresholdedAcquisition",
    feedback_trigger_label: r.qubit,
    ...(r.acq_channel !== undefined ? { acq_channel: r.acq_channel } : {}),
    ...(r.bin_mode !== undefined ? { bin_mode: r.bin_mode } : {}),
  };
  return {
    type: "Schedule",
    name,
    schedulables: [
      { operation: measure },
      {
        rel_time: r.hardware_buffer_time ?? (tn ? "364 ns" : "536 ns"),
        operation: {
          type: "ConditionalOperation",
          name: `${name}: X ${r.qubit} if 1`,
          qubit_name: r.qubit,
          body: { schedulables: [{ operation: { type: "X", qubit: r.qubit } }] },
        },
      },
      ...(tn ? [{ operation: { type: "IdlePulse" as const, duration: "4 ns" } }] : []),
    ],
  };
}

/**
 * A ConditionalOperation decides on a measured bit (qubit_name, value) or on a variable (variable,
 * comparison, threshold), not both: CONDITIONAL_BOTH_CONDITIONS names the fields that do not belong.
 */
function checkOneCondition(spec: ConditionalOperationSpec, name: string, path: string): void {
  if (spec.variable === undefined) {
    const extra = (["comparison", "threshold"] as const).filter((k) => spec[k] !== undefined);
    if (extra.length === 0) return;
    throw new ScheduleError(
      "CONDITIONAL_BOTH_CONDITIONS",
      `ConditionalOperation "${name}" gives ${extra.join(" and ")}, which only apply to a branch on a variable, but no "variable"${spec.qubit_name !== undefined ? ` (it branches on the bit of "${spec.qubit_name}")` : ""}`,
      {
        path: `${path}/${extra[0]}`,
        hint: `remove ${extra.map((k) => `"${k}"`).join(" and ")}, or give "variable" instead of "qubit_name"`,
      },
    );
  }
  const bitFields = (["qubit_name", "value"] as const).filter((k) => spec[k] !== undefined);
  if (bitFields.length === 0) return;
  throw new ScheduleError(
    "CONDITIONAL_BOTH_CONDITIONS",
    `ConditionalOperation "${name}" gives both "variable" ("${spec.variable}") and ${bitFields.map((k) => `"${k}"`).join(" and ")}; it branches either on a measured bit (qubit_name, value) or on a variable (variable, comparison, threshold)`,
    {
      path: `${path}/${bitFields[0]}`,
      hint: `remove ${bitFields.map((k) => `"${k}"`).join(" and ")} to branch on "${spec.variable}", or remove "variable" (and comparison / threshold) to branch on the measurement`,
    },
  );
}
