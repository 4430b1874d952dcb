/** Issue 13 item 12: InlineQ1ASM's `waveforms` argument (quantify's name → {data, index}). */
import { describe, expect, it } from "vitest";
import { compile as compileApi } from "../../src/compile.js";
import { simulate } from "../../src/emulator/simulate.js";
import { basebandHardware, RESOURCES } from "./fixtures.js";
import { compileError, lines, seqOf } from "./options-helpers.js";

const SAMPLES = [0, 0.25, 0.5, 0.75, 1, -0.5, -1, 0.125];
const PROGRAM = " set_awg_gain 16384,16384\n play 0,0,8\n wait 12";

const inlineOp = (name: string, waveforms: Record<string, unknown>) => ({
  operation: { type: "InlineQ1ASM", name, program: PROGRAM, duration: "20 ns", port: "q0:fl", waveforms },
});

function sched(...inline: ReturnType<typeof inlineOp>[]) {
  return {
    name: "inline-waves",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:fl", clock: "cl0.baseband" } },
      ...inline,
      { operation: { type: "IdlePulse", duration: "40 ns" } },
    ],
  };
}

describe("InlineQ1ASM waveforms (issue 13 item 12)", () => {
  it("uploads the inline waveform at its given index; the compiler's own waveform takes the next free index", () => {
    const c = compileApi(sched(inlineOp("mine", { ramp: { data: SAMPLES, index: 0 } })), basebandHardware(), {
      verify: true,
    });
    const seq = seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence;
    expect(seq.waveforms["ramp"]).toEqual({ data: SAMPLES, index: 0 });
    expect(Object.values(seq.waveforms).map((w) => w.index)).toEqual([0, 1]);
    expect(lines(seq.program).slice(7, 13)).toEqual([
      "set_awg_gain 16384,0",
      "play 1,1,4", // the square pulse's waveform, moved off the inline index 0
      "wait 16",
      "set_awg_gain 16384,16384",
      "play 0,0,8",
      "wait 12",
    ]);
  });

  it("the emulator plays exactly the inline samples", () => {
    const c = compileApi(sched(inlineOp("mine", { ramp: { data: SAMPLES, index: 0 } })), basebandHardware(), {
      verify: true,
    });
    const r = simulate(c);
    const plays = r.events.filter((e) => e.kind === "play" && e.operation === "mine");
    expect(plays.map((e) => [e.startNs, e.durationNs, e.waveforms, e.gain])).toEqual([[36, 8, [0, 0], [0.5, 0.5]]]);
    const out = r.clusters["cluster0"]!.modules["cluster0_module1"]!.outputs[2]!;
    // full-scale factor of this output, measured on the compiler's 0.5-amplitude square pulse at 16 ns
    const scale = out[16]! / 0.5;
    expect(scale).toBeGreaterThan(0);
    const played = Array.from(out.subarray(36, 44), (v) => v / (0.5 * scale));
    played.forEach((v, k) => expect(v).toBeCloseTo(SAMPLES[k]!, 6));
    expect([out[35], out[44]]).toEqual([out[16], 0]); // the square's last sample before it, nothing after
  });

  it("a sample outside [-1, 1] → INLINE_WAVEFORM_OUT_OF_RANGE naming the sample", () => {
    const e = compileError(sched(inlineOp("mine", { ramp: { data: [0, 0.5, 1.5, 0], index: 0 } })), basebandHardware());
    expect([e.code, e.path, e.message]).toEqual([
      "INLINE_WAVEFORM_OUT_OF_RANGE",
      "/schedulables/1/operation/waveforms/ramp/data/2",
      'sample 2 of waveform "ramp" of InlineQ1ASM "mine" is 1.5, outside [-1, 1]',
    ]);
    expect(e.hint).toMatch(/\[-1, 1\]/);
  });

  it("two inline waveforms with different samples at one index → INLINE_WAVEFORM_INDEX_CLASH", () => {
    const e = compileError(
      sched(
        inlineOp("first", { ramp: { data: SAMPLES, index: 0 } }),
        inlineOp("second", { other: { data: [1, 1, 1, 1], index: 0 } }),
      ),
      basebandHardware(),
    );
    expect([e.code, e.path, e.message]).toEqual([
      "INLINE_WAVEFORM_INDEX_CLASH",
      "/schedulables/2/operation/waveforms/other/index",
      'InlineQ1ASM "second" puts waveform "other" at index 0 of q0:fl-cl0.baseband, where "first" already put "ramp" with other samples',
    ]);
  });

  it("inline samples count against the waveform memory before they are stored → WAVEFORM_MEMORY_EXCEEDED", () => {
    const e = compileError(
      sched(inlineOp("mine", { long: { data: new Array(16385).fill(0.5), index: 0 } })),
      basebandHardware(),
    );
    expect([e.code, e.path]).toEqual(["WAVEFORM_MEMORY_EXCEEDED", "/schedulables/1/operation/waveforms/long/data"]);
  });

  it("an index over 1023 or empty data is a schema error", () => {
    for (const bad of [
      { data: SAMPLES, index: 1024 },
      { data: [], index: 0 },
    ]) {
      const e = compileError(sched(inlineOp("mine", { w: bad })), basebandHardware());
      expect(e.path).toMatch(/^\/schedulables\/1\/operation\/waveforms\/w\/(index|data)$/);
    }
  });
});
