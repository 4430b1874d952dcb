/**
 * End to end at gate level: quantify's serialized QuantumDevice file and a quantify Schedule file
 * (test/device/data/, written in quantify's to_json form) compiled and emulated.
 */
import { describe, expect, it } from "vitest";
import { compile as compileVerified } from "../../src/compile.js";
import { compile } from "../../src/compiler/index.js";
import { ScheduleError } from "../../src/core/errors.js";
import { parseDeviceJson, parsePythonJson } from "../../src/device/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import { importQuantifySchedule, isQuantifySchedule } from "../../src/schedule/quantify-import.js";
import { quantifyDeviceText, quantifyScheduleText, twoQubitHardware } from "../device/fixtures.js";

const device = parseDeviceJson(quantifyDeviceText());
const quantifySchedule = parsePythonJson(quantifyScheduleText(), "schedule");

/** The same experiment written in the q1forge schedule format with gates. */
const NATIVE = {
  name: "gates_2q",
  repetitions: 3,
  schedulables: [
    { label: "reset", operation: { type: "Reset", name: "Reset q0, q1", qubit: ["q0", "q1"] } },
    { operation: { type: "X", qubit: "q0" } },
    { operation: { type: "X90", qubit: "q1" } },
    { label: "cz", operation: { type: "CZ", qC: "q0", qT: "q1" } },
    {
      label: "flux",
      operation: { type: "SquarePulse", amp: 0.2, duration: 2e-8, port: "q1:fl", clock: "cl0.baseband" },
      ref_schedulable: "cz",
      rel_time: 4e-8,
    },
    { operation: { type: "Y", qubit: "q0" } },
    { operation: { type: "Rz", name: "Rz(45, 'q1')", theta: 45, qubit: "q1" } },
    { operation: { type: "Measure", qubit: ["q0", "q1"], bin_mode: "average" }, rel_time: 1e-7 },
  ],
};

describe("quantify Schedule import", () => {
  it("detects the serialized form", () => {
    expect(isQuantifySchedule(quantifySchedule)).toBe(true);
    expect(isQuantifySchedule(NATIVE)).toBe(false);
  });
  it("maps operation_dict, schedulables and resource_dict", () => {
    const doc = importQuantifySchedule(quantifySchedule) as {
      name: string;
      repetitions: number;
      operations: Record<string, unknown>;
      schedulables: unknown[];
      resources?: unknown;
    };
    expect(doc.name).toBe("gates_2q");
    expect(doc.repetitions).toBe(3);
    expect(doc.resources).toBeUndefined(); // only the built-in clocks
    expect(doc.operations["X(qubit='q0')"]).toEqual({ type: "Rxy", name: "X q0", theta: -180, phi: 0, qubit: "q0" });
    expect(doc.operations["CZ(qC='q0',qT='q1')"]).toEqual({ type: "CZ", name: "CZ (q0, q1)", qC: "q0", qT: "q1" });
    expect(
      doc.operations[
        "SquarePulse(amp=0.2,duration=2e-08,port='q1:fl',clock='cl0.baseband',reference_magnitude=None,t0=0)"
      ],
    ).toEqual({
      type: "Composite",
      name: "SquarePulse",
      pulse_info: [{ type: "SquarePulse", t0: 0, duration: 2e-8, port: "q1:fl", clock: "cl0.baseband", amp: 0.2 }],
    });
    expect(Object.values(doc.operations).at(-1)).toEqual({
      type: "Measure",
      name: "Measure q0, q1",
      qubit: ["q0", "q1"],
      bin_mode: "average",
      acq_index: [0, 0],
    });
    expect(doc.schedulables[4]).toEqual({
      label: "flux",
      operation: "SquarePulse(amp=0.2,duration=2e-08,port='q1:fl',clock='cl0.baseband',reference_magnitude=None,t0=0)",
      ref_schedulable: "6a1c2e4e-0004-4d5e-9a11-000000000004",
      ref_pt: "end",
      rel_time: 4e-8,
    });
  });
  it("compiles to the same programs as the native gate schedule", () => {
    const a = compile(quantifySchedule, twoQubitHardware(), { device });
    const b = compile(NATIVE, twoQubitHardware(), { device });
    // equal but for the source maps, which point into each document (operations vs schedulables)
    const programs = (c: typeof a) =>
      JSON.stringify(c.clusters, (k, v: unknown) => (k === "source_map" ? undefined : v));
    expect(programs(a)).toBe(programs(b));
    expect(a.acquisitions).toEqual(b.acquisitions);
    expect(a.repetition_duration_ns).toBe(100000 + 40 + 40 + 40 + 40 + 20 + 40 + 100 + 2100);
  });
  it("names an operation it cannot import", () => {
    const s = structuredClone(quantifySchedule) as { data: { operation_dict: Record<string, unknown> } };
    s.data.operation_dict["X(qubit='q0')"] = {
      deserialization_type: "quantify_scheduler.operations.gate_library.CNOT",
      data: { name: "CNOT (q0, q1)", gate_info: { qubits: ["q0", "q1"], operation_type: "CNOT" }, pulse_info: [] },
    };
    try {
      compile(s, twoQubitHardware(), { device });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleError);
      expect((e as ScheduleError).code).toBe("UNSUPPORTED_QUANTIFY_OPERATION");
      expect((e as ScheduleError).path).toBe("/data/operation_dict/X(qubit='q0')/data/gate_info");
      expect((e as ScheduleError).message).toBe(
        'gate "CNOT (q0, q1)" (operation_type "CNOT") cannot be imported from the quantify schedule',
      );
    }
  });
});

