/**
 * A fast "certainly valid" check for JSON documents: a small subset of JSON Schema 2020-12 compiled
 * into closures, fused with the input guard (input-guard.ts: depth, reserved names, finite numbers).
 * It answers true only when the document is valid under ajv's reading of the schema AND passes the
 * guard; anything else — an invalid document, a reserved name, a keyword or shape it does not
 * handle — answers false, and the caller runs the guard and ajv as before, which produce the typed
 * error. So the check can only make valid documents cheaper; it never decides an error.
 *
 * Handled keywords (with ajv's semantics under `strict: false, discriminator: true`): type, enum and
 * const of primitive values, properties, required, additionalProperties, propertyNames, items,
 * prefixItems, minItems, maxItems, minLength, maxLength (in code points, as ajv counts), pattern
 * (`u` flag), minimum, maximum, exclusiveMinimum, exclusiveMaximum, anyOf, allOf, oneOf with a
 * `discriminator`, `$ref` into `$defs`, boolean schemas; annotations (description, default, …) are
 * ignored. A subschema with any other keyword answers false whenever it is reached.
 */
import { isReserved, MAX_INPUT_DEPTH } from "./input-guard.js";

type Check = (v: unknown, depth: number) => boolean;
type Schema = boolean | Record<string, unknown>;

/** Keywords that only annotate (ajv without useDefaults ignores them for validity). */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "$defs",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "discriminator",
]);
const HANDLED = new Set([
  "type",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "anyOf",
  "allOf",
  "oneOf",
  "$ref",
]);

const NEVER: Check = () => false;

/**
 * Containers deeper than this answer false, and the guard and ajv decide as before: well inside the
 * guard's MAX_INPUT_DEPTH, and shallow enough that ajv's validator (whose frames are large) would not
 * have run out of stack either — deep documents (about 30 nested loops or sub-schedules and more)
 * keep exactly the old outcome, NESTING_TOO_DEEP included.
 */
const MAX_DEPTH = Math.min(128, MAX_INPUT_DEPTH - 1);

function isPlainObject(v: object): boolean {
  const p: unknown = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The guard's checks on a value the schema does not constrain (an empty schema, an undeclared key). */
const anyValue: Check = (v, depth) => {
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

const isPrimitive = (x: unknown): boolean =>
  x === null || typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x));

function typeCheck(t: unknown): ((v: unknown) => boolean) | null {
  const types = Array.isArray(t) ? t : [t];
  const one = (name: unknown): ((v: unknown) => boolean) | null => {
    switch (name) {
      case "string":
        return (v) => typeof v === "string";
      case "number":
        return (v) => typeof v === "number";
      case "integer":
        return (v) => Number.isInteger(v);
      case "boolean":
        return (v) => typeof v === "boolean";
      case "null":
        return (v) => v === null;
      case "object":
        return (v) => typeof v === "object" && v !== null && !Array.isArray(v);
      case "array":
        return (v) => Array.isArray(v);
      default:
        return null;
    }
  };
  const checks = types.map(one);
  if (checks.length === 0 || checks.some((c) => c === null)) return null;
  const cs = checks as ((v: unknown) => boolean)[];
  if (cs.length === 1) return cs[0]!;
  if (cs.length === 2) {
    const [a, b] = cs as [(v: unknown) => boolean, (v: unknown) => boolean];
    return (v) => a(v) || b(v);
  }
  return (v) => cs.some((c) => c(v));
}

