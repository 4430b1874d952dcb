import { describe, expect, it } from "vitest";
import { InputParseError } from "../src/core/errors.js";
import { toSI } from "../src/core/units.js";

describe("toSI", () => {
  it("reads plain numbers and common unit strings exactly as mathjs does", () => {
    expect(toSI(1.2e-7, "time", "/t")).toBe(1.2e-7);
    expect(toSI("7.4 GHz", "frequency", "/f")).toBe(7.4e9);
    expect(toSI("120 ns", "time", "/t")).toBe(120 * 1e-9);
    expect(toSI("20ns", "time", "/t")).toBe(20 * 1e-9);
    expect(toSI("-3.3 kHz", "frequency", "/f")).toBe(-3300);
    expect(toSI("50 mV", "voltage", "/v")).toBe(0.05);
    expect(toSI("90 deg", "angle", "/a")).toBe(90);
    expect(toSI("4 µs", "time", "/t")).toBe(4e-6);
  });
  it("falls back to mathjs for other units and expressions", () => {
    expect(toSI("1 minute", "time", "/t")).toBe(60);
    expect(toSI("3.141592653589793 rad", "angle", "/a")).toBeCloseTo(180, 12);
  });
  it("names the path and the expected unit on bad input", () => {
    expect(() => toSI("7 parsecs", "time", "/schedulables/0/rel_time")).toThrow(InputParseError);
    try {
      toSI("7 V", "time", "/schedulables/0/rel_time");
    } catch (e) {
      expect((e as InputParseError).path).toBe("/schedulables/0/rel_time");
      expect((e as InputParseError).message).toBe('quantity "7 V" is not a time');
    }
  });
});
