/**
 * quantify's InlineQ1ASM (issue 13 item 12): Q1ASM text emitted at the operation's start. The text is
 * parsed by the same instruction table as every program (a syntax or operand error names the
 * operation), its registers are renamed to registers the compiler allocates for it (so they cannot
 * clobber the repetition counter or bin registers), its labels get a per-operation prefix when
 * `safe_labels` is true (the default, as in quantify), and its timing contract is checked: in
 * straight-line code the real-time durations must add up to `duration`. With branches or register
 * durations the time cannot be known statically; the contract is then the user's, as in quantify,
 * and `verify: true` runs the program in the emulator.
 */
import { Q1ForgeError, ScheduleError, TimingError } from "../../core/errors.js";
import { INSTRUCTIONS } from "../../q1/instructions.js";
import { parseProgram, toInstructions } from "../../q1/parser.js";
import type { Instruction, Operand } from "../../q1/types.js";
import type { EmitContext, TimelineItem } from "./emit-context.js";
import type { OpHandler, OpOf } from "./types.js";

function emitInline(op: OpOf<"InlineQ1ASM">, item: TimelineItem, ctx: EmitContext): "done" {
  let instructions: Instruction[];
  try {
    instructions = toInstructions(parseProgram(op.program));
  } catch (e) {
    if (!(e instanceof Q1ForgeError)) throw e;
    throw new ScheduleError("INLINE_Q1ASM_INVALID", `InlineQ1ASM "${op.name}": ${e.message}`, {
      path: `${op.path}/program`,
      hint: e.hint ?? "write Q1ASM as the assembler accepts it (docs: q1asm-and-scpi.md)",
      cause: e,
    });
  }
  const prefix = `inline${item.id}_`;
  const registers = new Map<number, number>();
  const rename = (a: Operand): Operand => {
    if (a.kind === "reg") {
      let r = registers.get(a.index);
      if (r === undefined) registers.set(a.index, (r = ctx.b.registers.allocate(op)));
      return { kind: "reg", index: r };
    }
    if (a.kind === "label" && op.safeLabels) return { kind: "label", name: prefix + a.name };
    return a;
  };
  let staticNs = 0;
  let knowable = true;
  for (const ins of instructions) {
    if (ins.mnemonic === "") continue;
    const spec = INSTRUCTIONS[ins.mnemonic];
    if (spec.branch) knowable = false;
    if (ins.mnemonic === "stop") {
      throw new ScheduleError("INLINE_Q1ASM_INVALID", `InlineQ1ASM "${op.name}" contains stop`, {
        path: `${op.path}/program`,
        hint: "the compiler ends the program; an inline block must fall through to the next operation",
      });
    }
    if (ins.label !== undefined) ctx.b.label(op.safeLabels ? prefix + ins.label : ins.label);
    const args = ins.args.map(rename);
    const slot = spec.realTime ? args.length - 1 : -1;
    const dur = slot >= 0 ? args[slot] : undefined;
    if (spec.realTime && dur?.kind === "imm" && ins.mnemonic !== "wait_sync") {
      ctx.b.emitRt(ins.mnemonic, args.slice(0, slot), dur.value, ins.comment, op);
      staticNs += dur.value;
    } else if (spec.realTime) {
      ctx.b.emitRtRegister(ins.mnemonic, args, ins.comment, op);
      knowable = false;
    } else ctx.b.emit(ins.mnemonic, args, ins.comment, op);
  }
  if (knowable && staticNs !== op.durationNs) {
    throw new TimingError(
      "INLINE_Q1ASM_DURATION_MISMATCH",
      `InlineQ1ASM "${op.name}" takes ${staticNs} ns of real time, but its duration is ${op.durationNs} ns`,
      {
        path: `${op.path}/duration`,
        hint: `set duration to ${staticNs} ns, or change the program to take ${op.durationNs} ns`,
      },
    );
  }
  if (!knowable) ctx.b.advance(op.durationNs - staticNs); // the user's contract
  // the block may have set the gains itself: the next compiler play must not rely on the latched pair
  ctx.lastGain = null;
  return "done";
}

export const INLINE_Q1ASM_HANDLER: OpHandler<"InlineQ1ASM"> = {
  family: "parameter",
  placement: "port-clock",
  digitalChannelOk: true,
  emit: emitInline,
};
