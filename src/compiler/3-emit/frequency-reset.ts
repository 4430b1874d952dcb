/**
 * Every repetition starts at the clock's configured frequency (issue 13 item 7). The repetition
 * header resets the NCO phase (`reset_ph`); a `SetClockFrequency` would otherwise leak into the next
 * repetition, which then plays at the last frequency set. quantify has the same bug; q1forge emits
 * `set_freq <configured IF>` in the header of every sequencer whose program changes the frequency
 * (and only there, so other programs are unchanged).
 */
import { encodeFrequency } from "../../q1/encodings.js";
import type { SequencerFrequencies, SequencerPlan } from "../ir/plan.js";
import type { OpNode } from "../ir/nodes.js";
import { someOp } from "../ir/walk.js";

/**
 * The encoded `set_freq` argument of the repetition header, or null when none is needed.
 * `setsFrequency`: whether the program has a SetClockFrequency (found by the caller's walk of the nodes).
 */
export function headerFrequencyReset(
  seq: SequencerPlan,
  freq: SequencerFrequencies,
  setsFrequency = someOp(seq.nodes, isSetClockFrequency),
): { steps: number; hz: number } | null {
  if (!freq.ncoEnabled || freq.ifHz === null) return null;
  return setsFrequency ? { steps: encodeFrequency(freq.ifHz), hz: freq.ifHz } : null;
}

const isSetClockFrequency = (node: OpNode): boolean => node.op.type === "SetClockFrequency";
