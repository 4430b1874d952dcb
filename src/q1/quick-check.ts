/**
 * Fast pass/fail operand check for validateInstructions: the assembler's rules over a flattened form
 * table, without building messages or columns (split from assembler.ts).
 */
import { INSTRUCTION_SPECS, formsFor, type OperandForm } from "./instructions.js";
import type { Operand } from "./types.js";

/** One operand slot flattened for quickValid: the kinds it takes as flags. */
interface QuickSlot {
  reg: boolean;
  imm: boolean;
  label: boolean;
  min: number;
  max: number;
  /** the duration slot of a form whose durations may be 0 (then 1..3 are refused) */
  zeroDuration: boolean;
  sameKind: boolean;
  /** counts toward the form's at-most-one-immediate rule */
  source: boolean;
}
interface QuickForm {
  slots: QuickSlot[];
  atMostOneImm: boolean;
}

function quickForms(forms: readonly OperandForm[]): (QuickForm | undefined)[] {
  const byCount: (QuickForm | undefined)[] = [];
  for (const f of forms) {
    if (byCount[f.operands.length] !== undefined) continue; // checkInstruction takes the first form of a count
    byCount[f.operands.length] = {
      atMostOneImm: f.atMostOneImm === true,
      slots: f.operands.map((s, i) => ({
        reg: s.kinds.includes("reg"),
        imm: s.kinds.includes("imm"),
        label: s.kinds.includes("label"),
        min: s.min,
        max: s.max,
        zeroDuration: i === f.durationSlot && s.min === 0,
        sameKind: s.sameKind === true,
        source: !s.dest,
      })),
    };
  }
  return byCount;
}

const QUICK = new Map<string, { v1: (QuickForm | undefined)[]; v2: (QuickForm | undefined)[] }>(
  INSTRUCTION_SPECS.filter((spec) => !spec.undocumented).map((spec) => [
    spec.mnemonic,
    { v1: quickForms(formsFor(spec, 1)), v2: quickForms(formsFor(spec, 2)) },
  ]),
);

/**
 * true when checkInstruction would accept the row and its labels are defined: the same rules (mnemonic,
 * operand count, kinds, ranges, same-kind and one-immediate rules, operand shapes, label references)
 * without building a message or a column.
 * false means "run checkInstruction", which throws the located error (or accepts what this skips).
 */
export function quickValid(m: string, args: readonly Operand[], isa: 1 | 2, labels: ReadonlySet<string>): boolean {
  const entry = QUICK.get(m);
  if (entry === undefined) return false;
  const f = (isa === 1 ? entry.v1 : entry.v2)[args.length];
  if (f === undefined) return false;
  let group = 0; // 1 reg, 2 imm
  let immSources = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const s = f.slots[i]!;
    let k: number;
    if (a.kind === "imm") {
      const v = a.value;
      if (!s.imm || !Number.isInteger(v) || v < s.min || v > s.max || (s.zeroDuration && v > 0 && v < 4)) return false;
      k = 2;
    } else if (a.kind === "reg") {
      const r = a.index;
      if (!s.reg || !Number.isInteger(r) || r < 0 || r > 63) return false;
      k = 1;
    } else {
      if (!s.label || a.name === "" || !labels.has(a.name)) return false;
      k = 2;
    }
    if (s.sameKind) {
      if (group === 0) group = k;
      else if (group !== k) return false;
    }
    if (f.atMostOneImm && s.source && k === 2 && ++immSources > 1) return false;
  }
  return true;
}
