import { describe, expect, it } from "vitest";
import { Q1AsmError } from "../../src/core/errors.js";
import { Op, compileProgram } from "../../src/emulator/program.js";
import { assemble } from "../../src/q1/assembler.js";
import {
  INSTRUCTIONS,
  INSTRUCTION_SPECS,
  MNEMONICS,
  isMnemonic,
  type InstructionSpec,
  type Mnemonic,
  type OperandForm,
} from "../../src/q1/instructions.js";
import { parseProgram, toInstructions } from "../../src/q1/parser.js";
import { printProgram } from "../../src/q1/print.js";
import { imm, reg, type Instruction, type Operand } from "../../src/q1/types.js";

/** One valid operand list for a form: immediates at their minimum, registers where needed. */
function operandsFor(f: OperandForm): Operand[] {
  let imms = 0;
  return f.operands.map((s) => {
    const useImm = s.kinds.includes("imm") && !(f.atMostOneImm === true && !s.dest && imms >= 1);
    if (useImm && !s.dest) imms++;
    return useImm ? imm(s.min) : reg(5);
  });
}

/** The spec's first ISA v1 form (else its first form) and the ISA level it needs. */
function exampleOf(spec: InstructionSpec): { ins: Instruction; isa: 1 | 2 } {
  const f = spec.forms.find((x) => x.isa !== "v2") ?? spec.forms[0]!;
  return { ins: { mnemonic: spec.mnemonic, args: operandsFor(f) }, isa: f.isa === "v2" ? 2 : 1 };
}

const STOP: Instruction = { mnemonic: "stop", args: [] };

/** The mnemonics the emulator decodes itself (its opcode table), in table order; the rest run as RT no-ops or halt as unsupported. */
const EMULATED: readonly Mnemonic[] = [
  "illegal",
  "stop",
  "nop",
  "jmp",
  "jge",
  "jlt",
  "loop",
  "move",
  "not",
  "add",
  "sub",
  "and",
  "or",
  "xor",
  "asl",
  "asr",
  "set_mrk",
  "set_freq",
  "reset_ph",
  "set_ph",
  "set_ph_delta",
  "set_awg_gain",
  "set_awg_offs",
  "set_cond",
  "upd_param",
  "play",
  "acquire",
  "acquire_weighed",
  "acquire_weighted",
  "acquire_ttl",
  // trigger network (src/emulator/trigger-network.ts)
  "set_latch_en",
  "latch_rst",
  "wait",
  "wait_sync",
  "wait_trigger",
  "set_scope_en",
  "set_time_ref",
  "set_digital",
  // LINQ feedback (src/emulator/linq.ts)
  "fb_acq_tb_id",
  "fb_acq_iq_id",
  "fb_acq_iq_shift",
  "fb_acq_tb_cfg",
  "fb_acq_tb_valid",
  "fb_com_data",
  "fb_com_cfg",
  "fb_pop_data",
  "fb_pull_data",
];

describe("mnemonics: one table for printer, parser, assembler and emulator", () => {
  it("derives the mnemonic list, the specs and the guard from the same table", () => {
    expect(MNEMONICS.length).toBe(82);
    expect(new Set(MNEMONICS).size).toBe(82);
    expect(Object.keys(INSTRUCTIONS)).toEqual(MNEMONICS);
    expect(INSTRUCTION_SPECS.map((s) => s.mnemonic)).toEqual(MNEMONICS);
    expect(MNEMONICS.filter((m) => INSTRUCTIONS[m].mnemonic !== m)).toEqual([]);
    expect(MNEMONICS.filter((m) => !isMnemonic(m))).toEqual([]);
    expect(["", "PLAY", "set_mkr", "play ", "toString", "constructor"].filter(isMnemonic)).toEqual([]);
    expect(INSTRUCTIONS["set_mkr"]).toBe(undefined);
  });

  it("prints every mnemonic verbatim and parses it back to the same mnemonic", () => {
    const program = MNEMONICS.map((m): Instruction => ({ mnemonic: m, args: [] }));
    const text = printProgram(program);
    expect(text).toBe(MNEMONICS.map((m) => ` ${m}\n`).join(""));
    expect(toInstructions(parseProgram(text)).map((i) => i.mnemonic)).toEqual(MNEMONICS);
  });

  it("assembles an example of every mnemonic (printed, then parsed) at its ISA level", () => {
    const accepted = INSTRUCTION_SPECS.filter((spec) => {
      const { ins, isa } = exampleOf(spec);
      const asm = assemble(printProgram([ins, STOP]), { isa });
      return asm.instructions[0]!.mnemonic === spec.mnemonic && asm.instructions.length === 2;
    });
    expect(accepted.map((s) => s.mnemonic)).toEqual(MNEMONICS);
  });

  it("rejects a mnemonic outside the table in the parser's instruction list and in the assembler, with a hint", () => {
    const codeAndHint = (f: () => unknown): [string, string | null] => {
      try {
        f();
        return ["OK", null];
      } catch (e) {
        return e instanceof Q1AsmError ? [e.code, e.hint] : ["?", String(e)];
      }
    };
    const hint = "Did you mean 'set_mrk'? (mnemonics are lower case)";
    expect(codeAndHint(() => toInstructions(parseProgram(" set_mkr 1\n stop\n")))).toEqual(["UNKNOWN_MNEMONIC", hint]);
    expect(codeAndHint(() => assemble(" set_mkr 1\n stop\n"))).toEqual(["UNKNOWN_MNEMONIC", hint]);
    expect(codeAndHint(() => toInstructions(parseProgram(" SET_MRK 1\n")))).toEqual(["UNKNOWN_MNEMONIC", hint]);
  });

  it("the emulator decodes every table mnemonic (none falls through to illegal), and its own opcode table names table mnemonics only", () => {
    const decoded = INSTRUCTION_SPECS.map((spec) => {
      const { ins, isa } = exampleOf(spec);
      const program = compileProgram(assemble(printProgram([ins, STOP]), { isa }).instructions);
      return { m: spec.mnemonic, op: program.op[0] };
    });
    expect(decoded.filter((d) => d.op === Op.ILLEGAL).map((d) => d.m)).toEqual(["illegal"]);
    const own = decoded.filter((d) => d.op !== Op.RT_NOP && d.op !== Op.UNSUPPORTED).map((d) => d.m);
    expect(own).toEqual(EMULATED);
    // the rest: real-time instructions run as timed no-ops, the others halt as unsupported
    const rest = decoded.filter((d) => !EMULATED.includes(d.m));
    expect(rest.filter((d) => d.op !== (INSTRUCTIONS[d.m].realTime ? Op.RT_NOP : Op.UNSUPPORTED))).toEqual([]);
  });

  it("makes a misspelt mnemonic a type error", () => {
    // @ts-expect-error "set_mkr" is not a Mnemonic
    const bad: Instruction = { mnemonic: "set_mkr", args: [] };
    const ok: Instruction = { mnemonic: "set_mrk", args: [imm(1)] };
    expect([bad.mnemonic, ok.mnemonic]).toEqual(["set_mkr", "set_mrk"]);
  });
});
