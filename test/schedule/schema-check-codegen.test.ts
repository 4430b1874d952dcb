/**
 * The code the certainly-valid check generates (src/core/schema-check.ts) on small hand-written
 * schemas: the guard's checks it leaves out where the schema implies them (composite-only subschemas,
 * enum / const literals, integers, "not empty" strings) still hold.
 */
import { describe, expect, it } from "vitest";
import { compileSchemaCheck } from "../../src/core/schema-check.js";

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

/** `levels` nested arrays around 1 */
const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);

describe("schema-check code generation", () => {
  it("a composite-only anyOf leaves the guard to its branches: reserved strings, keys and deep nesting still answer false", () => {
    const check = compileSchemaCheck({
      anyOf: [{ type: "string" }, obj({ a: { type: "string" }, b: true })],
    });
    expect(check("x")).toBe(true);
    expect(check({ a: "x" })).toBe(true);
    expect(check("toString")).toBe(false);
    expect(check({ a: "constructor" })).toBe(false);
    expect(check({ b: { hasOwnProperty: 1 } })).toBe(false);
    expect(check({ b: nested(200) })).toBe(false);
    expect(check({ b: nested(20) })).toBe(true);
    expect(check(Object.create({ inherited: 1 }))).toBe(false); // not a plain object
    expect(check(5)).toBe(false);
  });

  it("an empty allOf alone accepts only what the guard accepts", () => {
    const check = compileSchemaCheck({ allOf: [] });
    expect(check({ a: [1, "x"] })).toBe(true);
    expect(check({ toString: 1 })).toBe(false);
    expect(check(["valueOf"])).toBe(false);
    expect(check(Number.NaN)).toBe(false);
  });

  it("a discriminated oneOf (type object) dispatches on the tag; non-objects and unknown tags answer false", () => {
    const check = compileSchemaCheck({
      type: "object",
      discriminator: { propertyName: "type" },
      oneOf: [
        obj({ type: { type: "string", const: "A" }, x: { type: "number" } }, ["type"]),
        obj({ type: { type: "string", const: "B" }, y: { type: "string" } }, ["type"]),
      ],
    });
    expect(check({ type: "A", x: 1 })).toBe(true);
    expect(check({ type: "B", y: "q" })).toBe(true);
    expect(check({ type: "B", y: "__proto__" })).toBe(false);
    expect(check({ type: "A", x: Number.POSITIVE_INFINITY })).toBe(false);
    expect(check({ type: "C" })).toBe(false);
    expect(check([{ type: "A" }])).toBe(false);
    expect(check("A")).toBe(false);
    expect(check(null)).toBe(false);
  });

  it("enum and const literals imply the guard only when they are not reserved names themselves", () => {
    const plain = compileSchemaCheck({ type: "string", enum: ["start", "end"] });
    expect([plain("start"), plain("middle"), plain("toString")]).toEqual([true, false, false]);
    const reservedEnum = compileSchemaCheck({ type: "string", enum: ["constructor", "a"] });
    expect([reservedEnum("a"), reservedEnum("constructor")]).toEqual([true, false]);
    const reservedConst = compileSchemaCheck({ type: "string", const: "valueOf" });
    expect(reservedConst("valueOf")).toBe(false);
  });

  it("integers, numbers and strings keep their guard checks", () => {
    const int = compileSchemaCheck({ type: "integer" });
    expect([int(3), int(3.5), int(Number.POSITIVE_INFINITY), int(Number.NaN)]).toEqual([true, false, false, false]);
    const num = compileSchemaCheck({ type: "number" });
    expect([num(3.5), num(Number.NEGATIVE_INFINITY), num(Number.NaN)]).toEqual([true, false, false]);
    const either = compileSchemaCheck({ type: ["number", "string"] });
    expect([either(1), either("1 ns"), either("isPrototypeOf"), either(Number.NaN)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("minLength 1 is 'not empty'; other bounds count code points", () => {
    const one = compileSchemaCheck({ type: "string", minLength: 1 });
    expect([one(""), one("x"), one("\ud83d\ude00")]).toEqual([false, true, true]);
    const two = compileSchemaCheck({ type: "string", minLength: 2 });
    expect([two("ab"), two("\ud83d\ude00"), two("a")]).toEqual([true, false, false]);
    const zero = compileSchemaCheck({ type: "string", minLength: 0 });
    expect([zero(""), zero("toString")]).toEqual([true, false]);
    const max = compileSchemaCheck({ type: "string", maxLength: 1 });
    expect([max("\ud83d\ude00"), max("ab")]).toEqual([true, false]);
  });
});
