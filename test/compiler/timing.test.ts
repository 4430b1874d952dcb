import { describe, expect, it } from "vitest";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import type { LoopNode as TimedLoop, IrNode as TimedNode, TimedSchedule } from "../../src/compiler/ir/nodes.js";
import { parseScheduleDocument } from "../../src/schedule/parse.js";

const sq = (duration: string, name: string, extra: Record<string, unknown> = {}) => ({
  type: "SquarePulse",
  name,
  amp: 0.1,
  duration,
  port: "q0:mw",
  clock: "q0.01",
  ...extra,
});
const res = { "q0.01": { freq: "6 GHz" }, "q0.ro": { freq: 7.1e9 } };
const time = (schedulables: unknown[], more: Record<string, unknown> = {}): TimedSchedule =>
  resolveTiming(parseScheduleDocument({ name: "t", resources: res, schedulables, ...more }));
const starts = (nodes: TimedNode[]) => nodes.map((n) => [n.startNs, n.kind === "op" ? n.op.name : `loop ${n.name}`]);

function codeOf(f: () => unknown): { code: string; path: string | null; message: string; details: unknown } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Q1ForgeError);
    const q = e as Q1ForgeError;
    return { code: q.code, path: q.path, message: q.message, details: q.details };
  }
  throw new Error("expected an error");
}

describe("resolveTiming: ASAP defaults", () => {
  it("places schedulables back to back (ref = previous, end → start, rel 0)", () => {
    const t = time([
      { operation: sq("20 ns", "a") },
      { operation: sq("300 ns", "b") },
      { operation: sq("10 ns", "c") },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "a"],
      [20, "b"],
      [320, "c"],
    ]);
    expect(t.durationNs).toBe(330);
    expect(t.repetitions).toBe(1);
    expect(t.name).toBe("t");
  });

  it("rel_time adds a gap; the first schedulable starts at 0 whatever its rel_time (as quantify)", () => {
    const t = time([
      { operation: sq("20 ns", "a"), rel_time: "1 us" },
      { operation: sq("20 ns", "b"), rel_time: 4e-9 },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "a"],
      [24, "b"],
    ]);
  });
});

describe("resolveTiming: reference points", () => {
  // a: 100 ns at 0; b: 40 ns timed against a
  const cases: [string, string, number, number][] = [
    ["start", "start", 0, 0],
    ["start", "center", 30, 10],
    ["center", "start", 0, 50],
    ["center", "center", 0, 30],
    ["end", "start", 0, 100],
    ["end", "center", 0, 80],
    ["end", "end", 10, 70],
    ["center", "end", 0, 10],
  ];
  it.each(cases)("ref_pt %s, ref_pt_new %s, rel_time %i ns → b at %i ns", (refPt, refPtNew, rel, expected) => {
    const t = time([
      { label: "a", operation: sq("100 ns", "a") },
      { operation: sq("8 ns", "filler") },
      {
        label: "b",
        operation: sq("40 ns", "b"),
        ref_schedulable: "a",
        ref_pt: refPt,
        ref_pt_new: refPtNew,
        rel_time: `${rel} ns`,
      },
    ]);
    const b = t.nodes.find((n) => n.kind === "op" && n.op.name === "b")!;
    expect(b.startNs).toBe(expected);
  });

  it("shifts the top level when a start is negative", () => {
    const t = time([
      { label: "a", operation: sq("100 ns", "a") },
      { operation: sq("40 ns", "b"), ref_pt: "start", ref_pt_new: "end" },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "b"],
      [40, "a"],
    ]);
    expect(t.durationNs).toBe(140);
  });

  it("several constraints: the latest start wins", () => {
    const t = time([
      { label: "a", operation: sq("100 ns", "a") },
      { label: "b", operation: sq("30 ns", "b"), ref_schedulable: "a", ref_pt: "start" },
      {
        operation: sq("10 ns", "c"),
        timing_constraints: [
          { ref_schedulable: "b", rel_time: "5 ns" },
          { ref_schedulable: "a", ref_pt: "end" },
          { ref_schedulable: "a", ref_pt: "start", rel_time: "60 ns" },
        ],
      },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "a"],
      [0, "b"],
      [100, "c"],
    ]);
  });

  it("forward references are processed in topological order", () => {
    const t = time([
      { label: "a", operation: sq("10 ns", "a") },
      { label: "b", operation: sq("10 ns", "b"), ref_schedulable: "c", rel_time: "5 ns" },
      { label: "c", operation: sq("20 ns", "c"), ref_schedulable: "a" },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "a"],
      [10, "c"],
      [35, "b"],
    ]);
  });
});

