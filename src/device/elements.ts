/**
 * The device elements and their gate → pulse rules, as quantify's device compilation defines them
 * (`BasicTransmonElement._generate_config`, `CompositeSquareEdge.generate_edge_config` and the
 * factories they name):
 *
 *   Rxy(θ, φ)  → DRAGPulse(G_amp = amp180·θ/180, D_amp = motzoi, phase = φ, duration, port mw, clock .01)
 *                (θ wrapped to [-180, 180), φ to [0, 360) by quantify's Rxy: X has θ = -180)
 *   Rz(θ)      → ShiftClockPhase(phase_shift = θ, clock .01)                              (virtual)
 *   H          → Z then Y90 (quantify's hadamard_as_y90z)
 *   Reset      → IdlePulse(reset.duration)
 *   Measure    → [ResetClockPhase(.ro) if reset_clock_phase] + SquarePulse(pulse_amp, pulse_duration,
 *                port res, clock .ro) at 0 + acquisition at t0 = acq_delay for integration_time
 *   CZ         → SquarePulse(square_amp, square_duration, parent's flux port, cl0.baseband) plus
 *                ShiftClockPhase(parent_phase_correction, parent.01) and (child…, child.01) at 0
 *
 * The rules return schedule-format pulse and acquisition specs (SI numbers); the compiler's
 * 1-schedule/gates pass wraps them in Composites. Parameters are SI numbers or null ("not calibrated":
 * quantify's NaN); a rule that needs a null parameter throws MISSING_DEVICE_PARAMETER naming it.
 */
import { DeviceConfigError } from "../core/errors.js";
import type { AcquisitionSpec, PulseSpec } from "../schedule/schema.js";

/** Where a gate sits in the schedule and what it is called, for error messages. */
export interface GateSite {
  /** JSON pointer of the gate in the schedule document */
  path: string;
  /** gate name, e.g. "X q0" */
  gate: string;
}

export interface TransmonParams {
  reset: { duration: number | null };
  rxy: { amp180: number | null; motzoi: number | null; duration: number | null };
  measure: {
    pulse_type: "SquarePulse";
    pulse_amp: number | null;
    pulse_duration: number | null;
    acq_channel: number | string;
    acq_delay: number | null;
    integration_time: number | null;
    reset_clock_phase: boolean;
    acq_weights_a: number[] | null;
    acq_weights_b: number[] | null;
    acq_weights_sampling_rate: number | null;
    acq_rotation: number | null;
    acq_threshold: number | null;
  };
  ports: { microwave: string; flux: string; readout: string };
  clock_freqs: { f01: number | null; f12: number | null; readout: number | null };
}

export type MeasureProtocol =
  | "SSBIntegrationComplex"
  | "ThresholdedAcquisition"
  | "Trace"
  | "NumericalSeparatedWeightedIntegration"
  | "NumericalWeightedIntegration";

export interface MeasureOptions {
  /** overrides the element's measure.acq_channel */
  acqChannel?: number | string | undefined;
  acqProtocol?: MeasureProtocol | undefined;
  binMode?: "average" | "append" | undefined;
  coords?: Record<string, unknown> | undefined;
  feedbackTriggerLabel?: string | null | undefined;
}

/** quantify's Rxy/Rz angle domain: θ → [-180, 180) (Python's floored modulo). */
export function wrapTheta(theta: number): number {
  return ((((theta + 180) % 360) + 360) % 360) - 180 + 0;
}

/** quantify's Rxy phase domain: φ → [0, 360). */
export function wrapPhi(phi: number): number {
  return (((phi % 360) + 360) % 360) + 0;
}

function missing(element: string, param: string, at: GateSite): never {
  const pointer = `/elements/${element}/${param.replace(/\./g, "/")}`;
  throw new DeviceConfigError(
    "MISSING_DEVICE_PARAMETER",
    `gate "${at.gate}" needs ${element}.${param}, which the device does not define (null or NaN)`,
    {
      path: pointer,
      hint: `set ${param} of element "${element}" in the device config`,
      details: { element, parameter: param, gate: at.gate, schedule_path: at.path },
    },
  );
}

export class BasicTransmonElement {
  readonly type = "BasicTransmonElement" as const;
  constructor(
    readonly name: string,
    readonly params: TransmonParams,
  ) {}

  get clock01(): string {
    return `${this.name}.01`;
  }
  get clock12(): string {
    return `${this.name}.12`;
  }
  get clockRo(): string {
    return `${this.name}.ro`;
  }

  /** A parameter the rule needs: its value, or MISSING_DEVICE_PARAMETER naming `<element>.<param>`. */
  private need(value: number | null, param: string, at: GateSite): number {
    if (value === null || !Number.isFinite(value)) missing(this.name, param, at);
    return value;
  }

  /** Clocks this element defines, with the parameter that holds each frequency. */
  clocks(): { clock: string; freq: number | null; param: string }[] {
    const f = this.params.clock_freqs;
    return [
      { clock: this.clock01, freq: f.f01, param: "clock_freqs.f01" },
      { clock: this.clock12, freq: f.f12, param: "clock_freqs.f12" },
      { clock: this.clockRo, freq: f.readout, param: "clock_freqs.readout" },
    ];
  }

