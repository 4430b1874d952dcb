/**
 * The package's `openSession`: the coordinator's session with q1forge's compile() injected, so
 * `session.execute(schedule)` compiles against the session's hardware config, and the compiler
 * version recorded in each job's provenance. (The coordinator itself never imports the compiler.)
 */
import type { CompiledSchedule } from "./contract/compiled-schedule.js";
import { compile as compileWith, type CompileOptions as CompilerOptions } from "./compiler/index.js";
import { verifyCompiled } from "./emulator/verify.js";
import { Q1FORGE_VERSION } from "./core/version.js";
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

export function openSession(
  cluster: ClusterTarget,
  hardwareConfig: unknown,
  options: OpenSessionOptions = {},
): Promise<Session> {
  const { compileOptions, ...rest } = options;
  return openCoordinatorSession(cluster, hardwareConfig, {
    // the session's firmware-based default (feedbackMode) yields to an explicit compile option
    compile: (schedule, hw, fw) => compile(schedule, hw, { ...fw, ...compileOptions }),
    compilerVersion: Q1FORGE_VERSION,
    ...rest,
  });
}
