/**
 * The feedback plan (src/compiler/2-plan/feedback.ts): LINQ id allocation (1–15 self-cast per source
 * sequencer, 16–255 routed per cluster, 0 = not shared) and its limits, the latency check and the
 * feedback-queue depth, each as a typed error naming the operations and the fix.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { activeReset, feedForward, feedbackHardware, measure, RESOURCES, xPulse } from "./fixtures.js";

function thrown(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

const conditional = (label: string, port = "q0:mw", clock = "q0.01") => ({
  type: "ConditionalOperation",
  name: `cond ${label}`,
  qubit_name: label,
  body: { schedulables: [{ operation: xPulse(port, clock) }] },
});

/** n × (measure L_i, 600 ns later a conditional X on `port`) */
function many(n: number, port = "q0:mw", clock = "q0.01"): Record<string, unknown> {
  const schedulables: unknown[] = [];
  for (let i = 0; i < n; i++) {
    schedulables.push({ operation: measure(`L${i}`) });
    schedulables.push({ rel_time: 600e-9, operation: conditional(`L${i}`, port, clock) });
  }
  schedulables.push({ operation: { type: "IdlePulse", duration: "100 ns" } });
  return { name: "many", resources: RESOURCES, schedulables };
}

describe("LINQ id allocation", () => {
  it("routed ids are allocated from 16 per cluster, one per measurement → conditional group", () => {
    const c = compile(many(3), feedbackHardware());
    expect(c.feedback!.routes.map((r) => [r.id, r.trigger_label, r.mode])).toStrictEqual([
      [16, "L0", "intra-cast"],
      [17, "L1", "intra-cast"],
      [18, "L2", "intra-cast"],
    ]);
    // three different ids on one readout sequencer: set before each acquisition, not in the header
    const ro = c.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.sequence.program;
    expect(ro.split("\n").filter((l) => l.includes("fb_acq_tb_id"))).toStrictEqual([
      " fb_acq_tb_id 16,4 # LINQ: share the next thresholded bits with id 16",
      " fb_acq_tb_id 17,4 # LINQ: share the next thresholded bits with id 17",
      " fb_acq_tb_id 18,4 # LINQ: share the next thresholded bits with id 18",
    ]);
  });

  it("a conditional on the measuring sequencer itself gets a self-cast id from 1 (160 ns) and no route", () => {
    const c = compile(activeReset(400, "q0:res", "q0.ro"), feedbackHardware());
    expect(c.feedback).toStrictEqual({
      routes: [
        {
          id: 1,
          mode: "self-cast",
          trigger_label: "q0",
          data_type: "thresholded_bits",
          source: { cluster: "cluster0", module: "cluster0_module2", slot: 2, sequencer: 0 },
          receivers: [{ module: "cluster0_module2", slot: 2, sequencer: 0, path: "self-cast", latency_ns: 160 }],
        },
      ],
      router: {},
    });
    const r = simulate(c, { inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(-0.3) });
    expect(r.events.filter((e) => e.kind === "play").map((e) => [e.startNs, e.durationNs])).toStrictEqual([
      [312, 4],
      [716, 20],
    ]);
  });

  it("a measurement nobody consumes shares nothing: id 0 before it when its sequencer also shares", () => {
    const s = activeReset() as { schedulables: unknown[] };
    s.schedulables.push({ operation: measure("final") });
    const c = compile(s, feedbackHardware());
    const ro = c.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.sequence.program;
    expect(ro.split("\n").filter((l) => l.includes("fb_acq_tb_id"))).toStrictEqual([
      " fb_acq_tb_id 16,4 # LINQ: share the next thresholded bits with id 16",
      " fb_acq_tb_id 0,4 # LINQ: do not share the next thresholded bits",
    ]);
    expect(c.feedback!.routes.length).toBe(1);
  });

  it("more than 15 self-cast ids on one sequencer → FEEDBACK_SELF_CAST_IDS_EXHAUSTED", () => {
    const e = thrown(() => compile(many(16, "q0:res", "q0.ro"), feedbackHardware()));
    expect([e.name, e.code, e.path]).toStrictEqual([
      "ResourceLimitError",
      "FEEDBACK_SELF_CAST_IDS_EXHAUSTED",
      "/schedulables/31/operation",
    ]);
    expect(e.message).toBe(
      'sequencer cluster0_module2.seq0 needs more than 15 self-cast LINQ ids (ids 1–15); "cond L15" would need the 16th',
    );
    expect(e.hint).toMatch(/reuse one feedback_trigger_label/);
  });

  it("more than 240 routed ids in a cluster → FEEDBACK_ROUTED_IDS_EXHAUSTED", () => {
    const e = thrown(() => compile(many(241), feedbackHardware()));
    expect([e.name, e.code, e.path]).toStrictEqual([
      "ResourceLimitError",
      "FEEDBACK_ROUTED_IDS_EXHAUSTED",
      "/schedulables/481/operation",
    ]);
    expect(e.message).toBe(
      'cluster cluster0 needs more than 240 routed LINQ ids (ids 16–255); "cond L240" would need id 256',
    );
  });
});

