/**
 * The package's `compile`: the compiler with the emulator's verifier injected for `verify: true`.
 * (The compiler itself never imports the emulator; see src/compiler/index.ts.)
 */
import type { CompiledSchedule } from "./contract/compiled-schedule.js";
import { compile as compileWith, type CompileOptions as CompilerOptions, type Verifier } from "./compiler/index.js";
import { verifyCompiled } from "./emulator/verify.js";

export interface CompileOptions extends Omit<CompilerOptions, "verify"> {
  /**
   * true: run every compiled program in the emulator; a runtime error becomes a compile error
   * naming the operation (through the program's source map). A function: your own verifier.
   */
  verify?: boolean | Verifier;
}

/** The built-in verifier: every program run in the emulator, errors named through the source map. */
export const emulatorVerifier: Verifier = (compiled) => verifyCompiled(compiled);

export function compile(schedule: unknown, hardware: unknown, options: CompileOptions = {}): CompiledSchedule {
  const verify = options.verify === true ? emulatorVerifier : options.verify === false ? undefined : options.verify;
  return compileWith(schedule, hardware, { ...options, verify });
}
