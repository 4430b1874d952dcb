/** Small builders for the hardware-options tests (options-*.test.ts). */
import { compile, type CompileOptions } from "../../src/compiler/index.js";
import type { CompiledSchedule, CompiledSequencer, ModuleSettings } from "../../src/contract/compiled-schedule.js";
import { Q1ForgeError } from "../../src/core/errors.js";

export function config(
  modules: Record<string, Record<string, unknown>>,
  graph: unknown[][],
  options: Record<string, unknown> = {},
  instruments: Record<string, Record<string, unknown>> = {},
  version = "0.2",
): Record<string, unknown> {
  return {
    config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
    version,
    hardware_description: { cluster0: { instrument_type: "Cluster", ref: "internal", modules }, ...instruments },
    hardware_options: options,
    connectivity: { graph },
  };
}

export type Op = Record<string, unknown>;

/** Operations placed back to back (each after the previous one ends), then a 100 ns idle. */
export function schedule(
  ops: Op[],
  resources: Record<string, { freq: number }>,
  repetitions = 1,
): Record<string, unknown> {
  return {
    name: "options",
    repetitions,
    resources,
    schedulables: [
      ...ops.map((operation) => ({ operation })),
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}

/** Operations that all start at t = 0 (each relative to the start of the previous one). */
export function simultaneous(ops: Op[], resources: Record<string, { freq: number }>): Record<string, unknown> {
  return {
    name: "options",
    repetitions: 1,
    resources,
    schedulables: [
      ...ops.map((operation, i) => (i === 0 ? { operation } : { operation, ref_pt: "start" })),
      { operation: { type: "IdlePulse", duration: "2 us" } },
    ],
  };
}

export const square = (port: string, clock: string, amp = 0.5, duration = "40 ns"): Op => ({
  type: "SquarePulse",
  amp,
  duration,
  port,
  clock,
});
export const ssb = (port: string, clock: string, acq_channel: number): Op => ({
  type: "SSBIntegrationComplex",
  duration: "1 us",
  port,
  clock,
  acq_channel,
  bin_mode: "average",
});
export const marker = (port: string, duration = "40 ns"): Op => ({
  type: "MarkerPulse",
  duration,
  port,
  clock: "digital",
});

export function seqOf(c: CompiledSchedule, module: string, portClock: string, cluster = "cluster0"): CompiledSequencer {
  const m = c.clusters[cluster]?.modules[module];
  const s = m && Object.values(m.sequencers).find((x) => x.port_clock === portClock);
  if (!s) throw new Error(`no sequencer for ${portClock} on ${module}`);
  return s;
}

export function moduleSettings(c: CompiledSchedule, module: string, cluster = "cluster0"): ModuleSettings {
  const m = c.clusters[cluster]?.modules[module];
  if (!m) throw new Error(`no module ${module}`);
  return m.settings;
}

/** The Q1ForgeError thrown by compile, as {code, message, path} for exact comparisons. */
export function compileError(sched: unknown, hw: unknown, options: CompileOptions = {}): Q1ForgeError {
  try {
    compile(sched, hw, options);
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("compile did not throw");
}

/** Program lines without comments. */
export function lines(program: string): string[] {
  return program
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l.length > 0);
}

export const HEADER = (marker = 0, latency = 4, reps = 1): string[] => [
  `set_mrk ${marker}`,
  "wait_sync 4",
  "upd_param 4",
  `wait ${latency}`,
  `move ${reps},R0`,
  "start: reset_ph",
  "upd_param 4",
];
