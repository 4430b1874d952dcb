/**
 * The normalised schedule model handed from the input edge (zod + mathjs parsing, src/schedule/parse.ts)
 * to the compiler. Every quantity is a plain number in SI units except times, which are integer
 * nanoseconds (converted once, with the 1 ns grid check). Nothing here references the raw JSON.
 */

import type { FeedbackDataOp } from "./feedback-data.js";

export type BinModeName = "average" | "append";

export interface ClockResource {
  name: string;
  /** Hz; null = undefined frequency (an error when an operation needs it) */
  freq: number | null;
  phase: number;
}

interface Located {
  /** operation name for messages, e.g. "X q0" or "SquarePulse" */
  name: string;
  /** JSON pointer into the schedule document, e.g. "/schedulables/3/operation/pulse_info/0" */
  path: string;
  /** start relative to the operation's schedulable, ns (pulse_info t0) */
  t0Ns: number;
}

interface OnPortClock extends Located {
  port: string;
  clock: string;
}

export type WaveformPulse = OnPortClock & { durationNs: number } & (
    | { type: "SquarePulse"; amp: number; ampImag: number }
    | { type: "RampPulse"; amp: number; offset: number }
    | { type: "StaircasePulse"; start_amp: number; final_amp: number; num_steps: number }
    | { type: "SoftSquarePulse"; amp: number }
    | { type: "ChirpPulse"; amp: number; start_freq: number; end_freq: number }
    | { type: "DRAGPulse"; G_amp: number; D_amp: number; phase: number; sigma: number | null; nr_sigma: number | null }
    | { type: "GaussPulse"; G_amp: number; phase: number; sigma: number | null; nr_sigma: number | null }
    | {
        type: "SuddenNetZeroPulse";
        amp_A: number;
        amp_B: number;
        net_zero_A_scale: number;
        t_pulse: number;
        t_phi: number;
        t_integral_correction: number;
      }
    | {
        type: "NumericalPulse";
        samples_re: number[];
        samples_im: number[] | null;
        t_samples: number[];
        interpolation: "linear" | "nearest" | "previous" | "next";
      }
    | { type: "SkewedHermitePulse"; amplitude: number; skewness: number; phase: number }
  );
export type WaveformPulseType = WaveformPulse["type"];

export type VoltageOffsetOp = OnPortClock & {
  type: "VoltageOffset";
  offset_path_I: number;
  offset_path_Q: number;
  durationNs: 0;
};
export type MarkerPulseOp = OnPortClock & { type: "MarkerPulse"; durationNs: number };
export type IdlePulseOp = Located & { type: "IdlePulse"; durationNs: number };

/** Clock operations have no port: they apply to every port-clock using `clock`. */
export type ClockOp = Located & { clock: string; durationNs: 0 } & (
    | { type: "SetClockFrequency"; clock_freq_new: number | null }
    | { type: "ShiftClockPhase"; phase_shift: number }
    | { type: "ResetClockPhase" }
  );

export type AcquisitionProtocol =
  | "SSBIntegrationComplex"
  | "NumericalSeparatedWeightedIntegration"
  | "NumericalWeightedIntegration"
  | "ThresholdedAcquisition"
  | "WeightedThresholdedAcquisition"
  | "Trace";

export interface AcquisitionOp extends OnPortClock {
  type: AcquisitionProtocol;
  durationNs: number;
  acq_channel: string;
  bin_mode: BinModeName;
  coords: Record<string, unknown> | null;
  /** weighted protocols: weights sampled at 1 GS/s (length = durationNs) */
  weights_a: number[] | null;
  weights_b: number[] | null;
  /** ThresholdedAcquisition, WeightedThresholdedAcquisition */
  acq_rotation: number | null;
  acq_threshold: number | null;
  feedback_trigger_label: string | null;
  /** thresholded protocols: false = the shared thresholded bits are sent invalid (fb_acq_tb_valid 0); absent = true */
  feedback_valid?: boolean;
}

/** quantify's InlineQ1ASM: Q1ASM text emitted at the operation's time (compiler/ops/inline-q1asm.ts). */
export type InlineQ1AsmOp = OnPortClock & {
  type: "InlineQ1ASM";
  durationNs: number;
  program: string;
  safeLabels: boolean;
  /** quantify's waveforms argument: name → samples and the index the program plays them by */
  waveforms: Record<string, { data: number[]; index: number }>;
};
export type ScheduleOp =
  | WaveformPulse
  | VoltageOffsetOp
  | MarkerPulseOp
  | InlineQ1AsmOp
  | IdlePulseOp
  | ClockOp
  | AcquisitionOp
  | FeedbackDataOp;
