import { describe, expect, it } from "vitest";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import { Ops, ScheduleBuilder } from "../../src/schedule/builder.js";
import { parseScheduleDocument } from "../../src/schedule/parse.js";

describe("ScheduleBuilder", () => {
  it("produces exactly the JSON document", () => {
    const s = new ScheduleBuilder("rabi", { repetitions: 1024 }).clock("q0.01", "6.02 GHz").clock("q0.ro", 7.1e9, 0);
    s.operation("x90", Ops.drag({ G_amp: 0.1, D_amp: 0.01, duration: "20 ns", port: "q0:mw", clock: "q0.01" }));
    const p = s.add("x90", { label: "p0" });
    s.add(Ops.ssbIntegrationComplex({ duration: "1 us", port: "q0:res", clock: "q0.ro" }), {
      ref: p,
      refPt: "end",
      relTime: "20 ns",
    });
    s.loop(
      3,
      (body) => {
        body.add(Ops.squarePulse({ amp: 0.2, duration: "8 ns", port: "q0:fl" }));
      },
      { name: "avg" },
    );
    s.subSchedule(
      "sub",
      (sub) => {
        sub.add(Ops.resetClockPhase("q0.ro"));
      },
      { constraints: [{ ref: "p0", refPt: "start" }, {}] },
    );
    expect(s.toJSON()).toEqual({
      name: "rabi",
      repetitions: 1024,
      resources: { "q0.01": { freq: "6.02 GHz" }, "q0.ro": { freq: 7.1e9, phase: 0 } },
      operations: {
        x90: { type: "DRAGPulse", G_amp: 0.1, D_amp: 0.01, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
      },
      schedulables: [
        { label: "p0", operation: "x90" },
        {
          operation: { type: "SSBIntegrationComplex", duration: "1 us", port: "q0:res", clock: "q0.ro" },
          ref_schedulable: "p0",
          ref_pt: "end",
          rel_time: "20 ns",
        },
        {
          operation: {
            type: "LoopOperation",
            repetitions: 3,
            name: "avg",
            body: { schedulables: [{ operation: { type: "SquarePulse", amp: 0.2, duration: "8 ns", port: "q0:fl" } }] },
          },
        },
        {
          operation: {
            type: "Schedule",
            name: "sub",
            schedulables: [{ operation: { type: "ResetClockPhase", clock: "q0.ro" } }],
          },
          timing_constraints: [{ ref_schedulable: "p0", ref_pt: "start" }, {}],
        },
      ],
    });
  });

  it("referencing an unlabeled schedulable gives it an automatic label; output parses and times", () => {
    const s = new ScheduleBuilder("auto").clock("q0.01", 6e9);
    const a = s.add(Ops.drag({ G_amp: 0.1, D_amp: 0, duration: "20 ns", port: "q0:mw", clock: "q0.01" }));
    s.add(Ops.idle("100 ns"));
    s.add(Ops.squarePulse({ amp: 0.1, duration: "10 ns", port: "q0:fl" }), { ref: a, refPt: "start", relTime: "4 ns" });
    const doc = parseScheduleDocument(s.toJSON());
    expect(doc.schedulables[0]!.label).toBe("_s0");
    const t = resolveTiming(doc);
    expect(t.nodes.map((n) => [n.startNs, n.kind === "op" ? n.op.type : ""])).toEqual([
      [0, "DRAGPulse"],
      [4, "SquarePulse"],
      [20, "IdlePulse"],
    ]);
    expect(t.durationNs).toBe(120);
  });

  it("composite factory", () => {
    expect(
      Ops.composite("Measure q0", {
        pulses: [Ops.resetClockPhase("q0.ro")],
        acquisitions: [Ops.trace({ duration: 1e-6, port: "q0:res", clock: "q0.ro" })],
      }),
    ).toEqual({
      type: "Composite",
      name: "Measure q0",
      pulse_info: [{ type: "ResetClockPhase", clock: "q0.ro" }],
      acquisition_info: [{ type: "Trace", duration: 1e-6, port: "q0:res", clock: "q0.ro" }],
    });
  });
});
