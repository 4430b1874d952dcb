/**
 * Field schemas shared by the schedule document's operation schemas (schema.ts, schema-acquisitions.ts,
 * sweep.ts, feedback.ts, gates.ts): quantities, ports, clocks, t0, names.
 */
import { z } from "zod";

/** A number in SI units (s, Hz, V, degrees) or a unit string such as "20 ns", "7.4 GHz", "90 deg". */
export const QuantitySchema = z
  .union([z.number(), z.string()])
  .describe('number in SI units or a unit string, e.g. "20 ns"');
export const Time = QuantitySchema;
export const Freq = QuantitySchema;
export const Angle = QuantitySchema;
export const Amp = QuantitySchema;
export const ComplexAmp = z
  .union([QuantitySchema, z.tuple([z.number(), z.number()])])
  .describe("real amplitude or [re, im]");

export const port = z.string().min(1).describe('port, e.g. "q0:mw"');
export const clockRequired = z.string().min(1).describe('clock resource name, e.g. "q0.01"');
export const clockBaseband = clockRequired.optional().meta({ default: "cl0.baseband" });
export const t0 = Time.optional().meta({ default: 0 }).describe("start relative to the schedulable, s or unit string");
export const name = z
  .string()
  .optional()
  .describe("name used in messages (defaults to the operations key or the type)");
export const interpolation = z.enum(["linear", "nearest", "previous", "next"]);
