/**
 * Compiled settings (src/compiler/output.ts, quantify names) → qblox-instruments driver parameters
 * (src/emulator/api.ts), following quantify-backend.md 3.7 and 7.3. Shared with the instrument
 * coordinator: keep the mapping stable.
 */
import type { CompiledModule, CompiledSequencer, ModuleSettings, ModuleType } from "../contract/compiled-schedule.js";
import type { EmuModuleInput, EmuModuleParams, EmuSequencerInput, EmuSequencerParams } from "./api.js";

export const READOUT_MODULE_TYPES: readonly ModuleType[] = ["QRM", "QRM_RF", "QRC"];
export const RF_MODULE_TYPES: readonly ModuleType[] = ["QCM_RF", "QRM_RF", "QRC"];

export const isReadoutModule = (t: ModuleType): boolean => READOUT_MODULE_TYPES.includes(t);
export const isRfModule = (t: ModuleType): boolean => RF_MODULE_TYPES.includes(t);

/** Strip the driver prefixes so keys are "out0".. / "I", "Q", "acq" whatever form the compiler used. */
function normaliseConnectOut(map: Record<string, "I" | "Q" | "IQ" | "off">): Record<string, "I" | "Q" | "IQ" | "off"> {
  const out: Record<string, "I" | "Q" | "IQ" | "off"> = {};
  for (const [k, v] of Object.entries(map)) out[k.replace(/^connect_/, "")] = v;
  return out;
}
function normaliseConnectAcq(map: Record<string, "in0" | "in1" | "off">): Record<string, "in0" | "in1" | "off"> {
  const out: Record<string, "in0" | "in1" | "off"> = {};
  for (const [k, v] of Object.entries(map)) out[k.replace(/^connect_acq_?/, "") || "acq"] = v;
  return out;
}

/** Sequencer driver parameters from quantify SequencerSettings (7.3 step 3/4 and the readout list). */
export function sequencerSettingsToParams(seq: CompiledSequencer, moduleType: ModuleType): EmuSequencerParams {
  const s = seq.settings;
  const p: EmuSequencerParams = {
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
  if (isReadoutModule(moduleType)) {
    // The IC sets demod_en_acq = nco_en on QRM/QRM-RF; QRC requires nco_en, so the same holds there.
    p.demod_en_acq = s.nco_en;
    p.connect_acq = normaliseConnectAcq(s.connect_acq);
    if (s.integration_length_acq !== null) p.integration_length_acq = s.integration_length_acq;
    if (s.thresholded_acq_rotation !== null) p.thresholded_acq_rotation = s.thresholded_acq_rotation;
    if (s.thresholded_acq_threshold !== null) p.thresholded_acq_threshold = s.thresholded_acq_threshold;
  }
  return p;
}

/**
 * Module driver parameters. `out_offset` is indexed by DAC (baseband: output; RF: 2·output + path)
 * and always in volts: RF offsets are stored in mV in compiled settings (3.7) and converted here.
 */
export function moduleSettingsToParams(settings: ModuleSettings, type: ModuleType): EmuModuleParams {
  const rf = isRfModule(type);
  const scale = rf ? 1e-3 : 1;
  const raw = [settings.offset_ch0_path_I, settings.offset_ch0_path_Q, settings.offset_ch1_path_I, settings.offset_ch1_path_Q];
  const dacs = type === "QRM" || type === "QRM_RF" ? 2 : 4;
  const out_offset = raw.slice(0, dacs).map((v) => (v ?? 0) * scale);
  const p: EmuModuleParams = { out_offset };
  if (isReadoutModule(type) && !rf) p.in_gain = [settings.in0_gain ?? 0, settings.in1_gain ?? 0];
  if (rf) p.lo_freq = settings.lo_freq.map((f) => f ?? 0);
  if (settings.scope_acq_sequencer_select !== null) p.scope_acq_sequencer_select = settings.scope_acq_sequencer_select;
  // The IC always enables scope averaging on readout modules (7.3).
  if (isReadoutModule(type)) p.scope_acq_avg_mode_en = settings.scope_acq_avg_mode_en ?? true;
  return p;
}

/** One compiled module → the emulator / virtual-Cluster input (sequencers sorted by index). */
export function compiledModuleToEmuInput(module: CompiledModule): EmuModuleInput {
  const sequencers: EmuSequencerInput[] = Object.values(module.sequencers)
    .map((seq) => ({ index: seq.index, sequence: seq.sequence, params: sequencerSettingsToParams(seq, module.instrument_type) }))
    .sort((a, b) => a.index - b.index);
  return {
    slot: module.slot,
    type: module.instrument_type,
    params: moduleSettingsToParams(module.settings, module.instrument_type),
    sequencers,
  };
}
