/**
 * Semantic checks of a schema-valid hardware config (reference 1.1, 1.2, 3.15): what JSON Schema
 * cannot say. Each failure is a HardwareConfigError with a stable code, the JSON pointer of the
 * offending node and a hint.
 */
import { HardwareConfigError } from "../core/errors.js";
import { MODULE_CATALOG, MODULE_TYPES } from "../core/module-catalog.js";
import { parseChannelName } from "./channels.js";
import { instrumentOf, parseClusterNode, type ConnectivityGraph } from "./graph.js";
import type { HardwareConfig } from "./schema.js";

export const SUPPORTED_VERSIONS = ["0.1", "0.2"] as const;
export type HardwareConfigVersion = (typeof SUPPORTED_VERSIONS)[number];

const INSTRUMENT_TYPES = ["Cluster", "LocalOscillator", "IQMixer", "OpticalModulator"] as const;

/**
 * Runs before JSON Schema validation: an unknown `instrument_type` would otherwise surface as a
 * noisy discriminator error. Input is untrusted JSON.
 */
export function checkInstrumentTypes(input: unknown): void {
  const hd = isObject(input) ? input["hardware_description"] : undefined;
  if (!isObject(hd)) return;
  for (const [name, desc] of Object.entries(hd)) {
    if (!isObject(desc) || typeof desc["instrument_type"] !== "string") continue;
    const t = desc["instrument_type"];
    if (!(INSTRUMENT_TYPES as readonly string[]).includes(t)) {
      throw new HardwareConfigError(
        "UNSUPPORTED_INSTRUMENT_TYPE",
        `Instrument '${name}' has unsupported instrument_type '${t}'.`,
        {
          path: `/hardware_description/${esc(name)}/instrument_type`,
          hint: `Use one of ${INSTRUMENT_TYPES.map((x) => `"${x}"`).join(", ")}; other vendors' instruments are not supported by the Qblox backend.`,
        },
      );
    }
    const modules = desc["modules"];
    if (t !== "Cluster" || !isObject(modules)) continue;
    for (const [slot, mod] of Object.entries(modules)) {
      if (!isObject(mod) || typeof mod["instrument_type"] !== "string") continue;
      const mt = mod["instrument_type"];
      if (!(MODULE_TYPES as readonly string[]).includes(mt)) {
        throw new HardwareConfigError(
          "UNSUPPORTED_INSTRUMENT_TYPE",
          `Module ${slot} of cluster '${name}' has unsupported instrument_type '${mt}'.`,
          {
            path: `/hardware_description/${esc(name)}/modules/${esc(slot)}/instrument_type`,
            hint: `Use one of ${MODULE_TYPES.map((x) => `"${x}"`).join(", ")} (QSM, QDM and LINQ modules cannot be compiled for).`,
          },
        );
      }
    }
  }
}

export function checkVersion(config: HardwareConfig): HardwareConfigVersion {
  const v = config.version ?? "0.1";
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(v)) {
    throw new HardwareConfigError("UNKNOWN_VERSION", `Unknown hardware config version '${v}'.`, {
      path: "/version",
      hint: `Supported versions are ${SUPPORTED_VERSIONS.map((x) => `"${x}"`).join(", ")}; "0.2" makes outputs output-only (measure needs an input edge too).`,
    });
  }
  return v as HardwareConfigVersion;
}

/** Everything of reference 1.1 plus LO driver names and slot numbers. Returns warnings. */
export function checkSemantics(config: HardwareConfig, graph: ConnectivityGraph): string[] {
  const hd = config.hardware_description;
  for (const [name, desc] of Object.entries(hd)) {
    if (
      desc.instrument_type === "LocalOscillator" &&
      desc.generic_icc_name != null &&
      desc.generic_icc_name !== "generic"
    ) {
      throw new HardwareConfigError(
        "UNSUPPORTED_GENERIC_ICC_NAME",
        `LocalOscillator '${name}' has generic_icc_name '${desc.generic_icc_name}'.`,
        {
          path: `/hardware_description/${esc(name)}/generic_icc_name`,
          hint: `Only "generic" is supported (LO settings are emitted under the "generic" instrument coordinator component); remove the field or set it to "generic".`,
        },
      );
    }
    if (desc.instrument_type === "Cluster") {
      for (const slot of Object.keys(desc.modules)) {
        const n = Number(slot);
        if (n < 1 || n > 20) {
          throw new HardwareConfigError("INVALID_SLOT", `Cluster '${name}' has a module in slot ${slot}.`, {
            path: `/hardware_description/${esc(name)}/modules/${esc(slot)}`,
            hint: "Module slots are numbered 1 to 20.",
          });
        }
      }
    }
  }

  const warnings: string[] = [];
  for (const [node, pointer] of graph.nodePointer) checkNode(config, node, pointer, graph, warnings);
  checkQtmIoConflicts(config, graph);
  return warnings;
}

