/**
 * Pulse envelopes (quantify-scheduler waveform formulas, reference 2.7). Sample k is the value at
 * t_k = k·1 ns (formulas use seconds); a pulse of durationNs N has N samples. One function per pulse
 * type, all writing into preallocated Float64Arrays. `im` is null for pulses that are real by
 * construction (SquarePulse with a real amp, Ramp, Staircase, SoftSquare, SuddenNetZero, real
 * NumericalPulse, GaussPulse with phase 0); DRAG, Chirp and SkewedHermite are always complex.
 */
import { ResourceLimitError, ScheduleError } from "../core/errors.js";
import type { WaveformPulse } from "./model.js";

export interface SampledWaveform {
  re: Float64Array;
  im: Float64Array | null;
}

export type Interpolation = "linear" | "nearest" | "previous" | "next";

type PulseOf<T extends WaveformPulse["type"]> = Extract<WaveformPulse, { type: T }>;
type Sampler<T extends WaveformPulse["type"]> = (op: PulseOf<T>, n: number) => SampledWaveform;

const NS = 1e-9;
const DEG = Math.PI / 180;

function invalid(op: WaveformPulse, message: string, hint: string): ScheduleError {
  return new ScheduleError("INVALID_WAVEFORM_PARAMETER", `${op.type} "${op.name}": ${message}`, {
    path: op.path,
    hint,
  });
}

/** Rotate (re, im) in place by `phaseDeg` degrees: (re + i·im)·e^{i·phase}. */
function rotate(re: Float64Array, im: Float64Array, phaseDeg: number): void {
  if (phaseDeg === 0) return;
  const c = Math.cos(phaseDeg * DEG);
  const s = Math.sin(phaseDeg * DEG);
  for (let k = 0; k < re.length; k++) {
    const r = re[k]!;
    const i = im[k]!;
    re[k] = r * c - i * s;
    im[k] = r * s + i * c;
  }
}

const square: Sampler<"SquarePulse"> = (op, n) => ({
  re: new Float64Array(n).fill(op.amp),
  im: op.ampImag === 0 ? null : new Float64Array(n).fill(op.ampImag),
});

const ramp: Sampler<"RampPulse"> = (op, n) => {
  const re = new Float64Array(n);
  for (let k = 0; k < n; k++) re[k] = op.amp * (k / n) + op.offset; // amp/duration·t + offset
  return { re, im: null };
};

const staircase: Sampler<"StaircasePulse"> = (op, n) => {
  const re = new Float64Array(n);
  const step = (op.final_amp - op.start_amp) / (op.num_steps - 1);
  const lo = Math.min(op.start_amp, op.final_amp);
  const hi = Math.max(op.start_amp, op.final_amp);
  // floor(t·num_steps/duration) in exact integer arithmetic (t/duration = k/n)
  for (let k = 0; k < n; k++)
    re[k] = Math.max(Math.min(Math.floor((k * op.num_steps) / n) * step + op.start_amp, hi), lo);
  return { re, im: null };
};

/** square ⊛ hann(floor(N/2)) (mode "same") / sum(window); with a constant input this is a windowed partial sum. */
const softSquare: Sampler<"SoftSquarePulse"> = (op, n) => {
  const re = new Float64Array(n).fill(op.amp);
  if (n <= 1) return { re, im: null };
  const m = Math.floor(n / 2);
  const cum = new Float64Array(m + 1); // cum[j] = sum of window[0..j-1]
  for (let j = 0; j < m; j++) cum[j + 1] = cum[j]! + (m === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / (m - 1)));
  const total = cum[m]!;
  if (total === 0)
    throw invalid(
      op,
      `a ${n} ns soft square has an all-zero Hann window (length ${m}), so every sample would be NaN`,
      "use a duration of 1-3 ns or at least 6 ns",
    );
  const shift = Math.floor((m - 1) / 2); // start of the "same" slice in the full convolution
  for (let i = 0; i < n; i++) {
    const jLo = Math.max(0, i + shift - (n - 1));
    const jHi = Math.min(m - 1, i + shift);
    re[i] = (op.amp * (cum[jHi + 1]! - cum[jLo]!)) / total;
  }
  return { re, im: null };
};

const chirp: Sampler<"ChirpPulse"> = (op, n) => {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const c = (op.end_freq - op.start_freq) / (n * NS);
  for (let k = 0; k < n; k++) {
    const t = k * NS;
    const ph = 2 * Math.PI * ((c * t) / 2 + op.start_freq) * t;
    re[k] = op.amp * Math.cos(ph);
    im[k] = op.amp * Math.sin(ph);
  }
  return { re, im };
};

function gaussianSigma(op: PulseOf<"DRAGPulse"> | PulseOf<"GaussPulse">, n: number): number {
  if (op.sigma !== null && op.nr_sigma !== null)
    throw invalid(op, "both sigma and nr_sigma are set", "give either sigma (a time) or nr_sigma, not both");
  if (op.sigma !== null) return op.sigma;
  if (op.nr_sigma === null || !(op.nr_sigma > 0))
    throw invalid(op, "nr_sigma must be a positive number when sigma is null", "set nr_sigma (default 4) or sigma");
  return (n * NS) / (2 * op.nr_sigma);
}

