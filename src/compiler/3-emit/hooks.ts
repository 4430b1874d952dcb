/**
 * Q1ASM hooks: the TS counterpart of quantify's `sequencer_options.qasm_hook_func`. Hooks are passed
 * to `compile(schedule, hardware, { qasmHooks: { name: fn } })`; `qasm_hook_func: "<name>"` in the
 * hardware config applies that function to the finished instruction list of the port-clock's
 * sequencer (before printing and settings). No process-global registry: two compilations in one
 * process cannot see each other's hooks.
 */
import { HardwareConfigError } from "../../core/errors.js";
import type { ModuleType } from "../../core/module-catalog.js";
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

/** Hooks by the name `qasm_hook_func` uses. */
export type QasmHooks = Readonly<Record<string, QasmHook>>;

/** The hook named `name`; an unknown name is a config error listing the hooks passed in. */
export function qasmHook(hooks: QasmHooks, name: string, portClock: string): QasmHook {
  const fn = Object.prototype.hasOwnProperty.call(hooks, name) ? hooks[name] : undefined;
  if (typeof fn === "function") return fn;
  const known = Object.keys(hooks).sort();
  throw new HardwareConfigError(
    "UNKNOWN_QASM_HOOK",
    `sequencer_options.qasm_hook_func of ${portClock} names '${name}', which is not among the Q1ASM hooks passed to compile()`,
    {
      path: `/hardware_options/sequencer_options/${portClock}/qasm_hook_func`,
      hint: `pass it as compile(schedule, hardware, { qasmHooks: { "${name}": fn } }); hooks passed: ${known.length > 0 ? known.join(", ") : "(none)"}`,
    },
  );
}
