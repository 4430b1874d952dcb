/**
 * 3-emit/waveforms: shapes found by the handlers' exact shape keys (hashed numbers compared on a hit),
 * plays shared by every pulse with the shape, and `playOfNode` as one dense array by node id shared by
 * the sequencers of a compile.
 */
import { describe, expect, it } from "vitest";
import { assignSequencers } from "../../../src/compiler/2-plan/sequencers.js";
import { generateWaveforms, hashNumbers, numbersText } from "../../../src/compiler/3-emit/waveforms.js";
import type { IrNode } from "../../../src/compiler/ir/nodes.js";
import type { SequencerPlan, SequencerWaveforms } from "../../../src/compiler/ir/plan.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import { basebandHardware } from "../fixtures.js";
import { gauss, numerical, opNode, Q0, Q1, square, timed, voltageOffset } from "./ir-builders.js";

const hw = loadHardwareConfig(basebandHardware());

function plan(nodes: IrNode[], durationNs = 1000): SequencerPlan[] {
  return assignSequencers(timed(nodes, durationNs), hw);
}

/** the play of a node as [wave0, wave1, gain0, gain1], null when not played */
function playOf(w: SequencerWaveforms, id: number): [number, number, number, number] | null {
  const k = w.playOfNode[id]!;
  const p = k < 0 ? null : w.plays[k]!;
  return p ? [p.wave0, p.wave1, p.gain0, p.gain1] : null;
}

describe("waveform de-duplication by shape key", () => {
  it("pulses with equal shape keys share one play and waveform, whatever their operation objects", () => {
    const [w] = generateWaveforms(
      plan([
        opNode(0, 0, square("a", Q0, 0.5)),
        opNode(1, 40, square("b", Q0, 0.5)), // another object, the same numbers
        opNode(2, 80, square("c", Q0, 0.25)),
        opNode(3, 120, square("d", Q0, 0.5, 24)),
        opNode(4, 160, square("e", Q0, 0.25)),
      ]),
    );
    expect([0, 1, 2, 3, 4].map((id) => w!.playOfNode[id])).toStrictEqual([0, 0, 1, 2, 1]);
    expect(w!.plays).toStrictEqual([
      { wave0: 0, wave1: 0, gain0: 0.5, gain1: 0 },
      { wave0: 0, wave1: 0, gain0: 0.25, gain1: 0 },
      { wave0: 1, wave1: 1, gain0: 0.5, gain1: 0 },
    ]);
    expect(Object.values(w!.waveforms).map((x) => [x.index, x.data.length])).toStrictEqual([
      [0, 20],
      [1, 24],
    ]);
  });

  it("one operation object placed again and again (a library operation) plays one play", () => {
    const x = gauss("x", Q0, 0.5);
    const y = gauss("y", Q0, 0.5, 20, 90);
    const [w] = generateWaveforms(
      plan([opNode(0, 0, x), opNode(1, 40, x), opNode(2, 80, y), opNode(3, 120, x), opNode(4, 160, y)]),
    );
    expect([0, 1, 2, 3, 4].map((id) => w!.playOfNode[id])).toStrictEqual([0, 0, 1, 0, 1]);
    expect(w!.plays).toHaveLength(2);
  });

  it("−0 and 0 are one key (as Map keys compare them): a −0 imaginary amplitude plays the real pulse", () => {
    const [w] = generateWaveforms(
      plan([opNode(0, 0, square("a", Q0, 0.5, 20, 0)), opNode(1, 40, square("b", Q0, 0.5, 20, -0))]),
    );
    expect([w!.playOfNode[0], w!.playOfNode[1]]).toStrictEqual([0, 0]);
    expect(hashNumbers([0, 20, 0.5, -0])).toBe(hashNumbers([0, 20, 0.5, 0]));
  });

  it("distinct keys never share a play, also when their hashes collide", () => {
    // find two amplitudes whose square-pulse keys [0, 20, amp, 0] hash alike (30-bit hash: a few ten thousand tries)
    const seen = new Map<number, number>();
    let pair: [number, number] | null = null;
    for (let k = 1; k <= 400_000 && !pair; k++) {
      const amp = k / 1_000_000;
      const h = hashNumbers([0, 20, amp, 0]);
      const prev = seen.get(h);
      if (prev !== undefined) pair = [prev, amp];
      else seen.set(h, amp);
    }
    expect(pair).not.toBeNull();
    const [a, b] = pair!;
    expect(hashNumbers([0, 20, a, 0])).toBe(hashNumbers([0, 20, b, 0]));
    const [w] = generateWaveforms(
      plan([
        opNode(0, 0, square("a", Q0, a)),
        opNode(1, 40, square("b", Q0, b)),
        opNode(2, 80, square("a again", Q0, a)),
      ]),
    );
    expect([playOf(w!, 0), playOf(w!, 1), playOf(w!, 2)]).toStrictEqual([
      [0, 0, a, 0],
      [0, 0, b, 0],
      [0, 0, a, 0],
    ]);
    expect([w!.playOfNode[0], w!.playOfNode[1], w!.playOfNode[2]]).toStrictEqual([0, 1, 0]);
  });

  it("many distinct shapes (the table grows): each keeps its play, repeats find it", () => {
    const amps = Array.from({ length: 100 }, (_, k) => (k + 1) / 128);
    const nodes = [...amps, ...amps.slice().reverse()].map((amp, i) => opNode(i, i * 40, square(`p${i}`, Q0, amp)));
    const [w] = generateWaveforms(plan(nodes, 200 * 40));
    expect(w!.plays).toHaveLength(100);
    for (let i = 0; i < 200; i++) {
      const k = i < 100 ? i : 199 - i;
      expect([w!.playOfNode[i], w!.plays[k]!.gain0]).toStrictEqual([k, amps[k]]);
    }
  });

  it("keys of different pulse kinds, lengths and sample lists stay apart", () => {
    const [w] = generateWaveforms(
      plan([
        opNode(0, 0, square("sq", Q0, 0.5)),
        opNode(1, 40, gauss("g", Q0, 0.5)),
        opNode(2, 80, numerical("n", Q0, [0, 0.5, 1, 0.5, 0])),
        opNode(3, 120, numerical("n2", Q0, [0, 0.25, 1, 0.5, 0])),
        opNode(4, 160, numerical("n again", Q0, [0, 0.5, 1, 0.5, 0])),
      ]),
    );
    expect([0, 1, 2, 3, 4].map((id) => w!.playOfNode[id])).toStrictEqual([0, 1, 2, 3, 2]);
    expect(Object.keys(w!.waveforms)).toHaveLength(4);
  });

  it("numbersText (the text-table key of a shape whose slot run is too long): exact, −0 as 0, NaN alike", () => {
    const k = new Float64Array([6, 20, 0.1, -0, Number.NaN, 4]);
    expect(numbersText(k, 6)).toBe("#6|20|0.1|0|NaN|4|");
    expect(numbersText(k, 3)).toBe("#6|20|0.1|");
    expect(numbersText([0, 20, 0.30000000000000004, 0], 4)).not.toBe(numbersText([0, 20, 0.3, 0], 4));
  });

  it("hashNumbers: integers and equal doubles hash alike, NaN alike, and the result is a small integer", () => {
    expect(hashNumbers([6, 20, 0.1, 0, -1, 4])).toBe(hashNumbers([6, 20, 0.1, 0, -1, 4]));
    expect(hashNumbers([1e12, 0.1 + 0.2])).toBe(hashNumbers([1e12, 0.30000000000000004]));
    expect(hashNumbers([NaN])).toBe(hashNumbers([Number.NaN]));
    expect(hashNumbers([1, 2])).not.toBe(hashNumbers([2, 1]));
    expect(hashNumbers([1])).not.toBe(hashNumbers([1, 1]));
    for (const key of [[0], [-1.5, 3e300], [Infinity, -Infinity]]) {
      const h = hashNumbers(key);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    }
  });
});

