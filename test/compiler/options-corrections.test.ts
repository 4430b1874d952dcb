/** Latency corrections (3.1 f.2), software distortion corrections (3.1 f.3), hardware filters (3.4 step 3). */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { lfilter } from "../../src/compiler/3-emit/distortion/lfilter.js";
import {
  HEADER,
  compileError,
  config,
  lines,
  moduleSettings,
  schedule,
  seqOf,
  simultaneous,
  square,
} from "./options-helpers.js";

const RES = { "q0.01": { freq: 100e6 }, "q1.01": { freq: 120e6 } };

describe("latency corrections are made relative", () => {
  const hw = (lat: Record<string, number>) =>
    config(
      { "1": { instrument_type: "QCM" } },
      [
        ["cluster0.module1.complex_output_0", "q0:mw"],
        ["cluster0.module1.complex_output_1", "q1:mw"],
      ],
      { latency_corrections: lat },
    );
  const sched = simultaneous([square("q0:mw", "q0.01"), square("q1:mw", "q1.01")], RES);
  it("12 ns and 20 ns → 0 and 8 ns extra wait in the header", () => {
    const c = compile(sched, hw({ "q0:mw-q0.01": 12e-9, "q1:mw-q1.01": 20e-9 }));
    expect(lines(seqOf(c, "cluster0_module1", "q0:mw-q0.01").sequence.program).slice(0, 7)).toEqual(HEADER(0, 4));
    expect(lines(seqOf(c, "cluster0_module1", "q1:mw-q1.01").sequence.program).slice(0, 7)).toEqual(HEADER(0, 12));
  });
  it("a port-clock without correction counts as 0 (the other keeps its full delay)", () => {
    const c = compile(sched, hw({ "q1:mw-q1.01": 8e-9 }));
    expect(lines(seqOf(c, "cluster0_module1", "q1:mw-q1.01").sequence.program)[3]).toBe("wait 12");
  });
  it("a negative correction shifts the others later", () => {
    const c = compile(sched, hw({ "q0:mw-q0.01": -4e-9 }));
    expect(lines(seqOf(c, "cluster0_module1", "q0:mw-q0.01").sequence.program)[3]).toBe("wait 4");
    expect(lines(seqOf(c, "cluster0_module1", "q1:mw-q1.01").sequence.program)[3]).toBe("wait 8");
  });
  it("off the 1 ns grid → OFF_GRID", () => {
    const e = compileError(sched, hw({ "q0:mw-q0.01": 1.5e-9 }));
    expect([e.code, e.path]).toEqual(["OFF_GRID", "/hardware_options/latency_corrections/q0:mw-q0.01"]);
  });
});

describe("native lfilter (scipy.signal.lfilter semantics)", () => {
  it("FIR b = [0, 0.25, 0.5]", () => {
    expect(Array.from(lfilter([0, 0.25, 0.5], [1], Float64Array.of(1, 1, 1, 0, 0)))).toEqual([
      0, 0.25, 0.75, 0.75, 0.5,
    ]);
  });
  it("IIR b = [0.5], a = [1, -0.5] (normalised by a[0] = 2 when scaled)", () => {
    const y = lfilter([1], [2, -1], Float64Array.of(0.4, 0.4, 0.4, 0.4));
    [0.2, 0.3, 0.35, 0.375].forEach((v, k) => expect(y[k]).toBeCloseTo(v, 15));
  });
});

