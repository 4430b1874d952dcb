import type { Mnemonic } from "./instructions.js";

/**
 * Q1ASM program representation shared by the compiler (which builds programs as instruction lists)
 * and the emulator / assembler (which parses text back into the same shape).
 */
export type Operand =
  | { kind: "reg"; index: number } // R0..R63
  | { kind: "imm"; value: number } // 32-bit integer immediate
  | { kind: "label"; name: string }; // @label reference (an immediate once resolved)

export interface Instruction {
  /** label defined on this line (without the trailing colon), if any */
  label?: string;
  /** mnemonic from the instruction table; "" for an empty separator row (prints as a blank line, not an instruction) */
  mnemonic: Mnemonic | "";
  args: Operand[];
  comment?: string;
  /** 1-based source line, when parsed from text */
  line?: number;
}

/*
 * Operands built with reg()/imm() are shared, frozen objects for common values (registers and
 * immediates in [-65536, 65536]): programs with 100,000 instructions then allocate no operand
 * objects. Never mutate an operand in place; replace it (Q1ASM hooks included).
 */
const REGS: readonly Operand[] = Array.from({ length: 64 }, (_, index) =>
  Object.freeze({ kind: "reg" as const, index }),
);
const IMM_CACHE_LIMIT = 65536;
/** cached immediates by value: [0, 65536] and −[1, 65536] (two holey arrays: index loads, no hashing) */
const IMMS_POS: (Operand | undefined)[] = new Array<Operand | undefined>(IMM_CACHE_LIMIT + 1);
const IMMS_NEG: (Operand | undefined)[] = new Array<Operand | undefined>(IMM_CACHE_LIMIT + 1);

export const reg = (index: number): Operand => REGS[index] ?? { kind: "reg", index };
export const imm = (value: number): Operand => {
  if (!Number.isInteger(value) || value < -IMM_CACHE_LIMIT || value > IMM_CACHE_LIMIT) return { kind: "imm", value };
  const table = value >= 0 ? IMMS_POS : IMMS_NEG;
  const at = value >= 0 ? value : -value; // −0 is 0
  let op = table[at];
  if (op === undefined) {
    op = Object.freeze({ kind: "imm" as const, value: at === 0 ? 0 : value });
    table[at] = op;
  }
  return op;
};
export const lbl = (name: string): Operand => ({ kind: "label", name });

/** Number of distinct canonical operands: keys of `canonicalKey` are below this. */
export const CANONICAL_KEYS = 64 + 2 * IMM_CACHE_LIMIT + 2;

/**
 * A small non-negative integer naming `op` when it is one of the shared operands reg()/imm() return
 * (then equal keys mean the same object), else −1. Lets instruction tables hash operands without
 * building strings.
 */
export function canonicalKey(op: Operand): number {
  if (op.kind === "imm") {
    const v = op.value;
    if ((v | 0) !== v || v < -IMM_CACHE_LIMIT || v > IMM_CACHE_LIMIT) return -1; // also NaN and fractions
    return v >= 0 ? (IMMS_POS[v] === op ? 64 + 2 * v : -1) : IMMS_NEG[-v] === op ? 65 - 2 * v : -1;
  }
  if (op.kind === "reg") {
    const r = op.index;
    return (r | 0) === r && r >= 0 && r < 64 && REGS[r] === op ? r : -1;
  }
  return -1;
}
