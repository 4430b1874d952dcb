/**
 * Gate-level operations of the schedule format (docs/device.md), written with quantify's argument
 * names: `{"type": "X", "qubit": "q0"}`, `{"type": "Rxy", "theta": 90, "phi": 0, "qubit": "q0"}`,
 * `{"type": "CZ", "qC": "q0", "qT": "q1"}`, `{"type": "Measure", "qubit": "q0", "acq_channel": 0}`,
 * `{"type": "Reset", "qubit": "q0"}`. They carry no pulse parameters: the compiler's first schedule
 * pass (src/compiler/1-schedule/gates.ts) replaces each by the pulses the device element defines
 * (src/device/). This file only describes their JSON shape; schema.ts adds them to the operation union.
 *
 * Self-contained on purpose (no import from schema.ts, which imports this file).
 */
import { z } from "zod";

// A named definition ($defs/GateQuantity): a gate's schema then holds a $ref, so ajv compiles each gate
// into its own function instead of inlining it into the recursive operation validator (whose stack
// frame would grow with every gate and limit how deep loops may nest).
const Quantity = z
  .union([z.number(), z.string()])
  .describe('number in SI units or a unit string, e.g. "90 deg"')
  .meta({ id: "GateQuantity" });
const name = z.string().optional().describe("name used in messages (defaults to quantify's gate name)");
const t0 = Quantity.optional().meta({ default: 0 }).describe("start relative to the schedulable, s or unit string");
const qubit = z.string().min(1).describe('device element name, e.g. "q0"');
const qubits = z
  .union([qubit, z.array(qubit).min(1)])
  .describe('one device element, or several (quantify\'s Reset("q0", "q1") / Measure("q0", "q1"))');

const single = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), name, t0, qubit }).meta({ id: `${type}Gate` });

export const XGateSchema = single("X");
export const YGateSchema = single("Y");
export const X90GateSchema = single("X90");
export const Y90GateSchema = single("Y90");
export const ZGateSchema = single("Z");
export const Z90GateSchema = single("Z90");
export const HGateSchema = single("H");
export const RxyGateSchema = z
  .strictObject({
    type: z.literal("Rxy"),
    name,
    t0,
    theta: Quantity.describe("rotation angle, degrees (wrapped to [-180, 180) as quantify does)"),
    phi: Quantity.describe("phase of the rotation axis, degrees (wrapped to [0, 360))"),
    qubit,
  })
  .meta({ id: "RxyGate" });
export const RzGateSchema = z
  .strictObject({
    type: z.literal("Rz"),
    name,
    t0,
    theta: Quantity.describe("rotation angle, degrees (wrapped to [-180, 180)); a virtual phase shift"),
    qubit,
  })
  .meta({ id: "RzGate" });
export const CZGateSchema = z
  .strictObject({
    type: z.literal("CZ"),
    name,
    t0,
    qC: qubit.describe("control qubit"),
    qT: qubit.describe("target qubit"),
  })
  .meta({ id: "CZGate" });
export const ResetGateSchema = z
  .strictObject({ type: z.literal("Reset"), name, t0, qubit: qubits })
  .meta({ id: "ResetGate" });
export const MEASURE_PROTOCOLS = [
  "SSBIntegrationComplex",
  "ThresholdedAcquisition",
  "Trace",
  "NumericalSeparatedWeightedIntegration",
  "NumericalWeightedIntegration",
] as const;
export const MeasureGateSchema = z
  .strictObject({
    type: z.literal("Measure"),
    name,
    t0,
    qubit: qubits,
    acq_channel: z
      .union([z.number(), z.string()])
      .optional()
      .describe("overrides the element's measure.acq_channel (quantify's acq_channel_override)"),
    acq_index: z
      .union([z.number().int().min(0), z.array(z.number().int().min(0))])
      .optional()
      .describe("accepted for quantify compatibility; q1forge numbers bins in execution order"),
    acq_protocol: z
      .enum(MEASURE_PROTOCOLS)
      .optional()
      .describe("default SSBIntegrationComplex; the weighted protocols use the element's acq_weights_a/b"),
    bin_mode: z.enum(["average", "append", "AVERAGE", "APPEND"]).optional().meta({ default: "average" }),
    coords: z.record(z.string(), z.unknown()).optional(),
    feedback_trigger_label: z.union([z.string(), z.null()]).optional(),
  })
  .meta({ id: "MeasureGate" });

/** The gate schemas, in the order the schema lists them. */
export const gateSchemas = [
  XGateSchema,
  YGateSchema,
  X90GateSchema,
  Y90GateSchema,
  RxyGateSchema,
  ZGateSchema,
  Z90GateSchema,
  RzGateSchema,
  HGateSchema,
  CZGateSchema,
  MeasureGateSchema,
  ResetGateSchema,
] as const;

export type GateSpec = z.infer<(typeof gateSchemas)[number]>;
export type GateType = GateSpec["type"];
export type MeasureGateSpec = z.infer<typeof MeasureGateSchema>;

export const GATE_TYPES: readonly GateType[] = gateSchemas.map((s) => s.shape.type.value);
const GATE_TYPE_SET: ReadonlySet<string> = new Set(GATE_TYPES);

/** True for a gate-level operation (it needs a device to compile). */
export function isGateSpec(op: { type?: unknown }): op is GateSpec {
  return typeof op.type === "string" && GATE_TYPE_SET.has(op.type);
}
