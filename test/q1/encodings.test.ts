import { describe, expect, it } from "vitest";
import { FrequencyError, ValueRangeError } from "../../src/core/errors.js";
import {
  decodeFrequency,
  decodeGain,
  decodePhase,
  encodeFrequency,
  encodeGain,
  encodeOffset,
  encodePhase,
  roundHalfEven,
} from "../../src/q1/encodings.js";

describe("gain / offset", () => {
  it.each([
    [0.25, 8192],
    [0.1, 3277],
    [1.0, 32767],
    [-1, -32768],
    [0, 0],
    [0.5, 16384],
    [0.3, 9830],
    [-0.5, -16384],
    [0.1149, 3765],
  ])("encodeGain(%d) = %i", (v, i) => {
    expect(encodeGain(v, "gain")).toBe(i);
    expect(encodeOffset(v, "offset")).toBe(i);
  });

  it("rounds ties to even like Python's round()", () => {
    // 2.5/32768 * 32768 = 2.5 -> 2 ; 3.5 -> 4 ; -2.5 -> -2
    expect(encodeGain(2.5 / 32768, "g")).toBe(2);
    expect(encodeGain(3.5 / 32768, "g")).toBe(4);
    expect(encodeGain(-2.5 / 32768, "g")).toBe(-2);
    expect([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(-1.5), roundHalfEven(2.4999)]).toEqual([0, 2, -2, 2]);
  });

  it("rejects values outside -1..1 with a ValueRangeError naming the parameter", () => {
    expect(() => encodeGain(1.0001, "awg_gain_0 of X q0")).toThrow(ValueRangeError);
    try {
      encodeOffset(-2, "awg_offset_1");
    } catch (e) {
      const err = e as ValueRangeError;
      expect([err.code, err.path, err.message]).toEqual([
        "OFFSET_OUT_OF_RANGE",
        "awg_offset_1",
        "awg_offset_1 is -2; it must be within -1.0..1.0 (normalised to the output range).",
      ]);
    }
    expect(() => encodeGain(Number.NaN, "g")).toThrow(ValueRangeError);
  });

  it("decodes", () => {
    expect(decodeGain(8192)).toBe(0.25);
    expect(decodeGain(-32768)).toBe(-1);
    expect(decodeGain(32767)).toBe(32767 / 32768);
  });
});

describe("frequency", () => {
  it.each([
    [1e6, 4_000_000],
    [200e6, 800_000_000],
    [-50e6, -200_000_000],
    [500e6, 2_000_000_000],
    [-500e6, -2_000_000_000],
    [0.125, 0],
    [0.375, 2],
    [12.3, 49],
  ])("encodeFrequency(%d) = %i", (hz, steps) => {
    expect(encodeFrequency(hz)).toBe(steps);
  });

  it("rejects |f| > 500 MHz with a FrequencyError naming the value", () => {
    expect(() => encodeFrequency(500.0000002e6)).toThrow(FrequencyError);
    try {
      encodeFrequency(-600e6, "q0:mw-q0.01 NCO");
    } catch (e) {
      const err = e as FrequencyError;
      expect([err.code, err.message]).toEqual([
        "NCO_FREQUENCY_OUT_OF_RANGE",
        "q0:mw-q0.01 NCO -600000000 Hz is outside the NCO range -5e8..5e8 Hz.",
      ]);
    }
  });

  it("decodes", () => {
    expect(decodeFrequency(800_000_000)).toBe(200e6);
    expect(decodeFrequency(1)).toBe(0.25);
  });
});

describe("phase", () => {
  it.each([
    [0, 0],
    [45, 125_000_000],
    [90, 250_000_000],
    [180, 500_000_000],
    [-90, 750_000_000],
    [360, 0],
    [720 + 45, 125_000_000],
    [359.99999999999, 0],
    [1, 2_777_778],
    [0.00000018, 0],
    [0.00000055, 2],
    [0.00000054, 1],
  ])("encodePhase(%d) = %i", (deg, steps) => {
    expect(encodePhase(deg)).toBe(steps);
  });

  it("decodes", () => {
    expect(decodePhase(250_000_000)).toBe(90);
    expect(decodePhase(750_000_000)).toBe(270);
  });
});
