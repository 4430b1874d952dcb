/**
 * The input edge for schedule documents: JSON text → validated ScheduleDocument. Validation runs ajv
 * against the JSON Schema generated from ScheduleDocumentSchema (the same file users get in
 * schemas/schedule.schema.json), so every issue carries a JSON pointer.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { z } from "zod";
import { InputParseError, ScheduleError, SchemaValidationError } from "../core/errors.js";
import { guardInput, isStackOverflow } from "../core/input-guard.js";
import { syntaxErrorPosition } from "../core/json-position.js";
import {
  precompiledSchema,
  precompiledValidator,
  SCHEDULE_AJV_OPTIONS,
  SCHEDULE_FAST_AJV_OPTIONS,
} from "../core/precompiled.js";
import { compileSchemaCheck } from "../core/schema-check.js";

export { syntaxErrorPosition };
import { OPERATION_TYPES, ScheduleDocumentSchema, type ScheduleDocument } from "./schema.js";

let cachedValidator: ValidateFunction | null = null;
let cachedFastValidator: ValidateFunction | null = null;
let cachedCertainlyValid: ((input: unknown) => boolean) | null = null;

/** The JSON Schema of a schedule document, with ajv `discriminator` hints on the operation unions. */
export function scheduleJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScheduleDocumentSchema) as Record<string, unknown>;
  addDiscriminators(schema);
  return schema;
}

/** All errors with their data (for the report of an invalid document). */
function validator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  cachedValidator = precompiledValidator("schedule");
  if (cachedValidator) return cachedValidator;
  const ajv = new Ajv2020({ ...SCHEDULE_AJV_OPTIONS });
  cachedValidator = ajv.compile(scheduleJsonSchema());
  return cachedValidator;
}

/** Stops at the first error; small stack frames (the path every valid document takes). */
function fastValidator(): ValidateFunction {
  if (cachedFastValidator) return cachedFastValidator;
  cachedFastValidator = precompiledValidator("schedule-fast");
  if (cachedFastValidator) return cachedFastValidator;
  const ajv = new Ajv2020({ ...SCHEDULE_FAST_AJV_OPTIONS });
  cachedFastValidator = ajv.compile(scheduleJsonSchema());
  return cachedFastValidator;
}

/**
 * The common path: true only for a document that passes the input guard and the schema (same
 * schema as ajv's, core/schema-check.ts), in one walk. false → the guard and ajv run as before and
 * report the error (or accept what the fast check does not handle).
 */
function certainlyValid(): (input: unknown) => boolean {
  return (cachedCertainlyValid ??= compileSchemaCheck(precompiledSchema("schedule") ?? scheduleJsonSchema()));
}

const NESTING_TOO_DEEP = (): ScheduleError =>
  new ScheduleError("NESTING_TOO_DEEP", "the schedule nests too deeply for the schema validator", {
    path: "/schedulables",
    hint: "flatten nested sub-schedules and loops (use repetitions of a LoopOperation instead of nesting), or run node with a larger --stack-size",
  });

/**
 * The operation unions are `oneOf` over objects with a constant `type`. Marking them as discriminated
 * makes ajv check only the branch named by `type`, so errors are about that branch, and an unknown
 * `type` is one clear error instead of one per branch.
 */
function addDiscriminators(node: unknown, root: unknown = node): void {
  if (Array.isArray(node)) {
    for (const item of node) addDiscriminators(item, root);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  const oneOf = obj["oneOf"];
  if (Array.isArray(oneOf) && oneOf.length > 0 && oneOf.every((b) => hasConstType(b, root))) {
    obj["discriminator"] = { propertyName: "type" };
    // ajv skips `discriminator` (and with it the oneOf) for non-objects; say they must be objects.
    obj["type"] = "object";
  }
  for (const value of Object.values(obj)) addDiscriminators(value, root);
}

function hasConstType(branch: unknown, root?: unknown): boolean {
  if (branch === null || typeof branch !== "object") return false;
  // a branch defined once under $defs (the gates, src/schedule/gates.ts); ajv's discriminator follows the $ref
  const ref = (branch as { $ref?: unknown }).$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/"))
    return hasConstType((root as { $defs?: Record<string, unknown> } | undefined)?.$defs?.[ref.slice(8)]);
  const b = branch as { properties?: Record<string, { const?: unknown }>; required?: unknown };
  return typeof b.properties?.["type"]?.const === "string" && Array.isArray(b.required) && b.required.includes("type");
}

/** Validate an already-parsed JSON value as a schedule document. */
export function parseScheduleDocument(input: unknown): ScheduleDocument {
  if (certainlyValid()(input)) return input as ScheduleDocument;
  guardInput(input, "schedule", (code, message, opts) => new ScheduleError(code, message, opts));
  const fast = fastValidator();
  try {
    if (fast(input)) return input as ScheduleDocument;
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    // the validator's frames are large: nesting within MAX_INPUT_DEPTH can still exhaust a small stack
    throw NESTING_TOO_DEEP();
  }
  // Invalid: report every error when the full validator fits on the stack, else the first one.
  const full = validator();
  try {
    full(input);
    throw toError(full.errors ?? [], input);
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    throw toError(fast.errors ?? [], input);
  }
}

/** Parse JSON text (with line/column on syntax errors) and validate it as a schedule document. */
export function parseScheduleJson(text: string, source = "schedule"): ScheduleDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const { line, column } = syntaxErrorPosition(text, (e as Error).message);
    throw new InputParseError(`${source} is not valid JSON: ${(e as Error).message}`, {
      path: `line ${line}, column ${column}`,
      hint: "fix the JSON syntax at the given line and column (trailing commas and comments are not allowed)",
      details: { line, column },
      cause: e,
    });
  }
  return parseScheduleDocument(value);
}

