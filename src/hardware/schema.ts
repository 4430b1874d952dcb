/**
 * zod schema of the quantify new-style QbloxHardwareCompilationConfig (reference section 1).
 *
 * The JSON Schema in schemas/hardware-config.schema.json is generated from `HardwareConfigSchema`
 * with `z.toJSONSchema`, so this file uses only representable constructs: no transforms, no
 * refinements, no defaults (defaults live in `defaults.ts` / the consumers), and strictness is
 * explicit (`z.strictObject`) so the input and output JSON Schemas agree.
 * Semantic rules that JSON Schema cannot express (graph nodes, slots, versions) are in `semantic.ts`.
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Channel descriptions (reference 1.2)

/** Bitmask of DistortionCorrectionLatencyEnum: NO_DELAY_COMP=0, EXP0=2, EXP1=4, EXP2=8, EXP3=16, FIR=32. */
const LatencyCompensation = z.number().int().min(0).max(62);

export const ComplexChannelDescriptionSchema = z.strictObject({
  marker_debug_mode_enable: z.boolean().optional(),
  /** ignored on RF modules */
  mix_lo: z.boolean().optional(),
  /** custom hardware only */
  downconverter_freq: z.number().nullable().optional(),
  distortion_correction_latency_compensation: LatencyCompensation.optional(),
});
export const RealChannelDescriptionSchema = z.strictObject({
  marker_debug_mode_enable: z.boolean().optional(),
  mix_lo: z.boolean().optional(),
  distortion_correction_latency_compensation: LatencyCompensation.optional(),
});
export const DigitalChannelDescriptionSchema = z.strictObject({
  distortion_correction_latency_compensation: LatencyCompensation.optional(),
});

type ChannelSchema =
  typeof ComplexChannelDescriptionSchema | typeof RealChannelDescriptionSchema | typeof DigitalChannelDescriptionSchema;

/** `{<prefix>0: schema, …, <prefix>(n-1): schema}`, all optional. */
function channelFields(prefix: string, n: number, schema: ChannelSchema): Record<string, z.ZodOptional<ChannelSchema>> {
  const out: Record<string, z.ZodOptional<ChannelSchema>> = {};
  for (let i = 0; i < n; i++) out[`${prefix}${i}`] = schema.optional();
  return out;
}

const C = ComplexChannelDescriptionSchema;
const R = RealChannelDescriptionSchema;
const D = DigitalChannelDescriptionSchema;
const moduleCommon = { sequence_to_file: z.boolean().optional() };

// ---------------------------------------------------------------------------------------------
// Cluster modules, discriminated on instrument_type (reference 1.2)

export const QcmDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QCM"),
  ...moduleCommon,
  ...channelFields("complex_output_", 2, C),
  ...channelFields("real_output_", 4, R),
  ...channelFields("digital_output_", 4, D),
});
export const QrmDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QRM"),
  ...moduleCommon,
  ...channelFields("complex_output_", 1, C),
  ...channelFields("complex_input_", 1, C),
  ...channelFields("real_output_", 2, R),
  ...channelFields("real_input_", 2, R),
  ...channelFields("digital_output_", 4, D),
});
export const QcmRfDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QCM_RF"),
  ...moduleCommon,
  rf_output_on: z.boolean().optional(),
  ...channelFields("complex_output_", 2, C),
  ...channelFields("digital_output_", 2, D),
});
export const QrmRfDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QRM_RF"),
  ...moduleCommon,
  rf_output_on: z.boolean().optional(),
  ...channelFields("complex_output_", 1, C),
  ...channelFields("complex_input_", 1, C),
  ...channelFields("digital_output_", 2, D),
});
export const QrcDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QRC"),
  ...moduleCommon,
  ...channelFields("complex_output_", 6, C),
  ...channelFields("complex_input_", 2, C),
  ...channelFields("digital_output_", 1, D),
});
export const QtmDescriptionSchema = z.strictObject({
  instrument_type: z.literal("QTM"),
  ...moduleCommon,
  ...channelFields("digital_input_", 8, D),
  ...channelFields("digital_output_", 8, D),
});

export const ModuleDescriptionSchema = z
  .discriminatedUnion("instrument_type", [
    QcmDescriptionSchema,
    QrmDescriptionSchema,
    QcmRfDescriptionSchema,
    QrmRfDescriptionSchema,
    QrcDescriptionSchema,
    QtmDescriptionSchema,
  ])
  // ajv's `discriminator` keyword: validate only the branch named by instrument_type (precise errors)
  .meta({ discriminator: { propertyName: "instrument_type" } });
export type ModuleDescription = z.infer<typeof ModuleDescriptionSchema>;

