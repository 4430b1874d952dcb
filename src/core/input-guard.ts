/**
 * The first check on every input document (schedule, hardware config), before any validator or pass
 * walks it recursively: nesting depth is bounded (so nothing downstream overflows the stack; a cyclic
 * object passed through the API ends there too), and names that JavaScript objects treat specially
 * (`__proto__`, `constructor`, `toString`, … — every property of Object.prototype) are refused as
 * object keys and as string values (acq_channel, clock, port, instrument_type, …: any string may be
 * looked up as a key somewhere), so they can never make a record entry vanish or a lookup return a
 * built-in. Numbers must be finite (NaN / ±Infinity can only come through the API). See
 * docs/robustness.md.
 */
import { Q1ForgeError } from "./errors.js";

/**
 * Deepest JSON nesting accepted (objects and arrays). A LoopOperation costs 4 levels, a sub-schedule 3:
 * 264 admits 64 nested loops (one per register of a sequencer, the most a program can run).
 */
export const MAX_INPUT_DEPTH = 264;

/** true for the RangeError V8 throws when the stack is exhausted (deep input in a recursive validator) */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/** Names no object key or naming field may take: the properties every plain JS object inherits. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
/**
 * Length and first character of every reserved name: a string whose pair is not among them needs no
 * set lookup (hot: every key and string of a document; "operation" or "GaussPulse" never reach the set).
 */
const RESERVED_SHAPES = (() => {
  const t = new Uint8Array(64 * 128);
  for (const n of RESERVED_NAMES) if (n.length < 64 && n.charCodeAt(0) < 128) t[n.length * 128 + n.charCodeAt(0)] = 1;
  return t;
})();
const LONG_OR_ODD_RESERVED = [...RESERVED_NAMES].some((n) => n.length >= 64 || n.charCodeAt(0) >= 128);

/** Whether `s` is a reserved name (RESERVED_NAMES), usually without a set lookup. */
export function isReserved(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c = s.charCodeAt(0);
  if (n < 64 && c < 128 && RESERVED_SHAPES[n * 128 + c] === 0 && !LONG_OR_ODD_RESERVED) return false;
  return RESERVED_NAMES.has(s);
}

type Make = (code: string, message: string, opts: { path: string; hint: string }) => Q1ForgeError;

const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replace(/~/g, "~0").replace(/\//g, "~1")}`;

/**
 * Throws (through `make`) NESTING_TOO_DEEP or RESERVED_NAME with the JSON pointer of the
 * offending item. `what` names the document in messages ("schedule", "hardware config").
 */
export function guardInput(input: unknown, what: string, make: Make): void {
  // no visited set: inputs are trees, and a cycle (API callers can pass any object) only deepens the walk;
  // the JSON pointer is built only for an error, from the keys on the way down
  const keys: (string | number)[] = [];
  const at = (last?: string) => [...keys, ...(last === undefined ? [] : [last])].reduce<string>(pointer, "");
  const visit = (v: object): void => {
    if (keys.length > MAX_INPUT_DEPTH) {
      const path = at();
      throw make(
        "NESTING_TOO_DEEP",
        `the ${what} nests deeper than ${MAX_INPUT_DEPTH} levels (or refers to itself) at ${path}`,
        {
          path,
          hint: `flatten it: at most ${MAX_INPUT_DEPTH} levels of JSON objects and arrays (64 nested loops); use repetitions of a LoopOperation instead of nesting`,
        },
      );
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === "string" && isReserved(item)) {
          const path = at(String(i));
          throw make("RESERVED_NAME", `the ${what} uses "${item}" at ${path}`, {
            path,
            hint: `"${item}" is a property of every JavaScript object and cannot be a name in q1forge; rename it`,
          });
        }
        if (typeof item === "number" && !Number.isFinite(item)) {
          const path = at(String(i));
          throw make("NOT_FINITE", `the ${what} holds ${item} at ${path}, which is not a finite number`, {
            path,
            hint: "give finite numbers",
          });
        }
        if (item === null || typeof item !== "object") continue;
        keys.push(i);
        visit(item);
        keys.pop();
      }
      return;
    }
    const own = Object.keys(v);
    for (let k = 0; k < own.length; k++) {
      const key = own[k]!;
      const child = (v as Record<string, unknown>)[key];
      if (isReserved(key)) {
        const path = at(key);
        throw make("RESERVED_NAME", `the ${what} uses "${key}" as a name at ${path}`, {
          path,
          hint: `"${key}" is a property of every JavaScript object and cannot name anything in q1forge; rename it`,
        });
      }
      if (typeof child === "string") {
        // any string value may be looked up as a key somewhere (a type, a channel, an instrument type)
        if (isReserved(child)) {
          const path = at(key);
          throw make("RESERVED_NAME", `the ${what} uses "${child}" as ${key} at ${path}`, {
            path,
            hint: `"${child}" is a property of every JavaScript object and cannot be a ${key} in q1forge; rename it`,
          });
        }
      } else if (typeof child === "number") {
        // JSON cannot hold NaN or ±Infinity, but API callers can pass them
        if (!Number.isFinite(child)) {
          const path = at(key);
          throw make("NOT_FINITE", `the ${what} gives ${key} = ${child} at ${path}, which is not a finite number`, {
            path,
            hint: 'give a finite number (units in a string, e.g. "20 ns")',
          });
        }
      } else if (child !== null && typeof child === "object") {
        keys.push(key);
        visit(child);
        keys.pop();
      }
    }
  };
  if (input !== null && typeof input === "object") visit(input);
}
