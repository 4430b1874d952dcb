import { describe, expect, it } from "vitest";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { compiledSequencer, sourceOfLine } from "../../src/contract/source-map.js";
import { simulate } from "../../src/emulator/simulate.js";
import { reportRows } from "../../src/emulator/summary.js";
import { compileJson } from "../e2e/helpers.js";

const compiled = compileJson({
  name: "labels",
  repetitions: 1,
  schedulables: [
    {
      label: "m0",
      operation: {
        type: "Composite",
        name: "Measure q0",
        pulse_info: [{ type: "SquarePulse", amp: 0.25, duration: "80 ns", port: "q0:res", clock: "q0.ro" }],
        acquisition_info: [
          {
            type: "SSBIntegrationComplex",
            t0: "100 ns",
            duration: "1 us",
            port: "q0:res",
            clock: "q0.ro",
            acq_channel: 0,
          },
        ],
      },
    },
    // 300 ns square: played as an offset (set_awg_offs + upd_param … set_awg_offs 0,0)
    { operation: { type: "SquarePulse", name: "long", amp: 0.25, duration: "300 ns", port: "q0:res", clock: "q0.ro" } },
  ],
});

const rows = (c: CompiledSchedule) =>
  reportRows(simulate(c, { to: 2e-6 })).map((e) => [e.kind, e.startNs, e.operation]);

describe("operation labels from the compiled source map", () => {
  it("plays, acquisition windows (protocol and acq_channel from the layout) and offset rows", () => {
    expect(rows(compiled)).toEqual([
      ["play", 16, "Measure q0"],
      ["acquire", 116, "SSBIntegrationComplex Measure q0 (acq_channel 0)"],
      ["offset", 1116, "long"],
      ["play", 1412, "long"],
    ]);
  });

  it("reads the source map, not the program comments", () => {
    const c = structuredClone(compiled);
    const seq = compiledSequencer(c, "cluster0", "cluster0_module2", 0)!;
    seq.sequence.program = seq.sequence.program.replace(/#[^\n]*/g, "# nothing to see");
    seq.source_map!.operations[0]!.name = "Readout pulse";
    expect(rows(c).map((r) => r[2])).toEqual([
      "Readout pulse",
      "SSBIntegrationComplex Measure q0 (acq_channel 0)",
      "long",
      "long",
    ]);
  });

  it("a compiled schedule without source maps (written by another tool) has no labels", () => {
    const c = structuredClone(compiled);
    for (const s of Object.values(c.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers)) delete s.source_map;
    expect(rows(c).map((r) => r[2])).toEqual(["", "", "", ""]);
  });

  it("sourceOfLine: the operation of a 1-based line, null for unowned lines and without a map", () => {
    const seq = compiledSequencer(compiled, "cluster0", "cluster0_module2", 0)!;
    const lines = seq.sequence.program.split("\n");
    const play = lines.findIndex((l) => l.includes("play 0,0,4")) + 1;
    expect(sourceOfLine(seq, play)).toEqual({
      id: expect.any(Number),
      name: "Measure q0",
      path: "/schedulables/0/operation/pulse_info/0",
      label: "m0",
    });
    expect(sourceOfLine(seq, 1)).toBeNull(); // set_mrk 0 of the program header
    expect(sourceOfLine(seq, lines.length + 5)).toBeNull();
    expect(sourceOfLine({}, play)).toBeNull();
  });
});
