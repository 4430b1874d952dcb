/**
 * 3-emit/settings: buildSettings on a plan, waveforms and programs built with the earlier passes.
 * Sequencer settings, module settings (mixer DC offsets, RF LO), the acquisition layout and the
 * per-program source map.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildSettings, type SettingsResult } from "../../../src/compiler/3-emit/settings.js";
import type { CompileWarning } from "../../../src/compiler/ir/plan.js";
import type { CompiledSequencer, ModuleSettings } from "../../../src/contract/compiled-schedule.js";
import { config } from "../options-helpers.js";
import { runPasses, type PassResults } from "./run-passes.js";

const RES = { port: "q0:res", clock: "q0.ro" };
const HW = config(
  { "1": { instrument_type: "QCM" }, "2": { instrument_type: "QRM" }, "3": { instrument_type: "QCM_RF" } },
  [
    ["cluster0.module1.complex_output_0", "q0:mw"],
    ["cluster0.module2.complex_output_0", "q0:res"],
    ["cluster0.module2.complex_input_0", "q0:res"],
    ["cluster0.module3.complex_output_0", "q1:mw"],
  ],
  {
    mixer_corrections: {
      "q0:mw-q0.01": { dc_offset_i: 0.1, dc_offset_q: -0.05, amp_ratio: 0.9, phase_error: 5 },
      "q1:mw-q1.01": { dc_offset_i: 0.01, dc_offset_q: -0.02 },
    },
    modulation_frequencies: { "q1:mw-q1.01": { interm_freq: 50e6 } },
  },
);

/** x on the QCM and y on the QCM_RF at 0 ns; two AVERAGE acquisitions (channel 0) and a loop of 3 APPEND (channel 1) on the QRM */
const SCHEDULE = {
  name: "settings",
  repetitions: 4,
  resources: { "q0.01": { freq: 100e6 }, "q1.01": { freq: 6e9 }, "q0.ro": { freq: 150e6 } },
  schedulables: [
    {
      label: "x",
      operation: { type: "SquarePulse", name: "x", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
    },
    {
      operation: { type: "SquarePulse", name: "y", amp: 0.5, duration: "20 ns", port: "q1:mw", clock: "q1.01" },
      ref_pt: "start",
    },
    { label: "m0", operation: { type: "SSBIntegrationComplex", name: "m0", duration: "1 us", acq_channel: 0, ...RES } },
    { operation: { type: "SSBIntegrationComplex", name: "m1", duration: "1 us", acq_channel: 0, ...RES } },
    {
      label: "sweep",
      operation: {
        type: "LoopOperation",
        name: "sweep",
        repetitions: 3,
        body: {
          schedulables: [
            {
              label: "a",
              operation: {
                type: "SSBIntegrationComplex",
                name: "a",
                duration: "1 us",
                acq_channel: 1,
                bin_mode: "append",
                coords: { amp: 0.1 },
                ...RES,
              },
            },
          ],
        },
      },
    },
  ],
};

let r: PassResults;
let settings: SettingsResult;
let warnings: CompileWarning[];

function seq(module: string, index = 0): CompiledSequencer {
  const s = settings.clusters.cluster0?.modules[module]?.sequencers[`seq${index}`];
  if (!s) throw new Error(`no ${module}.seq${index}`);
  return s;
}

function moduleSettings(module: string): ModuleSettings {
  const m = settings.clusters.cluster0?.modules[module];
  if (!m) throw new Error(`no ${module}`);
  return m.settings;
}

const BYPASSED = { coeffs: null, config: "bypassed", marker_delay: "bypassed" };
const NO_DISTORTION = Array.from({ length: 4 }, () => ({
  exp0: BYPASSED,
  exp1: BYPASSED,
  exp2: BYPASSED,
  exp3: BYPASSED,
  fir: BYPASSED,
}));

/** The sequencer settings every test below shares (overridden per sequencer). */
const COMMON = {
  sync_en: true,
  channel_name: "complex_output_0",
  channel_name_measure: null,
  connected_output_indices: [0, 1],
  connected_input_indices: [],
  nco_en: true,
  mod_en_awg: true,
  demod_en_acq: false,
  init_offset_awg_path_I: 0,
  init_offset_awg_path_Q: 0,
  init_gain_awg_path_I: 1,
  init_gain_awg_path_Q: 1,
  auto_sideband_cal: "off",
  integration_length_acq: null,
  thresholded_acq_rotation: null,
  thresholded_acq_threshold: null,
  thresholded_acq_trigger_write_en: null,
  thresholded_acq_trigger_write_address: null,
  thresholded_acq_trigger_write_invert: false,
  thresholded_acq_trigger_read_settings: {},
  ttl_acq_input_select: null,
  ttl_acq_threshold: null,
  ttl_acq_auto_bin_incr_en: null,
  connect_acq: {},
  marker_ovr_en: false,
};

describe("buildSettings", () => {
  beforeAll(() => {
    r = runPasses(SCHEDULE, HW);
    warnings = [];
    // called again on the same inputs: buildSettings is a pure function of the plan and the emitted programs
    settings = buildSettings(r.plan, r.waveforms, r.programs, r.hw, warnings);
  });

  it("equals the pipeline's own settings result, and warns about nothing here", () => {
    expect(settings).toStrictEqual(r.settings);
    expect(warnings).toStrictEqual([]);
  });

  it("one module entry per used module, one sequencer each", () => {
    const modules = settings.clusters.cluster0!.modules;
    expect(Object.keys(settings.clusters)).toStrictEqual(["cluster0"]);
    expect(settings.clusters.cluster0!.settings).toStrictEqual({
      reference_source: "internal",
      sync_on_external_trigger: null,
    });
    expect(
      Object.entries(modules).map(([name, m]) => [name, m.slot, m.instrument_type, Object.keys(m.sequencers)]),
    ).toStrictEqual([
      ["cluster0_module1", 1, "QCM", ["seq0"]],
      ["cluster0_module2", 2, "QRM", ["seq0"]],
      ["cluster0_module3", 3, "QCM_RF", ["seq0"]],
    ]);
    expect(settings.localOscillators).toStrictEqual({});
  });

  it("baseband QCM sequencer: NCO at the clock frequency, mixer amp_ratio / phase_error, connect_out I/Q", () => {
    const s = seq("cluster0_module1");
    expect([s.index, s.port, s.clock, s.port_clock]).toStrictEqual([0, "q0:mw", "q0.01", "q0:mw-q0.01"]);
    expect(s.settings).toStrictEqual({
      ...COMMON,
      modulation_freq: 100e6,
      mixer_corr_phase_offset_degree: 5,
      mixer_corr_gain_ratio: 0.9,
      connect_out: { out0: "I", out1: "Q", out2: "off", out3: "off" },
    });
  });

  it("QRM readout sequencer: demodulation, integration length, measure channel, connect_acq", () => {
    expect(seq("cluster0_module2").settings).toStrictEqual({
      ...COMMON,
      channel_name_measure: ["complex_input_0"],
      connected_input_indices: [0, 1],
      modulation_freq: 150e6,
      demod_en_acq: true,
      // no mixer_corrections entry for this port-clock: quantify leaves the fields null
      mixer_corr_phase_offset_degree: null,
      mixer_corr_gain_ratio: null,
      integration_length_acq: 1000,
      connect_out: { out0: "I", out1: "Q" },
      connect_acq: { I: "in0", Q: "in1" },
    });
    expect(seq("cluster0_module2").sequence.acquisitions).toStrictEqual({
      "0": { num_bins: 2, index: 0 },
      "1": { num_bins: 12, index: 1 },
    });
  });

  it("QCM_RF sequencer: NCO at interm_freq, default amp_ratio 1 / phase_error 0 with a mixer entry, connect_out IQ", () => {
    expect(seq("cluster0_module3").settings).toStrictEqual({
      ...COMMON,
      modulation_freq: 50e6,
      mixer_corr_phase_offset_degree: 0,
      mixer_corr_gain_ratio: 1,
      connect_out: { out0: "IQ", out1: "off" },
    });
  });

  it("module settings: baseband DC offsets in V from mixer_corrections", () => {
    expect(moduleSettings("cluster0_module1")).toStrictEqual({
      offset_ch0_path_I: 0.1,
      offset_ch0_path_Q: -0.05,
      offset_ch1_path_I: null,
      offset_ch1_path_Q: null,
      in0_gain: null,
      in1_gain: null,
      distortion_corrections: NO_DISTORTION,
      out0_lo_freq_cal_type_default: "off",
      out1_lo_freq_cal_type_default: "off",
      lo_freq: [],
      out_att: [],
      in_att: [],
      rf_output_on: null,
      scope_acq_sequencer_select: null,
      scope_acq_trigger_mode: null,
      scope_acq_avg_mode_en: null,
    });
    expect(moduleSettings("cluster0_module2")).toMatchObject({
      offset_ch0_path_I: null,
      scope_acq_trigger_mode: "sequencer",
      scope_acq_avg_mode_en: true,
      lo_freq: [],
    });
  });

  it("module settings on an RF module: lo_freq = clock − interm_freq, DC offsets in mV, rf_output_on", () => {
    expect(moduleSettings("cluster0_module3")).toStrictEqual({
      offset_ch0_path_I: 10,
      offset_ch0_path_Q: -20,
      offset_ch1_path_I: null,
      offset_ch1_path_Q: null,
      in0_gain: null,
      in1_gain: null,
      distortion_corrections: NO_DISTORTION,
      out0_lo_freq_cal_type_default: "off",
      out1_lo_freq_cal_type_default: "off",
      lo_freq: [5.95e9, null],
      out_att: [null, null],
      in_att: [],
      rf_output_on: true,
      scope_acq_sequencer_select: null,
      scope_acq_trigger_mode: null,
      scope_acq_avg_mode_en: null,
    });
  });

  it("acquisition layout: AVERAGE (one bin per acquisition) and APPEND (repetition × acq index, stride)", () => {
    expect(settings.acquisitions).toStrictEqual({
      "0": {
        acq_channel: "0",
        protocol: "SSBIntegrationComplex",
        bin_mode: "average",
        shape: [2],
        dims: ["acq_index_0"],
        cluster: "cluster0",
        module: "cluster0_module2",
        sequencer: 0,
        port_clock: "q0:res-q0.ro",
        qblox_index: 0,
        first_bin: 0,
        num_acq_indices: 2,
        stride: 0,
        integration_length: 1000,
        loop_repetitions: [],
        coords: null,
      },
      "1": {
        acq_channel: "1",
        protocol: "SSBIntegrationComplex",
        bin_mode: "append",
        // 4 repetitions × 3 loop iterations; repetition k's bins start at k · stride
        shape: [4, 3],
        dims: ["repetition", "acq_index_1"],
        cluster: "cluster0",
        module: "cluster0_module2",
        sequencer: 0,
        port_clock: "q0:res-q0.ro",
        qblox_index: 1,
        first_bin: 0,
        num_acq_indices: 3,
        stride: 3,
        integration_length: 1000,
        loop_repetitions: [3],
        coords: [{ amp: 0.1 }, { amp: 0.1 }, { amp: 0.1 }],
      },
    });
  });

  it("source map of a play program: the operation once, its lines, −1 for header and end", () => {
    expect(seq("cluster0_module1").source_map).toStrictEqual({
      operations: [{ id: 0, name: "x", path: "/schedulables/0/operation", label: "x" }],
      // set_mrk, wait_sync, upd_param, wait, move, reset_ph, upd_param | set_awg_gain, play | wait, loop, stop
      lines: [-1, -1, -1, -1, -1, -1, -1, 0, 0, -1, -1, -1],
    });
  });

  it("source map of the readout program: operations in first-line order (loop before its body), labels nested", () => {
    const s = seq("cluster0_module2");
    expect(s.source_map).toStrictEqual({
      operations: [
        { id: 2, name: "m0", path: "/schedulables/2/operation", label: "m0" },
        { id: 3, name: "m1", path: "/schedulables/3/operation", label: null },
        { id: 4, name: "sweep", path: "/schedulables/4/operation", label: "sweep" },
        { id: 5, name: "a", path: "/schedulables/4/operation/body/schedulables/0/operation", label: "sweep/a" },
      ],
      lines: [
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1,
        -1, // header with the bin register's move
        0,
        0, // wait 20, acquire m0
        1,
        1, // wait 996, acquire m1
        2,
        2, // wait 996, move 3,R2
        3,
        3, // acquire a, add (bin register)
        2,
        2, // wait 996, loop R2
        -1,
        -1, // loop R1, stop
      ],
    });
    const program = s.sequence.program.split("\n").filter((l) => l !== "");
    expect(program).toHaveLength(s.source_map!.lines.length);
    expect(program[14]).toBe("loop13: acquire 1,R0,4 # SSBIntegrationComplex a (acq_channel 1)");
  });
});
