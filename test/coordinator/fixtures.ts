/** Hand-built compiled schedules for coordinator tests (independent of the compiler). */
import type {
  CompiledSchedule,
  CompiledSequencer,
  ModuleSettings,
  SequencerSettings,
} from "../../src/contract/compiled-schedule.js";

export function seqSettings(over: Partial<SequencerSettings> = {}): SequencerSettings {
  return {
    sync_en: true,
    channel_name: "complex_output_0",
    channel_name_measure: null,
    connected_output_indices: [0, 1],
    connected_input_indices: [],
    nco_en: false,
    modulation_freq: null,
    mod_en_awg: false,
    demod_en_acq: false,
    init_offset_awg_path_I: 0,
    init_offset_awg_path_Q: 0,
    init_gain_awg_path_I: 1,
    init_gain_awg_path_Q: 1,
    mixer_corr_phase_offset_degree: null,
    mixer_corr_gain_ratio: null,
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
    connect_out: { out0: "I", out1: "Q" },
    connect_acq: {},
    marker_ovr_en: false,
    ...over,
  };
}

export function moduleSettings(over: Partial<ModuleSettings> = {}): ModuleSettings {
  return {
    offset_ch0_path_I: null,
    offset_ch0_path_Q: null,
    offset_ch1_path_I: null,
    offset_ch1_path_Q: null,
    in0_gain: null,
    in1_gain: null,
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
    ...over,
  };
}

const wave = (v: number, n: number) => new Array<number>(n).fill(v);

/** QRM seq0 plays 0.5 / -0.25 on out0/out1 and acquires the loopback: 3 APPEND bins (index 0) and 1 AVERAGE bin (index 1). */
export const READOUT_PROGRAM = [
  " wait_sync 4",
  " move 3,R0",
  " move 0,R1",
  "loop:",
  " play 0,1,4",
  " acquire 0,R1,400",
  " acquire 1,0,1596",
  " add R1,1,R1",
  " loop R0,@loop",
  " stop",
  "",
].join("\n");

export function readoutSchedule(
  opts: { qcmProgram?: string; qcmGain?: number; readoutProgram?: string } = {},
): CompiledSchedule {
  const qrmSeq: CompiledSequencer = {
    index: 0,
    port: "q0:res",
    clock: "q0.ro",
    port_clock: "q0:res-q0.ro",
    sequence: {
      program: opts.readoutProgram ?? READOUT_PROGRAM,
      waveforms: { i: { data: wave(0.5, 2000), index: 0 }, q: { data: wave(-0.25, 2000), index: 1 } },
      weights: {},
      acquisitions: { "0": { num_bins: 3, index: 0 }, "1": { num_bins: 1, index: 1 } },
    },
    settings: seqSettings({
      channel_name_measure: ["complex_input_0"],
      connected_input_indices: [0, 1],
      integration_length_acq: 1000,
      connect_acq: { I: "in0", Q: "in1" },
    }),
  };
  const qcmSeq: CompiledSequencer = {
    index: 0,
    port: "q0:mw",
    clock: "q0.01",
    port_clock: "q0:mw-q0.01",
    sequence: {
      program: opts.qcmProgram ?? " wait_sync 4\n play 0,0,1000\n stop\n",
      waveforms: { w: { data: wave(0.1, 1000), index: 0 } },
      weights: {},
      acquisitions: {},
    },
    settings: seqSettings({
      init_gain_awg_path_I: opts.qcmGain ?? 1,
      connect_out: { out0: "I", out1: "Q", out2: "off", out3: "off" },
    }),
  };
  const common = {
    cluster: "cluster0",
    module: "cluster0_module4",
    sequencer: 0,
    port_clock: "q0:res-q0.ro",
    loop_repetitions: [] as number[],
    coords: null,
  };
  return {
    format: "q1forge.compiled-schedule",
    version: 1,
    name: "readout-test",
    repetitions: 3,
    repetition_duration_ns: 2000,
    clusters: {
      cluster0: {
        settings: { reference_source: "internal", sync_on_external_trigger: null },
        modules: {
          cluster0_module2: {
            slot: 2,
            instrument_type: "QCM",
            settings: moduleSettings({ offset_ch0_path_I: 0.01 }),
            sequencers: { seq0: qcmSeq },
          },
          cluster0_module4: {
            slot: 4,
            instrument_type: "QRM",
            settings: moduleSettings({ in0_gain: 0, in1_gain: 0 }),
            sequencers: { seq0: qrmSeq },
          },
        },
      },
    },
    local_oscillators: { lo_ext: { frequency: 6e9, power: 10, status: true } },
    acquisitions: {
      "0": {
        ...common,
        acq_channel: "0",
        protocol: "SSBIntegrationComplex",
        bin_mode: "append",
        shape: [3, 1],
        dims: ["repetition", "acq_index_0"],
        qblox_index: 0,
        first_bin: 0,
        num_acq_indices: 1,
        stride: 1,
        integration_length: 1000,
      },
      "1": {
        ...common,
        acq_channel: "1",
        protocol: "SSBIntegrationComplex",
        bin_mode: "average",
        shape: [1],
        dims: ["acq_index_1"],
        qblox_index: 1,
        first_bin: 0,
        num_acq_indices: 1,
        stride: 0,
        integration_length: 1000,
      },
    },
    diagnostics: { warnings: [], stage_ms: {}, resources: [] },
  };
}
