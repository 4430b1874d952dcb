/** Crosstalk compensation (reference 3.1 b) and pulse stacking (3.1 c). */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { HardwareConfigError } from "../../src/core/errors.js";
import { basebandHardware, lines, RESOURCES, sequencer } from "./fixtures.js";

const pulse = (q: number, amp: number, extra: Record<string, unknown> = {}) => ({
  type: "SquarePulse",
  amp,
  duration: "20 ns",
  port: `q${q}:mw`,
  clock: `q${q}.01`,
  ...extra,
});
const body = (c: ReturnType<typeof compile>, seq: number) =>
  lines(sequencer(c, "cluster0_module1", seq).sequence.program).slice(7, -3);

describe("crosstalk compensation", () => {
  it("applies the inverse of identity + crosstalk to every pulse", () => {
    // M = [[1, .1], [.2, 1]] → C = [[1, −.1], [−.2, 1]] / 0.98
    const hw = basebandHardware({
      crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": 0.1 }, "q1:mw-q1.01": { "q0:mw-q0.01": 0.2 } },
    });
    const c = compile(
      {
        name: "xt",
        repetitions: 1,
        resources: RESOURCES,
        schedulables: [{ operation: pulse(0, 0.5) }, { operation: { type: "IdlePulse", duration: "20 ns" } }],
      },
      hw,
    );
    expect(body(c, 0)).toEqual([`set_awg_gain ${Math.round((0.5 / 0.98) * 32768)},0`, "play 0,0,4"]);
    expect(body(c, 1)).toEqual([`set_awg_gain ${Math.round((-0.05 / 0.98) * 32768)},0`, "play 0,0,4"]);
    expect(sequencer(c, "cluster0_module1", 1).port_clock).toBe("q1:mw-q1.01");
  });

  it("a complex coefficient rotates a square pulse into the Q path", () => {
    const hw = basebandHardware({ crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": { real: 0, imag: 0.1 } } } });
    const c = compile(
      { name: "xt", repetitions: 1, resources: RESOURCES, schedulables: [{ operation: pulse(0, 0.5) }] },
      hw,
    );
    // C[0][1] = −0.1i → amplitude 0.5 · (−0.1i) = −0.05i
    expect(body(c, 1)).toEqual([`set_awg_gain 0,${Math.round(-0.05 * 32768)}`, "play 0,0,4"]);
  });

  it("stacks the compensation with the victim's own overlapping pulse", () => {
    const hw = basebandHardware({ crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": 0.1 } } });
    const c = compile(
      {
        name: "xt",
        repetitions: 1,
        resources: RESOURCES,
        schedulables: [
          { label: "a", operation: pulse(0, 0.5, { duration: "40 ns" }) },
          { operation: pulse(1, 0.3), ref_schedulable: "a", ref_pt: "start", rel_time: "20 ns" },
        ],
      },
      hw,
    );
    // q1: [0, 20) −0.05 alone, [20, 40) 0.3 − 0.05
    expect(body(c, 1)).toEqual([
      `set_awg_gain ${Math.round(-0.05 * 32768)},0`,
      "play 0,0,4",
      "wait 16",
      `set_awg_gain ${Math.round(0.25 * 32768)},0`,
      "play 0,0,4",
    ]);
  });

  it("rejects a complex coefficient on a pulse that is real by construction", () => {
    const hw = basebandHardware({ crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": { real: 0, imag: 0.1 } } } });
    const ramp = { type: "RampPulse", name: "ramp q0", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" };
    expect(() =>
      compile({ name: "xt", repetitions: 1, resources: RESOURCES, schedulables: [{ operation: ramp }] }, hw),
    ).toThrow(HardwareConfigError);
    try {
      compile({ name: "xt", repetitions: 1, resources: RESOURCES, schedulables: [{ operation: ramp }] }, hw);
    } catch (e) {
      expect((e as HardwareConfigError).code).toBe("COMPLEX_CROSSTALK_UNSUPPORTED");
      expect((e as HardwareConfigError).path).toBe("/schedulables/0/operation");
    }
  });
});
