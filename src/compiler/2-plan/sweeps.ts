/**
 * The lowering decision of every sweep (docs/sweeps.md): a Q1 register loop when every parameter can
 * be driven by register arithmetic (a constant increment per point, an instruction that takes a
 * register: set_awg_gain, set_awg_offs, set_freq, set_ph_delta, wait), otherwise the sweep is
 * unrolled here, one copy of the body per point with the values substituted (new node ids from
 * `nextNodeId`). Register sweeps stay SweepNodes for 3-emit/sweeps.ts. Plain data in and out.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import { encodePhase, NCO_PHASE_STEPS_PER_TURN } from "../../q1/encodings.js";
import type { ScheduleOp } from "../../schedule/model.js";
import { isLinear } from "../../schedule/sweep.js";
import type { IrNode, NodeId, OpNode, SweepNode, TimedSchedule } from "../ir/nodes.js";
import { isWaveformPulse } from "../ops/index.js";

/** Amplitude fields of each pulse kind: a register gain sweep needs all of them proportional to one parameter. */
export const AMPLITUDE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  SquarePulse: ["amp"],
  // the derivative path is D_amp · G_amp · (…): G_amp alone scales the whole DRAG pulse
  DRAGPulse: ["G_amp"],
  GaussPulse: ["G_amp"],
  RampPulse: ["amp", "offset"],
  StaircasePulse: ["start_amp", "final_amp"],
  SoftSquarePulse: ["amp"],
  ChirpPulse: ["amp"],
  SkewedHermitePulse: ["amplitude"],
};

/** Longest register wait (the `wait` duration range). */
export const MAX_REGISTER_WAIT_NS = 65535;

export interface SweepParamDecision {
  name: string;
  /** why this lowering */
  reason: string;
}

/** One sweep dimension's lowering (the original node; unrolled copies keep its path). */
export interface SweepDecision {
  node: NodeId;
  name: string;
  path: string;
  lowering: "register" | "unrolled";
  points: number;
  params: SweepParamDecision[];
  /** unrolled: node ids of the copies, [from, to) */
  copies: [number, number] | null;
}

/**
 * A node of an unrolled copy: which point of which sweep dimension (outermost first); point −1 marks
 * an enclosing register loop (its point is the loop's iteration).
 */
export interface PointTag {
  node: NodeId;
  point: number;
}

export interface SweepPlan {
  timed: TimedSchedule;
  decisions: SweepDecision[];
  /** unrolled copy node id → the sweep points it belongs to */
  pointOf: Record<NodeId, PointTag[]>;
  /** every sweep dimension by its original node id (parameters, values; register and unrolled) */
  sweeps: Record<NodeId, Pick<SweepNode, "id" | "name" | "path" | "params" | "repetitions">>;
}

export function planSweeps(timed: TimedSchedule): SweepPlan {
  const decisions: SweepDecision[] = [];
  const pointOf: Record<NodeId, PointTag[]> = {};
  const sweeps: SweepPlan["sweeps"] = {};
  let next = timed.nextNodeId;
  const seen = new Set<NodeId>();

  const visit = (nodes: IrNode[], tags: PointTag[]): IrNode[] => {
    let out: IrNode[] | null = null;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      let replacement: IrNode[] | null = null;
      if (n.kind === "sweep") {
        const origin = originOf(n);
        sweeps[origin] ??= { id: origin, name: n.name, path: n.path, params: n.params, repetitions: n.repetitions };
        const reasons = decide(n);
        const unroll = reasons.some((r) => r.unroll);
        const first = !seen.has(origin);
        seen.add(origin);
        if (!unroll) {
          if (first)
            decisions.push({
              node: origin,
              name: n.name,
              path: n.path,
              lowering: "register",
              points: n.repetitions,
              params: reasons.map((r) => ({ name: r.name, reason: r.reason })),
              copies: null,
            });
          // copies made inside a register loop mark its place in their tags (point −1: "this register loop")
          const body = visit(n.body, [...tags, { node: origin, point: -1 }]);
          if (body !== n.body) replacement = [{ ...n, body }];
        } else {
          const from = next;
          const copies = unrollSweep(n, () => next++, origin, tags, pointOf);
          const blame = reasons.find((r) => r.unroll)!;
          const d: SweepDecision = {
            node: origin,
            name: n.name,
            path: n.path,
            lowering: "unrolled",
            points: n.repetitions,
            params: reasons.map((r) =>
              r.unroll
                ? { name: r.name, reason: r.reason }
                : { name: r.name, reason: `unrolled with "${blame.name}": ${blame.reason}` },
            ),
            copies: [from, next],
          };
          // nested sweeps inside the copies are decided (and unrolled) in the copies
          replacement = visitCopies(copies);
          d.copies = [from, next];
          if (first) decisions.push(d);
          else {
            const prev = decisions.find((x) => x.node === origin)!;
            prev.copies = [prev.copies?.[0] ?? from, next];
          }
        }
      } else if (n.kind !== "op") {
        const body = visit(n.body, tags);
        if (body !== n.body) replacement = [{ ...n, body }];
      }
      if (replacement) {
        out ??= nodes.slice(0, i);
        out.push(...replacement);
      } else if (out) out.push(n);
    }
    return out ?? nodes;
  };
  const visitCopies = (copies: { nodes: IrNode[]; tags: PointTag[] }[]): IrNode[] => {
    const all: IrNode[] = [];
    for (const c of copies) all.push(...visit(c.nodes, c.tags));
    return all;
  };
  const nodes = visit(timed.nodes, []);
  return { timed: nodes === timed.nodes ? timed : { ...timed, nodes, nextNodeId: next }, decisions, pointOf, sweeps };
}

