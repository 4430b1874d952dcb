/**
 * The shape of one operation handler (DESIGN "one handler per operation kind"): everything the
 * compiler knows about a kind lives in its handler, and every predicate (`isWaveformPulse`, …) is
 * derived from the table in ./index.ts.
 */
import type { Complex } from "../../hardware/resolved.js";
import type { AcquisitionOp, ScheduleOp, WaveformPulse } from "../../schedule/model.js";
import type { EmitContext, TimelineItem } from "./emit-context.js";

export type OpType = ScheduleOp["type"];
export type OpOf<K extends OpType> = Extract<ScheduleOp, { type: K }>;

/**
 * pulse: sampled into waveform memory and played; acquisition: acquire on an input; parameter:
 * latches a sequencer parameter committed by the next upd_param/play/acquire (offsets, NCO, markers);
 * idle: takes time only.
 */
export type Family = "pulse" | "acquisition" | "parameter" | "idle";

/**
 * Where an operation is placed: on its own port-clock's sequencer, on every sequencer whose
 * port-clock uses its clock (clock operations have no port), or nowhere (it only takes time).
 */
export type Placement = "port-clock" | "clock" | "none";

export type EmitResult = "needs-update" | "done";

interface HandlerBase<K extends OpType> {
  family: Family;
  placement: Placement;
  /** channels the operation may be routed to: analog outputs/inputs only, or digital (marker) channels too */
  digitalChannelOk: boolean;
  /** emit the instructions of one placed operation; the builder has waited up to its start */
  emit: (op: OpOf<K>, item: TimelineItem, ctx: EmitContext) => EmitResult;
}

/** The most numbers a pulse's shape key has (PulseHandler.shapeKey). */
export const SHAPE_KEY_MAX = 8;

export interface PulseHandler<K extends OpType> extends HandlerBase<K> {
  family: "pulse";
  /**
   * The numbers that determine the samples (not port, time or name), written into `out` (at most
   * SHAPE_KEY_MAX of them; no array per pulse), returning how many; or a text key for sample lists.
   */
  shapeKey: (op: OpOf<K> & WaveformPulse, out: Float64Array) => number | string;
  /** the pulse times complex c on another port-clock; null when the kind is real by construction and c is not real */
  scale: (op: OpOf<K> & WaveformPulse, c: Complex) => OpOf<K> | null;
}

export interface AcquisitionHandler<K extends OpType> extends HandlerBase<K> {
  family: "acquisition";
  /** integrates with uploaded weights (acquire_weighed) */
  weighted: boolean;
  /** returns the scope trace instead of integrated bins */
  trace: boolean;
  /** check the weights / parameters of one acquisition (range, presence) before any are stored */
  check?: (op: OpOf<K> & AcquisitionOp) => void;
}

export interface OtherHandler<K extends OpType> extends HandlerBase<K> {
  family: "parameter" | "idle";
}

export type OpHandler<K extends OpType> = PulseHandler<K> | AcquisitionHandler<K> | OtherHandler<K>;

/** The table type: one handler per operation type; a new type without a handler fails to compile. */
export type OpTable = { readonly [K in OpType]: OpHandler<K> };
