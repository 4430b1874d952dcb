/**
 * The overlap check of 1-schedule/stacking: whether two waveform pulses of one port-clock overlap in
 * one list of sibling nodes. One scan, fed node by node in start order, so 1-schedule/timing can run
 * it while it places a list's nodes (TimedSchedule.overlapFree) and stacking over a finished list.
 */
import type { IrNode } from "../ir/nodes.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { isWaveformPulse } from "../ops/index.js";

/** The latest end of a port-clock's pulses so far. */
interface PortClockEnd {
  port: string;
  clock: string;
  end: number;
}

/** How many port-clocks the scan compares by identity before it asks its map. */
const RECENT_PORT_CLOCKS = 8;

export class OverlapScan {
  /** true once two waveform pulses of one port-clock overlapped */
  overlap = false;
  private readonly byPc = new Map<string, PortClockEnd>();
  // the few port-clocks seen last, compared by identity: lists mostly cycle through a few port-clocks,
  // so a pulse costs no map lookup
  private readonly recent: PortClockEnd[] = [];
  private evict = 0;
  private cur: PortClockEnd | undefined;

  constructor(private readonly keys: PortClockKeys = new PortClockKeys()) {}

  /** The next node of the list (start not before the previous node's). */
  add(n: IrNode): void {
    if (n.kind !== "op" || !isWaveformPulse(n.op) || n.op.durationNs <= 0) return;
    const { port, clock } = n.op;
    let cur = this.cur;
    if (cur === undefined || port !== cur.port || clock !== cur.clock) cur = this.cur = this.entry(port, clock);
    if (n.startNs < cur.end) this.overlap = true;
    const e = n.startNs + n.op.durationNs;
    if (e > cur.end) cur.end = e;
  }

  private entry(port: string, clock: string): PortClockEnd {
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) {
      const e = recent[k]!;
      if (e.port === port && e.clock === clock) return e;
    }
    const pc = this.keys.key(port, clock);
    let e = this.byPc.get(pc);
    if (e === undefined) this.byPc.set(pc, (e = { port, clock, end: -Infinity }));
    if (recent.length < RECENT_PORT_CLOCKS) recent.push(e);
    else recent[this.evict++ % RECENT_PORT_CLOCKS] = e;
    return e;
  }
}

/** Whether any two waveform pulses of one port-clock overlap in `nodes` (sorted by start). */
export function hasOverlap(nodes: readonly IrNode[], keys?: PortClockKeys): boolean {
  const scan = new OverlapScan(keys);
  for (let i = 0; i < nodes.length && !scan.overlap; i++) scan.add(nodes[i]!);
  return scan.overlap;
}
