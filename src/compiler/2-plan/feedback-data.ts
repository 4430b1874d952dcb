/**
 * Values over LINQ (docs/feedback.md, "Values over LINQ"): which source each ReceiveFeedback pops —
 * a measurement's IQ values or thresholded bits (its feedback_trigger_label) or a SendFeedback's value
 * (its label) — the LINQ ids and routes of those values, the IQ window shift, and the latency check.
 *
 * Pairing rule: in every list of sibling nodes, a ReceiveFeedback receives from the latest earlier
 * source with its label in the same list; all ReceiveFeedback operations between two sources with one
 * label (on different sequencers) receive the same send. A source nobody receives shares nothing.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import type { FeedbackDataOp } from "../../schedule/feedback-data.js";
import type { IrNode, NodeId, OpNode } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { isAcquisition } from "../ops/index.js";
import {
  FEEDBACK_Q1_ALLOWANCE_NS,
  LINQ_LATENCY_NS,
  type FeedbackRoute,
  type LinqDataType,
  type LinqPath,
  type RouteMode,
} from "./feedback.js";

/** Entries waiting in one receiver's feedback queue from `from` to `to` (schedule time, ns). */
export interface QueueInterval {
  receiver: number;
  from: number;
  to: number;
  entries: number;
  source: string;
  path: string;
}

const DATA_TYPES = new Set(["SendFeedback", "ReceiveFeedback"]);

/** Does the schedule send or receive values over LINQ? */
export function hasDataOps(nodes: readonly IrNode[]): boolean {
  for (const n of nodes) {
    if (n.kind === "op") {
      if (DATA_TYPES.has(n.op.type)) return true;
    } else if (hasDataOps(n.body)) return true;
  }
  return false;
}

/**
 * hasDataOps, answered from the sequencers' `opTypes` (2-plan/sequencers.ts) when each has them:
 * every SendFeedback / ReceiveFeedback is placed on its port-clock's sequencer.
 */
export function holdsDataOps(timedNodes: readonly IrNode[], sequencers: readonly SequencerPlan[]): boolean {
  if (!sequencers.every((seq) => seq.opTypes !== undefined)) return hasDataOps(timedNodes);
  return sequencers.some((seq) => seq.opTypes!.some((type) => DATA_TYPES.has(type)));
}

/**
 * The IQ shift rule: a full-scale input integrates to L·√2·2^22 over L ns (the integrated path of the
 * demodulated signal, as the emulator computes it), which overflows the signed 32-bit LINQ word from
 * L·√2 = 512 on (L ≥ 363 ns); shift = max(0, floor(log2(L·√2)) − 8) keeps every value in bits
 * [31+shift : shift] of the 48-bit accumulator (the receiver's value is floor(Σ·2^22) / 2^shift).
 */
export function iqShiftFor(integrationNs: number): number {
  return Math.max(0, Math.floor(Math.log2(Math.max(1, integrationNs) * Math.SQRT2)) - 8);
}

type Receive = OpNode & { op: Extract<FeedbackDataOp, { type: "ReceiveFeedback" }> };

interface DataPair {
  source: OpNode;
  dataType: LinqDataType;
  label: string;
  receives: Receive[];
  /** the list of siblings (walk order) */
  list: number;
  src: number;
  receivers: number[];
  /** write-combine of sent values: this value's bits in the group's payload */
  combine?: { group: string; bitPos: number; bits: number; lengthBytes: number; parts: DataPair[] };
}

/** A write-combined value as its receiver reads it (3-emit: first pops, each extracts, last frees). */
export interface CombinedValueRead {
  bitPos: number;
  bits: number;
  first: boolean;
  last: boolean;
  group: number;
}

