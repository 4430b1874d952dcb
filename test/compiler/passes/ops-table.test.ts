/**
 * ops/: the operation table. Every ScheduleOp type has exactly one handler; the predicates the
 * passes use are derived from it; and the table type is exhaustive (checked by `tsc`).
 */
import { describe, expect, it } from "vitest";
import {
  acquisitionHandler,
  isAcquisition,
  isClockOp,
  isParameterOp,
  isWaveformPulse,
  OPS,
  pulseHandler,
} from "../../../src/compiler/ops/index.js";
import {
  SHAPE_KEY_MAX,
  type Family,
  type OpTable,
  type OpType,
  type Placement,
} from "../../../src/compiler/ops/types.js";
import type { AcquisitionOp, ScheduleOp, WaveformPulse } from "../../../src/schedule/model.js";
import { OPERATION_TYPES } from "../../../src/schedule/schema.js";
import { GATE_TYPES } from "../../../src/schedule/gates.js";

/** The whole table, pinned: type → [family, placement, digitalChannelOk]. Typed exhaustive, so a new type must be added here too. */
const EXPECTED: { readonly [K in OpType]: readonly [Family, Placement, boolean] } = {
  SquarePulse: ["pulse", "port-clock", false],
  RampPulse: ["pulse", "port-clock", false],
  StaircasePulse: ["pulse", "port-clock", false],
  SoftSquarePulse: ["pulse", "port-clock", false],
  ChirpPulse: ["pulse", "port-clock", false],
  DRAGPulse: ["pulse", "port-clock", false],
  GaussPulse: ["pulse", "port-clock", false],
  SuddenNetZeroPulse: ["pulse", "port-clock", false],
  NumericalPulse: ["pulse", "port-clock", false],
  SkewedHermitePulse: ["pulse", "port-clock", false],
  SSBIntegrationComplex: ["acquisition", "port-clock", false],
  ThresholdedAcquisition: ["acquisition", "port-clock", false],
  NumericalSeparatedWeightedIntegration: ["acquisition", "port-clock", false],
  NumericalWeightedIntegration: ["acquisition", "port-clock", false],
  WeightedThresholdedAcquisition: ["acquisition", "port-clock", false],
  Trace: ["acquisition", "port-clock", false],
  VoltageOffset: ["parameter", "port-clock", false],
  MarkerPulse: ["parameter", "port-clock", true],
  InlineQ1ASM: ["parameter", "port-clock", true],
  SetClockFrequency: ["parameter", "clock", false],
  ShiftClockPhase: ["parameter", "clock", false],
  ResetClockPhase: ["parameter", "clock", false],
  IdlePulse: ["idle", "none", false],
  SetVariable: ["parameter", "port-clock", true],
  VariableArithmetic: ["parameter", "port-clock", true],
  SendFeedback: ["parameter", "port-clock", true],
  ReceiveFeedback: ["parameter", "port-clock", true],
  VariableVoltageOffset: ["parameter", "port-clock", false],
};

/** acquisition type → [weighted, trace] */
const ACQUISITION_FLAGS: { readonly [K in AcquisitionOp["type"]]: readonly [boolean, boolean] } = {
  SSBIntegrationComplex: [false, false],
  ThresholdedAcquisition: [false, false],
  NumericalSeparatedWeightedIntegration: [true, false],
  NumericalWeightedIntegration: [true, false],
  WeightedThresholdedAcquisition: [true, false],
  Trace: [false, true],
};

const TYPES = Object.keys(EXPECTED) as OpType[];
/** the predicates only read `type` */
const opOf = (type: OpType): ScheduleOp => ({ type }) as ScheduleOp;

