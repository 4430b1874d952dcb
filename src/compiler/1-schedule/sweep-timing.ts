/**
 * Timing of Sweep operations (docs/sweeps.md). A Sweep becomes one SweepNode per nested dimension
 * (zipped parameters share one). The body is resolved once with each parameter at its nominal value
 * (amplitude-like: the value of largest magnitude, so the waveform is sampled at full scale; time
 * parameters: 0, the base timing), never once per point: compile time does not grow with the number
 * of points. References ("$name", "k * $name") in operation fields are substituted here and recorded
 * per operation; `finishSweepNode` turns the records into bindings by node id once nodes are numbered.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import type { Dimension } from "../../core/units.js";
import type { ScheduleOp } from "../../schedule/model.js";
import type { Quantity } from "../../schedule/schema.js";
import {
  parseSweepRef,
  SWEEPABLE_FIELDS,
  sweepValues,
  UNIT_OF,
  type SweepOperationSpec,
  type SweepParameterSpec,
} from "../../schedule/sweep.js";
import type { IrNode, SweepNode, SweepParam } from "../ir/nodes.js";

/** Most points of one sweep parameter (the acquisition bin limit of one Qblox index). */
export const MAX_SWEEP_POINTS = 100_000;

interface Active {
  param: SweepParam;
  current: number;
  sweep: string;
}
interface OpRecord {
  param: SweepParam;
  field: string;
  scale: number;
}

/** The sweep parameters in scope while a body is resolved, and the references found. */
export class SweepContext {
  private readonly active = new Map<string, Active>();
  private readonly records = new Map<ScheduleOp, OpRecord[]>();
  /** number of references substituted so far (the resolver does not cache operations that used one) */
  refsUsed = 0;

  get isActive(): boolean {
    return this.active.size > 0;
  }

  /** `spec` with every parameter reference replaced by the parameter's current value (SI; time in s). */
  bind<T extends object>(spec: T, path: string): { spec: T; refs: OpRecord[] | null } {
    if (this.active.size === 0) return { spec, refs: null };
    let out: Record<string, unknown> | null = null;
    let refs: OpRecord[] | null = null;
    for (const [key, value] of Object.entries(spec)) {
      const ref = parseSweepRef(value);
      if (ref === null) continue;
      const a = this.lookup(ref.param, `${path}/${key}`);
      const f = SWEEPABLE_FIELDS[key];
      if (!f) {
        throw new ScheduleError(
          "SWEEP_FIELD_NOT_SWEEPABLE",
          `field "${key}" refers to sweep parameter "${ref.param}" (sweep "${a.sweep}"), but it cannot be swept`,
          {
            path: `${path}/${key}`,
            hint: `sweepable fields: ${Object.keys(SWEEPABLE_FIELDS).join(", ")}, and rel_time`,
          },
        );
      }
      this.checkDim(a, f.dim, `${path}/${key}`);
      out ??= { ...spec } as Record<string, unknown>;
      out[key] = f.dim === "time" ? a.current * 1e-9 * ref.scale : a.current * ref.scale;
      (refs ??= []).push({ param: a.param, field: f.field, scale: ref.scale });
      this.refsUsed++;
    }
    return { spec: (out ?? spec) as T, refs };
  }

  record(op: ScheduleOp, refs: OpRecord[] | null): void {
    if (refs) this.records.set(op, refs);
  }

  /** rel_time of a schedulable: ns when it refers to a time parameter, null when it is no reference. */
  relTimeNs(value: Quantity | undefined, path: string): number | null {
    const ref = parseSweepRef(value);
    if (ref === null) return null;
    const a = this.lookup(ref.param, path);
    this.checkDim(a, "time", path);
    this.refsUsed++;
    return Math.round(a.current * ref.scale);
  }

  private lookup(name: string, path: string): Active {
    const a = this.active.get(name);
    if (!a) {
      throw new ScheduleError("SWEEP_UNKNOWN_PARAMETER", `"$${name}" refers to no sweep parameter in scope`, {
        path,
        hint: this.active.size
          ? `parameters in scope: ${[...this.active.keys()].join(", ")}`
          : "references to sweep parameters are only allowed inside a Sweep's body",
      });
    }
    return a;
  }

  private checkDim(a: Active, dim: Dimension, path: string): void {
    if (a.param.dim !== dim) {
      throw new ScheduleError(
        "SWEEP_PARAMETER_KIND",
        `sweep parameter "${a.param.name}" (sweep "${a.sweep}") is a ${a.param.dim} but ${path} is a ${dim}`,
        { path, hint: "use one parameter per kind of quantity" },
      );
    }
  }

  enter(name: string, sweep: string, param: SweepParam, path: string): Active {
    if (this.active.has(name)) {
      throw new ScheduleError(
        "SWEEP_PARAMETER_SHADOWED",
        `sweep parameter "${name}" is already defined by an enclosing sweep`,
        {
          path,
          hint: "give every parameter of nested sweeps its own name",
        },
      );
    }
    const a: Active = { param, current: param.nominal, sweep };
    this.active.set(name, a);
    return a;
  }

