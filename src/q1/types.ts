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
  /** mnemonic, lower case; "" for an empty separator row (prints as a blank line, not an instruction) */
  mnemonic: string;
  args: Operand[];
  comment?: string;
  /** 1-based source line, when parsed from text */
  line?: number;
}

export const reg = (index: number): Operand => ({ kind: "reg", index });
export const imm = (value: number): Operand => ({ kind: "imm", value });
export const lbl = (name: string): Operand => ({ kind: "label", name });
