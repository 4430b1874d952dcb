/**
 * Fluent TypeScript builder for schedule documents. It produces exactly the JSON document of
 * docs/schedule-format.md (toJSON() output parses with parseScheduleDocument), so builder-made and
 * hand-written schedules take the same path through the compiler.
 *
 *   const s = new ScheduleBuilder("rabi", { repetitions: 1024 }).clock("q0.01", "6.02 GHz");
 *   const x = s.add(Ops.drag({ G_amp: 0.1, D_amp: 0.01, duration: "20 ns", port: "q0:mw", clock: "q0.01" }), { label: "x" });
 *   s.add(Ops.ssbIntegrationComplex({ ... }), { ref: x, refPt: "end", relTime: "20 ns" });
 *   s.loop(1000, (body) => body.add(...));
 */
import type {
  AcquisitionSpec,
  ClockResourceSpec,
  CompositeSpec,
  LoopBodySpec,
  OperationSpec,
  PulseSpec,
  Quantity,
  RefPoint,
  ScheduleDocument,
  SchedulableSpec,
  SubScheduleSpec,
  TimingConstraintSpec,
} from "./schema.js";
import type { SweepOperationSpec, SweepParameterSpec } from "./sweep.js";
import type { GateSpec, MeasureGateSpec } from "./gates.js";

/** Handle to an added schedulable; pass it as `ref` to time later schedulables against it. */
export class SchedulableRef {
  constructor(
    private readonly entry: SchedulableSpec,
    private readonly autoLabel: string,
  ) {}
  /** The label, assigning an automatic one ("_s<index>") if the schedulable has none yet. */
  get label(): string {
    if (this.entry.label === undefined) this.entry.label = this.autoLabel;
    return this.entry.label;
  }
}

export interface ConstraintOptions {
  ref?: SchedulableRef | string | undefined;
  refPt?: RefPoint | undefined;
  refPtNew?: RefPoint | undefined;
  relTime?: Quantity | undefined;
}

export interface AddOptions extends ConstraintOptions {
  label?: string | undefined;
  /** several constraints (latest start wins); excludes ref/refPt/refPtNew/relTime */
  constraints?: ConstraintOptions[] | undefined;
}

function constraintSpec(c: ConstraintOptions): TimingConstraintSpec {
  const out: TimingConstraintSpec = {};
  if (c.ref !== undefined) out.ref_schedulable = typeof c.ref === "string" ? c.ref : c.ref.label;
  if (c.refPt !== undefined) out.ref_pt = c.refPt;
  if (c.refPtNew !== undefined) out.ref_pt_new = c.refPtNew;
  if (c.relTime !== undefined) out.rel_time = c.relTime;
  return out;
}

/** Builds the body of a schedule: schedulables, a reusable operation library and clock resources. */
export class BlockBuilder {
  protected readonly schedulables: SchedulableSpec[] = [];
  protected readonly operations: Record<string, OperationSpec> = {};
  protected readonly resources: Record<string, ClockResourceSpec> = {};

  /** Define a clock resource (frequency in Hz or a unit string; null = undefined frequency). */
  clock(name: string, freq: Quantity | null, phase?: Quantity): this {
    this.resources[name] = phase === undefined ? { freq } : { freq, phase };
    return this;
  }

  /** Add a reusable operation under `key`; schedulables can then use the key instead of the operation. */
  operation(key: string, op: OperationSpec): this {
    this.operations[key] = op;
    return this;
  }

  /** Add a schedulable. Without timing options it starts when the previously added one ends. */
  add(op: OperationSpec | string, opts: AddOptions = {}): SchedulableRef {
    const entry: SchedulableSpec = {} as SchedulableSpec;
    if (opts.label !== undefined) entry.label = opts.label;
    entry.operation = op;
    if (opts.constraints !== undefined) {
      entry.timing_constraints = opts.constraints.map(constraintSpec);
    } else {
      Object.assign(entry, constraintSpec(opts));
    }
    this.schedulables.push(entry);
    return new SchedulableRef(entry, `_s${this.schedulables.length - 1}`);
  }

