/** Per-stage unit tests of the compiler core with exact values. */
import { describe, expect, it } from "vitest";
import { ResourceLimitError, TimingError } from "../../src/core/errors.js";
import { loadHardwareConfig } from "../../src/hardware/load.js";
import { ProgramBuilder, type OpRef } from "../../src/compiler/3-emit/builder.js";
import { RegisterAllocator } from "../../src/compiler/3-emit/registers.js";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import { assignSequencers } from "../../src/compiler/2-plan/sequencers.js";
import { solveFrequencies } from "../../src/compiler/2-plan/frequencies.js";
import { generateWaveforms } from "../../src/compiler/3-emit/waveforms.js";
import type { SequencerPlan } from "../../src/compiler/ir/plan.js";
import type { IrNode, TimedSchedule } from "../../src/compiler/ir/nodes.js";
import { planAcquisitions } from "../../src/compiler/2-plan/acquisitions.js";
import { printProgram } from "../../src/q1/print.js";
import { imm } from "../../src/q1/types.js";
import { parseScheduleDocument } from "../../src/schedule/parse.js";
import { basebandHardware, lines, RESOURCES } from "./fixtures.js";
import { expectQ1Error } from "../fixtures/bad-input.js";

const sq = (port: string, clock: string, extra: Record<string, unknown> = {}) => ({
  type: "SquarePulse",
  amp: 0.5,
  duration: "20 ns",
  port,
  clock,
  ...extra,
});

interface Assigned {
  timed: TimedSchedule;
  sequencers: SequencerPlan[];
}

function assign(
  schedulables: Record<string, unknown>[],
  hwOptions: Record<string, unknown> = {},
): { assigned: Assigned; hw: ReturnType<typeof loadHardwareConfig> } {
  const hw = loadHardwareConfig(basebandHardware(hwOptions));
  const timed = resolveTiming(parseScheduleDocument({ name: "t", resources: RESOURCES, schedulables }));
  return { assigned: { timed, sequencers: assignSequencers(timed, hw) }, hw };
}

function seqOf(a: Assigned, portClock: string): SequencerPlan {
  const s = a.sequencers.find((x) => x.route.portClock === portClock);
  if (!s) throw new Error(`no sequencer for ${portClock}`);
  return s;
}

/** [startNs, type, name] of each top-level node. */
function summary(nodes: IrNode[]): [number, string, string][] {
  return nodes.map((n) => (n.kind !== "op" ? [n.startNs, n.kind, n.name] : [n.startNs, n.op.type, n.op.name]));
}