export const SyncOnExternalTriggerSchema = z.strictObject({
  /** 0 = CMM */
  slot: z.number().int().min(0).max(20),
  /** front-panel numbering; must be 1 for the CMM */
  channel: z.number().int().min(1),
  /** QTM only */
  input_threshold: z.number().nullable().optional(),
  trigger_timestamp: z.number().optional(),
  timeout: z.number().optional(),
  format: z.string().optional(),
  edge_polarity: z.string().optional(),
  sync_to_ref_clock: z.boolean().optional(),
});

export const ClusterDescriptionSchema = z.strictObject({
  instrument_type: z.literal("Cluster"),
  ref: z.enum(["internal", "external"]),
  sequence_to_file: z.boolean().optional(),
  /** slot index as a JSON string key ("1" … "20") */
  modules: z.record(z.string().regex(/^[0-9]+$/), ModuleDescriptionSchema),
  ip: z.string().nullable().optional(),
  sync_on_external_trigger: SyncOnExternalTriggerSchema.nullable().optional(),
});
export type ClusterDescription = z.infer<typeof ClusterDescriptionSchema>;

export const LocalOscillatorDescriptionSchema = z.strictObject({
  instrument_type: z.literal("LocalOscillator"),
  instrument_name: z.string().nullable().optional(),
  /** only "generic" is supported (checked semantically, with a hint) */
  generic_icc_name: z.string().nullable().optional(),
  frequency_param: z.string().optional(),
  power_param: z.string().optional(),
  power: z.number().nullable().optional(),
});
export type LocalOscillatorDescription = z.infer<typeof LocalOscillatorDescriptionSchema>;

export const IQMixerDescriptionSchema = z.strictObject({ instrument_type: z.literal("IQMixer") });
export const OpticalModulatorDescriptionSchema = z.strictObject({ instrument_type: z.literal("OpticalModulator") });

export const InstrumentDescriptionSchema = z
  .discriminatedUnion("instrument_type", [
    ClusterDescriptionSchema,
    LocalOscillatorDescriptionSchema,
    IQMixerDescriptionSchema,
    OpticalModulatorDescriptionSchema,
  ])
  .meta({ discriminator: { propertyName: "instrument_type" } });
export type InstrumentDescription = z.infer<typeof InstrumentDescriptionSchema>;

// ---------------------------------------------------------------------------------------------
// hardware_options (reference 1.3): each option is a map port-clock → value; unknown option → error

/** "<port>-<clock>", e.g. "q0:mw-q0.01" */
const PortClockKey = z.string().regex(/^.+-.+$/);
function perPortClock<T extends z.ZodType>(value: T) {
  return z.record(PortClockKey, value);
}

export const ModulationFrequenciesSchema = z.strictObject({
  interm_freq: z.number().nullable().optional(),
  lo_freq: z.number().nullable().optional(),
});
export const MixerCorrectionsSchema = z.strictObject({
  dc_offset_i: z.number().nullable().optional(),
  dc_offset_q: z.number().nullable().optional(),
  /** Q/I amplitude ratio, default 1.0 */
  amp_ratio: z.number().min(0.5).max(2).optional(),
  /** degrees, default 0.0 */
  phase_error: z.number().min(-45).max(45).optional(),
  auto_lo_cal: z.enum(["off", "on_lo_freq_change", "on_lo_interm_freq_change"]).optional(),
  auto_sideband_cal: z.enum(["off", "on_interm_freq_change"]).optional(),
});
/** QRM baseband input gain in dB (in{n}_gain range −6 … 26 dB). */
const InputGainDb = z.number().int().min(-6).max(26);
export const ComplexInputGainSchema = z.strictObject({ gain_I: InputGainDb, gain_Q: InputGainDb });
export const InputGainSchema = z.union([InputGainDb, ComplexInputGainSchema]);

const InitValue = z.number().min(-1).max(1);
export const SequencerOptionsSchema = z.strictObject({
  init_offset_awg_path_I: InitValue.optional(),
  init_offset_awg_path_Q: InitValue.optional(),
  init_gain_awg_path_I: InitValue.optional(),
  init_gain_awg_path_Q: InitValue.optional(),
  ttl_acq_threshold: z.number().nullable().optional(),
  /** name of a hook passed in compile options `qasmHooks` (src/compiler/3-emit/hooks.ts); quantify's dotted import path has no meaning here */
  qasm_hook_func: z.string().nullable().optional(),
});

