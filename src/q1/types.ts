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
const IMMS = new Map<number, Operand>();

export const reg = (index: number): Operand => REGS[index] ?? { kind: "reg", index };
export const imm = (value: number): Operand => {
  if (!Number.isInteger(value) || value < -IMM_CACHE_LIMIT || value > IMM_CACHE_LIMIT) return { kind: "imm", value };
  let op = IMMS.get(value);
  if (!op) {
    op = Object.freeze({ kind: "imm" as const, value });
    IMMS.set(value, op);
  }
  return op;
};
export const lbl = (name: string): Operand => ({ kind: "label", name });
