import { sharedRowId } from "./intern.js";
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
 * Written byte by byte into one reused buffer (room made once per row, integers without
 * number→string conversion): no per-row strings, which matters for programs of 100,000s of rows.
 *
 * Shared rows (q1/intern.ts: one frozen object per distinct row) are printed once; later lines of the
 * same row copy bytes already written, and a stretch of lines that repeats the lines after an earlier
 * occurrence is one copy (unrolled loops, pulse trains). Other rows are printed line by line.
 */
export function printProgram(program: readonly Instruction[]): string {
  out = scratch;
  nonAscii = false;
  const len = printLines(program);
  const buf = out;
  if (buf.length <= MAX_SCRATCH) scratch = buf; // reused by the next program (the text below is a copy)
  return buf.toString(nonAscii ? "utf8" : "latin1", 0, len);
}

/** The print buffer, reused across programs (printing is synchronous); kept only up to MAX_SCRATCH bytes. */
let scratch = Buffer.allocUnsafe(1 << 16);
const MAX_SCRATCH = 1 << 24;
/** the buffer of the program being printed (`scratch` or a larger one) */
let out = scratch;
/** whether the program being printed has non-ASCII text (then it is decoded as UTF-8) */
let nonAscii = false;

/**
 * The lines of `program`. The copy waiting to be written ("run") is `runBytes` bytes from `runFrom` to
 * the end of the text; the next line extends it when it is the very row of line `runNext` (the line
 * after the run's source so far). Per shared-row id, for the row printed under it in this call (its
 * identity confirms the slot): the last line that had it and where its bytes are.
 */
function printLines(program: readonly Instruction[]): number {
  const stamp = nextStamp();
  let len = 0;
  let runFrom = 0;
  let runBytes = 0;
  let runNext = 0;
  for (let n = 0; n < program.length; n++) {
    const ins = program[n]!;
    const id = sharedRowId(ins);
    if (id >= 0 && id < seenAt.length && seenAt[id] === stamp && seenRow[id] === ins) {
      if (runBytes > 0 && program[runNext] === ins) runNext++;
      else {
        if (runBytes > 0) len = copyRun(len, runFrom, runBytes);
        runBytes = 0;
        runFrom = lastByte[id]!;
        runNext = lastRow[id]! + 1;
      }
      lastRow[id] = n;
      lastByte[id] = len + runBytes;
      runBytes += rowBytes[id]!;
      continue;
    }
    if (runBytes > 0) len = copyRun(len, runFrom, runBytes);
    runBytes = 0;
    const start = len;
    len = writeRow(len, ins);
    if (id >= 0 && id < MAX_SHARED_ID) {
      if (id >= seenAt.length) growRowTables(id);
      seenAt[id] = stamp;
      seenRow[id] = ins;
      lastRow[id] = n;
      lastByte[id] = start;
      rowBytes[id] = len - start;
    }
  }
  if (runBytes > 0) len = copyRun(len, runFrom, runBytes);
  return len;
}

/**
 * Appends `bytes` bytes copied from `from` (< len) as a byte-by-byte forward copy would: the source may
 * run into the bytes being written (a repeating stretch), so it is copied in chunks that only read
 * bytes already written — the first `len − from` bytes, then twice as many, and so on.
 */
function copyRun(len: number, from: number, bytes: number): number {
  if (len + bytes > out.length) out = grow(out, len, bytes);
  const buf = out;
  const period = len - from;
  for (let done = 0; done < bytes;) {
    const c = Math.min(bytes - done, period + done);
    if (c < 64) for (let k = 0; k < c; k++) buf[len + done + k] = buf[from + k]!;
    else buf.copyWithin(len + done, from, from + c);
    done += c;
  }
  return len + bytes;
}

