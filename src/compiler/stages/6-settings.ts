/**
 * Stage 6: sequencer, module and cluster settings (reference 5), external LO settings and the
 * acquisition layout that tells the coordinator where each acq_channel's data lives.
 */
import { ValueRangeError, HardwareConfigError } from "../../errors.js";
import { channelMap } from "../../hardware/channel-map.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import { printProgram } from "../../q1/print.js";
import type { AcquisitionChannelLayout, CompiledCluster, CompiledModule, ModuleSettings, SequencerSettings } from "../output.js";
import type { AcqChannelPlan, AssignedSchedule, FrequencyPlan, SequencerPlan, WaveformPlan } from "../types.js";
import type { SequencerProgram } from "./5-program.js";
import { isAcquisition } from "./2-assign.js";

type Options = Record<string, Record<string, unknown> | undefined>;

export interface SettingsResult {
  clusters: Record<string, CompiledCluster>;
  localOscillators: Record<string, { frequency: number | null; power: number | null; status: boolean }>;
  acquisitions: Record<string, AcquisitionChannelLayout>;
}

export function buildSettings(assigned: AssignedSchedule, freqs: FrequencyPlan, waves: WaveformPlan, programs: Map<string, SequencerProgram>, hw: HardwareSetup): SettingsResult {
  const options = (hw.config.hardware_options ?? {}) as unknown as Record<string, Options | undefined>;
  const clusters: Record<string, CompiledCluster> = {};
  const channelsBySeq = new Map<string, AcqChannelPlan[]>();
  for (const ch of assigned.acqChannels) channelsBySeq.set(ch.sequencerKey, [...(channelsBySeq.get(ch.sequencerKey) ?? []), ch]);

  for (const seq of assigned.sequencers) {
    const clusterDesc = (hw.config.hardware_description as Record<string, { ref?: "internal" | "external"; sync_on_external_trigger?: Record<string, unknown> | null }>)[seq.cluster]!;
    const cluster = (clusters[seq.cluster] ??= {
      settings: { reference_source: clusterDesc.ref ?? "internal", sync_on_external_trigger: clusterDesc.sync_on_external_trigger ?? null },
      modules: {},
    });
    const mod: CompiledModule = (cluster.modules[seq.moduleName] ??= {
      slot: seq.slot,
      instrument_type: seq.moduleType,
      settings: emptyModuleSettings(seq, hw, freqs),
      sequencers: {},
    });
    const channels = channelsBySeq.get(seq.key) ?? [];
    const w = waves.bySequencer.get(seq.key)!;
    const prog = programs.get(seq.key)!;
    mod.sequencers[`seq${seq.index}`] = {
      index: seq.index,
      port: seq.route.port,
      clock: seq.route.clock,
      port_clock: seq.route.portClock,
      sequence: {
        program: printProgram(prog.builder.instructions),
        waveforms: w.waveforms,
        weights: w.weights,
        acquisitions: Object.fromEntries(channels.map((c) => [String(c.qbloxIndex), { num_bins: c.numBins, index: c.qbloxIndex }])),
      },
      settings: sequencerSettings(seq, freqs, channels, options),
    };
    applyModuleOptions(mod.settings, seq, options, channels);
  }

  const localOscillators: SettingsResult["localOscillators"] = {};
  for (const [name, freq] of freqs.externalLos) {
    const desc = (hw.config.hardware_description as Record<string, { power?: number | null }>)[name];
    localOscillators[name] = { frequency: freq, power: desc?.power ?? null, status: true };
  }

  const acquisitions: Record<string, AcquisitionChannelLayout> = {};
  const seqByKey = new Map(assigned.sequencers.map((s) => [s.key, s]));
  for (const ch of assigned.acqChannels) {
    const seq = seqByKey.get(ch.sequencerKey)!;
    const reps = assigned.timed.repetitions;
    const isTrace = ch.protocol === "Trace";
    acquisitions[ch.channel] = {
      acq_channel: ch.channel,
      protocol: ch.protocol,
      bin_mode: ch.binMode,
      shape: isTrace ? [1, ch.integrationLengthNs ?? 0] : ch.binMode === "append" ? [reps, ch.numAcqIndices] : [ch.numAcqIndices],
      dims: isTrace ? [`acq_index_${ch.channel}`, `trace_index_${ch.channel}`] : ch.binMode === "append" ? ["repetition", `acq_index_${ch.channel}`] : [`acq_index_${ch.channel}`],
      cluster: seq.cluster,
      module: seq.moduleName,
      sequencer: seq.index,
      port_clock: seq.route.portClock,
      qblox_index: ch.qbloxIndex,
      first_bin: 0,
      num_acq_indices: ch.numAcqIndices,
      stride: ch.binMode === "append" && !isTrace ? ch.numAcqIndices : 0,
      integration_length: ch.integrationLengthNs,
      loop_repetitions: ch.loopRepetitions,
      coords: ch.coords,
    };
  }
  return { clusters, localOscillators, acquisitions };
}

