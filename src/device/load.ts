/**
 * The input edge for device configs: quantify's serialized QuantumDevice or the q1forge device JSON
 * → a validated QuantumDevice with every quantity in SI numbers and quantify's defaults applied.
 */
import { DeviceConfigError, ScheduleError, SchemaValidationError } from "../core/errors.js";
import { toSI, type Dimension, type Quantity } from "../core/units.js";
import { BasicTransmonElement, CompositeSquareEdge, type GateSite, type TransmonParams } from "./elements.js";
import { parsePythonJson } from "./json.js";
import { fromQuantifyDevice, isQuantifyDevice } from "./quantify.js";
import { DeviceConfigSchema, EDGE_TYPES, ELEMENT_TYPES, type DeviceConfig } from "./schema.js";

/** A loaded device: elements and edges by name, with the gate rules of elements.ts. */
export class QuantumDevice {
  constructor(
    readonly name: string,
    readonly elements: ReadonlyMap<string, BasicTransmonElement>,
    readonly edges: ReadonlyMap<string, CompositeSquareEdge>,
    readonly cfgSchedRepetitions: number | null,
    /** the validated q1forge device JSON it was built from */
    readonly config: DeviceConfig,
  ) {}

  /** The element a gate names, or UNKNOWN_ELEMENT listing the device's elements. */
  element(name: string, at: GateSite): BasicTransmonElement {
    const e = this.elements.get(name);
    if (e) return e;
    const known = [...this.elements.keys()];
    throw new ScheduleError(
      "UNKNOWN_ELEMENT",
      `gate "${at.gate}" acts on "${name}", which is not an element of device "${this.name}"`,
      {
        path: at.path,
        hint: known.length ? `use one of the device's elements: ${known.join(", ")}` : "the device has no elements",
        details: { element: name, elements: known },
      },
    );
  }

  /** The edge for a two-qubit gate: "<qC>_<qT>", or "<qT>_<qC>" (CZ is symmetric, as in quantify). */
  edgeFor(qC: string, qT: string, at: GateSite): CompositeSquareEdge {
    this.element(qC, at);
    this.element(qT, at);
    const e = this.edges.get(`${qC}_${qT}`) ?? this.edges.get(`${qT}_${qC}`);
    if (e) return e;
    const known = [...this.edges.keys()];
    throw new ScheduleError(
      "UNDEFINED_EDGE",
      `gate "${at.gate}" needs the edge "${qC}_${qT}" (or "${qT}_${qC}"), which device "${this.name}" does not define`,
      {
        path: at.path,
        hint: known.length
          ? `add a CompositeSquareEdge "${qC}_${qT}" to the device or use one of its edges: ${known.join(", ")}`
          : `add a CompositeSquareEdge "${qC}_${qT}" to the device's edges`,
        details: { edge: `${qC}_${qT}`, edges: known },
      },
    );
  }
}

function si(value: Quantity | null | undefined, dflt: number | null, dim: Dimension, path: string): number | null {
  if (value === undefined) return dflt;
  if (value === null) return null;
  const v = typeof value === "number" ? value : toSI(value, dim, path);
  return Number.isFinite(v) ? v : null;
}

function num(value: number | null | undefined, dflt: number | null): number | null {
  if (value === undefined) return dflt;
  return value === null || !Number.isFinite(value) ? null : value;
}

function checkTypes(input: unknown): void {
  if (typeof input !== "object" || input === null) return;
  const doc = input as { elements?: unknown; edges?: unknown };
  const scan = (map: unknown, kind: "element" | "edge", allowed: readonly string[]) => {
    if (typeof map !== "object" || map === null) return;
    for (const [name, value] of Object.entries(map as Record<string, unknown>)) {
      const type = (value as { type?: unknown } | null)?.type;
      if (typeof type === "string" && !allowed.includes(type)) {
        throw new DeviceConfigError(
          kind === "element" ? "UNKNOWN_ELEMENT_TYPE" : "UNKNOWN_EDGE_TYPE",
          `device ${kind} "${name}" has type "${type}", which q1forge does not support`,
          {
            path: `/${kind}s/${name}/type`,
            hint: `use type ${allowed.map((t) => `"${t}"`).join(" or ")}`,
            details: { [kind]: name, type },
          },
        );
      }
    }
  };
  scan(doc.elements, "element", ELEMENT_TYPES);
  scan(doc.edges, "edge", EDGE_TYPES);
}

