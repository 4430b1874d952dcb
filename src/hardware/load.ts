/**
 * Loading a hardware config: JSON text → ajv (JSON Schema generated from the zod schema, compiled
 * once) → zod parse for types → semantic checks → HardwareSetup.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { z } from "zod";
import { HardwareConfigError, InputParseError, Q1ForgeError, SchemaValidationError } from "../core/errors.js";
import { prepareHardwareInput, type HardwareWarning } from "./compat.js";
import { OLD_STYLE_BACKEND } from "./convert-old.js";
import { buildGraph } from "./graph.js";
import { guardInput } from "../core/input-guard.js";
import { jsonErrorPosition } from "../core/json-position.js";
import { HardwareConfigSchema, type HardwareConfig } from "./schema.js";
import { checkInstrumentTypes, checkSemantics, checkVersion } from "./semantic.js";
import { HardwareSetup } from "./setup.js";
import { HARDWARE_AJV_OPTIONS, precompiledValidator } from "../core/precompiled.js";

let validator: ValidateFunction | null = null;

/** The JSON Schema ajv validates against (also used by scripts/build-validators.mjs). */
export function hardwareJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(HardwareConfigSchema, { io: "input" }) as Record<string, unknown>;
}

function getValidator(): ValidateFunction {
  if (validator) return validator;
  validator = precompiledValidator("hardware");
  if (validator) return validator;
  // discriminator: only the branch named by instrument_type reports errors (see schema.ts .meta)
  const ajv = new Ajv2020({ ...HARDWARE_AJV_OPTIONS });
  validator = ajv.compile(hardwareJsonSchema());
  return validator;
}

export function loadHardwareConfig(input: unknown): HardwareSetup {
  guardInput(input, "hardware config", (code, message, opts) => new HardwareConfigError(code, message, opts));
  const prepared = prepareHardwareInput(input);
  if (!prepared.oldStyle) return validateAndBuild(prepared.data, prepared.warnings);
  try {
    return validateAndBuild(prepared.data, prepared.warnings);
  } catch (e) {
    if (!(e instanceof Q1ForgeError)) throw e;
    // an old-style config that converts but does not validate: say so, and where in the conversion
    const message = `Old-style hardware config (backend "${OLD_STYLE_BACKEND}"), converted to the new style as quantify does, is invalid: ${e.message}`;
    const hint =
      `${e.hint ?? ""} The path is in the converted config; see it with \`q1forge convert-config --hardware OLD.json\`.`.trim();
    if (e instanceof SchemaValidationError)
      throw new SchemaValidationError(message, e.issues, { path: e.path ?? "/", hint });
    throw new HardwareConfigError(e.code, message, { path: e.path ?? "/", hint, cause: e });
  }
}

function validateAndBuild(input: unknown, loadWarnings: HardwareWarning[]): HardwareSetup {
  checkInstrumentTypes(input);
  const validate = getValidator();
  if (!validate(input)) {
    const issues = (validate.errors ?? []).map(describeAjvError);
    const first = issues[0];
    throw new SchemaValidationError(
      `Hardware config does not match the schema (${issues.length} issue${issues.length === 1 ? "" : "s"})${first ? `: ${first.path || "/"} ${first.message}` : ""}.`,
      issues,
      {
        path: first?.path || "/",
        hint: "See schemas/hardware-config.schema.json and docs/hardware-config.md for the accepted format.",
      },
    );
  }
  // ajv has accepted it; zod gives the static type (and would catch a schema/JSON-Schema drift)
  const parsed = HardwareConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: "/" + i.path.map(String).join("/"), message: i.message }));
    throw new SchemaValidationError(
      `Hardware config does not match the schema: ${issues[0]?.path} ${issues[0]?.message}.`,
      issues,
      {
        path: issues[0]?.path ?? "/",
        hint: "See schemas/hardware-config.schema.json and docs/hardware-config.md for the accepted format.",
      },
    );
  }
  const config: HardwareConfig = parsed.data;
  const version = checkVersion(config);
  const graph = buildGraph(config);
  const warnings = checkSemantics(config, graph);
  for (const message of warnings) loadWarnings.push({ code: "HARDWARE_CONFIG", message, path: "/connectivity" });
  return new HardwareSetup(config, version, graph, warnings, loadWarnings);
}

export function parseHardwareConfigJson(text: string): HardwareSetup {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const { line, column } = jsonErrorPosition(text);
    throw new InputParseError(`Hardware config is not valid JSON: ${msg}`, {
      path: `line ${line}, column ${column}`,
      hint: "Fix the JSON syntax at that position (trailing commas, comments and single quotes are not allowed in JSON).",
      details: { line, column },
      cause: e,
    });
  }
  return loadHardwareConfig(data);
}

function describeAjvError(e: ErrorObject): { path: string; message: string } {
  const params = e.params as Record<string, unknown>;
  let path = e.instancePath;
  let message = e.message ?? e.keyword;
  if (e.keyword === "additionalProperties") {
    const prop = String(params["additionalProperty"]);
    path = `${path}/${prop.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    message = `unknown property '${prop}'`;
  } else if (e.keyword === "propertyNames" || e.keyword === "pattern") {
    message = `${message}${params["propertyName"] ? ` (key '${String(params["propertyName"])}')` : ""}`;
  } else if (e.keyword === "enum") {
    message = `${message}: ${JSON.stringify(params["allowedValues"])}`;
  } else if (e.keyword === "const") {
    message = `${message}: ${JSON.stringify(params["allowedValue"])}`;
  }
  return { path, message };
}
