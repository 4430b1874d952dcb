/**
 * The labels of one (sub)schedule's schedulables for stage 1 timing: the unique-label index, reference
 * lookup, and the names and JSON pointers its messages use (split from timing.ts).
 */
import { ScheduleError } from "../../core/errors.js";
import type { SchedulableSpec } from "../../schedule/schema.js";

/** How many schedulables before a reference are compared by label before the label map is asked. */
const NEAR_REFERENCE = 8;

/** The labels of one (sub)schedule's schedulables (unique: checked when built). */
export class Labels {
  constructor(
    readonly map: Map<string, number>,
    private readonly items: readonly SchedulableSpec[],
  ) {}

  /**
   * The index of the schedulable labelled `label`, referred to from schedulable `from`. References
   * mostly name one of the last few schedulables: comparing their labels is cheaper than a lookup in a
   * map of 100,000 labels (labels are unique, so the answer is the same).
   */
  find(label: string, from: number): number | undefined {
    const stop = Math.max(0, from - NEAR_REFERENCE);
    for (let k = Math.min(from, this.items.length) - 1; k >= stop; k--) if (this.items[k]!.label === label) return k;
    return this.map.get(label);
  }
}

export function labelIndex(items: SchedulableSpec[], path: string): Labels {
  const labels = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const label = items[i]!.label;
    if (label === undefined) continue;
    const prev = labels.get(label);
    if (prev !== undefined) {
      throw new ScheduleError("DUPLICATE_LABEL", `label "${label}" is used by schedulables ${prev} and ${i}`, {
        path: `${path}/schedulables/${i}/label`,
        hint: "give every schedulable in a schedule a unique label",
      });
    }
    labels.set(label, i);
  }
  return new Labels(labels, items);
}

/** JSON pointer of a schedulable's constraint (`j` −1: the single-constraint fields on the schedulable). */
export function constraintPath(path: string, i: number, j: number): string {
  return `${path}/schedulables/${i}${j < 0 ? "" : `/timing_constraints/${j}`}`;
}

export function labelOf(items: SchedulableSpec[], i: number): string {
  return items[i]!.label ?? `#${i}`;
}