  /** quantify's rxy_drag_pulse with Rxy's angle wrapping. θ, φ in degrees. */
  rxy(theta: number, phi: number, at: GateSite): PulseSpec[] {
    const amp180 = this.need(this.params.rxy.amp180, "rxy.amp180", at);
    const motzoi = this.need(this.params.rxy.motzoi, "rxy.motzoi", at);
    const duration = this.need(this.params.rxy.duration, "rxy.duration", at);
    const t = wrapTheta(theta);
    return [
      {
        type: "DRAGPulse",
        G_amp: (amp180 * t) / 180 + 0,
        D_amp: motzoi,
        phase: wrapPhi(phi),
        duration,
        port: this.params.ports.microwave,
        clock: this.clock01,
      },
    ];
  }

  /** quantify's phase_shift factory: a virtual Z. θ in degrees. */
  rz(theta: number): PulseSpec[] {
    return [{ type: "ShiftClockPhase", phase_shift: wrapTheta(theta), clock: this.clock01 }];
  }

  /** Passive reset: an idle of reset.duration. */
  reset(at: GateSite): PulseSpec[] {
    return [{ type: "IdlePulse", duration: this.need(this.params.reset.duration, "reset.duration", at) }];
  }

  /** quantify's dispersive_measurement_transmon for one element. */
  measure(opts: MeasureOptions, at: GateSite): { pulses: PulseSpec[]; acquisitions: AcquisitionSpec[] } {
    const m = this.params.measure;
    const port = this.params.ports.readout;
    const clock = this.clockRo;
    const pulses: PulseSpec[] = [];
    if (m.reset_clock_phase) pulses.push({ type: "ResetClockPhase", clock });
    pulses.push({
      type: "SquarePulse",
      amp: this.need(m.pulse_amp, "measure.pulse_amp", at),
      duration: this.need(m.pulse_duration, "measure.pulse_duration", at),
      port,
      clock,
    });
    const t0 = this.need(m.acq_delay, "measure.acq_delay", at);
    const acq_channel = opts.acqChannel ?? m.acq_channel;
    const binMode = opts.binMode ?? "average";
    const coords = opts.coords === undefined ? {} : { coords: opts.coords };
    const protocol = opts.acqProtocol ?? "SSBIntegrationComplex";
    let acq: AcquisitionSpec;
    switch (protocol) {
      case "SSBIntegrationComplex":
        acq = {
          type: protocol,
          t0,
          duration: this.need(m.integration_time, "measure.integration_time", at),
          port,
          clock,
          acq_channel,
          bin_mode: binMode,
          ...coords,
        };
        break;
      case "Trace":
        // quantify passes no bin_mode to Trace (it averages)
        acq = {
          type: protocol,
          t0,
          duration: this.need(m.integration_time, "measure.integration_time", at),
          port,
          clock,
          acq_channel,
          ...coords,
        };
        break;
      case "ThresholdedAcquisition":
        acq = {
          type: protocol,
          t0,
          duration: this.need(m.integration_time, "measure.integration_time", at),
          port,
          clock,
          acq_channel,
          bin_mode: binMode,
          acq_rotation: m.acq_rotation ?? 0,
          acq_threshold: m.acq_threshold ?? 0,
          feedback_trigger_label: opts.feedbackTriggerLabel ?? null,
          ...coords,
        };
        break;
      case "NumericalSeparatedWeightedIntegration":
      case "NumericalWeightedIntegration": {
        const a = m.acq_weights_a;
        const b = m.acq_weights_b;
        if (a === null || a.length === 0) missing(this.name, "measure.acq_weights_a", at);
        if (b === null || b.length === 0) missing(this.name, "measure.acq_weights_b", at);
        acq = {
          type: protocol,
          t0,
          weights_a: a,
          weights_b: b,
          weights_sampling_rate: this.need(m.acq_weights_sampling_rate, "measure.acq_weights_sampling_rate", at),
          port,
          clock,
          acq_channel,
          bin_mode: binMode,
          ...coords,
        };
        break;
      }
    }
    return { pulses, acquisitions: [acq] };
  }
}

export interface CZParams {
  square_amp: number | null;
  square_duration: number | null;
  parent_phase_correction: number | null;
  child_phase_correction: number | null;
}

export class CompositeSquareEdge {
  readonly type = "CompositeSquareEdge" as const;
  constructor(
    readonly name: string,
    readonly parent: BasicTransmonElement,
    readonly child: BasicTransmonElement,
    readonly cz: CZParams,
  ) {}

  private need(value: number | null, param: string, at: GateSite): number {
    if (value === null || !Number.isFinite(value)) {
      throw new DeviceConfigError(
        "MISSING_DEVICE_PARAMETER",
        `gate "${at.gate}" needs ${this.name}.${param}, which the device does not define (null or NaN)`,
        {
          path: `/edges/${this.name}/${param.replace(/\./g, "/")}`,
          hint: `set ${param} of edge "${this.name}" in the device config`,
          details: { edge: this.name, parameter: param, gate: at.gate, schedule_path: at.path },
        },
      );
    }
    return value;
  }

  /** quantify's composite_square_pulse: flux square on the parent's flux port plus two virtual Z corrections. */
  czPulses(at: GateSite): PulseSpec[] {
    return [
      {
        type: "SquarePulse",
        amp: this.need(this.cz.square_amp, "cz.square_amp", at),
        duration: this.need(this.cz.square_duration, "cz.square_duration", at),
        port: this.parent.params.ports.flux,
        clock: "cl0.baseband",
      },
      {
        type: "ShiftClockPhase",
        phase_shift: this.need(this.cz.parent_phase_correction, "cz.parent_phase_correction", at),
        clock: this.parent.clock01,
      },
      {
        type: "ShiftClockPhase",
        phase_shift: this.need(this.cz.child_phase_correction, "cz.child_phase_correction", at),
        clock: this.child.clock01,
      },
    ];
  }
}
