/**
 * 1-schedule/crosstalk: applyCrosstalk on hand-built TimedSchedules. With M = identity + crosstalk
 * (M[src][dst], port-clocks sorted) and C = M⁻¹, a pulse on port-clock i is scaled by C[i][i] and
 * copied onto every j ≠ i with C[i][j] ≠ 0, scaled by C[i][j].
 */
import { describe, expect, it } from "vitest";
import { applyCrosstalk } from "../../../src/compiler/1-schedule/crosstalk.js";
import type { OpNode } from "../../../src/compiler/ir/nodes.js";
import { HardwareConfigError } from "../../../src/core/errors.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import type { HardwareSetup } from "../../../src/hardware/setup.js";
import type { WaveformPulse } from "../../../src/schedule/model.js";
import { expectQ1Error } from "../../fixtures/bad-input.js";
import { basebandHardware } from "../fixtures.js";
import {
  drag,
  gauss,
  idle,
  loopNode,
  numerical,
  opNode,
  Q0,
  Q1,
  ramp,
  RO0,
  square,
  ssb,
  timed,
  voltageOffset,
} from "./ir-builders.js";

const PC0 = "q0:mw-q0.01";
const PC1 = "q1:mw-q1.01";

type Coefficient = number | { real: number; imag: number };

/** Crosstalk q0 → q1 = a, q1 → q0 = b (either may be left out). */
function hardware(a: Coefficient | null, b: Coefficient | null): HardwareSetup {
  const crosstalk: Record<string, Record<string, Coefficient>> = {};
  if (a !== null) crosstalk[PC0] = { [PC1]: a };
  if (b !== null) crosstalk[PC1] = { [PC0]: b };
  return loadHardwareConfig(basebandHardware({ crosstalk }));
}

/** every node of these tests is a waveform pulse */
const opsOf = (nodes: readonly unknown[]) =>
  (nodes as OpNode[]).map((n) => ({ id: n.id, startNs: n.startNs, ...(n.op as WaveformPulse) }));

