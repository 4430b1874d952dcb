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
import { ResourceLimitError, ScheduleError, TimingError } from "../../core/errors.js";
import type { AcquisitionOp, InlineQ1AsmOp, ScheduleOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, NodeId, OpNode, TimedSchedule } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { mapLists } from "../ir/walk.js";
import { isAcquisition, isParameterOp } from "../ops/index.js";
import { resultConsumed } from "./feedback-pairing.js";

export type FeedbackMode = "linq" | "trigger_network";

/** Minimum gap from the end of an acquisition window to a conditional on its result (quantify TRIGGER_DELAY). */
export const TRIGGER_DELAY_NS = 364;
/** Trigger addresses 1…15 (quantify MAX_FEEDBACK_TRIGGER_ADDRESS). */
export const MAX_FEEDBACK_TRIGGER_ADDRESS = 15;
/** The latch reset comes this long after the acquisition starts (quantify MAX_MIN_INSTRUCTION_WAIT). */
export const LATCH_RESET_DELAY_NS = 4;
/** Real time a conditional takes after its body: the else-branch wait skipped when the body played. */
export const CONDITIONAL_BUFFER_NS = 4;
/** The network carries one trigger at a time: it is free again this long after one left (reference §8.1). */
export const TRIGGER_REPEAT_NS = 252;
/** Longest conditional body: its else-branch must be one `wait` (quantify IMMEDIATE_MAX_WAIT_TIME). */
export const MAX_CONDITIONAL_BODY_NS = 65532;

/** set_cond operators (quantify FeedbackTriggerOperator). */
export const TRIGGER_OPERATOR = { OR: 0, NOR: 1, AND: 2, NAND: 3, XOR: 4, XNOR: 5 } as const;

export interface TriggerConditional {
  address: number;
  /** set_cond mask: 2^(address − 1) */
  mask: number;
  /** operator under which the body plays: OR (bit 1) or NOR (bit 0); the else-branch uses its negation */
  operator: 0 | 1;
  triggerLabel: string;
  /** the measurement it consumes */
  measurement: NodeId;
}

export interface TriggerNetworkPlan {
  /** trigger address of each label, in allocation order */
  addresses: { label: string; address: number }[];
  /** per sequencer (aligned with ProgramPlan.sequencers): the address its thresholded results go to, or null */
  writeAddress: (number | null)[];
  /** per sequencer: the addresses its conditionals read (ascending; non-empty → `set_latch_en 1,4`) */
  readAddresses: number[][];
  /** conditional node id → its condition */
  conditionals: Record<NodeId, TriggerConditional>;
}

export interface TriggerNetworkResult {
  plan: TriggerNetworkPlan;
  /** the sequencers with the latch resets inserted */
  sequencers: SequencerPlan[];
  nextNodeId: NodeId;
}

interface Pair {
  acq: { id: NodeId; op: AcquisitionOp; startNs: number };
  cond: ConditionalNode;
}

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
    return { ...seq, nodes };
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

