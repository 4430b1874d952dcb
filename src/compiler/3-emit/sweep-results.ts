/**
 * What the compiled schedule says about sweeps (docs/sweeps.md): `diagnostics.sweeps` (per parameter
 * the lowering, why, and its cost) and, per acquisition channel, the dataset layout — dimensions and
 * coordinates (the values actually played, the requested ones alongside) declared at compile time so
 * that results load with `xarray.Dataset.from_dict`.
 */
import type {
  AcquisitionChannelLayout,
  CompiledSchedule,
  DatasetLayout,
  DatasetVariable,
  SweepDiagnostic,
} from "../../contract/compiled-schedule.js";
import { GAIN_OFFSET_SCALE, NCO_FREQ_STEPS_PER_HZ, NCO_PHASE_STEPS_PER_TURN } from "../../q1/encodings.js";
import type { IrNode, NodeId, SweepParam } from "../ir/nodes.js";
import type { AcqChannelPlan, ProgramPlan } from "../ir/plan.js";
import type { PointTag, SweepPlan } from "../2-plan/sweeps.js";
import { isAcquisition } from "../ops/index.js";
import type { SequencerProgram } from "./program.js";

export function sweepResults(
  compiled: CompiledSchedule,
  plan: ProgramPlan,
  sweeps: SweepPlan,
  programs: readonly SequencerProgram[],
): void {
  if (sweeps.decisions.length === 0) {
    compiled.diagnostics.sweeps = [];
    return;
  }
  compiled.diagnostics.sweeps = diagnostics(plan, sweeps, programs);
  const actual = actualValues(sweeps, programs);
  for (const ch of plan.acqChannels) {
    const layout = compiled.acquisitions[ch.channel];
    if (layout) layout.dataset = datasetLayout(ch, layout, plan, sweeps, actual);
  }
}

function diagnostics(plan: ProgramPlan, sp: SweepPlan, programs: readonly SequencerProgram[]): SweepDiagnostic[] {
  const out: SweepDiagnostic[] = [];
  for (const d of sp.decisions) {
    if (d.lowering === "unrolled") {
      const [from, to] = d.copies ?? [0, 0];
      let lines = 0;
      for (const p of programs) for (const id of p.lineNodes) if (id >= from && id < to) lines++;
      for (const p of d.params)
        out.push({
          sweep: d.name,
          path: d.path,
          parameter: p.name,
          points: d.points,
          lowering: "unrolled",
          reason: p.reason,
          sequencer: null,
          instructions: lines,
          registers: 0,
        });
      continue;
    }
    let any = false;
    programs.forEach((prog, i) => {
      const recs = (prog.sweeps ?? []).filter((r) => r.node === d.node);
      if (recs.length === 0) return;
      any = true;
      d.params.forEach((p, k) => {
        let instructions = 0;
        let registers = 0;
        for (const r of recs) {
          if (r.param !== k) continue;
          instructions += r.instructions;
          registers = Math.max(registers, r.registers);
        }
        out.push({
          sweep: d.name,
          path: d.path,
          parameter: p.name,
          points: d.points,
          lowering: "register",
          reason: p.reason,
          sequencer: plan.sequencers[i]!.key,
          instructions,
          registers,
        });
      });
    });
    if (!any)
      for (const p of d.params)
        out.push({
          sweep: d.name,
          path: d.path,
          parameter: p.name,
          points: d.points,
          lowering: "register",
          reason: p.reason,
          sequencer: null,
          instructions: 0,
          registers: 0,
        });
  }
  return out;
}

/** The values played per point, by "<sweep id>/<param>": from the register emission, else the hardware quantum. */
function actualValues(sp: SweepPlan, programs: readonly SequencerProgram[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of programs)
    for (const r of p.sweeps ?? [])
      if (r.actual && !out.has(`${r.node}/${r.param}`)) out.set(`${r.node}/${r.param}`, r.actual);
  for (const s of Object.values(sp.sweeps)) {
    s.params.forEach((p, k) => {
      const key = `${s.id}/${k}`;
      if (!out.has(key))
        out.set(
          key,
          p.values.map((v) => quantized(p, v)),
        );
    });
  }
  return out;
}

