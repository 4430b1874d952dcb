import { ResourceLimitError } from "../../core/errors.js";

/**
 * Register allocation as quantify does it (reference 4.8): lowest free register first, freed
 * registers are reused first (LIFO), exhaustion names the operation that needed one.
 */
export class RegisterAllocator {
  private free: number[];
  private inUse = new Set<number>();
  /** most registers in use at once */
  peak = 0;

  constructor(
    readonly limit: number,
    private readonly where: string,
  ) {
    this.free = Array.from({ length: limit }, (_, i) => i);
  }

  allocate(forWhat: { name: string; path: string | null }): number {
    const r = this.free.shift();
    if (r === undefined) {
      throw new ResourceLimitError(
        "OUT_OF_REGISTERS",
        `"${forWhat.name}" needs a Q1 register on ${this.where}, but all ${this.limit} are in use`,
        {
          path: forWhat.path,
          hint: "reduce loop nesting or the number of APPEND acquisition channels on this port-clock",
        },
      );
    }
    this.inUse.add(r);
    if (this.inUse.size > this.peak) this.peak = this.inUse.size;
    return r;
  }

  release(r: number): void {
    if (!this.inUse.delete(r)) throw new Error(`internal: register R${r} released twice`);
    this.free.unshift(r);
  }
}
