/**
 * `feedback_valid` of a ThresholdedAcquisition / WeightedThresholdedAcquisition (docs/feedback.md):
 * the validation bit of the thresholded bits it shares over LINQ (fb_acq_tb_valid). Only an
 * acquisition that shares its result (a feedback_trigger_label) can mark it invalid.
 */
import { ScheduleError } from "../core/errors.js";

/** The model's field: `{ feedback_valid: false }` for an invalid result, nothing for the default (true). */
export function normalizeFeedbackValid(
  s: { feedback_valid?: boolean | undefined; feedback_trigger_label?: string | null | undefined },
  name: string,
  path: string,
): { feedback_valid?: false } {
  if (s.feedback_valid !== false) return {};
  if (s.feedback_trigger_label === undefined || s.feedback_trigger_label === null)
    throw new ScheduleError(
      "FEEDBACK_VALID_WITHOUT_LABEL",
      `${name}: "feedback_valid": false marks the thresholded bits it shares over LINQ as invalid, but it shares none (no feedback_trigger_label)`,
      {
        path: `${path}/feedback_valid`,
        hint: 'give it a "feedback_trigger_label" (the qubit_name its conditionals use), or remove "feedback_valid"',
      },
    );
  return { feedback_valid: false };
}
