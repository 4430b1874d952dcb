/** Hand-built IR nodes for the pass tests: every field spelled out, as the timing pass would produce it. */
import type { IrNode, LoopNode, OpNode, TimedSchedule } from "../../../src/compiler/ir/nodes.js";
import type { ScheduleOp, WaveformPulse } from "../../../src/schedule/model.js";
import { RESOURCES } from "../fixtures.js";

type Pulse<K extends WaveformPulse["type"]> = Extract<WaveformPulse, { type: K }>;

/** port + clock of the basebandHardware() fixture's port-clocks */
export const Q0 = { port: "q0:mw", clock: "q0.01" } as const;
export const Q1 = { port: "q1:mw", clock: "q1.01" } as const;
export const RO0 = { port: "q0:res", clock: "q0.ro" } as const;

export function opNode(id: number, startNs: number, op: ScheduleOp, label: string | null = null): OpNode {
  return { kind: "op", id, startNs, op, label };
}

export function loopNode(
  id: number,
  startNs: number,
  repetitions: number,
  bodyDurationNs: number,
  body: IrNode[],
  name = "loop",
  path = `/loop${id}`,
): LoopNode {
  return { kind: "loop", id, startNs, repetitions, bodyDurationNs, body, name, path, label: null };
}

export function square(
  name: string,
  pc: { port: string; clock: string },
  amp: number,
  durationNs = 20,
  ampImag = 0,
): Pulse<"SquarePulse"> {
  return { type: "SquarePulse", name, path: `/${name}`, t0Ns: 0, ...pc, durationNs, amp, ampImag };
}

export function gauss(
  name: string,
  pc: { port: string; clock: string },
  G_amp: number,
  durationNs = 20,
  phase = 0,
): Pulse<"GaussPulse"> {
  return {
    type: "GaussPulse",
    name,
    path: `/${name}`,
    t0Ns: 0,
    ...pc,
    durationNs,
    G_amp,
    phase,
    sigma: null,
    nr_sigma: 4,
  };
}

export function drag(
  name: string,
  pc: { port: string; clock: string },
  G_amp: number,
  D_amp: number,
  phase = 0,
): Pulse<"DRAGPulse"> {
  return {
    type: "DRAGPulse",
    name,
    path: `/${name}`,
    t0Ns: 0,
    ...pc,
    durationNs: 20,
    G_amp,
    D_amp,
    phase,
    sigma: null,
    nr_sigma: 4,
  };
}

export function ramp(name: string, pc: { port: string; clock: string }, amp: number, offset = 0): Pulse<"RampPulse"> {
  return { type: "RampPulse", name, path: `/${name}`, t0Ns: 0, ...pc, durationNs: 20, amp, offset };
}

export function numerical(
  name: string,
  pc: { port: string; clock: string },
  re: number[],
  im: number[] | null = null,
): Pulse<"NumericalPulse"> {
  return {
    type: "NumericalPulse",
    name,
    path: `/${name}`,
    t0Ns: 0,
    ...pc,
    durationNs: re.length - 1,
    samples_re: re,
    samples_im: im,
    t_samples: re.map((_, k) => k * 1e-9),
    interpolation: "linear",
  };
}

export function idle(name: string, durationNs: number): ScheduleOp {
  return { type: "IdlePulse", name, path: `/${name}`, t0Ns: 0, durationNs };
}

export function voltageOffset(name: string, pc: { port: string; clock: string }, i: number, q: number): ScheduleOp {
  return {
    type: "VoltageOffset",
    name,
    path: `/${name}`,
    t0Ns: 0,
    ...pc,
    durationNs: 0,
    offset_path_I: i,
    offset_path_Q: q,
  };
}

export function ssb(
  name: string,
  pc: { port: string; clock: string },
  acqChannel: string,
  binMode: "average" | "append" = "average",
  durationNs = 1000,
): ScheduleOp {
  return {
    type: "SSBIntegrationComplex",
    name,
    path: `/${name}`,
    t0Ns: 0,
    ...pc,
    durationNs,
    acq_channel: acqChannel,
    bin_mode: binMode,
    coords: null,
    weights_a: null,
    weights_b: null,
    acq_rotation: null,
    acq_threshold: null,
    feedback_trigger_label: null,
  };
}

/** The clocks resolveTiming builds for the RESOURCES fixture (built-ins first). */
export function clocks(): TimedSchedule["clocks"] {
  const out: TimedSchedule["clocks"] = {
    "cl0.baseband": { name: "cl0.baseband", freq: 0, phase: 0 },
    digital: { name: "digital", freq: 0, phase: 0 },
  };
  for (const [name, { freq }] of Object.entries(RESOURCES)) out[name] = { name, freq, phase: 0 };
  return out;
}

/** A TimedSchedule around `nodes`; nextNodeId one above the largest id. */
export function timed(nodes: IrNode[], durationNs: number, repetitions = 1, nextNodeId?: number): TimedSchedule {
  let max = -1;
  const visit = (list: IrNode[]): void => {
    for (const n of list) {
      max = Math.max(max, n.id);
      if (n.kind === "loop") visit(n.body);
    }
  };
  visit(nodes);
  return { name: "hand-built", repetitions, durationNs, clocks: clocks(), nodes, nextNodeId: nextNodeId ?? max + 1 };
}
