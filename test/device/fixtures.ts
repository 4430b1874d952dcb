/**
 * Fixtures for the device and gate tests: a two-qubit RF cluster (QCM-RF drive, QCM flux, QRM-RF
 * readout), a two-qubit device as quantify serializes it (nested JSON strings, NaN literals) and the
 * same device in the q1forge device JSON.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Json = Record<string, unknown>;

export function twoQubitHardware(): Json {
  return {
    config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
    version: "0.2",
    hardware_description: {
      cluster0: {
        instrument_type: "Cluster",
        ref: "internal",
        modules: {
          "2": { instrument_type: "QCM_RF" },
          "3": { instrument_type: "QCM" },
          "4": { instrument_type: "QRM_RF" },
        },
      },
    },
    hardware_options: {
      modulation_frequencies: {
        "q0:mw-q0.01": { interm_freq: 80e6 },
        "q1:mw-q1.01": { interm_freq: 80e6 },
        "q0:res-q0.ro": { lo_freq: 7.5e9 },
        "q1:res-q1.ro": { lo_freq: 7.5e9 },
      },
    },
    connectivity: {
      graph: [
        ["cluster0.module2.complex_output_0", "q0:mw"],
        ["cluster0.module2.complex_output_1", "q1:mw"],
        ["cluster0.module3.real_output_0", "q0:fl"],
        ["cluster0.module3.real_output_1", "q1:fl"],
        ["cluster0.module4.complex_output_0", ["q0:res", "q1:res"]],
        ["cluster0.module4.complex_input_0", ["q0:res", "q1:res"]],
      ],
    },
  };
}

const DATA = join(dirname(fileURLToPath(import.meta.url)), "data");

/**
 * quantify's `QuantumDevice.to_json()` text of the profiling suite's two-qubit device
 * (docs/source/dev/profiling/devices/transmon_device_2q.json, written with Python's json.dumps):
 * elements and edges as nested JSON strings, f12 as a NaN literal inside them.
 */
export function quantifyDeviceText(): string {
  return readFileSync(join(DATA, "transmon_device_2q.json"), "utf8");
}

/** A quantify `Schedule.to_json()` text: Reset–X–X90–CZ–flux square–Y–Rz–Measure on q0, q1. */
export function quantifyScheduleText(): string {
  return readFileSync(join(DATA, "quantify_schedule_2q.json"), "utf8");
}

export const DATA_DIR = DATA;

/** The same device in the q1forge device JSON. */
export function plainDevice(): Json {
  const element = (q: string, f01: number, ro: number, acqChannel: number) => ({
    type: "BasicTransmonElement",
    reset: { duration: "100 us" },
    rxy: { amp180: 0.1, motzoi: 0.05, duration: "40 ns" },
    measure: {
      pulse_type: "SquarePulse",
      pulse_amp: 0.05,
      pulse_duration: "2 us",
      acq_channel: acqChannel,
      acq_delay: "200 ns",
      integration_time: "1.9 us",
      reset_clock_phase: true,
      acq_rotation: 0,
      acq_threshold: 0,
    },
    ports: { microwave: `${q}:mw`, flux: `${q}:fl`, readout: `${q}:res` },
    clock_freqs: { f01, f12: null, readout: ro },
  });
  return {
    name: "device_2q",
    elements: { q0: element("q0", 5.1e9, 7.6e9, 0), q1: element("q1", 5.2e9, 7.7e9, 1) },
    edges: {
      q0_q1: {
        type: "CompositeSquareEdge",
        parent_element_name: "q0",
        child_element_name: "q1",
        cz: { square_amp: 0.1, square_duration: "40 ns", parent_phase_correction: 10, child_phase_correction: 11 },
      },
    },
    cfg_sched_repetitions: 1024,
  };
}

/** A gate-level schedule document with one schedulable per gate, each after the previous. */
export function gateSchedule(name: string, ops: Json[], repetitions = 1): Json {
  return { name, repetitions, schedulables: ops.map((operation) => ({ operation })) };
}
