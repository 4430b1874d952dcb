/**
 * What the plot page is built from (the JSON it embeds) and the report's time origin: conditional
 * plays marked, schedule time per sequencer (feedback programs too), helpers on program text.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { renderPlotHtml } from "../../src/emulator/plot.js";
import { conditionalLines, conditionalLinesOf, outputRoutes, routedOutputs } from "../../src/emulator/plot/routes.js";
import { programOrigin, timeOrigins } from "../../src/emulator/report-time.js";
import { simulate } from "../../src/emulator/simulate.js";
import { pulseRows } from "../../src/emulator/summary.js";

const read = (p: string): unknown => JSON.parse(readFileSync(p, "utf8"));

interface PlotData {
  panels: { id: string; spans: { label: string; start_ns: number; conditional: boolean; kind: string }[] }[];
}
const plotData = (html: string): PlotData =>
  JSON.parse(/<script type="application\/json" id="q1f-data">(.*?)<\/script>/s.exec(html)![1]!) as PlotData;

describe("active reset (feedback): the conditional X is marked, times are schedule times", () => {
  const compiled = compile(
    read("examples/schedules/active-reset.json"),
    read("hardware-configs/baseband-transmon.json"),
    { verify: true },
  );
  const origins = timeOrigins(compiled);

  it("time origins: header 16 ns on the QCM, 24 ns on the QRM (fb_acq_tb_id carries its 8 ns latency wait)", () => {
    expect([...origins]).toEqual([
      ["cluster0/cluster0_module1/0", { originNs: 16, periodNs: compiled.repetition_duration_ns + 4 }],
      ["cluster0/cluster0_module2/0", { originNs: 24, periodNs: compiled.repetition_duration_ns + 4 }],
    ]);
  });

  it("the plot marks the X inside the ConditionalOperation (and only it) as conditional", () => {
    const sim = simulate(compiled, { from: 0, to: 3e-6 });
    const html = renderPlotHtml(sim, {
      routes: outputRoutes(compiled),
      conditional: conditionalLinesOf(compiled),
      origins,
    });
    const spans = plotData(html).panels.flatMap((p) => p.spans.map((s) => [p.id, s.label, s.conditional]));
    expect(spans.filter((s) => s[2] === true).map((s) => s[1])).toEqual(expect.arrayContaining(["X q0 · q0:mw-q0.01"]));
    expect(spans.filter((s) => s[2] === true).every((s) => String(s[1]).startsWith("X q0"))).toBe(true);
    expect(spans.some((s) => String(s[1]).startsWith("Measure q0") && s[2] === false)).toBe(true);
    // both sequencers' rows are in schedule time: the readout at 0, the acquisition window at its t0
    const rows = pulseRows(sim, origins).filter((r) => r.repetition === 0);
    expect(rows.map((r) => [r.kind, r.scheduleNs, r.operation])).toContainEqual(["play", 0, "Measure q0"]);
  });
});

describe("program-text helpers", () => {
  it("programOrigin sums the header's real-time instructions up to the loop header's upd_param", () => {
    expect(
      programOrigin(
        " set_mrk 0\n wait_sync 4\n upd_param 4\n wait 12 # latency\n move 1,R0\nstart: reset_ph\n upd_param 4\n play 0,0,4\n",
      ),
    ).toEqual({ originNs: 24, loopHeaderNs: 4 });
    // a program of another shape has no known origin
    expect(programOrigin(" wait_sync 4\n play 0,0,4\n stop\n")).toBeNull();
  });

  it("conditionalLines: set_cond blocks and forward jumps on a feedback bit", () => {
    const program = [
      " fb_pop_data 16,R1", // 1
      " jlt R1,3,@skip", // 2
      " play 0,0,4", // 3 conditional
      " wait 16", // 4 conditional
      "skip: wait 20", // 5
      " set_cond 1,1,0,4", // 6
      " play 1,1,4", // 7 conditional
      " set_cond 0,0,0,4", // 8
      " play 0,0,4", // 9
      " jlt R0,5,@skip", // 10 a loop jump on another register: not conditional
    ].join("\n");
    expect([...conditionalLines(program)].sort((a, b) => a - b)).toEqual([3, 4, 7]);
  });

  it("routedOutputs reads the channel map", () => {
    expect(routedOutputs({ out0: "off", out1: "off", out2: "I", out3: "off" })).toEqual([2]);
    expect(routedOutputs({ out0: "IQ", out1: "IQ" })).toEqual([0, 1]);
  });
});

describe("rf-transmon readout in the report: one 400 ns pulse at 0.2, acquisitions named once", () => {
  const compiled = compile(read("examples/schedules/rf-transmon.json"), read("hardware-configs/rf-transmon.json"));
  const sim = simulate(compiled, { from: 100e-6, to: 101.2e-6 });
  const rows = pulseRows(sim, timeOrigins(compiled)).filter((r) => r.portClock === "q0:res-q0.ro");

  it("the long square readout is one play row: schedule time, 400 ns, amplitude 0.2, how it was played", () => {
    const play = rows.find((r) => r.kind === "play")!;
    expect([play.repetition, play.scheduleNs, play.startNs, play.durationNs, play.operation]).toEqual([
      0,
      100020,
      100040,
      400,
      "SquarePulse",
    ]);
    expect(play.gain![0]).toBeCloseTo(0.2, 4);
    expect(play.playedAs).toMatch(/^offset 0\.2\d*,0 for 396 ns, then a 4 ns play at gain 0\.2\d*,0$/);
    expect(rows.filter((r) => r.kind === "offset")).toEqual([]);
  });

  it("an acquisition named by its protocol says the protocol once", () => {
    expect(rows.find((r) => r.kind === "acquire")!.operation).toBe("SSBIntegrationComplex (acq_channel q0)");
  });
});
