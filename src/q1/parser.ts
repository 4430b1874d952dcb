/**
 * Q1ASM text -> rows (reference q1asm-and-scpi.md §1). Syntax only: operand kinds and ranges are
 * checked by the assembler against the instruction table. Scans char codes (no per-token regexes)
 * so a 16k-line program parses in a few ms.
 */
import { Q1AsmError } from "../core/errors.js";
import { isMnemonic, unknownMnemonicHint, type Mnemonic } from "./instructions.js";
import type { Instruction, Operand } from "./types.js";

export interface ParsedOperand {
  operand: Operand;
  /** source text of the operand (before `$alias` substitution) */
  text: string;
  /** 1-based column */
  column: number;
}

export interface ParsedRow {
  /** 1-based source line */
  line: number;
  label?: { name: string; column: number };
  mnemonic?: { name: string; column: number };
  operands: ParsedOperand[];
  comment?: string;
  /** a `.DEF name value` directive line */
  directive?: { name: string; value: string; column: number };
}

export interface ParsedProgram {
  /** one row per source line (a final empty line after the last newline is not a row) */
  rows: ParsedRow[];
  /** `.DEF` aliases, name -> substituted text */
  defines: Record<string, string>;
}

const SPACE = 32,
  TAB = 9,
  CR = 13,
  HASH = 35,
  COMMA = 44,
  COLON = 58,
  SLASH = 47,
  STAR = 42;
const DOT = 46,
  AT = 64,
  DOLLAR = 36,
  MINUS = 45,
  PLUS = 43;

const isWs = (c: number): boolean => c === SPACE || c === TAB || c === CR;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isIdent = (c: number): boolean => isLetter(c) || isDigit(c) || c === 95;
/** end of an operand / word: whitespace, comma or comment start */
const isStop = (c: number): boolean => isWs(c) || c === COMMA || c === HASH;

const I32_MIN = -2147483648;
const U32_MAX = 4294967295;

/** Parse a whole program. Throws Q1AsmError (with line/column) on syntax errors. */
export function parseProgram(text: string): ParsedProgram {
  const rows: ParsedRow[] = [];
  const defines = new Map<string, string>();
  let start = 0;
  let line = 1;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = len;
    rows.push(parseLine(text, start, end, line, defines));
    start = end + 1;
    line++;
  }
  return { rows, defines: Object.fromEntries(defines) };
}

function parseLine(text: string, from: number, to: number, line: number, defines: Map<string, string>): ParsedRow {
  const row: ParsedRow = { line, operands: [] };
  const col = (p: number): number => p - from + 1;
  let p = skipWs(text, from, to);
  // a leading /* ... */ block drops the line body (§1, Q1TL)
  if (p + 1 < to && text.charCodeAt(p) === SLASH && text.charCodeAt(p + 1) === STAR) return row;
  if (p < to && text.charCodeAt(p) === DOT) return parseDirective(text, p, to, line, from, defines, row);

  // label and/or mnemonic
  if (p < to && !isCommentStart(text, p, to)) {
    const wStart = p;
    while (p < to && isIdent(text.charCodeAt(p))) p++;
    if (p < to && text.charCodeAt(p) === COLON) {
      if (p === wStart)
        throw new Q1AsmError("BAD_LABEL", "Empty label name before ':'.", line, col(p), {
          hint: "Write a label as name: (letters, digits, _).",
        });
      row.label = { name: text.slice(wStart, p), column: col(wStart) };
      p = skipWs(text, p + 1, to);
    } else {
      p = wStart;
    }
  }
  if (p < to && !isCommentStart(text, p, to)) {
    const wStart = p;
    while (p < to && !isStop(text.charCodeAt(p))) p++;
    row.mnemonic = { name: text.slice(wStart, p), column: col(wStart) };
    p = parseOperands(text, p, to, line, from, defines, row);
  }
  if (p < to) {
    // comment: '#' or '//'
    const cStart = text.charCodeAt(p) === HASH ? p + 1 : p + 2;
    const comment = text.slice(cStart, to).trim();
    if (comment !== "") row.comment = comment;
  }
  return row;
}

function isCommentStart(text: string, p: number, to: number): boolean {
  const c = text.charCodeAt(p);
  return c === HASH || (c === SLASH && p + 1 < to && text.charCodeAt(p + 1) === SLASH);
}

