/**
 * Port-clock → route resolution through the connectivity graph (reference 1.5 steps 1–3, 1.6, 1.7).
 */
import type { ModuleType } from "../core/module-catalog.js";
import { HardwareConfigError } from "../core/errors.js";
import { channelIoIndices, isInputChannel, isOutputChannel, parseChannelName } from "./channels.js";
import { instrumentOf, isDevicePort, parseClusterNode, type ConnectivityGraph } from "./graph.js";
import type { PortClockRoute } from "./model.js";
import type { HardwareConfig } from "./schema.js";
import type { HardwareConfigVersion } from "./semantic.js";

/** One cluster channel reached from a device port, possibly through a mixer/modulator with an LO. */
interface ChannelHit {
  cluster: string;
  slot: number;
  channel: string;
  externalLo: { name: string; mixer: string } | null;
}

/** NV-centre special case (1.5 step 2): a laser modulator only serves clocks containing this label. */
const LASER_CLOCK_LABELS: readonly [string, string][] = [
  ["spinpump_laser", "ge1"],
  ["green_laser", "ionization"],
  ["red_laser", "ge0"],
];

export class RouteResolver {
  private readonly cache = new Map<string, PortClockRoute>();
  /** per module ("cluster/slot"): main channels of all device ports, for the 0.1 input rule */
  private moduleSummary: ModuleSummary | null = null;

  constructor(
    private readonly config: HardwareConfig,
    private readonly graph: ConnectivityGraph,
    private readonly version: HardwareConfigVersion,
  ) {}

  route(port: string, clock: string): PortClockRoute {
    const portClock = `${port}-${clock}`;
    const hit = this.cache.get(portClock);
    if (hit) return hit;
    const route = this.resolve(port, clock, portClock, this.summary());
    this.cache.set(portClock, route);
    return route;
  }

  /**
   * The routes of the port-clocks a schedule uses, with the version-0.1 input rule evaluated over
   * exactly these port-clocks, as quantify does (`_add_support_input_channel_names` sees the module's
   * `portclock_to_path`, which holds only used port-clocks). Throws for the first port-clock that
   * cannot be routed (its path is the port-clock).
   */
  routesFor(portClocks: readonly { port: string; clock: string }[]): Map<string, PortClockRoute> {
    const summary = this.version === "0.1" ? this.summaryOf(portClocks) : new Map();
    const out = new Map<string, PortClockRoute>();
    for (const { port, clock } of portClocks) {
      const portClock = `${port}-${clock}`;
      if (!out.has(portClock)) out.set(portClock, this.resolve(port, clock, portClock, summary));
    }
    return out;
  }

  private resolve(port: string, clock: string, portClock: string, summary: ModuleSummary): PortClockRoute {
    if (!this.graph.adjacency.has(port)) {
      throw new HardwareConfigError(
        "PORT_NOT_CONNECTED",
        `Port '${port}' (port-clock '${portClock}') was not found in the connectivity graph.`,
        {
          path: portClock,
          hint: `Add an edge such as ["cluster0.module1.complex_output_0", "${port}"] to connectivity.graph, or fix the port name in the schedule. Known device ports: ${this.devicePorts().join(", ") || "(none)"}.`,
        },
      );
    }
    const hits = this.collect(port, clock, portClock);
    if (hits.length === 0) {
      throw new HardwareConfigError(
        "PORT_NOT_CONNECTED",
        `Port '${port}' is in the connectivity graph but no cluster channel serves clock '${clock}' (port-clock '${portClock}').`,
        {
          path: portClock,
          hint: "Laser modulators named *spinpump_laser*, *green_laser*, *red_laser* only serve clocks containing 'ge1', 'ionization', 'ge0'; connect the port to a cluster channel.",
        },
      );
    }
    const first = hits[0]!;
    for (const h of hits) {
      if (h.cluster !== first.cluster || h.slot !== first.slot) {
        throw new HardwareConfigError(
          "PORT_ON_MULTIPLE_MODULES",
          `Port-clock '${portClock}' is connected to channels of different modules: '${nodeName(first)}' and '${nodeName(h)}'.`,
          {
            path: portClock,
            hint: "All channels of one port-clock must be on the same module; use a different port name for the second module.",
          },
        );
      }
    }
    const moduleType = this.moduleType(first.cluster, first.slot);
    const outputs = unique(hits.filter((h) => isOutputChannel(h.channel)).map((h) => h.channel));
    const inputs = unique(hits.filter((h) => isInputChannel(h.channel)).map((h) => h.channel)).sort();
    const channelName = outputs[0] ?? inputs[0]!;
    let measure = outputs.length > 0 ? inputs : inputs.slice(1);
    if (outputs.length > 1) {
      throw new HardwareConfigError(
        "MEASURE_PAIRING_INVALID",
        `Port-clock '${portClock}' is connected to several outputs of ${first.cluster} module ${first.slot}: ${outputs.join(", ")}.`,
        {
          path: portClock,
          hint: "A port-clock uses one sequencer, which drives one output channel; connect the port to a single output (use a complex channel for I/Q).",
        },
      );
    }
    if (outputs.length === 1 && this.version === "0.1")
      measure = addV01Inputs(summary, first, moduleType, channelName, measure);
    if (outputs.length === 1 && measure.length > 0) checkMeasurePair(portClock, moduleType, channelName, measure);

    const outputIndices = isOutputChannel(channelName) ? channelIoIndices(channelName) : [];
    let inputIndices: number[];
    if (!isOutputChannel(channelName))
      inputIndices = unique([channelName, ...measure].flatMap(channelIoIndices)).sort((a, b) => a - b);
    else if (measure.length === 1) inputIndices = channelIoIndices(measure[0]!);
    else if (measure.length >= 2) inputIndices = [0, 1];
    else inputIndices = [];

    const lo = hits.find((h) => h.channel === channelName && h.externalLo)?.externalLo ?? null;
    return {
      portClock,
      port,
      clock,
      cluster: first.cluster,
      slot: first.slot,
      moduleName: `${first.cluster}_module${first.slot}`,
      moduleType,
      channelName,
      measureChannels: measure,
      outputIndices,
      inputIndices,
      externalLo: lo,
    };
  }