  /** Add a LoopOperation whose body is built by `build`. */
  loop(
    repetitions: number,
    build: (body: BlockBuilder) => void,
    opts: AddOptions & { name?: string } = {},
  ): SchedulableRef {
    const body = new BlockBuilder();
    build(body);
    const loop: OperationSpec = { type: "LoopOperation", repetitions, body: body.toBlock() as LoopBodySpec };
    if (opts.name !== undefined) loop.name = opts.name;
    return this.add(loop, opts);
  }

  /**
   * Add a Sweep (docs/sweeps.md): the body built by `build` runs once per point of `parameters`
   * (linear ranges {name, start, stop, num} or {name, values}), nested (first outermost) or zipped.
   * Operation fields in the body refer to a parameter with `sweepRef("amp")` ("$amp") or
   * `sweepRef("amp", 0.2)` ("0.2 * $amp").
   */
  sweep(
    parameters: SweepParameterSpec[],
    build: (body: BlockBuilder) => void,
    opts: AddOptions & { name?: string; mode?: "nested" | "zip" } = {},
  ): SchedulableRef {
    const body = new BlockBuilder();
    build(body);
    const sweep: SweepOperationSpec = { type: "Sweep", parameters, body: body.toBlock() as LoopBodySpec };
    if (opts.name !== undefined) sweep.name = opts.name;
    if (opts.mode !== undefined) sweep.mode = opts.mode;
    return this.add(sweep, opts);
  }

  /** Add a nested schedule built by `build` (its repetitions are ignored). */
  subSchedule(name: string, build: (sub: BlockBuilder) => void, opts: AddOptions = {}): SchedulableRef {
    const sub = new BlockBuilder();
    build(sub);
    const spec: SubScheduleSpec = { type: "Schedule", name, ...sub.toBlock() };
    return this.add(spec, opts);
  }

  /** The block's JSON fields (empty maps are left out). */
  toBlock(): {
    schedulables: SchedulableSpec[];
    operations?: Record<string, OperationSpec>;
    resources?: Record<string, ClockResourceSpec>;
  } {
    const out: {
      schedulables: SchedulableSpec[];
      operations?: Record<string, OperationSpec>;
      resources?: Record<string, ClockResourceSpec>;
    } = {
      schedulables: this.schedulables,
    };
    if (Object.keys(this.resources).length) out.resources = this.resources;
    if (Object.keys(this.operations).length) out.operations = this.operations;
    return out;
  }
}

export class ScheduleBuilder extends BlockBuilder {
  constructor(
    private readonly name: string,
    private readonly opts: { repetitions?: number } = {},
  ) {
    super();
  }

  /** The schedule document (a fresh deep copy, safe to serialise or mutate). */
  toJSON(): ScheduleDocument {
    const block = this.toBlock();
    const doc: ScheduleDocument = { name: this.name, schedulables: block.schedulables };
    if (this.opts.repetitions !== undefined) doc.repetitions = this.opts.repetitions;
    if (block.resources) doc.resources = block.resources;
    if (block.operations) doc.operations = block.operations;
    return structuredClone(doc);
  }
}

type Params<T extends { type: string }> = Omit<T, "type">;
type P<T extends PulseSpec["type"]> = Params<Extract<PulseSpec, { type: T }>>;
type A<T extends AcquisitionSpec["type"]> = Params<Extract<AcquisitionSpec, { type: T }>>;

