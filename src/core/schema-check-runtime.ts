/**
 * The runtime helpers of the checker compiled by schema-check.ts (passed to the generated code as
 * A, P, L, N): the input guard's checks on unconstrained values, code-point string lengths, the depth limit.
 */
import { isReserved, MAX_INPUT_DEPTH } from "./input-guard.js";

type Check = (v: unknown, depth: number) => boolean;

export const NEVER: Check = () => false;

/**
 * Containers deeper than this answer false, and the guard and ajv decide as before: well inside the
 * guard's MAX_INPUT_DEPTH, and shallow enough that ajv's validator (whose frames are large) would not
 * have run out of stack either — deep documents (about 30 nested loops or sub-schedules and more)
 * keep exactly the old outcome, NESTING_TOO_DEEP included.
 */
export const MAX_DEPTH = Math.min(128, MAX_INPUT_DEPTH - 1);

export function isPlainObject(v: object): boolean {
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The guard's checks on a value the schema does not constrain (an empty schema, an undeclared key). */
export const anyValue: Check = (v, depth) => {
  switch (typeof v) {
    case "string":
      return !isReserved(v);
    case "number":
      return Number.isFinite(v);
    case "boolean":
      return true;
    case "object": {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!anyValue(v[i], depth + 1)) return false;
        return true;
      }
      if (!isPlainObject(v)) return false;
      const keys = Object.keys(v);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (isReserved(key) || !anyValue((v as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false; // undefined, functions, bigint, symbols: leave them to the guard and ajv
  }
};

/** String length in code points, as ajv's minLength / maxLength count it. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    n++;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return n;
}

/** `min <= length(s) <= max` in code points (ajv's count). */
export function lengthIn(s: string, min: number, max: number): boolean {
  if (s.length >= min * 2 && s.length <= max) return true; // surrogate pairs count once
  const n = codePoints(s);
  return n >= min && n <= max;
}
