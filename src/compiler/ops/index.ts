/**
 * THE operation table: one handler per operation type (pulses.ts, acquisitions.ts, parameters.ts).
 * `OPS` is typed over every `ScheduleOp["type"]`, so a new operation type without a handler fails
 * `npm run typecheck`; the predicates below are derived from it, never listed by hand.
 */
import type { AcquisitionOp, ScheduleOp, WaveformPulse } from "../../schedule/model.js";
import { ACQUISITION_HANDLERS } from "./acquisitions.js";
import { PARAMETER_HANDLERS } from "./parameters.js";
import { PULSE_HANDLERS } from "./pulses.js";
import { INLINE_Q1ASM_HANDLER } from "./inline-q1asm.js";
import { FEEDBACK_DATA_HANDLERS } from "./feedback-data.js";
import type { OpNode } from "../ir/nodes.js";
import type { EmitContext, MarkerEdge } from "./emit-context.js";
import type { AcquisitionHandler, EmitResult, Family, OpHandler, OpTable, OpType, PulseHandler } from "./types.js";

export const OPS: OpTable = {
  ...PULSE_HANDLERS,
  ...ACQUISITION_HANDLERS,
  ...PARAMETER_HANDLERS,
  InlineQ1ASM: INLINE_Q1ASM_HANDLER,
  ...FEEDBACK_DATA_HANDLERS,
};

// Hot paths look handlers up in a Map (type strings are internalised, their hash cached), not by a
// keyed property load on OPS, which turns megamorphic with 21 keys.
const HANDLERS = new Map<string, OpHandler<OpType>>(Object.entries(OPS) as [string, OpHandler<OpType>][]);

// Passes ask about one node after the other, and neighbours mostly share a type: the last type's
// handler is kept, so a run of one type costs a string identity compare (the type strings are
// literals of schedule/normalize.ts, internalised) instead of a Map lookup per node.
let lastType = "";
let lastHandler: OpHandler<OpType> | undefined;

export function handlerOf(op: ScheduleOp): OpHandler<OpType> {
  const type = op.type;
  if (type === lastType) return lastHandler!;
  const handler = HANDLERS.get(type)!;
  lastType = type;
  lastHandler = handler;
  return handler;
}

/** The family of an operation type (for questions about types, e.g. `SequencerPlan.opTypes`). */
export function familyOf(type: OpType): Family {
  return HANDLERS.get(type)!.family;
}

export function isWaveformPulse(op: ScheduleOp): op is WaveformPulse {
  return handlerOf(op).family === "pulse";
}

export function isAcquisition(op: ScheduleOp): op is AcquisitionOp {
  return handlerOf(op).family === "acquisition";
}

/** Latched parameter operations (committed by upd_param or the next play/acquire). */
export function isParameterOp(op: ScheduleOp): boolean {
  return handlerOf(op).family === "parameter";
}

/** Clock operations: no port, placed on every sequencer whose port-clock uses the clock. */
export function isClockOp(
  op: ScheduleOp,
): op is Extract<ScheduleOp, { type: "SetClockFrequency" | "ShiftClockPhase" | "ResetClockPhase" }> {
  return handlerOf(op).placement === "clock";
}

export function pulseHandler(op: WaveformPulse): PulseHandler<WaveformPulse["type"]> {
  return handlerOf(op) as PulseHandler<WaveformPulse["type"]>;
}

export function acquisitionHandler(op: AcquisitionOp): AcquisitionHandler<AcquisitionOp["type"]> {
  return handlerOf(op) as AcquisitionHandler<AcquisitionOp["type"]>;
}

/** Emit one placed operation (or marker edge) through its kind's handler. */
export function emitItem(item: OpNode | MarkerEdge, ctx: EmitContext): EmitResult {
  return handlerOf(item.op).emit(item.op as never, item, ctx);
}

export { type EmitContext, type TimelineItem, type MarkerEdge } from "./emit-context.js";
export type { OpHandler, OpType, Family, Placement, EmitResult } from "./types.js";
