/**
 * feedback_valid (docs/feedback.md, seed linq-feedback.txt: fb_acq_tb_valid): a ThresholdedAcquisition
 * marked `feedback_valid: false` shares its thresholded bit with the validation bit 0, so a
 * ConditionalOperation skips its body and a RepeatUntilSuccess never counts it as success, whatever
 * the bit. Checked on the exact Q1ASM of the readout sequencer and by emulation with an input model
 * in which every measurement's bit is 1.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate, type SimulationResult } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { ScheduleError } from "../../src/core/errors.js";
import { RESOURCES, feedbackHardware, measure, repeatUntilSuccess, xPulse } from "./fixtures.js";

const lines = (...l: string[]): string => l.join("\n") + "\n";

/** −0.3 on both ADCs integrates to a positive I at the readout clock: thresholded bit 1 (as in feedback.test.ts). */
const BIT1: InputSignalModel = ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(-0.3);

function program(c: ReturnType<typeof compile>, slot: number, seq: number): string {
  const m = Object.values(c.clusters["cluster0"]!.modules).find((x) => x.slot === slot)!;
  return Object.values(m.sequencers).find((s) => s.index === seq)!.sequence.program;
}
/** [slot, sequencer, kind, start ns, duration ns] of the play, skipped and acquire events. */
function timeline(r: SimulationResult): [number, number, string, number, number][] {
  return r.events
    .filter((e) => e.kind === "play" || e.kind === "skipped" || e.kind === "acquire")
    .map((e) => [e.slot, e.sequencer, e.kind, e.startNs, e.durationNs]);
}
/** [sequencer, time ns, LINQ id, 2-bit value popped] of the feedback events. */
function pops(r: SimulationResult): [number, number, number | undefined, number | undefined][] {
  return r.events.filter((e) => e.kind === "feedback").map((e) => [e.sequencer, e.startNs, e.linqId, e.linqValue]);
}

