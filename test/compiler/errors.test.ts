/**
 * Bad input (compiler-core issue, "Bad input"): every case raises a typed Q1ForgeError whose code,
 * message, JSON path and hint name the offending item.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import {
  FrequencyError,
  HardwareConfigError,
  InputParseError,
  Q1ForgeError,
  ResourceLimitError,
  ScheduleError,
  TimingError,
  ValueRangeError,
} from "../../src/core/errors.js";
import { loadHardwareConfig, parseHardwareConfigJson } from "../../src/hardware/load.js";
import { parseScheduleJson } from "../../src/schedule/parse.js";
import { basebandHardware, RESOURCES } from "./fixtures.js";
import { expectQ1Error, nestedLoops, schedule } from "../fixtures/bad-input.js";

type ErrorClass = abstract new (...args: never[]) => Q1ForgeError;

/** Run `f`, expecting a Q1ForgeError of class `cls` with this code and path; returns it. */
function fails(f: () => unknown, cls: ErrorClass, code: string, path: string | null): Q1ForgeError {
  const err = expectQ1Error(f);
  expect(err).toBeInstanceOf(cls);
  expect({ code: err.code, path: err.path }).toEqual({ code, path });
  expect(err.hint?.length ?? 0).toBeGreaterThan(0);
  expect(err.message).not.toMatch(/\n\s+at /); // never a stack trace in the message
  return err;
}

const hw = basebandHardware();
const mw = (extra: Record<string, unknown> = {}) => ({
  type: "SquarePulse",
  amp: 0.5,
  duration: "20 ns",
  port: "q0:mw",
  clock: "q0.01",
  ...extra,
});

describe("bad input: parsing", () => {
  it("malformed JSON → InputParseError with line and column", () => {
    const err = fails(
      () => parseScheduleJson('{\n  "name": "x",\n  "schedulables": [,]\n}', "s.json"),
      InputParseError,
      "INPUT_PARSE",
      "line 3, column 20",
    );
    expect(err.message).toMatch(/^s\.json is not valid JSON: /);
    expect(err.details).toEqual({ line: 3, column: 20 });
  });

  it("malformed hardware config JSON → InputParseError with line and column", () => {
    const err = fails(
      () => parseHardwareConfigJson('{\n  "version": "0.2",\n}'),
      InputParseError,
      "INPUT_PARSE",
      "line 3, column 1",
    );
    expect(err.message.startsWith("Hardware config is not valid JSON: ")).toBe(true);
  });

  it("unknown operation type → ScheduleError UNKNOWN_OPERATION at the operation", () => {
    const err = fails(
      () =>
        compile(
          schedule([{ operation: { type: "SqarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } }]),
          hw,
        ),
      ScheduleError,
      "UNKNOWN_OPERATION",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe('unknown operation type "SqarePulse" at /schedulables/0/operation');
    expect(err.hint).toContain("SquarePulse");
  });

  it("unknown hardware config version → HardwareConfigError UNKNOWN_VERSION", () => {
    const err = fails(
      () => loadHardwareConfig({ ...hw, version: "0.3" }),
      HardwareConfigError,
      "UNKNOWN_VERSION",
      "/version",
    );
    expect(err.message).toBe("Unknown hardware config version '0.3'.");
    expect(err.hint).toContain('"0.1", "0.2"');
  });
});

describe("bad input: clocks and frequencies", () => {
  it("clock not in resources → ScheduleError UNKNOWN_CLOCK naming operation and clock", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw({ name: "x180", clock: "q9.01" }) }]), hw),
      ScheduleError,
      "UNKNOWN_CLOCK",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe('operation "x180" (SquarePulse) uses clock "q9.01", which is not defined in resources');
  });

  it("clock without frequency → FrequencyError CLOCK_WITHOUT_FREQUENCY at the resource", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw() }], { resources: { "q0.01": { freq: null } } }), hw),
      FrequencyError,
      "CLOCK_WITHOUT_FREQUENCY",
      "/resources/q0.01",
    );
    expect(err.message).toBe('clock "q0.01" used by port-clock q0:mw-q0.01 (cluster0_module1.seq0) has no frequency');
  });

  it("700 MHz clock on a baseband module without LO → FrequencyError NCO_OUT_OF_RANGE", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw() }], { resources: { "q0.01": { freq: "700 MHz" } } }), hw),
      FrequencyError,
      "NCO_OUT_OF_RANGE",
      "/hardware_options/modulation_frequencies/q0:mw-q0.01",
    );
    expect(err.message).toBe(
      "port-clock q0:mw-q0.01 (cluster0_module1.seq0) needs an NCO frequency of 700 MHz, outside ±500 MHz",
    );
  });
});

