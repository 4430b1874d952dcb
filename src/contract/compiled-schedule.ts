/**
 * CompiledSchedule: the contract between the compiler, the emulator (simulate) and the instrument
 * coordinator. zod is the single source of truth; schemas/compiled-schedule.schema.json is generated.
 *
 * Layout: clusters → modules → sequencers. Each sequencer carries `sequence` in the exact form
 * qblox-instruments uploads ({program, waveforms, weights, acquisitions}) and `settings` named as in
 * quantify's SequencerSettings (reference section 5.2) plus the channel map of reference 1.6.
 */
import { z } from "zod";
import { ModuleTypeSchema, type ModuleType } from "../core/module-catalog.js";
import { BIN_MODES, PROTOCOL_NAMES } from "../core/protocols.js";
import { FeedbackSectionSchema, FeedbackWaitSchema } from "./linq.js";

export { ModuleTypeSchema, type ModuleType };

export const WaveformEntrySchema = z.object({
  data: z.array(z.number()),
  index: z.number().int().min(0),
});

export const AcquisitionDeclSchema = z.object({
  num_bins: z.number().int().min(0),
  index: z.number().int().min(0),
});

/** The upload payload, exactly as qblox-instruments' `sequencer.sequence(...)` takes it. */
export const SequenceSchema = z.object({
  program: z.string(),
  waveforms: z.record(z.string(), WaveformEntrySchema),
  weights: z.record(z.string(), WaveformEntrySchema),
  acquisitions: z.record(z.string(), AcquisitionDeclSchema),
});
export type Sequence = z.infer<typeof SequenceSchema>;

export const ConnectOutValueSchema = z.enum(["I", "Q", "IQ", "off"]);
export const ConnectAcqValueSchema = z.enum(["in0", "in1", "off"]);
/** connect_out{k} value: path routing of one output (reference 1.6) */
export type ConnectOutValue = z.infer<typeof ConnectOutValueSchema>;
/** connect_acq* value: the input feeding an acquisition path */
export type ConnectAcqValue = z.infer<typeof ConnectAcqValueSchema>;

export const TriggerReadSettingSchema = z.object({
  thresholded_acq_trigger_invert: z.boolean(),
  thresholded_acq_trigger_count: z.number().int(),
});

export const SequencerSettingsSchema = z.object({
  sync_en: z.boolean(),
  channel_name: z.string(),
  channel_name_measure: z.array(z.string()).nullable(),
  connected_output_indices: z.array(z.number().int()),
  connected_input_indices: z.array(z.number().int()),
  nco_en: z.boolean(),
  /** NCO frequency in Hz (null when the NCO is off) */
  modulation_freq: z.number().nullable(),
  mod_en_awg: z.boolean(),
  demod_en_acq: z.boolean(),
  init_offset_awg_path_I: z.number(),
  init_offset_awg_path_Q: z.number(),
  init_gain_awg_path_I: z.number(),
  init_gain_awg_path_Q: z.number(),
  mixer_corr_phase_offset_degree: z.number().nullable(),
  mixer_corr_gain_ratio: z.number().nullable(),
  auto_sideband_cal: z.enum(["off", "on_interm_freq_change"]),
  integration_length_acq: z.number().int().nullable(),
  thresholded_acq_rotation: z.number().nullable(),
  thresholded_acq_threshold: z.number().nullable(),
  thresholded_acq_trigger_write_en: z.boolean().nullable(),
  thresholded_acq_trigger_write_address: z.number().int().nullable(),
  thresholded_acq_trigger_write_invert: z.boolean(),
  thresholded_acq_trigger_read_settings: z.record(z.string(), TriggerReadSettingSchema),
  ttl_acq_input_select: z.number().int().nullable(),
  ttl_acq_threshold: z.number().nullable(),
  ttl_acq_auto_bin_incr_en: z.boolean().nullable(),
  /** driver channel map: connect_out0..N → "I" | "Q" | "IQ" | "off" (reference 1.6) */
  connect_out: z.record(z.string(), ConnectOutValueSchema),
  /** baseband QRM: {I: "in0"|"off", Q: "in1"|"off"}; RF readout: {acq: "in0"|"in1"|"off"}; {} on control modules */
  connect_acq: z.record(z.string(), ConnectAcqValueSchema),
  marker_ovr_en: z.boolean(),
});
export type SequencerSettings = z.infer<typeof SequencerSettingsSchema>;

/** One operation a program line was emitted for: its IR node id, name, JSON pointer and schedulable label path. */
export const SourceOperationSchema = z.object({
  id: z.number().int().min(0),
  name: z.string(),
  path: z.string().nullable(),
  label: z.string().nullable(),
});
export type SourceOperation = z.infer<typeof SourceOperationSchema>;

/**
 * Source map of one program: `lines[i]` is the index into `operations` of the operation that emitted
 * program line i + 1, or −1 for lines no operation owns (program header, end of repetition).
 */
