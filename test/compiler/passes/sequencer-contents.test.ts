/**
 * SequencerPlan.opTypes: the operation types 2-plan/sequencers notes while it builds each node list,
 * and the walks later passes skip with them (acquisitions, feedback, InlineQ1ASM waveforms); a plan
 * without them (hand-built) is walked as before.
 */
import { describe, expect, it } from "vitest";
import { resolveTiming } from "../../../src/compiler/1-schedule/timing.js";
import { planAcquisitions } from "../../../src/compiler/2-plan/acquisitions.js";
import { NO_FEEDBACK, planFeedback } from "../../../src/compiler/2-plan/feedback.js";
import { hasConditionals } from "../../../src/compiler/2-plan/feedback-pairing.js";
import { relativeLatencies } from "../../../src/compiler/2-plan/latency.js";
import { assignSequencers, mayHold } from "../../../src/compiler/2-plan/sequencers.js";
import { planTriggerNetwork } from "../../../src/compiler/2-plan/trigger-network.js";
import { generateWaveforms } from "../../../src/compiler/3-emit/waveforms.js";
import type { ConditionalNode, IrNode } from "../../../src/compiler/ir/nodes.js";
import type { SequencerPlan } from "../../../src/compiler/ir/plan.js";
import { familyOf, handlerOf, isAcquisition, isWaveformPulse } from "../../../src/compiler/ops/index.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import type { ScheduleOp } from "../../../src/schedule/model.js";
import { parseScheduleDocument } from "../../../src/schedule/parse.js";
import { basebandHardware, RESOURCES } from "../fixtures.js";
import { gauss, idle, loopNode, opNode, Q0, Q1, RO0, square, ssb, timed } from "./ir-builders.js";

const hw = loadHardwareConfig(basebandHardware());

const setClockFrequency = (clock: string): ScheduleOp => ({
  type: "SetClockFrequency",
  name: "f",
  path: "/f",
  t0Ns: 0,
  clock,
  durationNs: 0,
  clock_freq_new: 101e6,
});

const byPort = (seqs: SequencerPlan[], port: string): SequencerPlan => seqs.find((s) => s.route.port === port)!;
const sorted = (types: readonly string[] | undefined): string[] => [...(types ?? [])].sort();

