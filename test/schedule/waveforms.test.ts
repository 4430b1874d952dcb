import { describe, expect, it } from "vitest";
import { ScheduleError } from "../../src/core/errors.js";
import { interpolateInto, sampleWaveform, sampleWeights } from "../../src/schedule/waveforms.js";
import { expectSamples, pulse } from "./helpers.js";

describe("sampleWaveform (reference 2.7, t_k = k ns)", () => {
  it("square: amp on every sample, im only for a complex amp", () => {
    const real = sampleWaveform(pulse({ type: "SquarePulse", durationNs: 4, amp: 0.25, ampImag: 0 }));
    expectSamples(real.re, [0.25, 0.25, 0.25, 0.25]);
    expect(real.im).toBeNull();
    const complex = sampleWaveform(pulse({ type: "SquarePulse", durationNs: 3, amp: 0.1, ampImag: -0.2 }));
    expectSamples(complex.re, [0.1, 0.1, 0.1]);
    expectSamples(complex.im, [-0.2, -0.2, -0.2]);
  });

  it("ramp: amp/duration·t + offset", () => {
    const w = sampleWaveform(pulse({ type: "RampPulse", durationNs: 4, amp: 1, offset: 0.1 }));
    expectSamples(w.re, [0.1, 0.35, 0.6, 0.85]);
    expect(w.im).toBeNull();
  });

  it("staircase: floor(t·num_steps/duration)·step + start", () => {
    const up = sampleWaveform(
      pulse({ type: "StaircasePulse", durationNs: 6, start_amp: 0, final_amp: 1, num_steps: 3 }),
    );
    expectSamples(up.re, [0, 0, 0.5, 0.5, 1, 1]);
    const down = sampleWaveform(
      pulse({ type: "StaircasePulse", durationNs: 4, start_amp: 0.4, final_amp: -0.2, num_steps: 4 }),
    );
    expectSamples(down.re, [0.4, 0.2, 0, -0.2]);
  });

  it("soft square: square ⊛ hann(N/2), mode same, normalised (scipy values)", () => {
    expectSamples(
      sampleWaveform(pulse({ type: "SoftSquarePulse", durationNs: 8, amp: 1 })).re,
      [0.5, 1, 1, 1, 1, 1, 1, 1],
    );
    expectSamples(sampleWaveform(pulse({ type: "SoftSquarePulse", durationNs: 3, amp: 0.3 })).re, [0.3, 0.3, 0.3]);
    expectSamples(sampleWaveform(pulse({ type: "SoftSquarePulse", durationNs: 1, amp: 0.3 })).re, [0.3]);
    // N = 12: hann(6) = [0, 0.3455, 0.9045, 0.9045, 0.3455, 0] (sum 2.5); the "same" slice starts at index 2 of the full convolution
    expectSamples(
      sampleWaveform(pulse({ type: "SoftSquarePulse", durationNs: 12, amp: 1 })).re,
      [0.5, 0.8618033988749895, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.8618033988749895],
    );
  });

  it("soft square of 4 or 5 ns: all-zero window is an error naming the operation", () => {
    expect(() => sampleWaveform(pulse({ type: "SoftSquarePulse", durationNs: 4, amp: 1 }))).toThrow(
      /all-zero Hann window/,
    );
  });

  it("chirp: amp·exp(i2π(c·t/2 + f0)·t), c = (f1 − f0)/duration", () => {
    const w = sampleWaveform(pulse({ type: "ChirpPulse", durationNs: 4, amp: 1, start_freq: 0, end_freq: 1e8 }));
    expectSamples(w.re, [1, 0.996917333733128, 0.9510565162951535, 0.7604059656000308]);
    expectSamples(w.im, [0, 0.07845909572784494, 0.3090169943749474, 0.6494480483301838]);
  });

  const dragRe = [
    -0.005386766955169892, 0.005386766955169893, 0.1296130536535403, 0.6008084301295611, 0.9942777704169276,
    0.6008084301295611, 0.12961305365354017, 0.005386766955169893,
  ];
  const dragIm = [
    0.008667210031584237, 0.02465977958314266, 0.1433315680123919, 0.31126161463209595, 0.007996284775779213,
    -0.2952690450805375, -0.12733899846083338, -0.008667210031584235,
  ];

  it("DRAG: nr_sigma 4, offsets subtracted (numpy values)", () => {
    const w = sampleWaveform(
      pulse({ type: "DRAGPulse", durationNs: 8, G_amp: 1, D_amp: 0.5, phase: 0, sigma: null, nr_sigma: 4 }),
    );
    expectSamples(w.re, dragRe);
    expectSamples(w.im, dragIm);
  });

  it("DRAG: explicit sigma equals nr_sigma form; phase 90 rotates (re, im) → (−im, re)", () => {
    const w = sampleWaveform(
      pulse({ type: "DRAGPulse", durationNs: 8, G_amp: 1, D_amp: 0.5, phase: 90, sigma: 1e-9, nr_sigma: null }),
    );
    expectSamples(
      w.re,
      dragIm.map((v) => -v),
    );
    expectSamples(w.im, dragRe);
  });

  it("DRAG with both sigma and nr_sigma → INVALID_WAVEFORM_PARAMETER naming the path", () => {
    const op = pulse({ type: "DRAGPulse", durationNs: 8, G_amp: 1, D_amp: 0.5, phase: 0, sigma: 1e-9, nr_sigma: 4 });
    try {
      sampleWaveform(op);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleError);
      expect((e as ScheduleError).code).toBe("INVALID_WAVEFORM_PARAMETER");
      expect((e as ScheduleError).path).toBe("/schedulables/0/operation");
      expect((e as ScheduleError).message).toBe('DRAGPulse "p": both sigma and nr_sigma are set');
    }
  });

  it("Gauss: DRAG with D_amp 0; real when phase is 0", () => {
    const w = sampleWaveform(
      pulse({ type: "GaussPulse", durationNs: 8, G_amp: 1, phase: 0, sigma: null, nr_sigma: 4 }),
    );
    expectSamples(w.re, dragRe);
    expect(w.im).toBeNull();
  });

  it("sudden net zero: quantify docstring example", () => {
    const w = sampleWaveform(
      pulse({
        type: "SuddenNetZeroPulse",
        durationNs: 12,
        amp_A: 1,
        amp_B: 0.5,
        net_zero_A_scale: 0.8,
        t_pulse: 5e-9,
        t_phi: 2.6e-9,
        t_integral_correction: 4.4e-9,
      }),
    );
    expectSamples(w.re, [1, 0.5, 0, 0, -0.4, -0.8, -0.075, -0.075, -0.075, -0.075, 0, 0]);
    expect(w.im).toBeNull();
  });

  it("sudden net zero longer than the pulse → error", () => {
    const op = pulse({
      type: "SuddenNetZeroPulse",
      durationNs: 6,
      amp_A: 1,
      amp_B: 1,
      net_zero_A_scale: 1,
      t_pulse: 4e-9,
      t_phi: 2e-9,
      t_integral_correction: 2e-9,
    });
    expect(() => sampleWaveform(op)).toThrow(
      'SuddenNetZeroPulse "p": pulse parts (2·2 + 2 + 2 samples) are longer than the pulse (6 samples)',
    );
  });

  it("numerical pulse: scipy interp1d kinds (linear, nearest, previous, next)", () => {
    const make = (interpolation: "linear" | "nearest" | "previous" | "next") =>
      sampleWaveform(
        pulse({
          type: "NumericalPulse",
          durationNs: 4,
          samples_re: [0, 1, 0.5],
          samples_im: null,
          t_samples: [0, 2e-9, 4e-9],
          interpolation,
        }),
      ).re;
    expectSamples(make("linear"), [0, 0.5, 1, 0.75]);
    expectSamples(make("nearest"), [0, 0, 1, 1]);
    expectSamples(make("previous"), [0, 0, 1, 1]);
    expectSamples(make("next"), [0, 1, 1, 0.5]);
  });

  it("numerical pulse: complex samples interpolate re and im separately", () => {
    const w = sampleWaveform(
      pulse({
        type: "NumericalPulse",
        durationNs: 2,
        samples_re: [0, 1, 2],
        samples_im: [1, 0, 0],
        t_samples: [0, 1e-9, 2e-9],
        interpolation: "linear",
      }),
    );
    expectSamples(w.re, [0, 1]);
    expectSamples(w.im, [1, 0]);
  });

  it("numerical pulse whose times do not cover t = 0 → error", () => {
    const op = pulse({
      type: "NumericalPulse",
      durationNs: 4,
      samples_re: [0, 1, 0],
      samples_im: null,
      t_samples: [5e-9, 7e-9, 9e-9],
      interpolation: "linear",
    });
    expect(() => sampleWaveform(op)).toThrow(/sample times must cover 0 … 3 ns/);
  });

  it("skewed hermite (numpy values)", () => {
    const w = sampleWaveform(
      pulse({ type: "SkewedHermitePulse", durationNs: 6, amplitude: 1, skewness: 1e-9, phase: 0 }),
    );
    expectSamples(
      w.re,
      [
        -0.0009384081502751113, -0.051723364221785265, 0.016186695411543307, 1, 0.016186695411543647,
        -0.05172336422178538,
      ],
    );
    expectSamples(
      w.im,
      [
        0.0007834513904571011, 0.021781062802690647, -0.11709966304863824, 0, 0.11709966304863843,
        -0.021781062802690678,
      ],
    );
  });
});

describe("interpolation helpers", () => {
  it("sampleWeights resamples to 1 GS/s with linear extrapolation", () => {
    expectSamples(sampleWeights([0, 1, 2], 5e8, 6, "linear"), [0, 0.5, 1, 1.5, 2, 2.5]);
    expect(sampleWeights([0.5, 0.25], 1e9, 2, "linear")).toEqual([0.5, 0.25]);
  });

  it("interpolateInto clamps previous/next outside the sample range", () => {
    const out = new Float64Array(5);
    interpolateInto([1e-9, 2e-9], [3, 4], "previous", 1e-9, out);
    expect(Array.from(out)).toEqual([3, 3, 4, 4, 4]);
    interpolateInto([1e-9, 2e-9], [3, 4], "next", 1e-9, out);
    expect(Array.from(out)).toEqual([3, 3, 4, 4, 4]);
  });
});
