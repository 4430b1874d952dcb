/**
 * IR as data (DESIGN "IR as data"): every pass output survives JSON.parse(JSON.stringify(x))
 * unchanged, node ids are unique, and no pass mutates its input.
 */
import { describe, expect, it } from "vitest";
import { applyCrosstalk } from "../../../src/compiler/1-schedule/crosstalk.js";
import { stackPulses } from "../../../src/compiler/1-schedule/stacking.js";
import { resolveTiming } from "../../../src/compiler/1-schedule/timing.js";
import { planAcquisitions } from "../../../src/compiler/2-plan/acquisitions.js";
import { solveFrequencies } from "../../../src/compiler/2-plan/frequencies.js";
import { relativeLatencies } from "../../../src/compiler/2-plan/latency.js";
import { assignSequencers } from "../../../src/compiler/2-plan/sequencers.js";
import { generatePrograms } from "../../../src/compiler/3-emit/program.js";
import { buildSettings } from "../../../src/compiler/3-emit/settings.js";
import { generateWaveforms } from "../../../src/compiler/3-emit/waveforms.js";
import type { TimedSchedule } from "../../../src/compiler/ir/nodes.js";
import { forEachOp } from "../../../src/compiler/ir/walk.js";
import { isWaveformPulse } from "../../../src/compiler/ops/index.js";
import type { CompileWarning } from "../../../src/compiler/ir/plan.js";
import { basebandHardware } from "../fixtures.js";
import { allIds, runPasses, type PassResults } from "./run-passes.js";
import { ACQUISITIONS, CROSSTALK, CROSSTALK_OPTIONS, FLAT, LOOPS } from "./schedules.js";

const CASES: [name: string, schedule: Record<string, unknown>, options: Record<string, unknown>][] = [
  ["flat", FLAT, {}],
  ["nested loops + library loop placed twice", LOOPS, {}],
  ["crosstalk + stacking", CROSSTALK, CROSSTALK_OPTIONS],
  ["AVERAGE + APPEND acquisitions + long square", ACQUISITIONS, {}],
];

const roundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function checkIds(t: TimedSchedule): void {
  const ids = allIds(t.nodes);
  expect(new Set(ids).size, "node ids are unique").toBe(ids.length);
  expect(Math.min(...ids)).toBeGreaterThanOrEqual(0);
  expect(t.nextNodeId).toBeGreaterThan(Math.max(...ids));
}

describe.each(CASES)("IR of %s", (_name, schedule, options) => {
  const hwJson = basebandHardware(options);
  const r: PassResults = runPasses(schedule, hwJson);

  it("every phase-1 TimedSchedule survives a JSON round trip", () => {
    expect(roundTrip(r.timed)).toStrictEqual(r.timed);
    expect(roundTrip(r.crosstalked)).toStrictEqual(r.crosstalked);
    expect(roundTrip(r.stacked)).toStrictEqual(r.stacked);
  });

  it("node ids are unique in each TimedSchedule and below nextNodeId", () => {
    checkIds(r.timed);
    checkIds(r.crosstalked);
    checkIds(r.stacked);
  });

  it("the phase-2 plan survives a JSON round trip", () => {
    expect(roundTrip(r.sequencers)).toStrictEqual(r.sequencers);
    expect(roundTrip(r.acqChannels)).toStrictEqual(r.acqChannels);
    expect(roundTrip(r.frequencies)).toStrictEqual(r.frequencies);
    expect(roundTrip(r.latencyNs)).toStrictEqual(r.latencyNs);
    expect(roundTrip(r.plan)).toStrictEqual(r.plan);
  });

  it("the phase-3 outputs survive a JSON round trip", () => {
    expect(roundTrip(r.waveforms)).toStrictEqual(r.waveforms);
    // Instruction.label / Instruction.comment are always present and `undefined` when unset (the builder
    // keeps one object shape for speed, src/compiler/3-emit/builder.ts); JSON drops undefined
    // properties, so the programs compare with toEqual (which treats a missing and an undefined
    // property alike). Everything else in SequencerProgram is compared strictly below.
    expect(roundTrip(r.programs)).toEqual(r.programs);
    const withoutUndefined = r.programs.map((p) => ({
      ...p,
      instructions: p.instructions.map((ins) =>
        Object.fromEntries(Object.entries(ins).filter(([, v]) => v !== undefined)),
      ),
    }));
    expect(roundTrip(withoutUndefined)).toStrictEqual(withoutUndefined);
    expect(roundTrip(r.settings)).toStrictEqual(r.settings);
  });

  it("pass outputs key per-node results by ids that exist in the TimedSchedule", () => {
    const ids = new Set(allIds(r.stacked.nodes));
    for (const ch of r.acqChannels) for (const id of Object.keys(ch.binOfNode)) expect(ids.has(Number(id))).toBe(true);
    r.sequencers.forEach((seq, i) => {
      const w = r.waveforms[i]!;
      // playOfNode is dense by node id (shared by the sequencers): every pulse node of this sequencer
      // has its play (or −1), a played entry is a node of the schedule, and no entry lies past the ids
      forEachOp(seq.nodes, (n) => {
        if (!isWaveformPulse(n.op)) return;
        const k = w.playOfNode[n.id]!;
        expect(k === -1 || (k >= 0 && k < w.plays.length)).toBe(true);
      });
      const played = Object.entries(w.playOfNode).filter(([, k]) => k >= 0);
      for (const [id] of played) expect(ids.has(Number(id))).toBe(true);
      expect(Object.keys(w.playOfNode).length).toBeLessThanOrEqual(r.stacked.nextNodeId);
      for (const id of Object.keys(w.weightsOfNode)) expect(ids.has(Number(id))).toBe(true);
    });
    for (const p of r.programs) for (const id of p.lineNodes) expect(id === -1 || ids.has(id)).toBe(true);
  });

  it("no pass mutates its input (each run twice on the same input, compared with a deep clone)", () => {
    // The HardwareSetup is not compared: it is not IR but the typed hardware model, which caches
    // port-clock options and routes on first use by design.
    const hw = r.hw;
    const twice = <I, O>(input: I, run: (x: I) => O): O => {
      const before = structuredClone(input);
      const a = run(input);
      const b = run(input);
      expect(input).toStrictEqual(before);
      expect(b).toEqual(a); // deterministic
      return a;
    };
    const doc = structuredClone(r.doc);
    const timed = twice(doc, (d) => resolveTiming(d));
    const crosstalked = twice(timed, (t) => applyCrosstalk(t, hw));
    const stacked = twice(crosstalked, (t) => stackPulses(t));
    const sequencers = twice(stacked, (t) => assignSequencers(t, hw));
    const acqChannels = twice(sequencers, (s) => planAcquisitions(s, stacked.repetitions));
    const frequencies = twice({ sequencers, stacked }, (x) => solveFrequencies(x.sequencers, x.stacked, hw));
    const latencyNs = twice(sequencers, (s) => relativeLatencies(s, hw));
    const plan = { timed: stacked, sequencers, acqChannels, frequencies, latencyNs };
    const waveforms = twice(sequencers, (s) => generateWaveforms(s));
    const programs = twice({ plan, waveforms }, (x) =>
      generatePrograms(x.plan, x.waveforms, hw, { instructionLimit: "error", qasmHooks: {} }, []),
    );
    const warnings: CompileWarning[] = [];
    twice({ plan, waveforms, programs }, (x) => buildSettings(x.plan, x.waveforms, x.programs, hw, warnings));
    // the pass-by-pass results equal the ones of the first run
    expect(stacked).toStrictEqual(r.stacked);
    expect(programs).toEqual(r.programs);
  });
});