export const SourceMapSchema = z.object({
  operations: z.array(SourceOperationSchema),
  lines: z.array(z.number().int().min(-1)),
});
export type SourceMap = z.infer<typeof SourceMapSchema>;

export const CompiledSequencerSchema = z.object({
  index: z.number().int().min(0),
  port: z.string(),
  clock: z.string(),
  port_clock: z.string(),
  sequence: SequenceSchema,
  settings: SequencerSettingsSchema,
  /** emitted by the compiler; absent in compiled schedules written by other tools */
  source_map: SourceMapSchema.optional(),
});
export type CompiledSequencer = z.infer<typeof CompiledSequencerSchema>;

export const FilterSettingSchema = z.object({
  coeffs: z.union([z.number(), z.array(z.number())]).nullable(),
  config: z.enum(["bypassed", "enabled", "delay_comp"]),
  marker_delay: z.enum(["bypassed", "delay_comp"]),
});
export const OutputDistortionSchema = z.object({
  exp0: FilterSettingSchema,
  exp1: FilterSettingSchema,
  exp2: FilterSettingSchema,
  exp3: FilterSettingSchema,
  fir: FilterSettingSchema,
});

export const ModuleSettingsSchema = z.object({
  offset_ch0_path_I: z.number().nullable(),
  offset_ch0_path_Q: z.number().nullable(),
  offset_ch1_path_I: z.number().nullable(),
  offset_ch1_path_Q: z.number().nullable(),
  in0_gain: z.number().int().nullable(),
  in1_gain: z.number().int().nullable(),
  distortion_corrections: z.array(OutputDistortionSchema),
  out0_lo_freq_cal_type_default: z.enum(["off", "on_lo_freq_change", "on_lo_interm_freq_change"]),
  out1_lo_freq_cal_type_default: z.enum(["off", "on_lo_freq_change", "on_lo_interm_freq_change"]),
  /** internal LO frequencies (RF modules), Hz; index = LO index */
  lo_freq: z.array(z.number().nullable()),
  /** RF output attenuations, dB; index = output */
  out_att: z.array(z.number().int().nullable()),
  /** RF input attenuations, dB; index = input */
  in_att: z.array(z.number().int().nullable()),
  rf_output_on: z.boolean().nullable(),
  /** sequencer index selected for scope (Trace) acquisition, or null */
  scope_acq_sequencer_select: z.number().int().nullable(),
  scope_acq_trigger_mode: z.enum(["sequencer", "level"]).nullable(),
  scope_acq_avg_mode_en: z.boolean().nullable(),
});
export type ModuleSettings = z.infer<typeof ModuleSettingsSchema>;

export const CompiledModuleSchema = z.object({
  slot: z.number().int().min(1).max(20),
  instrument_type: ModuleTypeSchema,
  settings: ModuleSettingsSchema,
  /** keyed "seq<i>" */
  sequencers: z.record(z.string(), CompiledSequencerSchema),
});
export type CompiledModule = z.infer<typeof CompiledModuleSchema>;

export const ClusterSettingsSchema = z.object({
  reference_source: z.enum(["internal", "external"]),
  sync_on_external_trigger: z.record(z.string(), z.unknown()).nullable(),
});

export const CompiledClusterSchema = z.object({
  settings: ClusterSettingsSchema,
  /** keyed by qblox-instruments module name "<cluster>_module<slot>" */
  modules: z.record(z.string(), CompiledModuleSchema),
});
export type CompiledCluster = z.infer<typeof CompiledClusterSchema>;

export const LocalOscillatorSettingsSchema = z.object({
  frequency: z.number().nullable(),
  power: z.number().nullable(),
  status: z.boolean(),
});

/** Acquisition protocols and bin modes: the names of the protocol table (core/protocols.ts). */
export const ProtocolSchema = z.enum(PROTOCOL_NAMES);
export type Protocol = z.infer<typeof ProtocolSchema>;
export const BinModeSchema = z.enum(BIN_MODES);
export type BinMode = z.infer<typeof BinModeSchema>;

/** One coordinate in xarray's `Dataset.to_dict(data=True)` form. */
export const DatasetVariableSchema = z.object({
  dims: z.array(z.string()),
  /** numbers; null where a value does not apply (an acquisition outside the sweep) */
  data: z.array(z.number().nullable()),
  attrs: z.record(z.string(), z.unknown()),
});
export type DatasetVariable = z.infer<typeof DatasetVariableSchema>;

/**
 * Dimensions and coordinates of one acquisition channel's data, declared at compile time: sweep
 * parameters (the values actually played, `<name>_requested` alongside), `repetition` for APPEND,
 * `acq_index_<channel>` when the acquisitions are not one per point of one sweep.
 */
