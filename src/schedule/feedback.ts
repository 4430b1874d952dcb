/**
 * Schedule-level feedback operations (docs/feedback.md): conditional playback on a measurement's
 * thresholded bit and repeat-until-success. They are control flow like LoopOperation: each has a
 * `body` schedule. The measurement is a ThresholdedAcquisition whose `feedback_trigger_label` equals
 * the operation's `qubit_name` (quantify's names). No transforms or defaults here (see schema.ts).
 */
import { z } from "zod";
import type { LoopBodySpec } from "./schema.js";
// Read lazily through the getters below (schema.ts imports this file; the binding is live).
import { LoopBodySchema } from "./schema.js";

const label = z
  .string()
  .min(1)
  .describe("feedback_trigger_label of the ThresholdedAcquisition whose thresholded bit decides");
const bitValue = z.union([z.literal(0), z.literal(1)]);

/**
 * The body of both operations: a schedule like a LoopOperation's body. It is a named definition of its
 * own in the JSON Schema ($defs/FeedbackBody): inlined into the operation union it would enlarge the
 * validator of every nesting level (and the stack depth deeply nested schedules need).
 */
const FeedbackBodySchema: z.ZodType<LoopBodySpec> = z.lazy(() => LoopBodySchema).meta({ id: "FeedbackBody" });

/** quantify's ConditionalOperation: the body is played only when the measured bit equals `value`. */
export const ConditionalOperationSchema = z.strictObject({
  type: z.literal("ConditionalOperation"),
  name: z.string().optional(),
  qubit_name: label.optional().describe("required unless `variable` is given"),
  value: bitValue.optional().meta({ default: 1 }).describe("play the body when the thresholded bit is this value"),
  variable: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe(
      "instead of a bit: play the body when this variable (ReceiveFeedback, VariableArithmetic) compares true with `threshold`, on every sequencer of the body",
    ),
  comparison: z.enum([">=", "<"]).optional().meta({ default: ">=" }).describe("unsigned 32-bit comparison"),
  threshold: z.number().int().min(-2147483648).max(4294967295).optional().meta({ default: 0 }),
  body: FeedbackBodySchema,
});

/**
 * Repeat-until-success: the body (which contains the measurement) is played, then repeated while the
 * measured bit differs from `success_value`, at most `max_repetitions` times in all. The operation
 * always lasts `max_repetitions` bodies: after an early success the sequencers idle for the rest, so
 * everything after it keeps its time.
 */
export const RepeatUntilSuccessSchema = z.strictObject({
  type: z.literal("RepeatUntilSuccess"),
  name: z.string().optional(),
  qubit_name: label,
  success_value: bitValue.optional().meta({ default: 1 }),
  max_repetitions: z.number().int().min(1).max(65535),
  body: FeedbackBodySchema,
});

export interface ConditionalOperationSpec {
  type: "ConditionalOperation";
  name?: string | undefined;
  qubit_name?: string | undefined;
  value?: 0 | 1 | undefined;
  variable?: string | undefined;
  comparison?: ">=" | "<" | undefined;
  threshold?: number | undefined;
  body: LoopBodySpec;
}
export interface RepeatUntilSuccessSpec {
  type: "RepeatUntilSuccess";
  name?: string | undefined;
  qubit_name: string;
  success_value?: 0 | 1 | undefined;
  max_repetitions: number;
  body: LoopBodySpec;
}
export type FeedbackOperationSpec = ConditionalOperationSpec | RepeatUntilSuccessSpec | ConditionalResetSpec;

/**
 * quantify's ConditionalReset (gate level, needs a device): a Measure gate sharing its thresholded bit
 * (`acq_protocol: "ThresholdedAcquisition"`, `feedback_trigger_label` = the qubit), then, after
 * `hardware_buffer_time`, a ConditionalOperation playing X on the qubit when the bit is 1. Expanded
 * before the gates pass (compiler/1-schedule/conditional.ts).
 */
export const ConditionalResetSchema = z
  .strictObject({
    type: z.literal("ConditionalReset"),
    name: z.string().optional(),
    qubit: z.string().min(1).describe("device element"),
    acq_channel: z.union([z.number(), z.string()]).optional().describe("overrides the element's acq_channel"),
    bin_mode: z.enum(["average", "append", "AVERAGE", "APPEND"]).optional().meta({ default: "average" }),
    hardware_buffer_time: z
      .union([z.number(), z.string()])
      .optional()
      .meta({ default: "536 ns" })
      .describe("gap between the end of the measurement and the conditional X (multi-cast TB latency 472 ns + 64 ns)"),
  })
  .meta({ id: "ConditionalReset" });
export type ConditionalResetSpec = z.infer<typeof ConditionalResetSchema>;
