/**
 * Benchmark workloads rebuilt from quantify-scheduler's profiling suite (issue: compiler core):
 *  (a) two readout port-clocks × 1,000 × (SquarePulse 120 ns + SSBIntegrationComplex), 1 µs apart
 *  (b) resonator spectroscopy: 200 × (SetClockFrequency + 2 µs square pulse + acquisition), 400 repetitions
 *  (c) 100 × LoopOperation(1,000 × (200 µs idle, DRAG 20 ns, 2 µs readout pulse + acquisition))
 *  (d) a flat schedule of 100,000 pulses spread over 6 sequencers
 */
type Json = Record<string, unknown>;

/** One cluster: QCM (slot 1) for drive, QRM (slot 2) for readout; everything baseband, NCO at the clock. */
export function benchHardware(): Json {
  return {
    config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
    version: "0.2",
    hardware_description: {
      cluster0: {
        instrument_type: "Cluster",
        ref: "internal",
        modules: { "1": { instrument_type: "QCM" }, "2": { instrument_type: "QRM" } },
      },
    },
    hardware_options: {},
    connectivity: {
      graph: [
        ["cluster0.module1.complex_output_0", ["q0:mw", "q1:mw", "q2:mw"]],
        ["cluster0.module1.complex_output_1", ["q3:mw", "q4:mw", "q5:mw"]],
        ["cluster0.module2.complex_output_0", ["q0:res", "q1:res"]],
        ["cluster0.module2.complex_input_0", ["q0:res", "q1:res"]],
      ],
    },
  };
}

const resources = {
  "q0.ro": { freq: 150e6 },
  "q1.ro": { freq: 180e6 },
  "q0.01": { freq: 100e6 },
  "q1.01": { freq: 110e6 },
  "q2.01": { freq: 120e6 },
  "q3.01": { freq: 130e6 },
  "q4.01": { freq: 140e6 },
  "q5.01": { freq: 150e6 },
};

function measure(
  q: number,
  pulseNs: number,
  acqNs: number,
  channel: number,
  binMode: "average" | "append" = "average",
): Json {
  return {
    type: "Composite",
    name: `Measure q${q}`,
    pulse_info: [{ type: "SquarePulse", amp: 0.25, duration: pulseNs * 1e-9, port: `q${q}:res`, clock: `q${q}.ro` }],
    acquisition_info: [
      {
        type: "SSBIntegrationComplex",
        t0: 100e-9,
        duration: acqNs * 1e-9,
        port: `q${q}:res`,
        clock: `q${q}.ro`,
        acq_channel: channel,
        bin_mode: binMode,
      },
    ],
  };
}

export function workloadA(): Json {
  const schedulables: Json[] = [];
  for (let k = 0; k < 1000; k++) {
    schedulables.push({
      label: `m0_${k}`,
      operation: "m0",
      ...(k === 0 ? {} : { ref_schedulable: `m0_${k - 1}`, ref_pt: "start", rel_time: 1e-6 }),
    });
    schedulables.push({ label: `m1_${k}`, operation: "m1", ref_schedulable: `m0_${k}`, ref_pt: "start" });
  }
  return {
    name: "workload-a",
    repetitions: 1,
    resources,
    operations: { m0: measure(0, 120, 500, 0), m1: measure(1, 120, 500, 1) },
    schedulables,
  };
}

export function workloadB(): Json {
  const schedulables: Json[] = [];
  for (let k = 0; k < 200; k++) {
    const f = 100e6 + k * 0.5e6;
    schedulables.push({
      label: `f${k}`,
      operation: { type: "SetClockFrequency", clock: "q0.ro", clock_freq_new: f },
      ...(k === 0 ? {} : { ref_schedulable: `m${k - 1}`, ref_pt: "start", rel_time: 5e-6 }),
    });
    schedulables.push({ label: `m${k}`, operation: "m", ref_schedulable: `f${k}`, ref_pt: "start" });
  }
  schedulables.push({ operation: { type: "IdlePulse", duration: 4e-6 }, ref_schedulable: "m199", ref_pt: "start" });
  return {
    name: "workload-b",
    repetitions: 400,
    resources,
    operations: { m: measure(0, 2000, 1000, 0) },
    schedulables,
  };
}