describe("quantify device + quantify schedule, emulated", () => {
  const compiled = compile(quantifySchedule, twoQubitHardware(), { device, verify: false });
  // schedule time 0 is emulator time 16 ns (wait_sync 4, upd_param 4, latency wait 4, reset_ph/upd_param 4)
  const fromNs = 100_000;
  const r = simulate(compiled, { from: fromNs * 1e-9, to: (fromNs + 2600) * 1e-9 });
  const mw = r.clusters["cluster0"]!.modules["cluster0_module2"]!.outputs;
  const flux = r.clusters["cluster0"]!.modules["cluster0_module3"]!.outputs;
  const play = (op: string) => r.events.find((e) => e.kind === "play" && e.operation === op)!;
  const mag = (outs: Float32Array[], dac: number, ns: number) =>
    Math.hypot(outs[dac]![ns - fromNs]!, outs[dac + 1]![ns - fromNs]!);

  it("runs every sequencer without errors and plays the gates in order", () => {
    for (const m of Object.values(r.clusters["cluster0"]!.modules))
      for (const s of Object.values(m.sequencers)) expect(s.err_flags).toEqual([]);
    expect(
      r.events
        .filter((e) => e.kind === "play" && e.startNs < fromNs + 400)
        .map((e) => [e.operation, e.portClock, e.startNs, e.durationNs]),
    ).toEqual([
      ["X q0", "q0:mw-q0.01", 100_016, 40],
      ["X_90 q1", "q1:mw-q1.01", 100_056, 40],
      ["CZ (q0, q1)", "q0:fl-cl0.baseband", 100_096, 40],
      ["SquarePulse", "q1:fl-cl0.baseband", 100_176, 20],
      ["Y q0", "q0:mw-q0.01", 100_196, 40],
    ]);
  });

  it("X90's DRAG amplitude is half of X's to the LSB (envelope peak at the pulse centre)", () => {
    const x = play("X q0");
    const x90 = play("X_90 q1");
    const peakX = mag(mw, 0, x.startNs + 20);
    const peakX90 = mag(mw, 2, x90.startNs + 20);
    // RF output: |out| = √½·|envelope|; envelope peak = |G_amp| = 0.1 (X, θ = −180) and 0.05 (X90)
    expect(peakX).toBeCloseTo(Math.SQRT1_2 * 0.1, 4);
    expect(Math.abs(peakX / 2 - peakX90)).toBeLessThanOrEqual(1 / 32768);
    for (let k = 0; k < 40; k++) {
      const a = mag(mw, 0, x.startNs + k);
      const b = mag(mw, 2, x90.startNs + k);
      expect(Math.abs(a / 2 - b)).toBeLessThanOrEqual(1 / 32768);
    }
  });

  it("CZ: a 0.1 flux square on q0:fl for 40 ns", () => {
    const cz = play("CZ (q0, q1)");
    // QCM real output 0 through the NCO at 0 Hz: √½·amplitude
    expect(flux[0]![cz.startNs - fromNs + 10]).toBeCloseTo(Math.SQRT1_2 * 0.1, 4);
    expect(flux[0]![cz.startNs - fromNs + 40]).toBe(0);
  });

  it("the package's compile verifies the gate-level programs in the emulator (verify: true)", () => {
    const c = compileVerified(quantifySchedule, twoQubitHardware(), {
      device: parseDeviceJson(quantifyDeviceText()),
      verify: true,
    });
    expect(c.diagnostics.stage_ms["4-verify"]).toBeGreaterThanOrEqual(0);
    expect(c.diagnostics.stage_ms["1-schedule/gates"]).toBeGreaterThanOrEqual(0);
  });

  it("Measure: both acquisition channels, averaged over the 3 repetitions", () => {
    expect(Object.keys(r.acquisitions).sort()).toEqual(["0", "1"]);
    for (const ch of ["0", "1"]) {
      expect(r.acquisitions[ch]!.protocol).toBe("SSBIntegrationComplex");
      expect(r.acquisitions[ch]!.bin_mode).toBe("average");
      expect(r.acquisitions[ch]!.shape).toEqual([1]);
    }
  });
});