/** The value the hardware plays for a requested value (gain 1/32768 steps, 0.25 Hz, 1e-9 turn, 1 ns). */
function quantized(p: SweepParam, v: number): number {
  switch (p.dim) {
    case "voltage":
      return (
        Math.max(-GAIN_OFFSET_SCALE, Math.min(GAIN_OFFSET_SCALE - 1, Math.round(v * GAIN_OFFSET_SCALE))) /
        GAIN_OFFSET_SCALE
      );
    case "frequency":
      return Math.round(v * NCO_FREQ_STEPS_PER_HZ) / NCO_FREQ_STEPS_PER_HZ;
    case "angle":
      return (Math.round((v * NCO_PHASE_STEPS_PER_TURN) / 360) * 360) / NCO_PHASE_STEPS_PER_TURN;
    case "time":
      return Math.round(v);
  }
}

/**
 * The common case without enumerating points: an AVERAGE channel whose one acquisition sits in a
 * nest of register sweeps (its bins are that grid, row-major).
 */
function fastGrid(ch: AcqChannelPlan, nodes: readonly IrNode[], sp: SweepPlan): SweepPlan["sweeps"][number][] | null {
  if (ch.binMode !== "average") return null;
  let found: { id: NodeId; stack: NodeId[] } | null = null;
  let count = 0;
  const walk = (list: readonly IrNode[], stack: NodeId[]): void => {
    for (const x of list) {
      if (x.kind === "op") {
        if (isAcquisition(x.op) && x.op.acq_channel === ch.channel) {
          count++;
          found = { id: x.id, stack };
        }
      } else walk(x.body, x.kind === "sweep" ? [...stack, x.origin ?? x.id] : stack);
    }
  };
  walk(nodes, []);
  const f = found as { id: NodeId; stack: NodeId[] } | null;
  if (count !== 1 || f === null || f.stack.length === 0 || sp.pointOf[f.id]) return null;
  const dims = f.stack.map((id) => sp.sweeps[id]!);
  return dims.reduce((a, d) => a * d.repetitions, 1) === ch.numAcqIndices ? dims : null;
}

/**
 * The points of an acquisition: an unrolled copy's tags (outermost first, −1 where a register loop
 * encloses the copy) filled with the register loops' iterations; register loops inside the copy follow.
 */
function merge(base: readonly PointTag[], live: readonly PointTag[]): PointTag[] {
  if (base.length === 0) return live.slice();
  const out = base.map((t) => (t.point === -1 ? (live.find((l) => l.node === t.node) ?? t) : t));
  for (const l of live) if (!base.some((t) => t.node === l.node)) out.push(l);
  return out;
}

/** Sweep points of every acq index of a channel, in the order of its acq indices. */
function pointsOfIndices(
  ch: AcqChannelPlan,
  nodes: readonly IrNode[],
  sp: SweepPlan,
  repetitions: number,
): PointTag[][] {
  const out: PointTag[][] = [];
  const limit = ch.numAcqIndices;
  const tagsOf = (id: NodeId): PointTag[] => sp.pointOf[id] ?? [];
  if (ch.binMode === "average") {
    // one block of bins per acquisition node (3-emit/sweeps.ts: a bin register per acquisition), row-major over the sweeps around it
    const walk = (list: readonly IrNode[], stack: { node: NodeId; n: number }[]): void => {
      for (const x of list) {
        if (x.kind === "op") {
          if (!isAcquisition(x.op) || x.op.acq_channel !== ch.channel || x.op.type === "Trace") continue;
          const total = stack.reduce((a, s) => a * s.n, 1);
          const base = tagsOf(x.id);
          for (let j = 0; j < total && out.length < limit; j++) {
            const live: PointTag[] = new Array<PointTag>(stack.length);
            let rest = j;
            for (let d = stack.length - 1; d >= 0; d--) {
              const s = stack[d]!;
              live[d] = { node: s.node, point: rest % s.n };
              rest = Math.floor(rest / s.n);
            }
            out.push(merge(base, live));
          }
        } else if (x.kind === "sweep") walk(x.body, [...stack, { node: x.origin ?? x.id, n: x.repetitions }]);
        else walk(x.body, stack);
      }
    };
    walk(nodes, []);
    return out;
  }
  // APPEND: execution order (one shared bin register)
  const walk = (list: readonly IrNode[], tags: PointTag[]): void => {
    for (const x of list) {
      if (out.length >= limit) return;
      if (x.kind === "op") {
        if (isAcquisition(x.op) && x.op.acq_channel === ch.channel) out.push(merge(tagsOf(x.id), tags));
      } else if (x.kind === "sweep") {
        for (let i = 0; i < x.repetitions && out.length < limit; i++)
          walk(x.body, [...tags, { node: x.origin ?? x.id, point: i }]);
      } else if (x.kind === "loop") {
        for (let i = 0; i < x.repetitions && out.length < limit; i++) walk(x.body, tags);
      } else walk(x.body, tags);
    }
  };
  void repetitions;
  walk(nodes, []);
  return out;
}

