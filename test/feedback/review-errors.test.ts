/**
 * Typed errors found by the feedback review (issue 12 follow-up): undefined variables read by
 * VariableArithmetic / VariableVoltageOffset, a second conditional on an already consumed result (LINQ
 * and trigger network), a ConditionalOperation with both a qubit_name and a variable.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { Q1ForgeError } from "../../src/core/errors.js";

const HW = JSON.parse(
  readFileSync(new URL("../../hardware-configs/baseband-transmon.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

function thrown(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}
const err = (schedule: unknown) => {
  const e = thrown(() => compile(schedule as Record<string, unknown>, HW));
  return { name: e.name, code: e.code, path: e.path, message: e.message, hint: e.hint };
};
const idle = { operation: { type: "IdlePulse", duration: "100 ns" } };

const measure = {
  label: "m0",
  operation: {
    type: "ThresholdedAcquisition",
    name: "measure q0",
    port: "q0:res",
    clock: "q0.ro",
    duration: "200 ns",
    acq_channel: 0,
    feedback_trigger_label: "q0",
  },
};
const cond = (name: string, rel: string, extra: Record<string, unknown> = {}) => ({
  rel_time: rel,
  operation: {
    type: "ConditionalOperation",
    name,
    qubit_name: "q0",
    ...extra,
    body: {
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.1, duration: "20 ns", port: "q0:fl", clock: "cl0.baseband" } },
      ],
    },
  },
});
const RES = { "q0.ro": { freq: 150e6 } };

describe("feedback review: typed errors", () => {
  it("VariableArithmetic with an undefined operand variable: VARIABLE_UNDEFINED at …/operand", () => {
    expect(
      err({
        name: "v",
        resources: RES,
        schedulables: [
          { operation: { type: "SetVariable", port: "q0:fl", variable: "a", value: 1 } },
          { operation: { type: "VariableArithmetic", port: "q0:fl", variable: "a", operation: "add", operand: "zz" } },
          idle,
        ],
      }),
    ).toStrictEqual({
      name: "ScheduleError",
      code: "VARIABLE_UNDEFINED",
      path: "/schedulables/1/operation/operand",
      message:
        'VariableArithmetic "VariableArithmetic" reads variable "zz" (operand) on cluster0_module1.seq0, where no earlier operation sets it (variables belong to one sequencer)',
      hint: 'set "zz" (SetVariable, VariableArithmetic result or ReceiveFeedback) on q0:fl-cl0.baseband before VariableArithmetic "VariableArithmetic", or fix the name',
    });
  });

  it("VariableArithmetic on an undefined variable, SendFeedback of one: VARIABLE_UNDEFINED at …/variable", () => {
    const e = err({
      name: "v",
      resources: RES,
      schedulables: [
        { operation: { type: "VariableArithmetic", port: "q0:fl", variable: "b", operation: "add", operand: 1 } },
        idle,
      ],
    });
    expect([e.code, e.path]).toStrictEqual(["VARIABLE_UNDEFINED", "/schedulables/0/operation/variable"]);
    const s = err({
      name: "v",
      resources: RES,
      schedulables: [{ operation: { type: "SendFeedback", port: "q0:fl", label: "x", variable: "c" } }, idle],
    });
    expect([s.code, s.path]).toStrictEqual(["VARIABLE_UNDEFINED", "/schedulables/0/operation/variable"]);
  });

  it("VariableVoltageOffset with an undefined variable_path_I: VARIABLE_UNDEFINED at …/variable_path_I", () => {
    const e = err({
      name: "v",
      resources: RES,
      schedulables: [{ operation: { type: "VariableVoltageOffset", port: "q0:fl", variable_path_I: "nope" } }, idle],
    });
    expect([e.name, e.code, e.path, e.message]).toStrictEqual([
      "ScheduleError",
      "VARIABLE_UNDEFINED",
      "/schedulables/0/operation/variable_path_I",
      'VariableVoltageOffset "VariableVoltageOffset" reads variable "nope" (variable_path_I) on cluster0_module1.seq0, where no earlier operation sets it (variables belong to one sequencer)',
    ]);
  });

  for (const mode of ["linq", "trigger_network"] as const)
    it(`${mode}: a second conditional on an already consumed result is FEEDBACK_RESULT_CONSUMED naming both`, () => {
      const e = err({
        name: "twice",
        feedback_mode: mode,
        resources: RES,
        schedulables: [measure, cond("reset q0", "600 ns"), cond("reset again", "20 ns"), idle],
      });
      expect(e).toStrictEqual({
        name: "ScheduleError",
        code: "FEEDBACK_RESULT_CONSUMED",
        path: "/schedulables/2/operation",
        message: `ConditionalOperation "reset again" depends on qubit_name "q0", but the result of the latest measurement with that label ("measure q0") was already consumed by ConditionalOperation "reset q0"; each result feeds one conditional${mode === "linq" ? " (one send, one fb_pop_data)" : " (one latch reset, one conditional)"}`,
        hint: 'measure again (a ThresholdedAcquisition with "feedback_trigger_label": "q0") between "reset q0" and "reset again", or put both bodies into the one ConditionalOperation "reset q0"',
      });
    });

  it("qubit_name and variable together: CONDITIONAL_BOTH_CONDITIONS at …/qubit_name", () => {
    expect(
      err({
        name: "both",
        resources: RES,
        schedulables: [
          { operation: { type: "SetVariable", port: "q0:fl", variable: "v", value: 1 } },
          measure,
          cond("reset q0", "600 ns", { variable: "v" }),
          idle,
        ],
      }),
    ).toStrictEqual({
      name: "ScheduleError",
      code: "CONDITIONAL_BOTH_CONDITIONS",
      path: "/schedulables/2/operation/qubit_name",
      message:
        'ConditionalOperation "reset q0" gives both "variable" ("v") and "qubit_name"; it branches either on a measured bit (qubit_name, value) or on a variable (variable, comparison, threshold)',
      hint: 'remove "qubit_name" to branch on "v", or remove "variable" (and comparison / threshold) to branch on the measurement',
    });
  });

  it("comparison / threshold without a variable: CONDITIONAL_BOTH_CONDITIONS at …/threshold", () => {
    const e = err({
      name: "thr",
      resources: RES,
      schedulables: [measure, cond("reset q0", "600 ns", { threshold: 5 }), idle],
    });
    expect([e.code, e.path, e.message]).toStrictEqual([
      "CONDITIONAL_BOTH_CONDITIONS",
      "/schedulables/1/operation/threshold",
      'ConditionalOperation "reset q0" gives threshold, which only apply to a branch on a variable, but no "variable" (it branches on the bit of "q0")',
    ]);
  });
});

describe("feedback compile options (TS API)", () => {
  const schedule = { name: "o", resources: RES, schedulables: [idle] };
  const bad = (options: Record<string, unknown>) => {
    const e = thrown(() => compile(schedule, HW, options as never));
    return [e.name, e.code, e.path, e.message];
  };
  it('feedbackMode "bogus": UsageError at options.feedbackMode', () => {
    expect(bad({ feedbackMode: "bogus" })).toStrictEqual([
      "UsageError",
      "USAGE",
      "options.feedbackMode",
      'compile option feedbackMode is "bogus"; it must be "linq" or "trigger_network"',
    ]);
  });
  it('feedbackWriteCombine "yes", feedbackInsertWait 1: UsageError naming the option', () => {
    expect(bad({ feedbackWriteCombine: "yes" })).toStrictEqual([
      "UsageError",
      "USAGE",
      "options.feedbackWriteCombine",
      'compile option feedbackWriteCombine is "yes" (string); it must be true or false',
    ]);
    expect(bad({ feedbackInsertWait: 1 })).toStrictEqual([
      "UsageError",
      "USAGE",
      "options.feedbackInsertWait",
      "compile option feedbackInsertWait is 1 (number); it must be true or false",
    ]);
  });
  it("valid values compile", () => {
    for (const o of [
      { feedbackMode: "trigger_network" },
      { feedbackMode: "linq", feedbackInsertWait: false, feedbackWriteCombine: true },
    ])
      expect(compile(schedule, HW, o as never).name).toBe("o");
  });
});

describe("acq_threshold range (integrated value)", () => {
  const sched = (threshold: number) => ({
    name: "thr",
    resources: RES,
    schedulables: [{ ...measure, operation: { ...measure.operation, acq_threshold: threshold } }, idle],
  });
  it("1e6 over 200 ns integrates to 200000000: ACQ_THRESHOLD_OUT_OF_RANGE naming the limit for 200 ns", () => {
    expect(err(sched(1e6))).toStrictEqual({
      name: "ValueRangeError",
      code: "ACQ_THRESHOLD_OUT_OF_RANGE",
      path: "/schedulables/0/operation",
      message:
        'acq_threshold 1000000 of "measure q0" on q0:res-q0.ro, integrated over 200 ns, is 200000000, outside the instrument\'s ±16777212 (thresholded_acq_threshold)',
      hint: "keep |acq_threshold| ≤ 83886 for a 200 ns integration (acq_threshold of the acquisition, or measure.acq_threshold of the device element for a Measure gate)",
    });
  });
  it("83886 over 200 ns (16777200) compiles to thresholded_acq_threshold 16777200", () => {
    const c = compile(sched(83886), HW);
    expect(c.clusters.cluster0!.modules.cluster0_module2!.sequencers.seq0!.settings.thresholded_acq_threshold).toBe(
      16777200,
    );
  });
});
