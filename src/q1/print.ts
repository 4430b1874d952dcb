import type { Instruction, Operand } from "./types.js";

const IMM_TEXT = new Map<number, string>();

/** Render one operand as Q1ASM text (immediates' text is cached: programs repeat few values). */
export function formatOperand(op: Operand): string {
  switch (op.kind) {
    case "reg": return `R${op.index}`;
    case "imm": {
      let t = IMM_TEXT.get(op.value);
      if (t === undefined) {
        t = String(op.value);
        if (IMM_TEXT.size < 100_000) IMM_TEXT.set(op.value, t);
      }
      return t;
    }
    case "label": return `@${op.name}`;
  }
}

/**
 * Print a program in quantify's text form: unlabelled rows start with a space, label rows are
 * `label:` followed by the instruction, args comma-separated without spaces, `# comment` at the end.
 */
export function printProgram(program: readonly Instruction[]): string {
  // Rows are collected and joined once into a flat string: `out += …` would build a cons-string
  // tree that keeps every piece alive and makes large programs GC-heavy.
  const rows = new Array<string>(program.length + 1);
  for (let r = 0; r < program.length; r++) {
    const ins = program[r]!;
    let row = ins.label !== undefined ? ins.label + ":" : "";
    if (ins.mnemonic !== "") {
      row += " " + ins.mnemonic;
      const args = ins.args;
      for (let i = 0; i < args.length; i++) row += (i === 0 ? " " : ",") + formatOperand(args[i]!);
    }
    if (ins.comment) row += " # " + ins.comment;
    rows[r] = row;
  }
  rows[program.length] = "";
  return rows.join("\n");
}

/**
 * Column-aligned debug form (quantify's debug_mode): label, mnemonic, operands and comment each
 * padded to the widest entry of their column; trailing spaces trimmed.
 */
export function printAligned(program: readonly Instruction[]): string {
  const cells = program.map((ins) => [
    ins.label !== undefined ? `${ins.label}:` : "",
    ins.mnemonic,
    ins.args.map(formatOperand).join(","),
    ins.comment ? `# ${ins.comment}` : "",
  ] as const);
  const width = [0, 0, 0];
  for (const c of cells) for (let k = 0; k < 3; k++) width[k] = Math.max(width[k]!, c[k]!.length);
  let out = "";
  for (const c of cells) {
    const row = `${c[0].padEnd(width[0]!)} ${c[1].padEnd(width[1]!)} ${c[2].padEnd(width[2]!)} ${c[3]}`;
    out += row.trimEnd() + "\n";
  }
  return out;
}