describe("stage 2: assignSequencers", () => {
  it("allocates sequencers per module: measure port-clocks first, then alphabetical", () => {
    const { assigned } = assign([
      { operation: sq("q1:mw", "q1.01") },
      { operation: sq("q0:mw", "q0.01") },
      { operation: sq("q0:fl", "cl0.baseband") },
      { operation: sq("q1:res", "q1.ro") },
      { operation: sq("q0:res", "q0.ro") },
    ]);
    expect(assigned.sequencers.map((s) => [s.key, s.route.portClock, s.index, s.moduleType])).toEqual([
      ["cluster0_module1.seq0", "q0:fl-cl0.baseband", 0, "QCM"],
      ["cluster0_module1.seq1", "q0:mw-q0.01", 1, "QCM"],
      ["cluster0_module1.seq2", "q1:mw-q1.01", 2, "QCM"],
      ["cluster0_module2.seq0", "q0:res-q0.ro", 0, "QRM"],
      ["cluster0_module2.seq1", "q1:res-q1.ro", 1, "QRM"],
    ]);
  });

  it("splits a long square pulse into offset on, offset off + 4 ns tail at exact times", () => {
    const { assigned } = assign([
      { operation: { type: "IdlePulse", duration: "12 ns" } },
      { operation: sq("q0:mw", "q0.01", { name: "long", amp: 0.3, duration: "200 ns" }) },
    ]);
    const nodes = seqOf(assigned, "q0:mw-q0.01").nodes;
    expect(summary(nodes)).toEqual([
      [12, "VoltageOffset", "long"],
      [208, "VoltageOffset", "long"],
      [208, "SquarePulse", "long"],
    ]);
    const [on, off, tail] = nodes.map((n) => (n.kind === "op" ? n.op : null));
    expect(on).toMatchObject({ offset_path_I: 0.3, offset_path_Q: 0 });
    expect(off).toMatchObject({ offset_path_I: 0, offset_path_Q: 0 });
    expect(tail).toMatchObject({ durationNs: 4, amp: 0.3, ampImag: 0 });
  });

  it("keeps a 99 ns square pulse as one waveform pulse", () => {
    const { assigned } = assign([{ operation: sq("q0:mw", "q0.01", { duration: "99 ns" }) }]);
    expect(summary(seqOf(assigned, "q0:mw-q0.01").nodes)).toEqual([[0, "SquarePulse", "SquarePulse"]]);
  });

  it("distributes clock operations to every port-clock using that clock", () => {
    const { assigned } = assign([
      { operation: sq("q0:res", "q0.ro", { name: "a" }) },
      { operation: sq("q1:res", "q0.ro", { name: "b" }) },
      { operation: { type: "ShiftClockPhase", name: "shift", clock: "q0.ro", phase_shift: 90 } },
      { operation: { type: "ResetClockPhase", name: "reset_other", clock: "q0.01" } },
      { operation: sq("q0:mw", "q0.01", { name: "c" }) },
    ]);
    expect(summary(seqOf(assigned, "q0:res-q0.ro").nodes)).toEqual([
      [0, "SquarePulse", "a"],
      [40, "ShiftClockPhase", "shift"],
    ]);
    expect(summary(seqOf(assigned, "q1:res-q0.ro").nodes)).toEqual([
      [20, "SquarePulse", "b"],
      [40, "ShiftClockPhase", "shift"],
    ]);
    expect(summary(seqOf(assigned, "q0:mw-q0.01").nodes)).toEqual([
      [40, "ResetClockPhase", "reset_other"],
      [40, "SquarePulse", "c"],
    ]);
  });

  it("plans an APPEND channel in a loop: acq indices × repetitions bins", () => {
    const acq = {
      type: "SSBIntegrationComplex",
      name: "m",
      duration: "1 us",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: 3,
      bin_mode: "append",
    };
    const hw = loadHardwareConfig(basebandHardware());
    const timed = resolveTiming(
      parseScheduleDocument({
        name: "t",
        repetitions: 7,
        resources: RESOURCES,
        schedulables: [
          { operation: { type: "LoopOperation", repetitions: 5, body: { schedulables: [{ operation: acq }] } } },
        ],
      }),
    );
    const sequencers = assignSequencers(timed, hw);
    const [plan] = planAcquisitions(sequencers, timed.repetitions);
    expect(sequencers[plan!.sequencer]!.key).toBe("cluster0_module2.seq0");
    expect(plan).toMatchObject({
      channel: "3",
      binMode: "append",
      sequencer: 0,
      qbloxIndex: 0,
      numAcqIndices: 5,
      numBins: 35,
      loopRepetitions: [5],
      integrationLengthNs: 1000,
    });
  });
});

describe("stage 3: solveFrequencies", () => {
  it("runs a baseband NCO without LO at the clock frequency", () => {
    const { assigned, hw } = assign([{ operation: sq("q0:mw", "q0.01") }, { operation: sq("q0:res", "q0.ro") }]);
    const f = solveFrequencies(assigned.sequencers, assigned.timed, hw);
    expect(assigned.sequencers.map((s) => s.key)).toEqual(["cluster0_module1.seq0", "cluster0_module2.seq0"]);
    expect(f.bySequencer).toEqual([
      { ncoEnabled: true, ifHz: 100e6, clockHz: 100e6 },
      { ncoEnabled: true, ifHz: 150e6, clockHz: 150e6 },
    ]);
    expect([f.externalLos.length, f.moduleLos.length]).toEqual([0, 0]);
  });

  it("interm_freq 0 disables the NCO", () => {
    const { assigned, hw } = assign([{ operation: sq("q0:mw", "q0.01") }], {
      modulation_frequencies: { "q0:mw-q0.01": { interm_freq: 0 } },
    });
    expect(solveFrequencies(assigned.sequencers, assigned.timed, hw).bySequencer[0]).toEqual({
      ncoEnabled: false,
      ifHz: null,
      clockHz: 100e6,
    });
  });

  it("interm_freq equal to the clock is accepted without an LO", () => {
    const { assigned, hw } = assign([{ operation: sq("q0:mw", "q0.01") }], {
      modulation_frequencies: { "q0:mw-q0.01": { interm_freq: 100e6 } },
    });
    expect(solveFrequencies(assigned.sequencers, assigned.timed, hw).bySequencer[0]).toEqual({
      ncoEnabled: true,
      ifHz: 100e6,
      clockHz: 100e6,
    });
  });
});

