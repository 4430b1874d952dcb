/**
 * Primitive operation spec (raw JSON shape) → ScheduleOp (src/schedule/model.ts): defaults applied,
 * quantities in SI numbers, times as integer ns on the 1 ns grid. One small handler per operation
 * type. Plain numbers never go through mathjs (toSI returns them as is).
 */
import { ScheduleError } from "../core/errors.js";
import { PROTOCOLS } from "../core/protocols.js";
import type { AcquisitionOp, AcquisitionProtocol, BinModeName, ScheduleOp, WaveformPulse } from "./model.js";
import type { AcquisitionSpec, PrimitiveSpec, PulseSpec, Quantity } from "./schema.js";
import { checkWaveformParams, sampleWeights } from "./waveforms.js";
import { durationNs, si, t0Ns, type OpContext } from "./quantities.js";
import { FEEDBACK_DATA_TYPES, normalizeFeedbackData } from "./feedback-data.js";
import { normalizeFeedbackValid } from "./feedback-valid.js";

export { MAX_TIME_NS, timeToNs, type OpContext } from "./quantities.js";

const BASEBAND = "cl0.baseband";
const DIGITAL = "digital";

type Handler<T extends PrimitiveSpec["type"]> = (
  spec: Extract<PrimitiveSpec, { type: T }>,
  ctx: OpContext,
) => ScheduleOp;

function withChecks(op: WaveformPulse): WaveformPulse {
  checkWaveformParams(op);
  return op;
}

const pulses: { [T in PulseSpec["type"]]: Handler<T> } = {
  SquarePulse: (s, c) => {
    const [re, im] = Array.isArray(s.amp) ? s.amp : [si(s.amp, "voltage", c, "amp"), 0];
    return {
      type: "SquarePulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock ?? BASEBAND,
      durationNs: durationNs(s.duration, c),
      amp: re,
      ampImag: im,
    };
  },
  DRAGPulse: (s, c) =>
    withChecks({
      type: "DRAGPulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock,
      durationNs: durationNs(s.duration, c),
      G_amp: si(s.G_amp, "voltage", c, "G_amp"),
      D_amp: si(s.D_amp, "voltage", c, "D_amp"),
      phase: s.phase === undefined ? 0 : si(s.phase, "angle", c, "phase"),
      sigma: gaussSigma(s, c),
      nr_sigma: gaussNrSigma(s),
    }),
  GaussPulse: (s, c) =>
    withChecks({
      type: "GaussPulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock ?? BASEBAND,
      durationNs: durationNs(s.duration, c),
      G_amp: si(s.G_amp, "voltage", c, "G_amp"),
      phase: s.phase === undefined ? 0 : si(s.phase, "angle", c, "phase"),
      sigma: gaussSigma(s, c),
      nr_sigma: gaussNrSigma(s),
    }),
  RampPulse: (s, c) => ({
    type: "RampPulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock ?? BASEBAND,
    durationNs: durationNs(s.duration, c),
    amp: si(s.amp, "voltage", c, "amp"),
    offset: s.offset === undefined ? 0 : si(s.offset, "voltage", c, "offset"),
  }),
  StaircasePulse: (s, c) => ({
    type: "StaircasePulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock ?? BASEBAND,
    durationNs: durationNs(s.duration, c),
    start_amp: si(s.start_amp, "voltage", c, "start_amp"),
    final_amp: si(s.final_amp, "voltage", c, "final_amp"),
    num_steps: s.num_steps,
  }),
  SoftSquarePulse: (s, c) =>
    withChecks({
      type: "SoftSquarePulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock ?? BASEBAND,
      durationNs: durationNs(s.duration, c),
      amp: si(s.amp, "voltage", c, "amp"),
    }),
  ChirpPulse: (s, c) => ({
    type: "ChirpPulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock,
    durationNs: durationNs(s.duration, c),
    amp: si(s.amp, "voltage", c, "amp"),
    start_freq: si(s.start_freq, "frequency", c, "start_freq"),
    end_freq: si(s.end_freq, "frequency", c, "end_freq"),
  }),
  NumericalPulse: (s, c) => {
    if (s.samples.length !== s.t_samples.length) {
      throw new ScheduleError(
        "INVALID_WAVEFORM_PARAMETER",
        `${s.name ?? c.name}: samples has ${s.samples.length} entries but t_samples has ${s.t_samples.length}`,
        {
          path: `${c.path}/samples`,
          hint: "give one time per sample",
        },
      );
    }
    const re = s.samples.map((v) => (Array.isArray(v) ? v[0] : v));
    const complex = s.samples.some((v) => Array.isArray(v) && v[1] !== 0);
    const span = s.t_samples[s.t_samples.length - 1]! - s.t_samples[0]!;
    return withChecks({
      type: "NumericalPulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock ?? BASEBAND,
      durationNs: durationNs(span, c, "t_samples"),
      samples_re: re,
      samples_im: complex ? s.samples.map((v) => (Array.isArray(v) ? v[1] : 0)) : null,
      t_samples: s.t_samples.slice(),
      interpolation: s.interpolation ?? "linear",
    });
  },
  SuddenNetZeroPulse: (s, c) => {
    const t_pulse = si(s.t_pulse, "time", c, "t_pulse");
    const t_phi = si(s.t_phi, "time", c, "t_phi");
    const t_integral_correction = si(s.t_integral_correction, "time", c, "t_integral_correction");
    return withChecks({
      type: "SuddenNetZeroPulse",
      name: s.name ?? c.name,
      path: c.path,
      t0Ns: t0Ns(s.t0, c),
      port: s.port,
      clock: s.clock ?? BASEBAND,
      durationNs: durationNs(t_pulse + t_phi + t_integral_correction, c, "t_pulse"),
      amp_A: si(s.amp_A, "voltage", c, "amp_A"),
      amp_B: s.amp_B,
      net_zero_A_scale: s.net_zero_A_scale,
      t_pulse,
      t_phi,
      t_integral_correction,
    });
  },
  SkewedHermitePulse: (s, c) => ({
    type: "SkewedHermitePulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock,
    durationNs: durationNs(s.duration, c),
    amplitude: si(s.amplitude, "voltage", c, "amplitude"),
    skewness: s.skewness,
    phase: si(s.phase, "angle", c, "phase"),
  }),
  IdlePulse: (s, c) => ({
    type: "IdlePulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    durationNs: durationNs(s.duration, c),
  }),
  VoltageOffset: (s, c) => ({
    type: "VoltageOffset",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock ?? BASEBAND,
    durationNs: 0,
    offset_path_I: si(s.offset_path_I, "voltage", c, "offset_path_I"),
    offset_path_Q: si(s.offset_path_Q, "voltage", c, "offset_path_Q"),
  }),
  InlineQ1ASM: (s, c) => ({
    type: "InlineQ1ASM",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock ?? BASEBAND,
    durationNs: durationNs(s.duration, c),
    program: s.program,
    safeLabels: s.safe_labels ?? true,
    waveforms: s.waveforms ?? {},
  }),
  MarkerPulse: (s, c) => ({
    type: "MarkerPulse",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock ?? DIGITAL,
    durationNs: durationNs(s.duration, c),
  }),
  SetClockFrequency: (s, c) => ({
    type: "SetClockFrequency",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    clock: s.clock,
    durationNs: 0,
    clock_freq_new: s.clock_freq_new === null ? null : si(s.clock_freq_new, "frequency", c, "clock_freq_new"),
  }),
  ShiftClockPhase: (s, c) => ({
    type: "ShiftClockPhase",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    clock: s.clock,
    durationNs: 0,
    phase_shift: si(s.phase_shift, "angle", c, "phase_shift"),
  }),
  ResetClockPhase: (s, c) => ({
    type: "ResetClockPhase",
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    clock: s.clock,
    durationNs: 0,
  }),
};

