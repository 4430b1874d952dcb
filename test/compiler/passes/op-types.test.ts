/**
 * TimedSchedule.opTypes: noted by 1-schedule/timing, kept true by the 1-schedule passes that add
 * operations; 1-schedule/long-ramps skips its walk when no RampPulse is noted. Also the overlap check of
 * 1-schedule/stacking across more port-clocks than it compares by identity.
 */
import { describe, expect, it } from "vitest";
import { stitchLongRamps } from "../../../src/compiler/1-schedule/long-ramps.js";
import { mayContain, withOpTypes } from "../../../src/compiler/1-schedule/op-types.js";
import { stackPulses } from "../../../src/compiler/1-schedule/stacking.js";
import { resolveTiming } from "../../../src/compiler/1-schedule/timing.js";
import type { OpNode } from "../../../src/compiler/ir/nodes.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import { parseScheduleDocument } from "../../../src/schedule/parse.js";
import { basebandHardware } from "../fixtures.js";
import { opNode, Q0, ramp, square, timed } from "./ir-builders.js";

const hw = loadHardwareConfig(basebandHardware());
const sq = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "SquarePulse",
  name,
  amp: 0.1,
  duration: 20e-9,
  port: "q0:mw",
  clock: "q0.01",
  ...extra,
});
const res = { "q0.01": { freq: 6e9 }, "q0.ro": { freq: 7e9 } };
const time = (schedulables: unknown[]) =>
  resolveTiming(parseScheduleDocument({ name: "t", resources: res, schedulables }));

/** A RampPulse of `durationNs` on q0 as timing would place it. */
const longRamp = (durationNs: number) => ({ ...ramp("r", Q0, 0.5), durationNs });

describe("TimedSchedule.opTypes", () => {
  it("resolveTiming notes every operation type once, loop bodies and Composites included, in first-seen order", () => {
    const t = time([
      { operation: sq("a") },
      { operation: sq("b") },
      {
        operation: {
          type: "LoopOperation",
          repetitions: 3,
          body: {
            name: "body",
            schedulables: [
              { operation: { type: "RampPulse", amp: 0.2, duration: 40e-9, port: "q0:mw", clock: "q0.01" } },
            ],
          },
        },
      },
      {
        operation: {
          type: "Composite",
          name: "m",
          pulse_info: [{ type: "IdlePulse", duration: 20e-9 }],
          acquisition_info: [{ type: "SSBIntegrationComplex", duration: 1e-6, port: "q0:res", clock: "q0.ro" }],
        },
      },
      { operation: sq("c") },
    ]);
    expect(t.opTypes).toEqual(["SquarePulse", "RampPulse", "IdlePulse", "SSBIntegrationComplex"]);
  });

  it("long-ramps returns the schedule itself when no RampPulse is noted (even a long ramp in the nodes is not looked at)", () => {
    const t = { ...timed([opNode(0, 0, longRamp(5000))], 5000), opTypes: ["SquarePulse" as const] };
    expect(stitchLongRamps(t, hw)).toBe(t);
  });

  it("long-ramps stitches a noted ramp and notes the VoltageOffsets of its parts", () => {
    const t = { ...timed([opNode(0, 0, longRamp(5000))], 5000), opTypes: ["RampPulse" as const] };
    const out = stitchLongRamps(t, hw);
    expect(out.nodes.map((n) => [n.startNs, (n as OpNode).op.type, (n as OpNode).op.durationNs])).toEqual([
      [0, "RampPulse", 2000],
      [2000, "VoltageOffset", 0],
      [2000, "RampPulse", 2000],
      [4000, "VoltageOffset", 0],
      [4000, "RampPulse", 1000],
    ]);
    expect(out.opTypes).toEqual(["RampPulse", "VoltageOffset"]);
  });

  it("long-ramps walks a schedule that notes no types (hand-built)", () => {
    const t = timed([opNode(0, 0, longRamp(3000))], 3000);
    const out = stitchLongRamps(t, hw);
    expect(out.nodes.map((n) => [n.startNs, (n as OpNode).op.type, (n as OpNode).op.durationNs])).toEqual([
      [0, "RampPulse", 2000],
      [2000, "RampPulse", 1000],
    ]);
    expect(out.opTypes).toBeUndefined();
  });

  it("stacking notes the squares and numerical pulses it builds", () => {
    const t = {
      ...timed([opNode(0, 0, square("A", Q0, 0.5, 40)), opNode(1, 20, ramp("B", Q0, 0.25))], 60),
      opTypes: ["SquarePulse" as const, "RampPulse" as const],
    };
    const out = stackPulses(t);
    expect(out.nodes.map((n) => (n as OpNode).op.type)).toEqual(["SquarePulse", "NumericalPulse"]);
    expect(out.opTypes).toEqual(["SquarePulse", "RampPulse", "NumericalPulse"]);
  });

  it("withOpTypes adds only missing types, once; mayContain is true without notes", () => {
    const t = { ...timed([], 0), opTypes: ["SquarePulse" as const] };
    expect(withOpTypes(t, ["SquarePulse"])).toEqual({});
    expect(withOpTypes(t, ["MarkerPulse", "MarkerPulse", "SquarePulse"])).toEqual({
      opTypes: ["SquarePulse", "MarkerPulse"],
    });
    expect(withOpTypes(timed([], 0), ["MarkerPulse"])).toEqual({});
    expect([mayContain(t, "RampPulse"), mayContain(t, "SquarePulse"), mayContain(timed([], 0), "RampPulse")]).toEqual([
      false,
      true,
      true,
    ]);
  });
});

describe("stacking's overlap check over many port-clocks", () => {
  /** 12 port-clocks (more than the 8 compared by identity), each pulse 20 ns, cycling every 12 pulses */
  const pcs = Array.from({ length: 12 }, (_, k) => ({ port: `q${k}:mw`, clock: `q${k}.01` }));
  const cycling = (rounds: number, gapNs: number) => {
    const nodes: OpNode[] = [];
    for (let r = 0; r < rounds; r++)
      for (let k = 0; k < pcs.length; k++)
        nodes.push(opNode(nodes.length, r * gapNs, square(`p${nodes.length}`, pcs[k]!, 0.1)));
    return nodes;
  };

  it("no overlap when each port-clock's pulses follow one another: the schedule itself comes back", () => {
    const t = timed(cycling(5, 20), 100);
    expect(stackPulses(t)).toBe(t);
  });

  it("finds an overlap on a port-clock evicted from the identity cache", () => {
    const nodes = cycling(5, 20);
    // q3's pulse of the last round starts 10 ns early: it overlaps q3's previous pulse (60…80 ns)
    const i = 4 * pcs.length + 3;
    nodes[i] = opNode(i, 70, square(`late`, pcs[3]!, 0.1));
    nodes.sort((a, b) => a.startNs - b.startNs);
    const out = stackPulses(timed(nodes, 100));
    const q3 = out.nodes
      .filter((n) => ((n as OpNode).op as { port?: string }).port === "q3:mw")
      .map((n) => [n.startNs, (n as OpNode).op.durationNs, (n as OpNode).op.type]);
    expect(q3).toEqual([
      [0, 20, "SquarePulse"],
      [20, 20, "SquarePulse"],
      [40, 20, "SquarePulse"],
      [60, 10, "SquarePulse"],
      [70, 10, "SquarePulse"],
      [80, 10, "SquarePulse"],
    ]);
  });
});
