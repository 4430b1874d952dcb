/**
 * TimedSchedule.opTypes (ir/nodes.ts): the operation types 1-schedule/timing noted, kept true by the
 * 1-schedule passes that add operations (stacking, long-ramps, auto-rf-switch).
 */
import type { TimedSchedule } from "../ir/nodes.js";

type OpType = NonNullable<TimedSchedule["opTypes"]>[number];

/**
 * `{ opTypes }` with `types` added, to spread into a rewritten schedule; `{}` when nothing is missing
 * or the schedule notes no types (absent stays absent: passes then walk).
 */
export function withOpTypes(timed: TimedSchedule, types: readonly OpType[]): Pick<TimedSchedule, "opTypes"> {
  const noted = timed.opTypes;
  if (noted === undefined) return {};
  const missing = types.filter((t, i) => !noted.includes(t) && types.indexOf(t) === i);
  return missing.length === 0 ? {} : { opTypes: [...noted, ...missing] };
}

/** Whether operations of `type` may occur in the schedule (true when it notes no types). */
export function mayContain(timed: TimedSchedule, type: OpType): boolean {
  return timed.opTypes === undefined || timed.opTypes.includes(type);
}
