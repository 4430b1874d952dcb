/** Mixer corrections, DC offsets, attenuation and input gain (reference 1.3, 3.4, 3.7). */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { loadHardwareConfig } from "../../src/hardware/load.js";
import { HardwareConfigError, SchemaValidationError, ValueRangeError } from "../../src/core/errors.js";
import { compileError, config, moduleSettings, seqOf, simultaneous, square, ssb } from "./options-helpers.js";

const RES = { "q0.01": { freq: 100e6 }, "q0.ro": { freq: 150e6 } };
const mw = simultaneous([square("q0:mw", "q0.01")], RES);

function withModule(
  type: string,
  options: Record<string, unknown>,
  channel = "complex_output_0",
): Record<string, unknown> {
  return config({ "1": { instrument_type: type } }, [[`cluster0.module1.${channel}`, "q0:mw"]], options);
}

describe("DC offsets per module type (values in V; RF stored in mV)", () => {
  const cases: [string, number, number][] = [
    ["QCM", 2.5, 2.5],
    ["QRM", 0.5, 0.5],
    ["QCM_RF", 0.05, 50],
    ["QRM_RF", -0.05, -50],
  ];
  for (const [type, v, stored] of cases) {
    it(`${type}: ${v} V at the range limit is accepted as ${stored}`, () => {
      const mods = type.endsWith("RF") ? { modulation_frequencies: { "q0:mw-q0.01": { lo_freq: 5e9 } } } : {};
      const c = compile(
        simultaneous([square("q0:mw", "q0.01")], { "q0.01": { freq: type.endsWith("RF") ? 5.1e9 : 100e6 } }),
        withModule(type, { ...mods, mixer_corrections: { "q0:mw-q0.01": { dc_offset_i: v, dc_offset_q: -v / 2 } } }),
      );
      const m = moduleSettings(c, "cluster0_module1");
      expect([m.offset_ch0_path_I, m.offset_ch0_path_Q, m.offset_ch1_path_I, m.offset_ch1_path_Q]).toEqual([
        stored,
        -stored / 2,
        null,
        null,
      ]);
    });
    it(`${type}: just over ±${Math.abs(v)} V → DC_OFFSET_OUT_OF_RANGE`, () => {
      const mods = type.endsWith("RF") ? { modulation_frequencies: { "q0:mw-q0.01": { lo_freq: 5e9 } } } : {};
      const e = compileError(
        simultaneous([square("q0:mw", "q0.01")], { "q0.01": { freq: type.endsWith("RF") ? 5.1e9 : 100e6 } }),
        withModule(type, { ...mods, mixer_corrections: { "q0:mw-q0.01": { dc_offset_q: v * 1.01 } } }),
      );
      expect(e).toBeInstanceOf(ValueRangeError);
      expect(e.code).toBe("DC_OFFSET_OUT_OF_RANGE");
      expect(e.message).toBe(
        `mixer_corrections.dc_offset_q = ${v * 1.01} V for q0:mw-q0.01 on cluster0_module1 (${type}) is outside ±${Math.abs(v)} V`,
      );
      expect(e.path).toBe("/hardware_options/mixer_corrections/q0:mw-q0.01/dc_offset_q");
    });
  }
  it("complex_output_1 → offset_ch1_path_I/Q", () => {
    const c = compile(
      mw,
      withModule(
        "QCM",
        { mixer_corrections: { "q0:mw-q0.01": { dc_offset_i: 0.1, dc_offset_q: -0.2 } } },
        "complex_output_1",
      ),
    );
    const m = moduleSettings(c, "cluster0_module1");
    expect([m.offset_ch0_path_I, m.offset_ch0_path_Q, m.offset_ch1_path_I, m.offset_ch1_path_Q]).toEqual([
      null,
      null,
      0.1,
      -0.2,
    ]);
  });
});