describe("applyCrosstalk", () => {
  it("returns its input when the config has no crosstalk", () => {
    const t = timed([opNode(0, 0, square("A", Q0, 0.5))], 20);
    expect(applyCrosstalk(t, loadHardwareConfig(basebandHardware()))).toBe(t);
  });

  it("2×2 with exact inverse: M = [[1, 1], [−1, 1]] → C = [[½, −½], [½, ½]]", () => {
    // det M = 1·1 − 1·(−1) = 2, C = ½·[[1, −1], [1, 1]] (every entry exact in binary)
    const hw = hardware(1, -1);
    const t = timed(
      [opNode(0, 0, square("A", Q0, 0.5)), opNode(1, 20, square("B", Q1, 0.25)), opNode(2, 40, idle("idle", 20))],
      60,
    );
    const out = applyCrosstalk(t, hw);
    expect(out.nodes).toStrictEqual([
      opNode(0, 0, square("A", Q0, 0.25)), // 0.5 · C[0][0] = 0.5 · ½
      opNode(3, 0, { ...square("A", Q1, -0.25), name: "A (crosstalk from q0:mw-q0.01)" }), // 0.5 · C[0][1] = 0.5 · (−½)
      opNode(1, 20, square("B", Q1, 0.125)), // 0.25 · C[1][1]
      opNode(4, 20, { ...square("B", Q0, 0.125), name: "B (crosstalk from q1:mw-q1.01)" }), // 0.25 · C[1][0] = 0.25 · ½
      opNode(2, 40, idle("idle", 20)),
    ]);
    expect(out.nextNodeId).toBe(5);
    expect({ ...out, nodes: [] }).toStrictEqual({ ...t, nodes: [], nextNodeId: 5 });
  });

  it("2×2 with real coefficients 0.1 / 0.2: C = [[1, −0.1], [−0.2, 1]] / 0.98", () => {
    const hw = hardware(0.1, 0.2);
    const out = applyCrosstalk(timed([opNode(0, 0, square("A", Q0, 0.5)), opNode(1, 0, square("B", Q1, 0.3))], 20), hw);
    const ops = opsOf(out.nodes);
    expect(ops.map((o) => [o.id, o.name, `${o.port}-${o.clock}`])).toStrictEqual([
      [0, "A", PC0],
      [2, "A (crosstalk from q0:mw-q0.01)", PC1],
      [1, "B", PC1],
      [3, "B (crosstalk from q1:mw-q1.01)", PC0],
    ]);
    const amps = ops.map((o) => (o.type === "SquarePulse" ? [o.amp, o.ampImag] : null));
    const expected = [
      [0.5 / 0.98, 0],
      [-0.05 / 0.98, 0],
      [0.3 / 0.98, 0],
      [-0.06 / 0.98, 0],
    ];
    amps.forEach((a, k) => {
      expect(a![0]).toBeCloseTo(expected[k]![0]!, 15);
      expect(a![1]).toBe(0);
    });
  });

  it("a one-way coefficient copies only from the aggressor: C[1][0] = 0 gives no copy of q1 pulses", () => {
    // M = [[1, 0.5], [0, 1]] → C = [[1, −0.5], [0, 1]]
    const out = applyCrosstalk(
      timed([opNode(0, 0, square("A", Q0, 0.5)), opNode(1, 20, square("B", Q1, 0.25))], 40),
      hardware(0.5, null),
    );
    expect(out.nodes).toStrictEqual([
      opNode(0, 0, square("A", Q0, 0.5)),
      opNode(2, 0, { ...square("A", Q1, -0.25), name: "A (crosstalk from q0:mw-q0.01)" }),
      opNode(1, 20, square("B", Q1, 0.25)),
    ]);
    expect(out.nextNodeId).toBe(3);
  });

  it("complex coefficient: M = [[1, 0.5i], [0, 1]] → C[0][1] = −0.5i rotates a square pulse into the Q path", () => {
    const out = applyCrosstalk(
      timed([opNode(0, 0, square("A", Q0, 0.5, 20, 0.1))], 20),
      hardware({ real: 0, imag: 0.5 }, null),
    );
    // (0.5 + 0.1i) · (−0.5i) = 0.05 − 0.25i
    expect(out.nodes).toStrictEqual([
      opNode(0, 0, square("A", Q0, 0.5, 20, 0.1)),
      opNode(1, 0, { ...square("A", Q1, 0.05, 20, -0.25), name: "A (crosstalk from q0:mw-q0.01)" }),
    ]);
  });

  it("complex coefficient on phase pulses: amplitude × |c|, phase + arg(c) in degrees", () => {
    const hw = hardware({ real: 0, imag: 0.5 }, null); // C[0][1] = −0.5i: |c| = 0.5, arg = −90°
    const out = applyCrosstalk(
      timed([opNode(0, 0, gauss("G", Q0, 0.4, 20, 10)), opNode(1, 20, drag("D", Q0, 0.4, 0.1, 0))], 40),
      hw,
    );
    expect(out.nodes).toStrictEqual([
      opNode(0, 0, gauss("G", Q0, 0.4, 20, 10)),
      opNode(2, 0, { ...gauss("G", Q1, 0.2, 20, -80), name: "G (crosstalk from q0:mw-q0.01)" }),
      opNode(1, 20, drag("D", Q0, 0.4, 0.1, 0)),
      opNode(3, 20, { ...drag("D", Q1, 0.2, 0.05, -90), name: "D (crosstalk from q0:mw-q0.01)" }),
    ]);
  });

  it("a negative real coefficient on a Gauss pulse is |c| with a 180° phase", () => {
    const out = applyCrosstalk(timed([opNode(0, 0, gauss("G", Q0, 0.4))], 20), hardware(0.5, null)); // C[0][1] = −0.5
    expect((out.nodes[1] as OpNode).op).toStrictEqual({
      ...gauss("G", Q1, 0.2, 20, 180),
      name: "G (crosstalk from q0:mw-q0.01)",
    });
  });

  it("complex coefficient on a NumericalPulse multiplies every sample", () => {
    const out = applyCrosstalk(
      timed([opNode(0, 0, numerical("N", Q0, [0.5, 0.25, 0]))], 2),
      hardware({ real: 0, imag: 0.5 }, null),
    );
    const copy = (out.nodes[1] as OpNode).op;
    expect(copy).toMatchObject({
      type: "NumericalPulse",
      port: "q1:mw",
      clock: "q1.01",
      name: "N (crosstalk from q0:mw-q0.01)",
    });
    if (copy.type !== "NumericalPulse") throw new Error("not numerical");
    // (r + 0i) · (−0.5i) = −0.5r·i
    expect(copy.samples_re).toStrictEqual([0, 0, 0]);
    expect(copy.samples_im).toStrictEqual([-0.25, -0.125, 0]);
    expect(copy.t_samples).toStrictEqual([0, 1e-9, 2e-9]);
    // the diagonal (C[0][0] = 1) turns the real pulse into an explicit complex one with zero Q
    const diag = (out.nodes[0] as OpNode).op;
    expect(diag).toMatchObject({ samples_re: [0.5, 0.25, 0], samples_im: [0, 0, 0] });
  });

  it("leaves non-pulse operations and port-clocks outside the matrix alone", () => {
    const t = timed(
      [
        opNode(0, 0, voltageOffset("offs", Q0, 0.1, 0)),
        opNode(1, 0, ssb("acq", RO0, "0")),
        opNode(2, 0, square("R", RO0, 0.5)),
        opNode(3, 1000, idle("idle", 20)),
      ],
      1020,
    );
    const out = applyCrosstalk(t, hardware(0.5, null));
    expect(out.nodes).toStrictEqual(t.nodes);
    expect(out.nextNodeId).toBe(4);
  });

  it("compensates loop bodies; copies keep the original's start and label; ids come from nextNodeId, loop bodies first", () => {
    const body = [opNode(2, 100, square("B", Q0, 0.5), "lbl")];
    const t = timed(
      [opNode(0, 0, square("A", Q0, 0.5)), loopNode(1, 100, 3, 20, body, "L", "/schedulables/1/operation")],
      160,
      1,
      10,
    );
    const out = applyCrosstalk(t, hardware(0.5, null));
    expect(out.nodes).toStrictEqual([
      opNode(0, 0, square("A", Q0, 0.5)),
      opNode(11, 0, { ...square("A", Q1, -0.25), name: "A (crosstalk from q0:mw-q0.01)" }),
      loopNode(
        1,
        100,
        3,
        20,
        [
          opNode(2, 100, square("B", Q0, 0.5), "lbl"),
          opNode(10, 100, { ...square("B", Q1, -0.25), name: "B (crosstalk from q0:mw-q0.01)" }, "lbl"),
        ],
        "L",
        "/schedulables/1/operation",
      ),
    ]);
    expect(out.nextNodeId).toBe(12);
    // the input keeps its one-node body
    expect(t.nodes[1]).toStrictEqual(
      loopNode(1, 100, 3, 20, [opNode(2, 100, square("B", Q0, 0.5), "lbl")], "L", "/schedulables/1/operation"),
    );
  });

  it("the output is plain data (JSON round trip)", () => {
    const out = applyCrosstalk(
      timed([opNode(0, 0, square("A", Q0, 0.5)), opNode(1, 0, gauss("G", Q1, 0.3, 20, 45))], 20),
      hardware({ real: -0.1, imag: 0.2 }, -0.3),
    );
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
  });

  // Products like 0 · −0.5 give −0, which JSON cannot represent (JSON.stringify(−0) is "0"); the
  // handlers' scale functions normalise −0 to 0 so the IR survives the round trip (DESIGN "IR as data").
  it("a NumericalPulse sample 0 scaled by a negative coefficient stays 0 (no −0), so the IR round-trips through JSON", () => {
    const out = applyCrosstalk(timed([opNode(0, 0, numerical("N", Q0, [0.5, 0, 0.25]))], 2), hardware(0.5, null));
    expect(JSON.parse(JSON.stringify(out))).toStrictEqual(out);
  });

  it("COMPLEX_CROSSTALK_UNSUPPORTED for a RampPulse with a complex coefficient", () => {
    const t = timed([opNode(0, 0, ramp("ramp q0", Q0, 0.5))], 20);
    const e = expectQ1Error(() => applyCrosstalk(t, hardware({ real: 0, imag: 0.1 }, null)));
    expect(e).toBeInstanceOf(HardwareConfigError);
    expect(e.code).toBe("COMPLEX_CROSSTALK_UNSUPPORTED");
    expect(e.path).toBe("/ramp q0");
    // C[0][1] = −0.1i
    expect(e.message).toBe(
      'crosstalk compensation of "ramp q0 (crosstalk from q0:mw-q0.01)" (RampPulse) on q0:mw-q0.01 needs a complex coefficient 0-0.1i, but RampPulse is real by construction',
    );
  });

  it("a RampPulse with a real coefficient is scaled (amp and offset)", () => {
    const out = applyCrosstalk(timed([opNode(0, 0, ramp("r", Q0, 0.5, 0.1))], 20), hardware(0.5, null));
    expect((out.nodes[1] as OpNode).op).toStrictEqual({
      ...ramp("r", Q1, -0.25, -0.05),
      name: "r (crosstalk from q0:mw-q0.01)",
    });
  });

  it("SINGULAR_CROSSTALK when identity + crosstalk cannot be inverted", () => {
    // M = [[1, 1], [1, 1]]: det 0
    const t = timed([opNode(0, 0, square("A", Q0, 0.5))], 20);
    const e = expectQ1Error(() => applyCrosstalk(t, hardware(1, 1)));
    expect(e).toBeInstanceOf(HardwareConfigError);
    expect(e.code).toBe("SINGULAR_CROSSTALK");
    expect(e.path).toBe("/hardware_options/crosstalk");
  });
});
