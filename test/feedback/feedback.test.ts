/**
 * LINQ feedback end to end (docs/feedback.md): active reset, repeat-until-success and feed-forward
 * across two modules, each compiled (exact Q1ASM and routing configuration) and emulated with an input
 * model that fixes each measurement's thresholded bit, checking which pulses played and when (ns).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate, type SimulationResult } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { CompiledScheduleSchema } from "../../src/contract/compiled-schedule.js";
import { activeReset, feedForward, feedbackHardware, repeatUntilSuccess } from "./fixtures.js";

const lines = (...l: string[]): string => l.join("\n") + "\n";

/**
 * A constant input on both ADCs. Demodulated at the readout clock's 150 MHz it integrates to a
 * negative I for +0.3 (thresholded bit 0 with acq_threshold 0) and a positive I for −0.3 (bit 1).
 */
const constantInput =
  (v: number): InputSignalModel =>
  ({ fromNs, toNs }) =>
    new Float32Array(toNs - fromNs).fill(v);
const BIT1 = constantInput(-0.3);
const BIT0 = constantInput(0.3);

/** [slot, sequencer, kind, start ns, duration ns] of the play and acquire events. */
function timeline(r: SimulationResult): [number, number, string, number, number][] {
  return r.events
    .filter((e) => e.kind === "play" || e.kind === "acquire")
    .map((e) => [e.slot, e.sequencer, e.kind, e.startNs, e.durationNs]);
}
function statuses(r: SimulationResult): [string, string, number][] {
  return Object.values(r.clusters["cluster0"]!.modules).flatMap((m) =>
    Object.entries(m.sequencers).map(([k, s]): [string, string, number] => [`${m.slot}/${k}`, s.status, s.endTimeNs]),
  );
}
function program(c: ReturnType<typeof compile>, slot: number, seq: number): string {
  const m = Object.values(c.clusters["cluster0"]!.modules).find((x) => x.slot === slot)!;
  return Object.values(m.sequencers).find((s) => s.index === seq)!.sequence.program;
}

const AR_READOUT = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " fb_acq_tb_id 16,4 # LINQ: share thresholded bits with id 16; latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " set_awg_offs 16384,0 # Measure q0 offset",
  " upd_param 4",
  " wait 96",
  " acquire 0,0,4 # ThresholdedAcquisition Measure q0 (acq_channel 0)",
  " wait 192",
  " set_awg_offs 0,0 # Measure q0 offset",
  " set_awg_gain 16384,0",
  " play 0,0,4 # play Measure q0 (4 ns)",
  " wait 520",
  " loop R0,@start",
  " stop",
);

const AR_DRIVE = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " wait 4 # latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " wait 700",
  ' fb_pop_data 16,R1 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
  " jlt R1,3,@cond7_skip # play the body only if the bit is 1",
  " set_awg_gain 8192,0",
  " play 0,0,4 # play X q0:mw (20 ns)",
  " wait 16",
  " jmp @cond7_end",
  "cond7_skip: wait 20",
  "cond7_end: wait 100",
  " loop R0,@start",
  " stop",
);

const RUS_READOUT = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " fb_acq_tb_id 16,4 # LINQ: share thresholded bits with id 16; latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " move 3,R1 # RepeatUntilSuccess: at most 3 bodies",
  "rus7: wait 20",
  " set_awg_offs 16384,0 # Measure q0 offset",
  " upd_param 4",
  " wait 96",
  " acquire 0,0,4 # ThresholdedAcquisition Measure q0 (acq_channel 0)",
  " wait 192",
  " set_awg_offs 0,0 # Measure q0 offset",
  " set_awg_gain 16384,0",
  " play 0,0,4 # play Measure q0 (4 ns)",
  " wait 380",
  ' fb_pop_data 16,R2 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
  " jge R2,3,@rus7_next",
  " jge R2,2,@rus7_done # success: the bit is 0",
  "rus7_next: loop R1,@rus7 # no success yet: repeat",
  " jmp @rus7_end # no success within the maximum",
  "rus7_done: loop R1,@rus7_pad # idle for the bodies not needed",
  " jmp @rus7_end",
  "rus7_pad: wait 700",
  " loop R1,@rus7_pad",
  "rus7_end: wait 120",
  " loop R0,@start",
  " stop",
);