describe("resolveTiming: composites, nesting, loops", () => {
  it("Composite: entries at their t0, duration = max(t0 + duration), stable order at equal times", () => {
    const measure = {
      type: "Composite",
      name: "Measure q0",
      pulse_info: [
        { type: "ResetClockPhase", clock: "q0.ro" },
        { type: "SquarePulse", amp: 0.25, duration: "300 ns", port: "q0:res", clock: "q0.ro" },
      ],
      acquisition_info: [
        { type: "SSBIntegrationComplex", t0: "100 ns", duration: "1 us", port: "q0:res", clock: "q0.ro" },
      ],
    };
    const t = time([{ operation: sq("20 ns", "x") }, { operation: measure }, { operation: sq("4 ns", "after") }]);
    expect(t.nodes.map((n) => [n.startNs, n.kind === "op" ? n.op.type : ""])).toEqual([
      [0, "SquarePulse"],
      [20, "ResetClockPhase"],
      [20, "SquarePulse"],
      [120, "SSBIntegrationComplex"],
      [1120, "SquarePulse"],
    ]);
    expect(t.durationNs).toBe(1124);
  });

  it("nested schedules are flattened, offset by their start; labels get the outer prefix", () => {
    const sub = {
      type: "Schedule",
      name: "sub",
      schedulables: [
        { label: "x", operation: sq("10 ns", "x") },
        { label: "y", operation: sq("20 ns", "y") },
      ],
    };
    const t = time([
      { label: "p", operation: sq("100 ns", "p") },
      { label: "s", operation: sub, rel_time: "20 ns" },
      { operation: sq("5 ns", "z") },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "p"],
      [120, "x"],
      [130, "y"],
      [150, "z"],
    ]);
    expect(t.nodes.map((n) => n.label)).toEqual(["p", "s/x", "s/y", null]);
    expect(t.durationNs).toBe(155);
  });

  it("a nested schedule can be referenced with timing_constraints from the brief's example", () => {
    const t = time([
      { label: "p0", operation: sq("20 ns", "p0") },
      { label: "m0", operation: sq("300 ns", "m0"), ref_schedulable: "p0", rel_time: "20 ns" },
      {
        operation: { type: "Schedule", name: "sub", schedulables: [{ operation: sq("10 ns", "in") }] },
        timing_constraints: [{ ref_schedulable: "p0", ref_pt: "start" }, { ref_schedulable: "m0" }],
      },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "p0"],
      [40, "m0"],
      [340, "in"],
    ]);
  });

  it("LoopOperation → TimedLoop: body absolute for the first iteration, duration = reps × body", () => {
    const loop = {
      type: "LoopOperation",
      name: "avg",
      repetitions: 3,
      body: { schedulables: [{ operation: sq("20 ns", "l1") }, { operation: sq("30 ns", "l2"), rel_time: "10 ns" }] },
    };
    const t = time([
      { operation: { type: "IdlePulse", duration: "50 ns" } },
      { label: "L", operation: loop },
      { operation: sq("8 ns", "after") },
    ]);
    expect(starts(t.nodes)).toEqual([
      [0, "IdlePulse"],
      [50, "loop avg"],
      [230, "after"],
    ]);
    const l = t.nodes[1] as TimedLoop;
    expect([l.repetitions, l.bodyDurationNs, l.path, l.label]).toEqual([3, 60, "/schedulables/1/operation", "L"]);
    expect(starts(l.body)).toEqual([
      [50, "l1"],
      [80, "l2"],
    ]);
    expect(t.durationNs).toBe(238);
  });

  it("nested loops multiply durations", () => {
    const inner = { type: "LoopOperation", repetitions: 4, body: { schedulables: [{ operation: sq("10 ns", "i") }] } };
    const outer = {
      type: "LoopOperation",
      repetitions: 2,
      body: { schedulables: [{ operation: sq("6 ns", "o") }, { operation: inner }] },
    };
    const t = time([{ operation: sq("4 ns", "first") }, { operation: outer }]);
    const o = t.nodes[1] as TimedLoop;
    expect([o.startNs, o.bodyDurationNs]).toEqual([4, 46]);
    const i = o.body[1] as TimedLoop;
    expect([i.startNs, i.bodyDurationNs, i.repetitions]).toEqual([10, 10, 4]);
    expect(starts(i.body)).toEqual([[10, "i"]]);
    expect(t.durationNs).toBe(4 + 2 * 46);
  });

  it("library operations are looked up in the schedule, then in enclosing ones", () => {
    const t = time(
      [
        { operation: "x90" },
        {
          operation: {
            type: "Schedule",
            operations: { y: sq("7 ns", "y") },
            schedulables: [{ operation: "y" }, { operation: "x90" }],
          },
        },
      ],
      {
        operations: {
          x90: { type: "DRAGPulse", G_amp: 0.1, D_amp: 0.01, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
        },
      },
    );
    expect(t.nodes.map((n) => [n.startNs, n.kind === "op" ? `${n.op.name} ${n.op.path}` : ""])).toEqual([
      [0, "x90 /operations/x90"],
      [20, "y /schedulables/1/operation/operations/y"],
      [27, "x90 /operations/x90"],
    ]);
  });

  it("clocks: built-ins always present, nested resources merged", () => {
    const t = time([
      {
        operation: {
          type: "Schedule",
          resources: { "q1.01": { freq: null } },
          schedulables: [{ operation: sq("4 ns", "a", { clock: "q1.01" }) }],
        },
      },
    ]);
    expect(t.clocks).toEqual({
      "cl0.baseband": { name: "cl0.baseband", freq: 0, phase: 0 },
      digital: { name: "digital", freq: 0, phase: 0 },
      "q0.01": { name: "q0.01", freq: 6e9, phase: 0 },
      "q0.ro": { name: "q0.ro", freq: 7.1e9, phase: 0 },
      "q1.01": { name: "q1.01", freq: null, phase: 0 },
    });
  });

  it("100,000 flat schedulables resolve (linear-time path)", () => {
    const schedulables = Array.from({ length: 100_000 }, (_, i) =>
      i % 2
        ? { operation: "x" }
        : { operation: { type: "SquarePulse", amp: 0.1, duration: 2e-8, port: "q0:mw", clock: "q0.01" } },
    );
    const t = resolveTiming({
      name: "big",
      resources: res,
      operations: { x: sq("20 ns", "x") as never },
      schedulables: schedulables as never,
    });
    expect(t.nodes.length).toBe(100_000);
    expect(t.nodes[99_999]!.startNs).toBe(1_999_980);
    expect(t.durationNs).toBe(2_000_000);
  });
});

