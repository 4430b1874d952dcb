/**
 * Sweeps (docs/sweeps.md): register-loop programs (exact text, encoded integers, increments), the
 * instruction count independent of the number of points, register lowering ≡ unrolled program sample
 * for sample in the emulator, nested and zipped sweeps with their dataset dims and coords, the
 * unrolled fallback with its reason, and limits as typed errors naming the sweep.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { ResourceLimitError, TimingError } from "../../src/core/errors.js";
import { simulate } from "../../src/emulator/simulate.js";
import { ScheduleBuilder, Ops, sweepRef } from "../../src/schedule/builder.js";
import { parseScheduleDocument } from "../../src/schedule/parse.js";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import { planSweeps } from "../../src/compiler/2-plan/sweeps.js";
import type { IrNode } from "../../src/compiler/ir/nodes.js";

const hw = JSON.parse(
  readFileSync(new URL("../../hardware-configs/baseband-transmon.json", import.meta.url), "utf8"),
) as unknown;

type Json = Record<string, unknown>;
const RO = { port: "q0:res", clock: "q0.ro" };
const MW = { port: "q0:mw", clock: "q0.01" };
const resources = { "q0.ro": { freq: "150 MHz" }, "q0.01": { freq: "6.02 GHz" } };

/** A readout point: a 300 ns square (played as offsets) at 0, an acquisition at 100 ns, 1 µs per point. */
function readoutBody(amp: unknown = 0.25, extra: Json[] = []): Json[] {
  return [
    ...extra,
    { label: "ro", operation: { type: "SquarePulse", amp, duration: "300 ns", ...RO }, ref_pt: "start" },
    {
      operation: { type: "SSBIntegrationComplex", duration: "200 ns", ...RO, acq_channel: "ch" },
      ref_schedulable: "ro",
      ref_pt: "start",
      rel_time: "100 ns",
    },
    { operation: { type: "IdlePulse", duration: "1 us" }, ref_schedulable: "ro", ref_pt: "start" },
  ];
}

function sweepSchedule(parameters: Json[], body: Json[], extra: Json = {}, repetitions = 2): Json {
  return {
    name: "sweep",
    repetitions,
    resources,
    schedulables: [{ operation: { type: "Sweep", name: "s", parameters, body: { schedulables: body }, ...extra } }],
  };
}

function program(c: CompiledSchedule, module: string): string[] {
  const seq = Object.values(c.clusters["cluster0"]!.modules[module]!.sequencers)[0]!;
  return seq.sequence.program
    .trimEnd()
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim());
}

/** The program after the repetition header (reset_ph … upd_param 4). */
function afterHeader(p: string[]): string[] {
  const start = p.findIndex((l) => l.startsWith("start:"));
  return p.slice(p.indexOf("upd_param 4", start) + 1);
}

