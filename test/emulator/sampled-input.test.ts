/** A recorded input trace replayed through a compiled readout program. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { sampledInput, simulate } from "../../src/emulator/index.js";
import { basebandHardware, RESOURCES } from "../compiler/fixtures.js";

describe("sampledInput", () => {
  const compiled = compile(
    {
      name: "replay",
      repetitions: 3,
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "SSBIntegrationComplex",
            duration: "1 us",
            port: "q0:res",
            clock: "q0.ro",
            acq_channel: 0,
          },
        },
      ],
    },
    // NCO off: the integration sees the recorded samples as they are
    basebandHardware({ modulation_frequencies: { "q0:res-q0.ro": { interm_freq: 0 } } }),
  );

  it("integrates the recorded samples (integration divided by its length)", () => {
    const constant = new Float32Array(20_000).fill(0.3);
    const r = simulate(compiled, {
      inputModel: sampledInput([
        { slot: 2, input: 0, samples: constant },
        { slot: 2, input: 1, samples: new Float32Array(20_000).fill(-0.1) },
      ]),
    });
    const a = r.acquisitions["0"]!;
    expect(a.shape).toEqual([1]);
    expect(a.re[0]).toBeCloseTo(0.3, 6);
    expect(a.im[0]).toBeCloseTo(-0.1, 6);
  });

  it("reads zero outside the recording", () => {
    const late = sampledInput([{ slot: 2, input: 0, startNs: 1e9, samples: [1, 1, 1] }]);
    const r = simulate(compiled, { inputModel: late });
    expect(r.acquisitions["0"]!.re[0]).toBe(0);
  });
});
