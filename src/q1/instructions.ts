/**
 * The single Q1ASM instruction table (reference q1asm-and-scpi.md §2, cycle costs §4.3).
 * The assembler validates operands against it; the emulator reads class / real-time / cost from it.
 */

export type OperandKind = "reg" | "imm" | "label";
export type InstructionClass = "control" | "arith" | "param" | "rt";
/** "v1": the baseline ISA every compiler emits; "v2": flags-based ISA (§2.8), only with `isa: 2`. */
export type IsaLevel = "v1" | "v2" | "both";

export interface OperandSlot {
  /** short name used in error messages, e.g. "wave0", "duration" */
  name: string;
  /** allowed kinds; a label counts as an immediate once resolved */
  kinds: readonly OperandKind[];
  /** true for a register the instruction writes */
  dest: boolean;
  /** true when a destination register is also read (e.g. the `loop` counter) */
  alsoRead?: boolean;
  /** inclusive immediate range (ignored for registers) */
  min: number;
  max: number;
  /** member of the instruction's "all reg-or-imm slots must be the same kind" group (§1 operand-kind rules) */
  sameKind?: boolean;
}

export interface OperandForm {
  operands: readonly OperandSlot[];
  /** index of the real-time duration slot, or null (no duration) */
  durationSlot: number | null;
  isa: IsaLevel;
  /** v2 ALU rule: at most one of the source slots may be an immediate */
  atMostOneImm?: boolean;
}

export interface CycleCost {
  /** extra Q1 cycles beyond the base (base = max(1, number of registers read)) */
  extra: number;
  /** further cycles when a branch is taken */
  takenExtra: number;
}

export interface InstructionSpec {
  mnemonic: string;
  class: InstructionClass;
  /** pushed to the RT core (has, or may have, an RT duration) */
  realTime: boolean;
  /** operand forms, selected by operand count (first form whose count and ISA match) */
  forms: readonly OperandForm[];
  /** convenience: forms[0].operands */
  operands: readonly OperandSlot[];
  /** convenience: forms[0].durationSlot */
  durationSlot: number | null;
  /** commits the latched (pending) parameters: upd_param, play, acquire* */
  updatesParams: boolean;
  /** branch instruction (jmp, jge, jlt, loop, v2 flag jumps) */
  branch: boolean;
  cycles: CycleCost;
  /** known mnemonic whose operands/semantics are undocumented: any reg/imm operands accepted */
  undocumented?: boolean;
}

// ---- slot builders --------------------------------------------------------------------------

const I32_MIN = -2147483648;
const U32_MAX = 4294967295;
/** RT duration immediate range (§2.2 `dur`) */
export const DURATION_MIN = 4;
export const DURATION_MAX = 65535;
/** highest instruction address (14-bit, §2.3) */
export const MAX_ADDRESS = 16383;

type SlotOpts = { min?: number; max?: number; sameKind?: boolean };
const slot = (name: string, kinds: readonly OperandKind[], o: SlotOpts = {}): OperandSlot => ({
  name, kinds, dest: false, min: o.min ?? I32_MIN, max: o.max ?? U32_MAX, ...(o.sameKind ? { sameKind: true } : {}),
});
const IMM: readonly OperandKind[] = ["imm"];
const REG: readonly OperandKind[] = ["reg"];
const RI: readonly OperandKind[] = ["reg", "imm"];
const RIL: readonly OperandKind[] = ["reg", "imm", "label"];
const imm = (name: string, min: number, max: number): OperandSlot => slot(name, IMM, { min, max });
const regOrImm = (name: string, min = I32_MIN, max = U32_MAX, sameKind = false): OperandSlot => slot(name, RI, { min, max, sameKind });
const src = (name: string): OperandSlot => slot(name, REG);
const dst = (name = "dest"): OperandSlot => ({ ...slot(name, REG), dest: true });
const target = (): OperandSlot => slot("target", RIL, { min: 0, max: MAX_ADDRESS });
const dur = (): OperandSlot => imm("duration", DURATION_MIN, DURATION_MAX);
const durRI = (): OperandSlot => regOrImm("duration", DURATION_MIN, DURATION_MAX);

const form = (operands: readonly OperandSlot[], isa: IsaLevel = "both", extra: Partial<OperandForm> = {}): OperandForm => {
  const last = operands.length - 1;
  const durationSlot = last >= 0 && operands[last]!.name === "duration" ? last : null;
  return { operands, durationSlot, isa, ...extra };
};

interface SpecOpts { updatesParams?: boolean; branch?: boolean; extra?: number; takenExtra?: number; undocumented?: boolean }
function spec(mnemonic: string, cls: InstructionClass, forms: readonly OperandForm[], o: SpecOpts = {}): InstructionSpec {
  const first = forms[0]!;
  return {
    mnemonic, class: cls, realTime: cls === "rt", forms, operands: first.operands, durationSlot: first.durationSlot,
    updatesParams: o.updatesParams ?? false, branch: o.branch ?? false,
    cycles: { extra: o.extra ?? 0, takenExtra: o.takenExtra ?? 0 },
    ...(o.undocumented ? { undocumented: true } : {}),
  };
}

