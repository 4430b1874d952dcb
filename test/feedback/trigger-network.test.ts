/**
 * ConditionalOperation over the trigger network (feedback_mode "trigger_network"), compiled as quantify
 * compiles it (qasm_program.py `conditional`, compiler_abc.py `set_latch`, LatchReset 4 ns after the
 * acquisition starts, TRIGGER_DELAY = 364 ns): exact programs and settings, the errors, and the
 * compiled schedules emulated with an outcome model (plays and skips to the ns).
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { compile as compileWithEmulator } from "../../src/compile.js";
import { compile } from "../../src/compiler/index.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { simulate } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { compiledModuleToDriverInput } from "../../src/contract/driver-params.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { basebandHardware, lines, RESOURCES, sequencer } from "../compiler/fixtures.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const square = (port: string, clock: string, duration = "20 ns", amp = 0.5): Record<string, unknown> => ({
  type: "SquarePulse",
  name: `X ${port}`,
  amp,
  duration,
  port,
  clock,
});

const thresholded = (label: string, port = "q0:res", clock = "q0.ro", duration = "1 us", channel = 0) => ({
  type: "ThresholdedAcquisition",
  name: `Measure ${label}`,
  port,
  clock,
  duration,
  acq_channel: channel,
  acq_threshold: 0,
  feedback_trigger_label: label,
});

const conditional = (label: string, body: Record<string, unknown>[], value?: 0 | 1) => ({
  type: "ConditionalOperation",
  name: `X if ${label}`,
  qubit_name: label,
  ...(value !== undefined ? { value } : {}),
  body: { schedulables: body.map((operation) => ({ operation })) },
});

/** quantify's test_thresholded_trigger_count schedule with a ThresholdedAcquisition: acquisition, 364 ns, X, 4 ns idle. */
function quantifyLike(value?: 0 | 1, gapNs = 364): Record<string, unknown> {
  return {
    name: "conditional-playback",
    feedback_mode: "trigger_network",
    resources: RESOURCES,
    schedulables: [
      { label: "m", operation: thresholded("q0") },
      { rel_time: `${gapNs} ns`, operation: conditional("q0", [square("q0:mw", "q0.01")], value) },
      { operation: { type: "IdlePulse", duration: "4 ns" } },
    ],
  };
}