/** measure q0 (invalid) → 400 ns → if bit 1: X; measure q0 (valid) → 400 ns → if bit 1: X; idle */
function invalidThenValid(firstValid = false): Record<string, unknown> {
  const reset = (name: string) => ({
    type: "ConditionalOperation",
    name,
    qubit_name: "q0",
    body: { schedulables: [{ operation: xPulse() }] },
  });
  return {
    name: "tb-valid",
    resources: RESOURCES,
    schedulables: [
      { label: "m0", operation: measure("q0", firstValid ? {} : { feedback_valid: false }) },
      { label: "r0", rel_time: 400e-9, operation: reset("reset after m0") },
      { label: "m1", operation: measure("q0") },
      { label: "r1", rel_time: 400e-9, operation: reset("reset after m1") },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}

const READOUT = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " fb_acq_tb_id 16,4 # LINQ: share thresholded bits with id 16; latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " set_awg_offs 16384,0 # Measure q0 offset",
  " upd_param 4",
  " wait 92",
  " fb_acq_tb_valid 0,4 # LINQ: the next thresholded bits are invalid (feedback_valid false): no conditional acts on them",
  " acquire 0,0,4 # ThresholdedAcquisition Measure q0 (acq_channel 0)",
  " wait 192",
  " set_awg_offs 0,0 # Measure q0 offset",
  " set_awg_gain 16384,0",
  " play 0,0,4 # play Measure q0 (4 ns)",
  " wait 420",
  " set_awg_offs 16384,0 # Measure q0 offset",
  " upd_param 4",
  " wait 92",
  " fb_acq_tb_valid 1,4 # LINQ: the next thresholded bits are valid",
  " acquire 0,1,4 # ThresholdedAcquisition Measure q0 (acq_channel 0)",
  " wait 192",
  " set_awg_offs 0,0 # Measure q0 offset",
  " play 0,0,4 # play Measure q0 (4 ns)",
  " wait 520",
  " loop R0,@start",
  " stop",
);

/** The same program without feedback_valid: no fb_acq_tb_valid, the acquisitions' 4 ns go back to the waits. */
const READOUT_ALL_VALID = READOUT.replace(
  " wait 92\n fb_acq_tb_valid 0,4 # LINQ: the next thresholded bits are invalid (feedback_valid false): no conditional acts on them\n",
  " wait 96\n",
).replace(" wait 92\n fb_acq_tb_valid 1,4 # LINQ: the next thresholded bits are valid\n", " wait 96\n");

describe("feedback_valid: false (fb_acq_tb_valid before each shared acquisition of the readout sequencer)", () => {
  const c = compile(invalidThenValid(), feedbackHardware());

  it("emits fb_acq_tb_valid 0,4 in 112–116 ns before the invalid acquisition and 1,4 in 832–836 ns before the valid one", () => {
    expect(program(c, 2, 0)).toBe(READOUT);
    expect(c.feedback?.routes.map((r) => [r.id, r.mode, r.trigger_label])).toStrictEqual([[16, "intra-cast", "q0"]]);
  });

  it("emulated with bit 1 for both measurements: X after the invalid one is skipped at 716 ns, X after the valid one plays at 1436 ns", () => {
    const r = simulate(c, { inputModel: BIT1 });
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([1, 1]);
    expect(timeline(r)).toStrictEqual([
      [2, 0, "acquire", 116, 200],
      [2, 0, "play", 312, 4],
      [2, 1, "skipped", 716, 20],
      [2, 0, "acquire", 836, 200],
      [2, 0, "play", 1032, 4],
      [2, 1, "play", 1436, 20],
    ]);
    // window end 316 / 1036 ns + 250 ns intra-cast + 4 ns pop; 1 = invalid result 1, 3 = valid result 1
    expect(pops(r)).toStrictEqual([
      [1, 570, 16, 1],
      [1, 1290, 16, 3],
    ]);
  });

  it("without feedback_valid the readout program is unchanged (no fb_acq_tb_valid) and both X play", () => {
    const all = compile(invalidThenValid(true), feedbackHardware());
    expect(program(all, 2, 0)).toBe(READOUT_ALL_VALID);
    expect(program(all, 2, 1)).toBe(program(c, 2, 1));
    const r = simulate(all, { inputModel: BIT1 });
    expect(timeline(r).filter((e) => e[1] === 1)).toStrictEqual([
      [2, 1, "play", 716, 20],
      [2, 1, "play", 1436, 20],
    ]);
    expect(pops(r)).toStrictEqual([
      [1, 570, 16, 3],
      [1, 1290, 16, 3],
    ]);
  });
});

describe("feedback_valid: false in a RepeatUntilSuccess body", () => {
  /** the fixture's RUS (X, measure, idle; until bit 1, at most 3) with the measurement marked invalid or not */
  const rus = (valid: boolean): Record<string, unknown> => {
    const s = repeatUntilSuccess(3, 1) as { schedulables: { operation: { body: { schedulables: unknown[] } } }[] };
    s.schedulables[0]!.operation.body.schedulables[1] = {
      operation: measure("q0", valid ? {} : { feedback_valid: false }),
    };
    return s;
  };

  it("never counts the invalid bit as success: all 3 bodies run although the bit is 1 each time", () => {
    const c = compile(rus(false), feedbackHardware());
    expect(program(c, 2, 0)).toContain(" wait 92\n fb_acq_tb_valid 0,4 #");
    const r = simulate(c, { inputModel: BIT1 });
    const x = timeline(r).filter((e) => e[1] === 1);
    expect(x).toStrictEqual([
      [2, 1, "play", 16, 20],
      [2, 1, "play", 716, 20],
      [2, 1, "play", 1416, 20],
      [2, 1, "play", 2116, 20],
    ]);
    // both sequencers of the loop pop after each body: 1 = invalid result 1
    expect(pops(r).filter((p) => p[0] === 1)).toStrictEqual([
      [1, 590, 16, 1],
      [1, 1290, 16, 1],
      [1, 1990, 16, 1],
    ]);
  });

  it("the valid bit 1 succeeds after the first body (control)", () => {
    const c = compile(rus(true), feedbackHardware());
    expect(program(c, 2, 0)).not.toContain("fb_acq_tb_valid");
    const r = simulate(c, { inputModel: BIT1 });
    expect(timeline(r).filter((e) => e[1] === 1)).toStrictEqual([
      [2, 1, "play", 16, 20],
      [2, 1, "play", 2116, 20],
    ]);
    expect(pops(r).filter((p) => p[0] === 1)).toStrictEqual([[1, 590, 16, 3]]);
  });
});

describe("feedback_valid errors", () => {
  it("feedback_valid: false without a feedback_trigger_label is FEEDBACK_VALID_WITHOUT_LABEL", () => {
    const s = invalidThenValid();
    (s["schedulables"] as unknown[])[0] = {
      label: "m0",
      operation: measure("q0", { feedback_trigger_label: null, feedback_valid: false }),
    };
    let err: unknown;
    try {
      compile(s, feedbackHardware());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleError);
    const e = err as ScheduleError;
    expect([e.code, e.path]).toStrictEqual([
      "FEEDBACK_VALID_WITHOUT_LABEL",
      "/schedulables/0/operation/acquisition_info/0/feedback_valid",
    ]);
    expect(e.message).toBe(
      'Measure q0: "feedback_valid": false marks the thresholded bits it shares over LINQ as invalid, but it shares none (no feedback_trigger_label)',
    );
    expect(e.hint).toBe(
      'give it a "feedback_trigger_label" (the qubit_name its conditionals use), or remove "feedback_valid"',
    );
  });
});

describe("feedback_valid on the trigger network", () => {
  it("is FEEDBACK_VALID_TRIGGER_NETWORK: the trigger network carries no validation bit", () => {
    const s = { ...invalidThenValid(), feedback_mode: "trigger_network" };
    let err: unknown;
    try {
      compile(s, feedbackHardware());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleError);
    const e = err as ScheduleError;
    expect([e.code, e.path]).toStrictEqual([
      "FEEDBACK_VALID_TRIGGER_NETWORK",
      "/schedulables/0/operation/acquisition_info/0/feedback_valid",
    ]);
    expect(e.message).toBe(
      'measurement "Measure q0" on cluster0_module2.seq0 sets "feedback_valid": false, but the trigger network has no validation bit (only LINQ thresholded bits carry one), so its conditionals would act on it',
    );
  });

  it("the same schedule with every result valid compiles on the trigger network", () => {
    const c = compile({ ...invalidThenValid(true), feedback_mode: "trigger_network" }, feedbackHardware());
    expect(program(c, 2, 0)).not.toContain("fb_acq_tb_valid");
  });
});