describe("quantify Schedule import, pulse level, with a LoopOperation", () => {
  const op = (cls: string, data: Record<string, unknown>) => ({
    deserialization_type: `quantify_scheduler.operations.${cls}`,
    data: { gate_info: {}, pulse_info: [], acquisition_info: [], logic_info: {}, ...data },
  });
  const drag = {
    wf_func: "quantify_scheduler.waveforms.drag",
    G_amp: 0.2,
    D_amp: 0.02,
    phase: 0,
    nr_sigma: 4,
    sigma: null,
    reference_magnitude: null,
    duration: 2e-8,
    t0: 0,
    port: "q0:mw",
    clock: "q0.01",
  };
  const schedulable = (name: string, operation_id: string, tc: Record<string, unknown> = {}) => ({
    deserialization_type: "quantify_scheduler.schedules.schedule.Schedulable",
    data: {
      name,
      operation_id,
      timing_constraints: [{ rel_time: 0, ref_schedulable: null, ref_pt_new: null, ref_pt: null, ...tc }],
    },
  });
  const body = {
    deserialization_type: "quantify_scheduler.schedules.schedule.Schedule",
    data: {
      name: "body",
      repetitions: 1,
      operation_dict: {
        drag: op("pulse_library.DRAGPulse", { name: "DRAGPulse", pulse_info: [drag] }),
        shift: op("pulse_library.ShiftClockPhase", {
          name: "ShiftClockPhase",
          pulse_info: [{ wf_func: null, phase_shift: 90, clock: "q0.01", port: null, t0: 0, duration: 0 }],
        }),
        idle: op("pulse_library.IdlePulse", {
          name: "IdlePulse",
          pulse_info: [{ wf_func: null, t0: 0, duration: 1e-7, port: null, clock: "cl0.baseband" }],
        }),
      },
      schedulables: { a: schedulable("a", "drag"), b: schedulable("b", "shift"), c: schedulable("c", "idle") },
      resource_dict: {},
    },
  };
  const quantify = {
    deserialization_type: "quantify_scheduler.schedules.schedule.Schedule",
    data: {
      name: "loop",
      repetitions: 2,
      operation_dict: {
        reset: op("pulse_library.ResetClockPhase", {
          name: "ResetClockPhase",
          pulse_info: [{ wf_func: null, reset_clock_phase: true, clock: "q0.01", port: null, t0: 0, duration: 0 }],
        }),
        loop: op("control_flow_library.LoopOperation", {
          name: "LoopOperation",
          control_flow_info: { body, repetitions: 5, t0: 0 },
        }),
        measure: op("operation.Operation", {
          name: "readout",
          pulse_info: [
            {
              wf_func: "quantify_scheduler.waveforms.square",
              amp: 0.3,
              duration: 3e-7,
              t0: 0,
              port: "q0:res",
              clock: "q0.ro",
              reference_magnitude: null,
            },
          ],
          acquisition_info: [
            {
              waveforms: [],
              t0: 1e-7,
              clock: "q0.ro",
              port: "q0:res",
              duration: 2e-7,
              phase: 0,
              acq_channel: 0,
              acq_index: 0,
              bin_mode: "append",
              protocol: "SSBIntegrationComplex",
              acq_return_type: "complex",
            },
          ],
        }),
      },
      schedulables: {
        r: schedulable("r", "reset"),
        l: schedulable("l", "loop", { rel_time: 4e-8 }),
        m: schedulable("m", "measure"),
      },
      resource_dict: {
        "q0.01": {
          deserialization_type: "quantify_scheduler.resources.ClockResource",
          data: { name: "q0.01", type: "ClockResource", freq: 5.1e9, phase: 0 },
        },
        "q0.ro": {
          deserialization_type: "quantify_scheduler.resources.ClockResource",
          data: { name: "q0.ro", type: "ClockResource", freq: 7.6e9, phase: 0 },
        },
      },
    },
  };
  const native = {
    name: "loop",
    repetitions: 2,
    resources: { "q0.01": { freq: 5.1e9 }, "q0.ro": { freq: 7.6e9 } },
    schedulables: [
      { operation: { type: "ResetClockPhase", clock: "q0.01" } },
      {
        rel_time: 4e-8,
        operation: {
          type: "LoopOperation",
          name: "LoopOperation",
          repetitions: 5,
          body: {
            schedulables: [
              {
                operation: {
                  type: "DRAGPulse",
                  name: "DRAGPulse",
                  G_amp: 0.2,
                  D_amp: 0.02,
                  phase: 0,
                  nr_sigma: 4,
                  duration: 2e-8,
                  port: "q0:mw",
                  clock: "q0.01",
                },
              },
              { operation: { type: "ShiftClockPhase", name: "ShiftClockPhase", phase_shift: 90, clock: "q0.01" } },
              { operation: { type: "IdlePulse", name: "IdlePulse", duration: 1e-7 } },
            ],
          },
        },
      },
      {
        operation: {
          type: "Composite",
          name: "readout",
          pulse_info: [{ type: "SquarePulse", amp: 0.3, duration: 3e-7, port: "q0:res", clock: "q0.ro" }],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: 1e-7,
              duration: 2e-7,
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
              bin_mode: "append",
            },
          ],
        },
      },
    ],
  };
  it("compiles (no device needed) to the same programs as the native schedule", () => {
    const a = compile(quantify, twoQubitHardware());
    const b = compile(native, twoQubitHardware());
    const programs = (c: typeof a) =>
      JSON.stringify(c.clusters, (k, v: unknown) => (k === "source_map" ? undefined : v));
    expect(programs(a)).toBe(programs(b));
    expect(a.acquisitions).toEqual(b.acquisitions);
    expect(a.repetition_duration_ns).toBe(40 + 5 * 120 + 300);
    const seq = a.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.sequence.program;
    expect(seq).toContain("move 5,R1");
    expect(seq).toContain("set_ph_delta 250000000 # ShiftClockPhase (90 deg)");
  });
});
