/**
 * Compiled settings (quantify names, compiled-schedule.ts) → qblox-instruments driver parameters,
 * following quantify-backend.md 3.7 and 7.3. One mapping for everyone who drives a Cluster: the
 * instrument coordinator writes these parameters through the SCPI driver, simulate() and verify feed
 * them to the emulator, and the virtual Cluster turns its driver-level state back into them.
 */
import { MODULE_CATALOG, hasAnalogInputs, type ModuleType } from "../core/module-catalog.js";
import type {
  CompiledModule,
  CompiledSequencer,
  ConnectAcqValue,
  ConnectOutValue,
  ModuleSettings,
  Sequence,
} from "./compiled-schedule.js";

export type { ConnectAcqValue, ConnectOutValue };

/** Trigger-network addresses (reference §8). */
export type TriggerAddress = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;
/** `trigger{a}_count_threshold` (0…65535, default 1) and `trigger{a}_threshold_invert` (default false). */
export type TriggerThresholdParams = { [K in `trigger${TriggerAddress}_count_threshold`]?: number } & {
  [K in `trigger${TriggerAddress}_threshold_invert`]?: boolean;
};

/** Per-sequencer driver parameters (qblox-instruments names). Missing fields take driver defaults. */
export interface SequencerDriverParams extends TriggerThresholdParams {
  sync_en?: boolean;
  nco_freq?: number; // Hz
  nco_phase_offs?: number; // degrees
  mod_en_awg?: boolean;
  demod_en_acq?: boolean;
  gain_awg_path0?: number;
  gain_awg_path1?: number;
  offset_awg_path0?: number;
  offset_awg_path1?: number;
  mixer_corr_gain_ratio?: number;
  mixer_corr_phase_offset_degree?: number;
  /** connect_out0..N: "I" | "Q" | "IQ" | "off" (keys "out0", "out1", …) */
  connect_out?: Record<string, ConnectOutValue>;
  /** baseband: {I: "in0"|"off", Q: "in1"|"off"}; RF: {acq: "in0"|"in1"|"off"} */
  connect_acq?: Record<string, ConnectAcqValue>;
  integration_length_acq?: number; // ns
  thresholded_acq_rotation?: number; // degrees
  thresholded_acq_threshold?: number;
  /** trigger network: send each thresholded result to this address (1…15), inverted or not */
  thresholded_acq_trigger_en?: boolean;
  thresholded_acq_trigger_address?: number;
  thresholded_acq_trigger_invert?: boolean;
  marker_ovr_en?: boolean;
  marker_ovr_value?: number;
}

/** Per-module driver parameters. */
export interface ModuleDriverParams {
  /** output offsets in V, index = DAC (baseband: output; RF: 2·output + path) */
  out_offset?: number[];
  /** in0_gain / in1_gain (dB) */
  in_gain?: number[];
  /** RF LO frequencies (Hz), index = LO */
  lo_freq?: number[];
  scope_acq_sequencer_select?: number;
  scope_acq_avg_mode_en?: boolean;
}

export interface SequencerDriverInput {
  index: number;
  sequence: Sequence;
  params: SequencerDriverParams;
}

/** One module's driver-level state: what the driver writes, and what the emulator runs. */
export interface ModuleDriverInput {
  slot: number;
  type: ModuleType;
  params: ModuleDriverParams;
  sequencers: SequencerDriverInput[];
}

/** Strip the driver prefixes so keys are "out0".. / "I", "Q", "acq" whatever form the compiler used. */
function normaliseConnectOut(map: Record<string, ConnectOutValue>): Record<string, ConnectOutValue> {
  const out: Record<string, ConnectOutValue> = {};
  for (const [k, v] of Object.entries(map)) out[k.replace(/^connect_/, "")] = v;
  return out;
}
function normaliseConnectAcq(map: Record<string, ConnectAcqValue>): Record<string, ConnectAcqValue> {
  const out: Record<string, ConnectAcqValue> = {};
  for (const [k, v] of Object.entries(map)) out[k.replace(/^connect_acq_?/, "") || "acq"] = v;
  return out;
}

