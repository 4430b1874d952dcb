/**
 * Q1ASM and settings of conditional playback over the trigger network, as quantify emits them
 * (qasm_program.py `conditional`, compiler_abc.py `set_latch`; docs/feedback.md "Trigger network"):
 *
 *   set_latch_en 1,4          # header, before wait_sync, on sequencers that play conditional bodies
 *   ...
 *   latch_rst 4               # 4 ns after the measurement starts (the plan inserts it)
 *   ...
 *   set_cond 1,MASK,OP,4      # start conditional playback: RT instructions run only if the condition holds
 *   <body: K real-time instructions, D ns>
 *   set_cond 1,MASK,¬OP,4     # else wait
 *   wait D − 4·K + 4          # runs only if the body was skipped (each skipped instruction took 4 ns)
 *   set_cond 0,0,0,0          # stop conditional playback
 *
 * Either way the conditional takes D + 4 ns. The readout sequencer's program is unchanged: its
 * settings send every thresholded result to the label's address.
 */
import { ScheduleError } from "../../core/errors.js";
import { INSTRUCTIONS } from "../../q1/instructions.js";
import { imm } from "../../q1/types.js";
import type { CompiledSequencer } from "../../contract/compiled-schedule.js";
import type { ConditionalNode, IrNode } from "../ir/nodes.js";
import type { ProgramPlan } from "../ir/plan.js";
import type { EmitContext } from "../ops/emit-context.js";
import type { OpRef, ProgramBuilder } from "./builder.js";
import type { SettingsResult } from "./settings.js";
import { CONDITIONAL_BUFFER_NS, type TriggerNetworkPlan } from "../2-plan/trigger-network.js";
import { emitConditional } from "./feedback.js";

const ELSE_DURATION_NS = 4;

/** `set_latch_en 1,4` before wait_sync on a sequencer that reads trigger addresses (quantify `set_latch`). */
export function emitLatchEnable(plan: ProgramPlan, sequencer: number, b: ProgramBuilder, by: OpRef): void {
  if ((plan.triggerNetwork?.readAddresses[sequencer]?.length ?? 0) === 0) return;
  b.emitRt("set_latch_en", [imm(1)], 4, undefined, by);
}

/** A ConditionalOperation on the trigger network: the body under set_cond, then the else-branch wait. */
export function emitTriggerConditional(
  node: ConditionalNode,
  ctx: EmitContext,
  emitBody: (nodes: IrNode[], ctx: EmitContext) => void,
): void {
  // a ConditionalOperation on a variable compares a register: no trigger involved
  if (node.condition) {
    emitConditional(node, ctx, emitBody);
    return;
  }
  const b = ctx.b;
  const by: OpRef = { name: node.name, path: node.path };
  const cond = ctx.triggerNetwork?.conditionals[node.id];
  if (!cond)
    throw new ScheduleError(
      "FEEDBACK_NOT_PLANNED",
      `"${node.name}" on ${ctx.seq.key} has no trigger address (no measurement with feedback_trigger_label "${node.triggerLabel}" feeds it)`,
      { path: node.path, hint: "measure the qubit with a ThresholdedAcquisition labelled for feedback first" },
    );
  const D = node.bodyDurationNs;
  b.currentNode = node.id;
  b.waitUntil(node.startNs, by, "conditional");
  b.emit(
    "set_cond",
    [imm(1), imm(cond.mask), imm(cond.operator), imm(ELSE_DURATION_NS)],
    "start conditional playback",
    by,
  );
  // no short gap may be folded into an instruction before the set_cond
  b.restartAt(node.startNs);
  const first = b.instructions.length;
  ctx.lastGain = null;
  emitBody(node.body, ctx);
  b.currentNode = node.id;
  b.waitUntil(node.startNs + D, by, "end of conditional body of");
  const K = realTimeInstructions(b, first, node);
  b.emit(
    "set_cond",
    [imm(1), imm(cond.mask), imm(cond.operator === 0 ? 1 : 0), imm(ELSE_DURATION_NS)],
    "else wait",
    by,
  );
  const elseWait = D - ELSE_DURATION_NS * K + CONDITIONAL_BUFFER_NS;
  b.emitRt("wait", [], elseWait, `else wait (${elseWait} ns)`, by);
  b.emit("set_cond", [imm(0), imm(0), imm(0), imm(0)], "stop conditional playback", by);
  // the else-branch takes 4 ns when the body played, its full wait otherwise: the body + 4 ns either way
  b.restartAt(node.startNs + D + CONDITIONAL_BUFFER_NS);
  ctx.lastGain = null;
}

/** Real-time instructions emitted for the body (each costs the 4 ns else-duration when skipped). */
function realTimeInstructions(b: ProgramBuilder, from: number, node: ConditionalNode): number {
  let k = 0;
  for (let i = from; i < b.instructions.length; i++) {
    const ins = b.instructions[i]!;
    if (ins.mnemonic === "") continue;
    const spec = INSTRUCTIONS[ins.mnemonic];
    const dur = ins.args[ins.args.length - 1];
    if (ins.label !== undefined || spec.branch || (spec.realTime && dur?.kind !== "imm"))
      throw new ScheduleError(
        "TRIGGER_NETWORK_BODY_NOT_STATIC",
        `ConditionalOperation "${node.name}" emits \`${ins.mnemonic}\` with ${ins.label !== undefined ? "a label" : spec.branch ? "a branch" : "a register duration"} in its body; on the trigger network the body must be straight-line code with fixed durations`,
        {
          path: node.path,
          hint: "keep inline Q1ASM with jumps or register waits out of trigger-network conditional bodies",
        },
      );
    if (spec.realTime) k++;
  }
  return k;
}

/**
 * Sequencer settings of the trigger network (quantify's names in the compiled schedule): the readout
 * side `thresholded_acq_trigger_write_en / _address / _invert`, the conditional side
 * `thresholded_acq_trigger_read_settings[address] = {invert: false, count: 1}`.
 */
export function applyTriggerSettings(settings: SettingsResult, plan: ProgramPlan): SettingsResult {
  const tn = plan.triggerNetwork;
  if (!tn) return settings;
  const clusters = { ...settings.clusters };
  plan.sequencers.forEach((seq, i) => {
    const write = tn.writeAddress[i] ?? null;
    const reads = tn.readAddresses[i] ?? [];
    const cluster = clusters[seq.cluster];
    const mod = cluster?.modules[seq.moduleName];
    const key = `seq${seq.index}`;
    const compiled = mod?.sequencers[key];
    if (!cluster || !mod || !compiled) return;
    const s = { ...compiled.settings };
    if (write !== null) {
      s.thresholded_acq_trigger_write_en = true;
      s.thresholded_acq_trigger_write_address = write;
      s.thresholded_acq_trigger_write_invert = false;
    } else if (s.thresholded_acq_trigger_write_en !== null) s.thresholded_acq_trigger_write_en = false;
    if (reads.length > 0)
      s.thresholded_acq_trigger_read_settings = Object.fromEntries(
        reads.map((a) => [String(a), { thresholded_acq_trigger_invert: false, thresholded_acq_trigger_count: 1 }]),
      );
    const next: CompiledSequencer = { ...compiled, settings: s };
    clusters[seq.cluster] = {
      ...cluster,
      modules: { ...cluster.modules, [seq.moduleName]: { ...mod, sequencers: { ...mod.sequencers, [key]: next } } },
    };
  });
  return { ...settings, clusters };
}

export type { TriggerNetworkPlan };
