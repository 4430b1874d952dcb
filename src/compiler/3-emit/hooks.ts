/**
 * Q1ASM hooks: the TS counterpart of quantify's `sequencer_options.qasm_hook_func`. Hooks are passed
 * to `compile(schedule, hardware, { qasmHooks: { name: fn } })`; `qasm_hook_func: "<name>"` in the
 * hardware config applies that function to the finished instruction list of the port-clock's
 * sequencer (before printing and settings). No process-global registry: two compilations in one
 * process cannot see each other's hooks. `applyHook` runs a hook on a finished program and keeps its
 * source map following the lines the hook kept.
 */
import { HardwareConfigError, Q1ForgeError } from "../../core/errors.js";
import type { ModuleType } from "../../core/module-catalog.js";
import { assembleInstructions } from "../../q1/assembler.js";
import type { Instruction } from "../../q1/types.js";
import type { SequencerPlan } from "../ir/plan.js";
import type { SequencerProgram } from "./program.js";

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

/** The program after the hook named in the config, with the source map following the instructions it kept. */
export function applyHook(
  program: SequencerProgram,
  seq: SequencerPlan,
  name: string,
  hooks: QasmHooks,
): SequencerProgram {
  const fn = qasmHook(hooks, name, seq.route.portClock);
  // The hook gets a row object (and operand list) of its own per line: rows are shared between lines
  // (q1/intern.ts), and the source map follows each line's object through the hook's edits.
  const rows = program.instructions.map((ins): Instruction => ({
    label: ins.label,
    mnemonic: ins.mnemonic,
    args: ins.args.slice(),
    comment: ins.comment,
  }));
  const nodeOf = new Map(rows.map((ins, i) => [ins, program.lineNodes[i]!]));
  let edited: Instruction[];
  try {
    edited = fn(rows, {
      cluster: seq.cluster,
      moduleName: seq.moduleName,
      moduleType: seq.moduleType,
      sequencer: seq.index,
      portClock: seq.route.portClock,
    });
    // The hook's program must still be valid Q1ASM for this module (operands, labels, limits, stop).
    assembleInstructions(edited, { moduleType: seq.moduleType });
  } catch (e) {
    const what = e instanceof Q1ForgeError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Q1ForgeError(
      "QASM_HOOK_FAILED",
      `Q1ASM hook "${name}" failed for ${seq.key} (${seq.route.portClock}): ${what}`,
      {
        path: `/hardware_options/sequencer_options/${seq.route.portClock}/qasm_hook_func`,
        hint: "the hook must return a valid instruction list; operands are shared and frozen, so replace them instead of mutating",
        cause: e,
      },
    );
  }
  return {
    instructions: edited,
    lineNodes: edited.map((ins) => nodeOf.get(ins) ?? -1),
    instructionCount: edited.filter((ins) => ins.mnemonic !== "").length,
    registersUsed: program.registersUsed,
    ...(program.sweeps ? { sweeps: program.sweeps } : {}),
  };
}
