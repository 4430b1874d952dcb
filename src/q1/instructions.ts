/**
 * The single Q1ASM instruction table (reference q1asm-and-scpi.md §2, cycle costs §4.3).
 * The assembler validates operands against it; the emulator reads class / real-time / cost from it.
 * `Mnemonic` is derived from the table's keys, so a misspelt mnemonic in code is a type error.
 */

import { nearest } from "./suggest.js";

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

/** An instruction's entry in the table, without its name (the table's key). */
export interface InstructionSpecBody {
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

export interface InstructionSpec extends InstructionSpecBody {
  mnemonic: Mnemonic;
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
  name,
  kinds,
  dest: false,
  min: o.min ?? I32_MIN,
  max: o.max ?? U32_MAX,
  ...(o.sameKind ? { sameKind: true } : {}),
});
const IMM: readonly OperandKind[] = ["imm"];
const REG: readonly OperandKind[] = ["reg"];
const RI: readonly OperandKind[] = ["reg", "imm"];
const RIL: readonly OperandKind[] = ["reg", "imm", "label"];
const imm = (name: string, min: number, max: number): OperandSlot => slot(name, IMM, { min, max });
const regOrImm = (name: string, min = I32_MIN, max = U32_MAX, sameKind = false): OperandSlot =>
  slot(name, RI, { min, max, sameKind });
const src = (name: string): OperandSlot => slot(name, REG);
const dst = (name = "dest"): OperandSlot => ({ ...slot(name, REG), dest: true });
const target = (): OperandSlot => slot("target", RIL, { min: 0, max: MAX_ADDRESS });
const dur = (): OperandSlot => imm("duration", DURATION_MIN, DURATION_MAX);
const durRI = (): OperandSlot => regOrImm("duration", DURATION_MIN, DURATION_MAX);

const form = (
  operands: readonly OperandSlot[],
  isa: IsaLevel = "both",
  extra: Partial<OperandForm> = {},
): OperandForm => {
  const last = operands.length - 1;
  const durationSlot = last >= 0 && operands[last]!.name === "duration" ? last : null;
  return { operands, durationSlot, isa, ...extra };
};

interface SpecOpts {
  updatesParams?: boolean;
  branch?: boolean;
  extra?: number;
  takenExtra?: number;
  undocumented?: boolean;
}
function spec(cls: InstructionClass, forms: readonly OperandForm[], o: SpecOpts = {}): InstructionSpecBody {
  const first = forms[0]!;
  return {
    class: cls,
    realTime: cls === "rt",
    forms,
    operands: first.operands,
    durationSlot: first.durationSlot,
    updatesParams: o.updatesParams ?? false,
    branch: o.branch ?? false,
    cycles: { extra: o.extra ?? 0, takenExtra: o.takenExtra ?? 0 },
    ...(o.undocumented ? { undocumented: true } : {}),
  };
}

// ---- the table ------------------------------------------------------------------------------

const ACQ_IDX = (): OperandSlot => imm("acq_index", 0, 31);
const BIN_MAX = 2 ** 24 - 1;

/** v1 ALU `R, I/R, D` (+ v2 `I/R, I/R, D`, at most one immediate) */
const alu = (): InstructionSpecBody =>
  spec(
    "arith",
    [
      form([src("a"), regOrImm("b"), dst()], "v1"),
      form([regOrImm("a"), regOrImm("b"), dst()], "v2", { atMostOneImm: true }),
    ],
    { extra: 2 },
  );
const aluV2 = (extra: number, dests = 1): InstructionSpecBody =>
  spec(
    "arith",
    [
      form([regOrImm("a"), regOrImm("b"), ...(dests === 2 ? [dst("dest_lo"), dst("dest_hi")] : [dst()])], "v2", {
        atMostOneImm: true,
      }),
    ],
    { extra },
  );
const flagJump = (): InstructionSpecBody => spec("control", [form([target()], "v2")], { branch: true, takenExtra: 3 });
const undocumentedRt = (): InstructionSpecBody => spec("rt", [form([], "both")], { undocumented: true });

