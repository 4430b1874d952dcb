/**
 * The package surface: the curated root export, the subpath entry points and the files users reach
 * through package.json "exports". Root and subpaths are checked on the sources (always) and on the
 * build through the package's own name (Node's self-reference), when dist/ is built.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as root from "../../src/index.js";
import * as emulator from "../../src/emulator/index.js";
import * as instruments from "../../src/instruments/index.js";
import * as q1 from "../../src/q1/index.js";
import type {
  CompileOptions,
  CompiledSchedule,
  ErrorJson,
  ExperimentResult,
  HardwareConfig,
  HardwareSetup,
  Job,
  JobStatus,
  OpenSessionOptions,
  QasmHook,
  QasmHookContext,
  QasmHooks,
  RunExperimentOptions,
  ScheduleDocument,
  SimulateOptions,
  Session,
  SessionConfig,
  SimulationResult,
  VirtualClusterOptions,
} from "../../src/index.js";

const ROOT = [
  "compile",
  "loadHardwareConfig",
  "parseHardwareConfigJson",
  "parseScheduleDocument",
  "parseScheduleJson",
  "ScheduleBuilder",
  "Ops",
  "Gates",
  "loadDevice",
  "parseDeviceJson",
  "simulate",
  "runExperiment",
  "InstrumentCoordinator",
  "ClusterDriver",
  "VirtualCluster",
  "openSession",
  "Q1ForgeError",
  "InputParseError",
  "SchemaValidationError",
  "HardwareConfigError",
  "ScheduleError",
  "TimingError",
  "FrequencyError",
  "ResourceLimitError",
  "ValueRangeError",
  "DeviceConfigError",
  "EmulationError",
  "InstrumentError",
];

/** the root's type-only exports: a removed one fails `npm run typecheck` */
export type RootTypes = [
  CompileOptions,
  CompiledSchedule,
  ErrorJson,
  ExperimentResult,
  HardwareConfig,
  HardwareSetup,
  Job,
  JobStatus,
  OpenSessionOptions,
  QasmHook,
  QasmHookContext,
  QasmHooks,
  RunExperimentOptions,
  ScheduleDocument,
  SimulateOptions,
  Session,
  SessionConfig,
  SimulationResult,
  VirtualClusterOptions,
];

const Q1 = [
  "INSTRUCTIONS",
  "INSTRUCTION_SPECS",
  "MNEMONICS",
  "isMnemonic",
  "isV1Mnemonic",
  "formFor",
  "formsFor",
  "q1Cycles",
  "DURATION_MIN",
  "DURATION_MAX",
  "MAX_ADDRESS",
  "reg",
  "imm",
  "lbl",
  "assemble",
  "assembleInstructions",
  "MAX_INSTRUCTIONS",
  "parseProgram",
  "toInstructions",
  "printProgram",
  "printAligned",
  "formatOperand",
  "encodeGain",
  "encodeOffset",
  "decodeGain",
  "encodeFrequency",
  "decodeFrequency",
  "encodePhase",
  "decodePhase",
  "roundHalfEven",
  "GAIN_OFFSET_SCALE",
  "NCO_FREQ_STEPS_PER_HZ",
  "NCO_FREQ_LIMIT_STEPS",
  "NCO_PHASE_STEPS_PER_TURN",
  "NCO_PHASE_STEPS_PER_DEG",
  "Q1AsmError",
];

const EMULATOR = [
  "runCluster",
  "simulate",
  "sampledInput",
  "compiledModuleToDriverInput",
  "compiledModuleToEmuInput",
  "moduleSettingsToParams",
  "sequencerSettingsToParams",
  "RT_QUEUE_DEPTH",
  "Q1_START_NS",
  "WAIT_SYNC_SLACK_NS",
  "DEFAULT_MAX_INSTRUCTIONS",
  "EmulationError",
];

const INSTRUMENTS = [
  "ScpiTransport",
  "ClusterDriver",
  "VirtualCluster",
  "parseModuleList",
  "InstrumentError",
  "InstrumentConnectionError",
  "MalformedReplyError",
  "InstrumentReportedError",
];

const SURFACE: Record<string, string[]> = {
  q1forge: ROOT,
  "q1forge/q1": Q1,
  "q1forge/emulator": EMULATOR,
  "q1forge/instruments": INSTRUMENTS,
};

const sorted = (names: Iterable<string>): string[] => [...names].sort();
const pkgRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