type GaussWidthSpec = { sigma?: Quantity | null | undefined; nr_sigma?: number | null | undefined };

/** sigma in s, or null (no intermediate object: this runs for every Gaussian of a schedule). */
function gaussSigma(s: GaussWidthSpec, c: OpContext): number | null {
  return s.sigma === undefined || s.sigma === null ? null : si(s.sigma, "time", c, "sigma");
}

/** quantify: nr_sigma = 4 if sigma is None; both given is an error (reported by checkWaveformParams). */
function gaussNrSigma(s: GaussWidthSpec): number | null {
  const noSigma = s.sigma === undefined || s.sigma === null;
  return s.nr_sigma === undefined || s.nr_sigma === null ? (noSigma ? 4 : null) : s.nr_sigma;
}

function acquisition(s: AcquisitionSpec, c: OpContext): AcquisitionOp {
  const base = {
    type: s.type,
    name: s.name ?? c.name,
    path: c.path,
    t0Ns: t0Ns(s.t0, c),
    port: s.port,
    clock: s.clock,
    acq_channel: String(s.acq_channel ?? 0),
    bin_mode:
      s.bin_mode === undefined
        ? (PROTOCOLS[s.type].defaultBinMode as BinModeName)
        : (s.bin_mode.toLowerCase() as BinModeName),
    coords: s.coords ?? null,
    weights_a: null,
    weights_b: null,
    acq_rotation: null,
    acq_threshold: null,
    feedback_trigger_label: null,
  };
  switch (s.type) {
    case "SSBIntegrationComplex":
    case "Trace":
      return { ...base, durationNs: durationNs(s.duration, c) };
    case "ThresholdedAcquisition":
      return {
        ...base,
        durationNs: durationNs(s.duration, c),
        acq_rotation: s.acq_rotation === undefined ? 0 : si(s.acq_rotation, "angle", c, "acq_rotation"),
        acq_threshold: s.acq_threshold ?? 0,
        feedback_trigger_label: s.feedback_trigger_label ?? null,
        ...normalizeFeedbackValid(s, base.name, c.path),
      };
    case "NumericalSeparatedWeightedIntegration":
    case "NumericalWeightedIntegration":
    case "WeightedThresholdedAcquisition": {
      const rate =
        s.weights_sampling_rate === undefined
          ? 1e9
          : si(s.weights_sampling_rate, "frequency", c, "weights_sampling_rate");
      if (rate > 1e9) throw weightsRateTooHigh(base.name, rate, `${c.path}/weights_sampling_rate`);
      if (s.weights_a.length !== s.weights_b.length) {
        throw new ScheduleError(
          "INVALID_ACQUISITION",
          `${base.name}: weights_a has ${s.weights_a.length} samples but weights_b has ${s.weights_b.length}`,
          {
            path: `${c.path}/weights_b`,
            hint: "give weights_a and weights_b the same length",
          },
        );
      }
      const d = durationNs(s.weights_a.length / rate, c, "weights_a");
      if (s.duration !== undefined && durationNs(s.duration, c) !== d) {
        throw new ScheduleError(
          "INVALID_ACQUISITION",
          `${base.name}: duration ${durationNs(s.duration, c)} ns does not match the weights (${s.weights_a.length} samples at ${rate} S/s = ${d} ns)`,
          {
            path: `${c.path}/duration`,
            hint: "omit duration or make it len(weights)/weights_sampling_rate",
          },
        );
      }
      const kind = s.interpolation ?? "linear";
      return {
        ...base,
        durationNs: d,
        weights_a: sampleWeights(s.weights_a, rate, d, kind, {
          name: base.name,
          type: s.type,
          path: `${c.path}/weights_a`,
        }),
        weights_b: sampleWeights(s.weights_b, rate, d, kind, {
          name: base.name,
          type: s.type,
          path: `${c.path}/weights_b`,
        }),
        ...(s.type === "WeightedThresholdedAcquisition"
          ? {
              acq_rotation: s.acq_rotation === undefined ? 0 : si(s.acq_rotation, "angle", c, "acq_rotation"),
              acq_threshold: s.acq_threshold ?? 0,
              feedback_trigger_label: s.feedback_trigger_label ?? null,
              ...normalizeFeedbackValid(s, base.name, c.path),
            }
          : {}),
      };
    }
  }
}