function sequencerSettings(seq: SequencerPlan, freqs: FrequencyPlan, channels: AcqChannelPlan[], options: Record<string, Options | undefined>): SequencerSettings {
  const pc = seq.route.portClock;
  const f = freqs.bySequencer.get(seq.key)!;
  const seqOpts = (options.sequencer_options?.[pc] ?? {}) as { init_offset_awg_path_I?: number; init_offset_awg_path_Q?: number; init_gain_awg_path_I?: number; init_gain_awg_path_Q?: number; ttl_acq_threshold?: number };
  const mixer = options.mixer_corrections?.[pc] as { amp_ratio?: number; phase_error?: number; auto_sideband_cal?: "off" | "on_interm_freq_change" } | undefined;
  const readout = seq.spec.supportsAcquisition;
  const integration = channels.find((c) => c.integrationLengthNs !== null)?.integrationLengthNs ?? null;
  const thresholded = findThresholded(seq);
  const map = channelMap(seq.route);
  return {
    sync_en: true,
    channel_name: seq.route.channelName,
    channel_name_measure: seq.route.measureChannels.length > 0 ? seq.route.measureChannels : null,
    connected_output_indices: seq.route.outputIndices,
    connected_input_indices: seq.route.inputIndices,
    nco_en: f.ncoEnabled,
    modulation_freq: f.ifHz,
    mod_en_awg: f.ncoEnabled,
    demod_en_acq: readout && f.ncoEnabled,
    init_offset_awg_path_I: seqOpts.init_offset_awg_path_I ?? 0,
    init_offset_awg_path_Q: seqOpts.init_offset_awg_path_Q ?? 0,
    init_gain_awg_path_I: seqOpts.init_gain_awg_path_I ?? 1,
    init_gain_awg_path_Q: seqOpts.init_gain_awg_path_Q ?? 1,
    mixer_corr_phase_offset_degree: mixer ? (mixer.phase_error ?? 0) : null,
    mixer_corr_gain_ratio: mixer ? (mixer.amp_ratio ?? 1) : null,
    auto_sideband_cal: mixer?.auto_sideband_cal ?? "off",
    integration_length_acq: integration,
    thresholded_acq_rotation: thresholded ? thresholded.rotation : null,
    thresholded_acq_threshold: thresholded && integration !== null ? thresholded.threshold * integration : null,
    thresholded_acq_trigger_write_en: thresholded ? thresholded.label !== null : null,
    thresholded_acq_trigger_write_address: null,
    thresholded_acq_trigger_write_invert: false,
    thresholded_acq_trigger_read_settings: {},
    ttl_acq_input_select: null,
    ttl_acq_threshold: seqOpts.ttl_acq_threshold ?? null,
    ttl_acq_auto_bin_incr_en: null,
    connect_out: map.connect_out,
    connect_acq: map.connect_acq,
    marker_ovr_en: false,
  };
}

function findThresholded(seq: SequencerPlan): { rotation: number; threshold: number; label: string | null } | null {
  let found: { rotation: number; threshold: number; label: string | null; name: string } | null = null;
  const visit = (nodes: SequencerPlan["nodes"]): void => {
    for (const n of nodes) {
      if (n.kind === "loop") { visit(n.body); continue; }
      const op = n.op;
      if (!isAcquisition(op) || op.type !== "ThresholdedAcquisition") continue;
      const cur = { rotation: op.acq_rotation ?? 0, threshold: op.acq_threshold ?? 0, label: op.feedback_trigger_label, name: op.name };
      if (cur.rotation < 0 || cur.rotation > 360) throw new ValueRangeError("ACQ_ROTATION_OUT_OF_RANGE", `acq_rotation ${cur.rotation} of "${op.name}" is outside [0, 360] degrees`, { path: op.path });
      if (Math.abs(cur.threshold) > 16777212) throw new ValueRangeError("ACQ_THRESHOLD_OUT_OF_RANGE", `acq_threshold ${cur.threshold} of "${op.name}" is outside ±16777212`, { path: op.path });
      if (found && (found.rotation !== cur.rotation || found.threshold !== cur.threshold)) {
        throw new HardwareConfigError("THRESHOLD_NOT_UNIQUE", `thresholded acquisitions "${found.name}" and "${op.name}" on ${seq.route.portClock} use different acq_rotation/acq_threshold`, {
          path: op.path,
          hint: "one rotation and threshold per sequencer: give all thresholded acquisitions of a port-clock the same values",
        });
      }
      found = cur;
    }
  };
  visit(seq.nodes);
  return found;
}

function bypassed(): ModuleSettings["distortion_corrections"][number] {
  const f = () => ({ coeffs: null, config: "bypassed" as const, marker_delay: "bypassed" as const });
  return { exp0: f(), exp1: f(), exp2: f(), exp3: f(), fir: f() };
}

