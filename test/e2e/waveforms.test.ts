/**
 * End to end: golden schedules of the compiler tests compiled, simulated, and the rendered samples
 * compared with the analytic waveform of test/e2e/helpers.ts within 2/32768.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/emulator/simulate.js";
import { analytic, compileJson, maxError, T0_NS, TOL } from "./helpers.js";
import { NESTED_LOOPS } from "../compiler/fixtures.js";

const QCM_FULL_SCALE_V = 2.5;

describe("e2e: single square pulse on a QCM with mixer corrections and DC offsets", () => {
  const c = compileJson(
    {
      name: "single",
      repetitions: 2,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.25, duration: "40 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    },
    {
      mixer_corrections: { "q0:mw-q0.01": { amp_ratio: 0.9, phase_error: 10, dc_offset_i: 0.01, dc_offset_q: -0.02 } },
    },
  );
  const r = simulate(c, { from: 0, to: 344e-9 });
  const out = r.clusters["cluster0"]!.modules["cluster0_module1"]!.outputs;
  const period = c.repetition_duration_ns + 4;
  it("plays once per repetition at 16 ns + k·144 ns", () => {
    expect(period).toBe(144);
    expect(r.events.filter((e) => e.kind === "play").map((e) => [e.startNs, e.durationNs, e.portClock])).toEqual([
      [16, 40, "q0:mw-q0.01"],
      [160, 40, "q0:mw-q0.01"],
    ]);
  });
  it("matches envelope × NCO (100 MHz, reset per repetition) with gain ratio, phase error and offsets", () => {
    const env = new Array(40).fill(0.25);
    const [o0, o1] = analytic(
      [
        { startNs: T0_NS, envI: env, freqHz: 100e6 },
        { startNs: T0_NS + period, envI: env, freqHz: 100e6, resetNs: 12 + period },
      ],
      0,
      344,
      { gainRatio: 0.9, phaseDeg: 10, offsetI: 0.01 / QCM_FULL_SCALE_V, offsetQ: -0.02 / QCM_FULL_SCALE_V },
    );
    expect(maxError(out[0]!, o0)).toBeLessThan(TOL);
    expect(maxError(out[1]!, o1)).toBeLessThan(TOL);
    expect(out[0]![16]).toBeCloseTo(0.004 + Math.SQRT1_2 * 0.25 * Math.cos(2 * Math.PI * 0.4), 6);
    expect(out[2]!.every((v) => v === 0)).toBe(true);
  });
});

describe("e2e: DRAG pulses on an IQ output with NCO", () => {
  const duration = 20;
  const c = compileJson({
    name: "drag",
    repetitions: 1,
    schedulables: [
      {
        label: "x",
        operation: {
          type: "DRAGPulse",
          G_amp: 0.5,
          D_amp: 0.1,
          phase: 0,
          duration: "20 ns",
          port: "q0:mw",
          clock: "q0.01",
        },
      },
      {
        label: "y",
        operation: {
          type: "DRAGPulse",
          G_amp: 0.5,
          D_amp: 0.1,
          phase: 90,
          duration: "20 ns",
          port: "q0:mw",
          clock: "q0.01",
        },
        rel_time: "20 ns",
      },
    ],
  });
  // quantify's DRAG (reference 2.7): sigma = duration / 8, both quadratures offset-subtracted
  const mu = duration / 2,
    sigma = duration / 8;
  const G0 = Array.from({ length: duration }, (_, k) => 0.5 * Math.exp(-((k - mu) ** 2) / (2 * sigma ** 2)));
  const D0 = G0.map((g, k) => ((-0.1 * (k - mu)) / (sigma * 1e-9)) * g * 1e-9);
  const sub = (x: number[]): number[] => x.map((v) => v - (x[0]! + x[x.length - 1]!) / 2);
  const G = sub(G0),
    D = sub(D0);
  const r = simulate(c, { from: 0, to: 100e-9 });
  const out = r.clusters["cluster0"]!.modules["cluster0_module1"]!.outputs;
  it("reports both plays with their gains", () => {
    expect(r.events.filter((e) => e.kind === "play").map((e) => [e.startNs, e.durationNs, e.waveforms])).toEqual([
      [16, 20, [0, 1]],
      [56, 20, [1, 0]],
    ]);
  });
  it("matches (G + iD)·e^{i·phase} modulated at 100 MHz", () => {
    const [o0, o1] = analytic(
      [
        { startNs: T0_NS, envI: G, envQ: D, freqHz: 100e6 },
        { startNs: T0_NS + 40, envI: D.map((d) => -d), envQ: G, freqHz: 100e6 },
      ],
      0,
      100,
    );
    expect(maxError(out[0]!, o0)).toBeLessThan(TOL);
    expect(maxError(out[1]!, o1)).toBeLessThan(TOL);
  });
});

describe("e2e: square pulse + SSB acquisition on a QRM", () => {
  const c = compileJson({
    name: "ssb",
    repetitions: 4,
    schedulables: [
      {
        operation: {
          type: "Composite",
          name: "Measure q0",
          pulse_info: [
            { type: "ResetClockPhase", clock: "q0.ro" },
            { type: "SquarePulse", amp: 0.25, duration: "80 ns", port: "q0:res", clock: "q0.ro" },
          ],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: "100 ns",
              duration: "1 us",
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
            },
          ],
        },
      },
    ],
  });
  // 100 ns time of flight: the 1 µs window starting at 100 ns sees the whole pulse played at 0 ns
  const r = simulate(c, { from: 0, to: 200e-9, timeOfFlightNs: 100 });
  it("renders the 150 MHz readout tone, phase reset at the pulse", () => {
    const out = r.clusters["cluster0"]!.modules["cluster0_module2"]!.outputs;
    const [o0, o1] = analytic(
      [{ startNs: T0_NS, envI: new Array(80).fill(0.25), freqHz: 150e6, resetNs: T0_NS }],
      0,
      200,
    );
    expect(maxError(out[0]!, o0)).toBeLessThan(TOL);
    expect(maxError(out[1]!, o1)).toBeLessThan(TOL);
  });
  it("integrates the loopback to amplitude × overlap / integration length", () => {
    const a = r.acquisitions["0"]!;
    expect(a.shape).toEqual([1]);
    // 0.25 · 80 ns / 1000 ns; the 100 ns flight is 15 whole turns of 150 MHz, so no rotation
    expect(a.re[0]).toBeCloseTo(0.02, 6);
    expect(a.im[0]).toBeCloseTo(0, 6);
    expect(
      r.events.filter((e) => e.kind === "acquire").map((e) => [e.startNs, e.durationNs, e.acqIndex, e.bin]),
    ).toEqual([[116, 1000, 0, 0]]);
  });
});

describe("e2e: three multiplexed readouts on one QRM", () => {
  const c = compileJson({
    name: "mux",
    repetitions: 1,
    schedulables: [0, 1, 2].map((q) => ({
      label: `m${q}`,
      operation: {
        type: "Composite",
        name: `Measure q${q}`,
        pulse_info: [{ type: "SquarePulse", amp: 0.2, duration: "300 ns", port: `q${q}:res`, clock: `q${q}.ro` }],
        acquisition_info: [
          {
            type: "SSBIntegrationComplex",
            t0: "100 ns",
            duration: "1 us",
            port: `q${q}:res`,
            clock: `q${q}.ro`,
            acq_channel: q,
          },
        ],
      },
      ...(q > 0 ? { ref_schedulable: "m0", ref_pt: "start" } : {}),
    })),
  });
  const r = simulate(c, { from: 0, to: 400e-9, timeOfFlightNs: 100 });
  it("sums three NCO tones (150, 170, 190 MHz) on out0/out1", () => {
    const out = r.clusters["cluster0"]!.modules["cluster0_module2"]!.outputs;
    const env = new Array(300).fill(0.2);
    const [o0, o1] = analytic(
      [150e6, 170e6, 190e6].map((f) => ({ startNs: T0_NS, envI: env, freqHz: f })),
      0,
      400,
    );
    expect(maxError(out[0]!, o0)).toBeLessThan(TOL);
    expect(maxError(out[1]!, o1)).toBeLessThan(TOL);
    expect(Math.max(...Array.from(out[0]!).map(Math.abs))).toBeGreaterThan(0.3);
  });
  it("demodulates each channel to its own tone (cross-talk integrates to zero)", () => {
    for (const ch of ["0", "1", "2"]) {
      // the offset is encoded as round(0.2 · 32768) = 6554
      expect(r.acquisitions[ch]!.re[0]).toBeCloseTo(((6554 / 32768) * 300) / 1000, 6);
      expect(r.acquisitions[ch]!.im[0]).toBeCloseTo(0, 6);
    }
  });
});

describe("e2e: nested loops", () => {
  const c = compileJson(NESTED_LOOPS);
  const period = c.repetition_duration_ns + 4;
  const r = simulate(c, { from: 0, to: (T0_NS + 2 * period) * 1e-9 });
  const plays = r.events.filter((e) => e.kind === "play");
  it("plays 2 × 3 × (1 + 5) pulses at the loop iterations' start times", () => {
    const expected: number[] = [];
    for (let rep = 0; rep < 2; rep++) {
      for (let i = 0; i < 3; i++) {
        const outer = T0_NS + rep * period + i * 540;
        expected.push(outer);
        for (let j = 0; j < 5; j++) expected.push(outer + 40 + 100 * j);
      }
    }
    expect(period).toBe(1624);
    expect(plays.map((e) => e.startNs)).toEqual(expected);
  });
  it("steps the NCO phase by 90° per inner iteration (reset per repetition)", () => {
    const inner = plays.slice(1, 6).map((e) => e.ncoPhaseDeg!);
    // phase at each play: 360·f·(t − reset) + 90·(j + 1), mod 360
    inner.forEach((ph, j) => {
      const t = T0_NS + 40 + 100 * j;
      const expected = (((360 * 100e6 * (t - 12) * 1e-9 + 90 * (j + 1)) % 360) + 360) % 360;
      expect(Math.min(Math.abs(ph - expected), 360 - Math.abs(ph - expected))).toBeLessThan(1e-6);
    });
    expect(plays.map((e) => e.gain![0])).toEqual(
      Array.from({ length: 36 }, (_, k) => (k % 6 === 0 ? 16369 : 8184) / 32768),
    );
  });
});