/** The id of the sweep a copy (made by unrolling an enclosing sweep) was copied from. */
function originOf(n: SweepNode): NodeId {
  return n.origin ?? n.id;
}

interface Reason {
  name: string;
  reason: string;
  unroll: boolean;
}

function decide(n: SweepNode): Reason[] {
  const ops = new Map<NodeId, OpNode>();
  const index = (nodes: readonly IrNode[]): void => {
    for (const x of nodes) {
      if (x.kind === "op") ops.set(x.id, x);
      else index(x.body);
    }
  };
  index(n.body);
  // crosstalk compensation and stacking (phase 1) rebuild a swept pulse into operations without its binding
  const bound = new Set(n.bindings.map((b) => b.node));
  const boundPaths = new Map<string, string>();
  for (const id of bound) {
    const op = ops.get(id)?.op;
    if (op && isWaveformPulse(op)) boundPaths.set(op.path, op.name);
  }
  for (const [id, node] of ops) {
    if (bound.has(id) || !isWaveformPulse(node.op) || !boundPaths.has(node.op.path)) continue;
    throw new ScheduleError(
      "SWEEP_PULSE_REBUILT",
      `sweep "${n.name}": pulse "${boundPaths.get(node.op.path)}" at ${node.op.path} is swept, but crosstalk compensation or pulse stacking made copies of it ("${node.op.name}") that cannot follow the sweep`,
      {
        path: node.op.path,
        hint: "sweep pulses on port-clocks without crosstalk entries and without overlapping pulses",
      },
    );
  }
  return n.params.map((p, k): Reason => {
    const name = p.name;
    // durations: whole ns within 1 ns of a line are what a fixed-point register wait plays
    if (!isLinear(p.values, p.dim === "time" ? 1 : 0))
      return { name, reason: "the values are not equally spaced (no constant increment)", unroll: true };
    const bindings = n.bindings.filter((b) => b.param === k);
    const kinds: string[] = [];
    for (const b of bindings) {
      const node = ops.get(b.node);
      if (!node) continue;
      const op = node.op;
      const why = bindingProblem(n, k, op, b.field);
      if (why) return { name, reason: why, unroll: true };
      kinds.push(instructionOf(op, b.field));
    }
    if (p.dim === "time" && n.shift && n.params[n.shift.param] === p) {
      if (p.nominal !== 0)
        return { name, reason: "the swept duration is a pulse's: it changes the waveform samples", unroll: true };
      const min = Math.min(...p.values);
      if (min < 4) {
        throw new TimingError(
          "SWEEP_WAIT_TOO_SHORT",
          `sweep "${n.name}": parameter "${name}" reaches ${min} ns; a register wait needs at least 4 ns`,
          { path: p.path, hint: "start the duration sweep at 4 ns or more" },
        );
      }
      if (Math.max(...p.values) > MAX_REGISTER_WAIT_NS)
        return { name, reason: `values above ${MAX_REGISTER_WAIT_NS} ns exceed one register wait`, unroll: true };
      if (!isWaitRamp(p.values))
        return { name, reason: "the durations are not the whole-ns ramp a register wait plays", unroll: true };
      kinds.push("wait");
    }
    const uniq = [...new Set(kinds)];
    return {
      name,
      reason: uniq.length
        ? `linear steps driven by register arithmetic (${uniq.join(", ")} with registers)`
        : "constant in the body on every sequencer (no operation uses it)",
      unroll: false,
    };
  });
}

/** Whether whole-ns `values` are exactly what the register wait ramp of 3-emit/sweeps.ts plays. */
function isWaitRamp(values: readonly number[]): boolean {
  const n = values.length;
  if (n < 2) return true;
  const first = values[0]!;
  const last = values[n - 1]!;
  if ((last - first) % (n - 1) === 0) {
    const step = (last - first) / (n - 1);
    return values.every((v, i) => v === first + i * step);
  }
  const inc = Math.round(((last - first) * 65536) / (n - 1));
  return values.every((v, i) => v === Math.floor((first * 65536 + 32768 + i * inc) / 65536));
}

function instructionOf(op: ScheduleOp, field: string): string {
  if (op.type === "VoltageOffset") return "set_awg_offs";
  if (op.type === "SetClockFrequency") return "set_freq";
  if (op.type === "ShiftClockPhase") return "set_ph_delta";
  if (op.type === "IdlePulse" || field === "durationNs") return "wait";
  return "set_awg_gain";
}