function pairData(nodes: readonly IrNode[], out: DataPair[], counter: { next: number }, list: number): void {
  const latestAcq = new Map<string, OpNode>();
  const latestSend = new Map<string, OpNode>();
  const open = new Map<string, DataPair>();
  for (const n of nodes) {
    if (n.kind !== "op") {
      pairData(n.body, out, counter, counter.next++);
      continue;
    }
    const op = n.op;
    if (isAcquisition(op)) {
      const label = op.feedback_trigger_label;
      if (label === null) continue;
      latestAcq.set(label, n);
      open.delete(`iq\u0000${label}`);
      open.delete(`thresholded_bits\u0000${label}`);
    } else if (op.type === "SendFeedback") {
      latestSend.set(op.label, n);
      open.delete(`register\u0000${op.label}`);
    } else if (op.type === "ReceiveFeedback") {
      const dataType: LinqDataType =
        op.data === "iq" ? "iq" : op.data === "thresholded_bits" ? "thresholded_bits" : "register";
      const key = `${dataType}\u0000${op.label}`;
      let g = open.get(key);
      if (!g) {
        const source = dataType === "register" ? latestSend.get(op.label) : latestAcq.get(op.label);
        if (!source)
          throw new ScheduleError(
            "FEEDBACK_WITHOUT_SOURCE",
            `ReceiveFeedback "${op.name}" receives ${op.data === "value" ? `the value labelled "${op.label}"` : `the ${op.data === "iq" ? "IQ values" : "thresholded bits"} of "${op.label}"`}, but no ${dataType === "register" ? `SendFeedback with label "${op.label}"` : `acquisition with feedback_trigger_label "${op.label}"`} comes earlier in the same schedule or loop body`,
            {
              path: op.path,
              hint:
                dataType === "register"
                  ? `send the value first: {"type": "SendFeedback", "label": "${op.label}", …}`
                  : `measure first with "feedback_trigger_label": "${op.label}" (ThresholdedAcquisition)`,
            },
          );
        g = { source, dataType, label: op.label, receives: [], list, src: -1, receivers: [] };
        open.set(key, g);
        out.push(g);
      }
      g.receives.push(n as Receive);
    }
  }
}

function sequencerOfNodes(sequencers: readonly SequencerPlan[]): Map<NodeId, number> {
  const m = new Map<NodeId, number>();
  const walk = (nodes: readonly IrNode[], i: number): void => {
    for (const n of nodes) {
      if (n.kind === "op") m.set(n.id, i);
      else walk(n.body, i);
    }
  };
  sequencers.forEach((s, i) => walk(s.nodes, i));
  return m;
}

export interface DataPlanContext {
  /** compiler_options.feedback_write_combine: pack values sent together (SendFeedback with bits) */
  writeCombine: boolean;
  seqOfAcq: Map<NodeId, number>;
  tbIdOfNode: Record<NodeId, number>;
  routedId: (cluster: string, by: { name: string; path: string }) => number;
  selfId: (source: number, by: { name: string; path: string }) => number;
  routeMode: (source: number, receivers: number[], self: boolean) => RouteMode;
  /** the plan's routes: data routes are appended */
  routes: FeedbackRoute[];
}

export interface DataPlan {
  any: boolean;
  iqIdOfNode: Record<NodeId, number>;
  iqShiftOfNode: Record<NodeId, number>;
  iqShare: boolean[];
  sendIdOfNode: Record<NodeId, number>;
  receiveIdOfNode: Record<NodeId, number>;
  /** sequencers whose thresholded bits a ReceiveFeedback takes */
  tbSources: number[];
  /** write-combined SendFeedback node id → its fb_com_cfg (bit position, payload bytes) */
  comCfgOfNode: Record<NodeId, { bitPos: number; lengthBytes: number }>;
  /** ReceiveFeedback node id → how it reads a write-combined payload */
  combinedReadOfNode: Record<NodeId, CombinedValueRead>;
  queue: QueueInterval[];
}