describe("gain ratio, phase and auto calibration", () => {
  it("amp_ratio / phase_error → mixer_corr_gain_ratio / mixer_corr_phase_offset_degree", () => {
    const s = seqOf(
      compile(mw, withModule("QCM", { mixer_corrections: { "q0:mw-q0.01": { amp_ratio: 0.5, phase_error: -45 } } })),
      "cluster0_module1",
      "q0:mw-q0.01",
    ).settings;
    expect([s.mixer_corr_gain_ratio, s.mixer_corr_phase_offset_degree, s.auto_sideband_cal]).toEqual([0.5, -45, "off"]);
  });
  it("no mixer_corrections → null fields (driver defaults)", () => {
    const s = seqOf(compile(mw, withModule("QCM", {})), "cluster0_module1", "q0:mw-q0.01").settings;
    expect([s.mixer_corr_gain_ratio, s.mixer_corr_phase_offset_degree]).toEqual([null, null]);
  });
  it("amp_ratio 2.1 / phase_error −46 are rejected naming port-clock and field", () => {
    expect(() =>
      loadHardwareConfig(
        withModule("QCM", { mixer_corrections: { "q0:mw-q0.01": { amp_ratio: 2.1, phase_error: -46 } } }),
      ),
    ).toThrow(SchemaValidationError);
    try {
      loadHardwareConfig(
        withModule("QCM", { mixer_corrections: { "q0:mw-q0.01": { amp_ratio: 2.1, phase_error: -46 } } }),
      );
    } catch (e) {
      expect((e as SchemaValidationError).issues).toEqual([
        { path: "/hardware_options/mixer_corrections/q0:mw-q0.01/amp_ratio", message: "must be <= 2" },
        { path: "/hardware_options/mixer_corrections/q0:mw-q0.01/phase_error", message: "must be >= -45" },
      ]);
    }
  });
  it("auto_lo_cal on → DC offsets nulled with a warning; cal type on the output", () => {
    const c = compile(
      mw,
      withModule("QCM", {
        mixer_corrections: { "q0:mw-q0.01": { dc_offset_i: 0.1, auto_lo_cal: "on_lo_freq_change" } },
      }),
    );
    const m = moduleSettings(c, "cluster0_module1");
    expect([
      m.offset_ch0_path_I,
      m.offset_ch0_path_Q,
      m.out0_lo_freq_cal_type_default,
      m.out1_lo_freq_cal_type_default,
    ]).toEqual([null, null, "on_lo_freq_change", "off"]);
    expect(c.diagnostics.warnings).toEqual([
      {
        code: "AUTO_LO_CAL_OVERRIDES_DC_OFFSETS",
        message:
          'mixer_corrections of q0:mw-q0.01: auto_lo_cal is "on_lo_freq_change", so dc_offset_i/dc_offset_q are ignored (the instrument calibrates them)',
        path: "/hardware_options/mixer_corrections/q0:mw-q0.01",
      },
    ]);
  });
  it("auto_sideband_cal on → amp_ratio/phase_error reset to 1/0 with a warning", () => {
    const c = compile(
      mw,
      withModule("QCM", {
        mixer_corrections: {
          "q0:mw-q0.01": { amp_ratio: 0.9, phase_error: 3, auto_sideband_cal: "on_interm_freq_change" },
        },
      }),
    );
    const s = seqOf(c, "cluster0_module1", "q0:mw-q0.01").settings;
    expect([s.mixer_corr_gain_ratio, s.mixer_corr_phase_offset_degree, s.auto_sideband_cal]).toEqual([
      1,
      0,
      "on_interm_freq_change",
    ]);
    expect(c.diagnostics.warnings.map((w) => w.code)).toEqual(["AUTO_SIDEBAND_CAL_OVERRIDES_MIXER"]);
  });
});

