/**
 * quantify's serialized QuantumDevice → the q1forge device JSON (schema.ts). Both forms quantify
 * writes are read: the element and edge entries as nested JSON strings (`QuantumDevice.to_json()`),
 * with `NaN` literals, or as nested objects (quantify's "new format"), with long
 * (`quantify_scheduler.device_under_test.transmon_element.BasicTransmonElement`) or short
 * (`quantify_scheduler.BasicTransmonElement`) deserialization types. Submodule fields q1forge does
 * not use (newer quantify versions add some) are dropped; numpy arrays (`{"deserialization_type":
 * "ndarray", "data": [...]}`) become plain arrays, empty ones null.
 */
import { DeviceConfigError } from "../core/errors.js";
import { parsePythonJson } from "./json.js";
import {
  ClockFreqsSchema,
  MeasureParamsSchema,
  PortsSchema,
  ResetParamsSchema,
  RxyParamsSchema,
  type DeviceConfig,
} from "./schema.js";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True for quantify's `{"deserialization_type": "...QuantumDevice", "data": {...}}`. */
export function isQuantifyDevice(input: unknown): boolean {
  return (
    isObj(input) &&
    typeof input["deserialization_type"] === "string" &&
    input["deserialization_type"].endsWith("QuantumDevice")
  );
}

function lastName(type: string): string {
  const dot = type.lastIndexOf(".");
  return dot < 0 ? type : type.slice(dot + 1);
}

/** An element / edge entry: a JSON string (parsed, NaN allowed) or an object. */
function entry(value: unknown, path: string): Obj {
  const v = typeof value === "string" ? parsePythonJson(value, `device entry ${path}`) : value;
  if (!isObj(v) || typeof v["deserialization_type"] !== "string" || !isObj(v["data"])) {
    throw new DeviceConfigError("INVALID_DEVICE", `device entry at ${path} is not a serialized quantify object`, {
      path,
      hint: 'expected {"deserialization_type": "...", "data": {...}} (or that object as a JSON string)',
    });
  }
  return v;
}

/** numpy arrays → arrays (empty → null); recursion into objects. */
function plain(value: unknown): unknown {
  if (isObj(value)) {
    if (value["deserialization_type"] === "ndarray") {
      const data = value["data"];
      return Array.isArray(data) && data.length > 0 ? data : null;
    }
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function pick(value: unknown, keys: readonly string[]): Obj | undefined {
  if (!isObj(value)) return undefined;
  const out: Obj = {};
  for (const k of keys) if (value[k] !== undefined) out[k] = plain(value[k]);
  return out;
}

const RESET_KEYS = Object.keys(ResetParamsSchema.shape);
const RXY_KEYS = Object.keys(RxyParamsSchema.shape);
const MEASURE_KEYS = Object.keys(MeasureParamsSchema.shape);
const PORT_KEYS = Object.keys(PortsSchema.shape);
const CLOCK_KEYS = Object.keys(ClockFreqsSchema.shape);

function element(name: string, value: unknown, path: string): Obj {
  const e = entry(value, path);
  const type = lastName(e["deserialization_type"] as string);
  const data = e["data"] as Obj;
  if (type !== "BasicTransmonElement") {
    throw new DeviceConfigError(
      "UNKNOWN_ELEMENT_TYPE",
      `device element "${name}" has type "${e["deserialization_type"] as string}", which q1forge does not support`,
      {
        path,
        hint: "q1forge compiles BasicTransmonElement elements (reset, rxy, measure, ports, clock_freqs)",
        details: { element: name, type: e["deserialization_type"] },
      },
    );
  }
  const out: Obj = { type };
  const reset = pick(data["reset"], RESET_KEYS);
  if (reset) out["reset"] = reset;
  const rxy = pick(data["rxy"], RXY_KEYS);
  if (rxy) out["rxy"] = rxy;
  const measure = pick(data["measure"], MEASURE_KEYS);
  if (measure) {
    // quantify's default weight type; q1forge's schema knows only "SSB"
    if (measure["acq_weight_type"] !== undefined && measure["acq_weight_type"] !== "SSB")
      delete measure["acq_weight_type"];
    out["measure"] = measure;
  }
  const ports = pick(data["ports"], PORT_KEYS);
  if (ports) out["ports"] = ports;
  const clocks = pick(data["clock_freqs"], CLOCK_KEYS);
  if (clocks) out["clock_freqs"] = clocks;
  else if (isObj(data["clocks"])) {
    // older BasicTransmonElement: clocks.freq_01 / freq_12 / freq_ro
    const c = data["clocks"];
    out["clock_freqs"] = { f01: c["freq_01"] ?? null, f12: c["freq_12"] ?? null, readout: c["freq_ro"] ?? null };
  }
  return out;
}

function edge(name: string, value: unknown, path: string): Obj {
  const e = entry(value, path);
  const type = lastName(e["deserialization_type"] as string);
  const data = e["data"] as Obj;
  if (type !== "CompositeSquareEdge") {
    throw new DeviceConfigError(
      "UNKNOWN_EDGE_TYPE",
      `device edge "${name}" has type "${e["deserialization_type"] as string}", which q1forge does not support`,
      {
        path,
        hint: "q1forge compiles CompositeSquareEdge edges (cz: square_amp, square_duration, phase corrections)",
        details: { edge: name, type: e["deserialization_type"] },
      },
    );
  }
  const parent = data["parent_element_name"];
  const child = data["child_element_name"];
  const out: Obj = { type, parent_element_name: parent, child_element_name: child };
  const cz = data["cz"];
  if (isObj(cz)) {
    const c: Obj = {};
    if (cz["square_amp"] !== undefined) c["square_amp"] = cz["square_amp"];
    if (cz["square_duration"] !== undefined) c["square_duration"] = cz["square_duration"];
    const pk = `${String(parent)}_phase_correction`;
    const ck = `${String(child)}_phase_correction`;
    if (cz[pk] !== undefined) c["parent_phase_correction"] = cz[pk];
    if (cz[ck] !== undefined) c["child_phase_correction"] = cz[ck];
    out["cz"] = c;
  }
  return out;
}

/** Convert quantify's serialized QuantumDevice (already JSON-parsed) to the q1forge device JSON. */
export function fromQuantifyDevice(input: unknown): DeviceConfig {
  const root = input as Obj;
  const data = root["data"];
  if (!isObj(data)) {
    throw new DeviceConfigError("INVALID_DEVICE", "quantify QuantumDevice has no data object", {
      path: "/data",
      hint: 'expected {"deserialization_type": "...QuantumDevice", "data": {"name", "elements", "edges"}}',
    });
  }
  const elements: Obj = {};
  for (const [name, value] of Object.entries(isObj(data["elements"]) ? data["elements"] : {}))
    elements[name] = element(name, value, `/data/elements/${name}`);
  const edges: Obj = {};
  for (const [name, value] of Object.entries(isObj(data["edges"]) ? data["edges"] : {}))
    edges[name] = edge(name, value, `/data/edges/${name}`);
  const out: Obj = { name: typeof data["name"] === "string" ? data["name"] : "device", elements, edges };
  const reps = Number(data["cfg_sched_repetitions"]);
  if (
    data["cfg_sched_repetitions"] !== undefined &&
    data["cfg_sched_repetitions"] !== null &&
    Number.isInteger(reps) &&
    reps >= 1
  )
    out["cfg_sched_repetitions"] = reps;
  return out as DeviceConfig;
}
