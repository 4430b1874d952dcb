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
import type { AcquisitionHandler, EmitResult, OpHandler, OpTable, OpType, PulseHandler } from "./types.js";

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

export function handlerOf(op: ScheduleOp): OpHandler<OpType> {
  return HANDLERS.get(op.type)!;
}

export function isWaveformPulse(op: ScheduleOp): op is WaveformPulse {
  return HANDLERS.get(op.type)!.family === "pulse";
}

export function isAcquisition(op: ScheduleOp): op is AcquisitionOp {
  return HANDLERS.get(op.type)!.family === "acquisition";
}

/** Latched parameter operations (committed by upd_param or the next play/acquire). */
export function isParameterOp(op: ScheduleOp): boolean {
  return HANDLERS.get(op.type)!.family === "parameter";
}

/** Clock operations: no port, placed on every sequencer whose port-clock uses the clock. */
export function isClockOp(
  op: ScheduleOp,
): op is Extract<ScheduleOp, { type: "SetClockFrequency" | "ShiftClockPhase" | "ResetClockPhase" }> {
  return HANDLERS.get(op.type)!.placement === "clock";
}

export function pulseHandler(op: WaveformPulse): PulseHandler<WaveformPulse["type"]> {
  return HANDLERS.get(op.type) as PulseHandler<WaveformPulse["type"]>;
}

export function acquisitionHandler(op: AcquisitionOp): AcquisitionHandler<AcquisitionOp["type"]> {
  return HANDLERS.get(op.type) as AcquisitionHandler<AcquisitionOp["type"]>;
}

/** Emit one placed operation (or marker edge) through its kind's handler. */
export function emitItem(item: OpNode | MarkerEdge, ctx: EmitContext): EmitResult {
  return HANDLERS.get(item.op.type)!.emit(item.op as never, item, ctx);
}

export { type EmitContext, type TimelineItem, type MarkerEdge } from "./emit-context.js";
export type { OpHandler, OpType, Family, Placement, EmitResult } from "./types.js";
