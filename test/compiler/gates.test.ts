/**
 * Gate-level schedules on the profiling suite's two-qubit device (quantify serialized form):
 * golden programs for each gate, each gate equal to the pulses quantify's device compilation
 * produces for the same element parameters (written out by hand), and the gate errors.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { DeviceConfigError, ScheduleError } from "../../src/core/errors.js";
import { loadDevice, parseDeviceJson } from "../../src/device/index.js";
import { Gates, Ops, ScheduleBuilder } from "../../src/schedule/builder.js";
import { gateSchedule, plainDevice, quantifyDeviceText, twoQubitHardware } from "../device/fixtures.js";

type Json = Record<string, unknown>;
const device = parseDeviceJson(quantifyDeviceText());

function run(ops: Json[], extra: Json = {}): CompiledSchedule {
  return compile({ ...gateSchedule("g", ops), ...extra }, twoQubitHardware(), { device });
}

/** Program lines after the header (from the repetition loop's label). */
function body(c: CompiledSchedule, module: string, seq: string): string[] {
  const p = c.clusters["cluster0"]!.modules[`cluster0_${module}`]!.sequencers[seq]!.sequence.program;
  const lines = p.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(lines.findIndex((l) => l.startsWith("start:")));
}

const Q0_MW = ["module2", "seq0"] as const;
const Q1_MW = ["module2", "seq1"] as const;