/** Appends one row (making room for it first) and returns the new length. */
function writeRow(len: number, ins: Instruction): number {
  const label = ins.label;
  const mnemonic = ins.mnemonic;
  const args = ins.args;
  const comment = ins.comment;
  // room for the whole row (3 UTF-8 bytes per UTF-16 unit at most)
  let need = 2 + 3 * mnemonic.length + (label !== undefined ? 3 * label.length + 1 : 0);
  if (comment) need += 3 + 3 * comment.length;
  for (let i = 0; i < args.length; i++) {
    const op = args[i]!;
    need +=
      op.kind === "label" ? 2 + 3 * op.name.length : op.kind === "imm" ? immRoom(op.value) : immRoom(op.index) + 1;
  }
  if (len + need > out.length) out = grow(out, len, need);
  const buf = out;
  if (label !== undefined) {
    len = writeText(buf, len, label);
    buf[len++] = 58; // ':'
  }
  if (mnemonic !== "") {
    buf[len++] = 32;
    len = writeText(buf, len, mnemonic);
    for (let i = 0; i < args.length; i++) {
      buf[len++] = i === 0 ? 32 : 44; // ' ' or ','
      const op = args[i]!;
      if (op.kind === "imm") len = writeInt(buf, len, op.value);
      else if (op.kind === "reg") {
        buf[len++] = 82; // 'R'
        len = writeInt(buf, len, op.index);
      } else {
        buf[len++] = 64; // '@'
        len = writeText(buf, len, op.name);
      }
    }
  }
  if (comment) {
    buf[len++] = 32;
    buf[len++] = 35; // '#'
    buf[len++] = 32;
    len = writeText(buf, len, comment);
  }
  buf[len++] = 10;
  return len;
}

/** A larger print buffer holding the `len` bytes written so far, with room for `need` more. */
function grow(buf: Buffer, len: number, need: number): Buffer<ArrayBuffer> {
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, len + need));
  buf.copy(next, 0, 0, len);
  return next;
}

/** rows of ids at or above this are printed line by line (the tables below stay small) */
const MAX_SHARED_ID = 1 << 22;
/** per shared-row id: the stamp of the printProgram call that printed it, the row, its last line, its bytes */
let seenAt = new Int32Array(1024);
let seenRow = new Array<Instruction | undefined>(1024).fill(undefined);
let lastRow = new Int32Array(1024);
let lastByte = new Int32Array(1024);
let rowBytes = new Int32Array(1024);
let stamps = 0;

function nextStamp(): number {
  if (++stamps > 0x7fffffff) {
    seenAt.fill(0);
    stamps = 1;
  }
  return stamps;
}

function growRowTables(id: number): void {
  let size = seenAt.length;
  while (size <= id) size *= 2;
  const widen = (a: Int32Array): Int32Array<ArrayBuffer> => {
    const next = new Int32Array(size);
    next.set(a);
    return next;
  };
  seenAt = widen(seenAt);
  const rows = new Array<Instruction | undefined>(size).fill(undefined);
  for (let i = 0; i < seenRow.length; i++) rows[i] = seenRow[i];
  seenRow = rows;
  lastRow = widen(lastRow);
  lastByte = widen(lastByte);
  rowBytes = widen(rowBytes);
}

/** Bytes an integer operand may take (its text through String() when not a plain integer). */
function immRoom(v: number): number {
  return Number.isSafeInteger(v) ? 17 : String(v).length + 1;
}

/** Appends `s` (room already made): ASCII byte by byte, anything else as UTF-8. */
function writeText(buf: Buffer, len: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      nonAscii = true;
      return len + buf.write(s.slice(i), len, "utf8");
    }
    buf[len++] = c;
  }
  return len;
}

/** Appends an integer's decimal digits (room already made). */
function writeInt(buf: Buffer, len: number, v: number): number {
  if (!Number.isSafeInteger(v)) return writeText(buf, len, String(v));
  if (v < 0) {
    buf[len++] = 45; // '-'
    v = -v;
  }
  let digits = 1;
  for (let p = 10; p <= v; p *= 10) digits++;
  let at = len + digits;
  const end = at;
  do {
    const q = Math.floor(v / 10);
    buf[--at] = 48 + (v - q * 10);
    v = q;
  } while (v > 0);
  return end;
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