/** quantify rejects weights sampled faster than the 1 GS/s the sequencer integrates at (no silent decimation). */
function weightsRateTooHigh(name: string, rate: number, path: string): ScheduleError {
  return new ScheduleError(
    "WEIGHTS_SAMPLING_RATE_TOO_HIGH",
    `${name}: weights_sampling_rate is ${rate} S/s; Qblox hardware integrates weights at up to 1e9 S/s (1 GS/s)`,
    { path, hint: "give the weights at 1 GS/s or less (resample them yourself if they were measured faster)" },
  );
}

/** The acquisition protocols a schedule can name (the schema's acquisition types). */
const ACQUISITION_TYPES = new Set<string>([
  "SSBIntegrationComplex",
  "ThresholdedAcquisition",
  "Trace",
  "NumericalSeparatedWeightedIntegration",
  "NumericalWeightedIntegration",
  "WeightedThresholdedAcquisition",
] satisfies AcquisitionProtocol[]);

/** Every primitive type's normaliser, looked up once per operation (the type sets are disjoint). */
const NORMALIZERS: ReadonlyMap<string, (spec: PrimitiveSpec, ctx: OpContext) => ScheduleOp> = (() => {
  const m = new Map<string, (spec: PrimitiveSpec, ctx: OpContext) => ScheduleOp>();
  for (const t of ACQUISITION_TYPES) m.set(t, (spec, ctx) => acquisition(spec as AcquisitionSpec, ctx));
  for (const t of FEEDBACK_DATA_TYPES) m.set(t, (spec, ctx) => normalizeFeedbackData(spec, ctx)!);
  for (const [t, handler] of Object.entries(pulses))
    m.set(t, handler as (spec: PrimitiveSpec, ctx: OpContext) => ScheduleOp);
  return m;
})();

/** Normalise one primitive operation. */
export function normalizePrimitive(spec: PrimitiveSpec, ctx: OpContext): ScheduleOp {
  const normalize = NORMALIZERS.get(spec.type);
  if (normalize === undefined) {
    throw new ScheduleError("UNKNOWN_OPERATION", `unknown operation type "${spec.type}"`, {
      path: ctx.path,
      hint: `use one of: ${Object.keys(pulses).join(", ")}, ${[...ACQUISITION_TYPES].join(", ")}`,
    });
  }
  return normalize(spec, ctx);
}