describe("feedback errors", () => {
  it("a conditional scheduled before its data can arrive → FEEDBACK_TOO_EARLY naming both and the minimum gap", () => {
    const e = thrown(() => compile(feedForward(500), feedbackHardware()));
    expect([e.name, e.code, e.path]).toStrictEqual(["TimingError", "FEEDBACK_TOO_EARLY", "/schedulables/1/operation"]);
    expect(e.message).toBe(
      'ConditionalOperation "feed-forward q1" starts at 800 ns on cluster0_module1.seq0, but the result of measurement "Measure q0" (acquisition window ending at 300 ns) arrives there over LINQ (multi-cast, 472 ns) only at 772 ns; the minimum gap from the end of the acquisition window is 536 ns (472 ns LINQ latency + 64 ns for the receiver\'s Q1 core), 36 ns more than scheduled',
    );
    expect(e.details).toStrictEqual({
      measurement: "Measure q0",
      conditional: "feed-forward q1",
      min_gap_ns: 536,
      missing_ns: 36,
    });
    // the same schedule 36 ns later compiles
    expect(compile(feedForward(536), feedbackHardware()).feedback!.routes[0]!.id).toBe(16);
  });

  it("a conditional without an earlier labelled measurement → FEEDBACK_WITHOUT_MEASUREMENT", () => {
    const s = {
      name: "x",
      resources: RESOURCES,
      schedulables: [{ operation: measure("q0") }, { operation: conditional("q7") }],
    };
    const e = thrown(() => compile(s, feedbackHardware()));
    expect([e.name, e.code, e.path]).toStrictEqual([
      "ScheduleError",
      "FEEDBACK_WITHOUT_MEASUREMENT",
      "/schedulables/1/operation",
    ]);
    expect(e.message).toBe(
      'ConditionalOperation "cond q7" depends on qubit_name "q7", but no ThresholdedAcquisition with feedback_trigger_label "q7" comes earlier in the same schedule or loop body',
    );
  });

  it("more than 32 results waiting for one receiver → FEEDBACK_QUEUE_OVERFLOW", () => {
    const schedulables: unknown[] = [];
    for (let i = 0; i < 33; i++) schedulables.push({ operation: measure(`L${i}`) });
    for (let i = 0; i < 33; i++) schedulables.push({ rel_time: 600e-9, operation: conditional(`L${i}`) });
    const e = thrown(() => compile({ name: "q", resources: RESOURCES, schedulables }, feedbackHardware()));
    expect([e.name, e.code]).toStrictEqual(["ResourceLimitError", "FEEDBACK_QUEUE_OVERFLOW"]);
    expect(e.message).toBe(
      '33 measurement results would be waiting in the 32-entry feedback queue of cluster0_module2.seq1 at 9900 ns (the last one from "Measure q0")',
    );
  });
});

describe("acquisitions in conditional bodies", () => {
  it("an APPEND acquisition inside a ConditionalOperation → FEEDBACK_APPEND_IN_CONDITIONAL", () => {
    const s = {
      name: "x",
      resources: RESOURCES,
      schedulables: [
        { operation: measure("q0") },
        {
          rel_time: 600e-9,
          operation: {
            type: "ConditionalOperation",
            name: "measure again if 1",
            qubit_name: "q0",
            body: { schedulables: [{ operation: measure("again", { acq_channel: 1, bin_mode: "append" }) }] },
          },
        },
      ],
    };
    const e = thrown(() => compile(s, feedbackHardware()));
    expect([e.name, e.code, e.path]).toStrictEqual([
      "ScheduleError",
      "FEEDBACK_APPEND_IN_CONDITIONAL",
      "/schedulables/1/operation/body/schedulables/0/operation/acquisition_info/0",
    ]);
  });
});