describe("bad input: connectivity and modules", () => {
  it("port-clock not in the connectivity → HardwareConfigError PORT_NOT_CONNECTED naming operation and port-clock", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw({ name: "x_q7", port: "q7:mw" }) }]), hw),
      HardwareConfigError,
      "PORT_NOT_CONNECTED",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe(
      "Port 'q7:mw' (port-clock 'q7:mw-q0.01') was not found in the connectivity graph. (operation \"x_q7\" at /schedulables/0/operation)",
    );
  });

  it("SSB acquisition routed to a QCM → HardwareConfigError ACQUISITION_ON_CONTROL_MODULE", () => {
    const acq = {
      type: "SSBIntegrationComplex",
      name: "measure_mw",
      duration: "1 us",
      port: "q0:mw",
      clock: "q0.01",
      acq_channel: 0,
    };
    const err = fails(
      () => compile(schedule([{ operation: acq }]), hw),
      HardwareConfigError,
      "ACQUISITION_ON_CONTROL_MODULE",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe(
      'acquisition "measure_mw" on port-clock q0:mw-q0.01 is routed to cluster0_module1 (QCM), which cannot acquire',
    );
  });

  it("7 port-clocks on one QRM output → ResourceLimitError OUT_OF_SEQUENCERS naming the module", () => {
    const clocks = Object.fromEntries(Array.from({ length: 7 }, (_, k) => [`ro${k}`, { freq: 100e6 + k * 10e6 }]));
    const items = Array.from({ length: 7 }, (_, k) => ({
      operation: { type: "SquarePulse", amp: 0.1, duration: "20 ns", port: "q0:res", clock: `ro${k}` },
    }));
    const err = fails(
      () => compile(schedule(items, { resources: clocks }), hw),
      ResourceLimitError,
      "OUT_OF_SEQUENCERS",
      "cluster0_module2",
    );
    expect(err.message).toBe(
      "Cannot reserve a sequencer on cluster0_module2 (QRM, 6 sequencers) for port-clock 'q0:res-ro6' (channel complex_output_0 + complex_input_0); " +
        "port-clocks on this module: q0:res-ro0, q0:res-ro1, q0:res-ro2, q0:res-ro3, q0:res-ro4, q0:res-ro5, q0:res-ro6.",
    );
  });
});