describe("register-loop programs", () => {
  it("amplitude: 16.16 fixed-point gain ramp, set_awg_offs/set_awg_gain with registers, one add per point", () => {
    const c = compile(sweepSchedule([{ name: "amp", start: 0, stop: 1, num: 10 }], readoutBody("$amp")), hw, {
      verify: true,
    });
    // (0 + 32768)·65536 + 32768 = 2147516416; round(32767·65536 / 9) = 238602012
    expect(program(c, "cluster0_module2").slice(0, 7)).toEqual([
      "set_mrk 0",
      "wait_sync 4",
      "upd_param 4",
      "wait 4",
      "move 2,R0",
      "start: reset_ph",
      "upd_param 4",
    ]);
    expect(afterHeader(program(c, "cluster0_module2"))).toEqual([
      "move 10,R1",
      "move 2147516416,R2",
      "move 0,R4",
      "move 0,R5",
      "sweep0: asr R2,16,R3",
      "sub R3,32768,R3",
      "set_awg_offs R3,R4",
      "upd_param 4",
      "wait 96",
      "acquire 0,R5,4",
      "add R5,1,R5",
      "wait 192",
      "set_awg_offs 0,0",
      "asr R2,16,R3",
      "sub R3,32768,R3",
      "set_awg_gain R3,R4",
      "play 0,0,4",
      "wait 700",
      "add R2,238602012,R2",
      "loop R1,@sweep0",
      "loop R0,@start",
      "stop",
    ]);
    expect(c.diagnostics.sweeps).toEqual([
      {
        sweep: "s",
        path: "/schedulables/0/operation",
        parameter: "amp",
        points: 10,
        lowering: "register",
        reason: "linear steps driven by register arithmetic (set_awg_gain with registers)",
        sequencer: "cluster0_module2.seq0",
        instructions: 12,
        registers: 4,
      },
    ]);
    // the values played: a ramp through the end codes 0 and 32767 (1.0 encodes to the clamped 32767)
    const amp = c.acquisitions["ch"]!.dataset!.coords["amp"]!.data as number[];
    expect(amp.map((v) => v * 32768)).toEqual([0, 3641, 7282, 10922, 14563, 18204, 21845, 25485, 29126, 32767]);
    expect(c.acquisitions["ch"]!.dataset!.coords["amp_requested"]!.data).toEqual(
      Array.from({ length: 10 }, (_, i) => i / 9),
    );
  });

  it("frequency (a clock parameter): set_freq with a register, 4 steps per Hz", () => {
    const c = compile(
      sweepSchedule([{ name: "f", start: "140 MHz", stop: "160 MHz", num: 5, clock: "q0.ro" }], readoutBody()),
      hw,
      { verify: true },
    );
    expect(afterHeader(program(c, "cluster0_module2"))).toEqual([
      "move 5,R1",
      "move 560000000,R2", // NCO 140 MHz · 4
      "move 0,R3",
      "sweep0: set_freq R2",
      "set_awg_offs 8192,0",
      "upd_param 4",
      "wait 96",
      "acquire 0,R3,4",
      "add R3,1,R3",
      "wait 192",
      "set_awg_offs 0,0",
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 700",
      "add R2,20000000,R2", // 5 MHz · 4
      "loop R1,@sweep0",
      "loop R0,@start",
      "stop",
    ]);
    expect(c.acquisitions["ch"]!.dataset).toMatchObject({
      dims: ["f"],
      shape: [5],
      coords: { f: { dims: ["f"], data: [140e6, 145e6, 150e6, 155e6, 160e6], attrs: { units: "Hz" } } },
    });
  });

  it("SetClockFrequency, ShiftClockPhase and VoltageOffset fields take registers", () => {
    const body = [
      { operation: { type: "SetClockFrequency", clock: "q0.01", clock_freq_new: "$f" } },
      { operation: { type: "ShiftClockPhase", clock: "q0.01", phase_shift: "$ph" }, ref_pt: "start" },
      { operation: { type: "VoltageOffset", offset_path_I: "$v", offset_path_Q: 0.1, ...MW }, ref_pt: "start" },
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW }, ref_pt: "start" },
      { operation: { type: "IdlePulse", duration: "1 us" } },
    ];
    const c = compile(
      sweepSchedule(
        [
          { name: "f", start: "6.0 GHz", stop: "6.04 GHz", num: 3 },
          { name: "ph", start: 0, stop: 90, num: 3 },
          { name: "v", start: -0.5, stop: 0.5, num: 3 },
        ],
        body,
        { mode: "zip" },
      ),
      hw,
      { verify: true },
    );
    expect(afterHeader(program(c, "cluster0_module1"))).toEqual([
      "move 3,R1",
      "move 400000000,R2", // IF = 6.0 GHz − LO 5.9 GHz = 100 MHz
      "move 0,R3",
      "move 1073774592,R4", // (−16384 + 32768)·65536 + 32768
      "move 3277,R6", // offset path Q 0.1 (constant)
      "sweep0: set_freq R2",
      "set_ph_delta R3",
      "asr R4,16,R5",
      "sub R5,32768,R5",
      "set_awg_offs R5,R6",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 1016",
      "add R2,80000000,R2",
      "add R3,125000000,R3", // 45° = 1e9 / 8 steps
      "add R4,1073741824,R4", // 16384 · 65536
      "loop R1,@sweep0",
      "loop R0,@start",
      "stop",
    ]);
  });

  it("a duration parameter: wait with a register at the swept IdlePulse, the repetition lasts Σ points", () => {
    const body = [
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "$tau" } },
      { operation: { type: "SquarePulse", amp: 0.25, duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ];
    const c = compile(sweepSchedule([{ name: "tau", start: "8 ns", stop: "808 ns", num: 5 }], body), hw, {
      verify: true,
    });
    expect(afterHeader(program(c, "cluster0_module1"))).toEqual([
      "move 5,R1",
      "move 8,R2",
      "sweep0: set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 16",
      "wait R2",
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 116",
      "add R2,200,R2",
      "loop R1,@sweep0",
      "loop R0,@start",
      "stop",
    ]);
    expect(c.repetition_duration_ns).toBe(5 * 140 + (8 + 208 + 408 + 608 + 808));
  });

  it("a rel_time parameter: the delayed schedulable and everything after it wait on a register", () => {
    const body = [
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW } },
      { operation: { type: "SquarePulse", amp: 0.25, duration: "20 ns", ...MW }, rel_time: "$gap" },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ];
    const c = compile(sweepSchedule([{ name: "gap", values: ["4 ns", "14 ns", "24 ns"] }], body), hw, {
      verify: true,
    });
    expect(afterHeader(program(c, "cluster0_module1"))).toEqual([
      "move 3,R1",
      "move 4,R2",
      "sweep0: set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 16",
      "wait R2",
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 116",
      "add R2,10,R2",
      "loop R1,@sweep0",
      "loop R0,@start",
      "stop",
    ]);
    expect(c.repetition_duration_ns).toBe(3 * 140 + 4 + 14 + 24);
    expect(c.acquisitions).toEqual({});
  });

  it("a 1,000-point amplitude sweep of a readout compiles to as many instructions as a 10-point one", () => {
    const count = (num: number) => {
      const c = compile(sweepSchedule([{ name: "amp", start: 0, stop: 1, num }], readoutBody("$amp")), hw);
      return c.diagnostics.resources.map((r) => r.instructions);
    };
    expect(count(1000)).toEqual(count(10));
    expect(count(10)).toEqual([29]);
  });
});