function datasetLayout(
  ch: AcqChannelPlan,
  layout: AcquisitionChannelLayout,
  plan: ProgramPlan,
  sp: SweepPlan,
  actual: Map<string, number[]>,
): DatasetLayout {
  if (ch.protocol === "Trace") return { dims: layout.dims, shape: layout.shape, coords: {} };
  const seq = plan.sequencers[ch.sequencer]!;
  const fast = fastGrid(ch, seq.nodes, sp);
  const points = fast ? [] : pointsOfIndices(ch, seq.nodes, sp, plan.timed.repetitions);
  const append = ch.binMode === "append";
  const lead = append ? { dims: ["repetition"], shape: [plan.timed.repetitions] } : { dims: [], shape: [] };
  const coords: Record<string, DatasetVariable> = {};
  type Gather = (f: (point: number) => number) => (number | null)[];
  const coordOf = (s: SweepPlan["sweeps"][number], k: number, dims: string[], gather: Gather): void => {
    const p = s.params[k]!;
    const scale = p.dim === "time" ? 1e-9 : 1;
    const played = actual.get(`${s.id}/${k}`) ?? p.values;
    coords[p.name] = {
      dims,
      data: gather((i) => played[i]! * scale),
      attrs: { units: p.unit, long_name: p.name, sweep: s.name, values: "played by the hardware (quantized)" },
    };
    coords[`${p.name}_requested`] = {
      dims,
      data: gather((i) => p.values[i]! * scale),
      attrs: { units: p.unit, long_name: `${p.name} (requested)`, sweep: s.name },
    };
  };

  // one acquisition per point of one nest of sweeps, row-major: the sweep dimensions themselves
  const first = points[0];
  const grid =
    fast ??
    (first !== undefined &&
      first.length > 0 &&
      (() => {
        const dims = first.map((t) => sp.sweeps[t.node]!);
        const total = dims.reduce((a, s) => a * s.repetitions, 1);
        if (total !== points.length) return null;
        for (let j = 0; j < points.length; j++) {
          const tags = points[j]!;
          if (tags.length !== dims.length) return null;
          let rest = j;
          for (let d = dims.length - 1; d >= 0; d--) {
            const s = dims[d]!;
            if (tags[d]!.node !== s.id || tags[d]!.point !== rest % s.repetitions) return null;
            rest = Math.floor(rest / s.repetitions);
          }
        }
        return dims;
      })());
  if (grid) {
    for (const s of grid) {
      const gather: Gather = (f) => Array.from({ length: s.repetitions }, (_, i) => f(i));
      s.params.forEach((_, k) => coordOf(s, k, [s.params[0]!.name], gather));
    }
    return {
      dims: [...lead.dims, ...grid.map((s) => s.params[0]!.name)],
      shape: [...lead.shape, ...grid.map((s) => s.repetitions)],
      coords,
    };
  }
  // otherwise along acq_index_<channel>, null where an acquisition is outside a sweep
  const dim = `acq_index_${ch.channel}`;
  const seen = new Set<NodeId>();
  for (const tags of points) for (const t of tags) seen.add(t.node);
  for (const id of seen) {
    const s = sp.sweeps[id]!;
    const gather: Gather = (f) =>
      points.map((tags) => {
        const t = tags.find((x) => x.node === id);
        return t === undefined ? null : f(t.point);
      });
    s.params.forEach((_, k) => coordOf(s, k, [dim], gather));
  }
  return { dims: [...lead.dims, dim], shape: [...lead.shape, ch.numAcqIndices], coords };
}
