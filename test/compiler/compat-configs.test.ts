/**
 * Issue 13 items 1–4: every quantify config form compiles (node-link graph, nulls, qblox-scheduler
 * keys, old-style configs, the version-0.1 input rule over the port-clocks in use).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { compileError, config, lines, moduleSettings, seqOf, square, ssb } from "./options-helpers.js";

const read = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../hardware/configs/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

const readout = (port: string, clock: string) => ({
  name: "readout",
  repetitions: 1,
  resources: { [clock]: { freq: 7.85e9 } },
  schedulables: [
    { operation: square(port, clock, 0.25, "300 ns") },
    { operation: ssb(port, clock, 0), ref_pt: "start", rel_time: "100 ns" },
    { operation: { type: "IdlePulse", duration: "1 us" } },
  ],
});

describe("item 1: networkx node-link connectivity graph", () => {
  it("compiles a drive pulse and a readout through a node-link graph (with nulls and qblox-scheduler keys)", () => {
    const hw = read("qblox-scheduler-nodelink-nulls.json");
    const sched = {
      name: "nodelink",
      repetitions: 1,
      resources: { "q0.01": { freq: 100e6 }, "q0.ro": { freq: 150e6 } },
      schedulables: [
        { operation: square("q0:mw", "q0.01", 0.5, "20 ns") },
        { operation: square("q0:res", "q0.ro", 0.25, "300 ns") },
        { operation: ssb("q0:res", "q0.ro", 0), ref_pt: "start" },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const c = compile(sched, hw);
    const mw = seqOf(c, "cluster0_module1", "q0:mw-q0.01");
    expect(lines(mw.sequence.program).slice(7, 9)).toEqual(["set_awg_gain 16384,0", "play 0,0,4"]);
    expect(mw.settings.connect_out).toEqual({ out0: "I", out1: "Q", out2: "off", out3: "off" });
    const ro = seqOf(c, "cluster0_module2", "q0:res-q0.ro");
    expect(ro.settings.connect_acq).toEqual({ I: "in0", Q: "in1" });
    expect(ro.settings.modulation_freq).toBe(150e6);
    expect(c.diagnostics.warnings.map((w) => [w.code, w.path])).toEqual([
      ["SUCCESSOR_KEY_NOT_APPLIED", "/hardware_description/cluster0/modules/1/sequencer_isa_version"],
      ["SUCCESSOR_KEY_NOT_APPLIED", "/hardware_description/cluster0/modules/2/sequencer_isa_version"],
    ]);
  });
});

describe("item 4: the version-0.1 input rule over the port-clocks in use (quantify's transmon example shape)", () => {
  const hw = read("quantify-transmon-shape.json");
  it("a square pulse plus SSBIntegrationComplex on q0:res-q0.ro compiles: complex_input_0 is added", () => {
    const c = compile(readout("q0:res", "q0.ro"), hw);
    const s = seqOf(c, "cluster0_module4", "q0:res-q0.ro");
    expect(s.settings.connect_out).toEqual({ out0: "IQ" });
    expect(s.settings.connect_acq).toEqual({ acq: "in0" });
    const m = moduleSettings(c, "cluster0_module4");
    expect([m.out_att, m.in_att]).toEqual([[12], [4]]);
    // LO 7.8 GHz from the config, NCO = 7.85 GHz − 7.8 GHz
    expect(s.settings.modulation_freq).toBe(50e6);
  });
  it("with the input-only port q5:res in use too, quantify adds no input, so the acquisition has none", () => {
    const sched = readout("q0:res", "q0.ro");
    (sched.resources as Record<string, unknown>)["q5.ro"] = { freq: 7.3e9 };
    sched.schedulables.push({ operation: ssb("q5:res", "q5.ro", 1), ref_pt: "start" } as never);
    const e = compileError(sched, hw);
    expect(e.code).toBe("ACQUISITION_WITHOUT_INPUT");
    expect(e.path).toBe("/schedulables/1/operation");
  });
});

describe("item 3: old-style configs convert on load", () => {
  it("compiles on the converted config, with a warning that a conversion happened", () => {
    const hw = read("old-style-transmon.json");
    const sched = {
      name: "old",
      repetitions: 1,
      resources: { "q0.01": { freq: 6.05e9 }, "q0.ro": { freq: 150e6 } },
      schedulables: [
        { operation: square("q0:mw", "q0.01", 0.5, "20 ns") },
        { operation: square("q0:res", "q0.ro", 0.25, "300 ns") },
        { operation: ssb("q0:res", "q0.ro", 0), ref_pt: "start" },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const c = compile(sched, hw);
    const mw = seqOf(c, "cluster0_module1", "q0:mw-q0.01");
    expect(mw.settings.modulation_freq).toBe(50e6);
    expect(c.local_oscillators["lo0"]?.frequency).toBe(6e9);
    expect([mw.settings.mixer_corr_gain_ratio, mw.settings.mixer_corr_phase_offset_degree]).toEqual([0.98, 1.5]);
    const m1 = moduleSettings(c, "cluster0_module1");
    expect([m1.offset_ch0_path_I, m1.offset_ch0_path_Q]).toEqual([-0.01, 0.004]);
    // version 0.1 (no version in a converted config): the QRM output gets complex_input_0
    const ro = seqOf(c, "cluster0_module2", "q0:res-q0.ro");
    expect(ro.settings.connect_acq).toEqual({ I: "in0", Q: "in1" });
    expect([moduleSettings(c, "cluster0_module2").in0_gain, moduleSettings(c, "cluster0_module2").in1_gain]).toEqual([
      2, 2,
    ]);
    expect(c.diagnostics.warnings.map((w) => w.code)).toEqual([
      "OLD_STYLE_CONFIG_CONVERTED",
      "OLD_STYLE_DEPRECATED_KEY",
    ]);
  });
  it("an old-style config whose conversion is invalid says it is old-style and what is wrong", () => {
    const hw = read("old-style-transmon.json");
    (hw["cluster0"] as Record<string, unknown>)["ref"] = "sideways";
    const e = compileError(readout("q0:res", "q0.ro"), hw);
    expect(e.code).toBe("SCHEMA_VALIDATION");
    expect(e.message).toMatch(
      /^Old-style hardware config \(backend "quantify_scheduler\.backends\.qblox_backend\.hardware_compile"\), converted to the new style as quantify does, is invalid: /,
    );
    expect(e.path).toBe("/hardware_description/cluster0/ref");
  });
});

describe("item 5: one output shared by port-clocks with different DC offsets", () => {
  it("compiles multiplexed readout; the port-clock processed last sets the offset (quantify's outcome), with a warning in volts", () => {
    const hw = config(
      { "2": { instrument_type: "QRM" } },
      [
        ["cluster0.module2.complex_output_0", ["q0:res", "q1:res"]],
        ["cluster0.module2.complex_input_0", ["q0:res", "q1:res"]],
      ],
      {
        mixer_corrections: {
          "q0:res-q0.ro": { dc_offset_i: 0.012, dc_offset_q: -0.004 },
          "q1:res-q1.ro": { dc_offset_i: 0.015, dc_offset_q: -0.004 },
        },
      },
    );
    const sched = {
      name: "mux",
      repetitions: 1,
      resources: { "q0.ro": { freq: 150e6 }, "q1.ro": { freq: 170e6 } },
      schedulables: [
        { operation: square("q0:res", "q0.ro", 0.25, "300 ns") },
        { operation: square("q1:res", "q1.ro", 0.25, "300 ns"), ref_pt: "start" },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const c = compile(sched, hw);
    const m = moduleSettings(c, "cluster0_module2");
    expect([m.offset_ch0_path_I, m.offset_ch0_path_Q]).toEqual([0.015, -0.004]);
    expect(c.diagnostics.warnings).toEqual([
      {
        code: "DC_OFFSET_NOT_UNIQUE",
        message:
          "mixer_corrections.dc_offset_i of q1:res-q1.ro (0.015 V) and of q0:res-q0.ro (0.012 V) share cluster0_module2.complex_output_0: offset_ch0_path_I = 0.015 V (q1:res-q1.ro) is used",
        path: "/hardware_options/mixer_corrections/q1:res-q1.ro/dc_offset_i",
      },
    ]);
  });
  it("on an RF module the message is in volts although the setting is stored in mV", () => {
    const hw = config(
      { "4": { instrument_type: "QRM_RF" } },
      [
        ["cluster0.module4.complex_output_0", ["q0:res", "q1:res"]],
        ["cluster0.module4.complex_input_0", ["q0:res", "q1:res"]],
      ],
      {
        modulation_frequencies: { "q0:res-q0.ro": { lo_freq: 7e9 }, "q1:res-q1.ro": { lo_freq: 7e9 } },
        mixer_corrections: { "q0:res-q0.ro": { dc_offset_i: 0.01 }, "q1:res-q1.ro": { dc_offset_i: 0.02 } },
      },
    );
    const sched = {
      name: "mux-rf",
      repetitions: 1,
      resources: { "q0.ro": { freq: 7.1e9 }, "q1.ro": { freq: 7.2e9 } },
      schedulables: [
        { operation: square("q0:res", "q0.ro", 0.25, "300 ns") },
        { operation: square("q1:res", "q1.ro", 0.25, "300 ns"), ref_pt: "start" },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const c = compile(sched, hw);
    expect(moduleSettings(c, "cluster0_module4").offset_ch0_path_I).toBe(20);
    expect(c.diagnostics.warnings.map((w) => w.message)).toEqual([
      "mixer_corrections.dc_offset_i of q1:res-q1.ro (0.02 V) and of q0:res-q0.ro (0.01 V) share cluster0_module4.complex_output_0: offset_ch0_path_I = 0.02 V (q1:res-q1.ro) is used",
    ]);
  });
});

describe("item 2: input_att outside the module's range", () => {
  it("compiles with a warning and leaves the attenuator unset (quantify leaves the range to the instrument)", () => {
    const hw = config(
      { "4": { instrument_type: "QRM_RF" } },
      [
        ["cluster0.module4.complex_output_0", "q0:res"],
        ["cluster0.module4.complex_input_0", "q0:res"],
      ],
      { modulation_frequencies: { "q0:res-q0.ro": { lo_freq: 7.8e9 } }, input_att: { "q0:res-q0.ro": 40 } },
    );
    const c = compile(readout("q0:res", "q0.ro"), hw);
    expect(moduleSettings(c, "cluster0_module4").in_att).toEqual([null]);
    expect(c.diagnostics.warnings).toEqual([
      {
        code: "INPUT_ATT_OUT_OF_RANGE",
        message:
          "input_att of q0:res-q0.ro is 40 dB, outside the 0 … 30 dB range of cluster0_module4 (QRM_RF): not applied, in0_att is left unset",
        path: "/hardware_options/input_att/q0:res-q0.ro",
      },
    ]);
  });
});

describe("item 6: digitization_thresholds is not accepted and ignored", () => {
  it("a used port-clock with digitization_thresholds is a compile error naming it", () => {
    const hw = config(
      { "2": { instrument_type: "QRM" } },
      [
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:res"],
      ],
      { digitization_thresholds: { "q0:res-q0.ro": { analog_threshold: 0.3 } } },
    );
    const e = compileError(readout("q0:res", "q0.ro"), hw);
    expect([e.code, e.path]).toEqual(["DIGITIZATION_THRESHOLDS_UNSUPPORTED", "/schedulables/0/operation"]);
    expect(e.message).toContain("digitization_thresholds of q0:res-q0.ro (0.3 V) cannot be applied");
  });
});
