/**
 * Q1ASM assembler: validates a parsed program (or a compiler-built instruction list) against the
 * instruction table and resolves labels to instruction indices (reference q1asm-and-scpi.md §1, §2).
 */
import type { ModuleType } from "../core/module-catalog.js";
import { Q1AsmError } from "../core/errors.js";
import {
  INSTRUCTION_SPECS,
  formsFor,
  isV1Mnemonic,
  unknownMnemonicHint,
  type InstructionSpec,
  type OperandForm,
  type OperandSlot,
} from "./instructions.js";
import { parseProgram } from "./parser.js";
import { formatOperand } from "./print.js";
import { nearest } from "./suggest.js";
import type { Instruction, Operand } from "./types.js";

export interface AssembledProgram {
  /** executable instructions only (no blank/label-only rows); label operands resolved to {kind:"imm", value: instructionIndex} */
  instructions: Instruction[];
  labels: Record<string, number>;
  /** 1-based source line of each executable instruction */
  lines: number[];
}

export interface AssembleOptions {
  /** selects the instruction-memory limit (default: the largest, 16384) */
  moduleType?: ModuleType;
  /** ISA level (default 1); 2 enables the flags-based instructions and forms of §2.8 */
  isa?: 1 | 2;
  /**
   * assembleInstructions only: false skips computing operand columns (formatting every operand), for a
   * pass/fail check of a large program; error columns are then not meaningful (default true)
   */
  columns?: boolean;
  /**
   * instruction-memory limit to check instead of the module's (Infinity: none — the compiler checks the
   * limit itself when it emits, and may knowingly exceed it with instructionLimit "warn")
   */
  maxInstructions?: number;
}
export const NO_COLUMNS: readonly number[] = [];

/** Instruction memory per sequencer (reference §5). */
export const MAX_INSTRUCTIONS: Readonly<Record<ModuleType, number>> = {
  QCM: 16384,
  QCM_RF: 16384,
  QTM: 16384,
  QRM: 12288,
  QRM_RF: 12288,
  QRC: 12288,
};

/** One row to assemble, with source positions for error messages. */
export interface AsmRow {
  line: number;
  labels: { name: string; column: number }[];
  mnemonic: string; // "" for label-only / blank rows
  mnemonicColumn: number;
  args: readonly Operand[];
  argColumns: readonly number[];
  comment?: string;
}

/** Parse and assemble Q1ASM text. Throws Q1AsmError with line and column. */
export function assemble(text: string, opts: AssembleOptions = {}): AssembledProgram {
  const parsed = parseProgram(text);
  const rows: AsmRow[] = [];
  for (const r of parsed.rows) {
    if (r.directive) continue;
    const row: AsmRow = {
      line: r.line,
      labels: r.label ? [r.label] : [],
      mnemonic: r.mnemonic?.name ?? "",
      mnemonicColumn: r.mnemonic?.column ?? 1,
      args: r.operands.map((o) => o.operand),
      argColumns: r.operands.map((o) => o.column),
    };
    if (r.comment !== undefined) row.comment = r.comment;
    rows.push(row);
  }
  return assembleRows(rows, opts, parsed.rows.length);
}

/**
 * Validate and resolve an instruction list built in code (same rules as `assemble`, no text round trip).
 * Lines are `ins.line` or the row's position in `printProgram(program)`; columns point into that text.
 */
export function assembleInstructions(program: readonly Instruction[], opts: AssembleOptions = {}): AssembledProgram {
  const rows: AsmRow[] = program.map((ins, i) => {
    // columns as printProgram lays the row out: "label: mnemonic a,b,c"
    let c = ins.label !== undefined ? ins.label.length + 2 : 1;
    const mnemonicColumn = c + 1;
    c = mnemonicColumn + ins.mnemonic.length + 1;
    const argColumns =
      opts.columns === false
        ? NO_COLUMNS
        : ins.args.map((a) => {
            const at = c;
            c += formatOperand(a).length + 1;
            return at;
          });
    const row: AsmRow = {
      line: ins.line ?? i + 1,
      labels: ins.label !== undefined ? [{ name: ins.label, column: 1 }] : [],
      mnemonic: ins.mnemonic,
      mnemonicColumn,
      args: ins.args,
      argColumns,
    };
    if (ins.comment !== undefined) row.comment = ins.comment;
    return row;
  });
  return assembleRows(rows, opts, program.length);
}