function skipWs(text: string, p: number, to: number): number {
  while (p < to && isWs(text.charCodeAt(p))) p++;
  return p;
}

/** Operands separated by commas and/or whitespace; a trailing comma is accepted, an empty operand is not. */
function parseOperands(
  text: string,
  p: number,
  to: number,
  line: number,
  from: number,
  defines: Map<string, string>,
  row: ParsedRow,
): number {
  let commaPending = false; // a comma seen since the last operand
  let first = true;
  while (p < to) {
    const c = text.charCodeAt(p);
    if (isWs(c)) {
      p++;
      continue;
    }
    if (c === COMMA) {
      if (commaPending || first) {
        throw new Q1AsmError(
          "BAD_OPERAND_KIND",
          `Empty operand in '${row.mnemonic?.name ?? ""}' (two commas or a leading comma).`,
          line,
          p - from + 1,
          { hint: "Separate operands with a single comma, e.g. play 0,1,4." },
        );
      }
      commaPending = true;
      p++;
      continue;
    }
    if (isCommentStart(text, p, to)) break;
    const tStart = p;
    while (p < to && !isStop(text.charCodeAt(p))) p++;
    const tok = text.slice(tStart, p);
    const column = tStart - from + 1;
    row.operands.push({ operand: parseOperand(tok, line, column, defines), text: tok, column });
    commaPending = false;
    first = false;
  }
  return p;
}

/** Classify one operand token: R<n>, @label, decimal/hex immediate, or $alias. */
function parseOperand(tok: string, line: number, column: number, defines: ReadonlyMap<string, string>): Operand {
  const c0 = tok.charCodeAt(0);
  if (c0 === DOLLAR) {
    const value = defines.get(tok.slice(1));
    if (value === undefined) {
      const known = [...defines.keys()];
      throw new Q1AsmError("UNKNOWN_ALIAS", `Alias '${tok}' is not defined.`, line, column, {
        hint: known.length
          ? `Define it first with .DEF ${tok.slice(1)} <value>; defined: ${known.join(", ")}.`
          : `Define it first with .DEF ${tok.slice(1)} <value>.`,
      });
    }
    return parseOperand(value, line, column, defines);
  }
  if (c0 === 82 /* R */ || c0 === 114 /* r */) return parseRegister(tok, line, column);
  if (c0 === AT) {
    const name = tok.slice(1);
    if (name === "" || !allIdent(name))
      throw new Q1AsmError("BAD_OPERAND_KIND", `Bad label reference '${tok}'.`, line, column, {
        hint: "A label reference is @name with letters, digits and _.",
      });
    return { kind: "label", name };
  }
  if (isDigit(c0) || c0 === MINUS || c0 === PLUS) {
    const value = parseInteger(tok);
    if (value === null)
      throw new Q1AsmError("BAD_OPERAND_KIND", `'${tok}' is not a valid integer immediate.`, line, column, {
        hint: "Use a decimal (-42, 1000) or hex (0x3a) integer.",
      });
    if (value < I32_MIN || value > U32_MAX) {
      throw new Q1AsmError("IMMEDIATE_OUT_OF_RANGE", `Immediate ${tok} does not fit in 32 bits.`, line, column, {
        hint: `Immediates must be within ${I32_MIN}..${U32_MAX}.`,
      });
    }
    return { kind: "imm", value };
  }
  throw new Q1AsmError("BAD_OPERAND_KIND", `Cannot parse operand '${tok}'.`, line, column, {
    hint: "Expected a register R0..R63, an integer immediate, @label or $alias.",
  });
}

function parseRegister(tok: string, line: number, column: number): Operand {
  let n = 0;
  const ok = tok.length >= 2 && tok.length <= 4 && tok.charCodeAt(0) === 82;
  for (let i = 1; ok && i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (!isDigit(c)) return badRegister(tok, line, column);
    n = n * 10 + (c - 48);
  }
  if (!ok || n > 63) return badRegister(tok, line, column);
  return { kind: "reg", index: n };
}

function badRegister(tok: string, line: number, column: number): never {
  const upper = tok.charCodeAt(0) === 114 ? ` (registers are upper case: R${tok.slice(1)})` : "";
  throw new Q1AsmError("BAD_REGISTER", `'${tok}' is not a register${upper}.`, line, column, {
    hint: "Registers are R0..R63.",
  });
}

