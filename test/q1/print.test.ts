import { describe, expect, it } from "vitest";
import { assemble } from "../../src/q1/assembler.js";
import { parseProgram, toInstructions } from "../../src/q1/parser.js";
import { printAligned, printProgram } from "../../src/q1/print.js";
import { imm, lbl, reg, type Instruction } from "../../src/q1/types.js";

const program: Instruction[] = [
  { mnemonic: "set_mrk", args: [imm(1)], comment: "set markers to 1 (init)" },
  { mnemonic: "wait_sync", args: [imm(4)] },
  { mnemonic: "move", args: [imm(256), reg(0)], comment: "iterator for loop with label start" },
  { label: "start", mnemonic: "", args: [] },
  { mnemonic: "set_awg_gain", args: [imm(-221), imm(3765)] },
  { mnemonic: "play", args: [imm(1), imm(0), imm(4)] },
  { mnemonic: "", args: [] },
  { mnemonic: "wait", args: [imm(65532)], comment: "auto generated wait (65532 ns)" },
  { mnemonic: "loop", args: [reg(0), lbl("start")] },
  { mnemonic: "stop", args: [] },
];

const printed = [
  " set_mrk 1 # set markers to 1 (init)",
  " wait_sync 4",
  " move 256,R0 # iterator for loop with label start",
  "start:",
  " set_awg_gain -221,3765",
  " play 1,0,4",
  "",
  " wait 65532 # auto generated wait (65532 ns)",
  " loop R0,@start",
  " stop",
  "",
].join("\n");

describe("print", () => {
  it("prints quantify's text form", () => {
    expect(printProgram(program)).toBe(printed);
  });

  it("round-trips print -> parse -> print and assembles the printed text", () => {
    expect(printProgram(toInstructions(parseProgram(printed)))).toBe(printed);
    const asm = assemble(printed, { moduleType: "QCM_RF" });
    expect(asm.labels).toEqual({ start: 3 });
    expect(asm.instructions.map((i) => [i.mnemonic, i.args])).toEqual([
      ["set_mrk", [imm(1)]],
      ["wait_sync", [imm(4)]],
      ["move", [imm(256), reg(0)]],
      ["set_awg_gain", [imm(-221), imm(3765)]],
      ["play", [imm(1), imm(0), imm(4)]],
      ["wait", [imm(65532)]],
      ["loop", [reg(0), imm(3)]],
      ["stop", []],
    ]);
    // resolved programs print with numeric targets and reassemble identically
    const again = assemble(printProgram(asm.instructions));
    expect(again.instructions.map((i) => [i.mnemonic, i.args])).toEqual(
      asm.instructions.map((i) => [i.mnemonic, i.args]),
    );
  });

  it("prints the column-aligned debug form", () => {
    expect(printAligned(program)).toBe(
      [
        "       set_mrk      1         # set markers to 1 (init)",
        "       wait_sync    4",
        "       move         256,R0    # iterator for loop with label start",
        "start:",
        "       set_awg_gain -221,3765",
        "       play         1,0,4",
        "",
        "       wait         65532     # auto generated wait (65532 ns)",
        "       loop         R0,@start",
        "       stop",
        "",
      ].join("\n"),
    );
    expect(printProgram(toInstructions(parseProgram(printAligned(program))))).toBe(printed);
  });
});
