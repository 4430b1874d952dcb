/**
 * Long ramps (issue 13 item 10): a RampPulse of at least LONG_RAMP_NS on a port-clock that can hold
 * offsets becomes quantify's stitched `long_ramp_pulse` (2-plan/long-pulses.ts `longRampParts`):
 * 2,000 ns ramp parts that share one waveform, DC offsets in between and a last part for the rest,
 * instead of one waveform as long as the ramp (WAVEFORM_MEMORY_EXCEEDED for long ones). The first
 * part keeps the ramp's node id; the others get new ids (nextNodeId), so every part has its own play.
 * Digital channels and port-clocks with software distortion corrections keep the ramp whole (as long
 * squares do).
 */
import type { HardwareSetup } from "../../hardware/setup.js";
import type { WaveformPulse } from "../../schedule/model.js";
import { LONG_RAMP_NS, longRampParts } from "../2-plan/long-pulses.js";
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import { mapLists } from "../ir/walk.js";

export function stitchLongRamps(timed: TimedSchedule, hw: HardwareSetup): TimedSchedule {
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
  return nodes === timed.nodes ? timed : { ...timed, nodes, nextNodeId: next };
}
