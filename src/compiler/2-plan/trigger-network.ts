/**
 * Conditional playback over the trigger network, as quantify compiles it (docs/feedback.md, section
 * "Trigger network"; selected by the schedule's `feedback_mode: "trigger_network"`). The readout
 * sequencer writes the thresholded result of every acquisition to a trigger address (sequencer
 * settings `thresholded_acq_trigger_en / _address / _invert`); every sequencer that plays a
 * conditional body counts the triggers per address (`set_latch_en 1,4` in its header, `latch_rst 4`
 * 4 ns after each measurement it depends on starts, quantify's LatchReset) and plays the body under
 * `set_cond` (3-emit/trigger-network.ts).
 *
 * Pairing rule (as for LINQ): in each list of sibling nodes a ConditionalOperation consumes the latest
 * earlier ThresholdedAcquisition of the same list with its label. Addresses: one per label, from 1 in
 * the order conditionals first use them, shared by every cluster (quantify's counter); more than 15 is
 * an error. Timing: the conditional starts at least TRIGGER_DELAY_NS = 364 ns after the end of the
 * acquisition window (quantify's TRIGGER_DELAY; relative latency corrections included), and leaves 4 ns
 * free after its body (the else-branch of `set_cond`, quantify's hardware_buffer_time).
 */
import { ResourceLimitError, ScheduleError } from "../../core/errors.js";
import type { AcquisitionOp, InlineQ1AsmOp, ScheduleOp } from "../../schedule/model.js";
import type { IrNode, NodeId, OpNode, TimedSchedule } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { mapLists } from "../ir/walk.js";
import { isAcquisition } from "../ops/index.js";
import { resultConsumed } from "./feedback-pairing.js";
import {
  checkConditionals,
  checkResetConflicts,
  checkRoomForReset,
  checkTiming,
  checkTriggerSpacing,
  rejectLinqOperations,
} from "./trigger-network-checks.js";
import {
  LATCH_RESET_DELAY_NS,
  MAX_FEEDBACK_TRIGGER_ADDRESS,
  TRIGGER_OPERATOR,
  type Pair,
  type TriggerConditional,
  type TriggerNetworkResult,
} from "./trigger-network-types.js";

export {
  CONDITIONAL_BUFFER_NS,
  LATCH_RESET_DELAY_NS,
  MAX_CONDITIONAL_BODY_NS,
  MAX_FEEDBACK_TRIGGER_ADDRESS,
  TRIGGER_DELAY_NS,
  TRIGGER_OPERATOR,
  TRIGGER_REPEAT_NS,
  type FeedbackMode,
  type TriggerConditional,
  type TriggerNetworkPlan,
  type TriggerNetworkResult,
} from "./trigger-network-types.js";

