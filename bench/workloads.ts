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
