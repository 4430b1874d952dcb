/**
 * Acquisition protocol schemas of the schedule document (the acquisition_info entries of a Composite).
 */
import { z } from "zod";
import { Angle, clockRequired, Freq, interpolation, name, port, t0, Time } from "./schema-fields.js";

/* ------------------------------------------------------------ acquisitions */

/**
 * The validation bit (bit 1) of the thresholded bits this acquisition shares over LINQ
 * (fb_acq_tb_valid); false marks the result invalid, so no conditional acts on it (docs/feedback.md).
 */
const feedbackValid = z
  .boolean()
  .optional()
  .meta({ default: true })
  .describe(
    "LINQ validation bit of the shared thresholded bits (fb_acq_tb_valid): false sends the result as invalid, so conditionals skip their body; needs feedback_trigger_label",
  );

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
  feedback_valid: feedbackValid,
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
  feedback_valid: feedbackValid,
});