export const DatasetLayoutSchema = z.object({
  dims: z.array(z.string()),
  shape: z.array(z.number().int()),
  coords: z.record(z.string(), DatasetVariableSchema),
});
export type DatasetLayout = z.infer<typeof DatasetLayoutSchema>;

/**
 * Where the data of one acquisition channel lives and what shape the result has.
 * AVERAGE: shape [numAcqIndices]; APPEND: [repetitions, numAcqIndices]; Trace: [1, integrationLength].
 * Value for (repetition r, acq index i) lives in bin `first_bin + i + r * stride` of Qblox
 * acquisition index `qblox_index` on the given sequencer (AVERAGE: stride 0; Trace: bin 0, scope data).
 * All acquisitions of one APPEND channel share one bin register that advances in execution order,
 * so this formula holds for acquisitions inside loops too.
 */
export const AcquisitionChannelLayoutSchema = z.object({
  acq_channel: z.string(),
  protocol: ProtocolSchema,
  bin_mode: BinModeSchema,
  shape: z.array(z.number().int()),
  dims: z.array(z.string()),
  cluster: z.string(),
  module: z.string(),
  sequencer: z.number().int(),
  port_clock: z.string(),
  qblox_index: z.number().int(),
  first_bin: z.number().int(),
  /** number of acq indices of this channel (= last dimension of `shape` for binned protocols) */
  num_acq_indices: z.number().int(),
  stride: z.number().int(),
  integration_length: z.number().int().nullable(),
  /** repetitions of enclosing loops for APPEND acquisitions in loops (outermost first) */
  loop_repetitions: z.array(z.number().int()),
  coords: z.array(z.record(z.string(), z.unknown())).nullable(),
  /** the channel's dimensions and coordinates as an xarray dataset declares them (docs/sweeps.md) */
  dataset: DatasetLayoutSchema.optional(),
});
export type AcquisitionChannelLayout = z.infer<typeof AcquisitionChannelLayoutSchema>;

export const SequencerResourcesSchema = z.object({
  cluster: z.string(),
  module: z.string(),
  sequencer: z.number().int(),
  port_clock: z.string(),
  instructions: z.number().int(),
  instruction_limit: z.number().int(),
  waveform_samples: z.number().int(),
  waveform_sample_limit: z.number().int(),
  registers: z.number().int(),
  register_limit: z.number().int(),
  bins: z.number().int(),
  bin_limit: z.number().int(),
});

/** How one sweep parameter was lowered on one sequencer (docs/sweeps.md). */
export const SweepDiagnosticSchema = z.object({
  sweep: z.string(),
  /** JSON pointer of the Sweep operation */
  path: z.string(),
  parameter: z.string(),
  points: z.number().int(),
  lowering: z.enum(["register", "unrolled"]),
  reason: z.string(),
  /** "<module>.seq<i>" for a register loop; null for an unrolled sweep (counted over all sequencers) */
  sequencer: z.string().nullable(),
  /** register: instructions this parameter adds (the point counter is charged to the first parameter); unrolled: all instructions of the copies */
  instructions: z.number().int(),
  registers: z.number().int(),
});
export type SweepDiagnostic = z.infer<typeof SweepDiagnosticSchema>;

export const DiagnosticsSchema = z.object({
  warnings: z.array(z.object({ code: z.string(), message: z.string(), path: z.string().nullable() })),
  stage_ms: z.record(z.string(), z.number()),
  resources: z.array(SequencerResourcesSchema),
  /** per sweep parameter: the lowering chosen, why, and its cost */
  sweeps: z.array(SweepDiagnosticSchema).optional(),
  /** waits inserted before conditionals by feedback_insert_wait (docs/feedback.md) */
  feedback_waits: z.array(FeedbackWaitSchema).optional(),
});
export type Diagnostics = z.infer<typeof DiagnosticsSchema>;

export const CompiledScheduleSchema = z.object({
  format: z.literal("q1forge.compiled-schedule"),
  version: z.literal(1),
  /** q1forge version that compiled it (absent in compiled schedules written by other tools) */
  compiler_version: z.string().optional(),
  name: z.string(),
  repetitions: z.number().int().min(1),
  /** duration of one repetition in ns (excluding the 4 ns loop header) */
  repetition_duration_ns: z.number().int(),
  clusters: z.record(z.string(), CompiledClusterSchema),
  /** external local oscillators by instrument name */
  local_oscillators: z.record(z.string(), LocalOscillatorSettingsSchema),
  /** acquisition layout by acq_channel (string key) */
  acquisitions: z.record(z.string(), AcquisitionChannelLayoutSchema),
  /** LINQ routes and router configuration (docs/feedback.md); absent when the schedule uses no feedback */
  feedback: FeedbackSectionSchema.optional(),
  diagnostics: DiagnosticsSchema,
});
export type CompiledSchedule = z.infer<typeof CompiledScheduleSchema>;