/** Type-safe operation factories: each returns the JSON operation object. */
export const Ops = {
  squarePulse: (p: P<"SquarePulse">): PulseSpec => ({ type: "SquarePulse", ...p }),
  drag: (p: P<"DRAGPulse">): PulseSpec => ({ type: "DRAGPulse", ...p }),
  gauss: (p: P<"GaussPulse">): PulseSpec => ({ type: "GaussPulse", ...p }),
  ramp: (p: P<"RampPulse">): PulseSpec => ({ type: "RampPulse", ...p }),
  staircase: (p: P<"StaircasePulse">): PulseSpec => ({ type: "StaircasePulse", ...p }),
  softSquare: (p: P<"SoftSquarePulse">): PulseSpec => ({ type: "SoftSquarePulse", ...p }),
  chirp: (p: P<"ChirpPulse">): PulseSpec => ({ type: "ChirpPulse", ...p }),
  numerical: (p: P<"NumericalPulse">): PulseSpec => ({ type: "NumericalPulse", ...p }),
  suddenNetZero: (p: P<"SuddenNetZeroPulse">): PulseSpec => ({ type: "SuddenNetZeroPulse", ...p }),
  skewedHermite: (p: P<"SkewedHermitePulse">): PulseSpec => ({ type: "SkewedHermitePulse", ...p }),
  idle: (duration: Quantity): PulseSpec => ({ type: "IdlePulse", duration }),
  voltageOffset: (p: P<"VoltageOffset">): PulseSpec => ({ type: "VoltageOffset", ...p }),
  marker: (p: P<"MarkerPulse">): PulseSpec => ({ type: "MarkerPulse", ...p }),
  setClockFrequency: (clock: string, clock_freq_new: Quantity | null): PulseSpec => ({
    type: "SetClockFrequency",
    clock,
    clock_freq_new,
  }),
  shiftClockPhase: (clock: string, phase_shift: Quantity): PulseSpec => ({
    type: "ShiftClockPhase",
    clock,
    phase_shift,
  }),
  resetClockPhase: (clock: string): PulseSpec => ({ type: "ResetClockPhase", clock }),
  ssbIntegrationComplex: (p: A<"SSBIntegrationComplex">): AcquisitionSpec => ({ type: "SSBIntegrationComplex", ...p }),
  thresholdedAcquisition: (p: A<"ThresholdedAcquisition">): AcquisitionSpec => ({
    type: "ThresholdedAcquisition",
    ...p,
  }),
  trace: (p: A<"Trace">): AcquisitionSpec => ({ type: "Trace", ...p }),
  numericalSeparatedWeightedIntegration: (p: A<"NumericalSeparatedWeightedIntegration">): AcquisitionSpec => ({
    type: "NumericalSeparatedWeightedIntegration",
    ...p,
  }),
  numericalWeightedIntegration: (p: A<"NumericalWeightedIntegration">): AcquisitionSpec => ({
    type: "NumericalWeightedIntegration",
    ...p,
  }),
  /** quantify-style Operation: several pulses/acquisitions with their own t0, timed as one schedulable. */
  composite: (name: string, parts: { pulses?: PulseSpec[]; acquisitions?: AcquisitionSpec[] }): CompositeSpec => {
    const op: CompositeSpec = { type: "Composite", name };
    if (parts.pulses) op.pulse_info = parts.pulses;
    if (parts.acquisitions) op.acquisition_info = parts.acquisitions;
    return op;
  },
};

type MeasureOptions = Omit<MeasureGateSpec, "type" | "qubit">;

/**
 * Gate-level operations with quantify's argument names (compile them with a device, docs/device.md):
 * `Gates.x("q0")`, `Gates.rxy(90, 0, "q0")`, `Gates.cz("q0", "q1")`, `Gates.measure("q0", { acq_channel: 0 })`.
 */
export const Gates = {
  x: (qubit: string): GateSpec => ({ type: "X", qubit }),
  y: (qubit: string): GateSpec => ({ type: "Y", qubit }),
  x90: (qubit: string): GateSpec => ({ type: "X90", qubit }),
  y90: (qubit: string): GateSpec => ({ type: "Y90", qubit }),
  rxy: (theta: Quantity, phi: Quantity, qubit: string): GateSpec => ({ type: "Rxy", theta, phi, qubit }),
  z: (qubit: string): GateSpec => ({ type: "Z", qubit }),
  z90: (qubit: string): GateSpec => ({ type: "Z90", qubit }),
  rz: (theta: Quantity, qubit: string): GateSpec => ({ type: "Rz", theta, qubit }),
  h: (qubit: string): GateSpec => ({ type: "H", qubit }),
  cz: (qC: string, qT: string): GateSpec => ({ type: "CZ", qC, qT }),
  /** Reset("q0") or Reset("q0", "q1", …) */
  reset: (...qubits: [string, ...string[]]): GateSpec => ({
    type: "Reset",
    qubit: qubits.length === 1 ? qubits[0] : qubits,
  }),
  /** Measure("q0", {acq_channel, acq_protocol, bin_mode, …}) or Measure(["q0", "q1"], …) */
  measure: (qubit: string | [string, ...string[]], opts: MeasureOptions = {}): GateSpec => ({
    type: "Measure",
    qubit,
    ...opts,
  }),
};
export { sweepRef } from "./sweep.js";
