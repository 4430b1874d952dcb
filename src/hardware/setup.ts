/**
 * HardwareSetup: a validated hardware config plus everything derived from it that the compiler
 * needs (clusters, modules, external LOs, cached port-clock routes).
 */
import { HardwareConfigError } from "../core/errors.js";
import type { ModuleType } from "../core/module-catalog.js";
import { moduleSpec } from "../core/module-catalog.js";
import type { HardwareWarning } from "./compat.js";
import type { ConnectivityGraph } from "./graph.js";
import type { ModuleSpec, PortClockRoute } from "./model.js";
import { ResolvedHardware } from "./resolved.js";
import { RouteResolver } from "./routes.js";
import type { ClusterDescription, HardwareConfig, LocalOscillatorDescription, ModuleDescription } from "./schema.js";
import type { HardwareConfigVersion } from "./semantic.js";

export interface SetupModule {
  slot: number;
  type: ModuleType;
  /** "<cluster>_module<slot>" */
  moduleName: string;
  description: ModuleDescription;
}

export interface SetupCluster {
  name: string;
  ref: "internal" | "external";
  /** sorted by slot */
  modules: SetupModule[];
  description: ClusterDescription;
}

export interface ExternalLo {
  name: string;
  power: number | null;
  description: LocalOscillatorDescription;
}

export class HardwareSetup {
  readonly clusters: readonly SetupCluster[];
  /** the typed model the compiler reads (never `config`) */
  readonly model: ResolvedHardware;
  private readonly resolver: RouteResolver;

  constructor(
    readonly config: HardwareConfig,
    readonly version: HardwareConfigVersion,
    readonly graph: ConnectivityGraph,
    /** non-fatal findings of the semantic checks (for compiler diagnostics) */
    readonly warnings: readonly string[] = [],
    /** every load-time warning with code and path (conversions, nulls, qblox-scheduler keys, semantic findings) */
    readonly loadWarnings: readonly HardwareWarning[] = warnings.map((message) => ({
      code: "HARDWARE_CONFIG",
      message,
      path: "/connectivity",
    })),
  ) {
    const clusters: SetupCluster[] = [];
    for (const [name, desc] of Object.entries(config.hardware_description)) {
      if (desc.instrument_type !== "Cluster") continue;
      const modules = Object.entries(desc.modules)
        .map(([slot, m]): SetupModule => ({
          slot: Number(slot),
          type: m.instrument_type,
          moduleName: `${name}_module${slot}`,
          description: m,
        }))
        .sort((a, b) => a.slot - b.slot);
      clusters.push({ name, ref: desc.ref, modules, description: desc });
    }
    this.clusters = clusters;
    this.model = new ResolvedHardware(config);
    this.resolver = new RouteResolver(config, graph, version);
  }

  /**
   * The route of one port-clock (reference 1.5/1.6). Cached: O(1) after the first call per
   * port-clock. Throws HardwareConfigError (PORT_NOT_CONNECTED, PORT_ON_MULTIPLE_MODULES,
   * LO_NOT_FOUND, MIXER_CHANNEL_NOT_FOUND, MIXER_NOT_CONNECTED, MEASURE_PAIRING_INVALID,
   * MEASURE_NOT_SUPPORTED).
   */
  routeFor(port: string, clock: string): PortClockRoute {
    return this.resolver.route(port, clock);
  }

  /**
   * The routes of the port-clocks a schedule uses (what the compiler calls): the version-0.1 input
   * rule is evaluated over exactly these port-clocks, as quantify does, and their options are checked
   * for what q1forge cannot compile (DIGITIZATION_THRESHOLDS_UNSUPPORTED). Errors name the port-clock
   * as path.
   */
  routesFor(portClocks: readonly { port: string; clock: string }[]): Map<string, PortClockRoute> {
    const routes = this.resolver.routesFor(portClocks);
    for (const route of routes.values()) {
      const threshold = this.model.portClock(route.portClock).digitizationThreshold;
      if (threshold !== null) {
        throw new HardwareConfigError(
          "DIGITIZATION_THRESHOLDS_UNSUPPORTED",
          `digitization_thresholds of ${route.portClock} (${threshold} V) cannot be applied: q1forge does not compile QTM timetag acquisitions, the only operations quantify applies it to.`,
          {
            path: route.portClock,
            hint: `Remove hardware_options.digitization_thresholds["${route.portClock}"], or leave the port-clock out of the schedule.`,
          },
        );
      }
    }
    return routes;
  }

  /** Device ports ("q0:mw", …) that appear in the connectivity graph, in first-seen order. */
  devicePorts(): string[] {
    return this.resolver.devicePorts();
  }

  externalLos(): ExternalLo[] {
    const out: ExternalLo[] = [];
    for (const [name, desc] of Object.entries(this.config.hardware_description)) {
      if (desc.instrument_type === "LocalOscillator") out.push({ name, power: desc.power ?? null, description: desc });
    }
    return out;
  }

  moduleSpec(type: ModuleType): ModuleSpec {
    return moduleSpec(type);
  }

  /** The module with this cluster name and slot, or undefined. */
  module(cluster: string, slot: number): SetupModule | undefined {
    return this.clusters.find((c) => c.name === cluster)?.modules.find((m) => m.slot === slot);
  }
}
