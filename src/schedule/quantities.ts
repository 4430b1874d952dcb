/**
 * Quantities of a primitive spec in compiler units: SI numbers (plain numbers as they are, strings
 * with units through core/units.ts) and times as integer ns on the 1 ns grid, range-checked.
 */
import { ScheduleError, TimingError } from "../core/errors.js";
import { secondsToGridNs, toSI, type Dimension } from "../core/units.js";
import type { Quantity } from "./schema.js";

/** Where the spec sits in the document and what to call it in messages. */
export interface OpContext {
  path: string;
  name: string;
}

export function si(value: Quantity, dim: Dimension, ctx: OpContext, field: string): number {
  // plain numbers need no parsing, and the error path is only built when there is an error
  return typeof value === "number" && Number.isFinite(value) ? value : toSI(value, dim, `${ctx.path}/${field}`);
}

/** Largest |time| in ns a schedule may hold (2^53: every ns still exact as a double); beyond: TIME_OUT_OF_RANGE. */
export const MAX_TIME_NS = Number.MAX_SAFE_INTEGER;

/** Seconds (or a time string) → integer ns, or TimingError OFF_GRID naming the field. */
/** `path` may be a function: it is only evaluated for an error message (100,000 times must stay cheap). */
export function timeToNs(value: Quantity, pathOrThunk: string | (() => string)): number {
  const where = (): string => (typeof pathOrThunk === "string" ? pathOrThunk : pathOrThunk());
  const seconds = typeof value === "number" && Number.isFinite(value) ? value : toSI(value, "time", where());
  const ns = secondsToGridNs(seconds);
  if (Number.isNaN(ns)) {
    const path = where();
    const exact = Number((seconds * 1e9).toPrecision(12));
    throw new TimingError(
      "OFF_GRID",
      `time ${JSON.stringify(value)} (${exact} ns) at ${path} is not on the 1 ns grid`,
      {
        path,
        hint: "times must be multiples of 1 ns",
        details: { value, ns: exact },
      },
    );
  }
  if (Math.abs(ns) > MAX_TIME_NS) {
    const path = where();
    throw new TimingError(
      "TIME_OUT_OF_RANGE",
      `time ${JSON.stringify(value)} at ${path} is ${seconds * 1e9} ns, beyond the ±${MAX_TIME_NS} ns (about 104 days) q1forge can time`,
      { path, hint: 'give a finite time in seconds (e.g. 20e-9) or with a unit ("20 ns"); bare numbers are seconds' },
    );
  }
  return ns;
}

/** A plain number of seconds on the grid and in range → its ns, else NaN (then timeToNs names the problem). */
function plainNs(value: Quantity): number {
  if (typeof value !== "number") return Number.NaN;
  const ns = secondsToGridNs(value); // NaN for NaN, ±Infinity and off-grid values
  return Math.abs(ns) <= MAX_TIME_NS ? ns : Number.NaN;
}

export function durationNs(value: Quantity, ctx: OpContext, field = "duration"): number {
  // the common case (a number of seconds) without the error-path closure
  const plain = plainNs(value);
  const d = plain === plain ? plain : timeToNs(value, () => `${ctx.path}/${field}`);
  if (d < 0)
    throw new ScheduleError("NEGATIVE_DURATION", `${ctx.name}: ${field} must not be negative (got ${d} ns)`, {
      path: `${ctx.path}/${field}`,
      hint: "use a duration ≥ 0",
    });
  return d;
}

export function t0Ns(t0: Quantity | undefined, ctx: OpContext): number {
  if (t0 === undefined) return 0;
  const plain = plainNs(t0);
  return plain === plain ? plain : timeToNs(t0, () => `${ctx.path}/t0`);
}
