/**
 * quantify's serialized Schedule (`Schedule.to_json()`) → the q1forge schedule document (as JSON,
 * validated afterwards by parse.ts like any other document). The mapping:
 *
 *   data.name / repetitions          → name / repetitions
 *   data.resource_dict (ClockResource) → resources (the built-in cl0.baseband and digital are dropped)
 *   data.operation_dict[key]          → operations[key]:
 *       pulse_info / acquisition_info non-empty → a Composite (each entry by its wf_func / protocol)
 *       otherwise gate_info.operation_type      → a gate (Rxy, Rz, H, CZ, reset, measure, X, Y, …)
 *       a nested Schedule                       → {"type": "Schedule"}; LoopOperation → LoopOperation
 *   data.schedulables[name]           → schedulables: label = name, operation = operation_id (or the
 *                                       older operation_repr), timing_constraints as they are
 *
 * Both `{"deserialization_type": ..., "data": ...}` wrappers and plain dicts are accepted at every
 * level; numpy arrays (`{"deserialization_type": "ndarray", "data": [...]}`) become arrays. An
 * operation q1forge cannot express is a ScheduleError naming it.
 */
import { ScheduleError } from "../core/errors.js";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function lastName(type: string): string {
  const dot = type.lastIndexOf(".");
  return dot < 0 ? type : type.slice(dot + 1);
}

/** `{deserialization_type, data}` → {type, data}; a plain dict → {type: "", data: dict}. */
function unwrap(v: unknown): { type: string; data: Obj } {
  if (isObj(v) && typeof v["deserialization_type"] === "string" && isObj(v["data"]))
    return { type: lastName(v["deserialization_type"]), data: v["data"] };
  return { type: "", data: isObj(v) ? v : {} };
}

function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (!isObj(v)) return v;
  if (v["deserialization_type"] === "ndarray") return plain(v["data"]);
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}

/** True for a quantify-serialized Schedule (wrapped or its bare data dict). */
export function isQuantifySchedule(input: unknown): boolean {
  if (!isObj(input)) return false;
  const { type, data } = unwrap(input);
  return (
    (type === "" || type.endsWith("Schedule")) && isObj(data["operation_dict"]) && data["schedulables"] !== undefined
  );
}

function unsupported(what: string, path: string, hint: string): never {
  throw new ScheduleError("UNSUPPORTED_QUANTIFY_OPERATION", `${what} cannot be imported from the quantify schedule`, {
    path,
    hint,
  });
}

const BUILTIN_CLOCKS = new Set(["cl0.baseband", "digital"]);

function resources(dict: unknown): Obj | undefined {
  if (!isObj(dict)) return undefined;
  const out: Obj = {};
  for (const [key, value] of Object.entries(dict)) {
    const { data } = unwrap(value);
    const name = typeof data["name"] === "string" ? data["name"] : key;
    if (BUILTIN_CLOCKS.has(name)) continue;
    const freq = typeof data["freq"] === "number" && Number.isFinite(data["freq"]) ? data["freq"] : null;
    const r: Obj = { freq };
    if (typeof data["phase"] === "number" && data["phase"] !== 0) r["phase"] = data["phase"];
    out[name] = r;
  }
  return Object.keys(out).length ? out : undefined;
}

function set(out: Obj, key: string, value: unknown): void {
  if (value !== undefined && value !== null) out[key] = plain(value);
}

const WF = "quantify_scheduler.waveforms.";

