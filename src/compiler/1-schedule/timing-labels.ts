/**
 * The labels of one (sub)schedule's schedulables for stage 1 timing: the unique-label index, reference
 * lookup, and the names and JSON pointers its messages use (split from timing.ts).
 */
import { ScheduleError } from "../../core/errors.js";
import type { SchedulableSpec } from "../../schedule/schema.js";

/** How many schedulables before a reference are compared by label before the label index is asked. */
const NEAR_REFERENCE = 8;

/**
 * Probes one lookup may take in the open-addressing table before the index gives up on it and uses a
 * Map instead (labels crafted to collide must not make the check quadratic).
 */
const MAX_PROBES = 32;

/** Per-process seed of the label hash (collisions cannot be prepared in advance). */
const SEED = (Math.random() * 0x100000000) | 0;

/** A 32-bit hash of a label (FNV-1a over UTF-16 code units, seeded, with a final avalanche). */
export function labelHash(s: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * The labels of one (sub)schedule's schedulables (unique: checked when built). An open-addressing
 * table in one typed array (nothing per label for the garbage collector; a slot's index and hash side
 * by side, so a probe touches one cache line), or a Map when the table met a long probe sequence.
 */
export class Labels {
  private constructor(
    private readonly items: readonly SchedulableSpec[],
    /** slot s: [2s] schedulable index + 1 (0: empty), [2s + 1] hash of its label; null: no labels */
    private readonly table: Int32Array | null,
    private readonly map: Map<string, number> | null,
    /** how many schedulables have a label */
    readonly size: number,
    /** a label sits at most this many slots after its hash's slot */
    private readonly maxProbes: number,
  ) {}

  /**
   * Index the labels of `items`; DUPLICATE_LABEL at the second use of a label. `maxProbes` (tests) is
   * the probe sequence length after which the index becomes a Map.
   */
  static of(items: readonly SchedulableSpec[], path: string, maxProbes = MAX_PROBES): Labels {
    let table: Int32Array | null = null; // allocated at the first label
    let mask = 0;
    let count = 0;
    for (let i = 0; i < items.length; i++) {
      const label = items[i]!.label;
      if (label === undefined) continue;
      if (table === null) {
        let cap = 8;
        while (cap < 2 * (items.length - i)) cap *= 2; // at most half full
        table = new Int32Array(2 * cap);
        mask = cap - 1;
      }
      count++;
      const h = labelHash(label);
      let s = h & mask;
      let probes = 0;
      for (;;) {
        const at = table[2 * s]!;
        if (at === 0) break;
        if (table[2 * s + 1] === h && items[at - 1]!.label === label) throw duplicate(label, at - 1, i, path);
        if (++probes > maxProbes) {
          const map = labelMap(items, path);
          return new Labels(items, null, map, map.size, maxProbes);
        }
        s = (s + 1) & mask;
      }
      table[2 * s] = i + 1;
      table[2 * s + 1] = h;
    }
    return new Labels(items, table, null, count, maxProbes);
  }

  /**
   * The index of the schedulable labelled `label`, referred to from schedulable `from`. References
   * mostly name one of the last few schedulables: comparing their labels is cheaper than hashing the
   * label (labels are unique, so the answer is the same).
   */
  find(label: string, from: number): number | undefined {
    const stop = Math.max(0, from - NEAR_REFERENCE);
    for (let k = Math.min(from, this.items.length) - 1; k >= stop; k--) if (this.items[k]!.label === label) return k;
    if (this.map !== null) return this.map.get(label);
    const table = this.table;
    if (table === null) return undefined;
    const mask = table.length / 2 - 1;
    const h = labelHash(label);
    // a label sits at most maxProbes slots after its hash's slot (else the index is a Map)
    for (let s = h & mask, probes = 0; probes <= this.maxProbes; s = (s + 1) & mask, probes++) {
      const at = table[2 * s]!;
      if (at === 0) return undefined;
      if (table[2 * s + 1] === h && this.items[at - 1]!.label === label) return at - 1;
    }
    return undefined;
  }

  /** Whether the index fell back to a Map (tests). */
  get isMap(): boolean {
    return this.map !== null;
  }

  /** The first `n` labels in document order (for hints). */
  first(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.items.length && out.length < n; i++) {
      const label = this.items[i]!.label;
      if (label !== undefined) out.push(label);
    }
    return out;
  }
}

/** The Map form of the index (after a long probe sequence): the same duplicate check, in document order. */
function labelMap(items: readonly SchedulableSpec[], path: string): Map<string, number> {
  const labels = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const label = items[i]!.label;
    if (label === undefined) continue;
    const prev = labels.get(label);
    if (prev !== undefined) throw duplicate(label, prev, i, path);
    labels.set(label, i);
  }
  return labels;
}

function duplicate(label: string, prev: number, i: number, path: string): ScheduleError {
  return new ScheduleError("DUPLICATE_LABEL", `label "${label}" is used by schedulables ${prev} and ${i}`, {
    path: `${path}/schedulables/${i}/label`,
    hint: "give every schedulable in a schedule a unique label",
  });
}

export function labelIndex(items: SchedulableSpec[], path: string): Labels {
  return Labels.of(items, path);
}

/** JSON pointer of a schedulable's constraint (`j` −1: the single-constraint fields on the schedulable). */
export function constraintPath(path: string, i: number, j: number): string {
  return `${path}/schedulables/${i}${j < 0 ? "" : `/timing_constraints/${j}`}`;
}

export function labelOf(items: SchedulableSpec[], i: number): string {
  return items[i]!.label ?? `#${i}`;
}
