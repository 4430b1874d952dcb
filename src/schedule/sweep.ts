/**
 * The sweep construct of the schedule language (docs/sweeps.md): a `Sweep` operation runs its body
 * once per point; its parameters are linear ranges (start, stop, num) or explicit value lists, nested
 * (first parameter outermost) or zipped (all advance together). Operation fields inside the body refer
 * to a parameter with a string "$name" or "k * $name" (a scaled reference, e.g. offset_path_Q = 0.2 · v).
 *
 * This module is schedule-level only: the zod shapes (schema.ts wires them in), reference parsing,
 * the requested values of a parameter and the substitution of references in a primitive's spec.
 * Timing and lowering live in the compiler (1-schedule/sweep-timing.ts, 2-plan/sweeps.ts, 3-emit/sweeps.ts).
 */
import { z } from "zod";
import { ScheduleError } from "../core/errors.js";
import { toSI, type Dimension } from "../core/units.js";
import type { LoopBodySpec, Quantity } from "./schema.js";

const quantity = z.union([z.number(), z.string()]).describe('number in SI units or a unit string, e.g. "20 ns"');

export const SweepParameterSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .describe('referenced as "$name" (or "k * $name") from operation fields in the body; also the result dimension'),
  start: quantity.optional().describe("linear range: first value (with stop and num)"),
  stop: quantity.optional().describe("linear range: last value (inclusive)"),
  num: z.number().int().min(1).optional().describe("linear range: number of points"),
  values: z.array(quantity).min(1).optional().describe("explicit values instead of start/stop/num"),
  unit: z.string().optional().describe("unit written to the result coordinate's attrs (default from the field)"),
  clock: z
    .string()
    .min(1)
    .optional()
    .describe("sweep this clock's frequency: a SetClockFrequency at the start of every point"),
});
export type SweepParameterSpec = z.infer<typeof SweepParameterSchema>;

export interface SweepOperationSpec {
  type: "Sweep";
  name?: string | undefined;
  parameters: SweepParameterSpec[];
  mode?: "nested" | "zip" | undefined;
  body: LoopBodySpec;
}

/** The Sweep operation's zod schema; `body` is a getter so the recursive body schema comes from schema.ts. */
export function sweepOperationSchema(body: () => z.ZodType<LoopBodySpec>) {
  return z.strictObject({
    type: z.literal("Sweep"),
    name: z.string().optional(),
    parameters: z.array(SweepParameterSchema).min(1),
    mode: z
      .enum(["nested", "zip"])
      .optional()
      .meta({ default: "nested" })
      .describe("nested: the first parameter is the outermost loop; zip: all parameters advance together"),
    get body(): z.ZodType<LoopBodySpec> {
      return body();
    },
  });
}

/** A reference to a sweep parameter from an operation field. */
export interface SweepRef {
  param: string;
  scale: number;
}

/** The reference string for a field driven by parameter `name` (times `scale`): "$name" or "scale * $name". */
export function sweepRef(name: string, scale = 1): string {
  return scale === 1 ? `$${name}` : `${scale} * $${name}`;
}

const REF = /^\s*(?:([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*\s*)?\$([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** "$amp" → {amp, 1}; "0.2 * $amp" → {amp, 0.2}; anything else → null. */
export function parseSweepRef(value: unknown): SweepRef | null {
  if (typeof value !== "string" || !value.includes("$")) return null;
  const m = REF.exec(value);
  if (!m) return null;
  return { param: m[2]!, scale: m[1] === undefined ? 1 : Number(m[1]) };
}

/** Dimension of each field a parameter may be referenced from (normalised field name in `field`). */
export const SWEEPABLE_FIELDS: Readonly<Record<string, { dim: Dimension; field: string }>> = {
  amp: { dim: "voltage", field: "amp" },
  G_amp: { dim: "voltage", field: "G_amp" },
  D_amp: { dim: "voltage", field: "D_amp" },
  amplitude: { dim: "voltage", field: "amplitude" },
  offset: { dim: "voltage", field: "offset" },
  start_amp: { dim: "voltage", field: "start_amp" },
  final_amp: { dim: "voltage", field: "final_amp" },
  amp_A: { dim: "voltage", field: "amp_A" },
  offset_path_I: { dim: "voltage", field: "offset_path_I" },
  offset_path_Q: { dim: "voltage", field: "offset_path_Q" },
  clock_freq_new: { dim: "frequency", field: "clock_freq_new" },
  start_freq: { dim: "frequency", field: "start_freq" },
  end_freq: { dim: "frequency", field: "end_freq" },
  phase: { dim: "angle", field: "phase" },
  phase_shift: { dim: "angle", field: "phase_shift" },
  duration: { dim: "time", field: "durationNs" },
};

export const UNIT_OF: Readonly<Record<Dimension, string>> = {
  voltage: "V",
  frequency: "Hz",
  angle: "deg",
  time: "s",
  dimensionless: "",
};

/**
 * Requested values of a parameter in SI units of `dim` (time: integer ns, rounded to the 1 ns grid).
 * Limits are checked before the list is allocated.
 */
export function sweepValues(p: SweepParameterSpec, dim: Dimension, path: string, maxPoints: number): number[] {
  const range = p.start !== undefined || p.stop !== undefined || p.num !== undefined;
  if (
    range === (p.values !== undefined) ||
    (range && (p.start === undefined || p.stop === undefined || p.num === undefined))
  ) {
    throw new ScheduleError(
      "SWEEP_PARAMETER_VALUES",
      `sweep parameter "${p.name}" needs either start, stop and num, or values`,
      {
        path,
        hint: 'e.g. {"name": "amp", "start": 0, "stop": 1, "num": 101} or {"name": "amp", "values": [0, 0.5, 1]}',
      },
    );
  }
  const n = p.values ? p.values.length : p.num!;
  if (n > maxPoints) {
    throw new ScheduleError(
      "SWEEP_TOO_MANY_POINTS",
      `sweep parameter "${p.name}" has ${n} points; at most ${maxPoints}`,
      {
        path,
        hint: "split the sweep or reduce num",
      },
    );
  }
  const conv = (q: Quantity, where: string): number => {
    const v = toSI(q, dim, where);
    return dim === "time" ? Math.round(v * 1e9) : v;
  };
  if (p.values) return p.values.map((q, i) => conv(q, `${path}/values/${i}`));
  const a = conv(p.start!, `${path}/start`);
  const b = conv(p.stop!, `${path}/stop`);
  const out = new Array<number>(n);
  if (dim === "time" && n > 1 && (b - a) % (n - 1) !== 0) {
    // whole ns from a 16.16 fixed-point ramp, exactly what a register wait plays (compiler/3-emit/sweeps.ts)
    const init = a * 65536 + 32768;
    const inc = Math.round(((b - a) * 65536) / (n - 1));
    for (let i = 0; i < n; i++) out[i] = Math.floor((init + i * inc) / 65536);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = n === 1 ? a : a + ((b - a) * i) / (n - 1);
  return out;
}

/** Whether the values have one constant step (within a relative 1e-9 of the span, or `absTol`). */
export function isLinear(values: readonly number[], absTol = 0): boolean {
  if (values.length < 3) return true;
  const step = (values[values.length - 1]! - values[0]!) / (values.length - 1);
  const tol = Math.max(
    absTol,
    1e-9 * Math.max(Math.abs(values[0]!), Math.abs(values[values.length - 1]!), Math.abs(step), 1e-300),
  );
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - values[0]! - i * step) > tol) return false;
  return true;
}