function pulse(p: Obj, path: string): Obj {
  const out: Obj = {};
  set(out, "t0", p["t0"]);
  const wf = typeof p["wf_func"] === "string" ? p["wf_func"] : null;
  const port = p["port"];
  const clock = p["clock"];
  if (wf === null) {
    if (p["reset_clock_phase"] === true) return { type: "ResetClockPhase", ...out, clock };
    if (p["phase_shift"] !== undefined && p["phase_shift"] !== null)
      return { type: "ShiftClockPhase", ...out, clock, phase_shift: p["phase_shift"] };
    if (p["clock_freq_new"] !== undefined)
      return { type: "SetClockFrequency", ...out, clock, clock_freq_new: p["clock_freq_new"] };
    if (p["offset_path_I"] !== undefined || p["offset_path_Q"] !== undefined)
      return {
        type: "VoltageOffset",
        ...out,
        offset_path_I: p["offset_path_I"] ?? 0,
        offset_path_Q: p["offset_path_Q"] ?? 0,
        port,
        ...(clock ? { clock } : {}),
      };
    if (p["marker_pulse"] === true)
      return { type: "MarkerPulse", ...out, duration: p["duration"], port, ...(clock ? { clock } : {}) };
    return { type: "IdlePulse", ...out, duration: p["duration"] ?? 0 };
  }
  const common = { ...out, duration: p["duration"], port, ...(clock ? { clock } : {}) };
  switch (wf.startsWith(WF) ? wf.slice(WF.length) : wf) {
    case "square":
      return { type: "SquarePulse", ...common, amp: p["amp"] };
    case "drag": {
      const d: Obj = {
        type: "DRAGPulse",
        ...common,
        G_amp: p["G_amp"] ?? p["amplitude"],
        D_amp: p["D_amp"] ?? p["beta"] ?? 0,
      };
      set(d, "phase", p["phase"]);
      set(d, "sigma", p["sigma"]);
      set(d, "nr_sigma", p["nr_sigma"]);
      return d;
    }
    case "ramp":
      return {
        type: "RampPulse",
        ...common,
        amp: p["amp"],
        ...(p["offset"] !== undefined ? { offset: p["offset"] } : {}),
      };
    case "soft_square":
      return { type: "SoftSquarePulse", ...common, amp: p["amp"] };
    case "staircase":
      return {
        type: "StaircasePulse",
        ...common,
        start_amp: p["start_amp"],
        final_amp: p["final_amp"],
        num_steps: p["num_steps"],
      };
    case "chirp":
      return { type: "ChirpPulse", ...common, amp: p["amp"], start_freq: p["start_freq"], end_freq: p["end_freq"] };
    case "skewed_hermite":
      return {
        type: "SkewedHermitePulse",
        ...common,
        amplitude: p["amplitude"],
        skewness: p["skewness"],
        phase: p["phase"] ?? 0,
      };
    case "interpolated_complex_waveform": {
      const n: Obj = {
        type: "NumericalPulse",
        ...out,
        samples: plain(p["samples"]),
        t_samples: plain(p["t_samples"]),
        port,
      };
      if (clock) n["clock"] = clock;
      set(n, "interpolation", p["interpolation"]);
      return n;
    }
    default:
      return unsupported(
        `pulse with wf_func "${wf}"`,
        path,
        "q1forge reads quantify's pulse_library waveforms (square, drag, ramp, …)",
      );
  }
}

const PROTOCOLS = new Set([
  "SSBIntegrationComplex",
  "Trace",
  "ThresholdedAcquisition",
  "NumericalSeparatedWeightedIntegration",
  "NumericalWeightedIntegration",
]);

function acquisition(a: Obj, path: string): Obj {
  const protocol = String(a["protocol"]);
  if (!PROTOCOLS.has(protocol))
    unsupported(`acquisition protocol "${protocol}"`, path, `use one of: ${[...PROTOCOLS].join(", ")}`);
  const out: Obj = { type: protocol, port: a["port"], clock: a["clock"] };
  set(out, "t0", a["t0"]);
  set(out, "acq_channel", a["acq_channel"]);
  if (typeof a["bin_mode"] === "string") out["bin_mode"] = a["bin_mode"].toLowerCase();
  set(out, "coords", a["coords"]);
  if (protocol.startsWith("Numerical")) {
    const w = plain(a["waveforms"]) as Obj[] | undefined;
    const wa = w?.[0];
    const wb = w?.[1];
    if (!wa || !wb) unsupported(`weighted acquisition without two weight waveforms`, path, "give waveforms[0] and [1]");
    out["weights_a"] = wa["samples"];
    out["weights_b"] = wb["samples"];
    const t = wa["t_samples"] as number[] | undefined;
    if (t && t.length > 1) out["weights_sampling_rate"] = 1 / (t[1]! - t[0]!);
    set(out, "interpolation", wa["interpolation"]);
  } else {
    out["duration"] = a["duration"];
  }
  if (protocol === "ThresholdedAcquisition") {
    set(out, "acq_rotation", a["acq_rotation"]);
    set(out, "acq_threshold", a["acq_threshold"]);
    set(out, "feedback_trigger_label", a["feedback_trigger_label"]);
  }
  return out;
}

function gate(name: string | undefined, g: Obj, path: string): Obj {
  const type = String(g["operation_type"]);
  const qubits = (Array.isArray(g["qubits"]) ? g["qubits"] : []) as string[];
  const q = qubits[0];
  const out: Obj = name ? { name } : {};
  switch (type) {
    case "Rxy":
      return { type: "Rxy", ...out, theta: g["theta"], phi: g["phi"], qubit: q };
    case "Rz":
      return { type: "Rz", ...out, theta: g["theta"], qubit: q };
    case "X":
    case "Y":
    case "X90":
    case "Y90":
    case "Z":
    case "Z90":
    case "H":
      return { type, ...out, qubit: q };
    case "CZ":
      return { type: "CZ", ...out, qC: qubits[0], qT: qubits[1] };
    case "reset":
      return { type: "Reset", ...out, qubit: qubits.length === 1 ? q : qubits };
    case "measure": {
      const m: Obj = { type: "Measure", ...out, qubit: qubits.length === 1 ? q : qubits };
      // the element's acq_channel applies unless the gate overrides it (quantify's acq_channel_override)
      set(m, "acq_channel", g["acq_channel_override"]);
      set(m, "acq_protocol", g["acq_protocol"]);
      if (typeof g["bin_mode"] === "string") m["bin_mode"] = g["bin_mode"].toLowerCase();
      set(m, "acq_index", g["acq_index"]);
      set(m, "coords", g["coords"]);
      set(m, "feedback_trigger_label", g["feedback_trigger_label"]);
      return m;
    }
    default:
      return unsupported(
        `gate "${name ?? type}" (operation_type "${type}")`,
        path,
        "q1forge compiles the gates X, Y, X90, Y90, Rxy, Z, Z90, Rz, H, CZ, Measure and Reset",
      );
  }
}

