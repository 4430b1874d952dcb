import { describe, expect, it } from "vitest";
import { Q1AsmError } from "../../src/core/errors.js";
import { assemble, assembleInstructions } from "../../src/q1/assembler.js";
import { imm, lbl, reg, type Instruction } from "../../src/q1/types.js";

function asmError(text: string, opts: Parameters<typeof assemble>[1] = {}): Q1AsmError {
  try {
    assemble(text, opts);
  } catch (e) {
    if (e instanceof Q1AsmError) return e;
    throw e;
  }
  throw new Error("expected a Q1AsmError");
}

describe("assemble", () => {
  it("assembles quantify's readout program with labels resolved to instruction indices", () => {
    const text = [
      " set_mrk 2 # set markers to 2 (init)",
      " wait_sync 4",
      " upd_param 4",
      " move 0,R0 # bin register",
      " wait 4",
      " move 256,R1 # iterator for loop with label start",
      "start:   ",
      " reset_ph",
      " upd_param 4",
      " set_awg_gain 8192,0",
      " play 0,0,4",
      " wait 96",
      " acquire 0,R0,4",
      " add R0,1,R0",
      " ",
      " loop R1,@start",
      " stop",
      "",
    ].join("\n");
    const p = assemble(text, { moduleType: "QRM_RF" });
    expect(p.labels).toEqual({ start: 6 });
    expect(p.lines).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 17]);
    expect(p.instructions[6]).toEqual({ mnemonic: "reset_ph", args: [], line: 8, label: "start" });
    expect(p.instructions[13]).toEqual({ mnemonic: "loop", args: [reg(1), imm(6)], line: 16 });
    expect(p.instructions[0]).toEqual({
      mnemonic: "set_mrk",
      args: [imm(2)],
      line: 1,
      comment: "set markers to 2 (init)",
    });
    expect(p.instructions.map((i) => i.mnemonic)).toEqual([
      "set_mrk",
      "wait_sync",
      "upd_param",
      "move",
      "wait",
      "move",
      "reset_ph",
      "upd_param",
      "set_awg_gain",
      "play",
      "wait",
      "acquire",
      "add",
      "loop",
      "stop",
    ]);
  });

  it("resolves forward references and labels on their own line to the next instruction", () => {
    const p = assemble(" jmp @end\n nop\nend:\n\n# c\n stop\n");
    expect(p.labels).toEqual({ end: 2 });
    expect(p.instructions[0]!.args).toEqual([imm(2)]);
  });

  it("accepts both wait_trigger forms and ISA v2 only with isa: 2", () => {
    expect(assemble(" wait_trigger 1,4\n wait_trigger 5\n stop").instructions.length).toBe(3);
    expect(asmError(" wait_trigger 16\n stop").code).toBe("IMMEDIATE_OUT_OF_RANGE");
    expect(asmError(" cmp R0,1\n stop").code).toBe("UNKNOWN_MNEMONIC");
    expect(asmError(" cmp R0,1\n stop").hint).toBe(
      "'cmp' is an ISA v2 instruction; assemble with { isa: 2 } to use it.",
    );
    expect(assemble(" cmp R0,1\n jge @a\na: stop", { isa: 2 }).instructions[1]!.args).toEqual([imm(2)]);
    expect(assemble(" add 1,R0,R1\n stop", { isa: 2 }).instructions.length).toBe(2);
    expect(asmError(" add 1,R0,R1\n stop").code).toBe("BAD_OPERAND_KIND");
  });

  it.each([
    ["UNKNOWN_MNEMONIC", "\n plya 0,1,4\n stop", 2, 2],
    ["UNKNOWN_MNEMONIC", " PLAY 0,1,4\n stop", 1, 2],
    ["BAD_OPERAND_COUNT", " play 0,1\n stop", 1, 2],
    ["BAD_OPERAND_COUNT", " play 0,1,4,5\n stop", 1, 13],
    ["BAD_OPERAND_KIND", " play 0,@x,4\nx: stop", 1, 9],
    ["BAD_OPERAND_KIND", " upd_param R0\n stop", 1, 12],
    ["BAD_OPERAND_KIND", " play 0,,4\n stop", 1, 9],
    ["BAD_OPERAND_KIND", " play 0;1,4\n stop", 1, 7],
    ["IMMEDIATE_OUT_OF_RANGE", " set_mrk 16\n stop", 1, 10],
    ["IMMEDIATE_OUT_OF_RANGE", " move 4294967296,R0\n stop", 1, 7],
    ["IMMEDIATE_OUT_OF_RANGE", " set_awg_gain 32768,0\n stop", 1, 15],
    ["BAD_REGISTER", " move 1,R64\n stop", 1, 9],
    ["BAD_REGISTER", " move 1,r5\n stop", 1, 9],
    ["UNKNOWN_LABEL", " jmp @strat\nstart: stop", 1, 6],
    ["DUPLICATE_LABEL", "a: nop\na: stop", 2, 1],
    ["MISSING_STOP", " nop\n nop\n", 2, 2],
    ["MISSING_STOP", "# only a comment\n", 1, 1],
    ["MIXED_OPERAND_KINDS", " play R0,1,4\n stop", 1, 10],
    ["MIXED_OPERAND_KINDS", " acquire_weighed 0,R0,R1,2,4\n stop", 1, 26],
    ["BAD_DIRECTIVE", ".FOO x 1\n stop", 1, 1],
    ["BAD_DIRECTIVE", ".DEF 1x 5\n stop", 1, 6],
    ["BAD_DIRECTIVE", ".DEF x\n stop", 1, 1],
    ["DURATION_OUT_OF_RANGE", " wait 3\n stop", 1, 7],
    ["DURATION_OUT_OF_RANGE", " upd_param 65536\n stop", 1, 12],
    ["DURATION_OUT_OF_RANGE", " play 0,1,2\n stop", 1, 11],
    ["UNKNOWN_ALIAS", " move $n,R0\n stop", 1, 7],
  ])("%s: %j at line %i column %i", (code, text, line, column) => {
    const e = asmError(text);
    expect(e.code).toBe(code);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.path).toBe(`line ${line}, column ${column}`);
  });

  it("gives 'did you mean' hints for mnemonics and labels", () => {
    expect(asmError(" plya 0,1,4\n stop").hint).toBe("Did you mean 'play'? (mnemonics are lower case)");
    expect(asmError(" PLAY 0,1,4\n stop").hint).toBe("Did you mean 'play'? (mnemonics are lower case)");
    expect(asmError(" jmp @strat\nstart: stop").hint).toBe("Did you mean @start?");
    expect(asmError(" play 0,1\n stop").message).toBe("play takes 3 operand(s), got 2.");
    expect(asmError(" set_mrk 16\n stop").message).toBe("set_mrk marker 16 is outside 0..15.");
  });

  it("enforces the instruction-memory limit per module type", () => {
    const text = " nop\n".repeat(12288) + " stop\n";
    const e = asmError(text, { moduleType: "QRM" });
    expect([e.code, e.line, e.column]).toEqual(["TOO_MANY_INSTRUCTIONS", 12289, 1]);
    expect(e.message).toBe("Program has 12289 instructions; QRM holds at most 12288.");
    expect(assemble(text, { moduleType: "QCM" }).instructions.length).toBe(12289);
    const big = " nop\n".repeat(16384) + " stop\n";
    expect(asmError(big, { moduleType: "QTM" }).line).toBe(16385);
    expect(asmError(big).code).toBe("TOO_MANY_INSTRUCTIONS");
  });
});

