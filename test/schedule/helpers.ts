import { expect } from "vitest";
import type { WaveformPulse } from "../../src/schedule/model.js";

/** Element-wise comparison to 12 decimals (formulas are evaluated in floating point). */
export function expectSamples(actual: ArrayLike<number> | null, expected: number[]): void {
  expect(actual).not.toBeNull();
  expect(Array.from(actual!).length).toBe(expected.length);
  expected.forEach((v, k) => expect(actual![k]!).toBeCloseTo(v, 12));
}

const base = { name: "p", path: "/schedulables/0/operation", t0Ns: 0, port: "q0:mw", clock: "q0.01" };
/** A WaveformPulse with location fields filled in. */
export function pulse<T extends WaveformPulse["type"]>(
  p: { type: T; durationNs: number } & Omit<
    Extract<WaveformPulse, { type: T }>,
    "name" | "path" | "t0Ns" | "port" | "clock" | "type" | "durationNs"
  >,
): WaveformPulse {
  return { ...base, ...p } as unknown as WaveformPulse;
}