  activeOf(name: string): Active {
    return this.active.get(name)!;
  }

  leave(name: string): void {
    this.active.delete(name);
  }

  /** Bindings of `node` (numbered) from the references recorded for the operations in its body. */
  bindingsOf(node: SweepNode): void {
    node.bindings = []; // copies of a placed sub-schedule share the array until here
    const visit = (nodes: readonly IrNode[]): void => {
      for (const n of nodes) {
        if (n.kind !== "op") {
          visit(n.body);
          continue;
        }
        const recs = this.records.get(n.op);
        if (!recs) continue;
        for (const r of recs) {
          const k = node.params.indexOf(r.param);
          if (k >= 0) node.bindings.push({ node: n.id, param: k, field: r.field, scale: r.scale });
        }
      }
    };
    visit(node.body);
  }
}

/** Fields in `spec` (deep) that refer to each parameter: its dimension and whether a waveform pulse's duration does. */
function scanReferences(
  spec: unknown,
  found: Map<string, { dim: Dimension; pulseDuration: boolean }>,
  seen: Set<unknown> = new Set(),
): void {
  if (spec === null || typeof spec !== "object" || seen.has(spec)) return;
  seen.add(spec);
  if (Array.isArray(spec)) {
    for (const v of spec) scanReferences(v, found, seen);
    return;
  }
  const obj = spec as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    const ref = parseSweepRef(value);
    if (ref) {
      const dim = key === "rel_time" ? "time" : SWEEPABLE_FIELDS[key]?.dim;
      if (dim && !found.has(ref.param))
        found.set(ref.param, { dim, pulseDuration: key === "duration" && obj["type"] !== "IdlePulse" });
      else if (dim && key === "duration" && obj["type"] !== "IdlePulse") found.get(ref.param)!.pulseDuration = true;
    } else scanReferences(value, found, seen);
  }
}

/** A resolved block relative to its own start. */
export interface SweepBlock {
  nodes: IrNode[];
  durationNs: number;
}

/**
 * Resolve a Sweep operation into nested SweepNodes (ids −1). `resolveBody` resolves the body spec
 * with the parameters currently in `ctx`; `libraries` are the operation maps in scope (scanned for references).
 */
export function resolveSweep(
  ctx: SweepContext,
  spec: SweepOperationSpec,
  path: string,
  name: string,
  libraries: readonly unknown[],
  resolveBody: () => SweepBlock,
): SweepNode {
  const refs = new Map<string, { dim: Dimension; pulseDuration: boolean }>();
  scanReferences(spec.body, refs);
  for (const lib of libraries) scanReferences(lib, refs);
  const params = spec.parameters.map((p, i) => makeParam(p, `${path}/parameters/${i}`, refs.get(p.name), name));
  const zip = spec.mode === "zip";
  if (zip) {
    const n = params[0]!.values.length;
    params.forEach((p, i) => {
      if (p.values.length !== n)
        throw new ScheduleError(
          "SWEEP_ZIP_LENGTH",
          `zipped sweep "${name}": parameter "${p.name}" has ${p.values.length} points, "${params[0]!.name}" has ${n}`,
          {
            path: `${path}/parameters/${i}`,
            hint: "zipped parameters advance together and need the same number of points",
          },
        );
    });
  }
  const dims: number[][] = zip ? [params.map((_, i) => i)] : params.map((_, i) => [i]);
  dims.forEach((dim, k) => {
    const times = dim.filter((i) => params[i]!.dim === "time");
    if (times.length > 1 || (times.length === 1 && k !== dims.length - 1)) {
      throw new ScheduleError(
        "SWEEP_TIME_PARAMETER",
        `sweep "${name}": a duration / rel_time parameter ("${params[times[0]!]!.name}") must be the only one of its kind and the innermost dimension`,
        { path: `${path}/parameters/${times[0]}`, hint: "put the duration parameter last, or nest a second Sweep" },
      );
    }
  });
  const clockParams = spec.parameters.map((p) => p.clock);
  const build = (k: number): SweepNode => {
    const dim = dims[k]!;
    const own = dim.map((i) => params[i]!);
    for (const p of own) ctx.enter(p.name, name, p, p.path);
    try {
      const resolveOnce = (): SweepBlock => {
        const block: SweepBlock =
          k + 1 < dims.length
            ? (() => {
                const inner = build(k + 1);
                return { nodes: [inner], durationNs: inner.durationNs };
              })()
            : resolveBody();
        // `clock` parameters: a SetClockFrequency at the start of every point
        const clockOps: IrNode[] = [];
        for (const i of dim) {
          const clock = clockParams[i];
          if (clock === undefined) continue;
          const p = params[i]!;
          const op: ScheduleOp = {
            type: "SetClockFrequency",
            name: `${name}: ${p.name} → ${clock}`,
            path: p.path,
            t0Ns: 0,
            clock,
            durationNs: 0,
            clock_freq_new: p.nominal,
          };
          ctx.record(op, [{ param: p, field: "clock_freq_new", scale: 1 }]);
          clockOps.push({ kind: "op", id: -1, startNs: 0, op, label: null });
        }
        return clockOps.length ? { nodes: [...clockOps, ...block.nodes], durationNs: block.durationNs } : block;
      };
      const timeIndex = dim.find((i) => params[i]!.dim === "time");
      const base = resolveOnce();
      let shift: SweepNode["shift"] = null;
      let extra = 0;
      if (timeIndex !== undefined) {
        const p = params[timeIndex]!;
        const max = Math.max(...p.values);
        const delta = max - p.nominal;
        for (const v of p.values) extra += v - p.nominal;
        if (delta > 0) {
          const active = ctx.activeOf(p.name);
          active.current = max;
          const moved = resolveOnce();
          active.current = p.nominal;
          const split = affineSplit(base, moved, delta);
          if (split === null) {
            throw new TimingError(
              "SWEEP_TIMING_NOT_LINEAR",
              `sweep "${name}": parameter "${p.name}" does not delay one contiguous tail of the body by its value`,
              {
                path: p.path,
                hint: "refer to the parameter from one IdlePulse duration or rel_time that delays everything after it, including the end of the body",
              },
            );
          }
          shift = { param: dim.indexOf(timeIndex), splitNs: split };
        }
      }
      const n = own[0]!.values.length;
      const node: SweepNode = {
        kind: "sweep",
        id: -1,
        startNs: 0,
        repetitions: n,
        bodyDurationNs: base.durationNs,
        durationNs: n * base.durationNs + extra,
        body: base.nodes,
        params: own,
        bindings: [],
        shift,
        origin: null,
        name,
        path,
        label: null,
      };
      if (
        base.durationNs +
          Math.min(0, ...own.filter((p) => p.dim === "time").map((p) => Math.min(...p.values) - p.nominal)) <=
        0
      ) {
        throw new TimingError("EMPTY_SWEEP", `sweep "${name}" has a point of zero duration`, {
          path,
          hint: "a sweep body needs a positive duration at every point",
        });
      }
      return node;
    } finally {
      for (const p of own) ctx.leave(p.name);
    }
  };
  return build(0);
}

