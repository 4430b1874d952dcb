import { describe, expect, it } from "vitest";
import { parseProgram, toInstructions } from "../../src/q1/parser.js";

describe("parseProgram", () => {
  it("parses the exact text quantify-scheduler emits", () => {
    const text = " set_mrk 2 # set markers to 2 (init)\nstart:   \n loop R1,@start\n\n stop\n";
    const p = parseProgram(text);
    expect(p.rows).toEqual([
      {
        line: 1,
        mnemonic: { name: "set_mrk", column: 2 },
        operands: [{ operand: { kind: "imm", value: 2 }, text: "2", column: 10 }],
        comment: "set markers to 2 (init)",
      },
      { line: 2, label: { name: "start", column: 1 }, operands: [] },
      {
        line: 3,
        mnemonic: { name: "loop", column: 2 },
        operands: [
          { operand: { kind: "reg", index: 1 }, text: "R1", column: 7 },
          { operand: { kind: "label", name: "start" }, text: "@start", column: 10 },
        ],
      },
      { line: 4, operands: [] },
      { line: 5, mnemonic: { name: "stop", column: 2 }, operands: [] },
    ]);
  });

  it("accepts tabs, a label before an instruction, whitespace separators and a trailing comma", () => {
    const p = parseProgram("\tlbl:\tplay\t0 1,  4,\t# c\n");
    expect(p.rows[0]).toEqual({
      line: 1,
      label: { name: "lbl", column: 2 },
      mnemonic: { name: "play", column: 7 },
      operands: [
        { operand: { kind: "imm", value: 0 }, text: "0", column: 12 },
        { operand: { kind: "imm", value: 1 }, text: "1", column: 14 },
        { operand: { kind: "imm", value: 4 }, text: "4", column: 18 },
      ],
      comment: "c",
    });
  });

  it("parses decimal, negative, hex immediates and registers R0..R63", () => {
    const ops = parseProgram(" x 0x3a,-42,0XFF,4294967295,-2147483648,R0,R63,+7").rows[0]!.operands.map(
      (o) => o.operand,
    );
    expect(ops).toEqual([
      { kind: "imm", value: 58 },
      { kind: "imm", value: -42 },
      { kind: "imm", value: 255 },
      { kind: "imm", value: 4294967295 },
      { kind: "imm", value: -2147483648 },
      { kind: "reg", index: 0 },
      { kind: "reg", index: 63 },
      { kind: "imm", value: 7 },
    ]);
  });

  it("handles .DEF aliases with $name substitution, including alias-of-alias", () => {
    const p = parseProgram(
      ".DEF reps 100 # repetitions\n.DEF cnt R63\n.DEF again $reps\n move $reps,$cnt\n add $cnt,$again,$cnt\n",
    );
    expect(p.defines).toEqual({ reps: "100", cnt: "R63", again: "100" });
    expect(p.rows[0]).toEqual({
      line: 1,
      operands: [],
      directive: { name: "reps", value: "100", column: 1 },
      comment: "repetitions",
    });
    expect(p.rows[3]!.operands.map((o) => o.operand)).toEqual([
      { kind: "imm", value: 100 },
      { kind: "reg", index: 63 },
    ]);
    expect(p.rows[3]!.operands.map((o) => [o.text, o.column])).toEqual([
      ["$reps", 7],
      ["$cnt", 13],
    ]);
    expect(p.rows[4]!.operands.map((o) => o.operand)).toEqual([
      { kind: "reg", index: 63 },
      { kind: "imm", value: 100 },
      { kind: "reg", index: 63 },
    ]);
  });

  it("treats // comments and leading /* */ blocks as comments, and CRLF line ends", () => {
    const p = parseProgram(" nop // hi\r\n/* dropped */ play 0,0,4\r\n stop\r\n");
    expect(p.rows).toEqual([
      { line: 1, mnemonic: { name: "nop", column: 2 }, operands: [], comment: "hi" },
      { line: 2, operands: [] },
      { line: 3, mnemonic: { name: "stop", column: 2 }, operands: [] },
    ]);
  });

  it("returns no rows for empty text and one row per line otherwise", () => {
    expect(parseProgram("").rows).toEqual([]);
    expect(parseProgram("\n\n").rows).toEqual([
      { line: 1, operands: [] },
      { line: 2, operands: [] },
    ]);
  });

  it("converts rows to an instruction list that keeps labels, blanks and comments", () => {
    expect(toInstructions(parseProgram(".DEF n 3\nstart:\n\n move $n,R0 # it\n"))).toEqual([
      { label: "start", mnemonic: "", args: [], line: 2 },
      { mnemonic: "", args: [], line: 3 },
      {
        mnemonic: "move",
        args: [
          { kind: "imm", value: 3 },
          { kind: "reg", index: 0 },
        ],
        line: 4,
        comment: "it",
      },
    ]);
  });
});
