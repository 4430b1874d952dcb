/**
 * Pop order (docs/feedback.md "Pop order"): fb_pop_data discards the entries before the one it pops,
 * so a receiver whose conditionals use two results in the opposite order to their arrival first pops
 * the earlier one into a register; results arriving together are FEEDBACK_POP_ORDER_AMBIGUOUS.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { simulate } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { twoReadoutHardware, twoReadouts } from "./review-fixtures.js";
import { feedForward, feedbackHardware } from "./fixtures.js";

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

const qcmProgram = (c: ReturnType<typeof compile>): string =>
  (
    c as unknown as {
      clusters: Record<
        string,
        { modules: Record<string, { sequencers: Record<string, { sequence: { program: string } }> }> }
      >;
    }
  ).clusters.cluster0!.modules.cluster0_module1!.sequencers.seq0!.sequence.program;

describe("feedback pop order", () => {
  it("q1's result arrives 8 ns before q0's but is used later: popped first into a register; verify (both repetitions) passes, both X play", () => {
    const c = compile(twoReadouts(["q0", "q1"]), twoReadoutHardware(), { verify: true });
    const lines = qcmProgram(c)
      .split("\n")
      .map((l) => l.replace(/ #.*$/, ""));
    const at = lines.indexOf(" wait 800");
    expect(lines.slice(at, at + 16)).toStrictEqual([
      " wait 800",
      " fb_pop_data 17,R2",
      " fb_pop_data 16,R1",
      " jlt R1,3,@cond7_skip",
      " set_awg_gain 9830,0",
      " play 0,0,4",
      " wait 16",
      " jmp @cond7_end",
      "cond7_skip: wait 20",
      "cond7_end: wait 40",
      " jlt R2,3,@cond16_skip",
      " set_awg_gain 9830,0",
      " play 0,0,4",
      " wait 16",
      " jmp @cond16_end",
      "cond16_skip: wait 20",
    ]);
    const sim = simulate(c, { inputModel: BIT1 });
    const feedback = sim.events.filter((e) => e.kind === "feedback");
    expect(feedback.map((e) => [e.linqId, e.linqValue])).toStrictEqual([
      [17, 3],
      [16, 3],
    ]);
    const plays = sim.events.filter((e) => e.kind === "play" && e.module === "cluster0_module1").map((e) => e.startNs);
    expect(plays).toStrictEqual([816, 876]);
  });

  it("the swapped order (results used in arrival order) pops each result at its conditional", () => {
    const c = compile(twoReadouts(["q1", "q0"]), twoReadoutHardware(), { verify: true });
    const pops = qcmProgram(c)
      .split("\n")
      .filter((l) => l.includes("fb_pop_data"))
      .map((l) => l.replace(/ #.*$/, ""));
    expect(pops).toStrictEqual([" fb_pop_data 16,R1", " fb_pop_data 17,R1"]);
  });

  it("equal latency corrections (both results arrive at 680 ns): FEEDBACK_POP_ORDER_AMBIGUOUS naming both conditionals", () => {
    const e = thrown(() => compile(twoReadouts(["q0", "q1"]), twoReadoutHardware(8)));
    expect(e.code).toBe("FEEDBACK_POP_ORDER_AMBIGUOUS");
    expect(e.path).toBe("/schedulables/3/operation");
    expect(e.message).toBe(
      'ConditionalOperation "reset q0" (measurement "measure q0") and ConditionalOperation "reset q1" (measurement "measure q1") both use results that reach the feedback queue of cluster0_module1.seq0 at 680 ns; entries arriving together have no defined order, and fb_pop_data discards the entries before the one it pops, so one of the two results could be lost',
    );
    expect(e.hint).toContain('"measure q0" and "measure q1" end at different times');
    expect(e.hint).toContain("feedback_write_combine");
    expect(thrown(() => compile(twoReadouts(["q1", "q0"]), twoReadoutHardware(8))).code).toBe(
      "FEEDBACK_POP_ORDER_AMBIGUOUS",
    );
  });

  it("equal latency corrections with feedback_write_combine: one payload, verify passes", () => {
    const c = compile(twoReadouts(["q0", "q1"], 2, 100), twoReadoutHardware(8, { feedback_write_combine: true }), {
      verify: true,
    });
    const pops = qcmProgram(c)
      .split("\n")
      .filter((l) => l.includes("fb_pop_data"));
    expect(pops.length).toBe(1);
  });
});

describe("feedback warnings", () => {
  it("feedback_write_combine with readouts ending 8 ns apart: FEEDBACK_WRITE_COMBINE_SKIPPED names both readouts and why", () => {
    const c = compile(
      twoReadouts(["q1", "q0"], 2, 100),
      twoReadoutHardware(undefined, { feedback_write_combine: true }),
    );
    expect(c.diagnostics.warnings.filter((w) => w.code.startsWith("FEEDBACK"))).toStrictEqual([
      {
        code: "FEEDBACK_WRITE_COMBINE_SKIPPED",
        message:
          'feedback_write_combine: the readouts "measure q1" (cluster0_module2.seq1, latency correction 0 ns: window ends at 300 ns), "measure q0" (cluster0_module2.seq0, latency correction 8 ns: window ends at 308 ns) feed conditionals with the same receivers, but "measure q1", "measure q0" cannot be combined: write-combine needs windows that end at the same RT time (their latency corrections differ); they are sent as separate entries (align the windows\' ends, including the latency corrections, to combine them)',
        path: "/schedulables/2/operation",
      },
    ]);
  });

  it("feedback_insert_wait: each inserted wait is also a FEEDBACK_WAIT_INSERTED compile warning", () => {
    const c = compile(feedForward(400), feedbackHardware(), { feedbackInsertWait: true });
    expect(c.diagnostics.feedback_waits?.map((w) => w.wait_ns)).toStrictEqual([136]);
    expect(c.diagnostics.warnings.filter((w) => w.code.startsWith("FEEDBACK"))).toStrictEqual([
      {
        code: "FEEDBACK_WAIT_INSERTED",
        message:
          'feedback_insert_wait: conditional "feed-forward q1" (at 700 ns) came 136 ns too early for the result of measurement "Measure q0" on cluster0_module1.seq0 (minimum gap 536 ns from the end of its acquisition window); it and everything after it were delayed by 136 ns',
        path: "/schedulables/1/operation",
      },
    ]);
  });
});