/** Why the field of `op` cannot be driven by a register, or null. */
function bindingProblem(n: SweepNode, k: number, op: ScheduleOp, field: string): string | null {
  const p = n.params[k]!;
  const own = n.bindings.filter((b) => b.param === k);
  if (field === "durationNs")
    return op.type === "IdlePulse" ? null : `the duration of ${op.type} "${op.name}" changes its waveform samples`;
  if (op.type === "VoltageOffset" && (field === "offset_path_I" || field === "offset_path_Q")) return null;
  if (op.type === "SetClockFrequency" && field === "clock_freq_new") return null;
  if (op.type === "ShiftClockPhase" && field === "phase_shift") {
    const b = own.find((x) => x.field === field)!;
    const first = b.scale * p.values[0]!;
    const last = b.scale * p.values[p.values.length - 1]!;
    if (Math.min(first, last) < 0 || Math.max(first, last) >= 360)
      return `phase shifts from ${first}° to ${last}° leave [0°, 360°): set_ph_delta with a register cannot wrap`;
    const steps = encodePhase(last);
    if (steps >= NCO_PHASE_STEPS_PER_TURN) return "phase wraps";
    return null;
  }
  if (isWaveformPulse(op)) {
    const amps = AMPLITUDE_FIELDS[op.type];
    if (op.type === "DRAGPulse" && field === "D_amp")
      return `D_amp of DRAGPulse "${op.name}" is relative to G_amp (the derivative path is D_amp · G_amp): sweep G_amp alone to scale the whole pulse`;
    if (!amps || !amps.includes(field))
      return `field "${field}" of ${op.type} "${op.name}" is part of the waveform samples`;
    for (const f of amps) {
      const bound = n.bindings.some(
        (b) => b.node === own.find((x) => x.field === field)!.node && b.field === f && b.param === k,
      );
      const v = (op as unknown as Record<string, number>)[f];
      if (!bound && v !== 0)
        return `${op.type} "${op.name}": ${field} is swept but ${f} is not, so the waveform shape changes (refer to the parameter from both)`;
    }
    if (op.type === "SquarePulse" && op.ampImag !== 0)
      return `SquarePulse "${op.name}" has a complex amplitude; only real amplitudes are swept in registers`;
    if (p.nominal === 0) return "every value is 0";
    return null;
  }
  return `field "${field}" of ${op.type} "${op.name}" has no register form`;
}

/** The copies of a sweep's body, one per point, values substituted and times shifted; new ids from `id`. */
function unrollSweep(
  n: SweepNode,
  id: () => number,
  origin: NodeId,
  tags: PointTag[],
  pointOf: Record<NodeId, PointTag[]>,
): { nodes: IrNode[]; tags: PointTag[] }[] {
  const byNode = new Map<NodeId, { field: string; scale: number; param: number }[]>();
  for (const b of n.bindings) {
    const l = byNode.get(b.node);
    if (l) l.push(b);
    else byNode.set(b.node, [b]);
  }
  const shiftParam = n.shift ? n.params[n.shift.param]! : null;
  const out: { nodes: IrNode[]; tags: PointTag[] }[] = [];
  let offset = 0;
  for (let i = 0; i < n.repetitions; i++) {
    const delta = shiftParam ? shiftParam.values[i]! - shiftParam.nominal : 0;
    const split = n.startNs + (n.shift?.splitNs ?? Infinity);
    const pointTags = [...tags, { node: origin, point: i }];
    const ids = new Map<NodeId, NodeId>();
    const copy = (nodes: readonly IrNode[], moved: boolean | null): IrNode[] =>
      nodes.map((x): IrNode => {
        const isMoved = moved ?? x.startNs >= split;
        const startNs = x.startNs + offset + (isMoved ? delta : 0);
        const newId = id();
        ids.set(x.id, newId);
        pointOf[newId] = pointTags;
        if (x.kind === "op") {
          const bs = byNode.get(x.id);
          let op = x.op;
          if (bs) {
            const patched: Record<string, unknown> = { ...op };
            for (const b of bs) {
              const v = b.scale * n.params[b.param]!.values[i]!;
              patched[b.field] = b.field === "durationNs" ? Math.round(v) : v;
            }
            op = patched as unknown as ScheduleOp;
          }
          return { ...x, id: newId, startNs, op };
        }
        const body = copy(x.body, isMoved);
        if (x.kind === "sweep") {
          return { ...x, id: newId, startNs, body, bindings: [], origin: originOf(x) };
        }
        return { ...x, id: newId, startNs, body } as IrNode;
      });
    const nodes = copy(n.body, null);
    // bindings of nested sweeps follow their operations into the copy
    const remap = (nodes: IrNode[], src: readonly IrNode[]): void => {
      nodes.forEach((c, j) => {
        const s = src[j]!;
        if (c.kind === "sweep" && s.kind === "sweep")
          c.bindings = s.bindings.map((b) => ({ ...b, node: ids.get(b.node) ?? b.node }));
        if (c.kind !== "op" && s.kind !== "op") remap(c.body, s.body);
      });
    };
    remap(nodes, n.body);
    out.push({ nodes, tags: pointTags });
    offset += n.bodyDurationNs + delta;
  }
  return out;
}
