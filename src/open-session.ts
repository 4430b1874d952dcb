/**
 * The package's `openSession`: the coordinator's session with q1forge's compile() injected, so
 * `session.execute(schedule)` compiles against the session's hardware config, and the compiler
 * version recorded in each job's provenance. (The coordinator itself never imports the compiler.)
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompiledSchedule } from "./contract/compiled-schedule.js";
import { compile as compileWith, type CompileOptions as CompilerOptions } from "./compiler/index.js";
import { verifyCompiled } from "./emulator/verify.js";
import {
  openSession as openCoordinatorSession,
  type ClusterTarget,
  type Session,
  type SessionOptions,
} from "./coordinator/session.js";

export interface OpenSessionOptions extends SessionOptions {
  /** options for compiling schedules passed to execute() / queue.add() / simulate() (as compile() takes them) */
  compileOptions?: Omit<CompilerOptions, "verify"> & { verify?: boolean | CompilerOptions["verify"] };
}

/** compile() of the package root (src/compile.ts), which a root file may not import. */
function compile(
  schedule: unknown,
  hardware: unknown,
  options: OpenSessionOptions["compileOptions"] = {},
): CompiledSchedule {
  const verify =
    options.verify === true
      ? (c: CompiledSchedule) => verifyCompiled(c)
      : options.verify === false
        ? undefined
        : options.verify;
  return compileWith(schedule, hardware, { ...options, verify });
}

let version: string | null | undefined;
/** q1forge's version from its package.json (null when it cannot be found). */
export function q1forgeVersion(): string | null {
  if (version !== undefined) return version;
  version = null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      const j = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
      if (j.name === "q1forge") return (version = j.version ?? null);
    }
    const up = dirname(dir);
    if (up === dir) return version;
    dir = up;
  }
}

export function openSession(
  cluster: ClusterTarget,
  hardwareConfig: unknown,
  options: OpenSessionOptions = {},
): Promise<Session> {
  const { compileOptions, ...rest } = options;
  return openCoordinatorSession(cluster, hardwareConfig, {
    compile: (schedule, hw) => compile(schedule, hw, compileOptions),
    compilerVersion: q1forgeVersion() ?? "unknown",
    ...rest,
  });
}
