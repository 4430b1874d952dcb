import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import type { LoopNode as TimedLoop, IrNode as TimedNode } from "../../src/compiler/ir/nodes.js";
import { parseScheduleJson } from "../../src/schedule/parse.js";

const load = (file: string) => {
  const text = readFileSync(new URL(`../../examples/schedules/${file}`, import.meta.url), "utf8");
  return resolveTiming(parseScheduleJson(text, file));
};
const summary = (nodes: TimedNode[]) =>
  nodes.map((n) =>
    n.kind === "op"
      ? [n.startNs, n.op.type, n.op.durationNs]
      : [n.startNs, n.kind, n.kind === "conditional" ? n.maxRepetitions : n.repetitions],
  );

describe("examples/schedules", () => {
  it("single-pulse.json: one baseband square pulse", () => {
    const t = load("single-pulse.json");
    expect(summary(t.nodes)).toEqual([[0, "SquarePulse", 200]]);
    expect(t.nodes[0]!.kind === "op" && t.nodes[0]!.op).toMatchObject({
      amp: 0.5,
      ampImag: 0,
      port: "q0:fl",
      clock: "cl0.baseband",
      path: "/schedulables/0/operation",
    });
    expect([t.durationNs, t.repetitions]).toEqual([200, 1]);
  });

  it("drag.json: two library DRAG pulses, 4 ns apart, then 200 ns idle", () => {
    const t = load("drag.json");
    expect(summary(t.nodes)).toEqual([
      [0, "DRAGPulse", 20],
      [24, "DRAGPulse", 20],
      [44, "IdlePulse", 200],
    ]);
    expect(t.nodes[1]!.kind === "op" && t.nodes[1]!.op).toMatchObject({
      name: "y90",
      phase: 90,
      sigma: null,
      nr_sigma: 4,
      G_amp: 0.1,
      D_amp: 0.01,
    });
    expect(t.clocks["q0.01"]).toEqual({ name: "q0.01", freq: 6.02e9, phase: 0 });
    expect([t.durationNs, t.repetitions]).toEqual([244, 1024]);
  });

  it("square-ssb.json: idle, then reset-phase + square + SSB acquisition at t0 100 ns", () => {
    const t = load("square-ssb.json");
    expect(summary(t.nodes)).toEqual([
      [0, "IdlePulse", 200000],
      [200000, "ResetClockPhase", 0],
      [200000, "SquarePulse", 300],
      [200100, "SSBIntegrationComplex", 1000],
    ]);
    expect(t.nodes[3]!.kind === "op" && t.nodes[3]!.op).toMatchObject({
      acq_channel: "0",
      bin_mode: "average",
      name: "Measure q0",
      t0Ns: 100,
    });
    expect(t.durationNs).toBe(201100);
  });

  it("nested-loops.json: 10 × (phase shift + 100 × (x, measure, idle))", () => {
    const t = load("nested-loops.json");
    const outer = t.nodes[0] as TimedLoop;
    expect([outer.startNs, outer.repetitions, outer.bodyDurationNs]).toEqual([0, 10, 132400]);
    expect(summary(outer.body)).toEqual([
      [0, "ShiftClockPhase", 0],
      [0, "loop", 100],
    ]);
    const inner = outer.body[1] as TimedLoop;
    expect(inner.bodyDurationNs).toBe(1324);
    expect(summary(inner.body)).toEqual([
      [0, "DRAGPulse", 20],
      [24, "SquarePulse", 300],
      [124, "SSBIntegrationComplex", 200],
      [324, "IdlePulse", 1000],
    ]);
    expect(inner.body.map((n) => n.label)).toEqual(["outer/inner/x", "outer/inner/m", "outer/inner/m", "outer/inner"]);
    expect(t.durationNs).toBe(1324000);
  });
});