function toError(errors: ErrorObject[], input: unknown): ScheduleError | SchemaValidationError {
  const unknownType = errors.find(
    (e) => e.keyword === "discriminator" && (e.params as { error?: string }).error === "mapping",
  );
  if (unknownType) return unknownOperation(unknownType);
  const issues = relevant(errors).map((e) => ({ path: e.instancePath || "/", message: describe(e, input) }));
  const first = issues[0] ?? { path: "/", message: "invalid schedule" };
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return new SchemaValidationError(
    `schedule does not match the schema at ${first.path}: ${first.message}${more}`,
    issues,
    {
      path: first.path,
      hint: "see docs/schedule-format.md for the fields of each operation",
    },
  );
}

function unknownOperation(e: ErrorObject): ScheduleError {
  const tag = String((e.params as { tagValue?: unknown }).tagValue);
  const valid = validTypesOf(e.parentSchema) ?? [...OPERATION_TYPES];
  const where = e.instancePath || "/";
  const known = OPERATION_TYPES.includes(tag as (typeof OPERATION_TYPES)[number]);
  const message = known
    ? `operation type "${tag}" is not allowed at ${where}`
    : `unknown operation type "${tag}" at ${where}`;
  return new ScheduleError("UNKNOWN_OPERATION", message, {
    path: where,
    hint: `use one of: ${valid.join(", ")}`,
    details: { type: tag, validTypes: valid },
  });
}

function validTypesOf(parentSchema: unknown): string[] | null {
  const oneOf = (parentSchema as { oneOf?: unknown } | undefined)?.oneOf;
  if (!Array.isArray(oneOf)) return null;
  // $ref branches (gates) carry no const here: the caller falls back to every operation type
  if (
    !oneOf.every((b: { properties?: { type?: { const?: unknown } } }) => typeof b.properties?.type?.const === "string")
  )
    return null;
  return oneOf.map((b: { properties: { type: { const: string } } }) => b.properties.type.const);
}

/**
 * ajv reports a failed `anyOf` (e.g. "key string or inline operation") once per branch. Keep the
 * errors of the branch that got furthest: drop the union summary and `type` mismatches at a location
 * that also has deeper errors.
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
  const deeper = (e: ErrorObject) =>
    kept.some(
      (o) =>
        o !== e &&
        o.keyword !== "type" &&
        (o.instancePath.startsWith(e.instancePath + "/") ||
          (o.instancePath === e.instancePath && o.keyword !== "type")),
    );
  const filtered = kept.filter((e) => e.keyword !== "type" || !deeper(e));
  const seen = new Set<string>();
  return (filtered.length > 0 ? filtered : errors).filter((e) => {
    const key = `${e.instancePath}|${describe(e, undefined)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(e: ErrorObject, _input: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `missing required field "${String(p["missingProperty"])}"`;
    case "additionalProperties": {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown field "${String(p["additionalProperty"])}"${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`;
    }
    case "type":
      return `must be ${String(p["type"]).replace(/,/g, " or ")}, got ${jsonType(e.data)}`;
    case "enum":
      return `must be one of: ${(p["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(e.data)}`;
    case "const":
      return `must be ${JSON.stringify(p["allowedValue"])}`;
    case "discriminator":
      return `operation has no string "type" field`;
    default:
      return e.message ?? e.keyword;
  }
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