/** G = G_amp·exp(−(t−μ)²/2σ²), D = −D_amp·(t−μ)/σ·G, each minus the average of its end points, rotated by phase. */
function dragSamples(op: PulseOf<"DRAGPulse"> | PulseOf<"GaussPulse">, n: number, dAmp: number): SampledWaveform {
  const sigma = gaussianSigma(op, n);
  if (!(sigma > 0)) throw invalid(op, `sigma must be positive, got ${sigma}`, "use a positive sigma");
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const mu = (n * NS) / 2;
  for (let k = 0; k < n; k++) {
    const x = k * NS - mu;
    const g = op.G_amp * Math.exp(-(0.5 * x * x) / (sigma * sigma));
    re[k] = g;
    im[k] = ((-dAmp * x) / sigma) * g;
  }
  if (n > 0) {
    const gOff = (re[0]! + re[n - 1]!) / 2;
    const dOff = (im[0]! + im[n - 1]!) / 2;
    for (let k = 0; k < n; k++) {
      re[k] = re[k]! - gOff;
      im[k] = im[k]! - dOff;
    }
  }
  rotate(re, im, op.phase);
  return { re, im };
}

const drag: Sampler<"DRAGPulse"> = (op, n) => dragSamples(op, n, op.D_amp);
const gauss: Sampler<"GaussPulse"> = (op, n) => {
  const w = dragSamples(op, n, 0);
  return op.phase === 0 ? { re: w.re, im: null } : w;
};

/** Part lengths are int(seconds/1 ns) as in quantify; the tiny epsilon keeps e.g. 3e-9/1e-9 = 2.9999999999999996 at 3. */
function samplesIn(seconds: number): number {
  return Math.floor(seconds / NS + 1e-6);
}

const suddenNetZero: Sampler<"SuddenNetZeroPulse"> = (op, n) => {
  const a = samplesIn(op.t_pulse / 2);
  const m = samplesIn(op.t_phi);
  const c = samplesIn(op.t_integral_correction);
  if (2 * a + m + c > n)
    throw invalid(
      op,
      `pulse parts (2·${a} + ${m} + ${c} samples) are longer than the pulse (${n} samples)`,
      "shorten t_pulse, t_phi or t_integral_correction",
    );
  const re = new Float64Array(n);
  for (let k = 0; k < a; k++) re[k] = op.amp_A;
  if (a > 0) re[a - 1] = op.amp_A * op.amp_B;
  for (let k = a + m; k < 2 * a + m; k++) re[k] = -op.amp_A * op.net_zero_A_scale;
  if (a > 0) re[a + m] = -op.amp_A * op.net_zero_A_scale * op.amp_B;
  if (c > 0) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += re[k]!;
    for (let k = 2 * a + m; k < 2 * a + m + c; k++) re[k] = -sum / c;
  }
  return { re, im: null };
};

const numerical: Sampler<"NumericalPulse"> = (op, n) => {
  const ts = op.t_samples;
  const dt = ts[1]! - ts[0]!;
  if (0 < ts[0]! - dt || (n - 1) * NS > ts[ts.length - 1]! + dt) {
    throw invalid(
      op,
      `sample times must cover 0 … ${n - 1} ns (t_samples span ${ts[0]} … ${ts[ts.length - 1]} s)`,
      "let t_samples start at 0",
    );
  }
  const re = new Float64Array(n);
  interpolateInto(ts, op.samples_re, op.interpolation, NS, re);
  let im: Float64Array | null = null;
  if (op.samples_im !== null) {
    im = new Float64Array(n);
    interpolateInto(ts, op.samples_im, op.interpolation, NS, im);
  }
  return { re, im };
};

const skewedHermite: Sampler<"SkewedHermitePulse"> = (op, n) => {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const duration = n * NS;
  const T = duration / 6;
  const h = 0.956;
  const center = duration / 2;
  for (let k = 0; k < n; k++) {
    const x = (k * NS - center) / T;
    const e = Math.exp(-(x * x));
    re[k] = op.amplitude * (1 - h * x * x) * e;
    im[k] = op.amplitude * (op.skewness / Math.PI) * (x / T) * (h + 1 - h * x * x) * e;
  }
  rotate(re, im, op.phase);
  return { re, im };
};

const SAMPLERS: { [T in WaveformPulse["type"]]: Sampler<T> } = {
  SquarePulse: square,
  RampPulse: ramp,
  StaircasePulse: staircase,
  SoftSquarePulse: softSquare,
  ChirpPulse: chirp,
  DRAGPulse: drag,
  GaussPulse: gauss,
  SuddenNetZeroPulse: suddenNetZero,
  NumericalPulse: numerical,
  SkewedHermitePulse: skewedHermite,
};

