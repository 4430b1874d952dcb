/**
 * Software distortion corrections (reference 1.3, 3.1 f.3): the sampled waveform of every pulse on
 * the port-clock is passed through a filter and optionally clipped, before normalisation. quantify
 * calls a Python function by name; we implement the supported names natively.
 */
import { HardwareConfigError } from "../../../core/errors.js";
import type { HardwareSetup } from "../../../hardware/setup.js";
import { clip, lfilter } from "./lfilter.js";

/** Highest filter sampling rate: waveforms resampled to it stay within 64× their 1 GS/s length (issue 9). */
const MAX_FILTER_RATE = 64e9;

export type SampleFilter = (x: Float64Array) => Float64Array;

/** filter_func values we implement: quantify's scipy name and two native aliases. */
export const SUPPORTED_FILTER_FUNCS = ["scipy.signal.lfilter", "fir", "iir"] as const;

export function hasSoftwareCorrection(hw: HardwareSetup, portClock: string): boolean {
  return hw.model.portClock(portClock).distortion?.kind === "software";
}

/** The filter of a port-clock's software correction, or null when it has none. */
export function softwareFilter(hw: HardwareSetup, portClock: string): SampleFilter | null {
  const distortion = hw.model.portClock(portClock).distortion;
  if (distortion?.kind !== "software") return null;
  const c = distortion.correction;
  const path = `/hardware_options/distortion_corrections/${portClock}`;
  const fail = (code: string, message: string, field: string, hint: string): never => {
    throw new HardwareConfigError(code, `software distortion correction of ${portClock}: ${message}`, {
      path: `${path}/${field}`,
      hint,
    });
  };
  if (!(SUPPORTED_FILTER_FUNCS as readonly string[]).includes(c.filter_func)) {
    fail(
      "UNSUPPORTED_FILTER_FUNC",
      `filter_func '${c.filter_func}' is not supported`,
      "filter_func",
      `supported filter_func values: ${SUPPORTED_FILTER_FUNCS.join(", ")} (kwargs.b, and kwargs.a for IIR)`,
    );
  }
  if (c.filter_func === "scipy.signal.lfilter" && c.input_var_name !== "x") {
    fail(
      "BAD_FILTER_ARGUMENT",
      `input_var_name is '${c.input_var_name}', but scipy.signal.lfilter takes the samples as 'x'`,
      "input_var_name",
      'set "input_var_name": "x"',
    );
  }
  const fs = c.sampling_rate ?? 1e9;
  if (!(Number.isFinite(fs) && fs > 0)) {
    fail(
      "BAD_SAMPLING_RATE",
      `sampling_rate ${c.sampling_rate} S/s must be a positive number`,
      "sampling_rate",
      "the filter's sampling rate in S/s, e.g. 1e9",
    );
  }
  // waveforms are resampled to fs before filtering: bound that before any sample is allocated
  if (fs > MAX_FILTER_RATE) {
    fail(
      "BAD_SAMPLING_RATE",
      `sampling_rate ${c.sampling_rate} S/s is over the ${MAX_FILTER_RATE} S/s q1forge resamples waveforms to (64 × 1 GS/s)`,
      "sampling_rate",
      "give the filter's own sampling rate in S/s, e.g. 1e9 or 2.4e9",
    );
  }
  const b = numberList(c.kwargs["b"]);
  if (!b || b.length === 0)
    fail(
      "BAD_FILTER_ARGUMENT",
      "kwargs.b must be a non-empty list of numbers",
      "kwargs/b",
      'e.g. "kwargs": {"b": [0.5, 0.5], "a": [1]}',
    );
  const a = c.filter_func === "fir" ? [1] : c.kwargs["a"] === undefined ? [1] : numberList(c.kwargs["a"]);
  if (!a || a.length === 0 || a[0] === 0)
    fail("BAD_FILTER_ARGUMENT", "kwargs.a must be a list of numbers with a[0] ≠ 0", "kwargs/a", 'e.g. "a": [1, -0.9]');
  const extra = Object.keys(c.kwargs).filter((k) => k !== "a" && k !== "b");
  if (extra.length > 0)
    fail("BAD_FILTER_ARGUMENT", `unsupported kwargs ${extra.join(", ")}`, "kwargs", "only b and a are supported");
  const clipping = c.clipping_values ?? null;
  if (clipping && !(clipping[0] <= clipping[1]))
    fail(
      "BAD_FILTER_ARGUMENT",
      `clipping_values [${clipping.join(", ")}] has min > max`,
      "clipping_values",
      "give [min, max]",
    );
  const filter = (x: Float64Array): Float64Array => {
    const y = lfilter(b!, a!, x);
    return clipping ? clip(y, clipping[0], clipping[1]) : y;
  };
  if (fs === 1e9) return filter;
  // The filter is designed for `fs`: resample the 1 GS/s samples to fs (linear interpolation),
  // filter there, and resample the result back onto the 1 ns grid.
  return (x) => {
    const m = Math.max(1, Math.round((x.length * fs) / 1e9));
    const atFs = resample(x, 1e9 / fs, m);
    return resample(filter(atFs), fs / 1e9, x.length);
  };
}

/** `count` samples of `x` at positions i·step (in units of x's sample spacing), linear, clamped at the ends. */
export function resample(x: Float64Array, step: number, count: number): Float64Array {
  const y = new Float64Array(count);
  const last = x.length - 1;
  for (let i = 0; i < count; i++) {
    const p = i * step;
    if (p >= last) {
      y[i] = x[last]!;
      continue;
    }
    const k = Math.floor(p);
    const f = p - k;
    y[i] = x[k]! + f * (x[k + 1]! - x[k]!);
  }
  return y;
}

function numberList(v: unknown): number[] | null {
  return Array.isArray(v) && v.every((e) => typeof e === "number" && Number.isFinite(e)) ? (v as number[]) : null;
}
