/** Shared fixtures for compiler tests: a baseband cluster (QCM slot 1, QRM slot 2) and schedule helpers. */
import type { CompiledSchedule, CompiledSequencer } from "../../src/contract/compiled-schedule.js";

export function basebandHardware(extraOptions: Record<string, unknown> = {}): Record<string, unknown> {
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
    hardware_options: { ...extraOptions },
    connectivity: {
      graph: [
        ["cluster0.module1.complex_output_0", "q0:mw"],
        ["cluster0.module1.complex_output_1", "q1:mw"],
        ["cluster0.module1.real_output_2", "q0:fl"],
        ["cluster0.module2.complex_output_0", ["q0:res", "q1:res", "q2:res"]],
        ["cluster0.module2.complex_input_0", ["q0:res", "q1:res", "q2:res"]],
      ],
    },
  };
}

export const RESOURCES = {
  "q0.01": { freq: 100e6 },
  "q1.01": { freq: 120e6 },
  "q0.ro": { freq: 150e6 },
  "q1.ro": { freq: 170e6 },
  "q2.ro": { freq: 190e6 },
};

/** The nested-loops golden schedule (3 × (Gauss, 5 × (phase step, Gauss, idle))), compiled in test/compiler and simulated in test/e2e. */
export const NESTED_LOOPS = {
  name: "nested",
  repetitions: 2,
  resources: RESOURCES,
  schedulables: [
    {
      operation: {
        type: "LoopOperation",
        repetitions: 3,
        body: {
          schedulables: [
            { operation: { type: "GaussPulse", G_amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
            {
              operation: {
                type: "LoopOperation",
                repetitions: 5,
                body: {
                  schedulables: [
                    { operation: { type: "ShiftClockPhase", clock: "q0.01", phase_shift: 90 } },
                    {
                      operation: { type: "GaussPulse", G_amp: 0.25, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
                    },
                    { operation: { type: "IdlePulse", duration: "80 ns" } },
                  ],
                },
              },
              rel_time: "20 ns",
            },
          ],
        },
      },
    },
  ],
};

export function sequencer(c: CompiledSchedule, module: string, seq: number): CompiledSequencer {
  const s = c.clusters.cluster0?.modules[module]?.sequencers[`seq${seq}`];
  if (!s) throw new Error(`no ${module}.seq${seq}`);
  return s;
}

/** Program lines without comments and surrounding whitespace, for exact comparisons. */
export function lines(program: string): string[] {
  return program
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l.length > 0);
}
