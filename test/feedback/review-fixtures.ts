/**
 * Fixtures of the feedback review (issue 12 follow-up): two readouts on the QRM (q0:res with an 8 ns
 * latency correction, q1:res), both consumed by conditionals on the QCM's q0:fl.
 */
import { readFileSync } from "node:fs";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8"));

type Json = Record<string, unknown>;

/** baseband-transmon with q1:res on the QRM; `q1LatencyNs` its latency correction (none by default). */
export function twoReadoutHardware(q1LatencyNs?: number, compilerOptions?: Json): Json {
  const hw = structuredClone(read("hardware-configs/baseband-transmon.json")) as Json & {
    hardware_options: { modulation_frequencies: Json; latency_corrections: Json };
    connectivity: { graph: unknown[] };
  };
  hw.hardware_options.modulation_frequencies["q1:res-q1.ro"] = { interm_freq: null };
  if (q1LatencyNs !== undefined) hw.hardware_options.latency_corrections["q1:res-q1.ro"] = q1LatencyNs * 1e-9;
  hw.connectivity.graph.push(
    ["cluster0.module2.complex_output_0", "q1:res"],
    ["cluster0.module2.complex_input_0", "q1:res"],
  );
  if (compilerOptions) hw.compiler_options = compilerOptions;
  return hw;
}

const conditional = (qubit: string, relNs: number): Json => ({
  rel_time: relNs * 1e-9,
  operation: {
    type: "ConditionalOperation",
    name: `reset ${qubit}`,
    qubit_name: qubit,
    body: {
      schedulables: [
        {
          operation: {
            type: "SquarePulse",
            name: `X ${qubit}`,
            amp: 0.3,
            duration: "20 ns",
            port: "q0:fl",
            clock: "cl0.baseband",
          },
        },
      ],
    },
  },
});

/** m0 (q0) and m1 (q1) start together; conditionals consume them in `order`, 600 and 40 ns apart. */
export function twoReadouts(order: [string, string] = ["q0", "q1"], repetitions = 2, startNs = 0): Json {
  return {
    name: "wc",
    repetitions,
    resources: { "q0.ro": { freq: 150e6 }, "q1.ro": { freq: 180e6 } },
    schedulables: [
      ...(startNs > 0 ? [{ operation: { type: "IdlePulse", duration: startNs * 1e-9 } }] : []),
      {
        label: "m0",
        operation: {
          type: "ThresholdedAcquisition",
          name: "measure q0",
          port: "q0:res",
          clock: "q0.ro",
          duration: "200 ns",
          acq_channel: 0,
          feedback_trigger_label: "q0",
        },
      },
      {
        label: "m1",
        ref_schedulable: "m0",
        ref_pt: "start",
        operation: {
          type: "ThresholdedAcquisition",
          name: "measure q1",
          port: "q1:res",
          clock: "q1.ro",
          duration: "200 ns",
          acq_channel: 1,
          feedback_trigger_label: "q1",
        },
      },
      conditional(order[0], 600),
      conditional(order[1], 40),
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}