/** The table, keyed by mnemonic (a duplicate key is a compile error). */
const TABLE = {
  // control and flow (§2.3)
  illegal: spec("control", [form([])]),
  stop: spec("control", [form([]), form([regOrImm("exit_code")], "v2")]),
  nop: spec("control", [form([])]),
  jmp: spec("control", [form([target()])], { branch: true, extra: 3 }),
  jge: spec("control", [form([src("a"), imm("b", I32_MIN, U32_MAX), target()]), form([target()], "v2")], {
    branch: true,
    extra: 2,
    takenExtra: 3,
  }),
  jlt: spec("control", [form([src("a"), imm("b", I32_MIN, U32_MAX), target()])], {
    branch: true,
    extra: 2,
    takenExtra: 3,
  }),
  loop: spec("control", [form([{ ...dst("counter"), alsoRead: true }, target()])], {
    branch: true,
    extra: 2,
    takenExtra: 3,
  }),
  // arithmetic and logic (§2.4)
  move: spec("arith", [form([slot("source", RIL), dst()])]),
  not: spec("arith", [form([regOrImm("source"), dst()])], { extra: 2 }),
  add: alu(),
  sub: alu(),
  and: alu(),
  or: alu(),
  xor: alu(),
  asl: alu(),
  asr: alu(),
  // parameter (latched) instructions (§2.5)
  set_mrk: spec("param", [form([regOrImm("marker", 0, 15)])]),
  set_freq: spec("param", [form([regOrImm("frequency", -2e9, 2e9)])]),
  reset_ph: spec("param", [form([])]),
  set_ph: spec("param", [form([regOrImm("phase", 0, 1e9)])]),
  set_ph_delta: spec("param", [form([regOrImm("phase_delta", 0, 1e9)])]),
  set_awg_gain: spec("param", [form([regOrImm("gain0", -32768, 32767, true), regOrImm("gain1", -32768, 32767, true)])]),
  set_awg_offs: spec("param", [
    form([regOrImm("offset0", -32768, 32767, true), regOrImm("offset1", -32768, 32767, true)]),
  ]),
  // else-duration 0 is what quantify emits in `set_cond 0,0,0,0` (disable)
  set_cond: spec("param", [
    form([
      regOrImm("enable", 0, 1, true),
      regOrImm("mask", 0, 32767, true),
      regOrImm("operator", 0, 5, true),
      imm("else_duration", 0, DURATION_MAX),
    ]),
  ]),
  // real-time (§2.6)
  upd_param: spec("rt", [form([dur()], "v1"), form([durRI()], "v2")], { updatesParams: true }),
  play: spec("rt", [form([regOrImm("wave0", 0, 1023, true), regOrImm("wave1", 0, 1023, true), dur()])], {
    updatesParams: true,
  }),
  acquire: spec("rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), dur()])], { updatesParams: true }),
  acquire_weighed: spec(
    "rt",
    [
      form([
        ACQ_IDX(),
        regOrImm("bin", 0, BIN_MAX, true),
        regOrImm("weight0", 0, 63, true),
        regOrImm("weight1", 0, 63, true),
        dur(),
      ]),
    ],
    { updatesParams: true },
  ),
  acquire_weighted: spec(
    "rt",
    [
      form(
        [
          ACQ_IDX(),
          regOrImm("bin", 0, BIN_MAX, true),
          regOrImm("weight0", 0, 63, true),
          regOrImm("weight1", 0, 63, true),
          dur(),
        ],
        "v2",
      ),
    ],
    { updatesParams: true },
  ),
  acquire_ttl: spec("rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), imm("enable", 0, 1), dur()])], {
    updatesParams: true,
  }),
  set_latch_en: spec("rt", [form([regOrImm("enable", 0, 1), dur()])]),
  latch_rst: spec("rt", [form([durRI()])]),
  // `wait 0` suspends the RT underflow guard until the next non-zero duration (LINQ seed; the
  // assembler still rejects 1..3 ns)
  wait: spec("rt", [form([regOrImm("duration", 0, DURATION_MAX)])]),
  wait_sync: spec("rt", [form([durRI()])]),
  // `wait_trigger addr[,dur]` (§8.3): the older single-argument form gives only the address and has
  // no duration slot (the emulator then uses the 4 ns minimum)
  wait_trigger: spec("rt", [form([regOrImm("address", 1, 15), dur()]), form([regOrImm("address", 1, 15)])]),
  // QTM and newer (§2.6)
  set_scope_en: spec("param", [form([regOrImm("enable", 0, 1)])]),
  set_time_ref: spec("param", [form([])]),
  set_digital: spec("param", [
    form([regOrImm("level", 0, 1, true), imm("mask", 0, 1), regOrImm("fine_delay", 0, 2047, true)]),
  ]),
  upd_thres: spec("rt", [form([imm("which", 0, 1), regOrImm("value"), dur()])], { extra: 1 }),
  acquire_timetags: spec(
    "rt",
    [
      form([
        ACQ_IDX(),
        regOrImm("bin", 0, BIN_MAX, true),
        imm("enable", 0, 1),
        regOrImm("fine_delay", 0, 2047, true),
        dur(),
      ]),
    ],
    { updatesParams: true, extra: 1 },
  ),
  acquire_digital: spec("rt", [form([ACQ_IDX(), regOrImm("bin", 0, BIN_MAX), dur()])], {
    updatesParams: true,
    extra: 1,
  }),
  play_pulse: undocumentedRt(),
  reset_netzero: undocumentedRt(),
  sw_req: undocumentedRt(),
  fb_cmd: undocumentedRt(),
  // LINQ feedback (§2.7)
  fb_acq_tb_id: spec("rt", [form([regOrImm("id", 0, 255), dur()])]),
  fb_acq_iq_id: spec("rt", [form([regOrImm("id", 0, 255), dur()])]),
  fb_acq_iq_shift: spec("rt", [form([imm("shift", 0, 63), dur()])]),
  fb_acq_tb_cfg: spec("rt", [
    form([imm("write_combine", 0, 3), imm("bit_pos", 0, 1023), imm("length", 0, 127), dur()]),
  ]),
  fb_acq_tb_valid: spec("rt", [form([imm("valid", 0, 1), dur()])]),
  fb_acq_tb_extra: spec("rt", [form([imm("enable", 0, 1), imm("extra", 0, 65535), dur()])]),
  fb_acq_tb_mock: spec("rt", [form([imm("enable", 0, 1), imm("valid", 0, 1), imm("data", 0, U32_MAX), dur()])]),
  fb_com_data: spec("rt", [form([imm("id", 0, 255), regOrImm("value"), dur()])]),
  fb_com_cfg: spec("rt", [form([imm("write_combine", 0, 3), imm("bit_pos", 0, 1023), imm("length", 0, 127), dur()])]),
  fb_com_extra: spec("rt", [form([imm("enable", 0, 1), imm("extra", 0, 65535), dur()])]),
  fb_pop_data: spec("control", [form([imm("id", 0, 255), dst()])]),
  // FIFO pull: writes the entry's id and its data (two register writes, 8 ns)
  fb_pull_data: spec("control", [form([dst("id_dest"), dst()])], { extra: 1 }),
  // ISA v2 only (§2.8)
  cmp: spec("arith", [form([regOrImm("a"), regOrImm("b")], "v2", { atMostOneImm: true })], { extra: 2 }),
  test: spec("arith", [form([regOrImm("a"), regOrImm("b")], "v2", { atMostOneImm: true })], { extra: 2 }),
  jz: flagJump(),
  jnz: flagJump(),
  jo: flagJump(),
  jno: flagJump(),
  js: flagJump(),
  jns: flagJump(),
  jg: flagJump(),
  jl: flagJump(),
  jle: flagJump(),
  ja: flagJump(),
  jae: flagJump(),
  jb: flagJump(),
  jbe: flagJump(),
  lsl: aluV2(2),
  lsr: aluV2(2),
  mulu16: aluV2(2),
  muls16: aluV2(2),
  mulu32l: aluV2(4),
  mulu32h: aluV2(4),
  muls32l: aluV2(4),
  muls32h: aluV2(4),
  mulu32: aluV2(5, 2),
  muls32: aluV2(5, 2),
} as const satisfies Record<string, InstructionSpecBody>;