/** Sending and receiving values (fb_com_data, fb_pop_data) is LINQ; the trigger network carries bits only. */
function rejectLinqOperations(nodes: readonly IrNode[]): void {
  for (const n of nodes) {
    if (n.kind !== "op") {
      rejectLinqOperations(n.body);
      continue;
    }
    if (n.op.type !== "SendFeedback" && n.op.type !== "ReceiveFeedback") continue;
    throw new ScheduleError(
      "TRIGGER_NETWORK_LINQ_ONLY",
      `${n.op.type} "${n.op.name}" sends or receives a value over LINQ, but the schedule's feedback_mode is "trigger_network", which carries only thresholded bits to ConditionalOperation`,
      { path: n.op.path, hint: 'use "feedback_mode": "linq" (the default) for SendFeedback / ReceiveFeedback' },
    );
  }
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

/** The trigger leaves at the end of the acquisition window and must be counted before the body starts. */
function checkTiming(
  p: Pair,
  source: number | undefined,
  r: number,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
): void {
  const endNs = p.acq.startNs + p.acq.op.durationNs;
  const sendNs = endNs + (source === undefined ? 0 : (latencyNs[source] ?? 0));
  const startNs = p.cond.startNs + (latencyNs[r] ?? 0);
  const missing = sendNs + TRIGGER_DELAY_NS - startNs;
  if (missing <= 0) return;
  throw new TimingError(
    "TRIGGER_NETWORK_TOO_EARLY",
    `ConditionalOperation "${p.cond.name}" starts at ${p.cond.startNs} ns on ${sequencers[r]!.key}, but the trigger of measurement "${p.acq.op.name}" (acquisition window ending at ${endNs} ns) can only be counted there ${TRIGGER_DELAY_NS} ns after the window ends (trigger-network latency, quantify's TRIGGER_DELAY), ${missing} ns later than scheduled`,
    {
      path: p.cond.path,
      hint: `start the ConditionalOperation at least ${TRIGGER_DELAY_NS} ns after the end of "${p.acq.op.name}" (rel_time ≥ ${TRIGGER_DELAY_NS} ns from its end)`,
      details: {
        measurement: p.acq.op.name,
        conditional: p.cond.name,
        min_gap_ns: TRIGGER_DELAY_NS,
        missing_ns: missing,
      },
    },
  );
}

/** What the else-branch arithmetic needs: a short, straight-line body without latched parameters. */
function checkBody(n: ConditionalNode, seq: SequencerPlan): void {
  if (n.bodyDurationNs > MAX_CONDITIONAL_BODY_NS)
    throw new TimingError(
      "TRIGGER_NETWORK_BODY_TOO_LONG",
      `ConditionalOperation "${n.name}" has a body of ${n.bodyDurationNs} ns; on the trigger network the body may last at most ${MAX_CONDITIONAL_BODY_NS} ns (its else-branch is one wait instruction)`,
      { path: n.path, hint: "split the body into several ConditionalOperations on the same measurement label" },
    );
  for (const b of n.body) {
    if (b.kind !== "op" || !isParameterOp(b.op)) continue;
    throw new ScheduleError(
      "TRIGGER_NETWORK_PARAMETER_IN_BODY",
      `"${b.op.name}" (${b.op.type}) in ConditionalOperation "${n.name}" on ${seq.key} is a latched parameter operation; when set_cond skips the body, its update would be applied by the next real-time instruction after the conditional`,
      {
        path: b.op.path,
        hint: 'keep offsets, clock and marker operations (and long square pulses, played as offsets) out of trigger-network conditional bodies, or use "feedback_mode": "linq"',
      },
    );
  }
}

/** Body rules and the 4 ns after each of this receiver's conditionals, list by list (`endNs`: the list's end). */
function checkConditionals(
  list: readonly IrNode[],
  endNs: number,
  mine: ReadonlyMap<NodeId, unknown>,
  seq: SequencerPlan,
): void {
  list.forEach((n, k) => {
    if (n.kind === "op") return;
    if (n.kind === "conditional") {
      if (!mine.has(n.id)) return;
      checkBody(n, seq);
      checkRoomAfter(n, list, k, endNs, seq);
      return;
    }
    // loops and sweeps: the first iteration's body ends at start + body duration
    checkConditionals(n.body, n.startNs + n.bodyDurationNs, mine, seq);
  });
}

function checkRoomAfter(
  n: ConditionalNode,
  list: readonly IrNode[],
  k: number,
  endOfList: number,
  seq: SequencerPlan,
): void {
  const free = n.startNs + n.bodyDurationNs + CONDITIONAL_BUFFER_NS;
  let next: IrNode | undefined;
  for (let j = k + 1; j < list.length; j++) {
    const x = list[j]!;
    if (x.kind === "op" && x.op.type === "IdlePulse") continue;
    next = x;
    break;
  }
  const busyAt = next ? next.startNs : endOfList;
  if (busyAt >= free) return;
  const what = next
    ? `"${next.kind === "op" ? next.op.name : next.name}" starts at ${next.startNs} ns`
    : `its schedule or loop body ends at ${endOfList} ns`;
  throw new TimingError(
    "TRIGGER_NETWORK_NO_ROOM_AFTER_CONDITIONAL",
    `ConditionalOperation "${n.name}" on ${seq.key} takes its body (${n.bodyDurationNs} ns) plus ${CONDITIONAL_BUFFER_NS} ns for the set_cond else-branch, until ${free} ns, but ${what}`,
    {
      path: n.path,
      hint: `leave ${CONDITIONAL_BUFFER_NS} ns free after the ConditionalOperation (e.g. an IdlePulse of 4 ns after it, as quantify's hardware_buffer_time)`,
    },
  );
}

/** The 4 ns of `latch_rst` must be free on the receiver. */
function checkRoomForReset(list: readonly IrNode[], t: number, p: Pair, seq: SequencerPlan): void {
  for (const n of list) {
    const end =
      n.kind === "op"
        ? n.startNs + 4
        : n.startNs +
          (n.kind === "sweep"
            ? n.durationNs
            : n.bodyDurationNs * (n.kind === "loop" ? n.repetitions : n.maxRepetitions));
    if (n.kind === "op" && n.op.type === "IdlePulse") continue;
    if (n.startNs < t + 4 && end > t) {
      const what = n.kind === "op" ? n.op.name : n.name;
      throw new TimingError(
        "TRIGGER_NETWORK_NO_ROOM_FOR_LATCH_RESET",
        `ConditionalOperation "${p.cond.name}" on ${seq.key} needs the trigger counters reset (latch_rst, 4 ns) at ${t} ns, ${LATCH_RESET_DELAY_NS} ns after measurement "${p.acq.op.name}" starts, but "${what}" occupies the sequencer from ${n.startNs} ns`,
        {
          path: p.cond.path,
          hint: `keep ${seq.route.portClock} free from ${t} to ${t + 4} ns (quantify inserts its LatchReset there)`,
        },
      );
    }
  }
}

/**
 * latch_rst clears every counter of the sequencer: a reset for one measurement between another
 * measurement's trigger and that measurement's conditional would lose its trigger.
 */
function checkResetConflicts(
  here: readonly { t: number; pair: Pair }[],
  times: readonly number[],
  seq: SequencerPlan,
): void {
  for (const { pair } of here) {
    const from = pair.acq.startNs + pair.acq.op.durationNs;
    const t = times.find((x) => x > from && x < pair.cond.startNs);
    if (t === undefined) continue;
    const other = here.find((x) => x.t === t)!.pair;
    throw new TimingError(
      "TRIGGER_NETWORK_LATCH_RESET_CONFLICT",
      `on ${seq.key}, the trigger counters are reset at ${t} ns for measurement "${other.acq.op.name}", after measurement "${pair.acq.op.name}" ended (${from} ns) and before ConditionalOperation "${pair.cond.name}" reads its trigger (${pair.cond.startNs} ns): latch_rst clears every address, so that trigger would be lost`,
      {
        path: other.cond.path,
        hint: `measure "${other.acq.op.name}" together with "${pair.acq.op.name}" (same start) or after "${pair.cond.name}" starts`,
      },
    );
  }
}

/**
 * Every acquisition of a writing sequencer may send a trigger at the end of its window, and the network
 * carries one per 252 ns (a later one is lost): the sends of one repetition (loops in their first
 * iteration), consecutive loop iterations and consecutive repetitions must be that far apart.
 */
function checkTriggerSpacing(
  timed: TimedSchedule,
  sequencers: readonly SequencerPlan[],
  writeAddress: readonly (number | null)[],
  latencyNs: readonly number[],
): void {
  const sends: { t: number; op: AcquisitionOp }[] = [];
  const tooFast = (a: AcquisitionOp, b: AcquisitionOp, gap: number, why: string): TimingError =>
    new TimingError(
      "TRIGGER_NETWORK_TOO_FREQUENT",
      `the thresholded results of "${a.name}" and "${b.name}" go out on the trigger network ${gap} ns apart${why}, but it carries one trigger per ${TRIGGER_REPEAT_NS} ns (a later one is lost)`,
      {
        path: b.path,
        hint: `let the acquisition windows of trigger-writing sequencers end at least ${TRIGGER_REPEAT_NS} ns apart`,
      },
    );
  const walk = (nodes: readonly IrNode[], lat: number): void => {
    for (const n of nodes) {
      if (n.kind === "op") {
        if (isAcquisition(n.op) && n.op.type !== "Trace")
          sends.push({ t: n.startNs + n.op.durationNs + lat, op: n.op });
        continue;
      }
      const before = sends.length;
      walk(n.body, lat);
      const period =
        n.kind === "conditional" ? 0 : n.kind === "sweep" ? n.durationNs / n.repetitions : n.bodyDurationNs;
      const mine = sends.slice(before);
      if (n.kind !== "conditional" && n.repetitions > 1 && mine.length > 0) {
        const first = mine.reduce((x, y) => (y.t < x.t ? y : x));
        const last = mine.reduce((x, y) => (y.t > x.t ? y : x));
        const gap = first.t + period - last.t;
        if (gap < TRIGGER_REPEAT_NS) throw tooFast(last.op, first.op, gap, ` in consecutive iterations of "${n.name}"`);
      }
    }
  };
  sequencers.forEach((seq, i) => {
    if (writeAddress[i] !== null) walk(seq.nodes, latencyNs[i] ?? 0);
  });
  if (sends.length === 0) return;
  sends.sort((a, b) => a.t - b.t);
  for (let k = 1; k < sends.length; k++) {
    const gap = sends[k]!.t - sends[k - 1]!.t;
    if (gap < TRIGGER_REPEAT_NS) throw tooFast(sends[k - 1]!.op, sends[k]!.op, gap, "");
  }
  const wrap = sends[0]!.t + timed.durationNs - sends[sends.length - 1]!.t;
  if (timed.repetitions > 1 && wrap < TRIGGER_REPEAT_NS)
    throw tooFast(sends[sends.length - 1]!.op, sends[0]!.op, wrap, " in consecutive repetitions");
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
