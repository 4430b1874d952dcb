/**
 * zod schema of the schedule JSON document (docs/schedule-format.md). It is the single source of the
 * input language: `schemas/schedule.schema.json` is generated from it with z.toJSONSchema and parse.ts
 * validates with ajv against that JSON Schema. Therefore: no transforms, refinements or zod defaults
 * here (defaults are applied in normalize.ts and recorded with `.meta({ default })` for documentation).
 * Recursion (Schedule → schedulables → operation → Schedule/LoopOperation) uses getters.
 */
import { z } from "zod";
import { sweepOperationSchema, type SweepOperationSpec } from "./sweep.js";
import {
  ConditionalOperationSchema,
  ConditionalResetSchema,
  RepeatUntilSuccessSchema,
  type FeedbackOperationSpec,
} from "./feedback.js";
import { gateSchemas, GATE_TYPES, type GateSpec } from "./gates.js";

/** A number in SI units (s, Hz, V, degrees) or a unit string such as "20 ns", "7.4 GHz", "90 deg". */
export const QuantitySchema = z
  .union([z.number(), z.string()])
  .describe('number in SI units or a unit string, e.g. "20 ns"');
const Time = QuantitySchema;
const Freq = QuantitySchema;
const Angle = QuantitySchema;
const Amp = QuantitySchema;
const ComplexAmp = z.union([QuantitySchema, z.tuple([z.number(), z.number()])]).describe("real amplitude or [re, im]");

const port = z.string().min(1).describe('port, e.g. "q0:mw"');
const clockRequired = z.string().min(1).describe('clock resource name, e.g. "q0.01"');
const clockBaseband = clockRequired.optional().meta({ default: "cl0.baseband" });
const t0 = Time.optional().meta({ default: 0 }).describe("start relative to the schedulable, s or unit string");
const name = z.string().optional().describe("name used in messages (defaults to the operations key or the type)");
const interpolation = z.enum(["linear", "nearest", "previous", "next"]);

/* ------------------------------------------------------------------ pulses */

