/**
 * Stage 1c: pulse stacking (reference 3.1 c). Waveform pulses that overlap in time on one port-clock
 * cannot be played by one sequencer; like quantify, each group of overlapping pulses is rebuilt as a
 * sequence of non-overlapping pulses, one per interval between start/end events: a SquarePulse with
 * the summed amplitude where only square pulses are active, otherwise a NumericalPulse holding the sum
 * of the active pulses' samples. Crosstalk compensation (stage 1b) relies on this. Each loop body is
 * stacked on its own.
 */
import type { WaveformPulse } from "../../schedule/model.js";
import { sampleWaveform } from "../../schedule/waveforms.js";
import type { IrNode, OpNode, TimedSchedule } from "../ir/nodes.js";
import type { CompileWarning } from "../ir/plan.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { mapLists } from "../ir/walk.js";
import { isWaveformPulse } from "../ops/index.js";
import { withOpTypes } from "./op-types.js";
import { hasOverlap } from "./overlap.js";

/**
 * `warnings` (optional) receives one OVERLAPPING_PULSES_SUMMED warning per pair of overlapping pulses,
 * naming both, so a user sees that their amplitudes were added.
 */
export function stackPulses(timed: TimedSchedule, warnings?: CompileWarning[]): TimedSchedule {
  if (timed.overlapFree === undefined) return stackAll(timed, warnings);
  // the overlap note of 1-schedule/timing is read here and not passed on (a later pass may add overlapping nodes)
  const { overlapFree, ...rest } = timed;
  return overlapFree ? rest : stackAll(rest, warnings);
}

function stackAll(timed: TimedSchedule, warnings: CompileWarning[] | undefined): TimedSchedule {
  const keys = new PortClockKeys();
  const ids = { next: timed.nextNodeId };
  const nodes = mapLists(timed.nodes, (list) => (hasOverlap(list, keys) ? stackList(list, keys, ids, warnings) : list));
  if (nodes === timed.nodes) return timed;
  // the segments are squares or numerical pulses (TimedSchedule.opTypes)
  return { ...timed, nodes, nextNodeId: ids.next, ...withOpTypes(timed, ["SquarePulse", "NumericalPulse"]) };
}

interface Placed {
  node: OpNode;
  op: WaveformPulse;
  start: number;
  end: number;
}

/** One list of siblings (loop bodies are stacked on their own by mapLists). */
function stackList(
  nodes: IrNode[],
  keys: PortClockKeys,
  ids: { next: number },
  warnings: CompileWarning[] | undefined,
): IrNode[] {
  const byPortClock = new Map<string, Placed[]>();
  for (const n of nodes) {
    if (n.kind !== "op" || !isWaveformPulse(n.op) || n.op.durationNs <= 0) continue;
    const pc = keys.key(n.op.port, n.op.clock);
    const list = byPortClock.get(pc);
    const p = { node: n, op: n.op, start: n.startNs, end: n.startNs + n.op.durationNs };
    if (list) list.push(p);
    else byPortClock.set(pc, [p]);
  }
  const replaced = new Set<IrNode>();
  const added: IrNode[] = [];
  for (const [pc, pulses] of byPortClock) {
    for (const group of overlappingGroups(pulses)) {
      if (warnings) overlapWarnings(group, pc, warnings);
      for (const p of group) replaced.add(p.node);
      added.push(...rebuild(group, ids));
    }
  }
  if (replaced.size === 0) return nodes;
  const merged = [...nodes.filter((n) => !replaced.has(n)), ...added];
  return merged.sort((a, b) => a.startNs - b.startNs); // stable (ES2019): ties keep schedule order
}

/** One warning per overlapping pair of a group (times relative to the list's start: loop bodies on their own). */
function overlapWarnings(group: Placed[], portClock: string, warnings: CompileWarning[]): void {
  for (let i = 0; i < group.length; i++)
    for (let j = i + 1; j < group.length; j++) {
      const a = group[i]!,
        b = group[j]!;
      const from = Math.max(a.start, b.start),
        to = Math.min(a.end, b.end);
      if (to <= from) continue;
      // crosstalk compensation (1b) adds its copies on purpose: summing them is the point, not news
      if (isCrosstalkCopy(a) || isCrosstalkCopy(b)) continue;
      warnings.push({
        code: "OVERLAPPING_PULSES_SUMMED",
        message: `pulses "${a.op.name}" (${a.op.path}) and "${b.op.name}" (${b.op.path}) overlap on ${portClock} from ${from} to ${to} ns and are played summed (their amplitudes add)`,
        path: b.op.path,
      });
    }
}

/** A pulse crosstalk.ts copied onto this port-clock (it names them "<name> (crosstalk from <port-clock>)"). */
const isCrosstalkCopy = (p: Placed): boolean => p.op.name.includes(" (crosstalk from ");

/** Groups of pulses connected by overlaps (groups of one are left alone). */
function overlappingGroups(pulses: Placed[]): Placed[][] {
  const sorted = [...pulses].sort((a, b) => a.start - b.start);
  const groups: Placed[][] = [];
  let cur: Placed[] = [];
  let end = -Infinity;
  for (const p of sorted) {
    if (p.start < end) cur.push(p);
    else {
      if (cur.length > 1) groups.push(cur);
      cur = [p];
    }
    end = Math.max(end, p.end);
  }
  if (cur.length > 1) groups.push(cur);
  return groups;
}

function rebuild(group: Placed[], ids: { next: number }): IrNode[] {
  const edges = [...new Set(group.flatMap((p) => [p.start, p.end]))].sort((a, b) => a - b);
  const first = group[0]!.op;
  const name = `stacked ${[...new Set(group.map((p) => p.op.name))].join(" + ")}`;
  const samples = new Map<Placed, { re: Float64Array; im: Float64Array | null }>();
  const sampled = (p: Placed) => {
    let s = samples.get(p);
    if (!s) {
      s = sampleWaveform(p.op);
      samples.set(p, s);
    }
    return s;
  };
  const out: IrNode[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const a = edges[k]!,
      b = edges[k + 1]!;
    const active = group.filter((p) => p.start <= a && p.end >= b);
    if (active.length === 0) continue;
    const base = { name, path: first.path, t0Ns: 0, port: first.port, clock: first.clock, durationNs: b - a };
    let op: WaveformPulse;
    if (active.every((p) => p.op.type === "SquarePulse")) {
      let amp = 0,
        ampImag = 0;
      for (const p of active)
        if (p.op.type === "SquarePulse") {
          amp += p.op.amp;
          ampImag += p.op.ampImag;
        }
      op = { ...base, type: "SquarePulse", amp, ampImag };
    } else {
      const len = b - a;
      const re = new Array<number>(len + 1).fill(0);
      let im: number[] | null = null;
      for (const p of active) {
        const s = sampled(p);
        for (let i = 0; i < len; i++) {
          re[i]! += s.re[a - p.start + i]!;
          if (s.im) {
            im ??= new Array<number>(len + 1).fill(0);
            im[i]! += s.im[a - p.start + i]!;
          }
        }
      }
      // one extra sample so that t_samples spans len ns (quantify's SimpleNumericalPulse)
      re[len] = re[len - 1]!;
      if (im) im[len] = im[len - 1]!;
      op = {
        ...base,
        type: "NumericalPulse",
        samples_re: re,
        samples_im: im,
        t_samples: re.map((_, i) => i * 1e-9),
        interpolation: "linear",
      };
    }
    out.push({ kind: "op", id: ids.next++, startNs: a, op, label: group[0]!.node.label });
  }
  return out;
}