describe("bad input: timing", () => {
  it("start time off the 1 ns grid (rel_time 1.5 ns) → TimingError OFF_GRID at rel_time", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw() }, { operation: mw(), rel_time: "1.5 ns" }]), hw),
      TimingError,
      "OFF_GRID",
      "/schedulables/1/rel_time",
    );
    expect(err.message).toBe('time "1.5 ns" (1.5 ns) at /schedulables/1/rel_time is not on the 1 ns grid');
  });

  it("center reference on an odd duration → TimingError OFF_GRID naming the schedulable", () => {
    const err = fails(
      () =>
        compile(
          schedule([
            { label: "a", operation: mw({ duration: "21 ns" }) },
            { label: "b", operation: mw(), ref_pt: "center" },
          ]),
          hw,
        ),
      TimingError,
      "OFF_GRID",
      "/schedulables/1",
    );
    expect(err.message).toBe('schedulable "b" would start at 10.5 ns, which is not on the 1 ns grid');
  });

  it("cyclic ref_schedulable → TimingError CYCLIC_REFERENCE listing the labels", () => {
    const err = fails(
      () =>
        compile(
          schedule([
            { label: "a", operation: mw(), ref_schedulable: "b" },
            { label: "b", operation: mw(), ref_schedulable: "a" },
          ]),
          hw,
        ),
      TimingError,
      "CYCLIC_REFERENCE",
      "/schedulables/0",
    );
    expect(err.message).toBe("timing constraints form a cycle: a → b → a");
  });

  it("dangling ref_schedulable → TimingError DANGLING_REFERENCE at the reference", () => {
    const err = fails(
      () =>
        compile(
          schedule([
            { label: "a", operation: mw() },
            { label: "b", operation: mw(), ref_schedulable: "nope" },
          ]),
          hw,
        ),
      TimingError,
      "DANGLING_REFERENCE",
      "/schedulables/1/ref_schedulable",
    );
    expect(err.message).toBe('schedulable "b" refers to unknown label "nope"');
    expect(err.hint).toBe("refer to a label of this schedule (a, b)");
  });

  it("two waveform pulses overlapping on one port-clock are stacked (summed), not rejected", () => {
    const c = compile(
      schedule([
        { label: "a", operation: mw({ name: "long", duration: "40 ns" }) },
        { operation: mw({ name: "short", amp: 0.25 }), ref_schedulable: "a", ref_pt: "start", rel_time: "20 ns" },
      ]),
      hw,
    );
    const program = c.clusters.cluster0!.modules.cluster0_module1!.sequencers.seq0!.sequence.program;
    const body = program
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter(Boolean)
      .slice(7, 12);
    // [0, 20): 0.5 alone; [20, 40): 0.5 + 0.25, both as 20-sample square waveforms sharing one shape
    expect(body).toEqual(["set_awg_gain 16384,0", "play 0,0,4", "wait 16", "set_awg_gain 24576,0", "play 0,0,4"]);
  });

  it("an acquisition inside another's 300 ns spacing → TimingError ACQUISITIONS_TOO_CLOSE naming both", () => {
    const acq = (name: string) => ({
      type: "SSBIntegrationComplex",
      name,
      duration: "200 ns",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: 0,
    });
    const err = fails(
      () =>
        compile(
          schedule([
            { label: "a", operation: acq("first") },
            { operation: acq("second"), ref_schedulable: "a", ref_pt: "start", rel_time: "100 ns" },
          ]),
          hw,
        ),
      TimingError,
      "ACQUISITIONS_TOO_CLOSE",
      "/schedulables/1/operation",
    );
    expect(err.message).toContain('"second"');
    expect(err.message).toContain('"first"');
  });

  it("a pulse 2 ns into the 4 ns slot of a voltage offset → TimingError OVERLAPPING_OPERATIONS", () => {
    const err = fails(
      () =>
        compile(
          schedule([
            {
              label: "o",
              operation: {
                type: "VoltageOffset",
                name: "offset",
                offset_path_I: 0.1,
                offset_path_Q: 0,
                port: "q0:mw",
                clock: "q0.01",
              },
            },
            { operation: mw({ name: "late" }), ref_schedulable: "o", rel_time: "2 ns" },
            { operation: { type: "IdlePulse", duration: "20 ns" } },
          ]),
          hw,
        ),
      TimingError,
      "OVERLAPPING_OPERATIONS",
      "/schedulables/1/operation",
    );
    expect(err.message).toBe(
      'operation "late" starts at 2 ns, but the sequencer cluster0_module1.seq0 (q0:mw-q0.01) is busy until 4 ns',
    );
  });

  it("a pulse 2 ns after the header's 4 ns upd_param slot → TimingError GAP_TOO_SHORT", () => {
    const err = fails(
      () =>
        compile(
          schedule([{ operation: { type: "IdlePulse", duration: "2 ns" } }, { operation: mw({ name: "early" }) }]),
          hw,
        ),
      TimingError,
      "GAP_TOO_SHORT",
      "/schedulables/1/operation",
    );
    expect(err.message).toBe(
      '"early" starts 2 ns after the previous real-time instruction slot on cluster0_module1.seq0 (q0:mw-q0.01); the sequencer needs 0 or ≥ 4 ns',
    );
  });

  it("a pulse 2 ns after a loop starts (no instruction to absorb the gap) → TimingError GAP_TOO_SHORT", () => {
    const loop = {
      type: "LoopOperation",
      name: "sweep",
      repetitions: 3,
      body: {
        schedulables: [{ operation: { type: "IdlePulse", duration: "2 ns" } }, { operation: mw({ name: "in_loop" }) }],
      },
    };
    const err = fails(
      () => compile(schedule([{ operation: mw() }, { operation: loop }]), hw),
      TimingError,
      "GAP_TOO_SHORT",
      "/schedulables/1/operation/body/schedulables/1/operation",
    );
    expect(err.message).toBe(
      '"in_loop" starts 2 ns after the previous real-time instruction slot on cluster0_module1.seq0 (q0:mw-q0.01); the sequencer needs 0 or ≥ 4 ns',
    );
  });
});