/** Outputs of every module, sample for sample, over the whole schedule. */
function outputs(c: CompiledSchedule): number[][] {
  const r = simulate(c, { to: (c.repetition_duration_ns * c.repetitions + 300) * 1e-9 });
  return Object.values(r.clusters["cluster0"]!.modules).flatMap((m) => m.outputs.map((o) => Array.from(o)));
}

/** The same points written out one schedulable per point with the values the register program played. */
function unrolled(points: Json[][], durationNs: number[]): Json {
  const schedulables: Json[] = [];
  let t = 0;
  points.forEach((body, i) => {
    schedulables.push({
      label: `p${i}`,
      operation: { type: "Schedule", schedulables: body },
      ...(i === 0 ? {} : { ref_schedulable: "p0", ref_pt: "start", rel_time: `${t} ns` }),
    });
    t += durationNs[i]!;
  });
  return { name: "unrolled", repetitions: 2, resources, schedulables };
}

describe("register lowering ≡ the unrolled program, sample for sample", () => {
  const check = (sweep: Json, body: (point: number, played: Record<string, number[]>) => Json[], points: number[]) => {
    const c = compile(sweep, hw, { verify: true });
    expect(c.diagnostics.sweeps!.every((d) => d.lowering === "register")).toBe(true);
    const played: Record<string, number[]> = {};
    for (const l of Object.values(c.acquisitions))
      for (const [k, v] of Object.entries(l.dataset?.coords ?? {})) played[k] = v.data as number[];
    const u = compile(
      unrolled(
        points.map((_, i) => body(i, played)),
        points,
      ),
      hw,
      { verify: true },
    );
    expect(u.repetition_duration_ns).toBe(c.repetition_duration_ns);
    const a = outputs(c);
    const b = outputs(u);
    expect(a.length).toBe(b.length);
    a.forEach((x, i) => {
      expect(x).toEqual(b[i]);
    });
  };

  it("gain (pulse amplitude, played through offsets and gain)", () => {
    check(
      sweepSchedule([{ name: "amp", start: 0.1, stop: 0.9, num: 7 }], readoutBody("$amp")),
      (i, p) => readoutBody(p["amp"]![i]),
      Array(7).fill(1000),
    );
  });

  it("frequency and phase (SetClockFrequency, ShiftClockPhase) and offset (VoltageOffset), zipped", () => {
    const body = (f: unknown, ph: unknown, v: unknown): Json[] => [
      { operation: { type: "SetClockFrequency", clock: "q0.ro", clock_freq_new: f } },
      { operation: { type: "ShiftClockPhase", clock: "q0.ro", phase_shift: ph }, ref_pt: "start" },
      { operation: { type: "VoltageOffset", offset_path_I: v, offset_path_Q: 0, ...RO }, ref_pt: "start" },
      ...readoutBody(0.2).map((s, k) => (k === 0 ? { ...s, ref_pt: "start" } : s)),
    ];
    check(
      sweepSchedule(
        [
          { name: "f", start: "145 MHz", stop: "155 MHz", num: 6 },
          { name: "ph", start: 10, stop: 60, num: 6 },
          { name: "v", start: 0, stop: 0.3, num: 6 },
        ],
        body("$f", "$ph", "$v"),
        { mode: "zip" },
      ),
      (i, p) => body(p["f"]![i], p["ph"]![i], p["v"]![i]),
      Array(6).fill(1000),
    );
  });

  it("DRAG amplitude (G_amp; D_amp is relative to it): both gain paths from registers", () => {
    const body = (g: unknown, d: unknown): Json[] => [
      { operation: { type: "DRAGPulse", G_amp: g, D_amp: d, duration: "40 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "200 ns" } },
    ];
    const c = compile(sweepSchedule([{ name: "a", start: 0.1, stop: 0.8, num: 8 }], body("$a", 0.25)), hw);
    expect(afterHeader(program(c, "cluster0_module1")).filter((l) => l.startsWith("set_awg_gain"))).toEqual([
      "set_awg_gain R3,R5",
    ]);
    check(
      sweepSchedule([{ name: "a", start: 0.1, stop: 0.8, num: 8 }], body("$a", 0.25)),
      (i) => body(0.1 + (0.7 * i) / 7, 0.25),
      Array(8).fill(240),
    );
  });

  it("wait (an IdlePulse duration)", () => {
    const body = (tau: unknown): Json[] => [
      { operation: { type: "DRAGPulse", G_amp: 0.5, D_amp: 0.05, duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: tau } },
      ...readoutBody(0.3).map((x, k) => (k === 0 ? { label: "ro", operation: x["operation"] } : x)),
    ];
    const taus = [20, 270, 520, 770, 1020];
    check(
      sweepSchedule([{ name: "tau", start: "20 ns", stop: "1020 ns", num: 5 }], body("$tau")),
      (i) => body(`${taus[i]} ns`),
      taus.map((t) => 20 + t + 1000),
    );
  });
});

describe("nested and zipped sweeps: dims and coords of the results", () => {
  it("frequency × amplitude: two register loops, results with dims [f, amp]", () => {
    const s = sweepSchedule(
      [
        { name: "f", start: "148 MHz", stop: "152 MHz", num: 3, clock: "q0.ro" },
        { name: "amp", values: [0.1, 0.2, 0.3, 0.4] },
      ],
      readoutBody("$amp"),
    );
    const c = compile(s, hw, { verify: true });
    expect(c.diagnostics.sweeps!.map((d) => [d.parameter, d.lowering, d.points])).toEqual([
      ["f", "register", 3],
      ["amp", "register", 4],
    ]);
    const ds = c.acquisitions["ch"]!.dataset!;
    expect([ds.dims, ds.shape]).toEqual([
      ["f", "amp"],
      [3, 4],
    ]);
    expect(ds.coords["f"]!.data).toEqual([148e6, 150e6, 152e6]);
    expect((ds.coords["amp"]!.data as number[]).map((v) => Math.round(v * 32768))).toEqual([3277, 6554, 9830, 13107]);
    const r = simulate(c, { to: 20e-6 });
    const d = r.dataset!;
    expect(d.dims).toEqual({ f: 3, amp: 4, complex: 2 });
    expect(d.data_vars["ch"]!.dims).toEqual(["f", "amp", "complex"]);
    const data = d.data_vars["ch"]!.data as [number, number][][];
    expect(data.length).toBe(3);
    expect(data[0]!.length).toBe(4);
    // the loopback of the QRM output: I ≈ amp · 10^(2/20) at f = 150 MHz (the NCO's own frequency)
    expect(data[1]![3]![0]).toBeCloseTo((13107 / 32768) * 10 ** (2 / 20), 3);
  });

  it("APPEND: dims [repetition, amp], one bin per point and repetition", () => {
    const body = readoutBody("$amp").map((x, k) =>
      k === 1 ? { ...x, operation: { ...(x["operation"] as Json), bin_mode: "append" } } : x,
    );
    const c = compile(sweepSchedule([{ name: "amp", start: 0.1, stop: 0.4, num: 4 }], body, {}, 3), hw, {
      verify: true,
    });
    const layout = c.acquisitions["ch"]!;
    expect([layout.shape, layout.dims]).toEqual([
      [3, 4],
      ["repetition", "acq_index_ch"],
    ]);
    expect([layout.dataset!.dims, layout.dataset!.shape]).toEqual([
      ["repetition", "amp"],
      [3, 4],
    ]);
    const r = simulate(c, { to: 20e-6 });
    expect(r.dataset!.dims).toEqual({ repetition: 3, amp: 4, complex: 2 });
    const data = r.dataset!.data_vars["ch"]!.data as [number, number][][];
    for (const rep of data) rep.forEach(([re], k) => expect(re).toBeCloseTo(0.1 * (k + 1) * 10 ** (2 / 20), 3));
  });

  it("zipped parameters share one loop and one dimension", () => {
    const c = compile(
      sweepSchedule(
        [
          { name: "amp", start: 0.1, stop: 0.4, num: 4 },
          { name: "f", start: "149 MHz", stop: "152 MHz", num: 4, clock: "q0.ro" },
        ],
        readoutBody("$amp"),
        { mode: "zip" },
      ),
      hw,
      { verify: true },
    );
    const p = program(c, "cluster0_module2");
    expect(p.filter((l) => l.startsWith("loop"))).toEqual(["loop R1,@sweep0", "loop R0,@start"]);
    const ds = c.acquisitions["ch"]!.dataset!;
    expect([ds.dims, ds.shape]).toEqual([["amp"], [4]]);
    expect(ds.coords["f"]).toMatchObject({ dims: ["amp"], data: [149e6, 150e6, 151e6, 152e6] });
  });

  it("the builder writes the same Sweep document", () => {
    const b = new ScheduleBuilder("built", { repetitions: 2 }).clock("q0.ro", "150 MHz");
    b.sweep(
      [{ name: "amp", start: 0, stop: 1, num: 10 }],
      (body) => {
        const ro = body.add(Ops.squarePulse({ amp: sweepRef("amp"), duration: "300 ns", ...RO }), {
          label: "ro",
          refPt: "start",
        });
        body.add(Ops.ssbIntegrationComplex({ duration: "200 ns", ...RO, acq_channel: "ch" }), {
          ref: ro,
          refPt: "start",
          relTime: "100 ns",
        });
        body.add(Ops.idle("1 us"), { ref: ro, refPt: "start" });
      },
      { name: "s" },
    );
    const doc = b.toJSON();
    expect(doc.schedulables[0]!.operation).toMatchObject({ type: "Sweep", name: "s" });
    const a = compile(doc, hw);
    const ref = compile(
      {
        ...sweepSchedule([{ name: "amp", start: 0, stop: 1, num: 10 }], readoutBody("$amp")),
        name: "built",
        resources: { "q0.ro": { freq: "150 MHz" } },
      },
      hw,
    );
    expect(program(a, "cluster0_module2")).toEqual(program(ref, "cluster0_module2"));
  });
});

describe("unrolled fallback, with the reason in diagnostics.sweeps", () => {
  it("values that are not equally spaced", () => {
    const c = compile(sweepSchedule([{ name: "amp", values: [0.1, 0.2, 0.5] }], readoutBody("$amp")), hw, {
      verify: true,
    });
    expect(c.diagnostics.sweeps).toEqual([
      expect.objectContaining({
        parameter: "amp",
        lowering: "unrolled",
        reason: "the values are not equally spaced (no constant increment)",
        sequencer: null,
        registers: 0,
      }),
    ]);
    expect(c.diagnostics.sweeps![0]!.instructions).toBeGreaterThan(0);
    expect(program(c, "cluster0_module2").filter((l) => l.startsWith("set_awg_offs") && !l.endsWith("0,0"))).toEqual([
      "set_awg_offs 3277,0",
      "set_awg_offs 6554,0",
      "set_awg_offs 16384,0",
    ]);
    expect(c.acquisitions["ch"]!.dataset).toMatchObject({ dims: ["amp"], shape: [3] });
  });

  it("a pulse phase is part of the waveform samples; the zipped parameter follows it", () => {
    const body = [
      { operation: { type: "GaussPulse", G_amp: "$a", phase: "$ph", duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ];
    const c = compile(
      sweepSchedule(
        [
          { name: "ph", start: 0, stop: 90, num: 3 },
          { name: "a", start: 0.1, stop: 0.3, num: 3 },
        ],
        body,
        { mode: "zip" },
      ),
      hw,
      { verify: true },
    );
    expect(c.diagnostics.sweeps!.map((d) => [d.parameter, d.lowering, d.reason])).toEqual([
      ["ph", "unrolled", 'field "phase" of GaussPulse "GaussPulse" is part of the waveform samples'],
      ["a", "unrolled", 'unrolled with "ph": field "phase" of GaussPulse "GaussPulse" is part of the waveform samples'],
    ]);
    expect(program(c, "cluster0_module1").filter((l) => l.startsWith("play"))).toHaveLength(3);
  });
});

describe("limits: typed errors naming the sweep", () => {
  it("more registers than the sequencer has → OUT_OF_REGISTERS naming the sweep parameter", () => {
    const body = Array.from({ length: 20 }, (_, i) => ({
      operation: { type: "DRAGPulse", name: `x${i}`, G_amp: "$a", D_amp: 0.1, duration: "20 ns", ...MW },
    }));
    let err: unknown;
    try {
      compile(sweepSchedule([{ name: "a", start: 0.1, stop: 0.5, num: 5 }], body), hw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect(err).toMatchObject({ code: "OUT_OF_REGISTERS", path: "/schedulables/0/operation/parameters/0" });
    expect((err as Error).message).toContain('"sweep "s" parameter "a"" needs a Q1 register');
  });

  it("a wait below 4 ns reached by the sweep → SWEEP_WAIT_TOO_SHORT", () => {
    const body = [
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "$tau" } },
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW } },
    ];
    let err: unknown;
    try {
      compile(sweepSchedule([{ name: "tau", start: 0, stop: "100 ns", num: 5 }], body), hw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TimingError);
    expect(err).toMatchObject({ code: "SWEEP_WAIT_TOO_SHORT", path: "/schedulables/0/operation/parameters/0" });
    expect((err as Error).message).toBe('sweep "s": parameter "tau" reaches 0 ns; a register wait needs at least 4 ns');
  });

  it("a reference to an unknown parameter → SWEEP_UNKNOWN_PARAMETER at the field", () => {
    let err: unknown;
    try {
      const typo = { operation: { type: "VoltageOffset", offset_path_I: "$ampl", offset_path_Q: 0, ...RO } };
      compile(sweepSchedule([{ name: "amp", start: 0, stop: 1, num: 3 }], readoutBody("$amp", [typo])), hw);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: "SWEEP_UNKNOWN_PARAMETER",
      path: "/schedulables/0/operation/body/schedulables/0/operation/offset_path_I",
      message: '"$ampl" refers to no sweep parameter in scope',
      hint: "parameters in scope: amp",
    });
  });
});

describe("examples", () => {
  const example = (name: string) =>
    compile(JSON.parse(readFileSync(new URL(`../../examples/schedules/${name}.json`, import.meta.url), "utf8")), hw, {
      verify: true,
    });
  it("t1-sweep.json: 51 waits from 20 ns to 60 µs in one register wait on both sequencers", () => {
    const c = example("t1-sweep");
    expect(c.diagnostics.sweeps!.map((d) => [d.parameter, d.lowering, d.sequencer])).toEqual([
      ["tau", "register", "cluster0_module1.seq0"],
      ["tau", "register", "cluster0_module2.seq0"],
    ]);
    // 51 points of 20 + 200,000 ns plus Σ tau (20 … 60,000 ns in steps of 1,199.6 ns: 16.16 fixed point)
    const tau = c.acquisitions["T1"]!.dataset!.coords["tau"]!.data as number[];
    expect(tau.length).toBe(51);
    expect([tau[0], tau[50]]).toEqual([20e-9, 60000e-9]);
    const sum = tau.reduce((a, t) => a + Math.round(t * 1e9), 0);
    expect(c.repetition_duration_ns).toBe(51 * 200_020 + sum);
    expect(afterHeader(program(c, "cluster0_module1")).filter((l) => /R[23]\b/.test(l))).toEqual([
      "move 1343488,R2", // (20 + 0.5) · 65536
      "asr R2,16,R3",
      "wait R3",
      "add R2,78616986,R2", // round(1199.6 · 65536)
    ]);
  });
  it("resonator-spectroscopy.json: 201 frequencies, the same program as 2 would give", () => {
    const c = example("resonator-spectroscopy");
    expect(c.diagnostics.sweeps).toEqual([
      expect.objectContaining({
        parameter: "frequency",
        lowering: "register",
        points: 201,
        instructions: 5,
        registers: 2,
      }),
    ]);
    expect(afterHeader(program(c, "cluster0_module2")).slice(0, 2)).toEqual(["move 201,R1", "move 560000000,R2"]);
    expect(afterHeader(program(c, "cluster0_module2"))).toContain("add R2,400000,R2"); // 100 kHz · 4
  });
});

describe("IR as data", () => {
  it("SweepNodes and the 2-plan/sweeps output survive a JSON round trip; unrolled copies get fresh ids; the input is not mutated", () => {
    const doc = parseScheduleDocument(
      sweepSchedule(
        [
          { name: "f", start: "148 MHz", stop: "152 MHz", num: 3, clock: "q0.ro" },
          { name: "amp", values: [0.1, 0.2, 0.5] },
        ],
        readoutBody("$amp"),
      ),
    );
    const timed = resolveTiming(doc);
    const before = JSON.stringify(timed);
    const rt = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    expect(rt(timed)).toStrictEqual(timed);
    const outer = timed.nodes[0]!;
    expect(outer).toMatchObject({ kind: "sweep", repetitions: 3, params: [{ name: "f", dim: "frequency" }] });
    const plan = planSweeps(timed);
    expect(JSON.stringify(timed)).toBe(before);
    expect(rt(plan)).toStrictEqual(plan);
    expect(plan.decisions.map((d) => [d.name, d.lowering, d.points])).toEqual([
      ["s", "register", 3],
      ["s", "unrolled", 3],
    ]);
    const ids: number[] = [];
    const walk = (nodes: readonly IrNode[]): void => {
      for (const n of nodes) {
        ids.push(n.id);
        if (n.kind !== "op") walk(n.body);
      }
    };
    walk(plan.timed.nodes);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...ids)).toBeLessThan(plan.timed.nextNodeId);
  });
});

