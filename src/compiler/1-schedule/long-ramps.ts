/**
 * Long ramps (issue 13 item 10): a RampPulse of at least LONG_RAMP_NS on a port-clock that can hold
 * offsets becomes quantify's stitched `long_ramp_pulse` (`longRampParts` below):
 * 2,000 ns ramp parts that share one waveform, DC offsets in between and a last part for the rest,
 * instead of one waveform as long as the ramp (WAVEFORM_MEMORY_EXCEEDED for long ones). The first
 * part keeps the ramp's node id; the others get new ids (nextNodeId), so every part has its own play.
 * Digital channels and port-clocks with software distortion corrections keep the ramp whole (as long
 * squares do).
 */
import type { HardwareSetup } from "../../hardware/setup.js";
import type { VoltageOffsetOp, WaveformPulse } from "../../schedule/model.js";
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import { mapLists } from "../ir/walk.js";
import { mayContain, withOpTypes } from "./op-types.js";

export function stitchLongRamps(timed: TimedSchedule, hw: HardwareSetup): TimedSchedule {
  if (!mayContain(timed, "RampPulse")) return timed; // no ramp: nothing to walk for
  let next = timed.nextNodeId;
  const stitchable = new Map<string, boolean>();
  const canStitch = (op: Extract<WaveformPulse, { type: "RampPulse" }>): boolean => {
    const pc = `${op.port}-${op.clock}`;
    let yes = stitchable.get(pc);
    if (yes === undefined) {
      let digital = false;
      try {
        digital = hw.routeFor(op.port, op.clock).channelName.startsWith("digital");
      } catch {
        digital = true; // not routable: left whole, the sequencer pass reports the route error
      }
      yes = !digital && hw.model.portClock(pc).distortion?.kind !== "software";
      stitchable.set(pc, yes);
    }
    return yes;
  };
  const rewrite = (list: IrNode[]): IrNode[] => {
    let out: IrNode[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const node = list[i]!;
      const op = node.kind === "op" ? node.op : null;
      if (node.kind !== "op" || op?.type !== "RampPulse" || op.durationNs < LONG_RAMP_NS || !canStitch(op)) {
        out?.push(node);
        continue;
      }
      out ??= list.slice(0, i);
      longRampParts(op).forEach((part, k) =>
        out!.push({ ...node, id: k === 0 ? node.id : next++, startNs: node.startNs + part.atNs, op: part.op }),
      );
    }
    return out ?? list; // the parts take the ramp's place: in its port-clock's order they follow one another
  };
  const nodes = mapLists(timed.nodes, rewrite);
  if (nodes === timed.nodes) return timed;
  return { ...timed, nodes, nextNodeId: next, ...withOpTypes(timed, ["VoltageOffset"]) }; // the parts' offsets
}

/** Ramps at least this long are stitched (issue 13 item 10; quantify `long_ramp_pulse`). */
export const LONG_RAMP_NS = 2000;
/** STITCHED_PULSE_PART_DURATION_NS: the length of each whole ramp part. */
export const STITCHED_PART_NS = 2000;

/** One part of a stitched ramp: an operation and its start relative to the ramp's start. */
export interface RampPart {
  atNs: number;
  op: VoltageOffsetOp | WaveformPulse;
}

/**
 * quantify's `long_ramp_pulse`: whole 2,000 ns ramps of amp·2000/duration played on top of a DC offset
 * that steps up by that amount per part (no offset before the first part when the ramp starts at 0),
 * the offset back to 0 before the last part once offsets were used, and a last ramp that carries the
 * remaining amplitude from the running offset. The whole parts share one waveform (2,000 samples),
 * whatever the ramp's length.
 */
export function longRampParts(op: Extract<WaveformPulse, { type: "RampPulse" }>): RampPart[] {
  const dur = op.durationNs;
  const whole = Math.floor((dur - 1) / STITCHED_PART_NS);
  const ampPart = (STITCHED_PART_NS / dur) * op.amp;
  const durLeft = dur - whole * STITCHED_PART_NS;
  const ampLeft = op.amp - whole * ampPart;
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const offset = (atNs: number, i: number): RampPart => ({
    atNs,
    op: {
      type: "VoltageOffset",
      name: op.name,
      path: op.path,
      t0Ns: op.t0Ns,
      port: op.port,
      clock: op.clock,
      durationNs: 0,
      offset_path_I: i,
      offset_path_Q: 0,
    },
  });
  const ramp = (atNs: number, amp: number, rampOffset: number, durationNs: number): RampPart => ({
    atNs,
    op: {
      type: "RampPulse",
      name: op.name,
      path: op.path,
      t0Ns: op.t0Ns,
      port: op.port,
      clock: op.clock,
      durationNs,
      amp,
      offset: rampOffset,
    },
  });
  const parts: RampPart[] = [];
  let last = op.offset;
  for (let k = 0; k < whole; k++) {
    const at = k * STITCHED_PART_NS;
    if (!(last === op.offset && close(op.offset, 0))) parts.push(offset(at, last));
    parts.push(ramp(at, ampPart, 0, STITCHED_PART_NS));
    last += ampPart;
  }
  const at = whole * STITCHED_PART_NS;
  if (!close(last, op.offset) && !close(last - ampPart, 0)) parts.push(offset(at, 0));
  parts.push(ramp(at, ampLeft, last, durLeft));
  return parts;
}
