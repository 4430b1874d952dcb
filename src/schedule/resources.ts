/**
 * Clock resources of a schedule, merged over nested schedules and loop bodies. The built-in clocks
 * cl0.baseband and digital (0 Hz) always exist; a clock defined twice must be defined identically.
 */
import { ScheduleError } from "../core/errors.js";
import { toSI } from "../core/units.js";
import type { ClockResource } from "./model.js";
import type { ClockResourceSpec } from "./schema.js";

export const BUILTIN_CLOCKS: readonly ClockResource[] = [
  { name: "cl0.baseband", freq: 0, phase: 0 },
  { name: "digital", freq: 0, phase: 0 },
];

/** JSON pointer escaping of one key. */
export function pointerKey(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

export class ClockTable {
  readonly clocks: Record<string, ClockResource> = {};
  private readonly definedAt = new Map<string, string>();

  constructor() {
    for (const c of BUILTIN_CLOCKS) {
      this.clocks[c.name] = { ...c };
      this.definedAt.set(c.name, "(built-in)");
    }
  }

  /** Merge the `resources` map of one (sub)schedule found at `path`. */
  addAll(resources: Record<string, ClockResourceSpec> | undefined, path: string): void {
    if (!resources) return;
    for (const [name, spec] of Object.entries(resources)) {
      const at = `${path}/${pointerKey(name)}`;
      const clock: ClockResource = {
        name,
        freq: spec.freq === null ? null : toSI(spec.freq, "frequency", `${at}/freq`),
        phase: spec.phase === undefined ? 0 : toSI(spec.phase, "angle", `${at}/phase`),
      };
      const prev = this.clocks[name];
      if (prev && (prev.freq !== clock.freq || prev.phase !== clock.phase)) {
        throw new ScheduleError(
          "INCONSISTENT_CLOCK",
          `clock "${name}" is defined as freq ${clock.freq} Hz, phase ${clock.phase} deg at ${at} but as freq ${prev.freq} Hz, phase ${prev.phase} deg at ${this.definedAt.get(name)}`,
          { path: at, hint: "define each clock once, or identically in every (sub)schedule" },
        );
      }
      if (!prev) {
        this.clocks[name] = clock;
        this.definedAt.set(name, at);
      }
    }
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.clocks, name);
  }
}