function allIdent(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isIdent(s.charCodeAt(i))) return false;
  return true;
}

/** Decimal or 0x-hex integer with optional sign; null if malformed. */
function parseInteger(tok: string): number | null {
  let i = 0;
  let sign = 1;
  const c0 = tok.charCodeAt(0);
  if (c0 === MINUS || c0 === PLUS) {
    sign = c0 === MINUS ? -1 : 1;
    i = 1;
  }
  if (i >= tok.length) return null;
  let value = 0;
  if (tok.charCodeAt(i) === 48 && (tok.charCodeAt(i + 1) === 120 || tok.charCodeAt(i + 1) === 88)) {
    i += 2;
    if (i >= tok.length) return null;
    for (; i < tok.length; i++) {
      const d = hexDigit(tok.charCodeAt(i));
      if (d < 0) return null;
      value = value * 16 + d;
    }
  } else {
    for (; i < tok.length; i++) {
      const c = tok.charCodeAt(i);
      if (!isDigit(c)) return null;
      value = value * 10 + (c - 48);
    }
  }
  return sign * value;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseDirective(
  text: string,
  p: number,
  to: number,
  line: number,
  from: number,
  defines: Map<string, string>,
  row: ParsedRow,
): ParsedRow {
  const words: { s: string; col: number }[] = [];
  while (p < to) {
    p = skipWs(text, p, to);
    if (p >= to || text.charCodeAt(p) === HASH) break;
    const s = p;
    while (p < to && !isWs(text.charCodeAt(p)) && text.charCodeAt(p) !== HASH) p++;
    words.push({ s: text.slice(s, p), col: s - from + 1 });
  }
  const [kw, name, value] = words;
  const bad = (msg: string, column: number): never => {
    throw new Q1AsmError("BAD_DIRECTIVE", msg, line, column, {
      hint: "The only directive is .DEF name value, e.g. .DEF reps 100 or .DEF cnt R63.",
    });
  };
  if (kw!.s !== ".DEF") bad(`Unknown directive '${kw!.s}'.`, kw!.col);
  if (name === undefined || value === undefined) bad(".DEF needs a name and a value.", kw!.col);
  if (words.length > 3) bad(`.DEF takes exactly a name and a value; unexpected '${words[3]!.s}'.`, words[3]!.col);
  if (!isLetter(name!.s.charCodeAt(0)) || !allIdent(name!.s))
    bad(`Bad alias name '${name!.s}': it must start with a letter and contain letters and digits.`, name!.col);
  // an alias may refer to an earlier alias
  const v = value!.s.charCodeAt(0) === DOLLAR ? defines.get(value!.s.slice(1)) : value!.s;
  if (v === undefined) bad(`.DEF value '${value!.s}' refers to an undefined alias.`, value!.col);
  defines.set(name!.s, v!);
  row.directive = { name: name!.s, value: v!, column: kw!.col };
  if (p < to && text.charCodeAt(p) === HASH) {
    const comment = text.slice(p + 1, to).trim();
    if (comment !== "") row.comment = comment;
  }
  return row;
}

/**
 * Rows as an (unresolved) instruction list, directive lines dropped; prints back with printProgram.
 * Mnemonics are checked against the instruction table (operands are not: that is the assembler's job).
 */
export function toInstructions(parsed: ParsedProgram): Instruction[] {
  const out: Instruction[] = [];
  for (const r of parsed.rows) {
    if (r.directive) continue;
    const ins: Instruction = {
      mnemonic: r.mnemonic ? tableMnemonic(r.mnemonic, r.line) : "",
      args: r.operands.map((o) => o.operand),
      line: r.line,
    };
    if (r.label) ins.label = r.label.name;
    if (r.comment !== undefined) ins.comment = r.comment;
    out.push(ins);
  }
  return out;
}

function tableMnemonic(m: { name: string; column: number }, line: number): Mnemonic {
  if (isMnemonic(m.name)) return m.name;
  throw new Q1AsmError("UNKNOWN_MNEMONIC", `Unknown instruction '${m.name}'.`, line, m.column, {
    hint: unknownMnemonicHint(m.name),
  });
}