describe("playOfNode: one dense array by node id", () => {
  it("is shared by the sequencers; each reads its own pulse nodes; other entries are −1", () => {
    const sequencers = plan([
      opNode(0, 0, square("a", Q0, 0.5)),
      opNode(1, 0, square("b", Q1, 0.25)),
      opNode(2, 40, voltageOffset("off", Q0, 0.1, 0)),
      opNode(3, 40, square("c", Q1, 0.5)),
      opNode(4, 80, square("d", Q0, 0.125)),
    ]);
    const waves = generateWaveforms(sequencers);
    const q0 = waves[sequencers.findIndex((s) => s.route.port === "q0:mw")]!;
    const q1 = waves[sequencers.findIndex((s) => s.route.port === "q1:mw")]!;
    expect(q0.playOfNode).toBe(q1.playOfNode);
    expect(q0.playOfNode).toStrictEqual([0, 0, -1, 1, 1]);
    expect([playOf(q0, 0), playOf(q0, 4)]).toStrictEqual([
      [0, 0, 0.5, 0],
      [0, 0, 0.125, 0],
    ]);
    expect([playOf(q1, 1), playOf(q1, 3)]).toStrictEqual([
      [0, 0, 0.25, 0],
      [0, 0, 0.5, 0],
    ]);
    expect(JSON.parse(JSON.stringify(waves))).toStrictEqual(waves);
  });

  it("a node id on two sequencers (hand-built): the second sequencer goes on in an array of its own", () => {
    const [a] = plan([opNode(0, 0, square("a", Q0, 0.5)), opNode(1, 40, square("a2", Q0, 0.25))]);
    const [b] = plan([opNode(7, 0, voltageOffset("o", Q1, 0.1, 0)), opNode(1, 40, square("b", Q1, 0.75))]);
    const [wa, wb] = generateWaveforms([a!, b!]);
    expect(wa!.playOfNode).not.toBe(wb!.playOfNode);
    expect([playOf(wa!, 0), playOf(wa!, 1)]).toStrictEqual([
      [0, 0, 0.5, 0],
      [0, 0, 0.25, 0],
    ]);
    expect(playOf(wb!, 1)).toStrictEqual([0, 0, 0.75, 0]);
  });

  it("an entry written −1 (too low to play) is taken too: the other sequencer with that id goes on in a copy", () => {
    const [a] = plan([opNode(0, 0, square("a", Q0, 0.5)), opNode(1, 40, square("quiet", Q0, 1e-6))]);
    const [b] = plan([opNode(1, 40, square("b", Q1, 0.75))]);
    const [wa, wb] = generateWaveforms([a!, b!]);
    expect(wa!.playOfNode).toStrictEqual([0, -1]);
    expect(wb!.playOfNode).toStrictEqual([0, 0]);
    expect(playOf(wb!, 1)).toStrictEqual([0, 0, 0.75, 0]);
  });

  it("a pulse below 2/65536 of full scale maps to −1", () => {
    const [w] = generateWaveforms(
      plan([opNode(0, 0, square("loud", Q0, 0.5)), opNode(1, 40, square("quiet", Q0, 1e-6))]),
    );
    expect(w!.playOfNode).toStrictEqual([0, -1]);
  });
});
