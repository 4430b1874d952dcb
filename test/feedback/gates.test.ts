/**
 * Gate-level active reset (docs/feedback.md): a Measure gate shares its thresholded bit
 * (`acq_protocol: "ThresholdedAcquisition"`, `feedback_trigger_label`), a ConditionalOperation's body
 * holds an X gate; the gates pass lowers the gates inside the body with the device.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import { parseDeviceJson } from "../../src/device/index.js";
import { quantifyDeviceText, twoQubitHardware } from "../device/fixtures.js";

const device = parseDeviceJson(quantifyDeviceText());

const activeReset = (gapNs: number) => ({
  name: "gate-level active reset",
  schedulables: [
    {
      label: "m",
      operation: {
        type: "Measure",
        qubit: "q0",
        acq_protocol: "ThresholdedAcquisition",
        feedback_trigger_label: "q0",
      },
    },
    {
      label: "reset",
      rel_time: gapNs * 1e-9,
      operation: {
        type: "ConditionalOperation",
        name: "conditional X q0",
        qubit_name: "q0",
        body: { schedulables: [{ operation: { type: "X", qubit: "q0" } }] },
      },
    },
    { operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
});

describe("ConditionalOperation with gates", () => {
  it("Measure gate → X gate on another module: multi-cast, X plays only for bit 1", () => {
    const c = compile(activeReset(600), twoQubitHardware(), { device });
    expect(
      c.feedback!.routes.map((r) => [r.id, r.mode, r.source.module, r.receivers.map((x) => x.module)]),
    ).toStrictEqual([[16, "multi-cast", "cluster0_module4", ["cluster0_module2"]]]);
    const plays = (v: number) =>
      simulate(c, { inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(v), to: 4e-6 })
        .events.filter((e) => e.kind === "play" && e.module === "cluster0_module2")
        .map((e) => [e.portClock, e.startNs, e.durationNs]);
    // on this RF readout path a constant +0.3 on the inputs thresholds to 1, −0.3 to 0
    const one = plays(0.3);
    const zero = plays(-0.3);
    // X (40 ns) at 16 ns header + 2100 ns Measure + 600 ns gap
    expect(one).toStrictEqual([["q0:mw-q0.01", 2716, 40]]);
    expect(zero).toStrictEqual([]);
  });

  it("the gap is checked against the end of the Measure gate's acquisition window", () => {
    expect(() => compile(activeReset(400), twoQubitHardware(), { device })).toThrow(
      /minimum gap from the end of the acquisition window is 536 ns/,
    );
  });

  it("ConditionalReset q0 (quantify's name) expands to that pair: X 536 ns after the Measure", () => {
    const sched = {
      name: "conditional reset",
      schedulables: [
        { label: "cr", operation: { type: "ConditionalReset", qubit: "q0" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const c = compile(sched, twoQubitHardware(), { device });
    expect(c.feedback!.routes.map((r) => [r.id, r.mode, r.trigger_label])).toStrictEqual([[16, "multi-cast", "q0"]]);
    expect(c.repetition_duration_ns).toBe(2100 + 536 + 40 + 100);
    const r = simulate(c, { inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(0.3), to: 4e-6 });
    expect(
      r.events
        .filter((e) => e.kind === "play" && e.module === "cluster0_module2")
        .map((e) => [e.portClock, e.startNs, e.durationNs, e.operation]),
    ).toStrictEqual([["q0:mw-q0.01", 16 + 2100 + 536, 40, "X q0"]]);
  });

  it("ConditionalReset without a device → GATE_WITHOUT_DEVICE", () => {
    const sched = { name: "x", schedulables: [{ operation: { type: "ConditionalReset", qubit: "q0" } }] };
    expect(() => compile(sched, twoQubitHardware())).toThrow(
      /ConditionalReset "ConditionalReset" is gate-level and needs a device/,
    );
  });
});