// ---- the table ------------------------------------------------------------------------------

const ACQ_IDX = (): OperandSlot => imm("acq_index", 0, 31);
const BIN_MAX = 2 ** 24 - 1;

/** v1 ALU `R, I/R, D` (+ v2 `I/R, I/R, D`, at most one immediate) */
const alu = (m: string): InstructionSpec => spec(m, "arith", [
  form([src("a"), regOrImm("b"), dst()], "v1"),
  form([regOrImm("a"), regOrImm("b"), dst()], "v2", { atMostOneImm: true }),
], { extra: 2 });
const aluV2 = (m: string, extra: number, dests = 1): InstructionSpec => spec(m, "arith", [
  form([regOrImm("a"), regOrImm("b"), ...(dests === 2 ? [dst("dest_lo"), dst("dest_hi")] : [dst()])], "v2", { atMostOneImm: true }),
], { extra });
const flagJump = (m: string): InstructionSpec => spec(m, "control", [form([target()], "v2")], { branch: true, takenExtra: 3 });
const undocumentedRt = (m: string): InstructionSpec => spec(m, "rt", [form([], "both")], { undocumented: true });

const list: InstructionSpec[] = [
  // control and flow (§2.3)
  spec("illegal", "control", [form([])]),
  spec("stop", "control", [form([]), form([regOrImm("exit_code")], "v2")]),
  spec("nop", "control", [form([])]),
  spec("jmp", "control", [form([target()])], { branch: true, extra: 3 }),
  spec("jge", "control", [form([src("a"), imm("b", I32_MIN, U32_MAX), target()]), form([target()], "v2")], { branch: true, extra: 2, takenExtra: 3 }),
  spec("jlt", "control", [form([src("a"), imm("b", I32_MIN, U32_MAX), target()])], { branch: true, extra: 2, takenExtra: 3 }),
  spec("loop", "control", [form([{ ...dst("counter"), alsoRead: true }, target()])], { branch: true, extra: 2, takenExtra: 3 }),
  // arithmetic and logic (§2.4)
  spec("move", "arith", [form([slot("source", RIL), dst()])]),
  spec("not", "arith", [form([regOrImm("source"), dst()])], { extra: 2 }),
  ...["add", "sub", "and", "or", "xor", "asl", "asr"].map(alu),
  // parameter (latched) instructions (§2.5)
  spec("set_mrk", "param", [form([regOrImm("marker", 0, 15)])]),
  spec("set_freq", "param", [form([regOrImm("frequency", -2e9, 2e9)])]),
  spec("reset_ph", "param", [form([])]),
  spec("set_ph", "param", [form([regOrImm("phase", 0, 1e9)])]),
  spec("set_ph_delta", "param", [form([regOrImm("phase_delta", 0, 1e9)])]),
  spec("set_awg_gain", "param", [form([regOrImm("gain0", -32768, 32767, true), regOrImm("gain1", -32768, 32767, true)])]),
  spec("set_awg_offs", "param", [form([regOrImm("offset0", -32768, 32767, true), regOrImm("offset1", -32768, 32767, true)])]),
  // else-duration 0 is what quantify emits in `set_cond 0,0,0,0` (disable)
  spec("set_cond", "param", [form([regOrImm("enable", 0, 1, true), regOrImm("mask", 0, 32767, true), regOrImm("operator", 0, 5, true), imm("else_duration", 0, DURATION_MAX)])]),
  // real-time (§2.6)
  spec("upd_param", "rt", [form([dur()], "v1"), form([durRI()], "v2")], { updatesParams: true }),
  spec("play", "rt", [form([regOrImm("wave0", 0, 1023, true), regOrImm("wave1", 0, 1023, true), dur()])], { updatesParams: true }),
  spec("acquire", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), dur()])], { updatesParams: true }),
  spec("acquire_weighed", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX, true), regOrImm("weight0", 0, 63, true), regOrImm("weight1", 0, 63, true), dur()])], { updatesParams: true }),
  spec("acquire_weighted", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX, true), regOrImm("weight0", 0, 63, true), regOrImm("weight1", 0, 63, true), dur()], "v2")], { updatesParams: true }),
  spec("acquire_ttl", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), imm("enable", 0, 1), dur()])], { updatesParams: true }),
  spec("set_latch_en", "rt", [form([regOrImm("enable", 0, 1), dur()])]),
  spec("latch_rst", "rt", [form([durRI()])]),
  spec("wait", "rt", [form([durRI()])]),
  spec("wait_sync", "rt", [form([durRI()])]),
  // `wait_trigger addr[,dur]` (§8.3): the older single-argument form gives only the address and has
  // no duration slot (the emulator then uses the 4 ns minimum)
  spec("wait_trigger", "rt", [form([regOrImm("address", 1, 15), dur()]), form([regOrImm("address", 1, 15)])]),
  // QTM and newer (§2.6)
  spec("set_scope_en", "param", [form([regOrImm("enable", 0, 1)])]),
  spec("set_time_ref", "param", [form([])]),
  spec("set_digital", "param", [form([regOrImm("level", 0, 1, true), imm("mask", 0, 1), regOrImm("fine_delay", 0, 2047, true)])]),
  spec("upd_thres", "rt", [form([imm("which", 0, 1), regOrImm("value"), dur()])], { extra: 1 }),
  spec("acquire_timetags", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX, true), imm("enable", 0, 1), regOrImm("fine_delay", 0, 2047, true), dur()])], { updatesParams: true, extra: 1 }),
  spec("acquire_digital", "rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), dur()])], { updatesParams: true, extra: 1 }),
  undocumentedRt("play_pulse"), undocumentedRt("reset_netzero"), undocumentedRt("sw_req"), undocumentedRt("fb_cmd"),
  // LINQ feedback (§2.7)
  spec("fb_acq_tb_id", "rt", [form([regOrImm("id", 0, 255), dur()])]),
  spec("fb_acq_iq_id", "rt", [form([regOrImm("id", 0, 255), dur()])]),
  spec("fb_acq_iq_shift", "rt", [form([imm("shift", 0, 63), dur()])]),
  spec("fb_acq_tb_cfg", "rt", [form([imm("write_combine", 0, 3), imm("bit_pos", 0, 1023), imm("length", 0, 127), dur()])]),
  spec("fb_acq_tb_valid", "rt", [form([imm("valid", 0, 1), dur()])]),
  spec("fb_acq_tb_extra", "rt", [form([imm("enable", 0, 1), imm("extra", 0, 65535), dur()])]),
  spec("fb_acq_tb_mock", "rt", [form([imm("enable", 0, 1), imm("valid", 0, 1), imm("data", 0, U32_MAX), dur()])]),
  spec("fb_com_data", "rt", [form([imm("id", 0, 255), regOrImm("value"), dur()])]),
  spec("fb_com_cfg", "rt", [form([imm("write_combine", 0, 3), imm("bit_pos", 0, 1023), imm("length", 0, 127), dur()])]),
  spec("fb_com_extra", "rt", [form([imm("enable", 0, 1), imm("extra", 0, 65535), dur()])]),
  spec("fb_pop_data", "control", [form([imm("id", 0, 255), dst()])]),
  spec("fb_pull_data", "control", [form([src("id"), dst()])], { extra: 1 }),
  // ISA v2 only (§2.8)
  spec("cmp", "arith", [form([regOrImm("a"), regOrImm("b")], "v2", { atMostOneImm: true })], { extra: 2 }),
  spec("test", "arith", [form([regOrImm("a"), regOrImm("b")], "v2", { atMostOneImm: true })], { extra: 2 }),
  ...["jz", "jnz", "jo", "jno", "js", "jns", "jg", "jl", "jle", "ja", "jae", "jb", "jbe"].map(flagJump),
  aluV2("lsl", 2), aluV2("lsr", 2), aluV2("mulu16", 2), aluV2("muls16", 2),
  ...["mulu32l", "mulu32h", "muls32l", "muls32h"].map((m) => aluV2(m, 4)),
  aluV2("mulu32", 5, 2), aluV2("muls32", 5, 2),
];

