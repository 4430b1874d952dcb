/**
 * zod schema of the q1forge device JSON (docs/device.md): the calibrated parameters of quantify's
 * `BasicTransmonElement` and `CompositeSquareEdge`, with quantify's field names. It is the single
 * source of `schemas/device.schema.json` (scripts/generate-schemas.ts). quantify's own serialized
 * `QuantumDevice` is converted to this form by quantify.ts before validation.
 *
 * No transforms or zod defaults here (defaults are applied in load.ts and recorded with
 * `.meta({ default })`). `null` stands for quantify's NaN: "not calibrated"; a gate that needs such
 * a parameter is a compile error naming it.
 */
import { z } from "zod";

const Quantity = z.union([z.number(), z.string()]).describe('number in SI units or a unit string, e.g. "20 ns"');
const Time = Quantity;
const Freq = Quantity;
const nullable = <T extends z.ZodType>(t: T) => z.union([t, z.null()]);

export const ResetParamsSchema = z.strictObject({
  duration: nullable(Time).optional().meta({ default: 200e-6 }).describe("passive reset (idle) duration, s"),
});

const ReferenceMagnitudeSchema = nullable(
  z.strictObject({
    dBm: nullable(z.number()).optional(),
    V: nullable(z.number()).optional(),
    A: nullable(z.number()).optional(),
  }),
).describe("accepted for quantify compatibility; the Qblox backend ignores it");

export const RxyParamsSchema = z.strictObject({
  amp180: nullable(z.number())
    .optional()
    .meta({ default: null })
    .describe("amplitude of a π pulse (G_amp of X); null = not calibrated"),
  motzoi: nullable(z.number()).optional().meta({ default: 0 }).describe("D_amp of the DRAG pulse"),
  duration: nullable(Time).optional().meta({ default: 20e-9 }).describe("DRAG pulse duration, s"),
  reference_magnitude: ReferenceMagnitudeSchema.optional(),
});

export const MeasureParamsSchema = z.strictObject({
  pulse_type: z.literal("SquarePulse").optional().meta({ default: "SquarePulse" }),
  pulse_amp: nullable(z.number()).optional().meta({ default: 0.25 }),
  pulse_duration: nullable(Time).optional().meta({ default: 300e-9 }),
  acq_channel: z.union([z.number(), z.string()]).optional().meta({ default: 0 }),
  acq_delay: nullable(Time).optional().meta({ default: 0 }).describe("acquisition start after the readout pulse start"),
  integration_time: nullable(Time).optional().meta({ default: 1e-6 }),
  reset_clock_phase: z.boolean().optional().meta({ default: true }),
  acq_weights_a: nullable(z.array(z.number())).optional().meta({ default: null }),
  acq_weights_b: nullable(z.array(z.number())).optional().meta({ default: null }),
  acq_weights_sampling_rate: nullable(Freq).optional().meta({ default: null }),
  acq_weight_type: z.literal("SSB").optional(),
  acq_rotation: nullable(z.number()).optional().meta({ default: 0 }).describe("degrees (ThresholdedAcquisition)"),
  acq_threshold: nullable(z.number()).optional().meta({ default: 0 }).describe("ThresholdedAcquisition"),
  reference_magnitude: ReferenceMagnitudeSchema.optional(),
});

export const PortsSchema = z.strictObject({
  microwave: z.string().min(1).optional().describe('default "<element>:mw"'),
  flux: z.string().min(1).optional().describe('default "<element>:fl"'),
  readout: z.string().min(1).optional().describe('default "<element>:res"'),
});

export const ClockFreqsSchema = z.strictObject({
  f01: nullable(Freq).optional().meta({ default: null }).describe('frequency of the "<element>.01" clock'),
  f12: nullable(Freq).optional().meta({ default: null }).describe('frequency of the "<element>.12" clock'),
  readout: nullable(Freq).optional().meta({ default: null }).describe('frequency of the "<element>.ro" clock'),
});

export const BasicTransmonElementSchema = z.strictObject({
  type: z.literal("BasicTransmonElement"),
  reset: ResetParamsSchema.optional(),
  rxy: RxyParamsSchema.optional(),
  measure: MeasureParamsSchema.optional(),
  ports: PortsSchema.optional(),
  clock_freqs: ClockFreqsSchema.optional(),
});

export const CZParamsSchema = z.strictObject({
  square_amp: nullable(z.number()).optional().meta({ default: 0.5 }),
  square_duration: nullable(Time).optional().meta({ default: 20e-9 }),
  parent_phase_correction: nullable(z.number())
    .optional()
    .meta({ default: 0 })
    .describe('degrees; quantify\'s "<parent>_phase_correction"'),
  child_phase_correction: nullable(z.number())
    .optional()
    .meta({ default: 0 })
    .describe('degrees; quantify\'s "<child>_phase_correction"'),
});

export const CompositeSquareEdgeSchema = z.strictObject({
  type: z.literal("CompositeSquareEdge"),
  parent_element_name: z.string().min(1),
  child_element_name: z.string().min(1),
  cz: CZParamsSchema.optional(),
});

export const ELEMENT_TYPES = ["BasicTransmonElement"] as const;
export const EDGE_TYPES = ["CompositeSquareEdge"] as const;

export const DeviceConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  elements: z.record(z.string().min(1), BasicTransmonElementSchema).describe("device elements by name"),
  edges: z.record(z.string().min(1), CompositeSquareEdgeSchema).optional().describe('edges by name "<parent>_<child>"'),
  cfg_sched_repetitions: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("kept for quantify compatibility; the schedule's repetitions are used"),
});

export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
export type BasicTransmonElementConfig = z.infer<typeof BasicTransmonElementSchema>;
export type CompositeSquareEdgeConfig = z.infer<typeof CompositeSquareEdgeSchema>;
