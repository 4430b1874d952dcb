import { describe, expect, it } from "vitest";
import type { CompiledSchedule, SequencerSettings } from "../../src/contract/compiled-schedule.js";
import { compiledModuleToEmuInput, simulate } from "../../src/emulator/index.js";

const settings: SequencerSettings = {
  sync_en: true,
  channel_name: "complex_output_0",
  channel_name_measure: ["complex_input_0"],
  connected_output_indices: [0, 1],
  connected_input_indices: [0, 1],
  nco_en: true,
  modulation_freq: 50e6,
  mod_en_awg: true,
  demod_en_acq: true,
  init_offset_awg_path_I: 0,
  init_offset_awg_path_Q: 0,
  init_gain_awg_path_I: 1,
  init_gain_awg_path_Q: 1,
  mixer_corr_phase_offset_degree: null,
  mixer_corr_gain_ratio: null,
  auto_sideband_cal: "off",
  integration_length_acq: 400,
  thresholded_acq_rotation: null,
  thresholded_acq_threshold: null,
  thresholded_acq_trigger_write_en: null,
  thresholded_acq_trigger_write_address: null,
  thresholded_acq_trigger_write_invert: false,
  thresholded_acq_trigger_read_settings: {},
  ttl_acq_input_select: null,
  ttl_acq_threshold: null,
  ttl_acq_auto_bin_incr_en: null,
  connect_out: { connect_out0: "I", connect_out1: "Q" },
  connect_acq: { I: "in0", Q: "in1" },
  marker_ovr_en: false,
};
const program = ` set_mrk 0
 wait_sync 4
 upd_param 4
 wait 4
 move 2,R0
start:
 reset_ph
 upd_param 4
 set_awg_gain 16384,0
 play 0,0,4
 wait 96
 acquire 0,0,4
 wait 996
 loop R0,@start
 stop
`;
const compiled: CompiledSchedule = {
  format: "q1forge.compiled-schedule",
  version: 1,
  name: "t",
  repetitions: 2,
  repetition_duration_ns: 1100,
  clusters: {
    cluster0: {
      settings: { reference_source: "internal", sync_on_external_trigger: null },
      modules: {
        cluster0_module3: {
          slot: 3,
          instrument_type: "QRM",
          settings: {
            offset_ch0_path_I: 0.05,
            offset_ch0_path_Q: null,
            offset_ch1_path_I: null,
            offset_ch1_path_Q: null,
            in0_gain: 0,
            in1_gain: 0,
            distortion_corrections: [],
            out0_lo_freq_cal_type_default: "off",
            out1_lo_freq_cal_type_default: "off",
            lo_freq: [],
            out_att: [],
            in_att: [],
            rf_output_on: null,
            scope_acq_sequencer_select: null,
            scope_acq_trigger_mode: null,
            scope_acq_avg_mode_en: null,
          },
          sequencers: {
            seq0: {
              index: 0,
              port: "q0:res",
              clock: "q0.ro",
              port_clock: "q0:res-q0.ro",
              settings,
              sequence: {
                program,
                waveforms: { sq: { data: new Array<number>(400).fill(1), index: 0 } },
                weights: {},
                acquisitions: { "0": { num_bins: 1, index: 0 } },
              },
            },
          },
        },
      },
    },
  },
  local_oscillators: {},
  acquisitions: {
    "0": {
      acq_channel: "0",
      protocol: "SSBIntegrationComplex",
      bin_mode: "average",
      shape: [1],
      dims: ["acq_index_0"],
      cluster: "cluster0",
      module: "cluster0_module3",
      sequencer: 0,
      port_clock: "q0:res-q0.ro",
      qblox_index: 0,
      first_bin: 0,
      num_acq_indices: 1,
      stride: 0,
      integration_length: 400,
      loop_repetitions: [],
      coords: null,
    },
  },
  diagnostics: { warnings: [], stage_ms: {}, resources: [] },
};

describe("simulate / driver params", () => {
  it("maps compiled settings to driver parameters", () => {
    const m = compiledModuleToEmuInput(compiled.clusters["cluster0"]!.modules["cluster0_module3"]!);
    expect(m.params).toEqual({ out_offset: [0.05, 0], in_gain: [0, 0], scope_acq_avg_mode_en: true });
    expect(m.sequencers[0]!.params).toEqual({
      sync_en: true,
      mod_en_awg: true,
      nco_freq: 50e6,
      demod_en_acq: true,
      gain_awg_path0: 1,
      gain_awg_path1: 1,
      offset_awg_path0: 0,
      offset_awg_path1: 0,
      connect_out: { out0: "I", out1: "Q" },
      connect_acq: { I: "in0", Q: "in1" },
      integration_length_acq: 400,
      marker_ovr_en: false,
    });
  });

  it("returns outputs, the waveform report and acquisitions shaped like quantify", () => {
    const r = simulate(compiled);
    expect(r.window).toEqual({ fromNs: 0, toNs: 1304 });
    const mod = r.clusters["cluster0"]!.modules["cluster0_module3"]!;
    expect(mod.sequencers["seq0"]!.err_flags).toEqual([]);
    expect(mod.outputs[0]![0]).toBeCloseTo(0.1, 7); // 0.05 V on a 0.5 V output
    // reset_ph commits at 12 (upd_param), the play starts at 16: NCO phase 2π·50 MHz·4 ns = 72°
    expect(mod.outputs[0]![16]).toBeCloseTo(0.1 + Math.SQRT1_2 * 0.5 * Math.cos((72 * Math.PI) / 180), 6);
    const plays = r.events.filter((e) => e.kind === "play");
    expect(plays.map((e) => [e.startNs, e.portClock, e.gain![0], e.ncoFreqHz])).toEqual([
      [16, "q0:res-q0.ro", 0.5, 50e6],
      [1120, "q0:res-q0.ro", 0.5, 50e6],
    ]);
    const acq = r.acquisitions["0"]!;
    expect(acq.shape).toEqual([1]);
    // 300 samples of 0.5 overlap, divided by the integration length; the DC offset demodulates to ~0
    expect(acq.re[0]).toBeCloseTo(150 / 400, 2);
  });
});