function checkNode(
  config: HardwareConfig,
  node: string,
  pointer: string,
  graph: ConnectivityGraph,
  warnings: string[],
): void {
  const instrument = instrumentOf(node);
  if (instrument === null) {
    if (!node.includes(":")) {
      throw new HardwareConfigError("INVALID_NODE_FORMAT", `Invalid connectivity node '${node}'.`, {
        path: pointer,
        hint: "A node must be 'instrument.port' (e.g. 'cluster0.module1.complex_output_0', 'lo0.output') or 'device_element:port' (e.g. 'q0:mw').",
      });
    }
    return;
  }
  const desc = config.hardware_description[instrument];
  if (!desc) {
    throw new HardwareConfigError(
      "INSTRUMENT_NOT_FOUND",
      `Connectivity node '${node}' refers to instrument '${instrument}', which is not in hardware_description.`,
      {
        path: pointer,
        hint: `Add '${instrument}' to hardware_description or fix the name; known instruments: ${Object.keys(config.hardware_description).join(", ")}.`,
      },
    );
  }
  if (desc.instrument_type !== "Cluster") return;

  const cn = parseClusterNode(node);
  if (!cn) {
    throw new HardwareConfigError("INVALID_NODE_FORMAT", `Invalid cluster node '${node}'.`, {
      path: pointer,
      hint: `Cluster nodes are '<cluster>.module<slot>.<channel_name>', e.g. '${instrument}.module1.complex_output_0'.`,
    });
  }
  const mod = desc.modules[String(cn.slot)];
  if (!mod) {
    throw new HardwareConfigError(
      "MODULE_NOT_FOUND",
      `Module ${cn.slot} of cluster '${instrument}' (node '${node}') is not in the hardware description.`,
      {
        path: pointer,
        hint: `Add "${cn.slot}": {"instrument_type": ...} to hardware_description.${instrument}.modules, or use one of slots ${Object.keys(desc.modules).join(", ") || "(none defined)"}.`,
      },
    );
  }
  const valid = MODULE_CATALOG[mod.instrument_type].channels;
  if (!valid.includes(cn.channel)) {
    throw new HardwareConfigError(
      "INVALID_CHANNEL_NAME",
      `Channel '${cn.channel}' in node '${node}' is not valid for a ${mod.instrument_type} module.`,
      {
        path: pointer,
        hint: `Valid channel names for ${mod.instrument_type}: ${valid.join(", ")}.`,
      },
    );
  }
  // quantify warns when an LO that is not mixed is wired towards a laser
  const chDesc = (mod as Record<string, unknown>)[cn.channel];
  if (isObject(chDesc) && chDesc["mix_lo"] === false) {
    for (const nb of graph.adjacency.get(node) ?? []) {
      if (nb.includes("laser"))
        warnings.push(
          `mix_lo is false on '${node}', which is connected to '${nb}' (a laser): the laser LO will not be mixed.`,
        );
    }
  }
}

function checkQtmIoConflicts(config: HardwareConfig, graph: ConnectivityGraph): void {
  const seen = new Map<string, { dir: string; node: string }>();
  for (const [node, pointer] of graph.nodePointer) {
    const cn = parseClusterNode(node);
    if (!cn) continue;
    const desc = config.hardware_description[cn.cluster];
    if (desc?.instrument_type !== "Cluster" || desc.modules[String(cn.slot)]?.instrument_type !== "QTM") continue;
    const ch = parseChannelName(cn.channel);
    if (!ch) continue;
    const key = `${cn.cluster}.${cn.slot}.${ch.index}`;
    const prev = seen.get(key);
    if (prev && prev.dir !== ch.direction) {
      throw new HardwareConfigError(
        "QTM_IO_CONFLICT",
        `QTM channel ${ch.index} of ${cn.cluster} module ${cn.slot} is used as both input ('${prev.node}') and output ('${node}').`,
        {
          path: pointer,
          hint: "Each QTM I/O channel is either an input or an output; connect the other signal to a different channel index.",
        },
      );
    }
    if (!prev) seen.set(key, { dir: ch.direction, node });
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** JSON pointer escaping of one segment. */
export function esc(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
