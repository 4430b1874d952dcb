/**
 * 1-schedule/stacking: stackPulses on hand-built TimedSchedules. Overlapping waveform pulses of one
 * port-clock become one pulse per interval between start/end events: a SquarePulse with the summed
 * amplitude where only squares are active, else a NumericalPulse of the summed samples.
 */
import { describe, expect, it } from "vitest";
import { stackPulses } from "../../../src/compiler/1-schedule/stacking.js";
import type { OpNode } from "../../../src/compiler/ir/nodes.js";
import type { WaveformPulse } from "../../../src/schedule/model.js";
import { sampleWaveform } from "../../../src/schedule/waveforms.js";
import { gauss, idle, loopNode, opNode, Q0, Q1, ramp, RO0, square, ssb, timed, voltageOffset } from "./ir-builders.js";

/** t_samples of an n-sample stacked segment: k · 1e-9 s (3 · 1e-9 is 3.0000000000000004e-9 in binary) */
const tSamples = (n: number): number[] => Array.from({ length: n }, (_, k) => k * 1e-9);

/** A stacked segment as stackPulses builds it (name and path of the group, t0 0). */
function segment(
  base: { name: string; path: string; port: string; clock: string },
  durationNs: number,
  rest: Record<string, unknown>,
): WaveformPulse {
  return {
    name: base.name,
    path: base.path,
    t0Ns: 0,
    port: base.port,
    clock: base.clock,
    durationNs,
    ...rest,
  } as WaveformPulse;
}

