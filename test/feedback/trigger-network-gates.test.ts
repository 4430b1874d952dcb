/**
 * Gate-level active reset on the trigger network: quantify's ConditionalReset (Measure, then X
 * TRIGGER_DELAY = 364 ns after it, then 4 ns of hardware buffer) with feedback_mode "trigger_network".
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import { parseDeviceJson } from "../../src/device/index.js";
import { quantifyDeviceText, twoQubitHardware } from "../device/fixtures.js";
import { lines } from "../compiler/fixtures.js";

const device = parseDeviceJson(quantifyDeviceText());

describe("ConditionalReset over the trigger network", () => {
  it("lasts Measure + 364 ns + X + 4 ns; X plays only when the measured bit is 1", () => {
    const sched = {
      name: "conditional reset",
      feedback_mode: "trigger_network",
      schedulables: [
        { label: "cr", operation: { type: "ConditionalReset", qubit: "q0" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const c = compile(sched, twoQubitHardware(), { device });
    expect(c.feedback).toBeUndefined();
    expect(c.repetition_duration_ns).toBe(2100 + 364 + 40 + 4 + 100);
    const x = c.clusters.cluster0!.modules.cluster0_module2!.sequencers.seq0!;
    expect(lines(x.sequence.program).filter((l) => /^(set_cond|set_latch_en|latch_rst)/.test(l))).toStrictEqual([
      "set_latch_en 1,4",
      "latch_rst 4",
      "set_cond 1,1,0,4",
      "set_cond 1,1,1,4",
      "set_cond 0,0,0,0",
    ]);
    const plays = (v: number) =>
      simulate(c, { inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(v), to: 4e-6 })
        .events.filter((e) => (e.kind === "play" || e.kind === "skipped") && e.module === "cluster0_module2")
        .map((e) => [e.kind, e.portClock, e.startNs, e.durationNs, e.operation]);
    // schedule time 0 is RT 20 (the 16 ns header, 4 ns later: set_latch_en delays the wait_sync release)
    // on this RF readout path a constant +0.3 on the inputs thresholds to 1, −0.3 to 0
    expect(plays(0.3)).toStrictEqual([["play", "q0:mw-q0.01", 20 + 2100 + 364, 40, "X q0"]]);
    expect(plays(-0.3)).toStrictEqual([["skipped", "q0:mw-q0.01", 20 + 2100 + 364, 4, "X q0"]]);
  });
});