function assembleRows(rows: readonly AsmRow[], opts: AssembleOptions, totalLines: number): AssembledProgram {
  const isa = opts.isa ?? 1;
  const limit = opts.maxInstructions ?? (opts.moduleType ? MAX_INSTRUCTIONS[opts.moduleType] : 16384);
  const labels = new Map<string, number>();
  const exec: AsmRow[] = [];
  const specs: InstructionSpec[] = [];
  // a label on a preceding label-only row names the next instruction (kept for printing/debugging)
  const execLabels: (string | undefined)[] = [];
  let pendingLabel: string | undefined;
  for (const row of rows) {
    for (const l of row.labels) {
      const prev = labels.get(l.name);
      if (prev !== undefined) {
        throw new Q1AsmError(
          "DUPLICATE_LABEL",
          `Label '${l.name}' is defined twice (first at instruction ${prev}).`,
          row.line,
          l.column,
          { hint: "Rename one of the labels; label names must be unique." },
        );
      }
      labels.set(l.name, exec.length);
      pendingLabel ??= l.name;
    }
    if (row.mnemonic === "") continue;
    specs.push(checkInstruction(row, isa));
    exec.push(row);
    execLabels.push(pendingLabel);
    pendingLabel = undefined;
  }
  if (exec.length > limit) {
    const row = exec[limit]!;
    throw new Q1AsmError(
      "TOO_MANY_INSTRUCTIONS",
      `Program has ${exec.length} instructions; ${opts.moduleType ?? "a sequencer"} holds at most ${limit}.`,
      row.line,
      1,
      {
        hint: "Shorten the program: use loops instead of unrolled repetitions, or fewer auto-generated waits.",
      },
    );
  }
  const last = exec[exec.length - 1];
  if (last === undefined || last.mnemonic !== "stop") {
    throw new Q1AsmError(
      "MISSING_STOP",
      last ? `Program ends with '${last.mnemonic}' instead of 'stop'.` : "Program has no instructions.",
      last?.line ?? Math.max(1, totalLines),
      last?.mnemonicColumn ?? 1,
      {
        hint: "Every Q1ASM program must end with the stop instruction.",
      },
    );
  }
  const instructions: Instruction[] = new Array<Instruction>(exec.length);
  const lines: number[] = new Array<number>(exec.length);
  for (let i = 0; i < exec.length; i++) {
    const row = exec[i]!;
    const spec = specs[i]!;
    const ins: Instruction = { mnemonic: spec.mnemonic, args: resolveLabels(row, labels, spec), line: row.line };
    const firstLabel = execLabels[i];
    if (firstLabel !== undefined) ins.label = firstLabel;
    if (row.comment !== undefined) ins.comment = row.comment;
    instructions[i] = ins;
    lines[i] = row.line;
  }
  // a plain loop: Object.fromEntries on thousands of labels is an order of magnitude slower
  const labelRecord: Record<string, number> = {};
  for (const [k, v] of labels) labelRecord[k] = v;
  return { instructions, labels: labelRecord, lines };
}

function resolveLabels(row: AsmRow, labels: ReadonlyMap<string, number>, spec: InstructionSpec): Operand[] {
  const out: Operand[] = new Array<Operand>(row.args.length);
  for (let i = 0; i < row.args.length; i++) {
    const a = row.args[i]!;
    if (a.kind !== "label") {
      out[i] = a;
      continue;
    }
    const value = labels.get(a.name);
    if (value === undefined) {
      const near = nearest(a.name, labels.keys());
      throw new Q1AsmError(
        "UNKNOWN_LABEL",
        `${spec.mnemonic} refers to label '@${a.name}', which is not defined.`,
        row.line,
        row.argColumns[i] ?? 1,
        {
          hint: near ? `Did you mean @${near}?` : "Define the label as 'name:' before an instruction.",
        },
      );
    }
    out[i] = { kind: "imm", value };
  }
  return out;
}

function usage(m: string, f: OperandForm): string {
  const kinds = (s: OperandSlot): string =>
    s.kinds.map((k) => (k === "reg" ? "R" : k === "imm" ? "I" : "@L")).join("/");
  return f.operands.length === 0 ? m : `${m} ${f.operands.map((s) => `${s.name}:${kinds(s)}`).join(",")}`;
}

const KIND_NAME = { reg: "a register", imm: "an immediate", label: "a label" } as const;