export const SquarePulseSchema = z.strictObject({
  type: z.literal("SquarePulse"),
  name,
  t0,
  amp: ComplexAmp,
  duration: Time,
  port,
  clock: clockBaseband,
});
export const DRAGPulseSchema = z.strictObject({
  type: z.literal("DRAGPulse"),
  name,
  t0,
  G_amp: Amp,
  D_amp: Amp,
  phase: Angle.optional().meta({ default: 0 }),
  duration: Time,
  port,
  clock: clockRequired,
  sigma: z.union([Time, z.null()]).optional().meta({ default: null }),
  nr_sigma: z.union([z.number(), z.null()]).optional().describe("default 4 when sigma is null"),
});
export const GaussPulseSchema = z.strictObject({
  type: z.literal("GaussPulse"),
  name,
  t0,
  G_amp: Amp,
  phase: Angle.optional().meta({ default: 0 }),
  duration: Time,
  port,
  clock: clockBaseband,
  sigma: z.union([Time, z.null()]).optional().meta({ default: null }),
  nr_sigma: z.union([z.number(), z.null()]).optional().describe("default 4 when sigma is null"),
});
export const RampPulseSchema = z.strictObject({
  type: z.literal("RampPulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockBaseband,
  offset: Amp.optional().meta({ default: 0 }),
});
export const StaircasePulseSchema = z.strictObject({
  type: z.literal("StaircasePulse"),
  name,
  t0,
  start_amp: Amp,
  final_amp: Amp,
  num_steps: z.number().int().min(2),
  duration: Time,
  port,
  clock: clockBaseband,
});
export const SoftSquarePulseSchema = z.strictObject({
  type: z.literal("SoftSquarePulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockBaseband,
});
export const ChirpPulseSchema = z.strictObject({
  type: z.literal("ChirpPulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockRequired,
  start_freq: Freq,
  end_freq: Freq,
});
export const NumericalPulseSchema = z.strictObject({
  type: z.literal("NumericalPulse"),
  name,
  t0,
  samples: z
    .array(z.union([z.number(), z.tuple([z.number(), z.number()])]))
    .min(2)
    .describe("numbers or [re, im] pairs"),
  t_samples: z.array(z.number()).min(2).describe("sample times in s, strictly increasing"),
  port,
  clock: clockBaseband,
  interpolation: interpolation.optional().meta({ default: "linear" }),
});
export const SuddenNetZeroPulseSchema = z.strictObject({
  type: z.literal("SuddenNetZeroPulse"),
  name,
  t0,
  amp_A: Amp,
  amp_B: z.number(),
  net_zero_A_scale: z.number(),
  t_pulse: Time,
  t_phi: Time,
  t_integral_correction: Time,
  port,
  clock: clockBaseband,
});
export const SkewedHermitePulseSchema = z.strictObject({
  type: z.literal("SkewedHermitePulse"),
  name,
  t0,
  duration: Time,
  amplitude: Amp,
  skewness: z.number(),
  phase: Angle,
  port,
  clock: clockRequired,
});
export const IdlePulseSchema = z.strictObject({ type: z.literal("IdlePulse"), name, t0, duration: Time });
export const VoltageOffsetSchema = z.strictObject({
  type: z.literal("VoltageOffset"),
  name,
  t0,
  offset_path_I: Amp,
  offset_path_Q: Amp,
  port,
  clock: clockBaseband,
});
export const MarkerPulseSchema = z.strictObject({
  type: z.literal("MarkerPulse"),
  name,
  t0,
  duration: Time,
  port,
  clock: clockRequired.optional().meta({ default: "digital" }),
});
/**
 * quantify's InlineQ1ASM: Q1ASM text placed in the sequencer program at the operation's time. The
 * compiler assembles it, gives its labels and registers private names, and checks its timing contract:
 * the real-time instructions of straight-line code must take exactly `duration`.
 */
export const InlineQ1ASMSchema = z.strictObject({
  type: z.literal("InlineQ1ASM"),
  name,
  t0,
  program: z.string().min(1),
  duration: Time,
  port,
  clock: clockRequired.optional().meta({ default: "cl0.baseband" }),
  safe_labels: z.boolean().optional().meta({ default: true }),
});
export const SetClockFrequencySchema = z.strictObject({
  type: z.literal("SetClockFrequency"),
  name,
  t0,
  clock: clockRequired,
  clock_freq_new: z.union([Freq, z.null()]).describe("Hz; null = back to the clock's own frequency"),
});
export const ShiftClockPhaseSchema = z.strictObject({
  type: z.literal("ShiftClockPhase"),
  name,
  t0,
  clock: clockRequired,
  phase_shift: Angle,
});
export const ResetClockPhaseSchema = z.strictObject({
  type: z.literal("ResetClockPhase"),
  name,
  t0,
  clock: clockRequired,
});

/* ------------------------------------------------------------ acquisitions */

const acqCommon = {
  name,
  t0,
  port,
  clock: clockRequired,
  acq_channel: z.union([z.number(), z.string()]).optional().meta({ default: 0 }),
  bin_mode: z
    .enum(["average", "append", "AVERAGE", "APPEND"])
    .optional()
    .describe("default per protocol: average, weighted protocols append"),
  coords: z.record(z.string(), z.unknown()).optional(),
};
const weights = {
  weights_a: z.array(z.number()).min(1),
  weights_b: z.array(z.number()).min(1),
  weights_sampling_rate: Freq.optional().meta({ default: 1e9 }),
  interpolation: interpolation.optional().meta({ default: "linear" }),
  duration: Time.optional().describe("defaults to len(weights)/weights_sampling_rate; must match it when given"),
};
export const SSBIntegrationComplexSchema = z.strictObject({
  type: z.literal("SSBIntegrationComplex"),
  ...acqCommon,
  duration: Time,
});
export const TraceSchema = z.strictObject({ type: z.literal("Trace"), ...acqCommon, duration: Time });
export const ThresholdedAcquisitionSchema = z.strictObject({
  type: z.literal("ThresholdedAcquisition"),
  ...acqCommon,
  duration: Time,
  acq_rotation: Angle.optional().meta({ default: 0 }),
  acq_threshold: z.number().optional().meta({ default: 0 }),
  feedback_trigger_label: z.union([z.string(), z.null()]).optional().meta({ default: null }),
});
export const NumericalSeparatedWeightedIntegrationSchema = z.strictObject({
  type: z.literal("NumericalSeparatedWeightedIntegration"),
  ...acqCommon,
  ...weights,
});
export const NumericalWeightedIntegrationSchema = z.strictObject({
  type: z.literal("NumericalWeightedIntegration"),
  ...acqCommon,
  ...weights,
});
/** quantify's WeightedThresholdedAcquisition: weighted integration (acquire_weighed), then rotation and threshold. */
export const WeightedThresholdedAcquisitionSchema = z.strictObject({
  type: z.literal("WeightedThresholdedAcquisition"),
  ...acqCommon,
  ...weights,
  acq_rotation: Angle.optional().meta({ default: 0 }),
  acq_threshold: z.number().optional().meta({ default: 0 }),
  feedback_trigger_label: z.union([z.string(), z.null()]).optional().meta({ default: null }),
});

/* ---------------------------------------------------------- op families */

const pulseSchemas = [
  SquarePulseSchema,
  DRAGPulseSchema,
  GaussPulseSchema,
  RampPulseSchema,
  StaircasePulseSchema,
  SoftSquarePulseSchema,
  ChirpPulseSchema,
  NumericalPulseSchema,
  SuddenNetZeroPulseSchema,
  SkewedHermitePulseSchema,
  IdlePulseSchema,
  VoltageOffsetSchema,
  MarkerPulseSchema,
  InlineQ1ASMSchema,
  SetClockFrequencySchema,
  ShiftClockPhaseSchema,
  ResetClockPhaseSchema,
] as const;
const acquisitionSchemas = [
  SSBIntegrationComplexSchema,
  NumericalSeparatedWeightedIntegrationSchema,
  NumericalWeightedIntegrationSchema,
  ThresholdedAcquisitionSchema,
  WeightedThresholdedAcquisitionSchema,
  TraceSchema,
] as const;

/** Entries allowed in a Composite's pulse_info. */
export const PulseSpecSchema = z.discriminatedUnion("type", [...pulseSchemas]);
/** Entries allowed in a Composite's acquisition_info. */
export const AcquisitionSpecSchema = z.discriminatedUnion("type", [...acquisitionSchemas]);

export const CompositeSchema = z.strictObject({
  type: z.literal("Composite"),
  name: z.string().min(1),
  pulse_info: z.array(PulseSpecSchema).optional(),
  acquisition_info: z.array(AcquisitionSpecSchema).optional(),
});

export const ClockResourceSpecSchema = z.strictObject({
  freq: z.union([Freq, z.null()]).describe("Hz or unit string; null = undefined frequency"),
  phase: Angle.optional().meta({ default: 0 }),
});

const refPoint = z.enum(["start", "center", "end"]);
export type RefPoint = z.infer<typeof refPoint>;
export const TimingConstraintSchema = z.strictObject({
  ref_schedulable: z
    .union([z.string(), z.null()])
    .optional()
    .describe("label; default: the previously added schedulable"),
  ref_pt: refPoint.optional().meta({ default: "end" }),
  ref_pt_new: refPoint.optional().meta({ default: "start" }),
  rel_time: Time.optional().meta({ default: 0 }),
});

/*
 * The recursive part. TypeScript cannot infer self-referential zod types, so the recursive shapes are
 * written out as interfaces below and the getters are annotated with them.
 */
export interface BlockSpec {
  name?: string | undefined;
  repetitions?: number | undefined;
  resources?: Record<string, ClockResourceSpec> | undefined;
  operations?: Record<string, OperationSpec> | undefined;
  schedulables: SchedulableSpec[];
}
export interface SubScheduleSpec extends BlockSpec {
  type: "Schedule";
}
export interface LoopBodySpec extends BlockSpec {
  type?: "Schedule" | undefined;
}
export interface LoopOperationSpec {
  type: "LoopOperation";
  name?: string | undefined;
  repetitions: number;
  body: LoopBodySpec;
}
export type OperationSpec =
  | PrimitiveSpec
  | CompositeSpec
  | LoopOperationSpec
  | SubScheduleSpec
  | GateSpec
  | FeedbackOperationSpec
  | SweepOperationSpec;
export interface SchedulableSpec {
  label?: string | undefined;
  operation: string | OperationSpec;
  ref_schedulable?: string | null | undefined;
  ref_pt?: RefPoint | undefined;
  ref_pt_new?: RefPoint | undefined;
  rel_time?: Quantity | undefined;
  timing_constraints?: TimingConstraintSpec[] | undefined;
}

/* Getters are read lazily (after module init), so they can return the constants defined further down.
 * Do not spread an object with these getters: spreading evaluates them. */
const blockName = z.string().optional();
const blockRepetitions = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("only the outermost schedule's repetitions are used");
const blockResources = z.record(z.string(), ClockResourceSpecSchema).optional();

export const SubScheduleSchema = z.strictObject({
  type: z.literal("Schedule"),
  name: blockName,
  repetitions: blockRepetitions,
  resources: blockResources,
  get operations(): OperationsMap {
    return operationsMap;
  },
  get schedulables(): SchedulablesList {
    return schedulablesList;
  },
});
export const LoopBodySchema = z.strictObject({
  type: z.literal("Schedule").optional(),
  name: blockName,
  repetitions: blockRepetitions,
  resources: blockResources,
  get operations(): OperationsMap {
    return operationsMap;
  },
  get schedulables(): SchedulablesList {
    return schedulablesList;
  },
});
export const LoopOperationSchema = z.strictObject({
  type: z.literal("LoopOperation"),
  name: z.string().optional(),
  repetitions: z.number().int().min(1),
  get body(): z.ZodType<LoopBodySpec> {
    return LoopBodySchema;
  },
});

/** Any operation: a primitive, a Composite, a LoopOperation or a nested Schedule. */
/** A Sweep: its body once per point of its parameters (src/schedule/sweep.ts, docs/sweeps.md). */
export const SweepOperationSchema = sweepOperationSchema(() => LoopBodySchema);

export const OperationSpecSchema = z.discriminatedUnion("type", [
  ...pulseSchemas,
  ...acquisitionSchemas,
  CompositeSchema,
  LoopOperationSchema,
  SubScheduleSchema,
  ...gateSchemas,
  ConditionalOperationSchema,
  RepeatUntilSuccessSchema,
  ConditionalResetSchema,
  SweepOperationSchema,
]);
const operationRef = z.union([z.string().describe("key into operations"), OperationSpecSchema]);

export const SchedulableSchema = z.strictObject({
  label: z.string().min(1).optional(),
  get operation(): z.ZodType<string | OperationSpec> {
    return operationRef;
  },
  ref_schedulable: z.union([z.string(), z.null()]).optional(),
  ref_pt: refPoint.optional(),
  ref_pt_new: refPoint.optional(),
  rel_time: Time.optional(),
  timing_constraints: z
    .array(TimingConstraintSchema)
    .min(1)
    .optional()
    .describe("instead of the single-constraint fields; several → latest start"),
});

type OperationsMap = z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodType<OperationSpec>>>;
type SchedulablesList = z.ZodArray<z.ZodType<SchedulableSpec>>;
const operationsMap: OperationsMap = z.record(z.string(), OperationSpecSchema).optional();
const schedulablesList: SchedulablesList = z.array(SchedulableSchema).min(1);

export const ScheduleDocumentSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string(),
  repetitions: blockRepetitions,
  resources: blockResources,
  get operations(): OperationsMap {
    return operationsMap;
  },
  get schedulables(): SchedulablesList {
    return schedulablesList;
  },
});

export type Quantity = z.infer<typeof QuantitySchema>;
export type ScheduleDocument = z.infer<typeof ScheduleDocumentSchema>;
export type TimingConstraintSpec = z.infer<typeof TimingConstraintSchema>;
export type PulseSpec = z.infer<typeof PulseSpecSchema>;
export type AcquisitionSpec = z.infer<typeof AcquisitionSpecSchema>;
export type PrimitiveSpec = PulseSpec | AcquisitionSpec;
export type CompositeSpec = z.infer<typeof CompositeSchema>;
export type ClockResourceSpec = z.infer<typeof ClockResourceSpecSchema>;
export type ScheduleBlockSpec = ScheduleDocument | SubScheduleSpec | LoopBodySpec;

export const PULSE_TYPES: readonly PulseSpec["type"][] = pulseSchemas.map((s) => s.shape.type.value);
export const ACQUISITION_TYPES: readonly AcquisitionSpec["type"][] = acquisitionSchemas.map((s) => s.shape.type.value);
export const OPERATION_TYPES: readonly OperationSpec["type"][] = [
  ...PULSE_TYPES,
  ...ACQUISITION_TYPES,
  "Composite",
  "LoopOperation",
  "Schedule",
  ...GATE_TYPES,
  "ConditionalOperation",
  "RepeatUntilSuccess",
  "ConditionalReset",
  "Sweep",
];