describe("SequencerPlan.opTypes (2-plan/sequencers)", () => {
  it("notes each sequencer's own types, the clock operations it receives and the parts of long squares", () => {
    const seqs = assignSequencers(
      timed(
        [
          opNode(0, 0, setClockFrequency("q0.01")),
          opNode(1, 0, gauss("g", Q0, 0.5)),
          loopNode(2, 40, 3, 200, [opNode(3, 40, square("long", Q0, 0.5, 200))]),
          opNode(4, 640, ssb("m", RO0, "0")),
          opNode(5, 1640, idle("rest", 100)),
        ],
        1740,
      ),
      hw,
    );
    const q0 = byPort(seqs, "q0:mw");
    // the 200 ns square is played as offsets and a 4 ns square tail
    expect(sorted(q0.opTypes)).toStrictEqual(["GaussPulse", "SetClockFrequency", "SquarePulse", "VoltageOffset"]);
    expect(byPort(seqs, "q0:res").opTypes).toStrictEqual(["SSBIntegrationComplex"]);
    expect(JSON.parse(JSON.stringify(seqs))).toStrictEqual(seqs);
  });

  it("mayHold: false only when the noted types rule it out; without opTypes a pass must walk", () => {
    const [seq] = assignSequencers(timed([opNode(0, 0, gauss("g", Q0, 0.5))], 40), hw);
    expect(mayHold(seq!, (t) => t === "GaussPulse")).toBe(true);
    expect(mayHold(seq!, (t) => familyOf(t) === "acquisition")).toBe(false);
    const { opTypes: _, ...handBuilt } = seq!;
    expect(mayHold(handBuilt, (t) => familyOf(t) === "acquisition")).toBe(true);
  });

  it("planAcquisitions skips sequencers whose opTypes hold no acquisition, and walks a plan without opTypes", () => {
    const seqs = assignSequencers(
      timed([opNode(0, 0, gauss("g", Q0, 0.5)), opNode(1, 40, ssb("m", RO0, "0"))], 1040),
      hw,
    );
    const expected = [{ channel: "0", sequencer: seqs.indexOf(byPort(seqs, "q0:res")), binOfNode: { 1: 0 } }];
    const pick = (plans: ReturnType<typeof planAcquisitions>) =>
      plans.map((p) => ({ channel: p.channel, sequencer: p.sequencer, binOfNode: p.binOfNode }));
    expect(pick(planAcquisitions(seqs, 1))).toStrictEqual(expected);
    const handBuilt = seqs.map(({ opTypes: _, ...s }) => s);
    expect(pick(planAcquisitions(handBuilt, 1))).toStrictEqual(expected);
    // the noted types are trusted: a list that (wrongly) says "no acquisition" is not walked
    const lying = seqs.map((s) => ({ ...s, opTypes: [] }));
    expect(planAcquisitions(lying, 1)).toStrictEqual([]);
  });

  it("trigger-network LatchResets are InlineQ1ASM operations: the receiver's opTypes gain the type", () => {
    const doc = parseScheduleDocument({
      name: "tn",
      feedback_mode: "trigger_network",
      resources: RESOURCES,
      schedulables: [
        {
          label: "m",
          operation: {
            type: "ThresholdedAcquisition",
            port: "q0:res",
            clock: "q0.ro",
            duration: "1 us",
            acq_channel: 0,
            acq_threshold: 0,
            feedback_trigger_label: "q0",
          },
        },
        {
          rel_time: "364 ns",
          operation: {
            type: "ConditionalOperation",
            qubit_name: "q0",
            body: {
              schedulables: [
                { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
              ],
            },
          },
        },
        { operation: { type: "IdlePulse", duration: "4 ns" } },
      ],
    });
    const t = resolveTiming(doc);
    const seqs = assignSequencers(t, hw);
    const q0 = byPort(seqs, "q0:mw");
    expect(q0.opTypes).toStrictEqual(["SquarePulse"]);
    const r = planTriggerNetwork(t, seqs, relativeLatencies(seqs, hw));
    const after = byPort(r.sequencers, "q0:mw");
    expect(after.opTypes).toStrictEqual(["SquarePulse", "InlineQ1ASM"]);
    // and 3-emit/waveforms walks it for inline waveforms (none here): the play is still found
    const w = generateWaveforms(r.sequencers)[r.sequencers.indexOf(after)]!;
    expect(w.plays).toStrictEqual([{ wave0: 0, wave1: 0, gain0: 0.5, gain1: 0 }]);
  });
});

describe("2-plan/sequencers: port-clocks found by the previous operation's and its last successor", () => {
  const idsOf = (seqs: SequencerPlan[], port: string): number[] => byPort(seqs, port).nodes.map((n) => n.id);

  it("interleaved port-clocks whose order changes go to the right lists, loops included", () => {
    const seqs = assignSequencers(
      timed(
        [
          opNode(0, 0, gauss("a", Q0, 0.5)),
          opNode(1, 0, gauss("b", Q1, 0.5)),
          opNode(2, 40, gauss("c", Q0, 0.5)),
          opNode(3, 40, gauss("d", Q1, 0.5)),
          opNode(4, 80, ssb("m", RO0, "0")), // the successor of q1 changes
          opNode(5, 80, gauss("e", Q0, 0.5)),
          opNode(6, 120, gauss("f", Q1, 0.5)), // q0 → q1 again
          opNode(7, 120, gauss("g", Q0, 0.5)),
          loopNode(8, 1100, 2, 40, [opNode(9, 1100, gauss("h", Q1, 0.5)), opNode(10, 1100, gauss("i", Q0, 0.5))]),
          opNode(11, 1180, gauss("j", Q1, 0.5)),
        ],
        1200,
      ),
      hw,
    );
    expect(idsOf(seqs, "q0:mw")).toStrictEqual([0, 2, 5, 7, 8]);
    expect(idsOf(seqs, "q1:mw")).toStrictEqual([1, 3, 6, 8, 11]);
    expect(idsOf(seqs, "q0:res")).toStrictEqual([4]);
    const loopOf = (port: string) => byPort(seqs, port).nodes.find((n) => n.kind === "loop")!;
    expect(loopOf("q0:mw").kind === "loop" && loopOf("q0:mw").body.map((n) => n.id)).toStrictEqual([10]);
    expect(loopOf("q1:mw").kind === "loop" && loopOf("q1:mw").body.map((n) => n.id)).toStrictEqual([9]);
  });

  it("a type that does not fit its channel is refused at its first operation, also after a run of others", () => {
    const ssbOnDrive = {
      ...(ssb("wrong", RO0, "0") as object),
      port: "q0:mw",
      clock: "q0.01",
      name: "wrong",
    } as ScheduleOp;
    const nodes = [
      opNode(0, 0, gauss("a", Q0, 0.5)),
      opNode(1, 0, gauss("b", Q1, 0.5)),
      opNode(2, 40, gauss("c", Q0, 0.5)),
      opNode(3, 40, gauss("d", Q1, 0.5)),
      opNode(4, 80, ssbOnDrive),
    ];
    expect(() => assignSequencers(timed(nodes, 1100), hw)).toThrow(
      expect.objectContaining({ code: "ACQUISITION_ON_CONTROL_MODULE", path: "/wrong" }),
    );
  });
});

describe("2-plan/sequencers: one walk, route-dependent steps after it", () => {
  const shape = (nodes: IrNode[]): unknown[] =>
    nodes.map((n) => (n.kind === "op" ? [n.id, n.startNs, n.op.type] : [n.id, n.kind, shape(n.body)]));

  it("a clock operation met before a port-clock of its clock is first used still reaches it (loops kept)", () => {
    const seqs = assignSequencers(
      timed(
        [
          opNode(0, 0, gauss("a", Q1, 0.5)),
          loopNode(1, 40, 2, 20, [opNode(2, 40, setClockFrequency("q0.01"))]),
          opNode(3, 80, gauss("b", Q0, 0.5)),
          opNode(4, 120, setClockFrequency("q0.01")),
        ],
        200,
      ),
      hw,
    );
    expect(shape(byPort(seqs, "q0:mw").nodes)).toStrictEqual([
      [1, "loop", [[2, 40, "SetClockFrequency"]]],
      [3, 80, "GaussPulse"],
      [4, 120, "SetClockFrequency"],
    ]);
    expect(shape(byPort(seqs, "q1:mw").nodes)).toStrictEqual([[0, 0, "GaussPulse"]]);
    expect(sorted(byPort(seqs, "q0:mw").opTypes)).toStrictEqual(["GaussPulse", "SetClockFrequency"]);
  });

  it("long squares become offsets and a tail in place, inside loops too, lists sorted by start", () => {
    const seqs = assignSequencers(
      timed(
        [
          loopNode(0, 0, 2, 300, [
            opNode(1, 0, square("long", Q0, 0.5, 200)),
            opNode(2, 100, gauss("g", Q1, 0.5)),
            opNode(3, 120, gauss("h", Q0, 0.5, 20)), // inside the long square's span: starts before its end parts
          ]),
          opNode(4, 600, square("short", Q0, 0.5, 20)),
        ],
        700,
      ),
      hw,
    );
    expect(shape(byPort(seqs, "q0:mw").nodes)).toStrictEqual([
      [
        0,
        "loop",
        [
          [1, 0, "VoltageOffset"],
          [3, 120, "GaussPulse"],
          [1, 196, "VoltageOffset"],
          [1, 196, "SquarePulse"],
        ],
      ],
      [4, 600, "SquarePulse"],
    ]);
  });

  it("of two operations that do not fit their channels, the first in schedule order is refused", () => {
    const onDrive = (name: string, type: "SSBIntegrationComplex" | "ThresholdedAcquisition"): ScheduleOp =>
      ({
        ...(ssb(name, RO0, "0") as object),
        type,
        port: "q0:mw",
        clock: "q0.01",
        name,
        path: `/${name}`,
      }) as ScheduleOp;
    const run = (a: ScheduleOp, b: ScheduleOp) => () =>
      assignSequencers(timed([opNode(0, 0, gauss("g", Q0, 0.5)), opNode(1, 40, a), opNode(2, 1100, b)], 2200), hw);
    const refused = { code: "ACQUISITION_ON_CONTROL_MODULE" };
    expect(run(onDrive("x", "SSBIntegrationComplex"), onDrive("y", "ThresholdedAcquisition"))).toThrow(
      expect.objectContaining({ ...refused, path: "/x" }),
    );
    expect(run(onDrive("y", "ThresholdedAcquisition"), onDrive("x", "SSBIntegrationComplex"))).toThrow(
      expect.objectContaining({ ...refused, path: "/y" }),
    );
  });
});

describe("2-plan/feedback without conditionals", () => {
  const cond = (id: number, body: IrNode[]): ConditionalNode => ({
    kind: "conditional",
    id,
    startNs: 0,
    mode: "if",
    triggerLabel: "q0",
    value: 1,
    maxRepetitions: 1,
    bodyDurationNs: 20,
    body,
    name: "c",
    path: "/c",
    label: null,
  });

  it("hasConditionals finds a conditional at any depth and reads no operation", () => {
    const noOp = { kind: "op", id: 9, startNs: 0, label: null } as unknown as IrNode; // no `op`: never read
    expect(hasConditionals([noOp, loopNode(1, 0, 2, 20, [noOp])])).toBe(false);
    expect(hasConditionals([noOp, loopNode(1, 0, 2, 20, [loopNode(2, 0, 2, 20, [cond(3, [])])])])).toBe(true);
  });

  it("a schedule without conditionals or LINQ values has no feedback plan (also for a hand-built plan)", () => {
    const t = timed([opNode(0, 0, gauss("g", Q0, 0.5)), opNode(1, 40, ssb("m", RO0, "0"))], 1040);
    const seqs = assignSequencers(t, hw);
    const lat = relativeLatencies(seqs, hw);
    const none = { ...NO_FEEDBACK, tbShare: seqs.map(() => 0) };
    expect(planFeedback(t.nodes, seqs, lat)).toStrictEqual(none);
    expect(
      planFeedback(
        t.nodes,
        seqs.map(({ opTypes: _, ...s }) => s),
        lat,
      ),
    ).toStrictEqual(none);
  });
});

describe("ops/index.ts handler lookups (the last type's handler kept)", () => {
  it("answers right for every type, also when types alternate", () => {
    const g = gauss("g", Q0, 0.5);
    const m = ssb("m", RO0, "0");
    const o = setClockFrequency("q0.01");
    for (const op of [g, m, g, g, o, m, o, g]) {
      expect(handlerOf(op).family).toBe(familyOf(op.type));
      expect(isWaveformPulse(op)).toBe(op.type === "GaussPulse");
      expect(isAcquisition(op)).toBe(op.type === "SSBIntegrationComplex");
    }
    expect([familyOf("GaussPulse"), familyOf("SSBIntegrationComplex"), familyOf("IdlePulse")]).toStrictEqual([
      "pulse",
      "acquisition",
      "idle",
    ]);
  });
});
