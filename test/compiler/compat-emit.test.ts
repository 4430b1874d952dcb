/** Issue 13 compiler fixes, checked on the emitted programs (items 7, 11, …). */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { compile as compileVerifiedApi } from "../../src/compile.js";
import { simulate } from "../../src/emulator/simulate.js";
import { basebandHardware, RESOURCES } from "./fixtures.js";
import { compileError, config, lines, moduleSettings, seqOf } from "./options-helpers.js";

describe("item 7: SetClockFrequency does not leak into the next repetition", () => {
  it("the repetition header sets the configured NCO frequency again", () => {
    const sched = {
      name: "freq",
      repetitions: 2,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "SetClockFrequency", clock: "q0.01", clock_freq_new: 130e6 } },
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const program = lines(
      seqOf(compile(sched, basebandHardware()), "cluster0_module1", "q0:mw-q0.01").sequence.program,
    );
    expect(program.slice(0, 8)).toEqual([
      "set_mrk 0",
      "wait_sync 4",
      "upd_param 4",
      "wait 4",
      "move 2,R0",
      "start: reset_ph",
      "set_freq 400000000", // 100 MHz, the clock's configured frequency, × 4 steps/Hz
      "upd_param 4",
    ]);
    expect(program).toContain("set_freq 520000000"); // the SetClockFrequency to 130 MHz
  });
  it("in the emulator, the second repetition's first pulse plays at 100 MHz again", () => {
    const sched = {
      name: "freq",
      repetitions: 2,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "SetClockFrequency", clock: "q0.01", clock_freq_new: 130e6 } },
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const plays = simulate(compile(sched, basebandHardware())).events.filter((e) => e.kind === "play");
    expect(plays.map((e) => e.ncoFreqHz)).toEqual([100e6, 130e6, 100e6, 130e6]);
  });
  it("a program without SetClockFrequency keeps the plain header", () => {
    const sched = {
      name: "plain",
      repetitions: 2,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const program = lines(
      seqOf(compile(sched, basebandHardware()), "cluster0_module1", "q0:mw-q0.01").sequence.program,
    );
    expect(program.slice(5, 7)).toEqual(["start: reset_ph", "upd_param 4"]);
  });
});

describe("item 11: ShiftClockPhase of 360°", () => {
  it("emits set_ph_delta 0 (quantify tests the shift, not its encoding)", () => {
    const sched = {
      name: "phase",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "ShiftClockPhase", clock: "q0.01", phase_shift: 360 } },
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const program = lines(
      seqOf(compile(sched, basebandHardware()), "cluster0_module1", "q0:mw-q0.01").sequence.program,
    );
    expect(program.slice(7, 10)).toEqual(["set_ph_delta 0", "set_awg_gain 16384,0", "play 0,0,4"]);
  });
});