export function workloadC(): Json {
  const body = {
    schedulables: [
      { label: "idle", operation: { type: "IdlePulse", duration: 200e-6 } },
      {
        label: "x",
        operation: {
          type: "DRAGPulse",
          G_amp: 0.5,
          D_amp: 0.05,
          phase: 0,
          duration: 20e-9,
          port: "q0:mw",
          clock: "q0.01",
        },
      },
      { label: "m", operation: measure(0, 2000, 1000, 0) },
    ],
  };
  const schedulables: Json[] = [];
  for (let k = 0; k < 100; k++)
    schedulables.push({
      label: `loop${k}`,
      operation: { type: "LoopOperation", name: `loop ${k}`, repetitions: 1000, body },
    });
  return { name: "workload-c", repetitions: 1, resources, schedulables };
}

export function workloadD(): Json {
  const ports = ["q0", "q1", "q2", "q3", "q4", "q5"];
  const schedulables: Json[] = [];
  const perSeq = Math.ceil(100_000 / ports.length);
  let n = 0;
  for (let k = 0; k < perSeq && n < 100_000; k++) {
    for (let p = 0; p < ports.length && n < 100_000; p++, n++) {
      const q = ports[p]!;
      schedulables.push({
        label: `p${n}`,
        operation: {
          type: "GaussPulse",
          G_amp: 0.1 + 0.1 * (k % 5),
          phase: 0,
          duration: 20e-9,
          port: `${q}:mw`,
          clock: `${q}.01`,
        },
        ...(n === 0
          ? {}
          : {
              ref_schedulable: p === 0 ? `p${n - ports.length}` : `p${n - 1}`,
              ref_pt: "start",
              rel_time: p === 0 ? 40e-9 : 0,
            }),
      });
    }
  }
  return { name: "workload-d", repetitions: 1, resources, schedulables };
}

export const WORKLOADS = { a: workloadA, b: workloadB, c: workloadC, d: workloadD } as const;

/* ------------------------------------------------------------------ gate level (issue 10) */

/**
 * Gate-level workloads of quantify's profiling suite (docs/source/dev/profiling/*.py), compiled with
 * a device: every compile loads the device (quantify's serialized QuantumDevice, nested JSON strings)
 * and lowers the gates, as quantify's device compilation is part of its figures.
 *  (e) random_gates: Reset, 4,000 random X / X90 / Y on q0, Measure (quantify 1.09 s)
 *  (f) loops_with_measurements: 100 × (Reset, LoopOperation(1,000 × Reset–X–Measure)) (2.61 s)
 *  (g) multidim_batched_sweep: 640 setpoints (16 × 2 × 20) of a two-qubit conditional oscillation
 *      with a flux pulse, Measure APPEND, compiled in batches of at most 60 (3.08 s cumulative)
 */
export interface GateWorkload {
  /** compiled one after the other; the figure is their sum */
  batches: Json[];
  hardware: Json;
  /** quantify's QuantumDevice.to_json() form, parsed */
  device: Json;
}

interface ElementParams {
  f01: number;
  ro: number;
  amp180: number;
  motzoi?: number;
  rxyDuration: number;
  pulseAmp?: number;
  pulseDuration: number;
  acqDelay: number;
  integrationTime: number;
  acqChannel: number;
  resetDuration?: number;
}

