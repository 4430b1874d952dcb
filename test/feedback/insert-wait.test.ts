/**
 * feedback_insert_wait (docs/feedback.md): instead of FEEDBACK_TOO_EARLY the compiler delays a
 * conditional (and everything from its start on) until the measurement's result can be there, and
 * lists every inserted wait in diagnostics.feedback_waits.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { feedForward, feedbackHardware, measure, repeatUntilSuccess, RESOURCES, xPulse } from "./fixtures.js";

const BIT1: InputSignalModel = ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(-0.3);

function thrown(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}
const withOption = (): Record<string, unknown> => ({
  ...feedbackHardware(),
  compiler_options: { feedback_insert_wait: true },
});
const plays = (c: ReturnType<typeof compile>) =>
  simulate(c, { inputModel: BIT1 })
    .events.filter((e) => e.kind === "play")
    .map((e) => [e.module, e.portClock, e.startNs]);

describe("feedback_insert_wait", () => {
  it("a feed-forward 136 ns too early is shifted to 836 ns (300 ns window end + 536 ns); the wait is reported", () => {
    expect(thrown(() => compile(feedForward(400), feedbackHardware())).code).toBe("FEEDBACK_TOO_EARLY");
    for (const c of [
      compile(feedForward(400), withOption()),
      compile(feedForward(400), feedbackHardware(), { feedbackInsertWait: true }),
    ]) {
      expect(c.diagnostics.feedback_waits).toStrictEqual([
        {
          conditional: "feed-forward q1",
          path: "/schedulables/1/operation",
          measurement: "Measure q0",
          receiver: "cluster0_module1.seq0",
          scheduled_ns: 700,
          wait_ns: 136,
          min_gap_ns: 536,
        },
      ]);
      // 300 ns measurement + 536 ns gap + 20 ns X + 100 ns idle
      expect(c.repetition_duration_ns).toBe(956);
      const qcm = c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!.sequence.program;
      expect(qcm.split("\n").slice(7, 9)).toStrictEqual([
        " wait 836",
        ' fb_pop_data 16,R1 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
      ]);
      // the QCM program starts 16 ns after the schedule's 0 (its header and the loop header)
      expect(plays(c).filter((p) => p[0] === "cluster0_module1")).toStrictEqual([
        ["cluster0_module1", "q1:mw-q1.01", 852],
      ]);
    }
  });

  it("a conditional in time needs no wait: the option changes nothing", () => {
    const a = compile(feedForward(600), feedbackHardware());
    const b = compile(feedForward(600), withOption());
    expect(b.diagnostics.feedback_waits).toBeUndefined();
    expect(b.clusters).toStrictEqual(a.clusters);
  });

  it("two early conditionals: each shift accounts for the one before (exact times)", () => {
    const s = {
      name: "two",
      resources: RESOURCES,
      schedulables: [
        { operation: measure("a") },
        {
          rel_time: 100e-9,
          operation: {
            type: "ConditionalOperation",
            name: "first",
            qubit_name: "a",
            body: { schedulables: [{ operation: xPulse("q1:mw", "q1.01") }] },
          },
        },
        { rel_time: 40e-9, operation: measure("b") },
        {
          rel_time: 10e-9,
          operation: {
            type: "ConditionalOperation",
            name: "second",
            qubit_name: "b",
            value: 0,
            body: { schedulables: [{ operation: xPulse("q1:mw", "q1.01") }] },
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const c = compile(s, withOption());
    // first: 300 + 100 = 400 → 836 (wait 436); "Measure q0" b then starts 40 ns after the X (876 + 20 = 896),
    // its window ends at 896 + 300 = 1196; second at 1206 → 1196 + 536 = 1732 (wait 526 → 528, 4 ns grid)
    expect(c.diagnostics.feedback_waits!.map((w) => [w.conditional, w.scheduled_ns, w.wait_ns])).toStrictEqual([
      ["first", 400, 436],
      ["second", 1206, 528],
    ]);
    expect(plays(c).filter((p) => p[0] === "cluster0_module1")).toStrictEqual([
      ["cluster0_module1", "q1:mw-q1.01", 836 + 16],
      ["cluster0_module1", "q1:mw-q1.01", 1734 + 16],
    ]);
    // the pops (when the QCM's Q1 core had each bit): the second window ends at 1212 ns on the RT
    // timeline (16 ns header), its bit arrives 472 ns later; at that NCO phase −0.3 reads as 0
    const r = simulate(c, { inputModel: BIT1 });
    expect(r.events.filter((e) => e.kind === "feedback").map((e) => [e.slot, e.startNs, e.linqValue])).toStrictEqual([
      [1, 792, 3],
      [1, 1688, 2],
    ]);
  });

  it("RepeatUntilSuccess: every body grows by the wait before its bit check", () => {
    // body: X (20 ns), measurement (300 ns, window 120–320 ns), idle; the bit check at the body's end
    // needs 320 + 250 (intra-cast) + 64 = 634 ns: with a 100 ns idle (420 ns body) 214 ns are missing
    const s = repeatUntilSuccess(3, 1) as {
      schedulables: { operation: { body: { schedulables: { operation: Record<string, unknown> }[] } } }[];
    };
    s.schedulables[0]!.operation.body.schedulables[2]!.operation = { type: "IdlePulse", duration: "100 ns" };
    expect(thrown(() => compile(s, feedbackHardware())).code).toBe("FEEDBACK_TOO_EARLY");
    const c = compile(s, withOption());
    expect(
      c.diagnostics.feedback_waits!.map((w) => [w.conditional, w.scheduled_ns, w.wait_ns, w.min_gap_ns]),
    ).toStrictEqual([["prepare q0", 420, 216, 314]]);
    // bodies of 636 ns: 3 · 636 = 1908 ns, then the X after the RepeatUntilSuccess (+ the QCM's 16 ns)
    expect(c.repetition_duration_ns).toBe(1908 + 20 + 100);
    expect(plays(c).filter((p) => p[1] === "q0:mw-q0.01")).toStrictEqual([
      ["cluster0_module2", "q0:mw-q0.01", 16],
      ["cluster0_module2", "q0:mw-q0.01", 1908 + 16],
    ]);
  });

  it("a conditional inside a LoopOperation body is not shifted: FEEDBACK_TOO_EARLY as without the option", () => {
    const s = {
      name: "loop",
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "LoopOperation",
            repetitions: 2,
            body: { schedulables: (feedForward(400) as { schedulables: unknown[] }).schedulables },
          },
        },
      ],
    };
    const e = thrown(() => compile(s, withOption()));
    expect([e.code, e.path]).toStrictEqual([
      "FEEDBACK_TOO_EARLY",
      "/schedulables/0/operation/body/schedulables/1/operation",
    ]);
  });
});