describe("stage 4: generateWaveforms", () => {
  /** the play of every pulse node of a sequencer, in order (null: too low to play) */
  const playsOf = (seq: SequencerPlan, w: ReturnType<typeof generateWaveforms>[number]) =>
    seq.nodes.flatMap((n) =>
      n.kind === "op" && n.op.type !== "VoltageOffset" ? [w.plays[w.playOfNode[n.id]!] ?? null] : [],
    );
  const waves = (a: Assigned, seq: SequencerPlan) => generateWaveforms(a.sequencers)[a.sequencers.indexOf(seq)]!;

  it("de-duplicates by normalised shape including sign; amplitude goes into exact gains", () => {
    const { assigned } = assign([
      { operation: sq("q0:mw", "q0.01", { name: "pos", amp: 0.5 }) },
      { operation: sq("q0:mw", "q0.01", { name: "neg", amp: -0.25 }) },
      { operation: sq("q0:mw", "q0.01", { name: "longer", amp: 0.1, duration: "30 ns" }) },
      { operation: { type: "RampPulse", name: "up", amp: 0.4, duration: "4 ns", port: "q0:mw", clock: "q0.01" } },
      { operation: { type: "RampPulse", name: "down", amp: -0.4, duration: "4 ns", port: "q0:mw", clock: "q0.01" } },
    ]);
    const seq = seqOf(assigned, "q0:mw-q0.01");
    const w = waves(assigned, seq);
    const data = Object.values(w.waveforms)
      .sort((a, b) => a.index - b.index)
      .map((x) => x.data);
    expect(data).toEqual([new Array(20).fill(1), new Array(30).fill(1), [0, 1 / 3, 2 / 3, 1]]);
    expect(w.totalSamples).toBe(54);
    expect(playsOf(seq, w)).toEqual([
      { wave0: 0, wave1: 0, gain0: 0.5, gain1: 0 },
      { wave0: 0, wave1: 0, gain0: -0.25, gain1: 0 },
      { wave0: 1, wave1: 1, gain0: 0.1, gain1: 0 },
      { wave0: 2, wave1: 2, gain0: 0.30000000000000004, gain1: 0 },
      { wave0: 2, wave1: 2, gain0: -0.30000000000000004, gain1: 0 },
    ]);
  });

  it("a complex square amplitude plays two waveforms with I and Q gains", () => {
    const { assigned } = assign([{ operation: sq("q0:mw", "q0.01", { amp: [0.3, -0.2] }) }]);
    const seq = seqOf(assigned, "q0:mw-q0.01");
    const w = waves(assigned, seq);
    expect(Object.keys(w.waveforms)).toHaveLength(1); // both paths normalise to the same all-ones shape
    expect(playsOf(seq, w)).toEqual([{ wave0: 0, wave1: 0, gain0: 0.3, gain1: -0.2 }]);
  });

  it("a pulse below 2/65536 of full scale is not played (null play, no waveform)", () => {
    const { assigned } = assign([{ operation: sq("q0:mw", "q0.01", { name: "quiet", amp: 1e-5 }) }]);
    const seq = seqOf(assigned, "q0:mw-q0.01");
    const w = waves(assigned, seq);
    expect(playsOf(seq, w)).toEqual([null]);
    expect(w.plays).toEqual([]);
    expect([Object.keys(w.waveforms).length, w.totalSamples]).toEqual([0, 0]);
  });
});