/** A BasicTransmonElement as quantify serializes it inside a QuantumDevice (a JSON string). */
function quantifyElement(q: string, p: ElementParams): string {
  return JSON.stringify({
    deserialization_type: "quantify_scheduler.device_under_test.transmon_element.BasicTransmonElement",
    mode: "__init__",
    data: {
      name: q,
      reset: { duration: p.resetDuration ?? 200e-6 },
      rxy: { amp180: p.amp180, motzoi: p.motzoi ?? 0, duration: p.rxyDuration },
      measure: {
        pulse_type: "SquarePulse",
        pulse_amp: p.pulseAmp ?? 0.25,
        pulse_duration: p.pulseDuration,
        acq_channel: p.acqChannel,
        acq_delay: p.acqDelay,
        integration_time: p.integrationTime,
        reset_clock_phase: true,
        acq_weights_a: { deserialization_type: "ndarray", mode: "__init__", data: [] },
        acq_weights_b: { deserialization_type: "ndarray", mode: "__init__", data: [] },
        acq_weights_sampling_rate: null,
        acq_weight_type: "SSB",
        acq_rotation: 0,
        acq_threshold: 0,
      },
      ports: { microwave: `${q}:mw`, flux: `${q}:fl`, readout: `${q}:res` },
      clock_freqs: { f01: p.f01, f12: "__NaN__", readout: p.ro },
    },
  }).replace('"__NaN__"', "NaN");
}

function quantifyDevice(elements: Record<string, ElementParams>, edges: Record<string, string> = {}): Json {
  return {
    deserialization_type: "quantify_scheduler.device_under_test.quantum_device.QuantumDevice",
    data: {
      name: "bench_device",
      elements: Object.fromEntries(Object.entries(elements).map(([q, p]) => [q, quantifyElement(q, p)])),
      edges,
      cfg_sched_repetitions: "1",
    },
  };
}

/** QCM-RF (slot 10) for drive, QCM (slot 11) for flux, QRM-RF (slot 12) for readout. */
function rfHardware(qubits: string[], flux: boolean): Json {
  const modulation: Record<string, unknown> = {};
  for (const q of qubits) {
    modulation[`${q}:mw-${q}.01`] = { interm_freq: 50e6 };
    // several readout port-clocks share one output and its LO: fix the LO, the NCOs follow
    modulation[`${q}:res-${q}.ro`] = qubits.length > 1 ? { lo_freq: 7.4e9 } : { interm_freq: 50e6 };
  }
  const graph: unknown[] = [
    ["cluster0.module12.complex_output_0", qubits.map((q) => `${q}:res`)],
    ["cluster0.module12.complex_input_0", qubits.map((q) => `${q}:res`)],
  ];
  qubits.forEach((q, i) => graph.push([`cluster0.module10.complex_output_${i}`, `${q}:mw`]));
  if (flux) qubits.forEach((q, i) => graph.push([`cluster0.module11.real_output_${i}`, `${q}:fl`]));
  return {
    config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
    version: "0.2",
    hardware_description: {
      cluster0: {
        instrument_type: "Cluster",
        ref: "internal",
        modules: {
          "10": { instrument_type: "QCM_RF" },
          "11": { instrument_type: "QCM" },
          "12": { instrument_type: "QRM_RF" },
        },
      },
    },
    hardware_options: { modulation_frequencies: modulation },
    connectivity: { graph },
  };
}

