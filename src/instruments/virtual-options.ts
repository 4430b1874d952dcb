/** Options, fault hooks, limits and the module-list parser of the virtual Cluster (virtual-cluster.ts). */
import type { ModuleType } from "../contract/compiled-schedule.js";
import type { InputSignalModel, RunCluster } from "../emulator/api.js";
import { UsageError } from "../core/errors.js";
import { compareVersions, LINQ_MIN_FIRMWARE } from "./versions.js";

export type VirtualFault =
  /** close the listening socket and all connections until clearFaults() */
  | { kind: "refuse" }
  /** swallow matching commands without answering (the client times out) */
  | { kind: "silent"; match?: RegExp; times?: number }
  /** close the connection when a matching command starts arriving (e.g. mid-upload) */
  | { kind: "drop"; match?: RegExp; times?: number }
  /** answer matching queries with garbage bytes */
  | { kind: "malformed"; match?: RegExp; times?: number };

export interface VirtualClusterOptions {
  /** "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF" or a slot → type map */
  modules: string | Record<number, ModuleType>;
  name?: string;
  /** emulator; default: src/emulator's runCluster */
  runCluster?: RunCluster;
  /** false: never execute programs (qblox-instruments dummy behaviour: injected data only) */
  emulate?: boolean;
  inputModel?: InputSignalModel;
  timeOfFlightNs?: number;
  /**
   * false: emulate firmware without LINQ feedback — the routing commands are undefined headers
   * (`-113`) and the identity reports PRE_LINQ_FIRMWARE unless `firmwareVersion` is given. Default:
   * LINQ when `firmwareVersion` is LINQ_MIN_FIRMWARE or later (true with an older one is refused).
   */
  linq?: boolean;
  /**
   * firmware version in the identity (`*IDN?` fwVersion, `*MODS?`); default "0.11.0", or
   * PRE_LINQ_FIRMWARE with `linq: false` (drivers learn LINQ support from it). A version below
   * LINQ_MIN_FIRMWARE answers the LINQ routing commands as undefined headers, as such a firmware does.
   */
  firmwareVersion?: string;
  /** wall-clock time a run takes; default: the emulated duration (capped at 2 s) */
  runDurationMs?: number | ((endTimeNs: number) => number);
  /**
   * Q1 instructions one START may execute over all its sequencers: the emulator stops the run there —
   * its sequencers report STOPPED with FORCED_STOP and the emulator's message in their log. Default:
   * no instruction limit when the run is emulated in the worker (the wall-clock budget applies),
   * VIRTUAL_RUN_INSTRUCTION_BUDGET when it is emulated inline (on the server's thread, where it bounds
   * how long other clients wait).
   */
  runInstructionBudget?: number;
  /**
   * Wall-clock time one START's emulation may take in the emulation worker (default
   * VIRTUAL_RUN_WALL_CLOCK_BUDGET_MS). A run over budget is stopped: its sequencers report STOPPED,
   * status ERROR, FORCED_STOP in their error flags and the reason in their log; the error queue gets a
   * `-200` entry. Not enforced for inline emulation (use runInstructionBudget there).
   */
  runWallClockBudgetMs?: number;
  /**
   * Where a START's program is emulated: "worker" (default; a worker thread, so every client is
   * answered while it runs) or "inline" (on the server's thread, as before). A user `runCluster` or
   * `inputModel` (functions, which cannot cross to a thread) always runs inline.
   */
  emulation?: "worker" | "inline";
}

export const SERIAL = "00015_2422_001";
/** firmware version the virtual Cluster reports by default */
export const VIRTUAL_FIRMWARE = "0.11.0";
/** firmware version the virtual Cluster reports with `linq: false` and no `firmwareVersion` (below LINQ_MIN_FIRMWARE) */
export const PRE_LINQ_FIRMWARE = "0.10.0";

/**
 * The firmware a virtual Cluster emulates: its version and whether it has LINQ, kept consistent
 * (`linq: false` ⇒ a pre-LINQ version unless one is given; a version below LINQ_MIN_FIRMWARE ⇒ no LINQ).
 */
export function virtualFirmware(opts: Pick<VirtualClusterOptions, "linq" | "firmwareVersion">): {
  version: string;
  linq: boolean;
} {
  const version = opts.firmwareVersion ?? (opts.linq === false ? PRE_LINQ_FIRMWARE : VIRTUAL_FIRMWARE);
  // a version that is not dotted numbers: LINQ as asked (drivers assume support for an unknown version)
  const firmwareHasLinq = (compareVersions(version, LINQ_MIN_FIRMWARE) ?? 0) >= 0;
  if (opts.linq === true && !firmwareHasLinq)
    throw new UsageError(
      `firmware ${version} has no LINQ (it needs ${LINQ_MIN_FIRMWARE} or later), but linq: true was given`,
      {
        path: "linq",
        hint: `give firmwareVersion ${LINQ_MIN_FIRMWARE} or later with linq: true, or leave linq out`,
      },
    );
  return { version, linq: opts.linq ?? firmwareHasLinq };
}
/** Q1 instructions one START emulated inline may execute, shared by its sequencers (about a second of emulation) */
export const VIRTUAL_RUN_INSTRUCTION_BUDGET = 50_000_000;
/** wall-clock time one START's emulation may take in the emulation worker */
export const VIRTUAL_RUN_WALL_CLOCK_BUDGET_MS = 10_000;
/** error queue length (entries); more errors turn the last entry into -350 Queue overflow */
export const MAX_ERROR_QUEUE = 100;
/** replies a client leaves unread (bytes in the socket's send buffer) before further replies are dropped (-410) */
export const MAX_UNREAD_REPLY_BYTES = 64 << 20;

/** "2:QCM,4:QRM" → slot → module type; errors name `option` (the CLI option the list came from). */
export function parseModuleList(spec: string, option = "--modules"): Record<number, ModuleType> {
  const out: Record<number, ModuleType> = {};
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = part.match(/^(\d+)\s*:\s*([A-Za-z_]+)$/);
    const type = m?.[2]?.toUpperCase().replace("-", "_");
    const slot = Number(m?.[1]);
    if (!m || !["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC"].includes(type!) || slot < 1 || slot > 20) {
      throw new UsageError(`bad module entry "${part}" in "${spec}"`, {
        path: option,
        hint: 'write slot:type pairs, e.g. "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF" (types QCM, QRM, QCM_RF, QRM_RF, QRC; slots 1..20)',
      });
    }
    if (out[slot])
      throw new UsageError(`slot ${slot} is listed twice in "${spec}"`, {
        path: option,
        hint: "give each slot once",
      });
    out[slot] = type as ModuleType;
  }
  return out;
}