describe("a swept pulse with crosstalk compensation", () => {
  it("→ SWEEP_PULSE_REBUILT naming the sweep and the pulse (the copies could not follow the sweep)", () => {
    const flux = JSON.parse(
      readFileSync(new URL("../../hardware-configs/mixed-flux-markers.json", import.meta.url), "utf8"),
    ) as unknown;
    const body = [
      { operation: { type: "SquarePulse", name: "flux", amp: "$v", duration: "40 ns", port: "q0:fl" } },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ];
    let err: unknown;
    try {
      compile(sweepSchedule([{ name: "v", start: 0.1, stop: 0.3, num: 3 }], body), flux);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: "SWEEP_PULSE_REBUILT",
      path: "/schedulables/0/operation/body/schedulables/0/operation",
    });
    expect((err as Error).message).toContain('sweep "s": pulse "flux"');
  });
});

describe("mixed lowering: a register frequency loop around an unrolled amplitude list", () => {
  it("compiles, verifies, and declares both coordinates along acq_index (bins per copy, frequency inner)", () => {
    const c = compile(
      sweepSchedule(
        [
          { name: "f", start: "148 MHz", stop: "152 MHz", num: 3, clock: "q0.ro" },
          { name: "amp", values: [0.1, 0.2, 0.5] },
        ],
        readoutBody("$amp"),
      ),
      hw,
      { verify: true },
    );
    expect(c.diagnostics.sweeps!.map((d) => [d.parameter, d.lowering])).toEqual([
      ["f", "register"],
      ["amp", "unrolled"],
    ]);
    const ds = c.acquisitions["ch"]!.dataset!;
    expect([ds.dims, ds.shape]).toEqual([["acq_index_ch"], [9]]);
    expect(ds.coords["f"]!.data).toEqual([148e6, 150e6, 152e6, 148e6, 150e6, 152e6, 148e6, 150e6, 152e6]);
    expect((ds.coords["amp"]!.data as number[]).map((v) => Math.round(v * 32768))).toEqual([
      3277, 3277, 3277, 6554, 6554, 6554, 16384, 16384, 16384,
    ]);
    const r = simulate(c, { to: 20e-6 });
    const data = r.dataset!.data_vars["ch"]!.data as [number, number][];
    data.forEach(([re], k) => expect(re).toBeCloseTo([0.1, 0.2, 0.5][Math.floor(k / 3)]! * 10 ** (2 / 20), 3));
  });
});

