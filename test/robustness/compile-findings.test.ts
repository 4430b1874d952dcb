/**
 * Regression tests for the compile-side findings of issue 9, each with the exact input the fuzzing
 * campaign reported: a typed error with code, path and hint — never an abort, an untyped exception,
 * or a program that does not assemble.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { MAX_INPUT_DEPTH } from "../../src/core/input-guard.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { assemble } from "../../src/q1/assembler.js";
import { MAX_SAMPLED_NS } from "../../src/schedule/waveforms.js";

const hw = JSON.parse(readFileSync(new URL("../../hardware-configs/baseband-transmon.json", import.meta.url), "utf8"));
const R = { "q0.01": { freq: 6.0e9 }, "q0.ro": { freq: 150e6 } };
const S = (items: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  name: "fuzz",
  repetitions: 1,
  resources: R,
  schedulables: items.map((operation) => ({ operation })),
  ...extra,
});
const mw = { port: "q0:mw", clock: "q0.01" };
const res = { port: "q0:res", clock: "q0.ro" };

function fails(schedule: unknown): Q1ForgeError {
  let caught: unknown;
  try {
    compile(schedule, hw);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Q1ForgeError);
  const e = caught as Q1ForgeError;
  expect(e.hint).toBeTruthy();
  return e;
}

describe("limits are checked before memory is allocated", () => {
  it("APPEND with coords in a loop of 4294967295 repetitions → OUT_OF_BINS (no coords pushed)", () => {
    const e = fails(
      S([
        {
          type: "LoopOperation",
          repetitions: 4294967295,
          body: {
            schedulables: [
              {
                operation: {
                  type: "SSBIntegrationComplex",
                  duration: "1 us",
                  ...res,
                  acq_channel: 0,
                  bin_mode: "append",
                  coords: { a: 1 },
                },
              },
            ],
          },
        },
      ]),
    );
    expect(e.code).toBe("OUT_OF_BINS");
    expect(e.path).toBe("/schedulables/0/operation/body/schedulables/0/operation");
  });

  it("weights [1] at a sampling_rate of 1 Hz → WAVEFORM_TOO_LONG at weights_a", () => {
    const e = fails(
      S([
        {
          type: "NumericalSeparatedWeightedIntegration",
          weights_a: [1],
          weights_b: [1],
          weights_sampling_rate: 1,
          ...res,
          acq_channel: 0,
          bin_mode: "average",
        },
      ]),
    );
    expect(e.code).toBe("WAVEFORM_TOO_LONG");
    expect(e.path).toBe("/schedulables/0/operation/weights_a");
    expect(e.message).toBe(
      `NumericalSeparatedWeightedIntegration "NumericalSeparatedWeightedIntegration" would need 1000000000 weight samples at 1 GS/s, more than the ${MAX_SAMPLED_NS} q1forge samples for one pulse (a sequencer holds 16384)`,
    );
  });

  it.each([
    ["100 ms GaussPulse", { type: "GaussPulse", G_amp: 0.5, phase: 0, duration: "100 ms", ...mw }, 100_000_000],
    ["1 s GaussPulse", { type: "GaussPulse", G_amp: 0.5, phase: 0, duration: "1 s", ...mw }, 1_000_000_000],
    [
      "0.3 s zero-amplitude chirp",
      { type: "ChirpPulse", amp: 0, duration: "0.3 s", start_freq: 0, end_freq: 1e6, ...mw },
      300_000_000,
    ],
  ])("%s → WAVEFORM_TOO_LONG before sampling", (_name, op, n) => {
    const before = process.memoryUsage().rss;
    const e = fails(S([op]));
    expect(e.code).toBe("WAVEFORM_TOO_LONG");
    expect(e.path).toBe("/schedulables/0/operation");
    expect(e.message).toContain(`would need ${n} waveform samples`);
    expect(process.memoryUsage().rss - before).toBeLessThan(200e6);
  });
});

describe("every numeric input is finite and in range; a successful compile always assembles", () => {
  it("RampPulse of duration 4294967296 (seconds) → TIME_OUT_OF_RANGE, not an Invalid typed array length", () => {
    const e = fails(S([{ type: "RampPulse", amp: 0.5, offset: 0, duration: 4294967296, ...mw }]));
    expect(e.code).toBe("TIME_OUT_OF_RANGE");
    expect(e.path).toBe("/schedulables/0/operation/duration");
  });

  it.each([
    ["1e308", 1e308],
    ['"1e400 s"', "1e400 s"],
  ])("duration %s → TIME_OUT_OF_RANGE (no `move Infinity`)", (_n, duration) => {
    const e = fails(S([{ type: "IdlePulse", duration }]));
    expect(e.code).toBe("TIME_OUT_OF_RANGE");
    expect(e.path).toBe("/schedulables/0/operation/duration");
  });

  it("a LoopOperation of 2^32 repetitions → IMMEDIATE_OUT_OF_RANGE at the loop (no `move 4294967296`)", () => {
    const e = fails(
      S([
        {
          type: "LoopOperation",
          repetitions: 4294967296,
          body: { schedulables: [{ operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw } }] },
        },
      ]),
    );
    expect(e.code).toBe("IMMEDIATE_OUT_OF_RANGE");
    expect(e.path).toBe("/schedulables/0/operation");
    expect(e.message).toBe(
      '"LoopOperation" needs `move` with the operand 4294967296 on cluster0_module1.seq0 (q0:mw-q0.01), which is not a 32-bit integer',
    );
  });

  it("2^32 schedule repetitions → IMMEDIATE_OUT_OF_RANGE at /repetitions", () => {
    const e = fails(S([{ type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw }], { repetitions: 4294967296 }));
    expect(e.code).toBe("IMMEDIATE_OUT_OF_RANGE");
    expect(e.path).toBe("/repetitions");
  });

  it("a latency correction of 1e308 → typed error, never `wait NaN`", () => {
    const h = structuredClone(hw);
    h.hardware_options = { ...h.hardware_options, latency_corrections: { "q0:mw-q0.01": 1e308 } };
    let caught: unknown;
    try {
      compile(S([{ type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw }]), h);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Q1ForgeError);
  });

  it("NaN through the API → NOT_FINITE at the field", () => {
    const e = fails(S([{ type: "SquarePulse", amp: NaN, duration: "20 ns", ...mw }]));
    expect(e.code).toBe("NOT_FINITE");
    expect(e.path).toBe("/schedulables/0/operation/amp");
    expect(e.message).toBe(
      "the schedule gives amp = NaN at /schedulables/0/operation/amp, which is not a finite number",
    );
  });

  it("Infinity in a hardware config through the API → NOT_FINITE at the field", () => {
    const h = structuredClone(hw);
    h.hardware_options = { ...h.hardware_options, latency_corrections: { "q0:mw-q0.01": Infinity } };
    let caught: unknown;
    try {
      compile(S([{ type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw }]), h);
    } catch (e) {
      caught = e;
    }
    expect((caught as Q1ForgeError).code).toBe("NOT_FINITE");
    expect((caught as Q1ForgeError).path).toBe("/hardware_options/latency_corrections/q0:mw-q0.01");
  });

  it("loops of 2^32 − 1 repetitions compile and every program assembles", () => {
    const c = compile(
      S([
        {
          type: "LoopOperation",
          repetitions: 4294967295,
          body: { schedulables: [{ operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw } }] },
        },
      ]),
      hw,
    );
    const seq = c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!;
    expect(seq.sequence.program).toContain("move 4294967295,");
    expect(() => assemble(seq.sequence.program, { moduleType: "QCM" })).not.toThrow();
  });
});

describe("deep nesting and prototype keys", () => {
  const nest = (n: number, kind: "Schedule" | "LoopOperation") => {
    let b: Record<string, unknown> = { type: "SquarePulse", amp: 0.5, duration: "20 ns", ...mw };
    for (let i = 0; i < n; i++)
      b =
        kind === "Schedule"
          ? { type: "Schedule", name: `s${i}`, schedulables: [{ operation: b }] }
          : { type: "LoopOperation", repetitions: 1, body: { schedulables: [{ operation: b }] } };
    return S([b]);
  };

  it.each([
    ["Schedule", 1186],
    ["Schedule", 70],
    ["LoopOperation", 3000],
  ] as const)("%s nested %i deep → NESTING_TOO_DEEP, not a stack overflow", (kind, n) => {
    const e = fails(nest(n, kind));
    expect(e.code).toBe("NESTING_TOO_DEEP");
    expect(e.message).toContain("nests");
  });

  it(`the depth limit is ${MAX_INPUT_DEPTH} JSON levels`, () => {
    expect(MAX_INPUT_DEPTH).toBe(264);
    expect(() => compile(nest(20, "LoopOperation"), hw)).not.toThrow();
  });

  it('acq_channel "__proto__" → RESERVED_NAME (the channel never vanishes)', () => {
    const e = fails(
      S([{ type: "SSBIntegrationComplex", duration: "1 us", ...res, acq_channel: "__proto__", bin_mode: "average" }]),
    );
    expect(e.code).toBe("RESERVED_NAME");
    expect(e.path).toBe("/schedulables/0/operation/acq_channel");
  });

  it('a clock named "constructor" → RESERVED_NAME at the resource, not a bogus INCONSISTENT_CLOCK', () => {
    const e = fails({
      name: "fuzz",
      repetitions: 1,
      resources: { constructor: { freq: 100e6 } },
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "constructor" } },
      ],
    });
    expect(e.code).toBe("RESERVED_NAME");
    expect(e.path).toBe("/resources/constructor");
  });

  it('"__proto__" as a key of the hardware config (from JSON text) → RESERVED_NAME', () => {
    const h = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    let caught: unknown;
    try {
      compile(S([{ type: "IdlePulse", duration: "20 ns" }]), { ...structuredClone(hw), ...h });
    } catch (e) {
      caught = e;
    }
    expect((caught as Q1ForgeError).code).toBe("RESERVED_NAME");
    expect((caught as Q1ForgeError).path).toBe("/__proto__");
  });
});

describe("found by the 100,000-input campaign (seed 20261201)", () => {
  it("input 86378: a distortion filter's sampling_rate of 2^53 → BAD_SAMPLING_RATE before resampling (took 13 s)", () => {
    const h = JSON.parse(
      readFileSync(new URL("../../hardware-configs/mixed-flux-markers.json", import.meta.url), "utf8"),
    ) as { hardware_options: { distortion_corrections: Record<string, { sampling_rate: number }> } };
    h.hardware_options.distortion_corrections["q1:fl-cl0.baseband"]!.sampling_rate = 9007199254740992;
    const schedule = JSON.parse(
      readFileSync(new URL("../../examples/schedules/mixed-flux-markers.json", import.meta.url), "utf8"),
    ) as unknown;
    let caught: unknown;
    try {
      compile(schedule, h);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Q1ForgeError);
    expect((caught as Q1ForgeError).code).toBe("BAD_SAMPLING_RATE");
    expect((caught as Q1ForgeError).message).toContain(
      "sampling_rate 9007199254740992 S/s is over the 64000000000 S/s q1forge resamples waveforms to",
    );
  });
});

describe("found when the final check was disabled (100,000 inputs, seed 20261201)", () => {
  it("input 71338: a latency correction of -1 s on q0:res-q0.ro (`wait 1000000004` elsewhere) → PROGRAM_DOES_NOT_ASSEMBLE", () => {
    const h = JSON.parse(
      readFileSync(new URL("../../hardware-configs/mixed-flux-markers.json", import.meta.url), "utf8"),
    ) as { hardware_options: { latency_corrections: Record<string, number> } };
    h.hardware_options.latency_corrections["q0:res-q0.ro"] = -1;
    const schedule = JSON.parse(
      readFileSync(new URL("../../examples/schedules/mixed-flux-markers.json", import.meta.url), "utf8"),
    ) as unknown;
    let caught: unknown;
    try {
      compile(schedule, h);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Q1ForgeError);
    expect((caught as Q1ForgeError).code).toBe("PROGRAM_DOES_NOT_ASSEMBLE");
    expect((caught as Q1ForgeError).message).toContain("(`wait 1000000004`)");
  });
});