const RUS_DRIVE = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " wait 4 # latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " move 3,R1 # RepeatUntilSuccess: at most 3 bodies",
  "rus7: set_awg_gain 8192,0",
  " play 0,0,4 # play X q0:mw (20 ns)",
  " wait 696",
  ' fb_pop_data 16,R2 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
  " jge R2,3,@rus7_next",
  " jge R2,2,@rus7_done # success: the bit is 0",
  "rus7_next: loop R1,@rus7 # no success yet: repeat",
  " jmp @rus7_end # no success within the maximum",
  "rus7_done: loop R1,@rus7_pad # idle for the bodies not needed",
  " jmp @rus7_end",
  "rus7_pad: wait 700",
  " loop R1,@rus7_pad",
  "rus7_end: set_awg_gain 8192,0",
  " play 0,0,4 # play X q0:mw (20 ns)",
  " wait 116",
  " loop R0,@start",
  " stop",
);

const FF_Q1 = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " wait 4 # latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " wait 900",
  ' fb_pop_data 16,R1 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
  " jlt R1,3,@cond7_skip # play the body only if the bit is 1",
  " set_awg_gain 8192,0",
  " play 0,0,4 # play X q1:mw (20 ns)",
  " wait 16",
  " jmp @cond7_end",
  "cond7_skip: wait 20",
  "cond7_end: wait 100",
  " loop R0,@start",
  " stop",
);

const FF_READOUT = lines(
  " set_mrk 0 # set markers to 0 (init)",
  " wait_sync 4",
  " upd_param 4",
  " fb_acq_tb_id 16,4 # LINQ: share thresholded bits with id 16; latency correction of 4 + 0 ns",
  " move 1,R0 # iterator for loop with label start",
  "start: reset_ph",
  " upd_param 4",
  " set_awg_offs 16384,0 # Measure q0 offset",
  " upd_param 4",
  " wait 96",
  " acquire 0,0,4 # ThresholdedAcquisition Measure q0 (acq_channel 0)",
  " wait 192",
  " set_awg_offs 0,0 # Measure q0 offset",
  " set_awg_gain 16384,0",
  " play 0,0,4 # play Measure q0 (4 ns)",
  " wait 720",
  " loop R0,@start",
  " stop",
);

describe("active reset (measure → ConditionalOperation(X), one module: intra-cast)", () => {
  const c = compile(activeReset(), feedbackHardware());

  it("compiles: the readout shares its bit with id 16; the drive pops it and jumps around X", () => {
    expect(program(c, 2, 0)).toBe(AR_READOUT);
    expect(program(c, 2, 1)).toBe(AR_DRIVE);
    expect(c.feedback).toStrictEqual({
      routes: [
        {
          id: 16,
          mode: "intra-cast",
          trigger_label: "q0",
          data_type: "thresholded_bits",
          source: { cluster: "cluster0", module: "cluster0_module2", slot: 2, sequencer: 0 },
          receivers: [{ module: "cluster0_module2", slot: 2, sequencer: 1, path: "intra-cast", latency_ns: 250 }],
        },
      ],
      router: {
        cluster0: {
          local_routes: [{ module: "cluster0_module2", slot: 2, id: 16, sequencers: [1] }],
          cmm_routes: [],
          broadcast: [],
        },
      },
    });
    expect(CompiledScheduleSchema.safeParse(c).success).toBe(true);
  });

  it("bit 1: X plays at 716 ns (the conditional's 700 ns after the 16 ns header)", () => {
    const r = simulate(c, { inputModel: BIT1 });
    expect(timeline(r)).toStrictEqual([
      [2, 0, "acquire", 116, 200],
      [2, 0, "play", 312, 4],
      [2, 1, "play", 716, 20],
    ]);
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([1]);
    expect(statuses(r)).toStrictEqual([
      ["2/seq0", "OKAY", 836],
      ["2/seq1", "OKAY", 836],
    ]);
  });

  it("bit 0: X is skipped, and both sequencers still end at 836 ns", () => {
    const r = simulate(c, { inputModel: BIT0 });
    expect(timeline(r)).toStrictEqual([
      [2, 0, "acquire", 116, 200],
      [2, 0, "play", 312, 4],
    ]);
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([0]);
    expect(statuses(r)).toStrictEqual([
      ["2/seq0", "OKAY", 836],
      ["2/seq1", "OKAY", 836],
    ]);
  });
});

describe("the waveform report's feedback events", () => {
  const c = compile(activeReset(), feedbackHardware());
  it("name the conditional, the id and the value popped, at window end 316 + 250 ns intra-cast + 4 ns pop", () => {
    const ev = (input: InputSignalModel) =>
      simulate(c, { inputModel: input })
        .events.filter((e) => e.kind === "feedback")
        .map((e) => [e.module, e.sequencer, e.startNs, e.linqId, e.linqValue, e.operation]);
    // 3 = valid 1: X played; 2 = valid 0: X skipped
    expect(ev(BIT1)).toStrictEqual([["cluster0_module2", 1, 570, 16, 3, "reset q0"]]);
    expect(ev(BIT0)).toStrictEqual([["cluster0_module2", 1, 570, 16, 2, "reset q0"]]);
  });
});