export function planData(
  timedNodes: readonly IrNode[],
  sequencers: readonly SequencerPlan[],
  latencyNs: readonly number[],
  ctx: DataPlanContext,
): DataPlan {
  const plan: DataPlan = {
    any: false,
    iqIdOfNode: {},
    iqShiftOfNode: {},
    iqShare: sequencers.map(() => false),
    sendIdOfNode: {},
    receiveIdOfNode: {},
    tbSources: [],
    comCfgOfNode: {},
    combinedReadOfNode: {},
    queue: [],
  };
  const pairs: DataPair[] = [];
  pairData(timedNodes, pairs, { next: 1 }, 0);
  if (pairs.length === 0 && !hasDataOps(timedNodes)) return plan;
  plan.any = true;
  const seqOf = sequencerOfNodes(sequencers);
  const byKey = new Map<string, FeedbackRoute>();
  for (const g of pairs) {
    const src = seqOf.get(g.source.id);
    if (src === undefined) continue;
    g.src = src;
    const receivers = g.receivers;
    for (const r of g.receives) {
      const s = seqOf.get(r.id)!;
      if (receivers.includes(s))
        throw new ScheduleError(
          "FEEDBACK_RECEIVED_TWICE",
          `ReceiveFeedback "${r.op.name}" on ${sequencers[s]!.key} receives "${g.label}" a second time after one ${g.dataType === "register" ? "SendFeedback" : "measurement"}: it is in the queue once`,
          { path: r.op.path, hint: "receive it once into a variable and use that variable again" },
        );
      if (sequencers[s]!.cluster !== sequencers[src]!.cluster)
        throw new ScheduleError(
          "FEEDBACK_ACROSS_CLUSTERS",
          `ReceiveFeedback "${r.op.name}" on ${sequencers[s]!.key} (${sequencers[s]!.cluster}) receives "${g.label}" from ${sequencers[src]!.key} (${sequencers[src]!.cluster}); LINQ does not cross clusters`,
          { path: r.op.path, hint: "route both operations to modules of the same cluster" },
        );
      receivers.push(s);
    }
    receivers.sort((a, b) => a - b);
  }
  if (ctx.writeCombine) combineSends(pairs, sequencers, latencyNs);
  for (const g of pairs) {
    const src = g.src;
    if (src === -1) continue;
    const first = g.receives[0]!;
    const by = { name: first.op.name, path: first.op.path };
    const receivers = g.receivers;
    const srcSeq = sequencers[src]!;
    const key = g.combine
      ? `wc\u0000${g.combine.group}`
      : `${g.dataType}\u0000${g.label}\u0000${src}\u0000${receivers.join(",")}`;
    let route = byKey.get(key);
    if (!route) {
      const self = receivers.length === 1 && receivers[0] === src;
      const id = self ? ctx.selfId(src, by) : ctx.routedId(srcSeq.cluster, by);
      route = {
        id,
        mode: ctx.routeMode(src, receivers, self),
        triggerLabel: g.label,
        dataType: g.dataType,
        source: g.combine ? g.combine.parts[0]!.src : src,
        receivers: receivers.map((r) => {
          const path: LinqPath = self
            ? "self-cast"
            : sequencers[r]!.moduleName === srcSeq.moduleName
              ? "intra-cast"
              : "multi-cast";
          return { sequencer: r, path, latencyNs: LINQ_LATENCY_NS[g.dataType][path] };
        }),
      };
      if (g.dataType === "iq" && g.source.op.type !== "SendFeedback")
        route.iqShift = iqShiftFor(g.source.op.durationNs);
      if (g.combine) {
        route.triggerLabel = g.combine.parts.map((x) => x.label).join(",");
        route.combine = {
          lengthBytes: g.combine.lengthBytes,
          parts: g.combine.parts.map((x) => ({ source: x.src, triggerLabel: x.label, bitPos: x.combine!.bitPos })),
        };
      }
      byKey.set(key, route);
      ctx.routes.push(route);
    }
    // the source side
    const op = g.source.op;
    let sendNs: number;
    if (op.type === "SendFeedback") {
      plan.sendIdOfNode[g.source.id] = route.id;
      // with `bits`, fb_com_cfg comes first: the value leaves 4 ns after the operation's start
      sendNs = g.source.startNs + (op.bits === null ? 0 : 4);
      if (g.combine) plan.comCfgOfNode[g.source.id] = { bitPos: g.combine.bitPos, lengthBytes: g.combine.lengthBytes };
    } else {
      sendNs = g.source.startNs + op.durationNs;
      if (g.dataType === "iq") {
        plan.iqIdOfNode[g.source.id] = route.id;
        plan.iqShiftOfNode[g.source.id] = route.iqShift ?? 0;
        plan.iqShare[src] = true;
      } else {
        if ((ctx.tbIdOfNode[g.source.id] ?? 0) !== 0 && ctx.tbIdOfNode[g.source.id] !== route.id)
          throw new ScheduleError(
            "FEEDBACK_SHARED_TWICE",
            `the thresholded bits of "${op.name}" go to a conditional and to ReceiveFeedback "${first.op.name}" on other sequencers; one acquisition shares its bits with one LINQ id`,
            { path: first.op.path, hint: 'measure again for the second consumer, or receive the bits with data "iq"' },
          );
        ctx.tbIdOfNode[g.source.id] = route.id;
        plan.tbSources.push(src);
      }
    }
    // the receiving side: latency and queue
    for (const r of g.receives) {
      plan.receiveIdOfNode[r.id] = route.id;
      const rs = seqOf.get(r.id)!;
      const rx = route.receivers.find((x) => x.sequencer === rs)!;
      // a write-combined payload is popped by the group's first receive on this sequencer
      let popNode: OpNode = r;
      if (g.combine) {
        const onSeq = g.combine.parts
          .flatMap((x) => x.receives)
          .filter((x) => seqOf.get(x.id) === rs)
          .sort((a, b) => a.startNs - b.startNs || a.id - b.id);
        popNode = onSeq[0]!;
        plan.combinedReadOfNode[r.id] = {
          bitPos: g.combine.bitPos,
          bits: g.combine.bits,
          first: onSeq[0] === r,
          last: onSeq[onSeq.length - 1] === r,
          group: route.id,
        };
      }
      const sentAt = sendNs + (latencyNs[src] ?? 0);
      const popAt = popNode.startNs + (latencyNs[rs] ?? 0);
      const need = sentAt + rx.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
      if (popAt < need) {
        const minGap = rx.latencyNs + FEEDBACK_Q1_ALLOWANCE_NS;
        throw new TimingError(
          "FEEDBACK_TOO_EARLY",
          `ReceiveFeedback "${r.op.name}" at ${r.startNs} ns on ${sequencers[rs]!.key} pops ${g.dataType === "register" ? "the value" : g.dataType === "iq" ? "the IQ values" : "the thresholded bits"} of "${op.name}" (sent at ${sendNs} ns), which arrive over LINQ (${rx.path}, ${rx.latencyNs} ns) only ${rx.latencyNs} ns later; the minimum gap is ${minGap} ns (${rx.latencyNs} ns LINQ latency + ${FEEDBACK_Q1_ALLOWANCE_NS} ns for the receiver's Q1 core), ${need - popAt} ns more than scheduled`,
          {
            path: r.op.path,
            hint: `receive at least ${minGap} ns after ${op.type === "SendFeedback" ? "the SendFeedback starts" : "the end of the acquisition window"}`,
            details: { measurement: op.name, conditional: r.op.name, min_gap_ns: minGap, missing_ns: need - popAt },
          },
        );
      }
      if (popNode !== r) continue; // one entry per payload
      plan.queue.push({
        receiver: rs,
        from: sendNs,
        to: r.startNs,
        entries: g.dataType === "iq" ? 2 : 1,
        source: op.name,
        path: r.op.path,
      });
    }
  }
  return plan;
}

