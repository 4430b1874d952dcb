/**
 * The timing constraints of one schedulable (reference 2.3), with quantify's defaults applied: ref =
 * the previous schedulable, ref_pt end, ref_pt_new start, rel_time 0 (or a swept value). timing.ts
 * solves them; a reference point is kept as a fraction ×2 of the duration.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import { secondsToGridNs } from "../../core/units.js";
import { MAX_TIME_NS, timeToNs } from "../../schedule/normalize.js";
import type { RefPoint, SchedulableSpec, TimingConstraintSpec } from "../../schedule/schema.js";
import type { SweepContext } from "./sweep-timing.js";
import { constraintPath, type Labels } from "./timing-labels.js";

export interface Constraint {
  ref: number; // -1: none (first schedulable)
  refPt: number; // 0 start, 1 center, 2 end (fraction ×2 of the duration)
  refPtNew: number;
  relNs: number;
}

/** A reference point as a fraction ×2 of the duration (compared, not looked up in a record: it runs per schedulable). */
const point = (p: RefPoint): number => (p === "start" ? 0 : p === "center" ? 1 : 2);

/** The constraints of a schedulable with timing_constraints (its single-constraint fields must then be absent). */
export function constraintsOf(
  item: SchedulableSpec,
  i: number,
  path: string,
  labels: Labels,
  sweeps: SweepContext,
): Constraint[] {
  if (
    item.ref_schedulable !== undefined ||
    item.ref_pt !== undefined ||
    item.ref_pt_new !== undefined ||
    item.rel_time !== undefined
  ) {
    throw new ScheduleError(
      "CONFLICTING_CONSTRAINTS",
      `schedulable "${item.label ?? `#${i}`}" has both timing_constraints and ref_schedulable/ref_pt/ref_pt_new/rel_time`,
      {
        path: `${path}/schedulables/${i}`,
        hint: "move the single-constraint fields into timing_constraints",
      },
    );
  }
  return (item.timing_constraints ?? []).map((c, j) =>
    constraint(item, c, i, path, j, labels, sweeps, { ref: -1, refPt: 2, refPtNew: 0, relNs: 0 }),
  );
}

/**
 * Fill `out` with one constraint with defaults applied (ref = previous schedulable). `j` is the index
 * in timing_constraints, −1 for the single-constraint fields on the schedulable itself.
 */
export function constraint(
  item: SchedulableSpec,
  c: TimingConstraintSpec,
  i: number,
  path: string,
  j: number,
  labels: Labels,
  sweeps: SweepContext,
  out: Constraint,
): Constraint {
  let ref = i - 1;
  if (c.ref_schedulable !== undefined && c.ref_schedulable !== null) {
    const found = labels.find(c.ref_schedulable, i);
    if (found === undefined) {
      throw new TimingError(
        "DANGLING_REFERENCE",
        `schedulable "${item.label ?? `#${i}`}" refers to unknown label "${c.ref_schedulable}"`,
        {
          path: `${constraintPath(path, i, j)}/ref_schedulable`,
          hint: `refer to a label of this schedule${labels.size ? ` (${labels.first(10).join(", ")})` : ""}`,
        },
      );
    }
    ref = found;
  }
  out.ref = ref;
  out.refPt = c.ref_pt === undefined ? 2 : point(c.ref_pt);
  out.refPtNew = c.ref_pt_new === undefined ? 0 : point(c.ref_pt_new);
  const swept = sweeps.isActive ? sweeps.relTimeNs(c.rel_time, `${constraintPath(path, i, j)}/rel_time`) : null;
  if (swept !== null) out.relNs = swept;
  else if (c.rel_time === undefined) out.relNs = 0;
  else {
    // the common case (a number of seconds on the grid) without building the error path
    const plain = typeof c.rel_time === "number" ? secondsToGridNs(c.rel_time) : Number.NaN;
    out.relNs =
      plain === plain && Math.abs(plain) <= MAX_TIME_NS
        ? plain
        : timeToNs(c.rel_time, `${constraintPath(path, i, j)}/rel_time`);
  }
  return out;
}
