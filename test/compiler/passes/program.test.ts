/**
 * 3-emit/programs: generatePrograms on a ProgramPlan built with the earlier passes. Exact Q1ASM text,
 * the source map (IR node id per program line), marker debug mode and the emission errors.
 */
import { describe, expect, it } from "vitest";
import { generatePrograms } from "../../../src/compiler/3-emit/program.js";
import type { CompileWarning } from "../../../src/compiler/ir/plan.js";
import { TimingError } from "../../../src/core/errors.js";
import { printProgram } from "../../../src/q1/print.js";
import { expectQ1Error } from "../../fixtures/bad-input.js";
import { basebandHardware, RESOURCES } from "../fixtures.js";
import { planPasses, programOptions, seqIndex } from "./run-passes.js";

const RES = { port: "q0:res", clock: "q0.ro" };
const offset = (name: string, i: number, q: number) => ({
  type: "VoltageOffset",
  name,
  offset_path_I: i,
  offset_path_Q: q,
  ...RES,
});
const pulse = (name: string, amp: number, duration = "20 ns") => ({ type: "SquarePulse", name, amp, duration, ...RES });
const acquire = (name: string, acq_channel: number, bin_mode = "average") => ({
  type: "SSBIntegrationComplex",
  name,
  duration: "1 us",
  acq_channel,
  bin_mode,
  ...RES,
});