/** Deterministic pseudo-random numbers (a 32-bit LCG), so every run compiles the same schedule. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function workloadE(): GateWorkload {
  const rand = lcg(2024);
  const gates = ["X", "X90", "Y"] as const;
  const schedulables: Json[] = [{ operation: { type: "Reset", qubit: "q0" } }];
  for (let k = 0; k < 4000; k++)
    schedulables.push({ operation: { type: gates[Math.floor(rand() * 3)]!, qubit: "q0" } });
  schedulables.push({ operation: { type: "Measure", qubit: "q0" } });
  return {
    batches: [{ name: "Complex Sequencing", repetitions: 1, schedulables }],
    hardware: rfHardware(["q0"], false),
    device: quantifyDevice({
      q0: {
        f01: 5e9,
        ro: 7e9,
        amp180: 0.1,
        motzoi: 0.1,
        rxyDuration: 20e-9,
        pulseDuration: 1e-7,
        acqDelay: 1.2e-7,
        integrationTime: 2e-8,
        acqChannel: 0,
      },
    }),
  };
}

export function workloadF(): GateWorkload {
  const schedulables: Json[] = [];
  for (let i = 0; i < 100; i++) {
    schedulables.push({ operation: { type: "Reset", qubit: "q0" } });
    // a new sub-schedule per loop, as the profiling script builds them (acq_index differs)
    const body = {
      type: "Schedule",
      name: `Subschedule ${i}`,
      schedulables: [
        { operation: { type: "Reset", qubit: "q0" } },
        { operation: { type: "X", qubit: "q0" } },
        { operation: { type: "Measure", qubit: "q0", acq_index: i } },
      ],
    };
    schedulables.push({ operation: { type: "LoopOperation", repetitions: 1000, body }, rel_time: 1e-6 });
  }
  return {
    batches: [{ name: "Schedule", repetitions: 1, schedulables }],
    hardware: rfHardware(["q0"], false),
    device: quantifyDevice({
      q0: {
        f01: 4e9,
        ro: 6e9,
        amp180: 0.5,
        rxyDuration: 20e-9,
        pulseDuration: 2e-6,
        acqDelay: 0,
        integrationTime: 1e-6,
        acqChannel: 0,
      },
    }),
  };
}

export function workloadG(): GateWorkload {
  const reps = 16;
  const rotations = [1, 2 * Math.PI];
  const phases = Array.from({ length: 20 }, (_, i) => 1 + ((2 * Math.PI - 1) * i) / 19);
  // setpoints_grid([repetition, spectator_rotation, phase]): the first settable varies fastest
  const points: { rotation: number; phase: number }[] = [];
  for (let p = 0; p < phases.length; p++)
    for (let r = 0; r < rotations.length; r++)
      for (let k = 0; k < reps; k++) points.push({ rotation: rotations[r]!, phase: phases[p]! });
  const batches: Json[] = [];
  for (let start = 0; start < points.length; start += 60) {
    const schedulables: Json[] = [];
    points.slice(start, start + 60).forEach(({ rotation, phase }, i) => {
      schedulables.push({ label: `Reset ${i}`, operation: { type: "Reset", qubit: ["q0", "q1"] } });
      schedulables.push({
        label: `initial oscillation qubit pulse ${i}`,
        operation: { type: "Rxy", theta: 90, phi: 0, qubit: "q0" },
      });
      schedulables.push({
        label: `initial spectator qubit pulse ${i}`,
        operation: { type: "Rxy", theta: rotation, phi: 0, qubit: "q1" },
        ref_pt: "start",
      });
      schedulables.push({
        operation: { type: "SoftSquarePulse", duration: 20e-9, amp: 0.1, port: "q1:fl", clock: "cl0.baseband" },
      });
      schedulables.push({
        label: `final oscillation qubit pulse ${i}`,
        operation: { type: "Rxy", theta: 90, phi: phase, qubit: "q0" },
        ref_schedulable: `initial oscillation qubit pulse ${i}`,
        rel_time: 100e-9,
      });
      schedulables.push({
        label: `final spectator qubit pulse ${i}`,
        operation: { type: "Rxy", theta: rotation, phi: 0, qubit: "q1" },
        ref_pt: "start",
      });
      schedulables.push({
        label: `Measure ${i}`,
        operation: { type: "Measure", qubit: ["q0", "q1"], acq_index: i, bin_mode: "append" },
      });
    });
    batches.push({ name: "Conditional oscillation", repetitions: 1, schedulables });
  }
  const element = (f01: number, ro: number, acqChannel: number): ElementParams => ({
    f01,
    ro,
    amp180: 0.14,
    rxyDuration: 48e-9,
    pulseAmp: 0.125,
    pulseDuration: 3e-6,
    acqDelay: 40e-9,
    integrationTime: 2.8e-6,
    acqChannel,
  });
  return {
    batches,
    hardware: rfHardware(["q0", "q1"], true),
    device: quantifyDevice({ q0: element(9.1e9, 7.45e9, 0), q1: element(9.2e9, 7.48e9, 1) }),
  };
}

export const GATE_WORKLOADS = { e: workloadE, f: workloadF, g: workloadG } as const;