describe("ProgramBuilder.wait", () => {
  const by: OpRef = { name: "gap", path: "/schedulables/0" };
  const fresh = () => new ProgramBuilder("test.seq0", 64, 16384);
  const text = (b: ProgramBuilder) => lines(printProgram(b.instructions));

  it("200,000 ns → three 65,532 ns waits and the remainder", () => {
    const b = fresh();
    b.wait(200_000, by);
    expect(text(b)).toEqual(["wait 65532", "wait 65532", "wait 65532", "wait 3404"]);
    expect(b.now).toBe(200_000);
    expect(b.instructions[0]!.comment).toBe("auto generated wait (200000 ns)");
  });

  it("65,534 ns → 65,528 + 6 (never a wait below 4 ns)", () => {
    const b = fresh();
    b.wait(65_534, by);
    expect(text(b)).toEqual(["wait 65528", "wait 6"]);
    expect(b.now).toBe(65_534);
  });

  it("exactly 4 × 65,532 ns stays unrolled", () => {
    const b = fresh();
    b.wait(4 * 65_532, by);
    expect(text(b)).toEqual(["wait 65532", "wait 65532", "wait 65532", "wait 65532"]);
  });

  it("more than 4 × 65,532 ns → a register loop plus the remainder, register released", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(0)], 4, undefined, by);
    b.wait(5 * 65_532 + 1000, by);
    expect(text(b)).toEqual(["play 0,0,4", "move 5,R0", "wait2: wait 65532", "loop R0,@wait2", "wait 1000"]);
    expect(b.now).toBe(4 + 5 * 65_532 + 1000);
    expect([b.registers.peak, b.registers.allocate(by)]).toEqual([1, 0]);
  });

  it("folds a sub-4 ns gap into the previous real-time instruction", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(1)], 4, undefined, by);
    b.waitUntil(6, by);
    b.emitRt("play", [imm(1), imm(0)], 4, undefined, by);
    expect(text(b)).toEqual(["play 0,1,6", "play 1,0,4"]);
    expect(b.now).toBe(10);
  });

  it("a sub-4 ns gap right after a label is GAP_TOO_SHORT naming the operation", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(0)], 4, undefined, by);
    b.label("loop1");
    const err = expectQ1Error(() => b.wait(2, by));
    expect(err).toBeInstanceOf(TimingError);
    expect([err.code, err.path, err.message]).toEqual([
      "GAP_TOO_SHORT",
      "/schedulables/0",
      '"gap" starts 2 ns after the previous real-time instruction slot on test.seq0; the sequencer needs 0 or ≥ 4 ns',
    ]);
  });

  it("waiting for a time already past is OVERLAPPING_OPERATIONS", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(0)], 4, undefined, by);
    const err = expectQ1Error(() => b.waitUntil(2, by));
    expect([err.code, err.message]).toEqual([
      "OVERLAPPING_OPERATIONS",
      'operation "gap" starts at 2 ns, but the sequencer test.seq0 is busy until 4 ns',
    ]);
  });

  it("loops multiply the body's elapsed time into the clock", () => {
    const b = fresh();
    b.enterLoop();
    b.emitRt("play", [imm(0), imm(0)], 4, undefined, by);
    b.wait(96, by);
    b.exitLoop(10);
    expect(b.now).toBe(1000);
  });
});

describe("RegisterAllocator", () => {
  it("allocates the lowest register first and reuses released ones last-in first-out", () => {
    const r = new RegisterAllocator(4, "test.seq0");
    const by = { name: "x", path: null };
    expect([r.allocate(by), r.allocate(by), r.allocate(by)]).toEqual([0, 1, 2]);
    r.release(0);
    r.release(1);
    expect([r.allocate(by), r.allocate(by), r.allocate(by)]).toEqual([1, 0, 3]);
    expect(r.peak).toBe(4);
  });

  it("exhaustion is OUT_OF_REGISTERS naming the operation and where", () => {
    const r = new RegisterAllocator(2, "cluster0_module1.seq0 (q0:mw-q0.01)");
    r.allocate({ name: "a", path: null });
    r.allocate({ name: "b", path: null });
    const err = expectQ1Error(() => r.allocate({ name: "inner loop", path: "/schedulables/3/operation" }));
    expect(err).toBeInstanceOf(ResourceLimitError);
    expect([err.code, err.path, err.message]).toEqual([
      "OUT_OF_REGISTERS",
      "/schedulables/3/operation",
      '"inner loop" needs a Q1 register on cluster0_module1.seq0 (q0:mw-q0.01), but all 2 are in use',
    ]);
    expect(err.hint).toBe("reduce loop nesting or the number of APPEND acquisition channels on this port-clock");
  });
});