function operation(value: unknown, path: string): Obj {
  const { type, data } = unwrap(value);
  if (type.endsWith("Schedule") || (type === "" && data["operation_dict"] !== undefined))
    return { type: "Schedule", ...block(data, path, false) };
  const name = typeof data["name"] === "string" ? data["name"] : undefined;
  if (type === "LoopOperation" || isObj(data["control_flow_info"])) {
    // quantify keeps the body in control_flow_info (older versions: data.body)
    const cf = isObj(data["control_flow_info"]) ? data["control_flow_info"] : {};
    const repetitions = cf["repetitions"] ?? data["repetitions"];
    const rawBody = cf["body"] ?? data["body"];
    if (rawBody === undefined || typeof repetitions !== "number")
      unsupported(`control-flow operation "${name ?? type}"`, path, "only LoopOperation with a body and repetitions");
    const inner = unwrap(rawBody);
    const bodyPath = `${path}/data/control_flow_info/body`;
    const body =
      inner.type.endsWith("Schedule") || inner.data["operation_dict"] !== undefined
        ? block(inner.data, bodyPath, false)
        : { schedulables: [{ operation: operation(rawBody, bodyPath) }] }; // a single operation as the body
    return { type: "LoopOperation", ...(name ? { name } : {}), repetitions, body };
  }
  const pulses = Array.isArray(data["pulse_info"]) ? (data["pulse_info"] as unknown[]) : [];
  const acqs = Array.isArray(data["acquisition_info"]) ? (data["acquisition_info"] as unknown[]) : [];
  if (pulses.length > 0 || acqs.length > 0) {
    const c: Obj = { type: "Composite", name: name ?? type };
    if (pulses.length) c["pulse_info"] = pulses.map((p, i) => pulse(p as Obj, `${path}/data/pulse_info/${i}`));
    if (acqs.length)
      c["acquisition_info"] = acqs.map((a, i) => acquisition(a as Obj, `${path}/data/acquisition_info/${i}`));
    return c;
  }
  if (isObj(data["gate_info"]) && data["gate_info"]["operation_type"] !== undefined)
    return gate(name, data["gate_info"], `${path}/data/gate_info`);
  return unsupported(
    `operation "${name ?? type}"`,
    path,
    "an operation needs pulse_info, acquisition_info or gate_info",
  );
}

function constraint(c: unknown): Obj {
  const { data } = unwrap(c);
  const out: Obj = {};
  for (const k of ["ref_schedulable", "ref_pt", "ref_pt_new", "rel_time"]) set(out, k, data[k]);
  return out;
}

function block(data: Obj, path: string, top: boolean): Obj {
  const out: Obj = {};
  if (top) out["name"] = typeof data["name"] === "string" ? data["name"] : "schedule";
  else if (typeof data["name"] === "string") out["name"] = data["name"];
  if (top && typeof data["repetitions"] === "number") out["repetitions"] = data["repetitions"];
  const res = resources(data["resource_dict"]);
  if (res) out["resources"] = res;
  const operations: Obj = {};
  const opPath = `${path}/operation_dict`;
  for (const [key, value] of Object.entries(isObj(data["operation_dict"]) ? data["operation_dict"] : {}))
    operations[key] = operation(value, `${opPath}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
  if (Object.keys(operations).length) out["operations"] = operations;
  const raw = data["schedulables"];
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((s, i) => [String(unwrap(s).data["name"] ?? `s${i}`), s])
    : Object.entries(isObj(raw) ? raw : {});
  out["schedulables"] = entries.map(([key, s]) => {
    const d = unwrap(s).data;
    const item: Obj = { label: typeof d["name"] === "string" ? d["name"] : key };
    item["operation"] = d["operation_id"] ?? d["operation_repr"];
    const cs = Array.isArray(d["timing_constraints"]) ? d["timing_constraints"].map(constraint) : [];
    const useful = cs.filter((c) => Object.keys(c).length > 0);
    if (useful.length === 1) Object.assign(item, useful[0]);
    else if (useful.length > 1) item["timing_constraints"] = useful;
    return item;
  });
  return out;
}

/** Convert a quantify-serialized Schedule (JSON-parsed) to a q1forge schedule document (JSON). */
export function importQuantifySchedule(input: unknown): Record<string, unknown> {
  return block(unwrap(input).data, "/data", true);
}
