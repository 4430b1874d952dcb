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
import { ScheduleError, TimingError, ResourceLimitError, UsageError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, IrNode, NodeId, TimedSchedule } from "../ir/nodes.js";
import type { CompileWarning, SequencerPlan } from "../ir/plan.js";
import { isAcquisition } from "../ops/index.js";
import { hasDataOps, planData, type CombinedValueRead, type QueueInterval } from "./feedback-data.js";

/** LINQ latency from the source's Q1 core to the receiver's feedback queue, ns (seed, latency table). */
export const LINQ_LATENCY_NS = {
  thresholded_bits: { "multi-cast": 472, "intra-cast": 250, "self-cast": 160 },
  iq: { "multi-cast": 492, "intra-cast": 270, "self-cast": 164 },
  register: { "multi-cast": 380, "intra-cast": 150, "self-cast": 60 },
} as const;
export type LinqPath = "multi-cast" | "intra-cast" | "self-cast";
export type LinqDataType = keyof typeof LINQ_LATENCY_NS;
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
  dataType: LinqDataType;
  /** index into ProgramPlan.sequencers */
  source: number;
  receivers: FeedbackReceiver[];
  /** IQ: the shift of the 32-bit window in the 48-bit accumulator (fb_acq_iq_shift) */
  iqShift?: number;
  /**
   * write-combine (fb_acq_tb_cfg): the thresholded bits of several sequencers of one module whose
   * acquisitions end together, packed into one payload of `lengthBytes`; part k's 2-bit value sits at
   * bits [bitPos+1 : bitPos]. `source` and `triggerLabel` are those of the first part.
   */
  combine?: { lengthBytes: number; parts: { source: number; triggerLabel: string; bitPos: number }[] };
}

/** Compile options of the feedback plan (docs/feedback.md). */
export interface FeedbackOptions {
  /** pack thresholded bits of readouts ending together with one destination into one queue entry */
  writeCombine: boolean;
  /** shift a conditional scheduled before its data can arrive instead of failing FEEDBACK_TOO_EARLY */
  insertWait: boolean;
}
export const DEFAULT_FEEDBACK_OPTIONS: FeedbackOptions = { writeCombine: false, insertWait: false };

/** A wait the compiler inserted before a conditional (feedback_insert_wait), for the diagnostics. */
export interface InsertedFeedbackWait {
  conditional: string;
  /** JSON pointer of the conditional */
  path: string;
  measurement: string;
  /** the receiving sequencer that needed the most time ("<module>.seq<i>") */
  receiver: string;
  /** the conditional's start (if) or bit check (repeat) as scheduled, and the inserted wait, ns */
  scheduledNs: number;
  waitNs: number;
  /** minimum gap from the end of the acquisition window (LINQ latency + receiver allowance), ns */
  minGapNs: number;
}

