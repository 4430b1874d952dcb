/** Feedback test fixtures: a QCM (slot 1) and a QRM (slot 2); schedules for active reset, RUS and feed-forward. */
import { basebandHardware } from "../compiler/fixtures.js";

/** q0:mw and q0:res on the QRM's output (one module: intra-cast); q1:mw on the QCM (other module: multi-cast). */
export function feedbackHardware(): Record<string, unknown> {
  const hw = basebandHardware() as { connectivity: { graph: unknown[] } };
  hw.connectivity.graph = [
    ["cluster0.module1.complex_output_0", "q1:mw"],
    ["cluster0.module2.complex_output_0", ["q0:res", "q0:mw"]],
    ["cluster0.module2.complex_input_0", "q0:res"],
  ];
  return hw;
}

export const RESOURCES = { "q0.01": { freq: 100e6 }, "q1.01": { freq: 120e6 }, "q0.ro": { freq: 150e6 } };

/** Readout pulse + thresholded acquisition shared as "q0" (300 ns pulse, 200 ns window from 100 ns). */
export function measure(label = "q0", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "Composite",
    name: "Measure q0",
    pulse_info: [{ type: "SquarePulse", amp: 0.5, duration: "300 ns", port: "q0:res", clock: "q0.ro" }],
    acquisition_info: [
      {
        type: "ThresholdedAcquisition",
        t0: "100 ns",
        duration: "200 ns",
        port: "q0:res",
        clock: "q0.ro",
        acq_channel: 0,
        feedback_trigger_label: label,
        acq_threshold: 0,
        ...extra,
      },
    ],
  };
}

export const xPulse = (port = "q0:mw", clock = "q0.01"): Record<string, unknown> => ({
  type: "SquarePulse",
  name: `X ${port}`,
  amp: 0.25,
  duration: "20 ns",
  port,
  clock,
});

/** measure → (gap) → ConditionalOperation(X) → idle */
export function activeReset(gapNs = 400, port = "q0:mw", clock = "q0.01"): Record<string, unknown> {
  return {
    name: "active-reset",
    resources: RESOURCES,
    schedulables: [
      { label: "m0", operation: measure() },
      {
        label: "reset",
        rel_time: gapNs * 1e-9,
        operation: {
          type: "ConditionalOperation",
          name: "reset q0",
          qubit_name: "q0",
          body: { schedulables: [{ operation: xPulse(port, clock) }] },
        },
      },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}

/** RepeatUntilSuccess: (X q0, measure q0, idle) until the bit is `success`, at most `max` bodies; then X q1. */
export function repeatUntilSuccess(max = 3, success: 0 | 1 = 0): Record<string, unknown> {
  return {
    name: "rus",
    resources: RESOURCES,
    schedulables: [
      {
        label: "rus",
        operation: {
          type: "RepeatUntilSuccess",
          name: "prepare q0",
          qubit_name: "q0",
          success_value: success,
          max_repetitions: max,
          body: {
            schedulables: [
              { operation: xPulse() },
              { operation: measure() },
              { operation: { type: "IdlePulse", duration: "380 ns" } },
            ],
          },
        },
      },
      { operation: xPulse() },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}

/** Feed-forward: measure q0 on the QRM (slot 2); q1's pulse on the QCM (slot 1) depends on it. */
export function feedForward(gapNs = 600, value: 0 | 1 = 1): Record<string, unknown> {
  return {
    name: "feed-forward",
    resources: RESOURCES,
    schedulables: [
      { label: "m0", operation: measure() },
      {
        label: "ff",
        rel_time: gapNs * 1e-9,
        operation: {
          type: "ConditionalOperation",
          name: "feed-forward q1",
          qubit_name: "q0",
          value,
          body: { schedulables: [{ operation: xPulse("q1:mw", "q1.01") }] },
        },
      },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}
