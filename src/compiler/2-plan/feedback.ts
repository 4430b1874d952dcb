/**
 * LINQ feedback plan (docs/feedback.md, seed linq-feedback.txt): which measurement each conditional
 * consumes, the LINQ id of every shared result, the routing mode and the routing configuration, the
 * id each sequencer attaches to its thresholded bits, and the latency check (data must arrive before
 * the receiver pops it).
 *
 * Pairing rule: in every list of sibling nodes (the top level, each loop body, each conditional body),
 * a ConditionalOperation consumes the latest earlier ThresholdedAcquisition of the same list whose
 * feedback_trigger_label is its qubit_name; a RepeatUntilSuccess consumes the last such measurement of
 * its own body. One send, one pop: a measurement nobody consumes shares nothing (id 0).
 *
 * Ids: 1–15 self-cast (the source sequencer is the only receiver), allocated per source sequencer;
 * 16–255 routed, allocated per cluster; 0 disables sharing. Receivers on the source's module are
 * reached by the module's local route (intra-cast), others through the CMM (multi-cast, or broadcast
 * when every sequencer of the compiled cluster receives it).
 */
import { ScheduleError, TimingError, ResourceLimitError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, NodeId } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { isAcquisition } from "../ops/index.js";

/** LINQ latency from the source's Q1 core to the receiver's feedback queue, ns (seed, latency table). */
export const LINQ_LATENCY_NS = {
  thresholded_bits: { "multi-cast": 472, "intra-cast": 250, "self-cast": 160 },
  iq: { "multi-cast": 492, "intra-cast": 270, "self-cast": 164 },
  register: { "multi-cast": 380, "intra-cast": 150, "self-cast": 60 },
} as const;
export type LinqPath = "multi-cast" | "intra-cast" | "self-cast";
export type RouteMode = LinqPath | "broadcast";

/** Q1 time the receiver needs between the data's arrival and its next real-time instruction. */
export const FEEDBACK_Q1_ALLOWANCE_NS = 64;
/** Feedback queue capacity per sequencer (seed: 32 entries of 32 bits). */
export const FEEDBACK_QUEUE_DEPTH = 32;
export const SELF_CAST_IDS = { first: 1, last: 15 } as const;
export const ROUTED_IDS = { first: 16, last: 255 } as const;

export interface FeedbackReceiver {
  /** index into ProgramPlan.sequencers */
  sequencer: number;
  path: LinqPath;
  latencyNs: number;
}

export interface FeedbackRoute {
  id: number;
  mode: RouteMode;
  triggerLabel: string;
  dataType: "thresholded_bits";
  /** index into ProgramPlan.sequencers */
  source: number;
  receivers: FeedbackReceiver[];
}

export interface FeedbackPlan {
  routes: FeedbackRoute[];
  /**
   * per sequencer (aligned with ProgramPlan.sequencers): 0 = shares nothing; an id = every acquisition
   * shares with this id (set once in the program header); "per-acquisition" = set before each one
   */
  tbShare: (number | "per-acquisition")[];
  /** acquisition node id → LINQ id of its thresholded bits (0: not shared), on sharing sequencers */
  tbIdOfNode: Record<NodeId, number>;
  /** conditional node id → the LINQ id its receivers pop */
  idOfConditional: Record<NodeId, number>;
}

export const NO_FEEDBACK: FeedbackPlan = { routes: [], tbShare: [], tbIdOfNode: {}, idOfConditional: {} };

interface Pair {
  acq: { id: NodeId; op: AcquisitionOp; startNs: number };
  cond: ConditionalNode;
  /** pop time of the first execution (if: the start; repeat: the end of the first body) */
  popNs: number;
}

