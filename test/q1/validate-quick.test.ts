/**
 * validateInstructions' quick path (assembler.ts quickValid) accepts exactly what the full check
 * accepts: random rows of every mnemonic, with operands of every kind and values at and around each
 * slot's range, give the same pass/fail as assembleInstructions (the located, full check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assembleInstructions } from "../../src/q1/assembler.js";
import { validateInstructions } from "../../src/q1/validate-quick.js";
import { INSTRUCTION_SPECS } from "../../src/q1/instructions.js";
import { imm, lbl, reg, type Instruction, type Operand } from "../../src/q1/types.js";

const VALUES = [
  0,
  1,
  3,
  4,
  5,
  63,
  64,
  65535,
  65536,
  16383,
  16384,
  -1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  0.5,
  NaN,
];

const operandArb: fc.Arbitrary<Operand> = fc.oneof(
  fc.constantFrom(...VALUES).map((v) => imm(v)),
  fc
    .constantFrom(0, 5, 63, 64, -1, 1.5)
    .map((r) => (r >= 0 && r <= 63 && Number.isInteger(r) ? reg(r) : { kind: "reg" as const, index: r })),
  fc.constantFrom("start", "", "nowhere").map((n) => lbl(n)),
);

const rowArb = fc.record({
  spec: fc.constantFrom(...INSTRUCTION_SPECS),
  args: fc.array(operandArb, { minLength: 0, maxLength: 4 }),
  isa: fc.constantFrom(1 as const, 2 as const),
});

function passes(f: () => void): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

describe("validateInstructions quick path", () => {
  it("agrees with assembleInstructions on 20,000 random rows", () => {
    let accepted = 0;
    fc.assert(
      fc.property(rowArb, ({ spec, args, isa }) => {
        const program: Instruction[] = [
          { label: "start", mnemonic: "nop", args: [] },
          { mnemonic: spec.mnemonic, args },
          { mnemonic: "stop", args: [] },
        ];
        const opts = { isa, maxInstructions: Infinity };
        const full = passes(() => assembleInstructions(program, opts));
        expect(passes(() => validateInstructions(program, opts))).toBe(full);
        if (full) accepted++;
      }),
      { numRuns: 20000, seed: 20261201 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});
