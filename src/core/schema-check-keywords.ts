/**
 * What the schema-check code generator (schema-check.ts) knows about keywords: the ones it handles and
 * the annotations it ignores, the type tests and the guard's leaf checks it inlines, composite-only
 * subschemas and the tag of a discriminated branch. Generation time only (runtime helpers:
 * schema-check-runtime.ts).
 */
import { isReserved } from "./input-guard.js";

export type Schema = boolean | Record<string, unknown>;

/** Keywords that only annotate (ajv without useDefaults ignores them for validity). */
export const ANNOTATIONS = new Set([
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
export const HANDLED = new Set([
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

export const isPrimitive = (x: unknown): boolean =>
  x === null || typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x));

export const TYPE_TEST: Readonly<Record<string, (x: string) => string>> = {
  string: (x) => `typeof ${x} === "string"`,
  number: (x) => `typeof ${x} === "number"`,
  integer: (x) => `Number.isInteger(${x})`,
  boolean: (x) => `typeof ${x} === "boolean"`,
  null: (x) => `${x} === null`,
  object: (x) => `(typeof ${x} === "object" && ${x} !== null && !Array.isArray(${x}))`,
  array: (x) => `Array.isArray(${x})`,
};

const COMPOSITE_KEYWORDS = new Set(["$ref", "allOf", "anyOf", "oneOf"]);

/**
 * Whether `sch` has composite keywords only, at least one of which must hold for every value (an
 * empty allOf alone would accept anything, so it does not count).
 */
export function isCompositeOnly(sch: Record<string, unknown>): boolean {
  const keys = Object.keys(sch);
  // `type: "object"` beside a discriminated oneOf (parse.ts adds it) is implied: the dispatch refuses non-objects
  const impliedType = (k: string) =>
    k === "type" && sch["type"] === "object" && "oneOf" in sch && "discriminator" in sch;
  if (!keys.every((k) => COMPOSITE_KEYWORDS.has(k) || ANNOTATIONS.has(k) || impliedType(k))) return false;
  const allOf = sch["allOf"];
  return "$ref" in sch || "anyOf" in sch || "oneOf" in sch || (Array.isArray(allOf) && allOf.length > 0);
}

/** A literal value the guard accepts as it is (a finite number, a boolean, null, a string that is not reserved). */
const guardAccepts = (x: unknown): boolean => (typeof x === "string" ? !isReserved(x) : isPrimitive(x));

/**
 * The guard's check of a leaf value `x` after its type test, or null when the type test and the
 * enum / const already imply it: a literal the guard accepts, integers (finite), booleans, null.
 */
export function leafGuard(sch: Record<string, unknown>, x: string): string | null {
  if (Array.isArray(sch["enum"]) && sch["enum"].every(guardAccepts)) return null;
  if ("const" in sch && guardAccepts(sch["const"])) return null;
  const types = Array.isArray(sch["type"]) ? (sch["type"] as unknown[]) : [sch["type"]];
  const strings = types.includes("string");
  const numbers = types.includes("number");
  if (!strings && !numbers) return null; // integer (Number.isInteger: finite), boolean, null
  if (strings && !numbers) return `(typeof ${x} !== "string" || !R(${x}))`;
  if (numbers && !strings) return `(typeof ${x} !== "number" || Number.isFinite(${x}))`;
  return `(typeof ${x} === "string" ? !R(${x}) : typeof ${x} !== "number" || Number.isFinite(${x}))`;
}

/** Thrown while generating: the schema uses something this check does not handle (its node then answers false). */
export class Unhandled extends Error {}

/** The constant `propertyName` value of a discriminated branch (following a `$ref` into `$defs`). */
export function constTag(branch: Schema, propertyName: string, defs: Record<string, Schema>): string | null {
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