export function planFeedback(
  timedNodes: readonly IrNode[],
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
): FeedbackPlan {
  const pairs: Pair[] = [];
  pairUp(timedNodes, pairs);
  if (pairs.length === 0) return { ...NO_FEEDBACK, tbShare: sequencers.map(() => 0) };

  // where each node lives: acquisition id → sequencer, conditional id → sequencers
  const seqOfAcq = new Map<NodeId, number>();
  const seqsOfCond = new Map<NodeId, number[]>();
  sequencers.forEach((seq, i) => index(seq.nodes, i, seqOfAcq, seqsOfCond));

  const routes: FeedbackRoute[] = [];
  const groupId = new Map<string, FeedbackRoute>();
  const selfNext = new Map<number, number>();
  const routedNext = new Map<string, number>();
  const tbIdOfNode: Record<NodeId, number> = {};
  const idOfConditional: Record<NodeId, number> = {};
  const sharing = new Set<number>();

  for (const p of pairs) {
    const source = seqOfAcq.get(p.acq.id);
    if (source === undefined) continue; // not routed to any sequencer (cannot happen after 2-plan/sequencers)
    const receivers = [...(seqsOfCond.get(p.cond.id) ?? [])].sort((a, b) => a - b);
    if (receivers.length === 0) continue; // an empty body: nothing to decide
    const src = sequencers[source]!;
    for (const r of receivers) {
      if (sequencers[r]!.cluster !== src.cluster)
        throw new ScheduleError(
          "FEEDBACK_ACROSS_CLUSTERS",
          `${p.cond.mode === "if" ? "ConditionalOperation" : "RepeatUntilSuccess"} "${p.cond.name}" on ${sequencers[r]!.key} (${sequencers[r]!.cluster}) depends on measurement "${p.acq.op.name}" on ${src.key} (${src.cluster}); LINQ does not cross clusters`,
          { path: p.cond.path, hint: "route both qubits to modules of the same cluster" },
        );
    }
    const key = `${p.cond.triggerLabel}\u0000${source}\u0000${receivers.join(",")}`;
    let route = groupId.get(key);
    if (!route) {
      const self = receivers.length === 1 && receivers[0] === source;
      let id: number;
      if (self) {
        id = selfNext.get(source) ?? SELF_CAST_IDS.first;
        if (id > SELF_CAST_IDS.last)
          throw new ResourceLimitError(
            "FEEDBACK_SELF_CAST_IDS_EXHAUSTED",
            `sequencer ${src.key} needs more than ${SELF_CAST_IDS.last} self-cast LINQ ids (ids ${SELF_CAST_IDS.first}–${SELF_CAST_IDS.last}); "${p.cond.name}" would need the ${id - SELF_CAST_IDS.first + 1}th`,
            {
              path: p.cond.path,
              hint: "reuse one feedback_trigger_label for measurements that feed the same conditionals",
            },
          );
        selfNext.set(source, id + 1);
      } else {
        id = routedNext.get(src.cluster) ?? ROUTED_IDS.first;
        if (id > ROUTED_IDS.last)
          throw new ResourceLimitError(
            "FEEDBACK_ROUTED_IDS_EXHAUSTED",
            `cluster ${src.cluster} needs more than ${ROUTED_IDS.last - ROUTED_IDS.first + 1} routed LINQ ids (ids ${ROUTED_IDS.first}–${ROUTED_IDS.last}); "${p.cond.name}" would need id ${id}`,
            {
              path: p.cond.path,
              hint: "reuse one feedback_trigger_label for measurements that feed the same conditionals",
            },
          );
        routedNext.set(src.cluster, id + 1);
      }
      const clusterSeqs = sequencers.filter((s) => s.cluster === src.cluster).length;
      const modules = new Set(receivers.map((r) => sequencers[r]!.moduleName));
      const mode: RouteMode = self
        ? "self-cast"
        : modules.size === 1 && modules.has(src.moduleName)
          ? "intra-cast"
          : receivers.length === clusterSeqs && modules.size > 1
            ? "broadcast"
            : "multi-cast";
      route = {
        id,
        mode,
        triggerLabel: p.cond.triggerLabel,
        dataType: "thresholded_bits",
        source,
        receivers: receivers.map((r) => {
          const path: LinqPath = self
            ? "self-cast"
            : sequencers[r]!.moduleName === src.moduleName
              ? "intra-cast"
              : "multi-cast";
          return { sequencer: r, path, latencyNs: LINQ_LATENCY_NS.thresholded_bits[path] };
        }),
      };
      groupId.set(key, route);
      routes.push(route);
    }
    tbIdOfNode[p.acq.id] = route.id;
    idOfConditional[p.cond.id] = route.id;
    sharing.add(source);
    checkLatency(p, route, sequencers, latencyNs);
  }
  checkQueueDepth(pairs, routes, idOfConditional, sequencers);

  // the id each sharing sequencer attaches to every acquisition (0 for the ones nobody consumes)
  const tbShare = sequencers.map((seq, i): number | "per-acquisition" => {
    if (!sharing.has(i)) return 0;
    const ids = new Set<number>();
    forEachAcquisition(seq.nodes, (id) => {
      tbIdOfNode[id] ??= 0;
      ids.add(tbIdOfNode[id]!);
    });
    return ids.size === 1 ? [...ids][0]! : "per-acquisition";
  });
  return { routes, tbShare, tbIdOfNode, idOfConditional };
}

