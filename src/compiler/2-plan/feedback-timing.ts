/** Timing checks of the LINQ feedback plan (2-plan/feedback.ts): latency, pop order, queue depth. */
import { ScheduleError, TimingError, ResourceLimitError } from "../../core/errors.js";
import type { NodeId } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import type { QueueInterval } from "./feedback-data.js";
import {
  FEEDBACK_Q1_ALLOWANCE_NS,
  FEEDBACK_QUEUE_DEPTH,
  type CombinedRead,
  type FeedbackRoute,
  type LateConditional,
  type Pair,
} from "./feedback-types.js";

/**
 * The bit must reach every receiver FEEDBACK_Q1_ALLOWANCE_NS before it pops it (at `popNs`, the
 * first execution). Returns the receiver that misses it by the most, or null.
 */
export function checkLatency(
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
export function planPopOrder(
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
export function checkQueueDepth(
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
