/**
 * TimedSchedule.overlapFree: 1-schedule/timing checks, while it places each list, whether two waveform
 * pulses of one port-clock overlap; 1-schedule/stacking skips its walk on true and drops the note;
 * crosstalk drops it (its copies overlap on purpose). The compiled result is the one of the full walk.
 */
import { describe, expect, it } from "vitest";
import { applyCrosstalk } from "../../../src/compiler/1-schedule/crosstalk.js";
import { hasOverlap } from "../../../src/compiler/1-schedule/overlap.js";
import { stackPulses } from "../../../src/compiler/1-schedule/stacking.js";
import { resolveTiming } from "../../../src/compiler/1-schedule/timing.js";
import type { OpNode, TimedSchedule } from "../../../src/compiler/ir/nodes.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import { parseScheduleDocument } from "../../../src/schedule/parse.js";
import { basebandHardware } from "../fixtures.js";
import { opNode, Q0, Q1, square, timed } from "./ir-builders.js";

const sq = (name: string, port = "q0:mw", clock = "q0.01") => ({
  type: "SquarePulse",
  name,
  amp: 0.1,
  duration: 40e-9,
  port,
  clock,
});
const res = { "q0.01": { freq: 6e9 }, "q1.01": { freq: 6.1e9 } };
const time = (schedulables: unknown[]) =>
  resolveTiming(parseScheduleDocument({ name: "t", resources: res, schedulables }));
const loop = (schedulables: unknown[]) => ({
  operation: { type: "LoopOperation", repetitions: 2, body: { name: "body", schedulables } },
});
/** the schedule as stacking sees it without the note: the full walk */
const walked = (t: TimedSchedule): TimedSchedule => {
  const { overlapFree: _, ...rest } = t;
  return stackPulses(rest);
};

describe("TimedSchedule.overlapFree", () => {
  it("true for pulses that follow one another, and for pulses at the same time on different port-clocks", () => {
    const t = time([
      { label: "a", operation: sq("a") },
      { operation: sq("b", "q1:mw", "q1.01"), ref_schedulable: "a", ref_pt: "start" },
      { operation: sq("c") },
      loop([{ operation: sq("d") }, { operation: sq("e") }]),
    ]);
    expect(t.overlapFree).toBe(true);
    const out = stackPulses(t);
    expect("overlapFree" in out).toBe(false); // read and not passed on
    expect(out.nodes).toBe(t.nodes);
  });

  it("false for two pulses of one port-clock that overlap (the second starts 20 ns into the first)", () => {
    const t = time([
      { label: "a", operation: sq("a") },
      { operation: sq("b"), ref_schedulable: "a", ref_pt: "center" },
    ]);
    expect(t.overlapFree).toBe(false);
    const out = stackPulses(t);
    expect(out.nodes.map((n) => [n.startNs, (n as OpNode).op.durationNs])).toEqual([
      [0, 20],
      [20, 20],
      [40, 20],
    ]);
    expect("overlapFree" in out).toBe(false);
  });

  it("false for an overlap inside a loop body or a nested schedule; the top level alone would say true", () => {
    const inLoop = time([
      { operation: sq("a") },
      loop([
        { label: "x", operation: sq("x") },
        { operation: sq("y"), ref_schedulable: "x", ref_pt: "start" },
      ]),
    ]);
    expect(inLoop.overlapFree).toBe(false);
    expect(hasOverlap(inLoop.nodes)).toBe(false);
    const sub = {
      type: "Schedule",
      name: "sub",
      schedulables: [
        { label: "x", operation: sq("x") },
        { operation: sq("y"), ref_schedulable: "x", ref_pt: "start" },
      ],
    };
    const nested = time([{ operation: sq("a") }, { operation: sub }]);
    expect(nested.overlapFree).toBe(false);
    expect(stackPulses(nested)).toEqual(walked(nested));
  });

  it("false (left to stacking) when the schedulables do not start in order, even without an overlap", () => {
    const t = time([
      { label: "a", operation: sq("a") },
      { operation: sq("b", "q1:mw", "q1.01"), ref_schedulable: "a", ref_pt: "start", rel_time: -20e-9 },
    ]);
    expect(t.nodes.map((n) => n.startNs)).toEqual([0, 20]); // shifted by 20 ns and sorted
    expect(t.overlapFree).toBe(false);
    expect(stackPulses(t).nodes).toBe(t.nodes);
  });

  it("agrees with the full walk on schedules with and without overlaps", () => {
    const schedules = [
      [{ operation: sq("a") }, { operation: sq("b") }],
      [
        { label: "a", operation: sq("a") },
        { operation: sq("b"), ref_schedulable: "a", ref_pt: "start", rel_time: 39e-9 },
      ],
      [
        { label: "a", operation: sq("a") },
        { operation: sq("b"), ref_schedulable: "a", ref_pt: "start", rel_time: 40e-9 },
      ],
    ];
    for (const s of schedules) {
      const t = time(s);
      expect(stackPulses(t)).toEqual(walked(t));
    }
  });

  it("crosstalk drops the note: its copies overlap the pulses of their port-clocks", () => {
    const hw = loadHardwareConfig(basebandHardware({ crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": 0.1 } } }));
    const t: TimedSchedule = {
      ...timed([opNode(0, 0, square("A", Q0, 0.5)), opNode(1, 0, square("B", Q1, 0.3))], 20),
      overlapFree: true,
    };
    const out = applyCrosstalk(t, hw);
    expect("overlapFree" in out).toBe(false);
    expect(stackPulses(out).nodes).toHaveLength(2); // B and the copy of A on q1 summed into one square
  });
});