/** How a receiver reads a write-combined payload for one conditional. */
export interface CombinedRead {
  /** bit position of this conditional's 2-bit value */
  bitPos: number;
  /** the first consumer (in time) pops the payload into a register kept until the last one */
  first: boolean;
  last: boolean;
  /** the group (route id), to find the register the first consumer popped into */
  group: number;
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
  /**
   * feedback_valid: per sequencer, some shared acquisition on it is marked invalid, so it sets the
   * validation bit (fb_acq_tb_valid) before each shared acquisition; absent when no sequencer does
   */
  tbValidPerAcquisition?: boolean[];
  /** feedback_valid: shared acquisition node id → its validation bit, on those sequencers */
  tbValidOfNode?: Record<NodeId, boolean>;
  /** write-combine: acquisition node id → its fb_acq_tb_cfg (bit position, payload length in bytes) */
  tbCfgOfNode?: Record<NodeId, { bitPos: number; lengthBytes: number }>;
  /** per sequencer: it takes part in write-combine (fb_acq_tb_cfg and fb_acq_tb_id before every acquisition) */
  tbWriteCombine?: boolean[];
  /** write-combine: conditional node id → where its bit sits in the popped payload */
  combinedReadOfConditional?: Record<NodeId, CombinedRead>;
  /** waits inserted by feedback_insert_wait (docs/feedback.md) */
  insertedWaits?: InsertedFeedbackWait[];
  /** readouts feedback_write_combine could not combine (FEEDBACK_WRITE_COMBINE_SKIPPED) */
  warnings?: CompileWarning[];
  /**
   * pop order (fb_pop_data discards the entries before the popped one): per receiving sequencer,
   * conditional node id → the conditionals whose results arrived earlier but are used later, popped
   * (in arrival order) into registers just before this conditional's own pop
   */
  prefetchOfConditional?: Record<number, Record<NodeId, NodeId[]>>;
  /** per receiving sequencer: conditional node ids whose result an earlier conditional popped */
  prefetchedConditionals?: Record<number, NodeId[]>;
  /** IQ sharing: acquisition node id → LINQ id of its I and Q values (0: not shared) and the shift */
  iqIdOfNode?: Record<NodeId, number>;
  iqShiftOfNode?: Record<NodeId, number>;
  /** per sequencer: some acquisition shares IQ (fb_acq_iq_shift / fb_acq_iq_id before every acquisition) */
  iqShare?: boolean[];
  /** SendFeedback node id → LINQ id (absent: nobody receives it) */
  sendIdOfNode?: Record<NodeId, number>;
  /** ReceiveFeedback node id → the LINQ id it pops */
  receiveIdOfNode?: Record<NodeId, number>;
  /** write-combined SendFeedback node id → its fb_com_cfg */
  comCfgOfNode?: Record<NodeId, { bitPos: number; lengthBytes: number }>;
  /** ReceiveFeedback node id → where its value sits in a write-combined payload */
  combinedReadOfNode?: Record<NodeId, CombinedValueRead>;
}

export const NO_FEEDBACK: FeedbackPlan = { routes: [], tbShare: [], tbIdOfNode: {}, idOfConditional: {} };

interface Pair {
  acq: { id: NodeId; op: AcquisitionOp; startNs: number };
  cond: ConditionalNode;
  /** pop time of the first execution (if: the start; repeat: the end of the first body) */
  popNs: number;
  /** the list of siblings both sit in (numbered in walk order; 0 = the top level) */
  list: number;
}

/** A conditional that pops before its data can arrive, and by how much. */
export interface LateConditional {
  cond: ConditionalNode;
  measurement: string;
  receiver: string;
  /** top level of the schedule (only those can be shifted by feedback_insert_wait) */
  topLevel: boolean;
  popNs: number;
  missingNs: number;
  minGapNs: number;
  error: TimingError;
}

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
  pairUp(timedNodes, pairs, { next: 1 }, 0);
  if (pairs.length === 0 && !hasDataOps(timedNodes))
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

/** The most TB parts one 32-bit queue entry holds (2 bits each). */
export const WRITE_COMBINE_MAX_PARTS = 16;

interface CombineGroup {
  pairs: Pair[];
  sources: number[];
  receivers: number[];
}

/**
 * Write-combine groups: "if" pairs of one sibling list whose acquisitions are on different sequencers
 * of one module, end at the same RT time (start + latency correction + duration) and feed conditionals
 * with the same receivers. Parts are ordered by source sequencer; at most 16 per payload.
 */