describe("stackPulses", () => {
  it("two overlapping square pulses → three squares with summed amplitudes, ids from nextNodeId", () => {
    // A: 0…40 ns, 0.5 (+0.1i); B: 20…60 ns, 0.25
    const t = timed(
      [
        opNode(0, 0, square("A", Q0, 0.5, 40, 0.1), "a"),
        opNode(1, 20, square("B", Q0, 0.25, 40)),
        opNode(2, 60, idle("idle", 20)),
      ],
      80,
      1,
      7,
    );
    const out = stackPulses(t);
    const base = { name: "stacked A + B", path: "/A", ...Q0 };
    expect(out.nodes).toStrictEqual([
      opNode(7, 0, segment(base, 20, { type: "SquarePulse", amp: 0.5, ampImag: 0.1 }), "a"),
      opNode(8, 20, segment(base, 20, { type: "SquarePulse", amp: 0.75, ampImag: 0.1 }), "a"),
      opNode(9, 40, segment(base, 20, { type: "SquarePulse", amp: 0.25, ampImag: 0 }), "a"),
      opNode(2, 60, idle("idle", 20)),
    ]);
    expect(out.nextNodeId).toBe(10);
    expect({ ...out, nodes: [], nextNodeId: 0 }).toStrictEqual({ ...t, nodes: [], nextNodeId: 0 });
    // the input is untouched
    expect(t.nodes.map((n) => n.id)).toStrictEqual([0, 1, 2]);
  });

  it("a pulse inside another: one segment per interval (start/end events deduplicated)", () => {
    // A: 0…60 ns 0.5; B: 20…40 ns 0.125; C: 40…60 ns 0.25 (C starts where B ends, both inside A)
    const out = stackPulses(
      timed(
        [
          opNode(0, 0, square("A", Q0, 0.5, 60)),
          opNode(1, 20, square("B", Q0, 0.125)),
          opNode(2, 40, square("C", Q0, 0.25)),
        ],
        60,
      ),
    );
    expect(
      out.nodes.map((n) => {
        const op = (n as OpNode).op;
        return [n.id, n.startNs, op.durationNs, op.name, op.type === "SquarePulse" ? op.amp : null];
      }),
    ).toStrictEqual([
      [3, 0, 20, "stacked A + B + C", 0.5],
      [4, 20, 20, "stacked A + B + C", 0.625],
      [5, 40, 20, "stacked A + B + C", 0.75],
    ]);
  });

  it("square + ramp → square where only the square plays, NumericalPulse of exact sums elsewhere", () => {
    // S: 0…8 ns at 0.25; R: 4…12 ns, amp 0.5 → samples k/16 (0, 0.0625, …, 0.4375)
    const t = timed(
      [opNode(0, 0, square("S", Q0, 0.25, 8)), opNode(1, 4, { ...ramp("R", Q0, 0.5), durationNs: 8 })],
      12,
    );
    const out = stackPulses(t);
    const base = { name: "stacked S + R", path: "/S", ...Q0 };
    expect(out.nodes).toStrictEqual([
      opNode(2, 0, segment(base, 4, { type: "SquarePulse", amp: 0.25, ampImag: 0 })),
      // 0.25 + R[0…3], plus a copy of the last sample so that t_samples spans 4 ns
      opNode(
        3,
        4,
        segment(base, 4, {
          type: "NumericalPulse",
          samples_re: [0.25, 0.3125, 0.375, 0.4375, 0.4375],
          samples_im: null,
          t_samples: tSamples(5),
          interpolation: "linear",
        }),
      ),
      // R[4…7] alone
      opNode(
        4,
        8,
        segment(base, 4, {
          type: "NumericalPulse",
          samples_re: [0.25, 0.3125, 0.375, 0.4375, 0.4375],
          samples_im: null,
          t_samples: tSamples(5),
          interpolation: "linear",
        }),
      ),
    ]);
  });

  it("square + gauss → NumericalPulse holding the sample-wise sum, with the extra final sample", () => {
    // S: 0…8 ns at 0.5; G: 4…12 ns (nr_sigma 4 → sigma 1 ns)
    const g = gauss("G", Q0, 0.4, 8);
    const out = stackPulses(timed([opNode(0, 0, square("S", Q0, 0.5, 8)), opNode(1, 4, g)], 12));
    const gs = Array.from(sampleWaveform(g).re);
    // hand check of the Gauss samples: G_amp·exp(−(k − 4)²/2) minus the mean of the end samples
    const off = (0.4 * Math.exp(-8) + 0.4 * Math.exp(-4.5)) / 2;
    gs.forEach((v, k) => expect(v).toBeCloseTo(0.4 * Math.exp(-((k - 4) ** 2) / 2) - off, 15));
    const ops = out.nodes.map((n) => (n as OpNode).op);
    expect(ops.map((o) => [o.type, o.durationNs])).toStrictEqual([
      ["SquarePulse", 4],
      ["NumericalPulse", 4],
      ["NumericalPulse", 4],
    ]);
    const mid = ops[1]!,
      tail = ops[2]!;
    if (mid.type !== "NumericalPulse" || tail.type !== "NumericalPulse")
      throw new Error("expected NumericalPulse segments");
    expect(mid.samples_re).toStrictEqual([0.5 + gs[0]!, 0.5 + gs[1]!, 0.5 + gs[2]!, 0.5 + gs[3]!, 0.5 + gs[3]!]);
    expect(tail.samples_re).toStrictEqual([gs[4], gs[5], gs[6], gs[7], gs[7]]);
    expect(mid.samples_im).toBeNull();
    expect(mid.t_samples).toStrictEqual([0, 1e-9, 2e-9, 3 * 1e-9, 4e-9]);
    expect(mid.interpolation).toBe("linear");
    // sampling the stacked segment gives back the sums (4 samples at 1 GS/s)
    expect(Array.from(sampleWaveform(mid).re)).toStrictEqual(mid.samples_re.slice(0, 4));
  });

  it("a complex pulse in the group gives a NumericalPulse with samples_im (zero where it is silent)", () => {
    const out = stackPulses(
      timed(
        [
          opNode(0, 0, square("S", Q0, 0.5, 8)),
          opNode(1, 4, square("C", Q0, 0, 4, 0.25)),
          opNode(2, 4, ramp("R", Q0, 0)),
        ],
        20,
      ),
    );
    // S + C + R (ramp of amp 0: zeros) over 4…8 ns; C is complex
    const op = out.nodes.map((n) => (n as OpNode).op).find((o) => o.type === "NumericalPulse");
    expect(op).toMatchObject({ samples_re: [0.5, 0.5, 0.5, 0.5, 0.5], samples_im: [0.25, 0.25, 0.25, 0.25, 0.25] });
  });

  it("returns the same object when nothing overlaps (back-to-back, other port-clocks, zero duration)", () => {
    const t = timed(
      [
        opNode(0, 0, square("A", Q0, 0.5)),
        opNode(1, 0, square("B", Q1, 0.5)), // same time, other port-clock
        opNode(2, 0, ssb("acq", RO0, "0", "average", 40)),
        opNode(3, 10, voltageOffset("offs", Q0, 0.1, 0)), // not a waveform pulse
        opNode(4, 20, square("C", Q0, 0.5)), // starts where A ends
        opNode(5, 30, square("Z", Q0, 0.5, 0)), // zero duration inside C
      ],
      40,
    );
    expect(stackPulses(t)).toBe(t);
  });

  it("overlap inside a loop body only: the body is stacked, everything else is kept as is", () => {
    const before = opNode(0, 0, square("A", Q0, 0.5));
    const body = [opNode(2, 100, square("B", Q0, 0.5)), opNode(3, 110, square("C", Q0, 0.25))];
    const after = opNode(4, 400, square("D", Q0, 0.5));
    const t = timed([before, loopNode(1, 100, 10, 30, body, "L", "/L"), after], 420);
    const out = stackPulses(t);
    expect(out).not.toBe(t);
    expect(out.nodes[0]).toBe(before);
    expect(out.nodes[2]).toBe(after);
    const base = { name: "stacked B + C", path: "/B", ...Q0 };
    expect(out.nodes[1]).toStrictEqual(
      loopNode(
        1,
        100,
        10,
        30,
        [
          opNode(5, 100, segment(base, 10, { type: "SquarePulse", amp: 0.5, ampImag: 0 })),
          opNode(6, 110, segment(base, 10, { type: "SquarePulse", amp: 0.75, ampImag: 0 })),
          opNode(7, 120, segment(base, 10, { type: "SquarePulse", amp: 0.25, ampImag: 0 })),
        ],
        "L",
        "/L",
      ),
    );
    expect(out.nextNodeId).toBe(8);
    expect(t.nodes[1]).toStrictEqual(loopNode(1, 100, 10, 30, body, "L", "/L"));
  });

  it("a pulse in a loop body does not stack with an overlapping pulse outside the loop (bodies are stacked on their own)", () => {
    const t = timed(
      [opNode(0, 0, square("A", Q0, 0.5, 60)), loopNode(1, 20, 2, 20, [opNode(2, 20, square("B", Q0, 0.5))])],
      60,
    );
    expect(stackPulses(t)).toBe(t);
  });

  it("other nodes keep their place: stacked segments sort after existing nodes with the same start", () => {
    const t = timed(
      [
        opNode(0, 0, square("A", Q0, 0.5, 40)),
        opNode(1, 20, voltageOffset("offs", Q1, 0.1, 0)),
        opNode(2, 20, square("B", Q0, 0.25)),
        opNode(3, 40, idle("idle", 10)),
      ],
      50,
    );
    expect(stackPulses(t).nodes.map((n) => [n.id, n.startNs])).toStrictEqual([
      [4, 0],
      [1, 20],
      [5, 20],
      [3, 40],
    ]);
  });
});
