/** Feedback compile options (compile() options, hardware compiler_options) and feedback warnings. */
import { UsageError } from "../../core/errors.js";
import type { CompileWarning } from "../ir/plan.js";
import type { FeedbackOptions, FeedbackPlan } from "./feedback-types.js";

/** The feedback options: the compile() options, else the hardware config's compiler_options, else off. */
export function feedbackOptions(
  options: { feedbackInsertWait?: boolean | undefined; feedbackWriteCombine?: boolean | undefined },
  compilerOptions: { feedbackInsertWait: boolean; feedbackWriteCombine: boolean },
): FeedbackOptions {
  return {
    insertWait: options.feedbackInsertWait ?? compilerOptions.feedbackInsertWait,
    writeCombine: options.feedbackWriteCombine ?? compilerOptions.feedbackWriteCombine,
  };
}

/** Compile warnings of the feedback plan: each inserted wait (feedback_insert_wait) and each readout write-combine skipped. */
export function feedbackWarnings(plan: FeedbackPlan): CompileWarning[] {
  const out: CompileWarning[] = (plan.insertedWaits ?? []).map((w) => ({
    code: "FEEDBACK_WAIT_INSERTED",
    message: `feedback_insert_wait: conditional "${w.conditional}" (at ${w.scheduledNs} ns) came ${w.waitNs} ns too early for the result of measurement "${w.measurement}" on ${w.receiver} (minimum gap ${w.minGapNs} ns from the end of its acquisition window); it and everything after it were delayed by ${w.waitNs} ns`,
    path: w.path,
  }));
  return plan.warnings ? [...plan.warnings, ...out] : out;
}

/**
 * The feedback options of compile() (TS API, camelCase; checked before anything else): `feedbackMode`
 * "linq" / "trigger_network", `feedbackInsertWait` and `feedbackWriteCombine` booleans, or undefined.
 * A wrong value is a UsageError naming the option (path "options.<name>"), not silently the default.
 */
export function checkFeedbackCompileOptions(options: unknown): void {
  if (typeof options !== "object" || options === null) return;
  const o = options as Record<string, unknown>;
  const mode = o.feedbackMode;
  if (mode !== undefined && mode !== "linq" && mode !== "trigger_network")
    throw new UsageError(
      `compile option feedbackMode is ${JSON.stringify(mode) ?? String(mode)}; it must be "linq" or "trigger_network"`,
      {
        path: "options.feedbackMode",
        hint: 'pass feedbackMode: "linq" (the default) or "trigger_network", or leave it out',
      },
    );
  for (const name of ["feedbackInsertWait", "feedbackWriteCombine"] as const) {
    const v = o[name];
    if (v === undefined || typeof v === "boolean") continue;
    throw new UsageError(
      `compile option ${name} is ${JSON.stringify(v) ?? String(v)} (${typeof v}); it must be true or false`,
      {
        path: `options.${name}`,
        hint: `pass ${name}: true or false, or leave it out to use the hardware config's compiler_options.${name === "feedbackInsertWait" ? "feedback_insert_wait" : "feedback_write_combine"}`,
      },
    );
  }
}