function combineGroups(
  pairs: readonly Pair[],
  seqOfAcq: Map<NodeId, number>,
  latencyNs: readonly number[],
  sequencers: readonly SequencerPlan[],
  receiversOf: (p: Pair, source: number) => number[],
  warnings: CompileWarning[],
): CombineGroup[] {
  const byKey = new Map<string, { p: Pair; source: number; receivers: number[] }[]>();
  // the same candidates whatever their end time: readouts left alone only because they end apart are reported
  const candidates = new Map<string, { p: Pair; source: number; endRt: number }[]>();
  for (const p of pairs) {
    if (p.cond.mode !== "if") continue;
    const source = seqOfAcq.get(p.acq.id);
    if (source === undefined) continue;
    const receivers = receiversOf(p, source);
    if (receivers.length === 0) continue;
    const src = sequencers[source]!;
    const endRt = p.acq.startNs + (latencyNs[source] ?? 0) + p.acq.op.durationNs;
    const key = `${p.list}\u0000${src.cluster}\u0000${src.moduleName}\u0000${endRt}\u0000${receivers.join(",")}`;
    const l = byKey.get(key) ?? [];
    l.push({ p, source, receivers });
    byKey.set(key, l);
    const ck = `${p.list}\u0000${src.cluster}\u0000${src.moduleName}\u0000${receivers.join(",")}`;
    const c = candidates.get(ck) ?? [];
    c.push({ p, source, endRt });
    candidates.set(ck, c);
  }
  for (const c of candidates.values()) {
    const ends = new Set(c.map((x) => x.endRt));
    if (ends.size < 2 || new Set(c.map((x) => x.source)).size < 2) continue;
    // readouts whose end time no readout of another sequencer shares
    const alone = c.filter((x) => !c.some((y) => y !== x && y.endRt === x.endRt && y.source !== x.source));
    if (alone.length === 0) continue;
    const desc = (x: (typeof c)[number]) =>
      `"${x.p.acq.op.name}" (${sequencers[x.source]!.key}, latency correction ${latencyNs[x.source] ?? 0} ns: window ends at ${x.endRt} ns)`;
    const corrections = new Set(c.map((x) => latencyNs[x.source] ?? 0));
    warnings.push({
      code: "FEEDBACK_WRITE_COMBINE_SKIPPED",
      message: `feedback_write_combine: the readouts ${c.map(desc).join(", ")} feed conditionals with the same receivers, but ${alone.map((x) => `"${x.p.acq.op.name}"`).join(", ")} cannot be combined: write-combine needs windows that end at the same RT time${corrections.size > 1 ? " (their latency corrections differ)" : ""}; ${alone.length > 1 ? "they are" : "it is"} sent as separate entries (align the windows' ends, including the latency corrections, to combine them)`,
      path: alone[0]!.p.acq.op.path,
    });
  }
  const groups: CombineGroup[] = [];
  for (const l of byKey.values()) {
    const distinct = new Set(l.map((x) => x.source));
    if (distinct.size < 2 || distinct.size !== l.length) continue; // one sequencer cannot end two windows at once
    l.sort((a, b) => a.source - b.source);
    for (let i = 0; i < l.length; i += WRITE_COMBINE_MAX_PARTS) {
      const part = l.slice(i, i + WRITE_COMBINE_MAX_PARTS);
      if (part.length < 2) continue;
      groups.push({ pairs: part.map((x) => x.p), sources: part.map((x) => x.source), receivers: part[0]!.receivers });
    }
  }
  return groups;
}