describe("resolveTiming: errors", () => {
  it("cyclic references → CYCLIC_REFERENCE naming the labels", () => {
    const e = codeOf(() =>
      time([
        { label: "a", operation: sq("4 ns", "a") },
        { label: "b", operation: sq("4 ns", "b"), ref_schedulable: "c" },
        { label: "c", operation: sq("4 ns", "c"), ref_schedulable: "b" },
      ]),
    );
    expect(e.code).toBe("CYCLIC_REFERENCE");
    expect(e.message).toBe("timing constraints form a cycle: b → c → b");
    expect(e.details).toEqual({ labels: ["b", "c"] });
  });

  it("unknown label → DANGLING_REFERENCE", () => {
    const e = codeOf(() =>
      time([
        { label: "a", operation: sq("4 ns", "a") },
        { operation: sq("4 ns", "b"), timing_constraints: [{ ref_schedulable: "nope" }] },
      ]),
    );
    expect([e.code, e.path, e.message]).toEqual([
      "DANGLING_REFERENCE",
      "/schedulables/1/timing_constraints/0/ref_schedulable",
      'schedulable "#1" refers to unknown label "nope"',
    ]);
  });

  it("duplicate labels → DUPLICATE_LABEL", () => {
    const e = codeOf(() =>
      time([
        { label: "a", operation: sq("4 ns", "a") },
        { label: "a", operation: sq("4 ns", "b") },
      ]),
    );
    expect([e.code, e.path]).toEqual(["DUPLICATE_LABEL", "/schedulables/1/label"]);
  });

  it("unknown clock → UNKNOWN_CLOCK naming the operation and clock", () => {
    const e = codeOf(() => time([{ operation: sq("4 ns", "x", { clock: "q9.01" }) }]));
    expect([e.code, e.path, e.message]).toEqual([
      "UNKNOWN_CLOCK",
      "/schedulables/0/operation",
      'operation "x" (SquarePulse) uses clock "q9.01", which is not defined in resources',
    ]);
  });

  it("inconsistent clock redefinition → INCONSISTENT_CLOCK", () => {
    const e = codeOf(() =>
      time([
        {
          operation: {
            type: "Schedule",
            resources: { "q0.01": { freq: 5e9 } },
            schedulables: [{ operation: sq("4 ns", "a") }],
          },
        },
      ]),
    );
    expect([e.code, e.path]).toEqual(["INCONSISTENT_CLOCK", "/schedulables/0/operation/resources/q0.01"]);
  });

  it("off-grid rel_time and off-grid center alignment → OFF_GRID", () => {
    const rel = codeOf(() =>
      time([{ operation: sq("4 ns", "a") }, { operation: sq("4 ns", "b"), rel_time: "0.5 ns" }]),
    );
    expect([rel.code, rel.path]).toEqual(["OFF_GRID", "/schedulables/1/rel_time"]);
    const center = codeOf(() =>
      time([
        { label: "a", operation: sq("5 ns", "a") },
        { operation: sq("4 ns", "b"), ref_pt: "center" },
      ]),
    );
    expect([center.code, center.path, center.message]).toEqual([
      "OFF_GRID",
      "/schedulables/1",
      'schedulable "#1" would start at 2.5 ns, which is not on the 1 ns grid',
    ]);
  });

  it("undefined library key → UNKNOWN_OPERATION_KEY", () => {
    const e = codeOf(() => time([{ operation: "x180" }], { operations: { x90: sq("4 ns", "x90") } }));
    expect([e.code, e.path, e.message]).toEqual([
      "UNKNOWN_OPERATION_KEY",
      "/schedulables/0/operation",
      'operation "x180" is not defined in operations',
    ]);
  });

  it("timing_constraints together with the single-constraint fields → CONFLICTING_CONSTRAINTS", () => {
    const e = codeOf(() =>
      time([{ operation: sq("4 ns", "a") }, { operation: sq("4 ns", "b"), rel_time: 0, timing_constraints: [{}] }]),
    );
    expect(e.code).toBe("CONFLICTING_CONSTRAINTS");
  });

  it("negative t0 at the start of the schedule → NEGATIVE_START", () => {
    const e = codeOf(() => time([{ operation: sq("4 ns", "a", { t0: "-4 ns" }) }]));
    expect([e.code, e.path]).toEqual(["NEGATIVE_START", "/schedulables/0/operation"]);
  });
});
