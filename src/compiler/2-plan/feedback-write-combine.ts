/** Write-combine (feedback_write_combine, docs/feedback.md): which readouts share one payload. */
import type { NodeId } from "../ir/nodes.js";
import type { CompileWarning, SequencerPlan } from "../ir/plan.js";
import type { Pair } from "./feedback-types.js";

/** The most TB parts one 32-bit queue entry holds (2 bits each). */
export const WRITE_COMBINE_MAX_PARTS = 16;

export interface CombineGroup {
  pairs: Pair[];
  sources: number[];
  receivers: number[];
}

/**
 * Write-combine groups: "if" pairs of one sibling list whose acquisitions are on different sequencers
 * of one module, end at the same RT time (start + latency correction + duration) and feed conditionals
 * with the same receivers. Parts are ordered by source sequencer; at most 16 per payload.
 */
export function combineGroups(
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