describe("node ids", () => {
  it("timing numbers the tree in document order, loops before their bodies", () => {
    const r = runPasses(LOOPS, basebandHardware());
    const shape = (nodes: TimedSchedule["nodes"]): unknown[] =>
      nodes.map((n) => (n.kind !== "op" ? [n.id, n.name, shape(n.body)] : [n.id, n.op.name]));
    expect(shape(r.timed.nodes)).toStrictEqual([
      [
        0,
        "LoopOperation",
        [
          [1, "GaussPulse"],
          [
            2,
            "LoopOperation",
            [
              [3, "ShiftClockPhase"],
              [4, "GaussPulse"],
              [5, "IdlePulse"],
            ],
          ],
        ],
      ],
      [6, "blink", [[7, "b"]]], // a library loop is named by its key
      [8, "blink", [[9, "b"]]],
    ]);
    expect(r.timed.nextNodeId).toBe(10);
    // outer body: Gauss 20 ns, 20 ns gap, inner loop 5 × (20 + 80 ns) = 540 ns; × 3 = 1620 ns. The
    // library loop (2 × 20 ns) is placed at 1620 ns and again 40 ns after its end.
    expect(r.timed.nodes.map((n) => n.startNs)).toStrictEqual([0, 1620, 1700]);
    expect(r.timed.nodes.map((n) => (n.kind === "loop" ? n.bodyDurationNs : -1))).toStrictEqual([540, 20, 20]);
    expect(r.timed.durationNs).toBe(1740);
  });

  it("crosstalk copies and stacked segments take fresh ids from nextNodeId", () => {
    const r = runPasses(CROSSTALK, basebandHardware(CROSSTALK_OPTIONS));
    expect(allIds(r.timed.nodes)).toStrictEqual([0, 1, 2]);
    expect(r.timed.nextNodeId).toBe(3);
    // A (id 0) keeps its id and gets a copy on q1 (id 3); B (id 1) gets a copy on q0 (id 4)
    expect(allIds(r.crosstalked.nodes)).toStrictEqual([0, 3, 1, 4, 2]);
    expect(r.crosstalked.nextNodeId).toBe(5);
    // q0: A (0…40) and B's copy (20…40) overlap; q1: A's copy (0…40) and B (20…40) overlap:
    // both groups are rebuilt as two segments each (q0 first: ids 5, 6; then q1: 7, 8), sorted by
    // start (stable), the idle (id 2, after B) last
    expect(r.stacked.nodes.map((n) => [n.id, n.startNs])).toStrictEqual([
      [5, 0],
      [7, 0],
      [6, 20],
      [8, 20],
      [2, 40],
    ]);
    expect(r.stacked.nextNodeId).toBe(9);
  });
});
