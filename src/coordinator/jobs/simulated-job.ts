/**
 * A simulated job (QM's SimulatedJob): the compiled schedule run in the emulator with the session's
 * idle values applied, nothing sent to the Cluster. Samples per cluster → module → analog / digital
 * output; `plot()` writes the emulator's HTML plot.
 */
import { writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../../core/errors.js";
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";
import { renderPlotHtml, type PlotOptions } from "../../emulator/plot.js";
import {
  simulate,
  type SimModule,
  type SimulateOptions,
  type SimulationResult,
  type SimWaveformEvent,
} from "../../emulator/simulate.js";

export interface SimulatedModuleSamples {
  slot: number;
  /** 1 GS/s samples per analog output (DAC index as string: "0", "1", …), normalised to full scale */
  analog: Record<string, Float32Array>;
  /** 0/1 per ns per marker output ("0" … "3") */
  digital: Record<string, Uint8Array>;
  /** Write the HTML plot of this module's outputs to `path`; returns the path. */
  plot(path: string, opts?: PlotOptions): string;
}

export class SimulatedJob {
  readonly id: string;
  readonly timeAdded = new Date();
  readonly compiled: CompiledSchedule;
  readonly result: SimulationResult;

  constructor(id: string, compiled: CompiledSchedule, opts: SimulateOptions = {}) {
    this.id = id;
    this.compiled = compiled;
    this.result = simulate(compiled, opts);
  }

  get status(): "completed" {
    return "completed";
  }

  /** cluster → module name → analog and digital output samples. */
  getSimulatedSamples(
    opts: { includeAnalog?: boolean; includeDigital?: boolean } = {},
  ): Record<string, Record<string, SimulatedModuleSamples>> {
    const out: Record<string, Record<string, SimulatedModuleSamples>> = {};
    for (const [cname, c] of Object.entries(this.result.clusters)) {
      const mods: Record<string, SimulatedModuleSamples> = {};
      for (const [mname, m] of Object.entries(c.modules)) {
        mods[mname] = {
          slot: m.slot,
          analog: opts.includeAnalog === false ? {} : Object.fromEntries(m.outputs.map((o, i) => [String(i), o])),
          digital: opts.includeDigital === false ? {} : Object.fromEntries(m.markers.map((o, i) => [String(i), o])),
          plot: (path, popts) => {
            writePlot(
              path,
              renderPlotHtml(this.only(cname, mname, m), { title: `${this.compiled.name}: ${mname}`, ...popts }),
            );
            return path;
          },
        };
      }
      out[cname] = mods;
    }
    return out;
  }

  /** Write the HTML plot of every output to `path`; returns the path. */
  plot(path: string, opts?: PlotOptions): string {
    writePlot(path, renderPlotHtml(this.result, { title: this.compiled.name, ...opts }));
    return path;
  }

  /** Every played pulse, acquisition window and parameter update, with the operation that emitted it. */
  getSimulatedWaveformReport(): SimWaveformEvent[] {
    return this.result.events;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.compiled.name,
      status: this.status,
      time_added: this.timeAdded.toISOString(),
      window_ns: { from: this.result.window.fromNs, to: this.result.window.toNs },
      events: this.result.events.length,
    };
  }

  private only(cluster: string, module: string, m: SimModule): SimulationResult {
    return {
      ...this.result,
      clusters: { [cluster]: { modules: { [module]: m }, endTimeNs: this.result.clusters[cluster]!.endTimeNs } },
      events: this.result.events.filter((e) => e.cluster === cluster && e.module === module),
    };
  }
}

/** writeFileSync, with a missing directory or a permission problem as a USAGE error naming the file. */
function writePlot(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    const why =
      code === "ENOENT"
        ? `its directory ${dirname(path)} does not exist`
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : (e as Error).message;
    throw new UsageError(`cannot write the plot ${path}: ${why}`, {
      path,
      hint:
        code === "ENOENT"
          ? `create the directory ${dirname(path)} first, or give a path in an existing directory`
          : "give a file path in an existing, writable directory",
    });
  }
}
