/**
 * The quick pass/fail validation of a compiler-built program (`validateInstructions`): the assembler's
 * checks without building its output, each shared row (q1/intern.ts) checked once per call; on a
 * doubt or an error the full assembler (assembler.ts) gives the located error.
 */
import { Q1AsmError } from "../core/errors.js";
import {
  assembleInstructions,
  checkInstruction,
  MAX_INSTRUCTIONS,
  NO_COLUMNS,
  type AsmRow,
  type AssembleOptions,
} from "./assembler.js";
import { sharedRowId } from "./intern.js";
import { quickValid } from "./quick-check.js";
import type { Instruction } from "./types.js";

/**
 * Pass/fail form of `assembleInstructions` for a program built in code: the same checks (operands,
 * labels, instruction count, final stop) without building the assembled output or operand columns,
 * reusing one row object. Throws the first Q1AsmError (its column is not meaningful: call
 * `assembleInstructions` for the located error).
 *
 * A shared row (q1/intern.ts: one frozen object per distinct row) has its operands checked once; the
 * whole-program checks (labels, instruction count, final stop) cover every line.
 */
export function validateInstructions(program: readonly Instruction[], opts: AssembleOptions = {}): void {
  const isa = opts.isa ?? 1;
  const limit = opts.maxInstructions ?? (opts.moduleType ? MAX_INSTRUCTIONS[opts.moduleType] : 16384);
  const labels = new Set<string>();
  let labelled = 0;
  for (const ins of program)
    if (ins.label !== undefined) {
      labels.add(ins.label);
      labelled++;
    }
  if (labels.size !== labelled) assembleInstructions(program, opts); // a duplicate label: the located error
  const row: AsmRow = { line: 0, labels: [], mnemonic: "", mnemonicColumn: 1, args: [], argColumns: NO_COLUMNS };
  const stamp = nextStamp();
  let count = 0;
  let last = "";
  for (let i = 0; i < program.length; i++) {
    const ins = program[i]!;
    if (ins.mnemonic === "") continue;
    const id = sharedRowId(ins);
    if (id >= 0 && id < MAX_SHARED_ID) {
      if (id < checkedAt.length && checkedAt[id] === stamp && checkedRow[id] === ins) {
        count++;
        last = ins.mnemonic;
        continue; // this very row passed above
      }
      if (id >= checkedAt.length) growCheckedAt(id);
      checkedAt[id] = stamp;
      checkedRow[id] = ins;
    }
    if (!quickValid(ins.mnemonic, ins.args, isa, labels)) {
      // not certainly valid: the full check throws the error (or accepts, e.g. an undocumented form)
      row.line = ins.line ?? i + 1;
      row.mnemonic = ins.mnemonic;
      row.args = ins.args;
      checkInstruction(row, isa);
      for (const a of ins.args)
        if (a.kind === "label" && !labels.has(a.name))
          throw new Q1AsmError(
            "UNKNOWN_LABEL",
            `${ins.mnemonic} refers to label '@${a.name}', which is not defined.`,
            row.line,
            1,
          );
    }
    count++;
    last = ins.mnemonic;
  }
  if (count > limit || last !== "stop") assembleInstructions(program, opts); // the located error
}

/** validateInstructions: per shared-row id, the stamp of the call that checked it and the row (no clearing between calls) */
let checkedAt = new Int32Array(1024);
let checkedRow = new Array<Instruction | undefined>(1024).fill(undefined);
/** rows of ids at or above this are checked line by line (the tables above stay small) */
const MAX_SHARED_ID = 1 << 22;
let stamps = 0;

function nextStamp(): number {
  if (++stamps > 0x7fffffff) {
    checkedAt.fill(0);
    stamps = 1;
  }
  return stamps;
}

function growCheckedAt(id: number): void {
  let size = checkedAt.length;
  while (size <= id) size *= 2;
  const next = new Int32Array(size);
  next.set(checkedAt);
  checkedAt = next;
  const rows = new Array<Instruction | undefined>(size).fill(undefined);
  for (let i = 0; i < checkedRow.length; i++) rows[i] = checkedRow[i];
  checkedRow = rows;
}
