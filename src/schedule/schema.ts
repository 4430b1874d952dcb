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
import { FEEDBACK_DATA_SCHEMAS, FEEDBACK_DATA_TYPES, type FeedbackDataSpec } from "./feedback-data.js";
import { Angle, Freq, QuantitySchema, Time } from "./schema-fields.js";
import {
  NumericalSeparatedWeightedIntegrationSchema,
  NumericalWeightedIntegrationSchema,
  SSBIntegrationComplexSchema,
  ThresholdedAcquisitionSchema,
  TraceSchema,
  WeightedThresholdedAcquisitionSchema,
} from "./schema-acquisitions.js";

import {
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
} from "./schema-pulses.js";

export { QuantitySchema } from "./schema-fields.js";
export {
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
};

export {
  NumericalSeparatedWeightedIntegrationSchema,
  NumericalWeightedIntegrationSchema,
  SSBIntegrationComplexSchema,
  ThresholdedAcquisitionSchema,
  TraceSchema,
  WeightedThresholdedAcquisitionSchema,
};

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
  ...FEEDBACK_DATA_SCHEMAS,
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
  feedback_mode: z
    .enum(["linq", "trigger_network"])
    .optional()
    .meta({ default: "linq" })
    .describe(
      "how ConditionalOperation gets its measurement: LINQ feedback, or the trigger network as quantify compiles it (docs/feedback.md)",
    ),
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
export type PrimitiveSpec = PulseSpec | AcquisitionSpec | FeedbackDataSpec;
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
  ...FEEDBACK_DATA_TYPES,
];
