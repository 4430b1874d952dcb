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
import { ScheduleError, ResourceLimitError } from "../../core/errors.js";
import type { IrNode, NodeId, TimedSchedule } from "../ir/nodes.js";
import type { CompileWarning, SequencerPlan } from "../ir/plan.js";
import { holdsDataOps, planData } from "./feedback-data.js";
import { forEachAcquisition, hasConditionals, index, pairUp } from "./feedback-pairing.js";
import { checkLatency, checkQueueDepth, planPopOrder } from "./feedback-timing.js";
import {
  DEFAULT_FEEDBACK_OPTIONS,
  LINQ_LATENCY_NS,
  NO_FEEDBACK,
  ROUTED_IDS,
  SELF_CAST_IDS,
  type CombinedRead,
  type FeedbackOptions,
  type FeedbackPlan,
  type FeedbackReceiver,
  type FeedbackRoute,
  type InsertedFeedbackWait,
  type LateConditional,
  type LinqPath,
  type Pair,
  type RouteMode,
} from "./feedback-types.js";
import { combineGroups } from "./feedback-write-combine.js";

export {
  DEFAULT_FEEDBACK_OPTIONS,
  FEEDBACK_Q1_ALLOWANCE_NS,
  FEEDBACK_QUEUE_DEPTH,
  LINQ_LATENCY_NS,
  NO_FEEDBACK,
  ROUTED_IDS,
  SELF_CAST_IDS,
  type CombinedRead,
  type FeedbackOptions,
  type FeedbackPlan,
  type FeedbackReceiver,
  type FeedbackRoute,
  type InsertedFeedbackWait,
  type LateConditional,
  type LinqDataType,
  type LinqPath,
  type RouteMode,
} from "./feedback-types.js";
export { WRITE_COMBINE_MAX_PARTS } from "./feedback-write-combine.js";
export { checkFeedbackCompileOptions, feedbackOptions, feedbackWarnings } from "./feedback-options.js";

export function planFeedback(
  timedNodes: readonly IrNode[],
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  options: FeedbackOptions = DEFAULT_FEEDBACK_OPTIONS,
): FeedbackPlan {
  const { plan, late } = planFeedbackTimed(timedNodes, sequencers, latencyNs, options);
  if (late.length > 0) throw late[0]!.error;
  return plan;
}

/**
 * The plan, and every conditional that pops before its data can arrive (earliest first) instead of
 * the FEEDBACK_TOO_EARLY error: `insertFeedbackWaits` shifts those.
 */