/**
 * Write-combine of sent values (fb_com_cfg): SendFeedback operations with `bits`, in one list of
 * siblings, on different sequencers of one module, sending at the same RT time to the same receiving
 * sequencers, share one payload — values packed from bit 0 in source-sequencer order, at most 32 bits.
 */
function combineSends(pairs: DataPair[], sequencers: readonly SequencerPlan[], latencyNs: readonly number[]): void {
  const byKey = new Map<string, DataPair[]>();
  for (const g of pairs) {
    const op = g.source.op;
    if (g.dataType !== "register" || g.src === -1 || op.type !== "SendFeedback" || op.bits === null) continue;
    const s = sequencers[g.src]!;
    const key = `${g.list}\u0000${s.cluster}\u0000${s.moduleName}\u0000${g.source.startNs + (latencyNs[g.src] ?? 0)}\u0000${g.receivers.join(",")}`;
    const l = byKey.get(key) ?? [];
    l.push(g);
    byKey.set(key, l);
  }
  for (const [key, l] of byKey) {
    if (l.length < 2 || new Set(l.map((g) => g.src)).size !== l.length) continue;
    l.sort((a, b) => a.src - b.src);
    const widths = l.map((g) => (g.source.op as { bits: number }).bits);
    const total = widths.reduce((a, b) => a + b, 0);
    if (total > 32) continue; // does not fit one entry: sent separately
    let pos = 0;
    l.forEach((g, k) => {
      g.combine = { group: key, bitPos: pos, bits: widths[k]!, lengthBytes: Math.ceil(total / 8), parts: l };
      pos += widths[k]!;
    });
  }
}