/** Check mnemonic, operand count, kinds, ranges and the same-kind rules of one row. */
export function checkInstruction(row: AsmRow, isa: 1 | 2): InstructionSpec {
  const { mnemonic: m, line } = row;
  const entry = SPEC_BY_MNEMONIC.get(m);
  const spec = entry?.spec;
  const forms = entry === undefined ? NO_FORMS : isa === 1 ? entry.v1 : entry.v2;
  if (!spec || forms.length === 0) {
    const hint =
      spec && !isV1Mnemonic(spec)
        ? `'${m}' is an ISA v2 instruction; assemble with { isa: 2 } to use it.`
        : unknownMnemonicHint(m);
    throw new Q1AsmError("UNKNOWN_MNEMONIC", `Unknown instruction '${m}'.`, line, row.mnemonicColumn, { hint });
  }
  const args = row.args;
  const col = (i: number): number => row.argColumns[i] ?? row.mnemonicColumn;
  for (let i = 0; i < args.length; i++) checkOperandShape(args[i]!, m, line, col(i));
  if (spec.undocumented) return spec;
  let f: OperandForm | undefined;
  for (const cand of forms)
    if (cand.operands.length === args.length) {
      f = cand;
      break;
    }
  if (!f) {
    const counts = forms.map((x) => x.operands.length).join(" or ");
    const maxCount = Math.max(...forms.map((x) => x.operands.length));
    // too many: point at the first surplus operand; too few: at the mnemonic
    const column = args.length > maxCount ? col(maxCount) : row.mnemonicColumn;
    throw new Q1AsmError("BAD_OPERAND_COUNT", `${m} takes ${counts} operand(s), got ${args.length}.`, line, column, {
      hint: `Usage: ${forms.map((x) => usage(m, x)).join("  |  ")}`,
    });
  }
  let groupKind: "reg" | "imm" | null = null;
  let immSources = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const s = f.operands[i]!;
    if (!s.kinds.includes(a.kind)) {
      throw new Q1AsmError(
        "BAD_OPERAND_KIND",
        `Operand ${i + 1} of ${m} (${s.name}) must be ${s.kinds.map((k) => KIND_NAME[k]).join(" or ")}, got ${KIND_NAME[a.kind]} '${formatOperand(a)}'.`,
        line,
        col(i),
        {
          hint: `Usage: ${usage(m, f)}`,
        },
      );
    }
    const zeroDuration = i === f.durationSlot && s.min === 0;
    if (a.kind === "imm" && (a.value < s.min || a.value > s.max || (zeroDuration && a.value > 0 && a.value < 4))) {
      const isDur = i === f.durationSlot;
      throw new Q1AsmError(
        isDur ? "DURATION_OUT_OF_RANGE" : "IMMEDIATE_OUT_OF_RANGE",
        `${m} ${s.name} ${a.value} is outside ${s.min}..${s.max}.`,
        line,
        col(i),
        {
          hint: isDur
            ? "Real-time durations are 4..65535 ns; split longer waits into several wait instructions or a loop."
            : `Use a value within ${s.min}..${s.max}.`,
        },
      );
    }
    const k = a.kind === "reg" ? "reg" : "imm";
    if (s.sameKind) {
      if (groupKind === null) groupKind = k;
      else if (groupKind !== k) {
        throw new Q1AsmError(
          "MIXED_OPERAND_KINDS",
          `${m} mixes registers and immediates: operand ${i + 1} (${s.name}) is ${KIND_NAME[a.kind]} but the preceding ones are ${KIND_NAME[groupKind]}s.`,
          line,
          col(i),
          {
            hint: `The register-or-immediate operands of ${m} must all be registers or all be immediates (e.g. ${m === "play" ? "play R0,R1,4 or play 0,1,4" : "load the immediate into a register with move first"}).`,
          },
        );
      }
    }
    if (f.atMostOneImm && !s.dest && k === "imm" && ++immSources > 1) {
      throw new Q1AsmError("MIXED_OPERAND_KINDS", `${m} allows at most one immediate source operand.`, line, col(i), {
        hint: "Load one of the values into a register with move first.",
      });
    }
  }
  return spec;
}

/** Programmatic operands: integer immediates, registers 0..63, non-empty label names. */
function checkOperandShape(a: Operand, m: string, line: number, column: number): void {
  if (a.kind === "reg" && !(Number.isInteger(a.index) && a.index >= 0 && a.index <= 63)) {
    throw new Q1AsmError("BAD_REGISTER", `${m}: R${a.index} is not a register.`, line, column, {
      hint: "Registers are R0..R63.",
    });
  }
  if (a.kind === "imm" && !Number.isInteger(a.value)) {
    throw new Q1AsmError("BAD_OPERAND_KIND", `${m}: immediate ${a.value} is not an integer.`, line, column, {
      hint: "Encode the value as an integer first (see src/q1/encodings.ts).",
    });
  }
  if (a.kind === "label" && a.name === "") {
    throw new Q1AsmError("BAD_OPERAND_KIND", `${m}: empty label reference.`, line, column, {
      hint: "Write a label reference as @name.",
    });
  }
}

// Map lookups are much faster than keyed access to the frozen INSTRUCTIONS record on the hot path
const SPEC_BY_MNEMONIC = new Map<
  string,
  { spec: InstructionSpec; v1: readonly OperandForm[]; v2: readonly OperandForm[] }
>(INSTRUCTION_SPECS.map((spec) => [spec.mnemonic, { spec, v1: formsFor(spec, 1), v2: formsFor(spec, 2) }]));
const NO_FORMS: readonly OperandForm[] = [];