describe("package surface (sources)", () => {
  it("the root exports exactly the curated names", () => {
    expect(sorted(Object.keys(root))).toEqual(sorted(ROOT));
  });

  it.each([
    ["q1forge/q1", q1],
    ["q1forge/emulator", emulator],
    ["q1forge/instruments", instruments],
  ] as const)("%s exports exactly its pinned names", (name, mod) => {
    expect(sorted(Object.keys(mod))).toEqual(sorted(SURFACE[name]!));
  });

  it("every error class exported at the root is a Q1ForgeError", () => {
    const errors = ROOT.filter((n) => n.endsWith("Error"));
    const classes = errors.map((n) => (root as Record<string, unknown>)[n]);
    expect(
      classes.map(
        (c) => typeof c === "function" && (c === root.Q1ForgeError || c.prototype instanceof root.Q1ForgeError),
      ),
    ).toEqual(errors.map(() => true));
  });

  it("package.json maps every entry point and shipped folder", () => {
    const pkg = JSON.parse(readFileSync(join(pkgRoot, "package.json"), "utf8")) as {
      exports: unknown;
      bin: unknown;
      files: unknown;
    };
    const entry = (dir: string): { types: string; default: string } => ({
      types: `./dist/src/${dir}index.d.ts`,
      default: `./dist/src/${dir}index.js`,
    });
    expect(pkg.exports).toEqual({
      ".": entry(""),
      "./q1": entry("q1/"),
      "./emulator": entry("emulator/"),
      "./instruments": entry("instruments/"),
      "./hardware-configs/*": "./hardware-configs/*",
      "./schemas/*": "./schemas/*",
      "./package.json": "./package.json",
    });
    expect(pkg.bin).toEqual({ q1forge: "bin/q1forge.js" });
    // docs/ ships (error hints point into it), LICENSE ships, source maps do not (test/packaging packs it)
    expect(pkg.files).toEqual([
      "dist/src",
      "dist/validators",
      "!dist/**/*.map",
      "bin",
      "schemas",
      "hardware-configs",
      "examples",
      "docs",
      "LICENSE",
    ]);
  });
});

const built = existsSync(join(pkgRoot, "dist/src/index.js"));
const STALE = "dist/ is missing this entry point or is stale: run `npm run build`";

describe.skipIf(!built)("package surface (the build, through the package's own name)", () => {
  it("each subpath imports in Node and exports its pinned names", () => {
    // a child process: real Node ESM resolution of package.json "exports", as a user gets it
    const script = `const out = {};
for (const name of ${JSON.stringify(Object.keys(SURFACE))}) {
  try { out[name] = Object.keys(await import(name)).sort(); } catch (e) { out[name] = String(e.code ?? e.message); }
}
console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: pkgRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const got = JSON.parse(r.stdout) as Record<string, string[] | string>;
    for (const [name, names] of Object.entries(SURFACE)) expect(got[name], `${name}: ${STALE}`).toEqual(sorted(names));
  });

  it("each subpath's types and default targets exist", () => {
    const require = createRequire(import.meta.url);
    const targets = Object.keys(SURFACE).map((name) => {
      const js = require.resolve(name);
      return [name, js.slice(pkgRoot.length + 1), existsSync(js.replace(/\.js$/, ".d.ts"))];
    });
    expect(targets).toEqual([
      ["q1forge", "dist/src/index.js", true],
      ["q1forge/q1", "dist/src/q1/index.js", true],
      ["q1forge/emulator", "dist/src/emulator/index.js", true],
      ["q1forge/instruments", "dist/src/instruments/index.js", true],
    ]);
  });
});

describe("package surface (shipped files, through the package's own name)", () => {
  const files = [
    "q1forge/hardware-configs/baseband-transmon.json",
    "q1forge/schemas/compiled-schedule.schema.json",
    "q1forge/package.json",
  ];

  it("hardware configs, JSON schemas and package.json resolve with require.resolve", () => {
    const require = createRequire(import.meta.url);
    expect(files.map((f) => require.resolve(f))).toEqual([
      join(pkgRoot, "hardware-configs/baseband-transmon.json"),
      join(pkgRoot, "schemas/compiled-schedule.schema.json"),
      join(pkgRoot, "package.json"),
    ]);
  });

  it("and with import.meta.resolve in Node's ESM resolver", () => {
    const script = `console.log(JSON.stringify(${JSON.stringify(files)}.map((f) => import.meta.resolve(f))));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: pkgRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([
      `file://${pkgRoot}/hardware-configs/baseband-transmon.json`,
      `file://${pkgRoot}/schemas/compiled-schedule.schema.json`,
      `file://${pkgRoot}/package.json`,
    ]);
  });
});