describe("repeat-until-success (X, measure; until the bit is 0, at most 3 bodies of 700 ns)", () => {
  const c = compile(repeatUntilSuccess(3, 0), feedbackHardware());
  /** bit 1 for acquisition windows starting before `ns`, 0 after */
  const bitOneBefore =
    (ns: number): InputSignalModel =>
    ({ fromNs, toNs }) =>
      new Float32Array(toNs - fromNs).fill(fromNs < ns ? -0.3 : 0.3);

  it("compiles: both sequencers receive the bit (routed id 16 with the source in its local route)", () => {
    expect(program(c, 2, 0)).toBe(RUS_READOUT);
    expect(program(c, 2, 1)).toBe(RUS_DRIVE);
    expect(c.feedback!.router).toStrictEqual({
      cluster0: {
        local_routes: [{ module: "cluster0_module2", slot: 2, id: 16, sequencers: [0, 1] }],
        cmm_routes: [],
        broadcast: [],
      },
    });
  });

  const X_AFTER = [2, 1, "play", 2116, 20];
  it.each([
    ["success at once", 0, 1],
    ["success at the 2nd body", 800, 2],
    ["success at the 3rd body", 1500, 3],
    ["no success within 3 bodies", 1e9, 3],
  ])("%s: the body runs the right number of times, the pulse after it stays at 2116 ns", (_, limit, bodies) => {
    const r = simulate(c, { to: 3e-6, inputModel: bitOneBefore(limit) });
    const expected: unknown[] = [];
    for (let k = 0; k < bodies; k++) {
      expected.push([2, 1, "play", 16 + 700 * k, 20]);
      expected.push([2, 0, "acquire", 136 + 700 * k, 200]);
      expected.push([2, 0, "play", 332 + 700 * k, 4]);
    }
    expected.push(X_AFTER);
    expect(timeline(r)).toStrictEqual(expected);
    expect(statuses(r)).toStrictEqual([
      ["2/seq0", "OKAY", 2236],
      ["2/seq1", "OKAY", 2236],
    ]);
  });
});

describe("feed-forward across modules (q0 measured on the QRM, q1's pulse on the QCM: multi-cast)", () => {
  const c = compile(feedForward(600), feedbackHardware());

  it("compiles with a CMM route for id 16 to slot 1 sequencer 0 (472 ns)", () => {
    expect(program(c, 2, 0)).toBe(FF_READOUT);
    expect(program(c, 1, 0)).toBe(FF_Q1);
    expect(c.feedback).toStrictEqual({
      routes: [
        {
          id: 16,
          mode: "multi-cast",
          trigger_label: "q0",
          data_type: "thresholded_bits",
          source: { cluster: "cluster0", module: "cluster0_module2", slot: 2, sequencer: 0 },
          receivers: [{ module: "cluster0_module1", slot: 1, sequencer: 0, path: "multi-cast", latency_ns: 472 }],
        },
      ],
      router: {
        cluster0: { local_routes: [], cmm_routes: [{ id: 16, targets: [{ slot: 1, sequencer: 0 }] }], broadcast: [] },
      },
    });
  });

  it("bit 1: q1's pulse plays on the other module at 916 ns; bit 0: it does not", () => {
    const one = simulate(c, { inputModel: BIT1 });
    expect(timeline(one)).toStrictEqual([
      [2, 0, "acquire", 116, 200],
      [2, 0, "play", 312, 4],
      [1, 0, "play", 916, 20],
    ]);
    const zero = simulate(c, { inputModel: BIT0 });
    expect(timeline(zero)).toStrictEqual([
      [2, 0, "acquire", 116, 200],
      [2, 0, "play", 312, 4],
    ]);
    for (const r of [one, zero])
      expect(statuses(r)).toStrictEqual([
        ["1/seq0", "OKAY", 1036],
        ["2/seq0", "OKAY", 1036],
      ]);
  });

  it("value 0: the pulse plays when the bit is 0", () => {
    const c0 = compile(feedForward(600, 0), feedbackHardware());
    expect(program(c0, 1, 0)).toContain(
      lines(
        ' fb_pop_data 16,R1 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)',
        " jge R1,3,@cond7_skip # play the body only if the bit is 0",
        " jlt R1,2,@cond7_skip",
      ),
    );
    expect(timeline(simulate(c0, { inputModel: BIT0 })).at(-1)).toStrictEqual([1, 0, "play", 916, 20]);
    expect(timeline(simulate(c0, { inputModel: BIT1 })).length).toBe(2);
  });
});
