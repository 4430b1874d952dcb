/**
 * The emit phase's last check (src/compiler/3-emit/final-check.ts): a program that does not assemble
 * is a typed error naming the line, the instruction and the operation it was emitted for.
 */
import { describe, expect, it } from "vitest";
import { checkProgramAssembles } from "../../src/compiler/3-emit/final-check.js";
import type { IrNode } from "../../src/compiler/ir/nodes.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { imm } from "../../src/q1/types.js";
import type { Instruction } from "../../src/q1/types.js";

const ins = (mnemonic: Instruction["mnemonic"], args: Instruction["args"]): Instruction => ({
  label: undefined,
  mnemonic,
  args,
  comment: undefined,
});
const nodes = [
  {
    kind: "op",
    id: 7,
    startNs: 0,
    label: null,
    op: { type: "IdlePulse", name: "long idle", path: "/schedulables/3/operation", durationNs: 70000 },
  },
] as unknown as IrNode[];

describe("final check of the emit phase", () => {
  it("a wait of 70000 ns (over 65535) → PROGRAM_DOES_NOT_ASSEMBLE naming the line and the operation", () => {
    let caught: unknown;
    try {
      checkProgramAssembles(
        [ins("wait", [imm(70000)]), ins("stop", [])],
        [7, -1],
        nodes,
        "seq0 (q0:mw-q0.01)",
        "error",
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Q1ForgeError);
    const e = caught as Q1ForgeError;
    expect(e.code).toBe("PROGRAM_DOES_NOT_ASSEMBLE");
    expect(e.path).toBe("/schedulables/3/operation");
    expect(e.message).toMatch(
      /^the program of seq0 \(q0:mw-q0\.01\) does not assemble at line 1 \(`wait 70000`\), emitted for "long idle": /,
    );
  });

  it("a valid program passes; too many instructions pass only with instructionLimit warn", () => {
    expect(() =>
      checkProgramAssembles([ins("wait", [imm(4)]), ins("stop", [])], [-1, -1], [], "s", "error"),
    ).not.toThrow();
    const many = [...Array.from({ length: 16384 }, () => ins("nop", [])), ins("stop", [])];
    expect(() => checkProgramAssembles(many, [], [], "s", "warn")).not.toThrow();
    expect(() => checkProgramAssembles(many, [], [], "s", "error")).toThrow(Q1ForgeError);
  });
});
