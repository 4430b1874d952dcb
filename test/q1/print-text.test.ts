import { describe, expect, it } from "vitest";
import { printProgram } from "../../src/q1/print.js";
import { imm, lbl, reg } from "../../src/q1/types.js";

describe("printProgram text", () => {
  it("prints integers, registers, labels and non-ASCII comments exactly", () => {
    const text = printProgram([
      { mnemonic: "move", args: [imm(-2147483648), reg(63)], comment: "π/2 pulse → µs" },
      { label: "loop7", mnemonic: "play", args: [imm(0), imm(1), imm(4)] },
      { mnemonic: "loop", args: [reg(0), lbl("loop7")], comment: "ünïcode" },
      { mnemonic: "set_freq", args: [imm(4294967295)] },
      { mnemonic: "stop", args: [] },
    ]);
    expect(text).toBe(
      " move -2147483648,R63 # π/2 pulse → µs\nloop7: play 0,1,4\n loop R0,@loop7 # ünïcode\n set_freq 4294967295\n stop\n",
    );
  });
});
