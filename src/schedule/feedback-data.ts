/**
 * Schedule-level LINQ data operations (docs/feedback.md, "Values over LINQ"): Q1 registers as named
 * per-sequencer variables, sent to other sequencers (`fb_com_data`), received from the feedback queue
 * (`fb_pop_data`: a measurement's IQ values or thresholded bits, or a sent value), combined with Q1
 * arithmetic and used as a voltage offset. Each operation sits on a port-clock, i.e. on the sequencer
 * that drives it, like a VoltageOffset. Names follow quantify's style (a CamelCase `type`, snake_case
 * fields). The zod schemas are the source of truth; normalise() turns them into the model types below.
 */
import { z } from "zod";
import { ScheduleError } from "../core/errors.js";
import { clockBaseband, name, port, t0 } from "./schema-fields.js";
import { t0Ns, type OpContext } from "./quantities.js";

const variable = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
  .describe("a variable of the operation's sequencer (one Q1 register, allocated on first use)");
const feedbackLabel = z
  .string()
  .min(1)
  .describe("the feedback_trigger_label of the measurement, or the label of the SendFeedback, whose data is received");
const int32 = z.number().int().min(-2147483648).max(4294967295);

/** Set a variable to an integer (Q1 `move`); values are 32-bit (negative numbers as two's complement). */
export const SetVariableSchema = z
  .strictObject({
    type: z.literal("SetVariable"),
    name,
    t0,
    port,
    clock: clockBaseband,
    variable,
    value: int32,
  })
  .meta({ id: "SetVariable" });

/**
 * Q1 arithmetic on variables: `result = variable <operation> operand` (`not`, `move`: of the operand
 * alone). Registers are 32 bits wide and wrap; `asr` shifts right logically (ISA v1), so keep values
 * non-negative where they are shifted.
 */
export const VariableArithmeticSchema = z
  .strictObject({
    type: z.literal("VariableArithmetic"),
    name,
    t0,
    port,
    clock: clockBaseband,
    variable,
    operation: z.enum(["add", "sub", "and", "or", "xor", "asl", "asr", "not", "move"]),
    operand: z
      .union([int32, variable])
      .optional()
      .describe("an integer or another variable (not: the value negated bitwise; move: the value copied)"),
    result: variable.optional().describe("the variable written (default: `variable`)"),
  })
  .meta({ id: "VariableArithmetic" });

/**
 * Send a variable or an integer to other sequencers over LINQ (`fb_com_data id,value,4`; 4 ns). With
 * `bits` the value is the low `bits` bits, and with write-combine (compiler_options.feedback_write_combine)
 * values sent together from one module share one payload: `fb_com_cfg 1,bit_pos,len,4`, `fb_com_data`,
 * `fb_com_cfg 0,0,0,4` (12 ns whenever `bits` is given).
 */
export const SendFeedbackSchema = z
  .strictObject({
    type: z.literal("SendFeedback"),
    name,
    t0,
    port,
    clock: clockBaseband,
    label: z.string().min(1).describe("what ReceiveFeedback operations name to receive this value"),
    variable: variable.optional(),
    value: int32.optional().describe("an integer to send instead of a variable"),
    bits: z
      .number()
      .int()
      .min(1)
      .max(32)
      .optional()
      .describe("width of the value in bits: lets write-combine pack values sent together into one payload"),
  })
  .meta({ id: "SendFeedback" });

/**
 * Receive LINQ data into a variable (`fb_pop_data`; Q1 time only). `data`: "iq" — the I and Q values of
 * a measurement's integration (floor(Σ·2^22) shifted by the rule in docs/feedback.md; Q goes to
 * `variable_q` when given), "thresholded_bits" — its 2-bit result (3 = 1, 2 = 0), "value" — what a
 * SendFeedback sent.
 */
export const ReceiveFeedbackSchema = z
  .strictObject({
    type: z.literal("ReceiveFeedback"),
    name,
    t0,
    port,
    clock: clockBaseband,
    label: feedbackLabel,
    data: z.enum(["iq", "thresholded_bits", "value"]),
    variable,
    variable_q: variable.optional().describe('data "iq": the variable for Q (default: Q is discarded)'),
  })
  .meta({ id: "ReceiveFeedback" });

/**
 * A voltage offset taken from variables (`set_awg_offs`; committed like VoltageOffset): each holds the
 * 16-bit offset code, value / 32768 of full scale (−32768 … 32767, the low 16 bits of the register).
 */
export const VariableVoltageOffsetSchema = z
  .strictObject({
    type: z.literal("VariableVoltageOffset"),
    name,
    t0,
    port,
    clock: clockBaseband,
    variable_path_I: variable,
    variable_path_Q: variable.optional().describe("default: path Q gets offset 0"),
  })
  .meta({ id: "VariableVoltageOffset" });

export const FEEDBACK_DATA_SCHEMAS = [
  SetVariableSchema,
  VariableArithmeticSchema,
  SendFeedbackSchema,
  ReceiveFeedbackSchema,
  VariableVoltageOffsetSchema,
] as const;

export type FeedbackDataSpec = z.infer<(typeof FEEDBACK_DATA_SCHEMAS)[number]>;
export const FEEDBACK_DATA_TYPES: readonly FeedbackDataSpec["type"][] = FEEDBACK_DATA_SCHEMAS.map(
  (s) => s.shape.type.value,
);