describe("item 13: a pulse on a port that reaches only inputs", () => {
  it("is a compile error naming the operation", () => {
    const hw = config({ "2": { instrument_type: "QRM" } }, [
      ["cluster0.module2.complex_output_0", "q0:res"],
      ["cluster0.module2.complex_input_0", ["q0:res", "q0:scope"]],
    ]);
    const sched = {
      name: "input-only",
      repetitions: 1,
      resources: { "q0.ro": { freq: 150e6 } },
      schedulables: [
        {
          operation: {
            type: "SquarePulse",
            amp: 0.5,
            duration: "20 ns",
            port: "q0:scope",
            clock: "q0.ro",
            name: "probe",
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const e = compileError(sched, hw);
    expect([e.code, e.path]).toEqual(["PULSE_ON_INPUT_ONLY_PORT", "/schedulables/0/operation"]);
    expect(e.message).toBe(
      'operation "probe" (SquarePulse) on port-clock q0:scope-q0.ro cannot play: the port reaches only the input cluster0_module2.complex_input_0',
    );
  });
});

describe("item 9: acquisition weights sampled above 1 GS/s", () => {
  it("are rejected with a clear error, as quantify does (not silently decimated)", () => {
    const sched = {
      name: "weights",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "NumericalSeparatedWeightedIntegration",
            port: "q0:res",
            clock: "q0.ro",
            weights_a: new Array(40).fill(0.5),
            weights_b: new Array(40).fill(0.5),
            weights_sampling_rate: 2e9,
          },
        },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const e = compileError(sched, basebandHardware());
    expect([e.code, e.path]).toEqual([
      "WEIGHTS_SAMPLING_RATE_TOO_HIGH",
      "/schedulables/0/operation/weights_sampling_rate",
    ]);
    expect(e.message).toBe(
      "NumericalSeparatedWeightedIntegration: weights_sampling_rate is 2000000000 S/s; Qblox hardware integrates weights at up to 1e9 S/s (1 GS/s)",
    );
  });
});

describe("item 8: latency compensation of markers", () => {
  const off = { coeffs: null, config: "bypassed", marker_delay: "bypassed" };
  it("a debug marker is delayed on exactly the filters whose bit is set, like its output", () => {
    const hw = config(
      {
        "1": {
          instrument_type: "QCM",
          complex_output_0: { marker_debug_mode_enable: true, distortion_correction_latency_compensation: 4 | 16 },
        },
      },
      [["cluster0.module1.complex_output_0", "q0:mw"]],
    );
    const sched = {
      name: "debug-marker",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const d = moduleSettings(compile(sched, hw), "cluster0_module1").distortion_corrections;
    const both = { ...off, config: "delay_comp", marker_delay: "delay_comp" };
    for (const o of [0, 1]) expect(d[o]).toEqual({ exp0: off, exp1: both, exp2: off, exp3: both, fir: off });
    expect(d[2]).toEqual({ exp0: off, exp1: off, exp2: off, exp3: off, fir: off });
  });
});

describe("item 10: long ramps are stitched into 2,000 ns parts plus offsets (quantify long_ramp_pulse)", () => {
  const rampSchedule = (durationNs: number) => ({
    name: "ramp",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      {
        operation: { type: "RampPulse", amp: 0.5, duration: `${durationNs} ns`, port: "q0:fl", clock: "cl0.baseband" },
      },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  });
  it("a 5 µs ramp: two 2,000 ns parts of 0.2 sharing one waveform, then 1,000 ns from 0.4 to 0.5", () => {
    const s = seqOf(compile(rampSchedule(5000), basebandHardware()), "cluster0_module1", "q0:fl-cl0.baseband");
    const waves = Object.values(s.sequence.waveforms).sort((a, b) => a.index - b.index);
    expect(waves.map((w) => w.data.length)).toEqual([2000, 1000]);
    // samples normalised to the peak (gain carries the scale): part peak 0.2·1999/2000, last peak 0.4 + 0.1·999/1000
    const got = [waves[0]!.data[0]!, waves[0]!.data[1000]!, waves[1]!.data[0]!, waves[1]!.data[500]!];
    const want = [0, 1000 / 1999, 0.4 / 0.4999, 0.45 / 0.4999];
    got.forEach((g, k) => expect(g).toBeCloseTo(want[k]!, 12));
    expect(lines(s.sequence.program).slice(7)).toEqual([
      "set_awg_gain 6550,0", // part peak 0.2 · 1999/2000 (samples are normalised to 1)
      "play 0,0,4",
      "wait 1996",
      "set_awg_offs 6554,0", // DC offset 0.2 under the second part (same waveform, same gain)
      "play 0,0,4",
      "wait 1996",
      "set_awg_offs 0,0",
      "set_awg_gain 16381,0", // last part: 0.4 → 0.5, peak 0.4999
      "play 1,1,4",
      "wait 1096",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("a ramp under 2 µs stays one waveform", () => {
    const s = seqOf(compile(rampSchedule(1996), basebandHardware()), "cluster0_module1", "q0:fl-cl0.baseband");
    expect(Object.values(s.sequence.waveforms).map((w) => w.data.length)).toEqual([1996]);
  });
});

describe("item 6: compiler_options.auto_rf_switch (quantify auto_rf_switch_dressing)", () => {
  const rf = (rfOutputOn: boolean) => {
    const hw = config(
      { "2": { instrument_type: "QCM_RF", rf_output_on: rfOutputOn } },
      [["cluster0.module2.complex_output_0", "q0:mw"]],
      { modulation_frequencies: { "q0:mw-q0.01": { lo_freq: 5.9e9 } } },
    );
    return { ...hw, compiler_options: { auto_rf_switch: true } };
  };
  const pulse = { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" };
  const sched = {
    name: "rf-switch",
    repetitions: 1,
    resources: { "q0.01": { freq: 6e9 } },
    schedulables: [
      { operation: { type: "IdlePulse", duration: "100 ns" } },
      { operation: pulse }, // 100–120 ns
      { operation: { type: "IdlePulse", duration: "20 ns" } },
      { operation: pulse }, // 140–160 ns: 20 ns after the first, within 2 × 20 ns → one window
      { operation: { type: "IdlePulse", duration: "200 ns" } },
      { operation: pulse }, // 360–380 ns: its own window
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
  it("switches the RF output on 20 ns before and off 20 ns after each window of pulses", () => {
    const c = compile(sched, rf(false));
    expect(lines(seqOf(c, "cluster0_module2", "q0:mw-q0.01").sequence.program).slice(7)).toEqual([
      "wait 80",
      "set_mrk 1", // on at 80 ns
      "upd_param 4",
      "wait 16",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 36",
      "play 0,0,4",
      "wait 36",
      "set_mrk 0", // off at 180 ns
      "upd_param 4",
      "wait 156",
      "set_mrk 1", // on at 340 ns
      "upd_param 4",
      "wait 16",
      "play 0,0,4",
      "wait 36",
      "set_mrk 0", // off at 400 ns
      "upd_param 4",
      "wait 76",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("with rf_output_on true the switch stays on: no windows, a warning", () => {
    const c = compile(sched, rf(true));
    expect(lines(seqOf(c, "cluster0_module2", "q0:mw-q0.01").sequence.program)).not.toContain("set_mrk 0");
    expect(c.diagnostics.warnings.map((w) => [w.code, w.path])).toEqual([
      ["AUTO_RF_SWITCH_OUTPUT_ALWAYS_ON", "/compiler_options/auto_rf_switch"],
    ]);
  });
});

describe("item 12: WeightedThresholdedAcquisition", () => {
  it("integrates with its weights (acquire_weighed) and thresholds with rotation and threshold", () => {
    const sched = {
      name: "wta",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "WeightedThresholdedAcquisition",
            port: "q0:res",
            clock: "q0.ro",
            weights_a: new Array(400).fill(0.5),
            weights_b: new Array(400).fill(-0.25),
            acq_rotation: 45,
            acq_threshold: 12.5,
            bin_mode: "average",
          },
        },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const c = compile(sched, basebandHardware());
    const s = seqOf(c, "cluster0_module2", "q0:res-q0.ro");
    expect(lines(s.sequence.program)).toContain("acquire_weighed 0,0,0,1,4");
    // the threshold is scaled by the integration length (400 ns of weights), as for ThresholdedAcquisition
    expect([s.settings.thresholded_acq_rotation, s.settings.thresholded_acq_threshold]).toEqual([45, 5000]);
    expect(Object.values(s.sequence.weights).map((w) => [w.index, w.data.length, w.data[0]])).toEqual([
      [0, 400, 0.5],
      [1, 400, -0.25],
    ]);
  });
});

describe("item 12: InlineQ1ASM", () => {
  const inline = (program: string, duration = "100 ns", extra: Record<string, unknown> = {}) => ({
    name: "inline",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
      {
        operation: { type: "InlineQ1ASM", name: "mine", program, duration, port: "q0:mw", clock: "q0.01", ...extra },
      },
      { operation: { type: "IdlePulse", duration: "40 ns" } },
    ],
  });
  it("is emitted at its time with private registers and labels, and its duration checked", () => {
    const program = " move 5,R0\nagain: set_mrk 3\n upd_param 4\n wait 96";
    const c = compileVerified(inline(program), basebandHardware());
    expect(lines(seqOf(c, "cluster0_module1", "q0:mw-q0.01").sequence.program).slice(7)).toEqual([
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 16",
      "move 5,R1", // R0 of the inline text → R1 (R0 counts the repetitions)
      "inline1_again: set_mrk 3",
      "upd_param 4",
      "wait 96",
      "wait 40",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("a duration that does not match the straight-line program → INLINE_Q1ASM_DURATION_MISMATCH", () => {
    const e = compileError(inline(" upd_param 4\n wait 96", "120 ns"), basebandHardware());
    expect([e.code, e.path, e.message]).toEqual([
      "INLINE_Q1ASM_DURATION_MISMATCH",
      "/schedulables/1/operation/duration",
      'InlineQ1ASM "mine" takes 100 ns of real time, but its duration is 120 ns',
    ]);
  });
  it("text the assembler rejects → INLINE_Q1ASM_INVALID naming the operation", () => {
    const e = compileError(inline(" plya 0,0,4"), basebandHardware());
    expect([e.code, e.path]).toEqual(["INLINE_Q1ASM_INVALID", "/schedulables/1/operation/program"]);
    expect(e.message).toMatch(/^InlineQ1ASM "mine": /);
  });
});

/** compile with verify: true (every program run in the emulator) */
function compileVerified(sched: unknown, hw: unknown) {
  return compileVerifiedApi(sched, hw, { verify: true });
}