describe("loops and sweeps", () => {
  it("a LoopOperation around a register sweep: the sweep runs per loop repetition, its bins averaged", () => {
    const s = {
      name: "loop-around",
      repetitions: 1,
      resources,
      schedulables: [
        {
          operation: {
            type: "LoopOperation",
            repetitions: 3,
            body: {
              schedulables: [
                {
                  operation: {
                    type: "Sweep",
                    name: "s",
                    parameters: [{ name: "amp", start: 0.1, stop: 0.3, num: 3 }],
                    body: { schedulables: readoutBody("$amp") },
                  },
                },
              ],
            },
          },
        },
      ],
    };
    const c = compile(s, hw, { verify: true });
    expect(c.acquisitions["ch"]!.dataset).toMatchObject({ dims: ["amp"], shape: [3] });
    const r = simulate(c, { to: 12e-6 });
    const data = r.dataset!.data_vars["ch"]!.data as [number, number][];
    data.forEach(([re], k) => expect(re).toBeCloseTo(0.1 * (k + 1) * 10 ** (2 / 20), 3));
  });

  it("an AVERAGE acquisition in a LoopOperation inside a register sweep → SWEEP_AVERAGE_IN_LOOP", () => {
    const body = [
      { operation: { type: "LoopOperation", repetitions: 2, body: { schedulables: readoutBody("$amp") } } },
    ];
    let err: unknown;
    try {
      compile(sweepSchedule([{ name: "amp", start: 0.1, stop: 0.3, num: 3 }], body), hw);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "SWEEP_AVERAGE_IN_LOOP" });
    expect((err as Error).message).toContain('sweep "s": AVERAGE acquisition');
  });
});

describe("an operation driven by two nested sweeps", () => {
  it("→ SWEEP_OPERATION_IN_TWO_SWEEPS at the operation", () => {
    const body = [
      { operation: { type: "VoltageOffset", offset_path_I: "$x", offset_path_Q: "$y", ...MW } },
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...MW } },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ];
    let err: unknown;
    try {
      compile(
        sweepSchedule(
          [
            { name: "x", start: 0, stop: 0.2, num: 3 },
            { name: "y", start: 0, stop: 0.2, num: 3 },
          ],
          body,
        ),
        hw,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: "SWEEP_OPERATION_IN_TWO_SWEEPS",
      path: "/schedulables/0/operation/body/schedulables/0/operation",
    });
  });
});
