/**
 * Pulse, parameter and clock operation schemas of the schedule document (pulse_info entries).
 */
import { z } from "zod";
import {
  Amp,
  Angle,
  clockBaseband,
  clockRequired,
  ComplexAmp,
  Freq,
  interpolation,
  name,
  port,
  t0,
  Time,
} from "./schema-fields.js";

/* ------------------------------------------------------------------ pulses */

export const SquarePulseSchema = z.strictObject({
  type: z.literal("SquarePulse"),
  name,
  t0,
  amp: ComplexAmp,
  duration: Time,
  port,
  clock: clockBaseband,
});
export const DRAGPulseSchema = z.strictObject({
  type: z.literal("DRAGPulse"),
  name,
  t0,
  G_amp: Amp,
  D_amp: Amp,
  phase: Angle.optional().meta({ default: 0 }),
  duration: Time,
  port,
  clock: clockRequired,
  sigma: z.union([Time, z.null()]).optional().meta({ default: null }),
  nr_sigma: z.union([z.number(), z.null()]).optional().describe("default 4 when sigma is null"),
});
export const GaussPulseSchema = z.strictObject({
  type: z.literal("GaussPulse"),
  name,
  t0,
  G_amp: Amp,
  phase: Angle.optional().meta({ default: 0 }),
  duration: Time,
  port,
  clock: clockBaseband,
  sigma: z.union([Time, z.null()]).optional().meta({ default: null }),
  nr_sigma: z.union([z.number(), z.null()]).optional().describe("default 4 when sigma is null"),
});
export const RampPulseSchema = z.strictObject({
  type: z.literal("RampPulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockBaseband,
  offset: Amp.optional().meta({ default: 0 }),
});
export const StaircasePulseSchema = z.strictObject({
  type: z.literal("StaircasePulse"),
  name,
  t0,
  start_amp: Amp,
  final_amp: Amp,
  num_steps: z.number().int().min(2),
  duration: Time,
  port,
  clock: clockBaseband,
});
export const SoftSquarePulseSchema = z.strictObject({
  type: z.literal("SoftSquarePulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockBaseband,
});
export const ChirpPulseSchema = z.strictObject({
  type: z.literal("ChirpPulse"),
  name,
  t0,
  amp: Amp,
  duration: Time,
  port,
  clock: clockRequired,
  start_freq: Freq,
  end_freq: Freq,
});
export const NumericalPulseSchema = z.strictObject({
  type: z.literal("NumericalPulse"),
  name,
  t0,
  samples: z
    .array(z.union([z.number(), z.tuple([z.number(), z.number()])]))
    .min(2)
    .describe("numbers or [re, im] pairs"),
  t_samples: z.array(z.number()).min(2).describe("sample times in s, strictly increasing"),
  port,
  clock: clockBaseband,
  interpolation: interpolation.optional().meta({ default: "linear" }),
});
export const SuddenNetZeroPulseSchema = z.strictObject({
  type: z.literal("SuddenNetZeroPulse"),
  name,
  t0,
  amp_A: Amp,
  amp_B: z.number(),
  net_zero_A_scale: z.number(),
  t_pulse: Time,
  t_phi: Time,
  t_integral_correction: Time,
  port,
  clock: clockBaseband,
});
export const SkewedHermitePulseSchema = z.strictObject({
  type: z.literal("SkewedHermitePulse"),
  name,
  t0,
  duration: Time,
  amplitude: Amp,
  skewness: z.number(),
  phase: Angle,
  port,
  clock: clockRequired,
});
export const IdlePulseSchema = z.strictObject({ type: z.literal("IdlePulse"), name, t0, duration: Time });
export const VoltageOffsetSchema = z.strictObject({
  type: z.literal("VoltageOffset"),
  name,
  t0,
  offset_path_I: Amp,
  offset_path_Q: Amp,
  port,
  clock: clockBaseband,
});
export const MarkerPulseSchema = z.strictObject({
  type: z.literal("MarkerPulse"),
  name,
  t0,
  duration: Time,
  port,
  clock: clockRequired.optional().meta({ default: "digital" }),
});
/**
 * quantify's InlineQ1ASM: Q1ASM text placed in the sequencer program at the operation's time. The
 * compiler assembles it, gives its labels and registers private names, and checks its timing contract:
 * the real-time instructions of straight-line code must take exactly `duration`.
 */
export const InlineQ1ASMSchema = z.strictObject({
  type: z.literal("InlineQ1ASM"),
  name,
  t0,
  program: z.string().min(1),
  duration: Time,
  port,
  clock: clockRequired.optional().meta({ default: "cl0.baseband" }),
  safe_labels: z.boolean().optional().meta({ default: true }),
  waveforms: z
    .record(
      z.string().min(1),
      z.strictObject({
        data: z.array(z.number()).min(1).describe("samples at 1 GS/s, each in [-1, 1] of full scale"),
        index: z.number().int().min(0).max(1023).describe("the index the inline program plays it by"),
      }),
    )
    .optional()
    .describe("quantify's waveforms argument: name → {data, index}, uploaded with the sequence at the given index"),
});
export const SetClockFrequencySchema = z.strictObject({
  type: z.literal("SetClockFrequency"),
  name,
  t0,
  clock: clockRequired,
  clock_freq_new: z.union([Freq, z.null()]).describe("Hz; null = back to the clock's own frequency"),
});
export const ShiftClockPhaseSchema = z.strictObject({
  type: z.literal("ShiftClockPhase"),
  name,
  t0,
  clock: clockRequired,
  phase_shift: Angle,
});
export const ResetClockPhaseSchema = z.strictObject({
  type: z.literal("ResetClockPhase"),
  name,
  t0,
  clock: clockRequired,
});
