import type { Instruction, Operand } from "./types.js";

/** Render one operand as Q1ASM text. */
export function formatOperand(op: Operand): string {
  switch (op.kind) {
    case "reg": return `R${op.index}`;
    case "imm": return String(op.value);
    case "label": return `@${op.name}`;
  }
}

/**
 * Print a program in quantify's text form: unlabelled rows start with a space, label rows are
 * `label:` followed by the instruction, args comma-separated without spaces, `# comment` at the end.
 */
export function printProgram(program: readonly Instruction[]): string {
  let out = "";
  for (const ins of program) {
    let row = ins.label !== undefined ? `${ins.label}:` : "";
    if (ins.mnemonic !== "") {
      row += ` ${ins.mnemonic}`;
      if (ins.args.length > 0) row += ` ${ins.args.map(formatOperand).join(",")}`;
    }
    if (ins.comment) row += ` # ${ins.comment}`;
    out += row + "\n";
  }
  return out;
}