function pointer(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "/" : "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** Validate the q1forge device JSON (after checking element types, so an unknown type is one clear error). */
export function parseDeviceConfig(input: unknown): DeviceConfig {
  checkTypes(input);
  const r = DeviceConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: pointer(i.path), message: i.message }));
  const first = issues[0] ?? { path: "/", message: "invalid device" };
  return (() => {
    throw new SchemaValidationError(
      `device config does not match the schema at ${first.path}: ${first.message}`,
      issues,
      {
        path: first.path,
        hint: "see docs/device.md and schemas/device.schema.json",
      },
    );
  })();
}

/** quantify's serialized QuantumDevice or the q1forge device JSON (parsed) → QuantumDevice. */
export function loadDevice(input: unknown): QuantumDevice {
  if (input instanceof QuantumDevice) return input;
  const config = parseDeviceConfig(isQuantifyDevice(input) ? fromQuantifyDevice(input) : input);
  const elements = new Map<string, BasicTransmonElement>();
  for (const [name, e] of Object.entries(config.elements)) {
    const at = `/elements/${name}`;
    const m = e.measure ?? {};
    const params: TransmonParams = {
      reset: { duration: si(e.reset?.duration, 200e-6, "time", `${at}/reset/duration`) },
      rxy: {
        amp180: num(e.rxy?.amp180, null),
        motzoi: num(e.rxy?.motzoi, 0),
        duration: si(e.rxy?.duration, 20e-9, "time", `${at}/rxy/duration`),
      },
      measure: {
        pulse_type: "SquarePulse",
        pulse_amp: num(m.pulse_amp, 0.25),
        pulse_duration: si(m.pulse_duration, 300e-9, "time", `${at}/measure/pulse_duration`),
        acq_channel: m.acq_channel ?? 0,
        acq_delay: si(m.acq_delay, 0, "time", `${at}/measure/acq_delay`),
        integration_time: si(m.integration_time, 1e-6, "time", `${at}/measure/integration_time`),
        reset_clock_phase: m.reset_clock_phase ?? true,
        acq_weights_a: m.acq_weights_a ?? null,
        acq_weights_b: m.acq_weights_b ?? null,
        acq_weights_sampling_rate: si(
          m.acq_weights_sampling_rate,
          null,
          "frequency",
          `${at}/measure/acq_weights_sampling_rate`,
        ),
        acq_rotation: num(m.acq_rotation, 0),
        acq_threshold: num(m.acq_threshold, 0),
      },
      ports: {
        microwave: e.ports?.microwave ?? `${name}:mw`,
        flux: e.ports?.flux ?? `${name}:fl`,
        readout: e.ports?.readout ?? `${name}:res`,
      },
      clock_freqs: {
        f01: si(e.clock_freqs?.f01, null, "frequency", `${at}/clock_freqs/f01`),
        f12: si(e.clock_freqs?.f12, null, "frequency", `${at}/clock_freqs/f12`),
        readout: si(e.clock_freqs?.readout, null, "frequency", `${at}/clock_freqs/readout`),
      },
    };
    elements.set(name, new BasicTransmonElement(name, params));
  }
  const edges = new Map<string, CompositeSquareEdge>();
  for (const [name, e] of Object.entries(config.edges ?? {})) {
    const at = `/edges/${name}`;
    const parent = elements.get(e.parent_element_name);
    const child = elements.get(e.child_element_name);
    for (const [role, el, field] of [
      ["parent", parent, e.parent_element_name],
      ["child", child, e.child_element_name],
    ] as const) {
      if (el === undefined) {
        throw new DeviceConfigError(
          "UNKNOWN_ELEMENT",
          `edge "${name}" names ${role} element "${field}", which the device does not define`,
          {
            path: `${at}/${role}_element_name`,
            hint: `define element "${field}" or use one of: ${[...elements.keys()].join(", ")}`,
          },
        );
      }
    }
    const expected = `${e.parent_element_name}_${e.child_element_name}`;
    if (name !== expected) {
      throw new DeviceConfigError(
        "EDGE_NAME_MISMATCH",
        `edge "${name}" joins ${expected}; quantify names it "${expected}"`,
        {
          path: at,
          hint: `rename the edge to "${expected}"`,
        },
      );
    }
    edges.set(
      name,
      new CompositeSquareEdge(name, parent!, child!, {
        square_amp: num(e.cz?.square_amp, 0.5),
        square_duration: si(e.cz?.square_duration, 20e-9, "time", `${at}/cz/square_duration`),
        parent_phase_correction: num(e.cz?.parent_phase_correction, 0),
        child_phase_correction: num(e.cz?.child_phase_correction, 0),
      }),
    );
  }
  return new QuantumDevice(config.name, elements, edges, config.cfg_sched_repetitions ?? null, config);
}

/** Parse device JSON text (NaN literals allowed, as quantify writes them) and load it. */
export function parseDeviceJson(text: string, source = "device"): QuantumDevice {
  return loadDevice(parsePythonJson(text, source));
}
