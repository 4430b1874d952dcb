/**
 * Q1ASM hooks: the TS counterpart of quantify's `sequencer_options.qasm_hook_func`. A hook is a
 * function registered under a name; `qasm_hook_func: "<name>"` in the hardware config applies it to
 * the finished instruction list of that port-clock's sequencer (before printing and settings).
 */
import { HardwareConfigError } from "../../core/errors.js";
import type { ModuleType } from "../../contract/compiled-schedule.js";
import type { Instruction } from "../../q1/types.js";

export interface QasmHookContext {
  cluster: string;
  moduleName: string;
  moduleType: ModuleType;
  sequencer: number;
  portClock: string;
}

/** Returns the edited list (may be the same array, mutated). */
export type QasmHook = (instructions: Instruction[], ctx: QasmHookContext) => Instruction[];

const hooks = new Map<string, QasmHook>();

export function registerQasmHook(name: string, fn: QasmHook): void {
  hooks.set(name, fn);
}

export function unregisterQasmHook(name: string): boolean {
  return hooks.delete(name);
}

export function registeredQasmHooks(): string[] {
  return [...hooks.keys()].sort();
}

/** The hook registered under `name`; an unknown name is a config error listing the registered hooks. */
export function qasmHook(name: string, portClock: string): QasmHook {
  const fn = hooks.get(name);
  if (fn) return fn;
  const known = registeredQasmHooks();
  throw new HardwareConfigError("UNKNOWN_QASM_HOOK", `sequencer_options.qasm_hook_func of ${portClock} names '${name}', which is not a registered Q1ASM hook`, {
    path: `/hardware_options/sequencer_options/${portClock}/qasm_hook_func`,
    hint: `register it with registerQasmHook("${name}", fn) before compiling; registered hooks: ${known.length > 0 ? known.join(", ") : "(none)"}`,
  });
}