describe("assembleInstructions", () => {
  const prog: Instruction[] = [
    { mnemonic: "move", args: [imm(3), reg(0)], comment: "iterator" },
    { label: "loop0", mnemonic: "", args: [] },
    { mnemonic: "play", args: [imm(0), imm(1), imm(4)] },
    { mnemonic: "", args: [] },
    { mnemonic: "loop", args: [reg(0), lbl("loop0")] },
    { mnemonic: "stop", args: [] },
  ];

  it("validates and resolves a compiler-built list without a text round trip", () => {
    const p = assembleInstructions(prog, { moduleType: "QCM" });
    expect(p.labels).toEqual({ loop0: 1 });
    expect(p.lines).toEqual([1, 3, 5, 6]);
    expect(p.instructions).toEqual([
      { mnemonic: "move", args: [imm(3), reg(0)], line: 1, comment: "iterator" },
      { mnemonic: "play", args: [imm(0), imm(1), imm(4)], line: 3, label: "loop0" },
      { mnemonic: "loop", args: [reg(0), imm(1)], line: 5 },
      { mnemonic: "stop", args: [], line: 6 },
    ]);
  });

  it("reports errors at the line and column of printProgram's text", () => {
    const bad: Instruction[] = [
      { label: "x", mnemonic: "play", args: [imm(0), reg(1), imm(4)] },
      { mnemonic: "stop", args: [] },
    ];
    let err: Q1AsmError | undefined;
    try {
      assembleInstructions(bad, {});
    } catch (e) {
      err = e as Q1AsmError;
    }
    // "x: play 0,R1,4": R1 starts at column 11
    expect([err?.code, err?.line, err?.column]).toEqual(["MIXED_OPERAND_KINDS", 1, 11]);
  });

  it("rejects non-integer immediates and out-of-range registers built in code", () => {
    const e1 = (() => {
      try {
        assembleInstructions(
          [
            { mnemonic: "set_freq", args: [imm(1.5)] },
            { mnemonic: "stop", args: [] },
          ],
          {},
        );
      } catch (e) {
        return e as Q1AsmError;
      }
      return undefined;
    })();
    expect([e1?.code, e1?.line, e1?.column]).toEqual(["BAD_OPERAND_KIND", 1, 11]);
    const e2 = (() => {
      try {
        assembleInstructions(
          [
            { mnemonic: "move", args: [imm(1), reg(64)] },
            { mnemonic: "stop", args: [] },
          ],
          {},
        );
      } catch (e) {
        return e as Q1AsmError;
      }
      return undefined;
    })();
    expect([e2?.code, e2?.line, e2?.column]).toEqual(["BAD_REGISTER", 1, 9]);
  });
});
