/**
 * Copies of a normalised operation with another `path`, for an operation placed many times (a gate
 * lowered once and used 4,000 times). `{ ...op, path }` is a generic clone once the copy site has
 * seen more than four operation shapes (V8 turns it megamorphic, several times slower); a copier per
 * shape (its property list, in order) is a plain object literal, so every copy is a fast monomorphic
 * allocation. The copy has the same own properties in the same order: it serialises identically.
 */
import type { ScheduleOp } from "../../schedule/model.js";

export type OpCopier = (op: ScheduleOp, path: string) => ScheduleOp;

const COPIERS = new Map<string, OpCopier>();

/** The copier for operations shaped like `op` (same property names in the same order). */
export function opCopier(op: ScheduleOp): OpCopier {
  const keys = Object.keys(op);
  const shape = keys.join(",");
  let copy = COPIERS.get(shape);
  if (copy === undefined) {
    const fields = keys.map((k) => `${JSON.stringify(k)}: ${k === "path" ? "path" : `op[${JSON.stringify(k)}]`}`);
    copy = new Function("op", "path", `return { ${fields.join(", ")} };`) as OpCopier;
    if (COPIERS.size > 1000) COPIERS.clear(); // bounded for long-lived processes
    COPIERS.set(shape, copy);
  }
  return copy;
}