export function planFeedbackTimed(
  timedNodes: readonly IrNode[],
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  options: FeedbackOptions = DEFAULT_FEEDBACK_OPTIONS,
): { plan: FeedbackPlan; late: LateConditional[] } {
  const pairs: Pair[] = [];
  // pairUp pairs (and finds fault) at conditionals only: without any it has nothing to do
  if (hasConditionals(timedNodes)) pairUp(timedNodes, pairs, { next: 1 }, 0);
  if (pairs.length === 0 && !holdsDataOps(timedNodes, sequencers))
    return { plan: { ...NO_FEEDBACK, tbShare: sequencers.map(() => 0) }, late: [] };

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
  const late: LateConditional[] = [];

  const routedId = (cluster: string, p: Pair): number => routedIdFor(cluster, { name: p.cond.name, path: p.cond.path });
  const routedIdFor = (cluster: string, by: { name: string; path: string }): number => {
    const id = routedNext.get(cluster) ?? ROUTED_IDS.first;
    if (id > ROUTED_IDS.last)
      throw new ResourceLimitError(
        "FEEDBACK_ROUTED_IDS_EXHAUSTED",
        `cluster ${cluster} needs more than ${ROUTED_IDS.last - ROUTED_IDS.first + 1} routed LINQ ids (ids ${ROUTED_IDS.first}–${ROUTED_IDS.last}); "${by.name}" would need id ${id}`,
        {
          path: by.path,
          hint: "reuse one feedback_trigger_label for measurements that feed the same conditionals, or enable compiler_options.feedback_write_combine",
        },
      );
    routedNext.set(cluster, id + 1);
    return id;
  };
  const selfIdFor = (source: number, by: { name: string; path: string }): number => {
    const id = selfNext.get(source) ?? SELF_CAST_IDS.first;
    if (id > SELF_CAST_IDS.last)
      throw new ResourceLimitError(
        "FEEDBACK_SELF_CAST_IDS_EXHAUSTED",
        `sequencer ${sequencers[source]!.key} needs more than ${SELF_CAST_IDS.last} self-cast LINQ ids (ids ${SELF_CAST_IDS.first}–${SELF_CAST_IDS.last}); "${by.name}" would need the ${id - SELF_CAST_IDS.first + 1}th`,
        { path: by.path, hint: "reuse one label for values that go to the same receivers" },
      );
    selfNext.set(source, id + 1);
    return id;
  };
  const receiversOf = (p: Pair, source: number): number[] => {
    const receivers = [...(seqsOfCond.get(p.cond.id) ?? [])].sort((a, b) => a - b);
    const src = sequencers[source]!;
    for (const r of receivers) {
      if (sequencers[r]!.cluster !== src.cluster)
        throw new ScheduleError(
          "FEEDBACK_ACROSS_CLUSTERS",
          `${p.cond.mode === "if" ? "ConditionalOperation" : "RepeatUntilSuccess"} "${p.cond.name}" on ${sequencers[r]!.key} (${sequencers[r]!.cluster}) depends on measurement "${p.acq.op.name}" on ${src.key} (${src.cluster}); LINQ does not cross clusters`,
          { path: p.cond.path, hint: "route both qubits to modules of the same cluster" },
        );
    }
    return receivers;
  };
  const routeMode = (source: number, receivers: number[], self: boolean): RouteMode => {
    const src = sequencers[source]!;
    const clusterSeqs = sequencers.filter((s) => s.cluster === src.cluster).length;
    const modules = new Set(receivers.map((r) => sequencers[r]!.moduleName));
    return self
      ? "self-cast"
      : modules.size === 1 && modules.has(src.moduleName)
        ? "intra-cast"
        : receivers.length === clusterSeqs && modules.size > 1
          ? "broadcast"
          : "multi-cast";
  };
  const receiverList = (source: number, receivers: number[], self: boolean): FeedbackReceiver[] =>
    receivers.map((r) => {
      const path: LinqPath = self
        ? "self-cast"
        : sequencers[r]!.moduleName === sequencers[source]!.moduleName
          ? "intra-cast"
          : "multi-cast";
      return { sequencer: r, path, latencyNs: LINQ_LATENCY_NS.thresholded_bits[path] };
    });

  // write-combine: readouts of one module ending together, feeding "if" conditionals of one list
  // with the same receivers, share one payload (and one routed id)
  const combineWarnings: CompileWarning[] = [];
  const combined = options.writeCombine
    ? combineGroups(pairs, seqOfAcq, latencyNs, sequencers, receiversOf, combineWarnings)
    : [];
  const tbCfgOfNode: Record<NodeId, { bitPos: number; lengthBytes: number }> = {};
  const combinedReadOfConditional: Record<NodeId, CombinedRead> = {};
  const tbWriteCombine = sequencers.map(() => false);
  const inGroup = new Set<Pair>();
  const popOfPair = new Map<Pair, number>();
  for (const g of combined) {
    const first = g.pairs[0]!;
    const source = g.sources[0]!;
    const src = sequencers[source]!;
    const signature = `wc\u0000${g.pairs.map((p) => `${p.cond.triggerLabel}/${seqOfAcq.get(p.acq.id)}`).join(",")}\u0000${g.receivers.join(",")}`;
    let route = groupId.get(signature);
    const lengthBytes = Math.ceil((2 * g.pairs.length) / 8);
    if (!route) {
      route = {
        id: routedId(src.cluster, first),
        mode: routeMode(source, g.receivers, false),
        triggerLabel: g.pairs.map((p) => p.cond.triggerLabel).join(","),
        dataType: "thresholded_bits",
        source,
        receivers: receiverList(source, g.receivers, false),
        combine: {
          lengthBytes,
          parts: g.pairs.map((p, k) => ({
            source: seqOfAcq.get(p.acq.id)!,
            triggerLabel: p.cond.triggerLabel,
            bitPos: 2 * k,
          })),
        },
      };
      groupId.set(signature, route);
      routes.push(route);
    }
    const byTime = [...g.pairs].sort((a, b) => a.popNs - b.popNs || a.cond.id - b.cond.id);
    g.pairs.forEach((p, k) => {
      inGroup.add(p);
      const s = seqOfAcq.get(p.acq.id)!;
      tbIdOfNode[p.acq.id] = route.id;
      tbCfgOfNode[p.acq.id] = { bitPos: 2 * k, lengthBytes };
      tbWriteCombine[s] = true;
      sharing.add(s);
      idOfConditional[p.cond.id] = route.id;
      combinedReadOfConditional[p.cond.id] = {
        bitPos: 2 * k,
        first: p === byTime[0],
        last: p === byTime[byTime.length - 1],
        group: route.id,
      };
      // the payload is popped by the first consumer: the data must be there then
      popOfPair.set(p, byTime[0]!.popNs);
      const l = checkLatency(p, route, sequencers, latencyNs, byTime[0]!.popNs, s);
      if (l) late.push(l);
    });
  }

  for (const p of pairs) {
    if (inGroup.has(p)) continue;
    const source = seqOfAcq.get(p.acq.id);
    if (source === undefined) continue; // not routed to any sequencer (cannot happen after 2-plan/sequencers)
    const receivers = receiversOf(p, source);
    if (receivers.length === 0) continue; // an empty body: nothing to decide
    const src = sequencers[source]!;
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
      } else id = routedId(src.cluster, p);
      route = {
        id,
        mode: routeMode(source, receivers, self),
        triggerLabel: p.cond.triggerLabel,
        dataType: "thresholded_bits",
        source,
        receivers: receiverList(source, receivers, self),
      };
      groupId.set(key, route);
      routes.push(route);
    }
    tbIdOfNode[p.acq.id] = route.id;
    idOfConditional[p.cond.id] = route.id;
    sharing.add(source);
    const l = checkLatency(p, route, sequencers, latencyNs, p.popNs);
    if (l) late.push(l);
  }
  late.sort((a, b) => a.popNs - b.popNs || a.cond.id - b.cond.id);
  // values over LINQ: IQ values, thresholded bits and sent values received into variables
  const data = planData(timedNodes, sequencers, latencyNs, {
    writeCombine: options.writeCombine,
    seqOfAcq,
    tbIdOfNode,
    routedId: (cluster, path) => routedIdFor(cluster, path),
    selfId: (source, path) => selfIdFor(source, path),
    routeMode,
    routes,
  });
  for (const s of data.tbSources) sharing.add(s);
  const order = planPopOrder(pairs, routes, idOfConditional, inGroup, sequencers, latencyNs, popOfPair);
  checkQueueDepth(pairs, routes, idOfConditional, sequencers, popOfPair, combinedReadOfConditional, data.queue);
  if (order.ambiguous) throw order.ambiguous;

  // the id each sharing sequencer attaches to every acquisition (0 for the ones nobody consumes)
  const tbShare = sequencers.map((seq, i): number | "per-acquisition" => {
    if (!sharing.has(i)) return 0;
    const ids = new Set<number>();
    forEachAcquisition(seq.nodes, (id) => {
      tbIdOfNode[id] ??= 0;
      ids.add(tbIdOfNode[id]!);
    });
    return ids.size === 1 && !tbWriteCombine[i] ? [...ids][0]! : "per-acquisition";
  });
  const plan: FeedbackPlan = { routes, tbShare, tbIdOfNode, idOfConditional };
  // feedback_valid: a sequencer with an invalid shared result sets the bit before each shared acquisition
  const tbValidOfNode: Record<NodeId, boolean> = {};
  const tbValidPerAcquisition = sequencers.map((seq, i) => {
    if (!sharing.has(i)) return false;
    const shared: [NodeId, boolean][] = [];
    forEachAcquisition(seq.nodes, (id, op) => {
      if ((tbIdOfNode[id] ?? 0) !== 0) shared.push([id, op.feedback_valid !== false]);
    });
    if (shared.every(([, v]) => v)) return false;
    for (const [id, v] of shared) tbValidOfNode[id] = v;
    return true;
  });
  if (tbValidPerAcquisition.includes(true)) {
    plan.tbValidPerAcquisition = tbValidPerAcquisition;
    plan.tbValidOfNode = tbValidOfNode;
  }
  if (data.any) {
    plan.iqIdOfNode = data.iqIdOfNode;
    plan.iqShiftOfNode = data.iqShiftOfNode;
    plan.iqShare = data.iqShare;
    plan.sendIdOfNode = data.sendIdOfNode;
    plan.receiveIdOfNode = data.receiveIdOfNode;
    plan.comCfgOfNode = data.comCfgOfNode;
    plan.combinedReadOfNode = data.combinedReadOfNode;
  }
  if (combineWarnings.length > 0) plan.warnings = combineWarnings;
  if (order.prefetch) {
    plan.prefetchOfConditional = order.prefetch;
    plan.prefetchedConditionals = order.prefetched;
  }
  if (combined.length > 0) {
    plan.tbCfgOfNode = tbCfgOfNode;
    plan.tbWriteCombine = tbWriteCombine;
    plan.combinedReadOfConditional = combinedReadOfConditional;
  }
  return { plan, late };
}