function emptyModuleSettings(seq: SequencerPlan, hw: HardwareSetup, freqs: FrequencyPlan): ModuleSettings {
  const desc = (hw.config.hardware_description as Record<string, { modules?: Record<string, { rf_output_on?: boolean }> }>)[seq.cluster]?.modules?.[String(seq.slot)];
  return {
    offset_ch0_path_I: null, offset_ch0_path_Q: null, offset_ch1_path_I: null, offset_ch1_path_Q: null,
    in0_gain: null, in1_gain: null,
    distortion_corrections: Array.from({ length: seq.spec.outputs }, bypassed),
    out0_lo_freq_cal_type_default: "off", out1_lo_freq_cal_type_default: "off",
    lo_freq: freqs.moduleLos.get(seq.moduleName) ?? new Array<number | null>(seq.spec.internalLos).fill(null),
    out_att: new Array<number | null>(seq.spec.isRF ? seq.spec.outputs : 0).fill(null),
    in_att: new Array<number | null>(seq.spec.isRF ? seq.spec.inputs : 0).fill(null),
    rf_output_on: seq.spec.isRF ? (desc?.rf_output_on ?? true) : null,
    scope_acq_sequencer_select: null,
    scope_acq_trigger_mode: seq.spec.supportsAcquisition ? "sequencer" : null,
    scope_acq_avg_mode_en: seq.spec.supportsAcquisition ? true : null,
  };
}

function applyModuleOptions(m: ModuleSettings, seq: SequencerPlan, options: Record<string, Options | undefined>, channels: AcqChannelPlan[]): void {
  const pc = seq.route.portClock;
  const ch = seq.route.channelName;
  const mixer = options.mixer_corrections?.[pc] as { dc_offset_i?: number | null; dc_offset_q?: number | null; auto_lo_cal?: ModuleSettings["out0_lo_freq_cal_type_default"] } | undefined;
  if (mixer && (ch === "complex_output_0" || ch === "complex_output_1")) {
    const k = ch.endsWith("0") ? 0 : 1;
    const range = seq.spec.mixerDcOffsetRangeV;
    for (const [field, value] of [["dc_offset_i", mixer.dc_offset_i], ["dc_offset_q", mixer.dc_offset_q]] as const) {
      if (value === undefined || value === null) continue;
      if (Math.abs(value) > range) {
        throw new ValueRangeError("DC_OFFSET_OUT_OF_RANGE", `mixer_corrections.${field} = ${value} V for ${pc} on ${seq.moduleName} (${seq.moduleType}) is outside ±${range} V`, {
          path: `/hardware_options/mixer_corrections/${pc}/${field}`,
          hint: `${seq.moduleType} accepts DC offsets within ±${range} V`,
        });
      }
      const key = `offset_ch${k}_path_${field === "dc_offset_i" ? "I" : "Q"}` as const;
      m[key] = value;
    }
    if (mixer.auto_lo_cal) m[k === 0 ? "out0_lo_freq_cal_type_default" : "out1_lo_freq_cal_type_default"] = mixer.auto_lo_cal;
  }
  const gain = options.input_gain?.[pc] as number | { gain_I: number; gain_Q: number } | undefined;
  if (gain !== undefined) {
    if (typeof gain === "number") {
      const d = Number(ch.slice(-1));
      setUnique(m, d === 0 ? "in0_gain" : "in1_gain", gain, seq);
    } else {
      setUnique(m, "in0_gain", gain.gain_I, seq);
      setUnique(m, "in1_gain", gain.gain_Q, seq);
    }
  }
  if (seq.spec.isRF) {
    const outAtt = options.output_att?.[pc] as number | undefined;
    if (outAtt !== undefined) m.out_att[Math.floor((seq.route.outputIndices[0] ?? 0) / 2)] = integerDb(outAtt, "output_att", pc);
    const inAtt = options.input_att?.[pc] as number | undefined;
    if (inAtt !== undefined) m.in_att[0] = integerDb(inAtt, "input_att", pc);
  }
  if (channels.some((c) => c.protocol === "Trace")) {
    if (m.scope_acq_sequencer_select !== null && m.scope_acq_sequencer_select !== seq.index) {
      throw new HardwareConfigError("TWO_SCOPE_SEQUENCERS", `two sequencers of ${seq.moduleName} (seq${m.scope_acq_sequencer_select} and seq${seq.index}) use Trace acquisitions`, { path: pc, hint: "only one sequencer per module can acquire scope traces" });
    }
    m.scope_acq_sequencer_select = seq.index;
  }
}

function setUnique(m: ModuleSettings, key: "in0_gain" | "in1_gain", value: number, seq: SequencerPlan): void {
  if (m[key] !== null && m[key] !== value) {
    throw new HardwareConfigError("INPUT_GAIN_NOT_UNIQUE", `input_gain: ${key} of ${seq.moduleName} is set to ${m[key]} and ${value} by different port-clocks (latest ${seq.route.portClock})`, {
      path: `/hardware_options/input_gain/${seq.route.portClock}`,
      hint: "port-clocks sharing a module input must use the same input_gain",
    });
  }
  m[key] = value;
}

function integerDb(v: number, field: string, pc: string): number {
  if (!Number.isInteger(v)) {
    throw new ValueRangeError("ATTENUATION_NOT_INTEGER", `${field} for ${pc} is ${v}, but attenuation must be an integer number of dB`, { path: `/hardware_options/${field}/${pc}` });
  }
  return v;
}