/** Pair conditionals with the measurements they consume, list by list (see the file comment). */
function pairUp(nodes: readonly IrNode[], out: Pair[], counter: { next: number }, list: number): void {
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

function forEachAcquisition(nodes: readonly IrNode[], visit: (id: NodeId, op: AcquisitionOp) => void): void {
  for (const n of nodes) {
    if (n.kind === "op") {
      if (isAcquisition(n.op) && n.op.type !== "Trace") visit(n.id, n.op);
    } else forEachAcquisition(n.body, visit);
  }
}

/**
 * The bit must reach every receiver FEEDBACK_Q1_ALLOWANCE_NS before it pops it (at `popNs`, the
 * first execution). Returns the receiver that misses it by the most, or null.
 */
function checkLatency(
  p: Pair,
  route: FeedbackRoute,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  popAtNs: number,
  source = route.source,
): LateConditional | null {
  const sendNs = p.acq.startNs + (latencyNs[source] ?? 0) + p.acq.op.durationNs;
  let worst: LateConditional | null = null;
  for (const r of route.receivers) {
    const popNs = popAtNs + (latencyNs[r.sequencer] ?? 0);
    const needNs = sendNs + r.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
    if (popNs >= needNs) continue;
    const missing = needNs - popNs;
    if (worst && worst.missingNs >= missing) continue;
    const what = p.cond.mode === "if" ? "ConditionalOperation" : "RepeatUntilSuccess";
    const at = p.cond.mode === "if" ? "starts" : "checks the bit";
    const minGap = r.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
    const error = new TimingError(
      "FEEDBACK_TOO_EARLY",
      `${what} "${p.cond.name}" ${at} at ${popAtNs} ns on ${sequencers[r.sequencer]!.key}, but the result of measurement "${p.acq.op.name}" (acquisition window ending at ${p.acq.startNs + p.acq.op.durationNs} ns) arrives there over LINQ (${r.path}, ${r.latencyNs} ns) only at ${sendNs + r.latencyNs - (latencyNs[r.sequencer] ?? 0)} ns; the minimum gap from the end of the acquisition window is ${minGap} ns (${r.latencyNs} ns LINQ latency + ${FEEDBACK_Q1_ALLOWANCE_NS} ns for the receiver's Q1 core), ${missing} ns more than scheduled`,
      {
        path: p.cond.path,
        hint: `start the ${what} at least ${minGap} ns after the end of "${p.acq.op.name}" (rel_time ≥ ${minGap} ns from its end), or set compiler_options.feedback_insert_wait to let the compiler insert the wait`,
        details: {
          measurement: p.acq.op.name,
          conditional: p.cond.name,
          min_gap_ns: minGap,
          missing_ns: missing,
        },
      },
    );
    worst = {
      cond: p.cond,
      measurement: p.acq.op.name,
      receiver: sequencers[r.sequencer]!.key,
      topLevel: p.list === 0,
      popNs: popAtNs,
      missingNs: missing,
      minGapNs: minGap,
      error,
    };
  }
  return worst;
}

/**
 * Pop order. `fb_pop_data id` takes the first entry with the id and discards the entries before it, so
 * on each receiving sequencer a result that arrives before another one but is used by a later
 * conditional would be lost (and the later pop would wait for the next repetition's entry: an
 * underflow). Per receiver and list of siblings, in the order the conditionals pop: a conditional
 * first pops, in arrival order, every result that arrived before its own and is used later, into a
 * register kept until that later conditional. Results arriving at the same RT time on one receiver
 * have no defined order in the queue: FEEDBACK_POP_ORDER_AMBIGUOUS naming both conditionals.
 * (If-conditionals with their own, not write-combined, result; the pops of RepeatUntilSuccess and of
 * write-combined payloads keep their order.)
 */
function planPopOrder(
  pairs: readonly Pair[],
  routes: readonly FeedbackRoute[],
  idOfConditional: Record<NodeId, number>,
  inGroup: ReadonlySet<Pair>,
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  popOfPair: Map<Pair, number>,
): {
  prefetch: Record<number, Record<NodeId, NodeId[]>> | null;
  prefetched: Record<number, NodeId[]>;
  ambiguous: ScheduleError | undefined;
} {
  interface PopEvent {
    p: Pair;
    id: number;
    arrivalNs: number;
  }
  const byRecvList = new Map<string, PopEvent[]>();
  for (const p of pairs) {
    if (p.cond.mode !== "if" || inGroup.has(p)) continue;
    const id = idOfConditional[p.cond.id];
    if (id === undefined) continue;
    const route = routes.find((r) => r.id === id && !r.combine && r.triggerLabel === p.cond.triggerLabel);
    if (!route) continue;
    const sendNs = p.acq.startNs + (latencyNs[route.source] ?? 0) + p.acq.op.durationNs;
    for (const r of route.receivers) {
      const key = `${r.sequencer}\u0000${p.list}`;
      const l = byRecvList.get(key) ?? [];
      l.push({ p, id, arrivalNs: sendNs + r.latencyNs });
      byRecvList.set(key, l);
    }
  }
  const prefetch: Record<number, Record<NodeId, NodeId[]>> = {};
  const prefetched: Record<number, NodeId[]> = {};
  let any = false;
  let ambiguous: ScheduleError | undefined;
  for (const [key, events] of byRecvList) {
    if (events.length < 2) continue;
    const recv = Number(key.slice(0, key.indexOf("\u0000")));
    events.sort((a, b) => a.p.popNs - b.p.popNs || a.p.cond.id - b.p.cond.id);
    const popped = new Set<PopEvent>();
    for (const e of events) {
      if (popped.has(e)) continue;
      popped.add(e);
      const earlier: PopEvent[] = [];
      for (const f of events) {
        if (popped.has(f) || f.id === e.id) continue;
        if (f.arrivalNs === e.arrivalNs) {
          const what = (x: PopEvent) => `ConditionalOperation "${x.p.cond.name}" (measurement "${x.p.acq.op.name}")`;
          const recvLatency = latencyNs[recv] ?? 0;
          ambiguous ??= new ScheduleError(
            "FEEDBACK_POP_ORDER_AMBIGUOUS",
            `${what(e)} and ${what(f)} both use results that reach the feedback queue of ${sequencers[recv]!.key} at ${e.arrivalNs - recvLatency} ns; entries arriving together have no defined order, and fb_pop_data discards the entries before the one it pops, so one of the two results could be lost`,
            {
              path: f.p.cond.path,
              hint: `let the acquisition windows of "${e.p.acq.op.name}" and "${f.p.acq.op.name}" end at different times (move one by 4 ns or more), or, when both readouts are on one module, set compiler_options.feedback_write_combine to send them as one entry`,
              details: { conditionals: [e.p.cond.name, f.p.cond.name], receiver: sequencers[recv]!.key },
            },
          );
        }
        if (f.arrivalNs < e.arrivalNs) earlier.push(f);
        if (ambiguous) break;
      }
      if (earlier.length === 0) continue;
      earlier.sort((a, b) => a.arrivalNs - b.arrivalNs);
      any = true;
      (prefetch[recv] ??= {})[e.p.cond.id] = earlier.map((f) => f.p.cond.id);
      const l = (prefetched[recv] ??= []);
      for (const f of earlier) {
        popped.add(f);
        l.push(f.p.cond.id);
        popOfPair.set(f.p, Math.min(popOfPair.get(f.p) ?? f.p.popNs, e.p.popNs));
      }
    }
  }
  return { prefetch: any ? prefetch : null, prefetched, ambiguous };
}

/** Results in flight to one receiver (sent, not yet popped) must fit its 32-entry queue. */
function checkQueueDepth(
  pairs: readonly Pair[],
  routes: readonly FeedbackRoute[],
  idOfConditional: Record<NodeId, number>,
  sequencers: readonly SequencerPlan[],
  popOfPair: Map<Pair, number>,
  combinedRead: Record<NodeId, CombinedRead>,
  dataQueue: readonly QueueInterval[],
): void {
  const byRecv = new Map<number, QueueInterval[]>();
  for (const q of dataQueue) {
    const l = byRecv.get(q.receiver) ?? [];
    l.push(q);
    byRecv.set(q.receiver, l);
  }
  for (const p of pairs) {
    const id = idOfConditional[p.cond.id];
    const c = combinedRead[p.cond.id];
    // a write-combined payload is one entry: count it once, with its first consumer
    if (c && !c.first) continue;
    const route = routes.find((r) => r.id === id && (c !== undefined || r.triggerLabel === p.cond.triggerLabel));
    if (!route) continue;
    for (const r of route.receivers) {
      const l = byRecv.get(r.sequencer) ?? [];
      l.push({
        receiver: r.sequencer,
        from: p.acq.startNs + p.acq.op.durationNs,
        to: popOfPair.get(p) ?? p.popNs,
        entries: 1,
        source: p.acq.op.name,
        path: p.cond.path,
      });
      byRecv.set(r.sequencer, l);
    }
  }
  for (const [recv, list] of byRecv) {
    const edges = list.flatMap((e) => [
      { t: e.from, d: e.entries, e },
      { t: e.to, d: -e.entries, e },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let open = 0;
    for (const x of edges) {
      open += x.d;
      if (open <= FEEDBACK_QUEUE_DEPTH) continue;
      throw new ResourceLimitError(
        "FEEDBACK_QUEUE_OVERFLOW",
        `${open} measurement results would be waiting in the ${FEEDBACK_QUEUE_DEPTH}-entry feedback queue of ${sequencers[recv]!.key} at ${x.t} ns (the last one from "${x.e.source}")`,
        {
          path: x.e.path,
          hint: "consume results sooner (move the conditionals closer to their measurements), measure fewer qubits at once, or set compiler_options.feedback_write_combine to pack readouts that end together into one entry",
        },
      );
    }
  }
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

/** The feedback options: the compile() options, else the hardware config's compiler_options, else off. */
export function feedbackOptions(
  options: { feedbackInsertWait?: boolean | undefined; feedbackWriteCombine?: boolean | undefined },
  compilerOptions: { feedbackInsertWait: boolean; feedbackWriteCombine: boolean },
): FeedbackOptions {
  return {
    insertWait: options.feedbackInsertWait ?? compilerOptions.feedbackInsertWait,
    writeCombine: options.feedbackWriteCombine ?? compilerOptions.feedbackWriteCombine,
  };
}

/** Compile warnings of the feedback plan: each inserted wait (feedback_insert_wait) and each readout write-combine skipped. */
export function feedbackWarnings(plan: FeedbackPlan): CompileWarning[] {
  const out: CompileWarning[] = (plan.insertedWaits ?? []).map((w) => ({
    code: "FEEDBACK_WAIT_INSERTED",
    message: `feedback_insert_wait: conditional "${w.conditional}" (at ${w.scheduledNs} ns) came ${w.waitNs} ns too early for the result of measurement "${w.measurement}" on ${w.receiver} (minimum gap ${w.minGapNs} ns from the end of its acquisition window); it and everything after it were delayed by ${w.waitNs} ns`,
    path: w.path,
  }));
  return plan.warnings ? [...plan.warnings, ...out] : out;
}

/**
 * The feedback options of compile() (TS API, camelCase; checked before anything else): `feedbackMode`
 * "linq" / "trigger_network", `feedbackInsertWait` and `feedbackWriteCombine` booleans, or undefined.
 * A wrong value is a UsageError naming the option (path "options.<name>"), not silently the default.
 */
export function checkFeedbackCompileOptions(options: unknown): void {
  if (typeof options !== "object" || options === null) return;
  const o = options as Record<string, unknown>;
  const mode = o.feedbackMode;
  if (mode !== undefined && mode !== "linq" && mode !== "trigger_network")
    throw new UsageError(
      `compile option feedbackMode is ${JSON.stringify(mode) ?? String(mode)}; it must be "linq" or "trigger_network"`,
      {
        path: "options.feedbackMode",
        hint: 'pass feedbackMode: "linq" (the default) or "trigger_network", or leave it out',
      },
    );
  for (const name of ["feedbackInsertWait", "feedbackWriteCombine"] as const) {
    const v = o[name];
    if (v === undefined || typeof v === "boolean") continue;
    throw new UsageError(
      `compile option ${name} is ${JSON.stringify(v) ?? String(v)} (${typeof v}); it must be true or false`,
      {
        path: `options.${name}`,
        hint: `pass ${name}: true or false, or leave it out to use the hardware config's compiler_options.${name === "feedbackInsertWait" ? "feedback_insert_wait" : "feedback_write_combine"}`,
      },
    );
  }
}