/** The plans that depend on the schedule's times, rebuilt after a shift (2-plan/sequencers … latency). */
export type Replan = (timed: TimedSchedule) => { sequencers: readonly SequencerPlan[]; latencyNs: readonly number[] };

/**
 * feedback_insert_wait (docs/feedback.md): while a conditional pops before its data can arrive, shift
 * it — and everything that starts at or after it — by the missing time, rounded up to the 4 ns grid
 * (a RepeatUntilSuccess: each body grows by it, before its bit check). Earliest conditional first, so
 * each shift accounts for the ones before it. Only top-level conditionals move; one inside a loop,
 * sweep or conditional body still fails FEEDBACK_TOO_EARLY. Returns the shifted schedule (a copy) and
 * the waits, or null when nothing had to move.
 */
export function insertFeedbackWaits(
  timed: TimedSchedule,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  options: FeedbackOptions,
  replan: Replan,
): { timed: TimedSchedule; waits: InsertedFeedbackWait[] } | null {
  const waits: InsertedFeedbackWait[] = [];
  let t = timed,
    seqs = sequencers,
    lat = latencyNs;
  for (;;) {
    const { late } = planFeedbackTimed(t.nodes, seqs, lat, options);
    const l = late[0];
    if (!l) return waits.length === 0 ? null : { timed: t, waits };
    if (!l.topLevel) throw l.error;
    const waitNs = Math.ceil(l.missingNs / 4) * 4;
    waits.push({
      conditional: l.cond.name,
      path: l.cond.path,
      measurement: l.measurement,
      receiver: l.receiver,
      scheduledNs: l.popNs,
      waitNs,
      minGapNs: l.minGapNs,
    });
    t = shiftAfter(t, l.cond.id, waitNs);
    ({ sequencers: seqs, latencyNs: lat } = replan(t));
  }
}

/** A copy of the schedule with conditional `condId` (top level) and what follows it delayed by `gapNs`. */
function shiftAfter(timed: TimedSchedule, condId: NodeId, gapNs: number): TimedSchedule {
  const copy = JSON.parse(JSON.stringify(timed)) as TimedSchedule;
  const cond = copy.nodes.find((n) => n.id === condId);
  if (!cond || cond.kind !== "conditional") return copy;
  let from: number, by: number;
  if (cond.mode === "if") {
    from = cond.startNs;
    by = gapNs;
  } else {
    // every body grows by the gap (its bit check comes later); what follows the whole operation moves
    from = cond.startNs + cond.maxRepetitions * cond.bodyDurationNs;
    by = cond.maxRepetitions * gapNs;
    cond.bodyDurationNs += gapNs;
  }
  for (const n of copy.nodes) if (n !== cond || cond.mode === "if") if (n.startNs >= from) shiftNode(n, by);
  copy.durationNs += by;
  return copy;
}

function shiftNode(n: IrNode, by: number): void {
  n.startNs += by;
  if (n.kind === "op") return;
  if (n.kind === "sweep" && n.shift) n.shift.splitNs += by;
  for (const b of n.body) shiftNode(b, by);
}
