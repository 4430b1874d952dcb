/** Small builders for hardware-config test fixtures. */
import { loadHardwareConfig } from "../../src/hardware/load.js";
import type { HardwareSetup } from "../../src/hardware/setup.js";
import { Q1ForgeError } from "../../src/core/errors.js";

export type Json = Record<string, unknown>;

export function cfg(modules: Json, graph: unknown[], extra: Json = {}, instruments: Json = {}): Json {
  return {
    config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
    hardware_description: { cluster0: { instrument_type: "Cluster", ref: "internal", modules }, ...instruments },
    connectivity: { graph },
    ...extra,
  };
}

export function load(config: Json): HardwareSetup {
  return loadHardwareConfig(config);
}

/** Run fn, expect a Q1ForgeError, return it. */
export function catchErr(fn: () => unknown): Q1ForgeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("expected a Q1ForgeError, nothing was thrown");
}