/** Pair conditionals with the measurements they consume, list by list (see the file comment). */
function pairUp(nodes: readonly IrNode[], out: Pair[]): void {
  const latest = new Map<string, Pair["acq"]>();
  for (const n of nodes) {
    if (n.kind === "op") {
      const op = n.op;
      if (isAcquisition(op) && op.type === "ThresholdedAcquisition" && op.feedback_trigger_label !== null)
        latest.set(op.feedback_trigger_label, { id: n.id, op, startNs: n.startNs });
      continue;
    }
    pairUp(n.body, out);
    if (n.kind !== "conditional") continue;
    if (n.mode === "if") {
      const acq = latest.get(n.triggerLabel);
      if (!acq) throw missingMeasurement(n, "earlier in the same schedule or loop body");
      checkNoAppend(n, n.body);
      out.push({ acq, cond: n, popNs: n.startNs });
      latest.delete(n.triggerLabel);
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
      out.push({ acq, cond: n, popNs: n.startNs + n.bodyDurationNs });
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

function forEachAcquisition(nodes: readonly IrNode[], visit: (id: NodeId) => void): void {
  for (const n of nodes) {
    if (n.kind === "op") {
      if (isAcquisition(n.op) && n.op.type !== "Trace") visit(n.id);
    } else forEachAcquisition(n.body, visit);
  }
}

/** The bit must reach every receiver FEEDBACK_Q1_ALLOWANCE_NS before it pops it. */
function checkLatency(
  p: Pair,
  route: FeedbackRoute,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
): void {
  const sendNs = p.acq.startNs + (latencyNs[route.source] ?? 0) + p.acq.op.durationNs;
  for (const r of route.receivers) {
    const popNs = p.popNs + (latencyNs[r.sequencer] ?? 0);
    const needNs = sendNs + r.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
    if (popNs >= needNs) continue;
    const what = p.cond.mode === "if" ? "ConditionalOperation" : "RepeatUntilSuccess";
    const at = p.cond.mode === "if" ? "starts" : "checks the bit";
    const minGap = r.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
    throw new TimingError(
      "FEEDBACK_TOO_EARLY",
      `${what} "${p.cond.name}" ${at} at ${p.popNs} ns on ${sequencers[r.sequencer]!.key}, but the result of measurement "${p.acq.op.name}" (acquisition window ending at ${p.acq.startNs + p.acq.op.durationNs} ns) arrives there over LINQ (${r.path}, ${r.latencyNs} ns) only at ${sendNs + r.latencyNs - (latencyNs[r.sequencer] ?? 0)} ns; the minimum gap from the end of the acquisition window is ${minGap} ns (${r.latencyNs} ns LINQ latency + ${FEEDBACK_Q1_ALLOWANCE_NS} ns for the receiver's Q1 core), ${needNs - popNs} ns more than scheduled`,
      {
        path: p.cond.path,
        hint: `start the ${what} at least ${minGap} ns after the end of "${p.acq.op.name}" (rel_time ≥ ${minGap} ns from its end)`,
        details: {
          measurement: p.acq.op.name,
          conditional: p.cond.name,
          min_gap_ns: minGap,
          missing_ns: needNs - popNs,
        },
      },
    );
  }
}

/** Results in flight to one receiver (sent, not yet popped) must fit its 32-entry queue. */
function checkQueueDepth(
  pairs: readonly Pair[],
  routes: readonly FeedbackRoute[],
  idOfConditional: Record<NodeId, number>,
  sequencers: readonly SequencerPlan[],
): void {
  const byRecv = new Map<number, { from: number; to: number; p: Pair }[]>();
  for (const p of pairs) {
    const id = idOfConditional[p.cond.id];
    const route = routes.find((r) => r.id === id && r.triggerLabel === p.cond.triggerLabel);
    if (!route) continue;
    for (const r of route.receivers) {
      const l = byRecv.get(r.sequencer) ?? [];
      l.push({ from: p.acq.startNs + p.acq.op.durationNs, to: p.popNs, p });
      byRecv.set(r.sequencer, l);
    }
  }
  for (const [recv, list] of byRecv) {
    const edges = list.flatMap((e) => [
      { t: e.from, d: 1, e },
      { t: e.to, d: -1, e },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let open = 0;
    for (const x of edges) {
      open += x.d;
      if (open <= FEEDBACK_QUEUE_DEPTH) continue;
      throw new ResourceLimitError(
        "FEEDBACK_QUEUE_OVERFLOW",
        `${open} measurement results would be waiting in the ${FEEDBACK_QUEUE_DEPTH}-entry feedback queue of ${sequencers[recv]!.key} at ${x.t} ns (the last one from "${x.e.p.acq.op.name}")`,
        {
          path: x.e.p.cond.path,
          hint: "consume results sooner (move the conditionals closer to their measurements) or measure fewer qubits at once",
        },
      );
    }
  }
}