describe("bad input: values", () => {
  it("gain > 1 → ValueRangeError AMPLITUDE_OUT_OF_RANGE naming the pulse", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw({ name: "too_loud", amp: 1.5 }) }]), hw),
      ValueRangeError,
      "AMPLITUDE_OUT_OF_RANGE",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe('"too_loud" (SquarePulse) reaches amplitude 1.5, outside [-1, 1] of full scale');
  });

  it("a long square pulse (played as offsets) with amplitude > 1 → the same error, naming the pulse", () => {
    const err = fails(
      () => compile(schedule([{ operation: mw({ name: "long_loud", amp: 1.5, duration: "200 ns" }) }]), hw),
      ValueRangeError,
      "AMPLITUDE_OUT_OF_RANGE",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe('"long_loud" (SquarePulse) reaches amplitude 1.5, outside [-1, 1] of full scale');
  });

  it("a VoltageOffset beyond full scale → range error naming the operation", () => {
    const offset = {
      type: "VoltageOffset",
      name: "too_far",
      offset_path_I: 1.2,
      offset_path_Q: 0,
      port: "q0:mw",
      clock: "q0.01",
    };
    const err = fails(
      () => compile(schedule([{ operation: offset }, { operation: { type: "IdlePulse", duration: "20 ns" } }]), hw),
      ValueRangeError,
      "OFFSET_OUT_OF_RANGE",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe(
      'offset path I is 1.2; it must be within -1.0..1.0 (normalised to the output range). (operation "too_far")',
    );
  });
});