describe("the operation table", () => {
  it("has exactly one handler per operation type, with the pinned family / placement / digitalChannelOk", () => {
    expect(Object.keys(OPS).sort()).toStrictEqual([...TYPES].sort());
    const actual = Object.fromEntries(
      Object.entries(OPS).map(([type, h]) => [type, [h.family, h.placement, h.digitalChannelOk]]),
    );
    expect(actual).toStrictEqual(EXPECTED);
  });

  it("covers every primitive operation type of the schedule schema (all but the containers)", () => {
    const containers: string[] = [
      "Composite",
      "LoopOperation",
      "Schedule",
      "ConditionalOperation",
      "RepeatUntilSuccess",
      "ConditionalReset",
      "Sweep",
    ];
    // gates are lowered to pulses before timing (1-schedule/gates): they need no handler
    const primitives = OPERATION_TYPES.filter((t) => !containers.includes(t) && !(GATE_TYPES as string[]).includes(t));
    expect([...primitives].sort()).toStrictEqual([...TYPES].sort());
  });

  it("every handler can emit; pulse handlers carry shapeKey and scale; acquisition handlers weighted / trace", () => {
    for (const type of TYPES) {
      const h = OPS[type];
      expect(typeof h.emit, type).toBe("function");
      if (h.family === "pulse") {
        expect([typeof h.shapeKey, typeof h.scale], type).toStrictEqual(["function", "function"]);
      }
      if (h.family === "acquisition") {
        expect([h.weighted, h.trace], type).toStrictEqual(ACQUISITION_FLAGS[type as AcquisitionOp["type"]]);
      }
    }
    expect(Object.keys(ACQUISITION_FLAGS).sort()).toStrictEqual(
      TYPES.filter((t) => EXPECTED[t][0] === "acquisition").sort(),
    );
  });

  it("shape keys are written into the caller's buffer: exact numbers, count returned, no array", () => {
    const out = new Float64Array(SHAPE_KEY_MAX).fill(99);
    const gauss = { type: "GaussPulse", durationNs: 20, G_amp: 0.3, phase: 90, sigma: null, nr_sigma: 4 };
    expect(pulseHandler(gauss as WaveformPulse).shapeKey(gauss as never, out)).toBe(6);
    expect(Array.from(out.subarray(0, 6))).toStrictEqual([6, 20, 0.3, 90, -1, 4]);
    const square = { type: "SquarePulse", durationNs: 40, amp: 0.5, ampImag: -0.25 };
    expect(pulseHandler(square as WaveformPulse).shapeKey(square as never, out)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toStrictEqual([0, 40, 0.5, -0.25]);
    const numerical = {
      type: "NumericalPulse",
      durationNs: 4,
      interpolation: "linear",
      samples_re: [0, 1],
      t_samples: [0, 2e-9],
    };
    expect(pulseHandler(numerical as WaveformPulse).shapeKey(numerical as never, out)).toBe("4|linear|0,1||0,2e-9");
  });

  it("pulseHandler / acquisitionHandler return the table's entries", () => {
    for (const type of TYPES) {
      if (EXPECTED[type][0] === "pulse") expect(pulseHandler(opOf(type) as WaveformPulse)).toBe(OPS[type]);
      if (EXPECTED[type][0] === "acquisition") expect(acquisitionHandler(opOf(type) as AcquisitionOp)).toBe(OPS[type]);
    }
  });

  it.each(TYPES)("predicates agree with the table for %s", (type) => {
    const [family, placement] = EXPECTED[type];
    const op = opOf(type);
    expect({
      isWaveformPulse: isWaveformPulse(op),
      isAcquisition: isAcquisition(op),
      isParameterOp: isParameterOp(op),
      isClockOp: isClockOp(op),
    }).toStrictEqual({
      isWaveformPulse: family === "pulse",
      isAcquisition: family === "acquisition",
      isParameterOp: family === "parameter",
      isClockOp: placement === "clock",
    });
  });

  it("the predicates partition the types as expected", () => {
    expect(TYPES.filter((t) => isWaveformPulse(opOf(t)))).toStrictEqual([
      "SquarePulse",
      "RampPulse",
      "StaircasePulse",
      "SoftSquarePulse",
      "ChirpPulse",
      "DRAGPulse",
      "GaussPulse",
      "SuddenNetZeroPulse",
      "NumericalPulse",
      "SkewedHermitePulse",
    ]);
    expect(TYPES.filter((t) => isAcquisition(opOf(t)))).toStrictEqual([
      "SSBIntegrationComplex",
      "ThresholdedAcquisition",
      "NumericalSeparatedWeightedIntegration",
      "NumericalWeightedIntegration",
      "WeightedThresholdedAcquisition",
      "Trace",
    ]);
    expect(TYPES.filter((t) => isParameterOp(opOf(t)))).toStrictEqual([
      "VoltageOffset",
      "MarkerPulse",
      "InlineQ1ASM",
      "SetClockFrequency",
      "ShiftClockPhase",
      "ResetClockPhase",
      "SetVariable",
      "VariableArithmetic",
      "SendFeedback",
      "ReceiveFeedback",
      "VariableVoltageOffset",
    ]);
    expect(TYPES.filter((t) => isClockOp(opOf(t)))).toStrictEqual([
      "SetClockFrequency",
      "ShiftClockPhase",
      "ResetClockPhase",
    ]);
  });

  it("the table type is exhaustive: a table missing one operation type does not type-check", () => {
    const { SquarePulse: _dropped, ...missingOne } = OPS;
    // @ts-expect-error OpTable requires a handler for every operation type; SquarePulse is missing. If this
    // line stops being an error, OpTable is no longer exhaustive and `tsc` fails on the unused directive.
    const incomplete: OpTable = missingOne;
    expect(Object.keys(incomplete)).toHaveLength(TYPES.length - 1);
    // the complete table is an OpTable
    const complete: OpTable = { ...missingOne, SquarePulse: OPS.SquarePulse };
    expect(Object.keys(complete)).toHaveLength(TYPES.length);
  });
});