describe("RF attenuation", () => {
  const rfHw = (options: Record<string, unknown>) =>
    config(
      { "1": { instrument_type: "QCM_RF" }, "2": { instrument_type: "QRM_RF" } },
      [
        ["cluster0.module1.complex_output_1", "q0:mw"],
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:res"],
      ],
      { modulation_frequencies: { "q0:mw-q0.01": { lo_freq: 5e9 }, "q0:res-q0.ro": { lo_freq: 7e9 } }, ...options },
    );
  const sched = simultaneous([square("q0:mw", "q0.01"), ssb("q0:res", "q0.ro", 0)], {
    "q0.01": { freq: 5.1e9 },
    "q0.ro": { freq: 7.1e9 },
  });
  it("output_att on complex_output_1 → out_att[1]; input_att → in_att[0]", () => {
    const c = compile(
      sched,
      rfHw({ output_att: { "q0:mw-q0.01": 60, "q0:res-q0.ro": 10 }, input_att: { "q0:res-q0.ro": 30 } }),
    );
    expect(moduleSettings(c, "cluster0_module1").out_att).toEqual([null, 60]);
    expect(moduleSettings(c, "cluster0_module2").out_att).toEqual([10]);
    expect(moduleSettings(c, "cluster0_module2").in_att).toEqual([30]);
  });
  it("output_att 62 → ATTENUATION_OUT_OF_RANGE", () => {
    const e = compileError(sched, rfHw({ output_att: { "q0:mw-q0.01": 62 } }));
    expect(e.code).toBe("ATTENUATION_OUT_OF_RANGE");
    expect(e.message).toBe(
      "output_att of q0:mw-q0.01 on cluster0_module1 (QCM_RF) is 62 dB; allowed are 0 … 60 dB in 2 dB steps",
    );
  });
  it("odd input_att → ATTENUATION_OUT_OF_RANGE (2 dB steps)", () => {
    const e = compileError(sched, rfHw({ input_att: { "q0:res-q0.ro": 5 } }));
    expect([e.code, e.path]).toEqual(["ATTENUATION_OUT_OF_RANGE", "/hardware_options/input_att/q0:res-q0.ro"]);
  });
  it("attenuation on a baseband module is ignored with a warning", () => {
    const c = compile(mw, withModule("QCM", { output_att: { "q0:mw-q0.01": 4 } }));
    expect(moduleSettings(c, "cluster0_module1").out_att).toEqual([]);
    expect(c.diagnostics.warnings.map((w) => [w.code, w.path])).toEqual([
      ["ATTENUATION_ON_BASEBAND", "/hardware_options/output_att/q0:mw-q0.01"],
    ]);
  });
});

describe("input gain (baseband QRM)", () => {
  const qrm = (graph: unknown[][], gain: unknown) =>
    config({ "2": { instrument_type: "QRM" } }, graph, { input_gain: { "q0:res-q0.ro": gain } });
  const complexGraph = [
    ["cluster0.module2.complex_output_0", "q0:res"],
    ["cluster0.module2.complex_input_0", "q0:res"],
  ];
  const sched = simultaneous([ssb("q0:res", "q0.ro", 0)], RES);
  it("complex input: {gain_I, gain_Q} → in0_gain / in1_gain", () => {
    const m = moduleSettings(compile(sched, qrm(complexGraph, { gain_I: 2, gain_Q: -6 })), "cluster0_module2");
    expect([m.in0_gain, m.in1_gain]).toEqual([2, -6]);
  });
  it("real input: one integer → in<d>_gain of the main channel's digit", () => {
    const m = moduleSettings(
      compile(
        sched,
        qrm(
          [
            ["cluster0.module2.real_output_1", "q0:res"],
            ["cluster0.module2.real_input_1", "q0:res"],
          ],
          26,
        ),
      ),
      "cluster0_module2",
    );
    expect([m.in0_gain, m.in1_gain]).toEqual([null, 26]);
  });
  it("an integer on a complex channel → INPUT_GAIN_MODE_MISMATCH", () => {
    const e = compileError(sched, qrm(complexGraph, 4));
    expect(e).toBeInstanceOf(HardwareConfigError);
    expect([e.code, e.message]).toEqual([
      "INPUT_GAIN_MODE_MISMATCH",
      "input_gain of q0:res-q0.ro on cluster0_module2 (QRM, channel complex_output_0) is 4, which does not fit the channel",
    ]);
  });
  it("two port-clocks with different gains on one input → INPUT_GAIN_NOT_UNIQUE", () => {
    const hw = config(
      { "2": { instrument_type: "QRM" } },
      [
        ["cluster0.module2.complex_output_0", ["q0:res", "q1:res"]],
        ["cluster0.module2.complex_input_0", ["q0:res", "q1:res"]],
      ],
      { input_gain: { "q0:res-q0.ro": { gain_I: 2, gain_Q: 2 }, "q1:res-q1.ro": { gain_I: 4, gain_Q: 2 } } },
    );
    const e = compileError(
      simultaneous([ssb("q0:res", "q0.ro", 0), ssb("q1:res", "q1.ro", 1)], { ...RES, "q1.ro": { freq: 170e6 } }),
      hw,
    );
    expect([e.code, e.message]).toEqual([
      "INPUT_GAIN_NOT_UNIQUE",
      "input_gain: in0_gain of cluster0_module2 is set to 2 and 4 by different port-clocks (latest q1:res-q1.ro)",
    ]);
  });
});