export function planTriggerNetwork(
  timed: TimedSchedule,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
): TriggerNetworkResult {
  rejectLinqOperations(timed.nodes);
  const pairs: Pair[] = [];
  pairUp(timed.nodes, pairs, false);

  const seqOfAcq = new Map<NodeId, number>();
  const seqsOfCond = new Map<NodeId, number[]>();
  sequencers.forEach((seq, i) => index(seq.nodes, i, seqOfAcq, seqsOfCond));

  // one address per label, in the order conditionals use them
  const addressOf = new Map<string, number>();
  for (const p of pairs) {
    const label = p.cond.triggerLabel;
    if (addressOf.has(label)) continue;
    const address = addressOf.size + 1;
    if (address > MAX_FEEDBACK_TRIGGER_ADDRESS)
      throw new ResourceLimitError(
        "TRIGGER_NETWORK_ADDRESSES_EXHAUSTED",
        `ConditionalOperation "${p.cond.name}" needs a trigger address for label "${label}", but the ${MAX_FEEDBACK_TRIGGER_ADDRESS} trigger-network addresses (1–${MAX_FEEDBACK_TRIGGER_ADDRESS}) are taken by labels ${[...addressOf.keys()].map((l) => `"${l}"`).join(", ")}`,
        {
          path: p.cond.path,
          hint: 'use at most 15 distinct feedback_trigger_labels per schedule on the trigger network, or "feedback_mode": "linq" (LINQ has 255 ids)',
        },
      );
    addressOf.set(label, address);
  }

  // the readout side: one address per sequencer (the setting applies to all its acquisitions)
  const writeAddress: (number | null)[] = sequencers.map(() => null);
  const writer: (string | null)[] = sequencers.map(() => null);
  sequencers.forEach((seq, i) =>
    forEachThresholded(seq.nodes, (op) => {
      const a = op.feedback_trigger_label === null ? undefined : addressOf.get(op.feedback_trigger_label);
      if (a === undefined) return;
      if (op.feedback_valid === false)
        throw new ScheduleError(
          "FEEDBACK_VALID_TRIGGER_NETWORK",
          `measurement "${op.name}" on ${seq.key} sets "feedback_valid": false, but the trigger network has no validation bit (only LINQ thresholded bits carry one), so its conditionals would act on it`,
          {
            path: `${op.path}/feedback_valid`,
            hint: 'use "feedback_mode": "linq" (the default), or remove "feedback_valid" (or the ConditionalOperation that consumes it)',
          },
        );
      const prev = writeAddress[i];
      if (prev !== null && prev !== a)
        throw new ScheduleError(
          "TRIGGER_NETWORK_ONE_ADDRESS_PER_SEQUENCER",
          `measurements "${writer[i]}" and "${op.name}" on ${seq.key} share their results under different labels ("${labelOf(addressOf, prev!)}", "${op.feedback_trigger_label}"), but a readout sequencer writes all its thresholded results to one trigger address`,
          {
            path: op.path,
            hint: "measure each feedback_trigger_label on its own port-clock (sequencer), or use one label per sequencer",
          },
        );
      writeAddress[i] = a;
      writer[i] ??= op.name;
    }),
  );

  checkTriggerSpacing(timed, sequencers, writeAddress, latencyNs);

  const conditionals: Record<NodeId, TriggerConditional> = {};
  const reads = sequencers.map(() => new Set<number>());
  // latch resets per receiver: conditional id (the list they go in) → times
  const resets = sequencers.map(() => new Map<NodeId, { t: number; pair: Pair }[]>());
  for (const p of pairs) {
    const address = addressOf.get(p.cond.triggerLabel)!;
    const receivers = seqsOfCond.get(p.cond.id) ?? [];
    conditionals[p.cond.id] = {
      address,
      mask: 2 ** (address - 1),
      operator: p.cond.value === 1 ? TRIGGER_OPERATOR.OR : TRIGGER_OPERATOR.NOR,
      triggerLabel: p.cond.triggerLabel,
      measurement: p.acq.id,
    };
    const source = seqOfAcq.get(p.acq.id);
    for (const r of receivers) {
      const src = source === undefined ? undefined : sequencers[source]!;
      if (src && sequencers[r]!.cluster !== src.cluster)
        throw new ScheduleError(
          "TRIGGER_NETWORK_ACROSS_CLUSTERS",
          `ConditionalOperation "${p.cond.name}" on ${sequencers[r]!.key} (${sequencers[r]!.cluster}) depends on measurement "${p.acq.op.name}" on ${src.key} (${src.cluster}); the trigger network does not cross clusters`,
          { path: p.cond.path, hint: "route both qubits to modules of the same cluster" },
        );
      reads[r]!.add(address);
      checkTiming(p, source, r, sequencers, latencyNs);
      const l = resets[r]!.get(p.cond.id) ?? [];
      l.push({ t: p.acq.startNs + LATCH_RESET_DELAY_NS, pair: p });
      resets[r]!.set(p.cond.id, l);
    }
  }

  // insert the latch resets next to the conditionals, checking room and body rules per receiver
  let nextNodeId = timed.nextNodeId;
  const out = sequencers.map((seq, i) => {
    const mine = resets[i]!;
    if (mine.size === 0) return seq;
    checkConditionals(seq.nodes, timed.durationNs, mine, seq);
    const nodes = mapLists(seq.nodes, (list) => {
      const here: { t: number; pair: Pair }[] = [];
      for (const n of list) if (n.kind === "conditional") here.push(...(mine.get(n.id) ?? []));
      if (here.length === 0) return list;
      const times = [...new Set(here.map((x) => x.t))].sort((a, b) => a - b);
      checkResetConflicts(here, times, seq);
      const added: OpNode[] = times.map((t) => {
        const p = here.find((x) => x.t === t)!.pair;
        checkRoomForReset(list, t, p, seq);
        return {
          kind: "op",
          id: nextNodeId++,
          startNs: t,
          op: latchResetOp(p, seq),
          label: null,
        };
      });
      return mergeByStart(list, added);
    });
    // the latch resets are InlineQ1ASM operations: the noted types must say so (SequencerPlan.opTypes)
    const opTypes =
      seq.opTypes && !seq.opTypes.includes("InlineQ1ASM") ? [...seq.opTypes, "InlineQ1ASM" as const] : seq.opTypes;
    return { ...seq, nodes, ...(opTypes ? { opTypes } : {}) };
  });

  return {
    plan: {
      addresses: [...addressOf].map(([label, address]) => ({ label, address })),
      writeAddress,
      readAddresses: reads.map((s) => [...s].sort((a, b) => a - b)),
      conditionals,
    },
    sequencers: out,
    nextNodeId,
  };
}

function labelOf(addressOf: Map<string, number>, a: number): string {
  for (const [l, x] of addressOf) if (x === a) return l;
  return "?";
}

