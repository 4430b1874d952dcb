/** Validation of the trigger-network plan (2-plan/trigger-network.ts): timing, bodies, room, spacing. */
import { ScheduleError, TimingError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, NodeId, TimedSchedule } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { isAcquisition, isParameterOp } from "../ops/index.js";
import {
  CONDITIONAL_BUFFER_NS,
  LATCH_RESET_DELAY_NS,
  MAX_CONDITIONAL_BODY_NS,
  TRIGGER_DELAY_NS,
  TRIGGER_REPEAT_NS,
  type Pair,
} from "./trigger-network-types.js";

/** Sending and receiving values (fb_com_data, fb_pop_data) is LINQ; the trigger network carries bits only. */
export function rejectLinqOperations(nodes: readonly IrNode[]): void {
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

/** The trigger leaves at the end of the acquisition window and must be counted before the body starts. */
export function checkTiming(
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
export function checkConditionals(
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
export function checkRoomForReset(list: readonly IrNode[], t: number, p: Pair, seq: SequencerPlan): void {
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
export function checkResetConflicts(
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
export function checkTriggerSpacing(
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