/**
 * Most samples q1forge computes for one pulse or one acquisition weight (2^20 = 1,048,576 ns, 8 MB per
 * path): 64× the 16,384-sample waveform memory of a sequencer, so a pulse longer than this can never
 * be uploaded; checked before any memory is allocated (WAVEFORM_TOO_LONG).
 */
export const MAX_SAMPLED_NS = 2 ** 20;

function checkSampleCount(n: number, name: string, type: string, path: string | null, what: string): void {
  if (n <= MAX_SAMPLED_NS) return;
  throw new ResourceLimitError(
    "WAVEFORM_TOO_LONG",
    `${type} "${name}" would need ${n} ${what} samples at 1 GS/s, more than the ${MAX_SAMPLED_NS} q1forge samples for one pulse (a sequencer holds 16384)`,
    {
      path,
      hint: "shorten the pulse; hold a constant level with a SquarePulse ≥ 100 ns (played through offsets) or repeat a short pulse in a LoopOperation",
    },
  );
}

/** Sample a pulse envelope at 1 GS/s: N = op.durationNs samples. */
export function sampleWaveform(op: WaveformPulse): SampledWaveform {
  checkSampleCount(op.durationNs, op.name, op.type, op.path, "waveform");
  const sampler = SAMPLERS[op.type] as Sampler<WaveformPulse["type"]>;
  return sampler(op as never, op.durationNs);
}

/** Parameter checks that need no sampling (run by normalize.ts, so errors surface at the timing stage). */
export function checkWaveformParams(op: WaveformPulse): void {
  if (op.type === "NumericalPulse") checkSampleCount(op.durationNs, op.name, op.type, op.path, "waveform");
  if (op.type === "DRAGPulse" || op.type === "GaussPulse") {
    gaussianSigma(op, op.durationNs);
  } else if (op.type === "SoftSquarePulse") {
    if (op.durationNs === 4 || op.durationNs === 5) softSquare(op, op.durationNs);
  } else if (op.type === "SuddenNetZeroPulse") {
    suddenNetZero(op, op.durationNs);
  } else if (op.type === "NumericalPulse") {
    const ts = op.t_samples;
    for (let i = 1; i < ts.length; i++) {
      if (!(ts[i]! > ts[i - 1]!))
        throw invalid(
          op,
          `t_samples must be strictly increasing (index ${i}: ${ts[i]} after ${ts[i - 1]})`,
          "sort t_samples and remove duplicates",
        );
    }
    numerical({ ...op, samples_im: null }, op.durationNs);
  }
}

/**
 * scipy interp1d(ts, ys, kind, fill_value="extrapolate") evaluated at t_k = k·dt for k < out.length.
 * `ts` must be strictly increasing. Tie rules follow scipy: nearest picks the lower neighbour at a
 * midpoint, previous/next include an exactly matching sample.
 */
export function interpolateInto(
  ts: ArrayLike<number>,
  ys: ArrayLike<number>,
  kind: Interpolation,
  dt: number,
  out: Float64Array,
): void {
  const m = ts.length;
  let below = 0; // number of ts[j] < t
  let atOrBelow = 0; // number of ts[j] <= t
  let mids = 0; // number of midpoints < t (nearest)
  for (let k = 0; k < out.length; k++) {
    const t = k * dt;
    while (below < m && ts[below]! < t) below++;
    while (atOrBelow < m && ts[atOrBelow]! <= t) atOrBelow++;
    switch (kind) {
      case "linear": {
        const hi = Math.min(Math.max(below, 1), m - 1);
        const lo = hi - 1;
        const slope = (ys[hi]! - ys[lo]!) / (ts[hi]! - ts[lo]!);
        out[k] = slope * (t - ts[lo]!) + ys[lo]!;
        break;
      }
      case "nearest":
        while (mids < m - 1 && ts[mids]! / 2 + ts[mids + 1]! / 2 < t) mids++;
        out[k] = ys[mids]!;
        break;
      case "previous":
        out[k] = ys[Math.max(atOrBelow, 1) - 1]!;
        break;
      case "next":
        out[k] = ys[Math.min(below, m - 1)]!;
        break;
    }
  }
}

/** Acquisition weights given at `rate` (S/s) resampled to 1 GS/s, `durationNs` samples. */
export function sampleWeights(
  weights: readonly number[],
  rate: number,
  durationNs: number,
  kind: Interpolation,
  where: { name: string; type: string; path: string | null } = { name: "weights", type: "weights", path: null },
): number[] {
  checkSampleCount(durationNs, where.name, where.type, where.path, "weight");
  if (rate === 1e9 && weights.length === durationNs) return weights.slice();
  if (weights.length === 1) return new Array<number>(durationNs).fill(weights[0]!);
  const ts = new Float64Array(weights.length);
  for (let i = 0; i < weights.length; i++) ts[i] = i / rate;
  const out = new Float64Array(durationNs);
  interpolateInto(ts, weights, kind, NS, out);
  return Array.from(out);
}