/** Sequencer driver parameters from quantify SequencerSettings (7.3 step 3/4 and the readout list). */
export function sequencerSettingsToParams(seq: CompiledSequencer, moduleType: ModuleType): SequencerDriverParams {
  const s = seq.settings;
  const p: SequencerDriverParams = {
    sync_en: s.sync_en,
    mod_en_awg: s.nco_en,
    gain_awg_path0: s.init_gain_awg_path_I,
    gain_awg_path1: s.init_gain_awg_path_Q,
    offset_awg_path0: s.init_offset_awg_path_I,
    offset_awg_path1: s.init_offset_awg_path_Q,
    connect_out: normaliseConnectOut(s.connect_out),
    marker_ovr_en: s.marker_ovr_en,
  };
  if (s.nco_en && s.modulation_freq !== null) p.nco_freq = s.modulation_freq;
  if (s.mixer_corr_gain_ratio !== null) p.mixer_corr_gain_ratio = s.mixer_corr_gain_ratio;
  if (s.mixer_corr_phase_offset_degree !== null) p.mixer_corr_phase_offset_degree = s.mixer_corr_phase_offset_degree;
  // trigger network, conditional side: the counter thresholds of the addresses it reads (quantify 7.3)
  for (const [a, r] of Object.entries(s.thresholded_acq_trigger_read_settings)) {
    const t = p as Record<string, number | boolean>;
    t[`trigger${a}_count_threshold`] = r.thresholded_acq_trigger_count;
    t[`trigger${a}_threshold_invert`] = r.thresholded_acq_trigger_invert;
  }
  if (hasAnalogInputs(moduleType)) {
    // The IC sets demod_en_acq = nco_en on QRM/QRM-RF; QRC requires nco_en, so the same holds there.
    p.demod_en_acq = s.nco_en;
    p.connect_acq = normaliseConnectAcq(s.connect_acq);
    if (s.integration_length_acq !== null) p.integration_length_acq = s.integration_length_acq;
    if (s.thresholded_acq_rotation !== null) p.thresholded_acq_rotation = s.thresholded_acq_rotation;
    if (s.thresholded_acq_threshold !== null) p.thresholded_acq_threshold = s.thresholded_acq_threshold;
    // trigger network, readout side (set only with an address: LINQ schedules leave the trigger map alone)
    if (s.thresholded_acq_trigger_write_address !== null) {
      p.thresholded_acq_trigger_en = s.thresholded_acq_trigger_write_en === true;
      p.thresholded_acq_trigger_address = s.thresholded_acq_trigger_write_address;
      p.thresholded_acq_trigger_invert = s.thresholded_acq_trigger_write_invert;
    }
  }
  return p;
}

/** Output offsets in compiled module settings: offset_ch{0,1}_path_{I,Q}, i.e. DACs 0 … 3. */
const OFFSET_SETTINGS = 4;

/**
 * Module driver parameters. `out_offset` is indexed by DAC (baseband: output; RF: 2·output + path)
 * and always in volts: RF offsets are stored in mV in compiled settings (3.7) and converted here.
 */
export function moduleSettingsToParams(settings: ModuleSettings, type: ModuleType): ModuleDriverParams {
  const spec = MODULE_CATALOG[type];
  const readout = hasAnalogInputs(type);
  const scale = spec.isRF ? 1e-3 : 1;
  const raw = [
    settings.offset_ch0_path_I,
    settings.offset_ch0_path_Q,
    settings.offset_ch1_path_I,
    settings.offset_ch1_path_Q,
  ];
  const out_offset = raw.slice(0, Math.min(OFFSET_SETTINGS, spec.dacs)).map((v) => (v ?? 0) * scale);
  const p: ModuleDriverParams = { out_offset };
  if (readout && !spec.isRF) p.in_gain = [settings.in0_gain ?? 0, settings.in1_gain ?? 0];
  if (spec.isRF) p.lo_freq = settings.lo_freq.map((f) => f ?? 0);
  if (settings.scope_acq_sequencer_select !== null) p.scope_acq_sequencer_select = settings.scope_acq_sequencer_select;
  // The IC always enables scope averaging on readout modules (7.3).
  if (readout) p.scope_acq_avg_mode_en = settings.scope_acq_avg_mode_en ?? true;
  return p;
}

/** One compiled module → the driver-level input of the module (sequencers sorted by index). */
export function compiledModuleToDriverInput(module: CompiledModule): ModuleDriverInput {
  const sequencers: SequencerDriverInput[] = Object.values(module.sequencers)
    .map((seq) => ({
      index: seq.index,
      sequence: seq.sequence,
      params: sequencerSettingsToParams(seq, module.instrument_type),
    }))
    .sort((a, b) => a.index - b.index);
  return {
    slot: module.slot,
    type: module.instrument_type,
    params: moduleSettingsToParams(module.settings, module.instrument_type),
    sequencers,
  };
}