  /** Step 2 of 1.5: direct cluster channels and channels behind mixers/modulators. `clock` null: all. */
  private collect(port: string, clock: string | null, portClock: string): ChannelHit[] {
    const hits: ChannelHit[] = [];
    for (const nb of this.graph.adjacency.get(port) ?? []) {
      const direct = this.clusterNode(nb);
      if (direct) {
        hits.push({ ...direct, externalLo: null });
        continue;
      }
      if (isDevicePort(nb)) continue;
      const mixer = nb.slice(0, nb.lastIndexOf("."));
      const label = LASER_CLOCK_LABELS.find(([k]) => mixer.includes(k));
      if (label && clock !== null && !clock.includes(label[1])) continue;
      hits.push(this.throughMixer(mixer, port, portClock));
    }
    return hits;
  }

  private throughMixer(mixer: string, port: string, portClock: string): ChannelHit {
    let channel: { cluster: string; slot: number; channel: string } | null = null;
    let lo: string | null = null;
    for (const [node, nbs] of this.graph.adjacency) {
      if (!node.startsWith(`${mixer}.`)) continue;
      for (const nb of nbs) {
        if (nb === port) continue;
        const cn = this.clusterNode(nb);
        if (cn) channel ??= cn;
        const inst = instrumentOf(nb);
        if (inst !== null && this.config.hardware_description[inst]?.instrument_type === "LocalOscillator") lo ??= inst;
      }
    }
    const path = portClock;
    if (channel && lo) return { ...channel, externalLo: { name: lo, mixer } };
    if (channel) {
      throw new HardwareConfigError(
        "LO_NOT_FOUND",
        `Could not find a local oscillator for '${mixer}' (used by port-clock '${portClock}').`,
        {
          path,
          hint: `Connect a LocalOscillator to the mixer, e.g. ["lo0.output", "${mixer}.lo"], and declare it in hardware_description.`,
        },
      );
    }
    if (lo) {
      throw new HardwareConfigError(
        "MIXER_CHANNEL_NOT_FOUND",
        `Could not find a cluster module channel feeding '${mixer}' (used by port-clock '${portClock}').`,
        {
          path,
          hint: `Connect a cluster output to the mixer, e.g. ["cluster0.module1.complex_output_0", "${mixer}.if"].`,
        },
      );
    }
    throw new HardwareConfigError(
      "MIXER_NOT_CONNECTED",
      `'${mixer}' (used by port-clock '${portClock}') is connected to neither a cluster channel nor a local oscillator.`,
      {
        path,
        hint: `Connect "${mixer}.if" to a cluster output and "${mixer}.lo" to a LocalOscillator's "output".`,
      },
    );
  }

  /**
   * Per module: which main channels the device ports use. quantify counts an input only when it is a
   * port's main channel (an input-only port), so an output+input pair does not disable the 0.1 rule.
   * A lone `route()` query assumes every port in the graph is in use; the compiler uses `routesFor`.
   */
  private summary(): ModuleSummary {
    if (this.moduleSummary) return this.moduleSummary;
    return (this.moduleSummary = this.summaryOf(this.devicePorts().map((port) => ({ port, clock: null }))));
  }

