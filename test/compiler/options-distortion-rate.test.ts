/** Software distortion corrections designed for another sampling rate than 1 GS/s. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { SchemaValidationError } from "../../src/core/errors.js";
import { basebandHardware, lines, RESOURCES, sequencer } from "./fixtures.js";

const flux = { type: "SquarePulse", amp: 0.4, duration: "20 ns", port: "q0:fl", clock: "cl0.baseband" };
const correction = (extra: Record<string, unknown>) => ({
  distortion_corrections: {
    "q0:fl-cl0.baseband": {
      filter_func: "scipy.signal.lfilter",
      input_var_name: "x",
      kwargs: { b: [0.5, 0.5], a: [1] },
      ...extra,
    },
  },
});

describe("software distortion correction at sampling_rate 0.5 GS/s", () => {
  it("filters at the correction's rate and resamples onto the 1 ns grid", () => {
    const c = compile(
      { name: "fs", repetitions: 1, resources: RESOURCES, schedulables: [{ operation: flux }] },
      basebandHardware(correction({ sampling_rate: 5e8 })),
    );
    const s = sequencer(c, "cluster0_module1", 0);
    // at 0.5 GS/s: 10 samples of 0.4 → moving average [0.2, 0.4, …]; back at 1 GS/s: 0.2, 0.3, 0.4, …
    const expected = [0.5, 0.75, ...new Array(18).fill(1)];
    Object.values(s.sequence.waveforms)[0]!.data.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 12));
    expect(lines(s.sequence.program)).toContain(`set_awg_gain ${Math.round(0.4 * 32768)},0`);
  });

  it("rejects a non-positive sampling rate naming the field", () => {
    try {
      compile(
        { name: "fs", repetitions: 1, resources: RESOURCES, schedulables: [{ operation: flux }] },
        basebandHardware(correction({ sampling_rate: 0 })),
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SchemaValidationError);
      expect((e as SchemaValidationError).issues.map((i) => i.path)).toContain(
        "/hardware_options/distortion_corrections/q0:fl-cl0.baseband/sampling_rate",
      );
    }
  });
});