function codeOf(e: unknown): string {
  return e instanceof Q1ForgeError ? e.code : String(e);
}
function compileError(schedule: unknown, hw: unknown = basebandHardware()): Q1ForgeError {
  try {
    compile(schedule, hw);
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("compiled without error");
}

describe("trigger-network conditional playback: programs and settings as quantify emits them", () => {
  it("the conditional sequencer: set_latch_en before wait_sync, latch_rst 4 ns after the acquisition, set_cond around the body, the else wait", () => {
    const c = compile(quantifyLike(), basebandHardware());
    expect(lines(sequencer(c, "cluster0_module1", 0).sequence.program)).toStrictEqual([
      "set_mrk 0",
      "set_latch_en 1,4",
      "wait_sync 4",
      "upd_param 4",
      "wait 4",
      "move 1,R0",
      "start: reset_ph",
      "upd_param 4",
      "wait 4",
      "latch_rst 4",
      "wait 1356",
      "set_cond 1,1,0,4",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 16",
      "set_cond 1,1,1,4",
      "wait 16",
      "set_cond 0,0,0,0",
      "loop R0,@start",
      "stop",
    ]);
    // the readout program is unchanged; its settings send the thresholded result to address 1
    expect(lines(sequencer(c, "cluster0_module2", 0).sequence.program)).toStrictEqual([
      "set_mrk 0",
      "wait_sync 4",
      "upd_param 4",
      "wait 4",
      "move 1,R0",
      "start: reset_ph",
      "upd_param 4",
      "acquire 0,0,4",
      "wait 1384",
      "loop R0,@start",
      "stop",
    ]);
    const ro = sequencer(c, "cluster0_module2", 0).settings;
    expect([
      ro.thresholded_acq_trigger_write_en,
      ro.thresholded_acq_trigger_write_address,
      ro.thresholded_acq_trigger_write_invert,
    ]).toStrictEqual([true, 1, false]);
    expect(sequencer(c, "cluster0_module1", 0).settings.thresholded_acq_trigger_read_settings).toStrictEqual({
      "1": { thresholded_acq_trigger_invert: false, thresholded_acq_trigger_count: 1 },
    });
    expect(c.repetition_duration_ns).toBe(1388);
    // the source map names quantify's LatchReset and the conditional
    const sm = sequencer(c, "cluster0_module1", 0).source_map!;
    const line = (text: string) => lines(sequencer(c, "cluster0_module1", 0).sequence.program).indexOf(text);
    expect(sm.operations[sm.lines[line("latch_rst 4")]!]!.name).toBe("LatchReset q0");
    expect(sm.operations[sm.lines[line("set_cond 1,1,0,4")]!]!.name).toBe("X if q0");
  });

  it("driver parameters: thresholded_acq_trigger_* on the QRM sequencer, trigger1_count_threshold / _threshold_invert on the QCM's", () => {
    const c = compile(quantifyLike(), basebandHardware());
    const qrm = compiledModuleToDriverInput(c.clusters.cluster0!.modules.cluster0_module2!).sequencers[0]!.params;
    expect([
      qrm.thresholded_acq_trigger_en,
      qrm.thresholded_acq_trigger_address,
      qrm.thresholded_acq_trigger_invert,
    ]).toStrictEqual([true, 1, false]);
    const qcm = compiledModuleToDriverInput(c.clusters.cluster0!.modules.cluster0_module1!).sequencers[0]!.params;
    expect([qcm.trigger1_count_threshold, qcm.trigger1_threshold_invert]).toStrictEqual([1, false]);
    // a LINQ schedule leaves the trigger map alone (LINQ needs 536 ns after the window on this route)
    const linq = compile({ ...quantifyLike(1, 536), feedback_mode: "linq" }, basebandHardware());
    const p = compiledModuleToDriverInput(linq.clusters.cluster0!.modules.cluster0_module2!).sequencers[0]!.params;
    expect(p.thresholded_acq_trigger_en).toBeUndefined();
  });

  it("value 0 plays under NOR and waits under OR; the compile option feedbackMode selects the path when the schedule does not", () => {
    const c = compile(quantifyLike(0), basebandHardware());
    const prog = lines(sequencer(c, "cluster0_module1", 0).sequence.program);
    expect(prog.filter((l) => l.startsWith("set_cond"))).toStrictEqual([
      "set_cond 1,1,1,4",
      "set_cond 1,1,0,4",
      "set_cond 0,0,0,0",
    ]);
    const { feedback_mode: _, ...noMode } = quantifyLike(1, 536);
    void _;
    const viaOption = compile(noMode, basebandHardware(), { feedbackMode: "trigger_network" });
    expect(sequencer(viaOption, "cluster0_module1", 0).sequence.program).toBe(
      sequencer(compile(quantifyLike(1, 536), basebandHardware()), "cluster0_module1", 0).sequence.program,
    );
    expect(viaOption.feedback).toBeUndefined();
    // the schedule's field wins over the option; without either the path is LINQ
    const linq = compile({ ...noMode, feedback_mode: "linq" }, basebandHardware(), { feedbackMode: "trigger_network" });
    expect(linq.feedback?.routes.length).toBe(1);
    expect(compile(noMode, basebandHardware()).feedback?.routes.length).toBe(1);
  });

  it("a body of several real-time instructions: the else wait is D − 4·K + 4 (K = plays, upd_params and waits)", () => {
    const schedule = {
      ...quantifyLike(),
      schedulables: [
        { label: "m", operation: thresholded("q0") },
        {
          rel_time: "400 ns",
          operation: {
            type: "ConditionalOperation",
            name: "two pulses",
            qubit_name: "q0",
            body: {
              schedulables: [
                { operation: square("q0:mw", "q0.01") },
                { rel_time: "40 ns", operation: square("q0:mw", "q0.01", "20 ns", 0.25) },
              ],
            },
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const prog = lines(sequencer(compile(schedule, basebandHardware()), "cluster0_module1", 0).sequence.program);
    const from = prog.indexOf("set_cond 1,1,0,4");
    // pulses at 0 and 60 ns, D = 80 ns, K = 4 (play, wait 56, play, wait 16): else wait 80 − 16 + 4 = 68
    expect(prog.slice(from, from + 10)).toStrictEqual([
      "set_cond 1,1,0,4",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 56",
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 16",
      "set_cond 1,1,1,4",
      "wait 68",
      "set_cond 0,0,0,0",
    ]);
  });

  it("two labels get addresses 1 and 2 (masks 1 and 2); each readout writes its own address", () => {
    const schedule = {
      name: "two",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        { label: "m0", operation: thresholded("q0") },
        {
          label: "m1",
          ref_pt: "start",
          ref_schedulable: "m0",
          // one trigger per 252 ns on the network: the second window ends 252 ns after the first
          rel_time: "252 ns",
          operation: thresholded("q1", "q1:res", "q1.ro", "1 us", 1),
        },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
        { rel_time: "4 ns", operation: conditional("q1", [square("q1:mw", "q1.01")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    };
    const c = compile(schedule, basebandHardware());
    const w = (s: number) => sequencer(c, "cluster0_module2", s).settings.thresholded_acq_trigger_write_address;
    expect([w(0), w(1)]).toStrictEqual([1, 2]);
    expect(
      lines(sequencer(c, "cluster0_module1", 1).sequence.program).filter((l) => l.startsWith("set_cond")),
    ).toStrictEqual(["set_cond 1,2,0,4", "set_cond 1,2,1,4", "set_cond 0,0,0,0"]);
    expect(
      Object.keys(sequencer(c, "cluster0_module1", 1).settings.thresholded_acq_trigger_read_settings),
    ).toStrictEqual(["2"]);
  });
});

describe("trigger-network errors", () => {
  it("trigger sends less than 252 ns apart (in one repetition, in consecutive loop iterations): TRIGGER_NETWORK_TOO_FREQUENT", () => {
    const twoReadouts = (gapNs: number) => ({
      name: "two",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        { label: "m0", operation: thresholded("q0") },
        {
          ref_pt: "start",
          ref_schedulable: "m0",
          rel_time: `${gapNs} ns`,
          operation: thresholded("q1", "q1:res", "q1.ro", "1 us", 1),
        },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
        { rel_time: "4 ns", operation: conditional("q1", [square("q1:mw", "q1.01")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    });
    const e = compileError(twoReadouts(248));
    expect(e.code).toBe("TRIGGER_NETWORK_TOO_FREQUENT");
    expect(e.message).toContain('"Measure q0" and "Measure q1" go out on the trigger network 248 ns apart');
    expect(() => compile(twoReadouts(252), basebandHardware())).not.toThrow();
    const inLoop = {
      name: "loop",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "LoopOperation",
            name: "shots",
            repetitions: 3,
            body: {
              schedulables: [
                { operation: thresholded("q0", "q0:res", "q0.ro", "200 ns") },
                { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
                { operation: { type: "IdlePulse", duration: "4 ns" } },
              ],
            },
          },
        },
      ],
    };
    expect(() => compile(inLoop, basebandHardware())).not.toThrow();
    // every acquisition of a writing sequencer sends: a loop of 240 ns iterations after the measurement
    const tooFast = {
      ...quantifyLike(),
      schedulables: [
        { operation: thresholded("q0", "q0:res", "q0.ro", "200 ns") },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
        {
          operation: {
            type: "LoopOperation",
            name: "fast shots",
            repetitions: 3,
            body: {
              schedulables: [
                { operation: { ...thresholded("q0", "q0:res", "q0.ro", "200 ns"), feedback_trigger_label: null } },
                { operation: { type: "IdlePulse", duration: "40 ns" } },
              ],
            },
          },
        },
      ],
    };
    const l = compileError(tooFast);
    expect(l.code).toBe("TRIGGER_NETWORK_TOO_FREQUENT");
    expect(l.message).toContain('240 ns apart in consecutive iterations of "fast shots"');
  });

  it("a conditional less than 364 ns after the end of the acquisition window: TRIGGER_NETWORK_TOO_EARLY naming both and the missing ns", () => {
    const e = compileError(quantifyLike(1, 363));
    expect(e.code).toBe("TRIGGER_NETWORK_TOO_EARLY");
    expect(e.message).toContain('"X if q0"');
    expect(e.message).toContain('"Measure q0"');
    expect(e.details).toStrictEqual({
      measurement: "Measure q0",
      conditional: "X if q0",
      min_gap_ns: 364,
      missing_ns: 1,
    });
    expect(e.path).toBe("/schedulables/1/operation");
    expect(codeOf(() => compile(quantifyLike(1, 364), basebandHardware()))).not.toBe("TRIGGER_NETWORK_TOO_EARLY");
  });

  it("more than 15 labels: TRIGGER_NETWORK_ADDRESSES_EXHAUSTED names the 16th conditional", () => {
    const schedulables: Record<string, unknown>[] = [];
    for (let k = 0; k < 16; k++) {
      schedulables.push({ operation: thresholded(`q${k}`, "q0:res", "q0.ro", "300 ns") });
      schedulables.push({ rel_time: "364 ns", operation: conditional(`q${k}`, [square("q0:mw", "q0.01")]) });
      schedulables.push({ operation: { type: "IdlePulse", duration: "4 ns" } });
    }
    const e = compileError({ name: "many", feedback_mode: "trigger_network", resources: RESOURCES, schedulables });
    expect(e.code).toBe("TRIGGER_NETWORK_ADDRESSES_EXHAUSTED");
    expect(e.message).toContain('"X if q15"');
    expect(e.path).toBe("/schedulables/46/operation");
  });

  it("values over LINQ are refused (TRIGGER_NETWORK_LINQ_ONLY); a ConditionalOperation on a variable compares its register", () => {
    const values = {
      name: "values",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SendFeedback", port: "q0:mw", clock: "q0.01", label: "x", value: 5 } },
        {
          rel_time: "600 ns",
          operation: {
            type: "ReceiveFeedback",
            port: "q0:res",
            clock: "q0.ro",
            label: "x",
            data: "value",
            variable: "n",
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const e = compileError(values);
    expect([e.code, e.path]).toStrictEqual(["TRIGGER_NETWORK_LINQ_ONLY", "/schedulables/0/operation"]);
    const variable = {
      name: "variable",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SetVariable", port: "q0:mw", clock: "q0.01", variable: "n", value: 5 } },
        {
          rel_time: "8 ns",
          operation: {
            type: "ConditionalOperation",
            name: "if n >= 3",
            variable: "n",
            comparison: ">=",
            threshold: 3,
            body: { schedulables: [{ operation: square("q0:mw", "q0.01") }] },
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    };
    const prog = lines(sequencer(compile(variable, basebandHardware()), "cluster0_module1", 0).sequence.program);
    expect(prog.filter((l) => /^(jlt|set_cond|set_latch_en)/.test(l))).toStrictEqual(["jlt R1,3,@cond8_skip"]);
  });

  it("a conditional on another cluster than its measurement: TRIGGER_NETWORK_ACROSS_CLUSTERS", () => {
    const hw = JSON.parse(readFileSync(new URL("../../hardware-configs/two-clusters.json", import.meta.url), "utf8"));
    const schedule = {
      name: "across",
      feedback_mode: "trigger_network",
      resources: { "q0.ro": { freq: 7.5e9 }, "q1.01": { freq: 5.2e9 } },
      schedulables: [
        { operation: thresholded("q0") },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:fl", "cl0.baseband")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    };
    const e = compileError(schedule, hw);
    expect(e.code).toBe("TRIGGER_NETWORK_ACROSS_CLUSTERS");
    expect(e.message).toContain('(clusterB) depends on measurement "Measure q0" on clusterA_module3.seq0 (clusterA)');
  });

  it("no 4 ns after the body, RepeatUntilSuccess, nested conditionals, two labels on one readout sequencer", () => {
    const noRoom = { ...quantifyLike(), schedulables: (quantifyLike().schedulables as unknown[]).slice(0, 2) };
    expect(compileError(noRoom).code).toBe("TRIGGER_NETWORK_NO_ROOM_AFTER_CONDITIONAL");
    const rus = {
      name: "rus",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "RepeatUntilSuccess",
            qubit_name: "q0",
            max_repetitions: 3,
            body: { schedulables: [{ operation: thresholded("q0") }] },
          },
        },
      ],
    };
    expect(compileError(rus).code).toBe("TRIGGER_NETWORK_REPEAT_UNSUPPORTED");
    const nested = {
      ...quantifyLike(),
      schedulables: [
        { operation: thresholded("q0") },
        { rel_time: "364 ns", operation: conditional("q0", [conditional("q0", [square("q0:mw", "q0.01")])]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    };
    expect(compileError(nested).code).toBe("TRIGGER_NETWORK_NESTED_CONDITIONAL");
    const twoLabels = {
      ...quantifyLike(),
      schedulables: [
        { operation: thresholded("q0") },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
        { rel_time: "4 ns", operation: thresholded("q1") },
        { rel_time: "364 ns", operation: conditional("q1", [square("q0:mw", "q0.01")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    };
    expect(compileError(twoLabels).code).toBe("TRIGGER_NETWORK_ONE_ADDRESS_PER_SEQUENCER");
  });
});

describe("trigger-network schedules emulated with an outcome model", () => {
  it("a WeightedThresholdedAcquisition (quantify: labelled like ThresholdedAcquisition) writes its result too", () => {
    const schedule = {
      ...quantifyLike(),
      repetitions: 2,
      resources: { ...RESOURCES, "q0.ro": { freq: 0 } },
      schedulables: [
        {
          operation: {
            type: "WeightedThresholdedAcquisition",
            name: "Measure q0 (weighted)",
            port: "q0:res",
            clock: "q0.ro",
            weights_a: new Array(200).fill(1),
            weights_b: new Array(200).fill(0),
            acq_channel: 0,
            acq_threshold: 0,
            feedback_trigger_label: "q0",
          },
        },
        { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    };
    const c = compileWithEmulator(schedule, basebandHardware(), { verify: true });
    expect(sequencer(c, "cluster0_module2", 0).settings.thresholded_acq_trigger_write_address).toBe(1);
    expect(
      lines(sequencer(c, "cluster0_module2", 0).sequence.program).filter((l) => l.startsWith("acquire")),
    ).toStrictEqual(["acquire_weighed 0,R0,R2,R3,4"]);
    // period 588 + 4 ns; +0.3 in repetition 0, −0.3 in repetition 1 (0 Hz readout: the bit is the sign)
    const r = simulate(c, {
      to: 2e-6,
      inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(fromNs < 600 ? 0.3 : -0.3),
    });
    expect(
      r.events
        .filter((e) => e.module === "cluster0_module1" && (e.kind === "play" || e.kind === "skipped"))
        .map((e) => [e.kind, e.startNs]),
    ).toStrictEqual([
      ["play", 584],
      ["skipped", 584 + 592],
    ]);
  });

  it("a measurement and its conditional inside a LoopOperation: latch_rst in the loop body, X per iteration", () => {
    // readout clock at 0 Hz: no demodulation, so the thresholded bit is the sign of the input
    // in every iteration (the NCO phase is only reset per repetition)
    const loop = (tail: boolean) => ({
      name: "loop",
      feedback_mode: "trigger_network",
      resources: { ...RESOURCES, "q0.ro": { freq: 0 } },
      schedulables: [
        {
          operation: {
            type: "LoopOperation",
            name: "shots",
            repetitions: 3,
            body: {
              schedulables: [
                { operation: thresholded("q0", "q0:res", "q0.ro", "200 ns") },
                { rel_time: "364 ns", operation: conditional("q0", [square("q0:mw", "q0.01")]) },
                ...(tail ? [{ operation: { type: "IdlePulse", duration: "4 ns" } }] : []),
              ],
            },
          },
        },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    });
    // the body ends with the conditional: no room for its else branch inside the loop body
    expect(compileError(loop(false)).code).toBe("TRIGGER_NETWORK_NO_ROOM_AFTER_CONDITIONAL");
    const c = compileWithEmulator(loop(true), basebandHardware(), { verify: true });
    const prog = lines(sequencer(c, "cluster0_module1", 0).sequence.program);
    expect(prog.slice(prog.indexOf("move 3,R1"), prog.indexOf("loop R1,@loop8") + 1)).toStrictEqual([
      "move 3,R1",
      "loop8: wait 4",
      "latch_rst 4",
      "wait 556",
      "set_cond 1,1,0,4",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 16",
      "set_cond 1,1,1,4",
      "wait 16",
      "set_cond 0,0,0,0",
      "loop R1,@loop8",
    ]);
    // body of 588 ns: windows [20 + 588k, 220 + 588k), X at 584 + 588k (schedule time 0 is RT 20)
    const x = (bit: 0 | 1) =>
      simulate(c, {
        to: 3e-6,
        inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(bit ? 0.3 : -0.3),
      })
        .events.filter((e) => e.module === "cluster0_module1" && (e.kind === "play" || e.kind === "skipped"))
        .map((e) => [e.kind, e.startNs]);
    expect(x(1)).toStrictEqual([
      ["play", 584],
      ["play", 584 + 588],
      ["play", 584 + 2 * 588],
    ]);
    expect(x(0)).toStrictEqual([
      ["skipped", 584],
      ["skipped", 584 + 588],
      ["skipped", 584 + 2 * 588],
    ]);
  });

  /** +0.3 on both inputs integrates (demodulated at 150 MHz over 1 µs) to a bit 1 in odd repetitions */
  it("X plays exactly in the repetitions whose bit is 1, 364 ns after the window; otherwise a 4 ns skip", () => {
    const c = compileWithEmulator({ ...quantifyLike(), repetitions: 4 }, basebandHardware(), { verify: true });
    // repetitions are 1392 ns apart (1388 ns + the loop header's 4 ns); the QCM's set_latch_en moves the
    // wait_sync release to 4 ns, so schedule time 0 is RT 20: repetition k's window is
    // [20 + 1392k, 1020 + 1392k) and its conditional starts 1364 ns later, at 1384 + 1392k
    const period = 1392;
    const bitOf = (t: number): 0 | 1 => (Math.floor((t - 20) / period) % 2 === 1 ? 1 : 0);
    const model: InputSignalModel = ({ fromNs, toNs }) =>
      new Float32Array(toNs - fromNs).fill(bitOf(fromNs) ? -0.3 : 0.3);
    const r = simulate(c, { to: 6e-6, inputModel: model });
    const qcm = r.events
      .filter((e) => e.module === "cluster0_module1" && (e.kind === "play" || e.kind === "skipped"))
      .map((e) => [e.kind, e.startNs, e.durationNs, e.operation]);
    expect(qcm).toStrictEqual([
      ["skipped", 1384, 4, "X q0:mw"],
      ["play", 1384 + period, 20, "X q0:mw"],
      ["skipped", 1384 + 2 * period, 4, "X q0:mw"],
      ["play", 1384 + 3 * period, 20, "X q0:mw"],
    ]);
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([0.5]);
  });
});

describe("q1forge compile --feedback-mode", () => {
  const tmp = new TempDir();
  afterAll(() => tmp.remove());
  it("selects the trigger network for a schedule without feedback_mode; a bad value is a usage error (exit 2)", async () => {
    const { feedback_mode: _, ...noMode } = quantifyLike(1, 536);
    void _;
    const s = tmp.file("cond.json", noMode);
    const h = tmp.file("hw.json", basebandHardware());
    const r = await runCli(["compile", "--schedule", s, "--hardware", h, "--feedback-mode", "trigger_network"]);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as CompiledSchedule;
    expect(lines(sequencer(c, "cluster0_module1", 0).sequence.program)).toContain("set_cond 1,1,0,4");
    const bad = await runCli(["compile", "--schedule", s, "--hardware", h, "--feedback-mode", "triggers", "--json"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toMatchObject({ code: "USAGE", path: "--feedback-mode" });
  });
});
