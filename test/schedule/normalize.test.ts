import { describe, expect, it } from "vitest";
import { TimingError } from "../../src/core/errors.js";
import { normalizePrimitive } from "../../src/schedule/normalize.js";
import type { PrimitiveSpec } from "../../src/schedule/schema.js";

const ctx = { path: "/schedulables/0/operation", name: "op" };
const norm = (spec: Record<string, unknown>) => normalizePrimitive(spec as PrimitiveSpec, ctx);

describe("normalizePrimitive: units and defaults", () => {
  it("parses unit strings for time, frequency, angle and voltage", () => {
    expect(
      norm({
        type: "ChirpPulse",
        amp: "100 mV",
        duration: "1.2 us",
        port: "p",
        clock: "c",
        start_freq: "-50 MHz",
        end_freq: "0.05 GHz",
        t0: "8 ns",
      }),
    ).toEqual({
      type: "ChirpPulse",
      name: "op",
      path: ctx.path,
      t0Ns: 8,
      port: "p",
      clock: "c",
      durationNs: 1200,
      amp: 0.1,
      start_freq: -5e7,
      end_freq: 5e7,
    });
    expect(norm({ type: "ShiftClockPhase", clock: "q0.01", phase_shift: "90 deg" })).toMatchObject({
      phase_shift: 90,
      durationNs: 0,
      t0Ns: 0,
    });
  });

  it("applies quantify defaults", () => {
    expect(norm({ type: "SquarePulse", amp: [0.1, -0.2], duration: 2e-8, port: "p" })).toMatchObject({
      clock: "cl0.baseband",
      amp: 0.1,
      ampImag: -0.2,
    });
    expect(norm({ type: "DRAGPulse", G_amp: 0.1, D_amp: 0, duration: 2e-8, port: "p", clock: "c" })).toMatchObject({
      phase: 0,
      sigma: null,
      nr_sigma: 4,
    });
    expect(norm({ type: "GaussPulse", G_amp: 0.1, duration: 2e-8, port: "p", sigma: "5 ns" })).toMatchObject({
      clock: "cl0.baseband",
      sigma: 5e-9,
      nr_sigma: null,
    });
    expect(norm({ type: "RampPulse", amp: 1, duration: 4e-9, port: "p" })).toMatchObject({ offset: 0 });
    expect(norm({ type: "MarkerPulse", duration: "40 ns", port: "p" })).toMatchObject({
      clock: "digital",
      durationNs: 40,
    });
    expect(norm({ type: "VoltageOffset", offset_path_I: "10 mV", offset_path_Q: -0.02, port: "p" })).toMatchObject({
      clock: "cl0.baseband",
      durationNs: 0,
      offset_path_I: 0.01,
    });
    expect(norm({ type: "SetClockFrequency", clock: "c", clock_freq_new: null })).toMatchObject({
      clock_freq_new: null,
      durationNs: 0,
    });
    expect(
      norm({ type: "NumericalPulse", samples: [0, [1, 0], 0.5], t_samples: [0, 2e-9, 4e-9], port: "p" }),
    ).toMatchObject({ durationNs: 4, samples_re: [0, 1, 0.5], samples_im: null, interpolation: "linear" });
    expect(norm({ type: "NumericalPulse", samples: [0, [1, 0.5]], t_samples: [0, 2e-9], port: "p" })).toMatchObject({
      samples_im: [0, 0.5],
    });
    expect(
      norm({
        type: "SuddenNetZeroPulse",
        amp_A: 1,
        amp_B: 0.5,
        net_zero_A_scale: 0.8,
        t_pulse: 5e-9,
        t_phi: 2.6e-9,
        t_integral_correction: 4.4e-9,
        port: "p",
      }),
    ).toMatchObject({ durationNs: 12 });
  });

  it('acquisition defaults: channel "0", bin mode per protocol, lower-cased bin mode', () => {
    const ssb = norm({ type: "SSBIntegrationComplex", duration: "1 us", port: "p", clock: "c" });
    expect(ssb).toMatchObject({
      acq_channel: "0",
      bin_mode: "average",
      coords: null,
      weights_a: null,
      acq_rotation: null,
    });
    expect(
      norm({
        type: "Trace",
        duration: "1 us",
        port: "p",
        clock: "c",
        acq_channel: 3,
        bin_mode: "AVERAGE",
        coords: { amp: 0.1 },
      }),
    ).toMatchObject({ acq_channel: "3", bin_mode: "average", coords: { amp: 0.1 } });
    expect(
      norm({ type: "ThresholdedAcquisition", duration: "1 us", port: "p", clock: "c", acq_channel: "q0" }),
    ).toMatchObject({ acq_rotation: 0, acq_threshold: 0, feedback_trigger_label: null, acq_channel: "q0" });
  });

  it("weighted acquisitions: weights resampled to 1 GS/s, duration from the weights, append default", () => {
    const w = norm({
      type: "NumericalWeightedIntegration",
      weights_a: [0, 1, 2],
      weights_b: [1, 1, 1],
      weights_sampling_rate: "500 MHz",
      port: "p",
      clock: "c",
    });
    expect(w).toMatchObject({ durationNs: 6, bin_mode: "append", weights_b: [1, 1, 1, 1, 1, 1] });
    expect((w as { weights_a: number[] }).weights_a.map((v) => Math.round(v * 1e12) / 1e12)).toEqual([
      0, 0.5, 1, 1.5, 2, 2.5,
    ]);
    expect(() =>
      norm({
        type: "NumericalSeparatedWeightedIntegration",
        weights_a: [1, 1],
        weights_b: [1, 1],
        duration: "3 ns",
        port: "p",
        clock: "c",
      }),
    ).toThrow("op: duration 3 ns does not match the weights (2 samples at 1000000000 S/s = 2 ns)");
  });
});

describe("normalizePrimitive: errors", () => {
  it("off-grid duration → TimingError OFF_GRID with path and hint", () => {
    try {
      norm({ type: "IdlePulse", duration: "10.5 ns" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TimingError);
      const t = e as TimingError;
      expect([t.code, t.path, t.hint]).toEqual([
        "OFF_GRID",
        "/schedulables/0/operation/duration",
        "times must be multiples of 1 ns",
      ]);
      expect(t.message).toBe('time "10.5 ns" (10.5 ns) at /schedulables/0/operation/duration is not on the 1 ns grid');
    }
  });

  it("off-grid t0 and bad unit strings name their field", () => {
    expect(() => norm({ type: "IdlePulse", duration: 4e-9, t0: 1.5e-9 })).toThrow(/t0 is not on the 1 ns grid/);
    try {
      norm({ type: "IdlePulse", duration: "4 GHz" });
      expect.unreachable();
    } catch (e) {
      expect((e as TimingError).code).toBe("INPUT_PARSE");
      expect((e as TimingError).path).toBe("/schedulables/0/operation/duration");
    }
  });

  it("within 0.0011 ns of the grid is accepted (quantify tolerance)", () => {
    expect(norm({ type: "IdlePulse", duration: 20.0005e-9 })).toMatchObject({ durationNs: 20 });
  });

  it("DRAG with both sigma and nr_sigma fails at normalisation", () => {
    expect(() =>
      norm({ type: "DRAGPulse", G_amp: 1, D_amp: 0, duration: 8e-9, port: "p", clock: "c", sigma: 1e-9, nr_sigma: 2 }),
    ).toThrow('DRAGPulse "op": both sigma and nr_sigma are set');
  });
});
