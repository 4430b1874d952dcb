import type { Instruction, Operand } from "./types.js";

const IMM_TEXT = new Map<number, string>();

/** Render one operand as Q1ASM text (immediates' text is cached: programs repeat few values). */
export function formatOperand(op: Operand): string {
  switch (op.kind) {
    case "reg":
      return `R${op.index}`;
    case "imm": {
      let t = IMM_TEXT.get(op.value);
      if (t === undefined) {
        t = String(op.value);
        if (IMM_TEXT.size < 100_000) IMM_TEXT.set(op.value, t);
      }
      return t;
    }
    case "label":
      return `@${op.name}`;
  }
}

/**
 * Print a program in quantify's text form: unlabelled rows start with a space, label rows are
 * `label:` followed by the instruction, args comma-separated without spaces, `# comment` at the end.
 * Written byte by byte into one growing buffer (integers without number→string conversion): no
 * per-row strings, which matters for programs of 10,000s of instructions.
 */
export function printProgram(program: readonly Instruction[]): string {
  const w = new TextWriter(program.length * 24 + 64);
  for (const ins of program) {
    if (ins.label !== undefined) {
      w.text(ins.label);
      w.byte(58);
    }
    if (ins.mnemonic !== "") {
      w.byte(32);
      w.text(ins.mnemonic);
      const args = ins.args;
      for (let i = 0; i < args.length; i++) {
        w.byte(i === 0 ? 32 : 44);
        const op = args[i]!;
        if (op.kind === "imm") w.int(op.value);
        else if (op.kind === "reg") {
          w.byte(82);
          w.int(op.index);
        } else {
          w.byte(64);
          w.text(op.name);
        }
      }
    }
    if (ins.comment) {
      w.byte(32);
      w.byte(35);
      w.byte(32);
      w.text(ins.comment);
    }
    w.byte(10);
  }
  return w.finish();
}

/** Appends ASCII fast, anything else as UTF-8. */
class TextWriter {
  private buf: Buffer;
  private len = 0;
  private ascii = true;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  text(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        const rest = s.slice(i);
        this.reserve(Buffer.byteLength(rest));
        this.len += this.buf.write(rest, this.len, "utf8");
        this.ascii = false;
        return;
      }
      this.buf[this.len++] = c;
    }
  }

  int(v: number): void {
    if (!Number.isSafeInteger(v)) {
      this.text(String(v));
      return;
    }
    this.reserve(17);
    if (v < 0) {
      this.buf[this.len++] = 45;
      v = -v;
    }
    const start = this.len;
    do {
      this.buf[this.len++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    for (let a = start, b = this.len - 1; a < b; a++, b--) {
      const t = this.buf[a]!;
      this.buf[a] = this.buf[b]!;
      this.buf[b] = t;
    }
  }

  finish(): string {
    return this.buf.toString(this.ascii ? "latin1" : "utf8", 0, this.len);
  }
}

/**
 * Column-aligned debug form (quantify's debug_mode): label, mnemonic, operands and comment each
 * padded to the widest entry of their column; trailing spaces trimmed.
 */
export function printAligned(program: readonly Instruction[]): string {
  const cells = program.map(
    (ins) =>
      [
        ins.label !== undefined ? `${ins.label}:` : "",
        ins.mnemonic,
        ins.args.map(formatOperand).join(","),
        ins.comment ? `# ${ins.comment}` : "",
      ] as const,
  );
  const width = [0, 0, 0];
  for (const c of cells) for (let k = 0; k < 3; k++) width[k] = Math.max(width[k]!, c[k]!.length);
  let out = "";
  for (const c of cells) {
    const row = `${c[0].padEnd(width[0]!)} ${c[1].padEnd(width[1]!)} ${c[2].padEnd(width[2]!)} ${c[3]}`;
    out += row.trimEnd() + "\n";
  }
  return out;
}