export const INSTRUCTIONS: Readonly<Record<string, InstructionSpec>> = Object.freeze(
  Object.fromEntries(list.map((s) => [s.mnemonic, s])),
);

/** True when the mnemonic exists in ISA v1 (i.e. has at least one v1 form). */
export function isV1Mnemonic(s: InstructionSpec): boolean {
  return s.forms.some((f) => f.isa !== "v2");
}

/** Operand forms usable at the given ISA level. */
export function formsFor(s: InstructionSpec, isa: 1 | 2): OperandForm[] {
  return s.forms.filter((f) => (isa === 1 ? f.isa !== "v2" : f.isa !== "v1"));
}

/** The operand form an instruction with `argc` operands uses (undefined if none matches). */
export function formFor(s: InstructionSpec, argc: number, isa: 1 | 2 = 2): OperandForm | undefined {
  return formsFor(s, isa).find((f) => f.operands.length === argc);
}

/**
 * Q1-core cost in cycles (4 ns each) per §4.3: one cycle, or one per register read if more than one,
 * plus the instruction's extra cycles and, for a taken branch, the taken extra.
 */
export function q1Cycles(s: InstructionSpec, args: readonly { kind: string }[], taken = false): number {
  const form = s.forms.find((f) => f.operands.length === args.length) ?? s.forms[0]!;
  let regsRead = 0;
  for (let i = 0; i < args.length; i++) {
    const sl = form.operands[i];
    if (args[i]!.kind === "reg" && (sl === undefined || !sl.dest || sl.alsoRead)) regsRead++;
  }
  return Math.max(1, regsRead) + s.cycles.extra + (taken ? s.cycles.takenExtra : 0);
}

/** Q1 clock period */
export const Q1_CYCLE_NS = 4;