/** Each gate between an X90 on q0 and an X90 on q1: the sequencer the gate plays on. */
const GOLDEN: { gate: Json; on: readonly [string, string]; lines: string[] }[] = [
  {
    gate: { type: "X", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_awg_gain -3275,-99", "play 0,1,4 # play X q0 (40 ns)", "wait 76"],
  },
  {
    gate: { type: "Y", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_awg_gain 99,-3275", "play 1,0,4 # play Y q0 (40 ns)", "wait 76"],
  },
  { gate: { type: "X90", qubit: "q0" }, on: Q0_MW, lines: ["play 0,1,4 # play X_90 q0 (40 ns)", "wait 76"] },
  {
    gate: { type: "Y90", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_awg_gain -50,1638", "play 1,0,4 # play Y_90 q0 (40 ns)", "wait 76"],
  },
  {
    gate: { type: "Rxy", theta: 45, phi: 30, qubit: "q0" },
    on: Q0_MW,
    lines: ["set_awg_gain 709,409", "play 2,3,4 # play Rxy(45, 30, 'q0') (40 ns)", "wait 76"],
  },
  {
    gate: { type: "Z", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_ph_delta 500000000 # Z q0 (-180 deg)", "upd_param 4", "wait 36"],
  },
  {
    gate: { type: "Z90", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_ph_delta 250000000 # Z_90 q0 (90 deg)", "upd_param 4", "wait 36"],
  },
  {
    gate: { type: "Rz", theta: "-90 deg", qubit: "q0" },
    on: Q0_MW,
    lines: ["set_ph_delta 750000000 # Rz(-90 deg, 'q0') (-90 deg)", "upd_param 4", "wait 36"],
  },
  {
    gate: { type: "H", qubit: "q0" },
    on: Q0_MW,
    lines: [
      "set_ph_delta 500000000 # Z q0 (-180 deg)",
      "set_awg_gain -50,1638",
      "play 1,0,4 # play Y_90 q0 (40 ns)",
      "wait 76",
    ],
  },
  {
    gate: { type: "CZ", qC: "q0", qT: "q1" },
    on: Q0_MW,
    lines: ["set_ph_delta 27777778 # CZ (q0, q1) (10 deg)", "upd_param 4", "wait 76"],
  },
];

describe("gate golden programs (two-qubit device, X90 q0 · gate · X90 q1)", () => {
  for (const g of GOLDEN) {
    it(`${JSON.stringify(g.gate)}`, () => {
      const c = run([{ type: "X90", qubit: "q0" }, g.gate, { type: "X90", qubit: "q1" }]);
      expect(body(c, ...g.on).map((l) => l.trim())).toEqual([
        "start: reset_ph",
        "upd_param 4",
        "set_awg_gain 1638,50",
        "play 0,1,4 # play X_90 q0 (40 ns)",
        "wait 36",
        ...g.lines,
        "loop R0,@start",
        "stop",
      ]);
    });
  }

  it("CZ: flux square on the parent's flux port and the child's phase correction at the gate start", () => {
    const c = run([
      { type: "X90", qubit: "q0" },
      { type: "CZ", qC: "q1", qT: "q0" },
      { type: "X90", qubit: "q1" },
    ]);
    // CZ is symmetric: CZ(q1, q0) uses edge q0_q1 (parent q0)
    expect(body(c, "module3", "seq0")).toEqual([
      "start: reset_ph",
      " upd_param 4",
      " wait 40",
      " set_awg_gain 3277,0",
      " play 0,0,4 # play CZ (q1, q0) (40 ns)",
      " wait 76",
      " loop R0,@start",
      " stop",
    ]);
    expect(c.clusters["cluster0"]!.modules["cluster0_module3"]!.sequencers["seq0"]!.port_clock).toBe(
      "q0:fl-cl0.baseband",
    );
    expect(body(c, ...Q1_MW)).toEqual([
      "start: reset_ph",
      " upd_param 4",
      " wait 40",
      " set_ph_delta 30555556 # CZ (q1, q0) (11 deg)",
      " upd_param 4",
      " wait 36",
      " set_awg_gain 1638,50",
      " play 0,1,4 # play X_90 q1 (40 ns)",
      " wait 36",
      " loop R0,@start",
      " stop",
    ]);
  });

  it("Measure: reset phase, readout pulse (2 µs, as offsets) and the acquisition 200 ns later for 1.9 µs", () => {
    const c = run([{ type: "Measure", qubit: "q1", acq_channel: 0 }]);
    expect(body(c, "module4", "seq0")).toEqual([
      "start: reset_ph",
      " upd_param 4",
      " reset_ph # Measure q1",
      " set_awg_offs 1638,0 # Measure q1 offset",
      " upd_param 4",
      " wait 196",
      " acquire 0,0,4 # SSBIntegrationComplex Measure q1 (acq_channel 0)",
      " wait 1792",
      " set_awg_offs 0,0 # Measure q1 offset",
      " set_awg_gain 1638,0",
      " play 0,0,4 # play Measure q1 (4 ns)",
      " wait 100",
      " loop R0,@start",
      " stop",
    ]);
    expect(c.clusters["cluster0"]!.modules["cluster0_module4"]!.sequencers["seq0"]!.port_clock).toBe("q1:res-q1.ro");
    expect(c.acquisitions["0"]).toMatchObject({ protocol: "SSBIntegrationComplex", bin_mode: "average" });
    // the operation lasts until the acquisition ends: max(2000, 200 + 1900) ns
    expect(c.repetition_duration_ns).toBe(2100);
  });

  it("Reset: an idle of reset.duration (100 µs)", () => {
    const c = run([
      { type: "Reset", qubit: "q0" },
      { type: "X90", qubit: "q0" },
    ]);
    expect(c.repetition_duration_ns).toBe(100040);
    expect(body(c, ...Q0_MW).map((l) => l.trim())).toEqual([
      "start: reset_ph",
      "upd_param 4",
      "wait 65532 # auto generated wait (100000 ns)",
      "wait 34468",
      "set_awg_gain 1638,50",
      "play 0,1,4 # play X_90 q0 (40 ns)",
      "wait 36",
      "loop R0,@start",
      "stop",
    ]);
  });

  it("IdlePulse between gates", () => {
    const c = run([
      { type: "X90", qubit: "q0" },
      { type: "IdlePulse", duration: "100 ns" },
      { type: "X90", qubit: "q0" },
    ]);
    expect(body(c, ...Q0_MW).map((l) => l.trim())).toEqual([
      "start: reset_ph",
      "upd_param 4",
      "set_awg_gain 1638,50",
      "play 0,1,4 # play X_90 q0 (40 ns)",
      "wait 136",
      "play 0,1,4 # play X_90 q0 (40 ns)",
      "wait 36",
      "loop R0,@start",
      "stop",
    ]);
  });

  it("X90's DRAG gain is half of X's to the LSB (X is θ = −180 after quantify's wrapping)", () => {
    const gains = (gate: string) => {
      const line = body(run([{ type: gate, qubit: "q0" }]), ...Q0_MW).find((l) => l.includes("set_awg_gain"))!;
      return line.trim().split(" ")[1]!.split(",").map(Number);
    };
    const [xi] = gains("X");
    const [x90i] = gains("X90");
    expect(Math.abs(Math.abs(xi!) / 2 - Math.abs(x90i!))).toBeLessThanOrEqual(0.5);
    expect(Math.sign(xi!)).toBe(-1);
  });
});

/**
 * quantify's device compilation of each gate, written out as pulses with the element parameters
 * (rxy_drag_pulse, phase_shift, composite_square_pulse, dispersive_measurement_transmon, IdlePulse):
 * the gate schedule and this pulse schedule compile to the same programs.
 */
describe("gates compile to quantify's device-compiled pulses", () => {
  const res = {
    "q0.01": { freq: 5.1e9 },
    "q1.01": { freq: 5.2e9 },
    "q0.ro": { freq: 7.6e9 },
    "q1.ro": { freq: 7.7e9 },
  };
  const drag = (name: string, q: string, G_amp: number, phase: number) => ({
    type: "Composite",
    name,
    pulse_info: [{ type: "DRAGPulse", G_amp, D_amp: 0.05, phase, duration: 4e-8, port: `${q}:mw`, clock: `${q}.01` }],
  });
  const cases: [string, Json[], Json[]][] = [
    ["X", [{ type: "X", qubit: "q0" }], [drag("X q0", "q0", -0.1, 0)]],
    ["Y", [{ type: "Y", qubit: "q1" }], [drag("Y q1", "q1", -0.1, 90)]],
    [
      "X90 Y90",
      [
        { type: "X90", qubit: "q0" },
        { type: "Y90", qubit: "q0" },
      ],
      [drag("X_90 q0", "q0", 0.05, 0), drag("Y_90 q0", "q0", 0.05, 90)],
    ],
    ["Rxy(270, -30)", [{ type: "Rxy", name: "r", theta: 270, phi: -30, qubit: "q0" }], [drag("r", "q0", -0.05, 330)]],
    [
      "Rz + X",
      [
        { type: "Rz", name: "rz", theta: 200, qubit: "q0" },
        { type: "X", qubit: "q0" },
      ],
      [
        { type: "Composite", name: "rz", pulse_info: [{ type: "ShiftClockPhase", phase_shift: -160, clock: "q0.01" }] },
        drag("X q0", "q0", -0.1, 0),
      ],
    ],
    [
      "CZ",
      [
        { type: "X", qubit: "q1" },
        { type: "CZ", qC: "q0", qT: "q1" },
        { type: "X", qubit: "q0" },
      ],
      [
        drag("X q1", "q1", -0.1, 0),
        {
          type: "Composite",
          name: "CZ (q0, q1)",
          pulse_info: [
            { type: "SquarePulse", amp: 0.1, duration: 4e-8, port: "q0:fl", clock: "cl0.baseband" },
            { type: "ShiftClockPhase", phase_shift: 10, clock: "q0.01" },
            { type: "ShiftClockPhase", phase_shift: 11, clock: "q1.01" },
          ],
        },
        drag("X q0", "q0", -0.1, 0),
      ],
    ],
    [
      "Reset Measure",
      [
        { type: "Reset", qubit: ["q0", "q1"] },
        { type: "Measure", qubit: ["q0", "q1"], bin_mode: "append" },
      ],
      [
        {
          type: "Composite",
          name: "Reset q0, q1",
          pulse_info: [
            { type: "IdlePulse", duration: 1e-4 },
            { type: "IdlePulse", duration: 1e-4 },
          ],
        },
        {
          type: "Composite",
          name: "Measure q0, q1",
          pulse_info: [
            { type: "ResetClockPhase", clock: "q0.ro" },
            { type: "SquarePulse", amp: 0.05, duration: 2e-6, port: "q0:res", clock: "q0.ro" },
            { type: "ResetClockPhase", clock: "q1.ro" },
            { type: "SquarePulse", amp: 0.05, duration: 2e-6, port: "q1:res", clock: "q1.ro" },
          ],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: 2e-7,
              duration: 1.9e-6,
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
              bin_mode: "append",
            },
            {
              type: "SSBIntegrationComplex",
              t0: 2e-7,
              duration: 1.9e-6,
              port: "q1:res",
              clock: "q1.ro",
              acq_channel: 1,
              bin_mode: "append",
            },
          ],
        },
      ],
    ],
  ];
  for (const [name, gates, pulses] of cases) {
    it(name, () => {
      const a = compile(gateSchedule(name, gates, 4), twoQubitHardware(), { device });
      const b = compile({ ...gateSchedule(name, pulses, 4), resources: res }, twoQubitHardware());
      expect(a.clusters).toEqual(b.clusters);
      expect(a.acquisitions).toEqual(b.acquisitions);
      expect(a.repetition_duration_ns).toBe(b.repetition_duration_ns);
    });
  }

  it("the q1forge device JSON compiles the same programs as quantify's serialized device", () => {
    const ops = [
      { type: "Reset", qubit: "q0" },
      { type: "H", qubit: "q0" },
      { type: "CZ", qC: "q0", qT: "q1" },
      { type: "Measure", qubit: ["q0", "q1"] },
    ];
    const a = compile(gateSchedule("d", ops), twoQubitHardware(), { device });
    const b = compile(gateSchedule("d", ops), twoQubitHardware(), { device: plainDevice() });
    expect(a.clusters).toEqual(b.clusters);
  });

  it("Measure protocols: thresholded, trace and weighted from the element's weights", () => {
    const d = plainDevice() as { elements: Record<string, { measure: Json }> };
    Object.assign(d.elements["q0"]!.measure, {
      // one integration length per sequencer: 1900 samples, as integration_time
      acq_weights_a: new Array<number>(1900).fill(0.5),
      acq_weights_b: new Array<number>(1900).fill(0.25),
      acq_weights_sampling_rate: 1e9,
      acq_rotation: 30,
      acq_threshold: 0.002,
    });
    const dev = loadDevice(d);
    const c = compile(
      gateSchedule("p", [
        { type: "Measure", qubit: "q0", acq_protocol: "ThresholdedAcquisition", acq_channel: 0 },
        { type: "Measure", qubit: "q0", acq_protocol: "NumericalWeightedIntegration", acq_channel: 1 },
        { type: "Measure", qubit: "q0", acq_protocol: "Trace", acq_channel: 2 },
      ]),
      twoQubitHardware(),
      { device: dev },
    );
    expect(Object.fromEntries(Object.entries(c.acquisitions).map(([k, v]) => [k, [v.protocol, v.bin_mode]]))).toEqual({
      "0": ["ThresholdedAcquisition", "average"],
      // quantify's dispersive measurement averages unless the gate says otherwise
      "1": ["NumericalWeightedIntegration", "average"],
      "2": ["Trace", "average"],
    });
    const seq = c.clusters["cluster0"]!.modules["cluster0_module4"]!.sequencers["seq0"]!;
    expect(seq.settings.thresholded_acq_rotation).toBe(30);
    expect(seq.sequence.program).toContain("acquire_weighed");
  });
});

describe("gate errors", () => {
  const err = (f: () => unknown): ScheduleError | DeviceConfigError => {
    try {
      f();
    } catch (e) {
      return e as ScheduleError;
    }
    throw new Error("no error");
  };
  it("a gate on an unknown element", () => {
    const e = err(() =>
      run([
        { type: "X90", qubit: "q0" },
        { type: "X", qubit: "q7" },
      ]),
    );
    expect(e).toBeInstanceOf(ScheduleError);
    expect(e.code).toBe("UNKNOWN_ELEMENT");
    expect(e.path).toBe("/schedulables/1/operation");
    expect(e.message).toBe('gate "X q7" acts on "q7", which is not an element of device "device_2q"');
    expect(e.hint).toBe("use one of the device's elements: q0, q1");
  });
  it("a CZ on an undefined edge", () => {
    const d = plainDevice() as Json & { elements: Record<string, Json> };
    d.elements["q2"] = { ...d.elements["q1"]!, ports: { microwave: "q2:mw", flux: "q2:fl", readout: "q2:res" } };
    const e = err(() =>
      compile(gateSchedule("e", [{ type: "CZ", qC: "q2", qT: "q0" }]), twoQubitHardware(), { device: d }),
    );
    expect(e.code).toBe("UNDEFINED_EDGE");
    expect(e.path).toBe("/schedulables/0/operation");
    expect(e.message).toBe(
      'gate "CZ (q2, q0)" needs the edge "q2_q0" (or "q0_q2"), which device "device_2q" does not define',
    );
    expect(e.hint).toBe('add a CompositeSquareEdge "q2_q0" to the device or use one of its edges: q0_q1');
  });
  it("a device element missing a parameter the gate needs, named", () => {
    const d = plainDevice() as { elements: Record<string, { rxy: Json; clock_freqs: Json }> };
    d.elements["q1"]!.rxy["amp180"] = null;
    const e = err(() => compile(gateSchedule("e", [{ type: "Y90", qubit: "q1" }]), twoQubitHardware(), { device: d }));
    expect(e).toBeInstanceOf(DeviceConfigError);
    expect(e.code).toBe("MISSING_DEVICE_PARAMETER");
    expect(e.path).toBe("/elements/q1/rxy/amp180");
    expect(e.message).toBe('gate "Y_90 q1" needs q1.rxy.amp180, which the device does not define (null or NaN)');
    expect(e.details).toMatchObject({ parameter: "rxy.amp180", schedule_path: "/schedulables/0/operation" });
  });
  it("a clock frequency the device leaves NaN, named", () => {
    const text = quantifyDeviceText().replace('\\"f01\\": 5100000000.0', '\\"f01\\": NaN');
    const e = err(() =>
      compile(gateSchedule("e", [{ type: "X", qubit: "q0" }]), twoQubitHardware(), { device: parseDeviceJson(text) }),
    );
    expect(e.code).toBe("MISSING_DEVICE_PARAMETER");
    expect(e.path).toBe("/elements/q0/clock_freqs/f01");
    expect(e.message).toBe(
      'gate "X q0" needs q0.clock_freqs.f01 (the frequency of clock "q0.01"), which the device does not define (null or NaN)',
    );
  });
  it("weighted Measure without weights names measure.acq_weights_a", () => {
    const e = err(() => run([{ type: "Measure", qubit: "q0", acq_protocol: "NumericalSeparatedWeightedIntegration" }]));
    expect(e.code).toBe("MISSING_DEVICE_PARAMETER");
    expect(e.path).toBe("/elements/q0/measure/acq_weights_a");
  });
  it("a misspelt gate field is a schema error naming it (the gate schemas are discriminated by type)", () => {
    const e = err(() => run([{ type: "Rxy", theta: 90, phi: 0, qubit: "q0", axis: "x" }]));
    expect(e.code).toBe("SCHEMA_VALIDATION");
    expect(e.path).toBe("/schedulables/0/operation");
    expect(e.message).toBe(
      'schedule does not match the schema at /schedulables/0/operation: unknown field "axis" (allowed: type, name, t0, theta, phi, qubit)',
    );
  });
  it("an unknown operation type lists the gates among the valid types", () => {
    const e = err(() => run([{ type: "CNOT", qC: "q0", qT: "q1" }]));
    expect(e.code).toBe("UNKNOWN_OPERATION");
    expect(e.hint).toContain("X, Y, X90, Y90, Rxy, Z, Z90, Rz, H, CZ, Measure, Reset");
  });
  it("a gate without a device", () => {
    const e = err(() => compile(gateSchedule("e", [{ type: "Reset", qubit: "q0" }]), twoQubitHardware()));
    expect(e.code).toBe("GATE_WITHOUT_DEVICE");
    expect(e.path).toBe("/schedulables/0/operation");
  });
  it("a schedule clock that contradicts the device", () => {
    const e = err(() => run([{ type: "X", qubit: "q0" }], { resources: { "q0.01": { freq: "5.2 GHz" } } }));
    expect(e.code).toBe("INCONSISTENT_CLOCK_FREQUENCY");
    expect(e.path).toBe("/resources/q0.01/freq");
  });
});

describe("ScheduleBuilder gate helpers", () => {
  it("write quantify's argument names and compile with the device", () => {
    const s = new ScheduleBuilder("b", { repetitions: 2 });
    s.add(Gates.reset("q0", "q1"));
    s.add(Gates.x("q0"));
    s.add(Gates.rxy(90, 0, "q1"));
    s.add(Gates.cz("q0", "q1"));
    s.loop(3, (body) => body.add(Gates.y90("q0")));
    s.add(Gates.measure("q0", { acq_channel: 0, bin_mode: "append" }));
    s.add(Ops.idle("100 ns"));
    const doc = s.toJSON();
    expect(doc.schedulables.map((x) => x.operation)).toEqual([
      { type: "Reset", qubit: ["q0", "q1"] },
      { type: "X", qubit: "q0" },
      { type: "Rxy", theta: 90, phi: 0, qubit: "q1" },
      { type: "CZ", qC: "q0", qT: "q1" },
      { type: "LoopOperation", repetitions: 3, body: { schedulables: [{ operation: { type: "Y90", qubit: "q0" } }] } },
      { type: "Measure", qubit: "q0", acq_channel: 0, bin_mode: "append" },
      { type: "IdlePulse", duration: "100 ns" },
    ]);
    const c = compile(doc, twoQubitHardware(), { device });
    expect(c.repetition_duration_ns).toBe(100000 + 40 + 40 + 40 + 3 * 40 + 2100 + 100);
  });
});