export type SetVariableSpec = z.infer<typeof SetVariableSchema>;
export type VariableArithmeticSpec = z.infer<typeof VariableArithmeticSchema>;
export type SendFeedbackSpec = z.infer<typeof SendFeedbackSchema>;
export type ReceiveFeedbackSpec = z.infer<typeof ReceiveFeedbackSchema>;
export type VariableVoltageOffsetSpec = z.infer<typeof VariableVoltageOffsetSchema>;

// ---- the normalised model ------------------------------------------------------------------

interface DataOpBase {
  name: string;
  path: string;
  t0Ns: number;
  port: string;
  clock: string;
}
export type FeedbackDataOp = DataOpBase &
  (
    | { type: "SetVariable"; durationNs: 0; variable: string; value: number }
    | {
        type: "VariableArithmetic";
        durationNs: 0;
        variable: string;
        operation: VariableArithmeticSpec["operation"];
        /** an integer (uint32 bits) or a variable name */
        operand: number | string | null;
        result: string;
      }
    | {
        type: "SendFeedback";
        /** 4, or 12 with `bits` (fb_com_cfg, fb_com_data, fb_com_cfg) */
        durationNs: number;
        label: string;
        variable: string | null;
        value: number;
        bits: number | null;
      }
    | {
        type: "ReceiveFeedback";
        durationNs: 0;
        label: string;
        data: ReceiveFeedbackSpec["data"];
        variable: string;
        variableQ: string | null;
      }
    | { type: "VariableVoltageOffset"; durationNs: 0; variableI: string; variableQ: string | null }
  );
export type FeedbackDataOpType = FeedbackDataOp["type"];

const base = (
  s: { name?: string | undefined; t0?: unknown; port: string; clock?: string | undefined },
  c: OpContext,
) => ({
  name: s.name ?? c.name,
  path: c.path,
  t0Ns: t0Ns(s.t0 as never, c),
  port: s.port,
  clock: s.clock ?? "cl0.baseband",
});

/** The normalisers, by type (schedule/normalize.ts calls them like the pulses'). */
export const FEEDBACK_DATA_NORMALIZERS = {
  SetVariable: (s: SetVariableSpec, c: OpContext): FeedbackDataOp => ({
    ...base(s, c),
    type: "SetVariable",
    durationNs: 0,
    variable: s.variable,
    value: s.value >>> 0,
  }),
  VariableArithmetic: (s: VariableArithmeticSpec, c: OpContext): FeedbackDataOp => {
    if (s.operand === undefined && s.operation !== "not")
      throw new ScheduleError(
        "VARIABLE_OPERAND_MISSING",
        `VariableArithmetic "${s.name ?? c.name}": operation "${s.operation}" needs an operand`,
        { path: c.path, hint: 'give "operand": an integer or the name of another variable' },
      );
    return {
      ...base(s, c),
      type: "VariableArithmetic",
      durationNs: 0,
      variable: s.variable,
      operation: s.operation,
      operand: s.operand === undefined ? null : typeof s.operand === "number" ? s.operand >>> 0 : s.operand,
      result: s.result ?? s.variable,
    };
  },
  SendFeedback: (s: SendFeedbackSpec, c: OpContext): FeedbackDataOp => {
    if ((s.variable === undefined) === (s.value === undefined))
      throw new ScheduleError(
        "SEND_FEEDBACK_VALUE",
        `SendFeedback "${s.name ?? c.name}" needs exactly one of "variable" and "value"`,
        { path: c.path, hint: 'send a variable ("variable": "avg") or an integer ("value": 5)' },
      );
    return {
      ...base(s, c),
      type: "SendFeedback",
      durationNs: s.bits === undefined ? 4 : 12,
      label: s.label,
      variable: s.variable ?? null,
      value: (s.value ?? 0) >>> 0,
      bits: s.bits ?? null,
    };
  },
  ReceiveFeedback: (s: ReceiveFeedbackSpec, c: OpContext): FeedbackDataOp => ({
    ...base(s, c),
    type: "ReceiveFeedback",
    durationNs: 0,
    label: s.label,
    data: s.data,
    variable: s.variable,
    variableQ: s.variable_q ?? null,
  }),
  VariableVoltageOffset: (s: VariableVoltageOffsetSpec, c: OpContext): FeedbackDataOp => ({
    ...base(s, c),
    type: "VariableVoltageOffset",
    durationNs: 0,
    variableI: s.variable_path_I,
    variableQ: s.variable_path_Q ?? null,
  }),
};

/** Normalise a LINQ value operation (null: `spec` is another kind of operation). */
export function normalizeFeedbackData(spec: { type: string }, c: OpContext): FeedbackDataOp | null {
  switch (spec.type) {
    case "SetVariable":
      return FEEDBACK_DATA_NORMALIZERS.SetVariable(spec as SetVariableSpec, c);
    case "VariableArithmetic":
      return FEEDBACK_DATA_NORMALIZERS.VariableArithmetic(spec as VariableArithmeticSpec, c);
    case "SendFeedback":
      return FEEDBACK_DATA_NORMALIZERS.SendFeedback(spec as SendFeedbackSpec, c);
    case "ReceiveFeedback":
      return FEEDBACK_DATA_NORMALIZERS.ReceiveFeedback(spec as ReceiveFeedbackSpec, c);
    case "VariableVoltageOffset":
      return FEEDBACK_DATA_NORMALIZERS.VariableVoltageOffset(spec as VariableVoltageOffsetSpec, c);
    default:
      return null;
  }
}