export const SoftwareDistortionCorrectionSchema = z.strictObject({
  filter_func: z.string(),
  input_var_name: z.string(),
  kwargs: z.record(z.string(), z.unknown()),
  clipping_values: z.tuple([z.number(), z.number()]).nullable().optional(),
  sampling_rate: z.number().positive().optional(),
});
const Coeffs = z.array(z.number()).nullable().optional();
/** Coefficient rules (expN = [τ ≥ 6, a ∈ [−1, 1)], 32 FIR taps) are checked by the compiler, QCM only. */
export const HardwareDistortionCorrectionSchema = z.strictObject({
  bt_coeffs: Coeffs,
  exp0_coeffs: Coeffs,
  exp1_coeffs: Coeffs,
  exp2_coeffs: Coeffs,
  exp3_coeffs: Coeffs,
  fir_coeffs: Coeffs,
});
export const DistortionCorrectionSchema = z.union([
  SoftwareDistortionCorrectionSchema,
  HardwareDistortionCorrectionSchema,
  /** complex channel: one correction for I, one for Q */
  z.tuple([HardwareDistortionCorrectionSchema, HardwareDistortionCorrectionSchema]),
]);

export const DigitizationThresholdsSchema = z.strictObject({
  analog_threshold: z.number().nullable().optional(),
  /** older quantify name of analog_threshold */
  in_threshold_primary: z.number().nullable().optional(),
});

/** complex crosstalk coefficients are written as {"real": x, "imag": y} in JSON */
export const CrosstalkValueSchema = z.union([z.number(), z.strictObject({ real: z.number(), imag: z.number() })]);

export const HardwareOptionsSchema = z.strictObject({
  latency_corrections: perPortClock(z.number()).optional(),
  distortion_corrections: perPortClock(DistortionCorrectionSchema).optional(),
  modulation_frequencies: perPortClock(ModulationFrequenciesSchema).optional(),
  mixer_corrections: perPortClock(MixerCorrectionsSchema).optional(),
  input_gain: perPortClock(InputGainSchema).optional(),
  output_att: perPortClock(z.number().int().min(0)).optional(),
  /** range per module type is checked by the compiler (outside it: warning, not applied; see docs) */
  input_att: perPortClock(z.number().int().min(0)).optional(),
  sequencer_options: perPortClock(SequencerOptionsSchema).optional(),
  digitization_thresholds: perPortClock(DigitizationThresholdsSchema).optional(),
  crosstalk: perPortClock(z.record(PortClockKey, CrosstalkValueSchema)).optional(),
});
export type HardwareOptions = z.infer<typeof HardwareOptionsSchema>;

// ---------------------------------------------------------------------------------------------
// compiler_options (1.4), connectivity (1.5), top level (1.1)

export const CompilerOptionsSchema = z.strictObject({
  auto_rf_switch: z.boolean().optional(),
  /** seconds, default 20e-9 */
  auto_rf_switch_ramp_buffer: z.number().min(0).optional(),
  /** LINQ feedback (docs/feedback.md): insert the missing wait instead of FEEDBACK_TOO_EARLY (q1forge) */
  feedback_insert_wait: z.boolean().optional(),
  /** LINQ feedback: write-combine thresholded bits of readouts that end together (fb_acq_tb_cfg; q1forge) */
  feedback_write_combine: z.boolean().optional(),
});

/** One side of an edge: a node name or a list of node names (expanded to the Cartesian product). */
const EdgeEnd = z.union([z.string(), z.array(z.string()).min(1)]);
export const EdgeListGraphSchema = z.array(z.tuple([EdgeEnd, EdgeEnd]));
/**
 * networkx node-link form (`nx.node_link_data`), as quantify reads it and as its `model_dump_json()`
 * wrote it before v0.24. Node and link attributes are allowed (and ignored); networkx ≥ 3.4 may
 * name the link list `edges`.
 */
export const NodeLinkGraphSchema = z.looseObject({
  directed: z.boolean().optional(),
  multigraph: z.boolean().optional(),
  graph: z.record(z.string(), z.unknown()).optional(),
  nodes: z.array(z.looseObject({ id: z.string() })),
  links: z.array(z.looseObject({ source: z.string(), target: z.string() })).optional(),
  edges: z.array(z.looseObject({ source: z.string(), target: z.string() })).optional(),
});
export type NodeLinkGraph = z.infer<typeof NodeLinkGraphSchema>;
export const ConnectivitySchema = z.strictObject({
  graph: z.union([EdgeListGraphSchema, NodeLinkGraphSchema]),
});

export const HardwareConfigSchema = z.strictObject({
  config_type: z.string().optional(),
  /** "0.1" (default) or "0.2"; other values are rejected by the semantic check with the supported list */
  version: z.string().optional(),
  hardware_description: z.record(z.string().min(1), InstrumentDescriptionSchema),
  hardware_options: HardwareOptionsSchema.optional(),
  connectivity: ConnectivitySchema,
  compiler_options: CompilerOptionsSchema.nullable().optional(),
  /** deprecated, ignored */
  allow_off_grid_nco_ops: z.boolean().nullable().optional(),
  /** Python callables in quantify; accepted and ignored (our pipeline is fixed) */
  compilation_passes: z.array(z.looseObject({ name: z.string() })).optional(),
});
export type HardwareConfig = z.infer<typeof HardwareConfigSchema>;