/** A Q1ASM mnemonic: a key of the instruction table. */
export type Mnemonic = keyof typeof TABLE;

/**
 * Every instruction by mnemonic. A known mnemonic indexes to its spec; any other string (text being
 * parsed) gives `InstructionSpec | undefined`, so a lookup of user text must handle the unknown case.
 */
export type InstructionTable = { readonly [M in Mnemonic]: InstructionSpec } & {
  readonly [name: string]: InstructionSpec | undefined;
};

/** Every mnemonic, in table order. */
export const MNEMONICS: readonly Mnemonic[] = Object.freeze(Object.keys(TABLE) as Mnemonic[]);

export const INSTRUCTIONS: InstructionTable = Object.freeze(
  Object.fromEntries(
    MNEMONICS.map((m): [Mnemonic, InstructionSpec] => [m, Object.freeze({ mnemonic: m, ...TABLE[m] })]),
  ) as Record<Mnemonic, InstructionSpec>,
);

/** Every instruction spec, in table order. */
export const INSTRUCTION_SPECS: readonly InstructionSpec[] = Object.freeze(MNEMONICS.map((m) => INSTRUCTIONS[m]));

const MNEMONIC_SET: ReadonlySet<string> = new Set(MNEMONICS);

/** True when `name` is a mnemonic of the table (exact, lower case). */
export function isMnemonic(name: string): name is Mnemonic {
  return MNEMONIC_SET.has(name);
}

/** "Did you mean …" hint for an unknown mnemonic. */
export function unknownMnemonicHint(name: string): string {
  const near = nearest(name, MNEMONICS);
  return near
    ? `Did you mean '${near}'? (mnemonics are lower case)`
    : "See the instruction list in src/q1/instructions.ts.";
}

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