describe("bad input: resource limits", () => {
  it("17 distinct 1,000-sample waveforms → ResourceLimitError WAVEFORM_MEMORY_EXCEEDED at the 17th", () => {
    // ramps with different offsets: distinct normalised shapes, each 1,000 samples
    const items = Array.from({ length: 17 }, (_, k) => ({
      operation: {
        type: "RampPulse",
        name: `ramp${k}`,
        amp: 0.5,
        offset: 0.01 * (k + 1),
        duration: "1 us",
        port: "q0:mw",
        clock: "q0.01",
      },
    }));
    const err = fails(
      () => compile(schedule(items), hw),
      ResourceLimitError,
      "WAVEFORM_MEMORY_EXCEEDED",
      "/schedulables/16/operation",
    );
    expect(err.message).toBe(
      'waveform of "ramp16" brings q0:mw-q0.01 (cluster0_module1.seq0) to 17000 samples, over the limit of 16384',
    );
  });

  it("an unrolled schedule over 16,384 instructions → ResourceLimitError INSTRUCTION_LIMIT_EXCEEDED at the crossing op", () => {
    // header 7 + set_awg_gain 1, then play + wait per pulse: pulse k's play is instruction 9 + 2k → 16,385 at k = 8188
    const items = Array.from({ length: 8200 }, (_, k) => ({ operation: mw({ name: `p${k}` }), rel_time: "20 ns" }));
    const err = fails(
      () => compile(schedule(items), hw),
      ResourceLimitError,
      "INSTRUCTION_LIMIT_EXCEEDED",
      "/schedulables/8188/operation",
    );
    expect(err.message).toBe(
      'program of cluster0_module1.seq0 (q0:mw-q0.01) has 16410 instructions, over the QCM limit of 16384; the limit was crossed at "p8188"',
    );
  });

  it("instructionLimit 'warn' turns the same program into a warning", () => {
    const items = Array.from({ length: 8200 }, (_, k) => ({ operation: mw({ name: `p${k}` }), rel_time: "20 ns" }));
    const c = compile(schedule(items), hw, { instructionLimit: "warn" });
    expect(c.diagnostics.warnings).toEqual([
      {
        code: "INSTRUCTION_LIMIT_EXCEEDED",
        path: "/schedulables/8188/operation",
        message:
          'program of cluster0_module1.seq0 (q0:mw-q0.01) has 16410 instructions, over the QCM limit of 16384; the limit was crossed at "p8188"',
      },
    ]);
  });

  it("64 nested LoopOperations → ResourceLimitError OUT_OF_REGISTERS at the innermost loop", () => {
    // R0 is the repetition loop; loops L0…L62 take R1…R63, L63 finds none left
    const { items, innermostPath } = nestedLoops(64, mw({ name: "deep" }));
    const err = fails(() => compile(schedule(items), hw), ResourceLimitError, "OUT_OF_REGISTERS", innermostPath);
    expect(err.message).toBe('"L63" needs a Q1 register on cluster0_module1.seq0 (q0:mw-q0.01), but all 64 are in use');
  });

  it("63 nested LoopOperations still compile (64 registers in use)", () => {
    const { items } = nestedLoops(63, mw({ name: "deep" }));
    const c = compile(schedule(items), hw);
    expect(c.diagnostics.resources[0]!.registers).toBe(64);
  });

  it("APPEND acquisitions × repetitions > 100,000 per index → ResourceLimitError OUT_OF_BINS", () => {
    const acq = {
      type: "SSBIntegrationComplex",
      name: "ro",
      duration: "1 us",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: 0,
      bin_mode: "append",
    };
    const err = fails(
      () => compile(schedule([{ operation: acq }], { repetitions: 100_001 }), hw),
      ResourceLimitError,
      "OUT_OF_BINS",
      "/schedulables/0/operation",
    );
    expect(err.message).toBe(
      'acquisition "ro" on q0:res-q0.ro needs 100001 bins for acq_channel 0 (limit 100000 per acquisition index)',
    );
  });

  it("APPEND bins over 131,072 on one sequencer → ResourceLimitError OUT_OF_BINS naming the op that crossed", () => {
    const acq = (ch: number) => ({
      type: "SSBIntegrationComplex",
      name: `ro${ch}`,
      duration: "1 us",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: ch,
      bin_mode: "append",
    });
    const err = fails(
      () => compile(schedule([{ operation: acq(0) }, { operation: acq(1) }], { repetitions: 70_000 }), hw),
      ResourceLimitError,
      "OUT_OF_BINS",
      "/schedulables/1/operation",
    );
    expect(err.message).toBe(
      'acquisition "ro1" on q0:res-q0.ro needs 140000 bins on cluster0_module2.seq0 (limit 131072)',
    );
  });
});

describe("bad input: fixtures sanity", () => {
  it("the minimal schedule used above compiles", () => {
    const c = compile(schedule([{ operation: mw() }]), hw);
    expect(c.repetition_duration_ns).toBe(20);
    expect(Object.keys(RESOURCES)).toContain("q0.01");
  });
});