/** offset at 0, a play at 20 ns, a loop of 2 acquisitions at 40 ns, an offset back to 0 at 2040 ns, idle to 2140 ns */
const PROGRAM = {
  name: "prog",
  repetitions: 5,
  resources: RESOURCES,
  schedulables: [
    { operation: offset("offs", 0.25, -0.5) },
    { operation: pulse("p", 0.5), rel_time: "20 ns" },
    {
      operation: {
        type: "LoopOperation",
        name: "L",
        repetitions: 2,
        body: { schedulables: [{ operation: acquire("m", 0) }] },
      },
    },
    { operation: offset("offs0", 0, 0) },
    { operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
};

function programsOf(schedule: unknown, hardware: unknown, stack = true) {
  const p = planPasses(schedule, hardware, { stack });
  const warnings: CompileWarning[] = [];
  return { ...p, warnings, programs: generatePrograms(p.plan, p.waveforms, p.hw, programOptions(), warnings) };
}

function debugHardware(): Record<string, unknown> {
  const hw = basebandHardware();
  const modules = (hw.hardware_description as { cluster0: { modules: Record<string, Record<string, unknown>> } })
    .cluster0.modules;
  modules["2"] = { instrument_type: "QRM", complex_output_0: { marker_debug_mode_enable: true } };
  return hw;
}

describe("generatePrograms", () => {
  it("one program per sequencer, aligned with plan.sequencers", () => {
    const r = programsOf(PROGRAM, basebandHardware());
    expect(r.plan.sequencers.map((s) => s.key)).toStrictEqual(["cluster0_module2.seq0"]);
    expect(r.programs).toHaveLength(1);
    expect(r.warnings).toStrictEqual([]);
  });

  it("exact text of a program with an offset + upd_param, a play, a loop and an acquire", () => {
    const [prog] = programsOf(PROGRAM, basebandHardware()).programs;
    expect(printProgram(prog!.instructions)).toBe(
      [
        " set_mrk 0 # set markers to 0 (init)",
        " wait_sync 4",
        " upd_param 4",
        " wait 4 # latency correction of 4 + 0 ns",
        " move 5,R0 # iterator for loop with label start",
        "start: reset_ph",
        " upd_param 4",
        // offs at 0 ns: 0.25·32768, −0.5·32768; committed by upd_param (the next operation is later)
        " set_awg_offs 8192,-16384 # offs offset",
        " upd_param 4",
        " wait 16",
        // p at 20 ns
        " set_awg_gain 16384,0",
        " play 0,0,4 # play p (20 ns)",
        " wait 16",
        // loop at 40 ns, label named after the instruction count (13 so far)
        " move 2,R1 # iterator for loop with label loop13",
        "loop13: acquire 0,0,4 # SSBIntegrationComplex m (acq_channel 0)",
        " wait 996",
        " loop R1,@loop13",
        // offs0 at 40 + 2·1000 = 2040 ns
        " set_awg_offs 0,0 # offs0 offset",
        " upd_param 4",
        " wait 96",
        " loop R0,@start",
        " stop",
        "",
      ].join("\n"),
    );
    expect(prog!.instructionCount).toBe(22);
    expect(prog!.registersUsed).toBe(2);
  });

  it("lineNodes: the IR node id of every line, −1 for the header and the end of the repetition", () => {
    const r = programsOf(PROGRAM, basebandHardware());
    // ids: offs 0, p 1, loop 2, m 3, offs0 4 (the idle, id 5, is placed on no sequencer)
    expect(r.stacked.nodes.map((n) => [n.id, n.kind === "op" ? n.op.name : n.name])).toStrictEqual([
      [0, "offs"],
      [1, "p"],
      [2, "L"],
      [4, "offs0"],
      [5, "IdlePulse"],
    ]);
    expect(r.programs[0]!.lineNodes).toStrictEqual([
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1, // header
      0,
      0, // set_awg_offs, upd_param
      1,
      1,
      1, // wait 16 (waiting for p), set_awg_gain, play
      2,
      2, // wait 16 (waiting for the loop), move
      3, // acquire
      2,
      2, // wait 996 (end of the loop body), loop
      4,
      4, // set_awg_offs, upd_param
      -1,
      -1,
      -1, // wait to the end of the repetition, loop, stop
    ]);
    expect(r.programs[0]!.lineNodes).toHaveLength(r.programs[0]!.instructions.length);
  });

  it("APPEND acquisitions in a loop count bins in a register", () => {
    const s = {
      name: "append",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "LoopOperation",
            name: "L",
            repetitions: 3,
            body: { schedulables: [{ operation: acquire("a", 1, "append") }] },
          },
        },
      ],
    };
    const [prog] = programsOf(s, basebandHardware()).programs;
    expect(printProgram(prog!.instructions).split("\n")).toStrictEqual([
      " set_mrk 0 # set markers to 0 (init)",
      " wait_sync 4",
      " upd_param 4",
      " move 0,R0 # Initialize acquisition bin_idx for acq_channel 1",
      " wait 4 # latency correction of 4 + 0 ns",
      " move 1,R1 # iterator for loop with label start",
      "start: reset_ph",
      " upd_param 4",
      " move 3,R2 # iterator for loop with label loop8",
      "loop8: acquire 0,R0,4 # SSBIntegrationComplex a (acq_channel 1)",
      " add R0,1,R0 # increment bin for acq_channel 1",
      " wait 996",
      " loop R2,@loop8",
      " loop R1,@start",
      " stop",
      "",
    ]);
    expect(prog!.registersUsed).toBe(3);
  });

  it("marker debug mode (QRM complex_output_0): set_mrk 3 around plays, 12 around acquires, then reset + upd_param", () => {
    const r = programsOf(PROGRAM, debugHardware());
    const prog = r.programs[0]!;
    const text = printProgram(prog.instructions).split("\n");
    expect(text.slice(7, -4)).toStrictEqual([
      " set_awg_offs 8192,-16384 # offs offset",
      " upd_param 4",
      " wait 16",
      " set_mrk 3 # marker debug mode: play",
      " set_awg_gain 16384,0",
      " play 0,0,4 # play p (20 ns)",
      " set_mrk 0 # marker debug mode: reset",
      " upd_param 4",
      " wait 12",
      " move 2,R1 # iterator for loop with label loop16",
      "loop16: set_mrk 12 # marker debug mode: acquire",
      " acquire 0,0,4 # SSBIntegrationComplex m (acq_channel 0)",
      " set_mrk 0 # marker debug mode: reset",
      " upd_param 4",
      " wait 992",
      " loop R1,@loop16",
      " set_awg_offs 0,0 # offs0 offset",
      " upd_param 4",
    ]);
    // the marker lines belong to the operation they surround
    expect(prog.lineNodes.slice(7, -3)).toStrictEqual([0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 2, 2, 4, 4]);
  });

  it("PARAMETER_AFTER_REALTIME: an offset at the time of a pulse but after it in schedule order", () => {
    const s = {
      name: "bad",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [{ operation: pulse("p", 0.5) }, { operation: offset("late", 0.1, 0), ref_pt: "start" }],
    };
    const e = expectQ1Error(() => programsOf(s, basebandHardware()));
    expect(e).toBeInstanceOf(TimingError);
    expect([e.code, e.path, e.message]).toStrictEqual([
      "PARAMETER_AFTER_REALTIME",
      "/schedulables/1/operation",
      'parameter operation "late" at 0 ns comes after a real-time instruction on cluster0_module2.seq0 that occupies the sequencer until 4 ns',
    ]);
  });

  it("OVERLAPPING_PULSES: two pulses on one port-clock the stacking pass did not merge", () => {
    const s = {
      name: "bad",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        { label: "a", operation: pulse("A", 0.25) },
        { operation: pulse("B", 0.25), ref_schedulable: "a", ref_pt: "start", rel_time: "8 ns" },
      ],
    };
    const e = expectQ1Error(() => programsOf(s, basebandHardware(), false));
    expect(e).toBeInstanceOf(TimingError);
    expect([e.code, e.path, e.message]).toStrictEqual([
      "OVERLAPPING_PULSES",
      "/schedulables/1/operation",
      'pulse "B" at 8 ns overlaps pulse "A" that plays until 20 ns on q0:res-q0.ro',
    ]);
    // after stacking the same schedule compiles: 0…8 A, 8…20 A + B, 20…28 B
    const ok = programsOf(s, basebandHardware());
    const q = seqIndex(ok.plan.sequencers, "q0:res-q0.ro");
    expect(printProgram(ok.programs[q]!.instructions).split("\n").slice(7, 14)).toStrictEqual([
      " set_awg_gain 8192,0",
      " play 0,0,4 # play stacked A + B (8 ns)",
      " wait 4",
      " set_awg_gain 16384,0",
      " play 1,1,4 # play stacked A + B (12 ns)",
      " wait 8",
      " set_awg_gain 8192,0",
    ]);
  });
});