describe("software distortion corrections on a flux line", () => {
  const hw = (corr: unknown) =>
    config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.real_output_0", "q0:fl"]], {
      distortion_corrections: { "q0:fl-cl0.baseband": corr },
    });
  const lf = (b: number[], a: number[], extra: Record<string, unknown> = {}) => ({
    filter_func: "scipy.signal.lfilter",
    input_var_name: "x",
    kwargs: { b, a },
    sampling_rate: 1e9,
    ...extra,
  });
  const flux = (amp: number, duration: string) => schedule([square("q0:fl", "cl0.baseband", amp, duration)], {});
  const wave = (c: ReturnType<typeof compile>) =>
    Object.values(seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence.waveforms);
  it("FIR: the filtered samples are normalised by their peak and played with its gain", () => {
    const c = compile(flux(0.4, "20 ns"), hw(lf([0, 0.25, 0.5], [1])));
    const w = wave(c);
    expect(w).toHaveLength(1);
    expect(w[0]!.data).toEqual([0, 0.25 / 0.75, ...new Array(18).fill(1)]);
    expect(lines(seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence.program).slice(7, 9)).toEqual([
      "set_awg_gain 9830,0",
      "play 0,0,4",
    ]);
  });
  it("IIR through the native 'iir' name", () => {
    const c = compile(
      flux(0.4, "4 ns"),
      hw({ filter_func: "iir", input_var_name: "x", kwargs: { b: [0.5], a: [1, -0.5] } }),
    );
    const d = wave(c)[0]!.data;
    [0.2 / 0.375, 0.3 / 0.375, 0.35 / 0.375, 1].forEach((v, k) => expect(d[k]).toBeCloseTo(v, 12));
    expect(lines(seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence.program)[7]).toBe("set_awg_gain 12288,0");
  });
  it("clipping_values bound the filtered samples", () => {
    const c = compile(flux(0.4, "8 ns"), hw(lf([3], [1], { clipping_values: [-0.5, 0.5] })));
    expect(wave(c)[0]!.data).toEqual(new Array(8).fill(1));
    expect(lines(seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence.program)[7]).toBe("set_awg_gain 16384,0");
  });
  it("long square pulses stay waveforms so that the filter applies", () => {
    const c = compile(flux(0.2, "200 ns"), hw(lf([0.5, 0.5], [1])));
    const d = wave(c)[0]!.data;
    expect([d.length, d[0], d[1], d[199]]).toEqual([200, 0.5, 1, 1]);
  });
  it("an unsupported filter_func → UNSUPPORTED_FILTER_FUNC listing the supported names", () => {
    const e = compileError(flux(0.4, "20 ns"), hw({ filter_func: "numpy.convolve", input_var_name: "a", kwargs: {} }));
    expect([e.code, e.message, e.hint]).toEqual([
      "UNSUPPORTED_FILTER_FUNC",
      "software distortion correction of q0:fl-cl0.baseband: filter_func 'numpy.convolve' is not supported",
      "supported filter_func values: scipy.signal.lfilter, fir, iir (kwargs.b, and kwargs.a for IIR)",
    ]);
  });
  it("a filtered waveform beyond full scale without clipping → AMPLITUDE_OUT_OF_RANGE", () => {
    expect(compileError(flux(0.5, "20 ns"), hw(lf([3], [1]))).code).toBe("AMPLITUDE_OUT_OF_RANGE");
  });
});