  private summaryOf(portClocks: readonly { port: string; clock: string | null }[]): ModuleSummary {
    const out: ModuleSummary = new Map();
    for (const { port, clock } of portClocks) {
      let hits: ChannelHit[];
      try {
        hits = this.collect(port, clock, port);
      } catch {
        continue;
      } // reported when that port is routed
      const h = hits.find((x) => isOutputChannel(x.channel)) ?? hits[0];
      if (!h) continue;
      const key = `${h.cluster}/${h.slot}`;
      const s = out.get(key) ?? { complexOut: false, realOut: false, complexIn: 0, realIns: [] as string[] };
      const c = parseChannelName(h.channel);
      if (c?.direction === "output") {
        if (c.mode === "complex") s.complexOut = true;
        if (c.mode === "real") s.realOut = true;
      } else if (c?.mode === "complex") s.complexIn++;
      else if (c?.mode === "real") s.realIns.push(h.channel); // a list, as quantify's `real_inputs`
      out.set(key, s);
    }
    return out;
  }

  private clusterNode(node: string): { cluster: string; slot: number; channel: string } | null {
    const cn = parseClusterNode(node);
    if (!cn || this.config.hardware_description[cn.cluster]?.instrument_type !== "Cluster") return null;
    return cn;
  }

  private moduleType(cluster: string, slot: number): ModuleType {
    const desc = this.config.hardware_description[cluster];
    if (desc?.instrument_type !== "Cluster") throw new Error(`internal: '${cluster}' is not a cluster`);
    const mod = desc.modules[String(slot)];
    if (!mod) throw new Error(`internal: module ${slot} missing in '${cluster}' after validation`);
    return mod.instrument_type;
  }

  devicePorts(): string[] {
    return [...this.graph.adjacency.keys()].filter(isDevicePort);
  }
}

/** per module ("cluster/slot"): the main channels of the port-clocks considered in use */
type ModuleSummary = Map<string, { complexOut: boolean; realOut: boolean; complexIn: number; realIns: string[] }>;

/** 1.7: version 0.1 gives readout outputs implicit inputs (quantify `_add_support_input_channel_names`). */
function addV01Inputs(
  summary: ModuleSummary,
  at: ChannelHit,
  type: ModuleType,
  output: string,
  measure: string[],
): string[] {
  if (type !== "QRM" && type !== "QRM_RF") return measure;
  const s = summary.get(`${at.cluster}/${at.slot}`);
  if (!s) return measure;
  const mode = parseChannelName(output)?.mode;
  const add: string[] = [];
  if (s.complexIn === 0 && s.realIns.length === 0) {
    if (mode === "complex") add.push("complex_input_0");
    if (mode === "real") add.push("real_input_0", "real_input_1");
  } else if (s.complexIn === 0 && s.realIns.length === 1 && !s.complexOut && s.realOut && mode === "real") {
    add.push(s.realIns[0] === "real_input_0" ? "real_input_1" : "real_input_0");
  }
  return unique([...measure, ...add]).sort();
}

/** Step 3 of 1.5 / quantify `_validate_channel_name_measure`: allowed output + input pairs. */
function checkMeasurePair(portClock: string, type: ModuleType, output: string, inputs: string[]): void {
  const o = parseChannelName(output);
  const ins = inputs.map((i) => parseChannelName(i));
  let ok = false;
  if (type === "QRM") {
    ok =
      (output === "complex_output_0" && inputs.length === 1 && inputs[0] === "complex_input_0") ||
      (o?.mode === "real" && ins.every((i) => i?.mode === "real"));
  } else if (type === "QRM_RF") {
    ok = output === "complex_output_0" && inputs.length === 1 && inputs[0] === "complex_input_0";
  } else if (type === "QRC") {
    ok = o?.mode === "complex" && ins.every((i) => i?.mode === "complex");
  }
  if (ok) return;
  const cannot = type === "QCM" || type === "QCM_RF" || type === "QTM";
  throw new HardwareConfigError(
    cannot ? "MEASURE_NOT_SUPPORTED" : "MEASURE_PAIRING_INVALID",
    cannot
      ? `Port-clock '${portClock}' pairs output '${output}' with input(s) ${inputs.join(", ")} on a ${type} module, which cannot measure.`
      : `Port-clock '${portClock}' pairs output '${output}' with input(s) ${inputs.join(", ")}, which is not an allowed pair on a ${type} module.`,
    {
      path: portClock,
      hint: "Allowed: QRM complex_output_0+complex_input_0 or real_output_i+real_input_j (one or both); QRM_RF complex_output_0+complex_input_0; QRC complex_output_n+complex_input_m. Control modules (QCM, QCM_RF) and QTM cannot pair.",
    },
  );
}

function nodeName(h: ChannelHit): string {
  return `${h.cluster}.module${h.slot}.${h.channel}`;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