/** quantify's LatchReset: `latch_rst 4` on the conditional's sequencer (an inline block of one instruction). */
function latchResetOp(p: Pair, seq: SequencerPlan): InlineQ1AsmOp {
  return {
    type: "InlineQ1ASM",
    name: `LatchReset ${p.cond.triggerLabel}`,
    path: p.acq.op.path,
    t0Ns: 0,
    port: seq.route.port,
    clock: seq.route.clock,
    durationNs: 4,
    program: "latch_rst 4 # reset trigger count",
    safeLabels: true,
    waveforms: {},
  };
}

/** Pair conditionals with the measurements they consume, list by list (see the file comment). */
function pairUp(nodes: readonly IrNode[], out: Pair[], inConditional: boolean): void {
  const latest = new Map<string, Pair["acq"]>();
  const consumedBy = new Map<string, { measurement: string; by: string }>();
  for (const n of nodes) {
    if (n.kind === "op") {
      const op = n.op;
      if (isThresholded(op) && op.feedback_trigger_label !== null)
        latest.set(op.feedback_trigger_label, { id: n.id, op, startNs: n.startNs });
      continue;
    }
    if (n.kind !== "conditional" || n.condition) {
      if (inConditional)
        throw new ScheduleError(
          "TRIGGER_NETWORK_CONTROL_FLOW_IN_BODY",
          `${n.kind === "loop" ? "LoopOperation" : n.kind === "sweep" ? "Sweep" : "ConditionalOperation on a variable"} "${n.name}" is inside a ConditionalOperation body; on the trigger network every real-time instruction of a skipped body costs the 4 ns else-duration, which needs straight-line code (no loops or branches)`,
          { path: n.path, hint: 'unroll the loop in the conditional body, or use "feedback_mode": "linq"' },
        );
      pairUp(n.body, out, false);
      continue;
    }
    if (inConditional)
      throw new ScheduleError(
        "TRIGGER_NETWORK_NESTED_CONDITIONAL",
        `ConditionalOperation "${n.name}" is nested in another conditional body; nested conditional playback is not supported on the trigger network (quantify: "Nested conditional playback inside schedules is not supported by the Qblox backend")`,
        { path: n.path, hint: 'move it out of the enclosing ConditionalOperation, or use "feedback_mode": "linq"' },
      );
    if (n.mode === "repeat")
      throw new ScheduleError(
        "TRIGGER_NETWORK_REPEAT_UNSUPPORTED",
        `RepeatUntilSuccess "${n.name}" needs LINQ: the trigger network can only enable or skip real-time instructions, not branch the Q1 core`,
        { path: n.path, hint: 'use "feedback_mode": "linq" for repeat-until-success' },
      );
    pairUp(n.body, out, true);
    const acq = latest.get(n.triggerLabel);
    const consumed = acq ? undefined : consumedBy.get(n.triggerLabel);
    if (consumed) throw resultConsumed(n, consumed.measurement, consumed.by, "trigger_network");
    if (!acq)
      throw new ScheduleError(
        "FEEDBACK_WITHOUT_MEASUREMENT",
        `ConditionalOperation "${n.name}" depends on qubit_name "${n.triggerLabel}", but no ThresholdedAcquisition with feedback_trigger_label "${n.triggerLabel}" comes earlier in the same schedule or loop body`,
        {
          path: n.path,
          hint: `add a ThresholdedAcquisition with "feedback_trigger_label": "${n.triggerLabel}" earlier in the same schedule or loop body`,
        },
      );
    out.push({ acq, cond: n });
    latest.delete(n.triggerLabel);
    consumedBy.set(n.triggerLabel, { measurement: acq.op.name, by: n.name });
  }
}

function index(nodes: readonly IrNode[], seq: number, acqs: Map<NodeId, number>, conds: Map<NodeId, number[]>): void {
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

function forEachThresholded(nodes: readonly IrNode[], visit: (op: AcquisitionOp) => void): void {
  for (const n of nodes) {
    if (n.kind !== "op") forEachThresholded(n.body, visit);
    else if (isThresholded(n.op)) visit(n.op);
  }
}

/** The protocols whose thresholded result can go out on the trigger network (quantify: both). */
function isThresholded(op: ScheduleOp): op is AcquisitionOp {
  return isAcquisition(op) && (op.type === "ThresholdedAcquisition" || op.type === "WeightedThresholdedAcquisition");
}

/** Insert `added` (sorted) into `list` by start time, before nodes with the same start. */
function mergeByStart(list: readonly IrNode[], added: readonly OpNode[]): IrNode[] {
  const out: IrNode[] = [];
  let j = 0;
  for (const n of list) {
    while (j < added.length && added[j]!.startNs <= n.startNs) out.push(added[j++]!);
    out.push(n);
  }
  while (j < added.length) out.push(added[j++]!);
  return out;
}
