/**
 * Timing of the feedback operations (ConditionalOperation, RepeatUntilSuccess; docs/feedback.md):
 * their body is timed like a loop body; the operation lasts one body ("if") or `max_repetitions`
 * bodies ("repeat"), whatever the measured bits turn out to be.
 */
import { TimingError } from "../../core/errors.js";
import type { FeedbackOperationSpec } from "../../schedule/feedback.js";
import type { ConditionalNode, IrNode } from "../ir/nodes.js";

export interface ResolvedConditional<B extends { nodes: IrNode[]; durationNs: number }> {
  kind: "conditional";
  /** the node without placement (id, start, body, label are filled where it is placed) */
  node: Omit<ConditionalNode, "id" | "startNs" | "body" | "label">;
  body: B;
  durationNs: number;
}

export function conditionalFromSpec<B extends { nodes: IrNode[]; durationNs: number }>(
  spec: FeedbackOperationSpec,
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
  const maxRepetitions = repeat ? spec.max_repetitions : 1;
  return {
    kind: "conditional",
    node: {
      kind: "conditional",
      mode: repeat ? "repeat" : "if",
      triggerLabel: spec.qubit_name,
      value: (repeat ? spec.success_value : spec.value) ?? 1,
      maxRepetitions,
      bodyDurationNs: body.durationNs,
      name,
      path,
    },
    body,
    durationNs: maxRepetitions * body.durationNs,
  };
}