describe("hardware distortion corrections (QCM filters, latency compensation)", () => {
  const fir = Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
  const hw = (corr: unknown, ch1: Record<string, unknown> = {}) =>
    config(
      {
        "1": {
          instrument_type: "QCM",
          real_output_1: ch1,
          digital_output_2: { distortion_correction_latency_compensation: 2 },
        },
      },
      [
        ["cluster0.module1.real_output_0", "q0:fl"],
        ["cluster0.module1.real_output_1", "q1:fl"],
        ["cluster0.module1.digital_output_2", "q0:sw"],
      ],
      { distortion_corrections: { "q0:fl-cl0.baseband": corr } },
    );
  const sched = simultaneous(
    [
      square("q0:fl", "cl0.baseband", 0.2),
      square("q1:fl", "cl0.baseband", 0.2),
      { type: "MarkerPulse", duration: "20 ns", port: "q0:sw", clock: "digital" },
    ],
    {},
  );
  const off = { coeffs: null, config: "bypassed", marker_delay: "bypassed" };
  it("exp0 + FIR on output 0, delay compensation on output 1 and marker 2", () => {
    const c = compile(
      sched,
      hw({ exp0_coeffs: [2000, -0.1], fir_coeffs: fir }, { distortion_correction_latency_compensation: 2 | 32 }),
    );
    const d = moduleSettings(c, "cluster0_module1").distortion_corrections;
    expect(d[0]).toEqual({
      exp0: { coeffs: [2000, -0.1], config: "enabled", marker_delay: "bypassed" },
      exp1: off,
      exp2: off,
      exp3: off,
      fir: { coeffs: fir, config: "enabled", marker_delay: "bypassed" },
    });
    expect(d[1]).toEqual({
      exp0: { ...off, config: "delay_comp" },
      exp1: off,
      exp2: off,
      exp3: off,
      fir: { ...off, config: "delay_comp" },
    });
    // only the filters whose bit is set (digital_output_2: EXP0 = 2), as quantify's _configure_dc_latency_comp_for_marker
    const m = { ...off, marker_delay: "delay_comp" };
    expect(d[2]).toEqual({ exp0: m, exp1: off, exp2: off, exp3: off, fir: off });
    expect(d[3]).toEqual({ exp0: off, exp1: off, exp2: off, exp3: off, fir: off });
  });
  it("exp coefficients must be [τ ≥ 6, a ∈ [-1, 1)]", () => {
    const e = compileError(sched, hw({ exp1_coeffs: [5, 0.5] }));
    expect([e.code, e.message, e.path]).toEqual([
      "EXP_COEFFS_INVALID",
      "exp1_coeffs of q0:fl-cl0.baseband on cluster0_module1 is [5,0.5]; it must be [time_constant ≥ 6, amplitude in [-1, 1)]",
      "/hardware_options/distortion_corrections/q0:fl-cl0.baseband/exp1_coeffs",
    ]);
    expect(compileError(sched, hw({ exp1_coeffs: [10, 1] })).code).toBe("EXP_COEFFS_INVALID");
  });
  it("FIR needs exactly 32 taps", () => {
    const e = compileError(sched, hw({ fir_coeffs: fir.slice(1) }));
    expect([e.code, e.message]).toEqual([
      "FIR_COEFFS_LENGTH",
      "fir_coeffs of q0:fl-cl0.baseband on cluster0_module1 has 31 coefficients; the QCM FIR filter has exactly 32 taps",
    ]);
  });
  it("a complex channel needs a list of two corrections", () => {
    const h = config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], {
      distortion_corrections: { "q0:mw-q0.01": { exp0_coeffs: [100, 0.1] } },
    });
    const e = compileError(simultaneous([square("q0:mw", "q0.01")], RES), h);
    expect([e.code, e.message]).toEqual([
      "DISTORTION_CORRECTION_MODE",
      "distortion_corrections of q0:mw-q0.01 on cluster0_module1.complex_output_0 must be a list of two corrections (I, Q)",
    ]);
    const ok = config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], {
      distortion_corrections: { "q0:mw-q0.01": [{ exp0_coeffs: [100, 0.1] }, { exp0_coeffs: [200, -0.2] }] },
    });
    const d = moduleSettings(
      compile(simultaneous([square("q0:mw", "q0.01")], RES), ok),
      "cluster0_module1",
    ).distortion_corrections;
    expect([d[0]!.exp0.coeffs, d[1]!.exp0.coeffs]).toEqual([
      [100, 0.1],
      [200, -0.2],
    ]);
  });
  it("on a non-QCM module the filters are ignored with a warning", () => {
    const h = config({ "2": { instrument_type: "QRM" } }, [["cluster0.module2.real_output_0", "q0:fl"]], {
      distortion_corrections: { "q0:fl-cl0.baseband": { exp0_coeffs: [100, 0.1] } },
    });
    const c = compile(simultaneous([square("q0:fl", "cl0.baseband")], {}), h);
    expect(c.diagnostics.warnings.map((w) => w.code)).toEqual(["HARDWARE_DISTORTION_IGNORED"]);
    expect(moduleSettings(c, "cluster0_module2").distortion_corrections[0]!.exp0).toEqual(off);
  });
});