function makeParam(
  p: SweepParameterSpec,
  path: string,
  ref: { dim: Dimension; pulseDuration: boolean } | undefined,
  sweep: string,
): SweepParam {
  const dim: Dimension | undefined = p.clock !== undefined ? "frequency" : ref?.dim;
  if (dim === undefined || dim === "dimensionless") {
    throw new ScheduleError(
      "SWEEP_PARAMETER_UNUSED",
      `sweep "${sweep}": parameter "${p.name}" is not used in the body`,
      {
        path,
        hint: `refer to it from an operation field, e.g. "amp": "$${p.name}", or give it a "clock"`,
      },
    );
  }
  const values = sweepValues(p, dim, path, MAX_SWEEP_POINTS);
  let nominal: number;
  if (dim === "time") nominal = ref?.pulseDuration ? Math.min(...values) : 0;
  else {
    nominal = values[0]!;
    for (const v of values) if (Math.abs(v) > Math.abs(nominal)) nominal = v;
  }
  return { name: p.name, values, dim, unit: p.unit ?? UNIT_OF[dim], nominal, path };
}

/** Flattened (kind, path, occurrence) → start of every node. */
function starts(
  nodes: readonly IrNode[],
  out: Map<string, number> = new Map(),
  count = new Map<string, number>(),
): Map<string, number> {
  for (const n of nodes) {
    const p = n.kind === "op" ? `op:${n.op.path}:${n.op.type}` : `${n.kind}:${n.path}`;
    const k = count.get(p) ?? 0;
    count.set(p, k + 1);
    out.set(`${p}#${k}`, n.startNs);
    if (n.kind !== "op") starts(n.body, out, count);
  }
  return out;
}

/** The start of the delayed tail when `moved` is `base` with a tail delayed by exactly `delta` (ends included), else null. */
function affineSplit(base: SweepBlock, moved: SweepBlock, delta: number): number | null {
  if (moved.durationNs - base.durationNs !== delta) return null;
  const a = starts(base.nodes);
  const b = starts(moved.nodes);
  if (a.size !== b.size) return null;
  let lastKept = -Infinity;
  let firstMoved = Infinity;
  for (const [k, t] of a) {
    const u = b.get(k);
    if (u === undefined) return null;
    if (u === t) lastKept = Math.max(lastKept, t);
    else if (u === t + delta) firstMoved = Math.min(firstMoved, t);
    else return null;
  }
  if (firstMoved === Infinity) return base.durationNs;
  return lastKept <= firstMoved ? firstMoved : null;
}

/** Fill the bindings of every SweepNode in the numbered tree. */
export function finishSweeps(nodes: readonly IrNode[], ctx: SweepContext): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind === "op") continue;
    if (n.kind === "sweep") ctx.bindingsOf(n);
    finishSweeps(n.body, ctx);
  }
}