/** Compile `root` (with its `$defs`) into a function: true = valid under the schema and the input guard. */
export function compileSchemaCheck(root: Record<string, unknown>): (value: unknown) => boolean {
  const defs = (root["$defs"] ?? {}) as Record<string, Schema>;
  const byDef = new Map<string, Check>();

  const ref = (target: string): Check => {
    if (!target.startsWith("#/$defs/")) return NEVER;
    const name = target.slice(8);
    if (!Object.prototype.hasOwnProperty.call(defs, name)) return NEVER;
    let c = byDef.get(name);
    if (c) return c;
    // recursive references: compile once, through a late-bound cell
    let compiled: Check | null = null;
    c = (v, d) => (compiled ??= compile(defs[name]!))(v, d);
    byDef.set(name, c);
    return c;
  };

  const compile = (s: Schema): Check => {
    if (s === true) return anyValue;
    if (s === false || s === null || typeof s !== "object" || Array.isArray(s)) return NEVER;
    for (const k of Object.keys(s)) if (!HANDLED.has(k) && !ANNOTATIONS.has(k)) return NEVER;

    const scalar: ((v: unknown) => boolean)[] = [];
    if ("type" in s) {
      const t = typeCheck(s["type"]);
      if (!t) return NEVER;
      scalar.push(t);
    }
    if ("enum" in s) {
      const values = s["enum"];
      if (!Array.isArray(values) || !values.every(isPrimitive)) return NEVER;
      scalar.push((v) => values.includes(v));
    }
    if ("const" in s) {
      const c = s["const"];
      if (!isPrimitive(c)) return NEVER;
      scalar.push((v) => v === c);
    }
    const num = (k: string): number | null => (typeof s[k] === "number" ? (s[k] as number) : null);
    for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
      if (!(k in s)) continue;
      const bound = num(k);
      if (bound === null) return NEVER;
      const test =
        k === "minimum"
          ? (x: number) => x >= bound
          : k === "maximum"
            ? (x: number) => x <= bound
            : k === "exclusiveMinimum"
              ? (x: number) => x > bound
              : (x: number) => x < bound;
      scalar.push((v) => typeof v !== "number" || test(v));
    }
    if ("minLength" in s || "maxLength" in s) {
      const min = "minLength" in s ? num("minLength") : 0;
      const max = "maxLength" in s ? num("maxLength") : Infinity;
      if (min === null || max === null) return NEVER;
      scalar.push((v) => {
        if (typeof v !== "string") return true;
        if (v.length >= min * 2 && v.length <= max) return true; // surrogate pairs count once
        const n = codePoints(v);
        return n >= min && n <= max;
      });
    }
    if ("pattern" in s) {
      if (typeof s["pattern"] !== "string") return NEVER;
      const re = new RegExp(s["pattern"], "u");
      scalar.push((v) => typeof v !== "string" || re.test(v));
    }

    // objects
    const objectKeywords = "properties" in s || "additionalProperties" in s || "propertyNames" in s;
    let objectCheck: Check | null = null;
    if (objectKeywords) {
      const props = new Map<string, Check>();
      const p = s["properties"];
      if (p !== undefined) {
        if (p === null || typeof p !== "object") return NEVER;
        for (const [k, sub] of Object.entries(p as Record<string, Schema>))
          if (!isReserved(k)) props.set(k, compile(sub)); // a reserved key goes to the guard and ajv
      }
      const extra = "additionalProperties" in s ? s["additionalProperties"] : true;
      const extraCheck: Check | null = extra === false ? null : compile(extra as Schema);
      const names: Check | null = "propertyNames" in s ? compile(s["propertyNames"] as Schema) : null;
      objectCheck = (v, depth) => {
        const o = v as Record<string, unknown>;
        // for-in (no key array): `o` is a plain object, so it lists the own keys Object.keys would
        for (const key in o) {
          const child = o[key];
          if (child === undefined) return false;
          // a declared property is never a reserved name (those are left out of `props` below)
          let c = props.get(key);
          if (c === undefined) {
            if (isReserved(key)) return false;
            c = extraCheck ?? undefined;
            if (c === undefined) return false;
          }
          if (names !== null && !names(key, depth)) return false;
          if (!c(child, depth + 1)) return false;
        }
        return true;
      };
    }
    let required: string[] = [];
    if ("required" in s) {
      const r = s["required"];
      if (!Array.isArray(r) || !r.every((x) => typeof x === "string")) return NEVER;
      required = r as string[];
    }

    // arrays
    const arrayKeywords = "items" in s || "prefixItems" in s;
    let arrayCheck: Check | null = null;
    if (arrayKeywords) {
      const prefix = "prefixItems" in s ? s["prefixItems"] : [];
      if (!Array.isArray(prefix)) return NEVER;
      const prefixChecks = (prefix as Schema[]).map(compile);
      const rest = compile("items" in s ? (s["items"] as Schema) : true);
      arrayCheck = (v, depth) => {
        const a = v as unknown[];
        for (let i = 0; i < a.length; i++) {
          const item = a[i];
          if (item === undefined) return false;
          if (!(prefixChecks[i] ?? rest)(item, depth + 1)) return false;
        }
        return true;
      };
    }
    const minItems = "minItems" in s ? num("minItems") : 0;
    const maxItems = "maxItems" in s ? num("maxItems") : Infinity;
    if (minItems === null || maxItems === null) return NEVER;

    // composition
    const composite: Check[] = [];
    if ("$ref" in s) {
      if (typeof s["$ref"] !== "string") return NEVER;
      composite.push(ref(s["$ref"]));
    }
    if ("allOf" in s) {
      const all = s["allOf"];
      if (!Array.isArray(all)) return NEVER;
      const cs = (all as Schema[]).map(compile);
      composite.push((v, d) => cs.every((c) => c(v, d)));
    }
    if ("anyOf" in s) {
      const any = s["anyOf"];
      if (!Array.isArray(any)) return NEVER;
      const cs = (any as Schema[]).map(compile);
      composite.push((v, d) => {
        for (let i = 0; i < cs.length; i++) if (cs[i]!(v, d)) return true;
        return false;
      });
    }
    if ("oneOf" in s) {
      const disc = s["discriminator"] as { propertyName?: unknown } | undefined;
      const branches = s["oneOf"];
      if (!disc || typeof disc.propertyName !== "string" || !Array.isArray(branches)) return NEVER;
      const tagName = disc.propertyName;
      const byTag = new Map<string, Check>();
      for (const b of branches as Schema[]) {
        const tag = constTag(b, tagName, defs);
        if (tag === null || byTag.has(tag)) return NEVER;
        byTag.set(tag, compile(b));
      }
      composite.push((v, d) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
        const tag = (v as Record<string, unknown>)[tagName];
        if (typeof tag !== "string") return false;
        const c = byTag.get(tag);
        return c !== undefined && c(v, d);
      });
    }

    const nScalar = scalar.length;
    const s0 = scalar[0];
    const types = "type" in s ? (Array.isArray(s["type"]) ? (s["type"] as unknown[]) : [s["type"]]) : null;
    if (
      types !== null &&
      !types.includes("object") &&
      !types.includes("array") &&
      composite.length === 0 &&
      !objectKeywords &&
      !arrayKeywords
    ) {
      // a leaf (string, number, …): the type check comes first, so `v` is a primitive after it
      const leafGuard = (v: unknown): boolean =>
        typeof v === "string" ? !isReserved(v) : typeof v !== "number" || Number.isFinite(v);
      if (nScalar === 1) return (v) => s0!(v) && leafGuard(v);
      return (v) => {
        for (let i = 0; i < nScalar; i++) if (!scalar[i]!(v)) return false;
        return leafGuard(v);
      };
    }
    return (v, depth) => {
      // the guard's checks on this value itself
      if (typeof v === "string") {
        if (isReserved(v)) return false;
      } else if (typeof v === "number") {
        if (!Number.isFinite(v)) return false;
      } else if (typeof v === "object" && v !== null) {
        if (depth >= MAX_DEPTH) return false;
      } else if (typeof v !== "boolean" && v !== null) return false;
      if (nScalar === 1) {
        if (!s0!(v)) return false;
      } else for (let i = 0; i < nScalar; i++) if (!scalar[i]!(v)) return false;
      if (typeof v === "object" && v !== null) {
        if (Array.isArray(v)) {
          if (v.length < minItems || v.length > maxItems) return false;
          if (arrayCheck !== null) {
            if (!arrayCheck(v, depth)) return false;
          } else if (composite.length === 0 && !anyValue(v, depth)) return false;
        } else {
          if (!isPlainObject(v)) return false;
          const o = v as Record<string, unknown>;
          for (let i = 0; i < required.length; i++) if (o[required[i]!] === undefined) return false;
          if (objectCheck !== null) {
            if (!objectCheck(v, depth)) return false;
          } else if (composite.length === 0 && !anyValue(v, depth)) return false;
        }
      }
      for (let i = 0; i < composite.length; i++) if (!composite[i]!(v, depth)) return false;
      return true;
    };
  };

  const top = compile(root);
  return (value) => {
    try {
      return top(value, 0);
    } catch {
      return false; // e.g. a stack overflow: the guard and ajv decide
    }
  };
}

/** The constant `propertyName` value of a discriminated branch (following a `$ref` into `$defs`). */
function constTag(branch: Schema, propertyName: string, defs: Record<string, Schema>): string | null {
  if (typeof branch !== "object" || branch === null) return null;
  const r = branch["$ref"];
  if (typeof r === "string") {
    if (!r.startsWith("#/$defs/") || Object.keys(branch).some((k) => k !== "$ref" && !ANNOTATIONS.has(k))) return null;
    const target = defs[r.slice(8)];
    return target === undefined ? null : constTag(target, propertyName, defs);
  }
  const props = branch["properties"] as Record<string, { const?: unknown }> | undefined;
  const c = props?.[propertyName]?.const;
  const req = branch["required"];
  return typeof c === "string" && Array.isArray(req) && req.includes(propertyName) ? c : null;
}
