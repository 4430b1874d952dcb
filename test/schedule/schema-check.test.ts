/**
 * The fast certainly-valid check (src/core/schema-check.ts) against the validators it stands in for:
 * whenever it answers true, the input guard passes and ajv accepts the document.
 * It must also answer true for the documents users write (the examples and the bench workloads), or
 * it would save nothing.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { workloadA, workloadB, workloadC, workloadD } from "../../bench/workloads.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { guardInput } from "../../src/core/input-guard.js";
import { SCHEDULE_FAST_AJV_OPTIONS } from "../../src/core/precompiled.js";
import { compileSchemaCheck } from "../../src/core/schema-check.js";
import { scheduleJsonSchema } from "../../src/schedule/parse.js";
import { mutate, scheduleInputArb, SCHEDULE_SEEDS } from "../fuzz/harness.js";
import { nestedLoops, schedule } from "../fixtures/bad-input.js";

const schema = scheduleJsonSchema();
const fast = compileSchemaCheck(schema);
// the first-error validator parse.ts decides validity with (small frames: 64 nested loops fit the stack)
const ajv = new Ajv2020({ ...SCHEDULE_FAST_AJV_OPTIONS }).compile(schema);

/** What the slow path decides: the guard, then ajv. */
function slowValid(doc: unknown): boolean {
  try {
    guardInput(doc, "schedule", (code, message, opts) => new Q1ForgeError(code, message, opts));
  } catch (e) {
    if (e instanceof Q1ForgeError) return false;
    throw e;
  }
  return ajv(doc);
}

const square = { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" };

describe("schema-check: the fast path of schedule validation", () => {
  it.each(SCHEDULE_SEEDS.map((s) => [s.name, s.doc] as const))("example %s is certainly valid", (_, doc) => {
    expect(slowValid(doc)).toBe(true);
    expect(fast(doc)).toBe(true);
  });

  it("the bench workloads (a)–(d) are certainly valid", () => {
    for (const make of [workloadA, workloadB, workloadC, workloadD]) {
      const doc = make();
      expect(fast(doc)).toBe(true);
      expect(slowValid(doc)).toBe(true);
    }
  });

  it("answers false for what the guard refuses: reserved names, non-finite numbers, deep nesting", () => {
    const ok = schedule([{ operation: square }]);
    expect(fast(ok)).toBe(true);
    expect(fast(schedule([{ operation: { ...square, clock: "constructor" } }]))).toBe(false);
    expect(fast(schedule([{ label: "toString", operation: square }]))).toBe(false);
    expect(fast(schedule([{ operation: { ...square, amp: NaN } }]))).toBe(false);
    expect(fast(schedule([{ operation: { ...square, amp: Infinity } }]))).toBe(false);
    expect(fast({ ...ok, resources: { valueOf: { freq: 1e9 } } })).toBe(false);
    const withProto = JSON.parse('{"name":"p","schedulables":[{"operation":"x"}],"__proto__":1}') as unknown;
    expect(fast(withProto)).toBe(false);
    // deep documents take the slow path (same outcome as before the fast path, NESTING_TOO_DEEP included)
    expect(fast(schedule(nestedLoops(20, square).items))).toBe(true);
    expect(fast(schedule(nestedLoops(64, square).items))).toBe(false);
    expect(slowValid(schedule(nestedLoops(64, square).items))).toBe(true);
    expect(fast(schedule(nestedLoops(67, square).items))).toBe(false);
    expect(slowValid(schedule(nestedLoops(67, square).items))).toBe(false);
  });

  it("answers false for schema errors: unknown fields, wrong types, unknown operation types, missing fields", () => {
    expect(fast(schedule([{ operation: { ...square, ampp: 1 } }]))).toBe(false);
    expect(fast(schedule([{ operation: { ...square, amp: "x", port: 3 } }]))).toBe(false);
    expect(fast(schedule([{ operation: { ...square, type: "SquarePulze" } }]))).toBe(false);
    const { port: _, ...noPort } = square;
    expect(fast(schedule([{ operation: noPort }]))).toBe(false);
    expect(fast(schedule([]))).toBe(false);
    expect(fast(schedule([{ operation: square, ref_pt: "middle" }]))).toBe(false);
    expect(fast(schedule([{ operation: square, label: "" }]))).toBe(false);
    expect(fast({ ...schedule([{ operation: square }]), repetitions: 0 })).toBe(false);
    expect(fast({ ...schedule([{ operation: square }]), repetitions: 1.5 })).toBe(false);
    expect(fast(schedule([{ operation: { ...square, amp: [0.5, 0.1, 0] } }]))).toBe(false);
    expect(fast(schedule([{ operation: { ...square, amp: [0.5, 0.1] } }]))).toBe(true);
    expect(fast(schedule([{ operation: { ...square, undefinedField: undefined } }]))).toBe(false);
  });

  it("never accepts what the guard or ajv refuses (mutated examples, 3,000 inputs)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(scheduleInputArb, ({ seed, muts }) => {
        const doc = mutate(SCHEDULE_SEEDS[seed]!.doc, muts);
        if (!fast(doc)) return;
        accepted++;
        expect(slowValid(doc)).toBe(true);
      }),
      { numRuns: 3000, seed: 20261201 },
    );
    // the property is not vacuous: many mutations (numbers in number fields, duplicates…) stay valid
    expect(accepted).toBeGreaterThan(300);
  });

  it("agrees with the slow path on every mutated example it accepts or the slow path accepts", () => {
    let agree = 0;
    let fastOnlyFalse = 0;
    fc.assert(
      fc.property(scheduleInputArb, ({ seed, muts }) => {
        const doc = mutate(SCHEDULE_SEEDS[seed]!.doc, muts);
        const f = fast(doc);
        const s = slowValid(doc);
        if (f) expect(s).toBe(true);
        if (f === s) agree++;
        else fastOnlyFalse++;
      }),
      { numRuns: 2000, seed: 7 },
    );
    // documents the fast path hands to the slow path although valid: only very deep nesting
    expect(fastOnlyFalse).toBeLessThanOrEqual(agree / 20);
  });
});
