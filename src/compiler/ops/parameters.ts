/**
 * Parameter operations (latched by the sequencer, committed by the next upd_param / play / acquire;
 * reference 3.10): voltage offsets, NCO clock operations, marker edges; and IdlePulse, which only
 * takes time.
 */
import { FrequencyError, ScheduleError } from "../../core/errors.js";
import { encodeFrequency, encodeOffset, encodePhase } from "../../q1/encodings.js";
import { imm } from "../../q1/types.js";
import { checkNcoSpacing, encoded, markerBits, type EmitContext, type TimelineItem } from "./emit-context.js";
import type { OpHandler, OpOf } from "./types.js";
import { sharedComment } from "./comments.js";

const offsetComment = (name: string | number): string => `${name} offset`;

type ParameterType =
  "VoltageOffset" | "SetClockFrequency" | "ShiftClockPhase" | "ResetClockPhase" | "MarkerPulse" | "IdlePulse";

function emitMarkerEdge(op: OpOf<"MarkerPulse">, item: TimelineItem, ctx: EmitContext): "needs-update" | "done" {
  if (item.kind !== "marker") return "done"; // the timeline turns every MarkerPulse into two edges
  const bits = markerBits(ctx.seq, op);
  if (item.high && ctx.defaultMarker !== 0 && (bits | ctx.defaultMarker) === ctx.defaultMarker) {
    throw new ScheduleError(
      "RF_OUTPUT_ALREADY_ON",
      `MarkerPulse "${op.name}" on ${ctx.seq.route.portClock} would switch on the RF output of ${ctx.seq.moduleName}.${ctx.seq.route.channelName}, which is already on because rf_output_on is true`,
      {
        path: op.path,
        hint: `set "rf_output_on": false on ${ctx.seq.moduleName} to switch the RF output with MarkerPulses`,
      },
    );
  }
  const value = item.high ? bits | ctx.defaultMarker : ctx.defaultMarker;
  ctx.b.emit("set_mrk", [imm(value)], `${op.name} marker ${item.high ? "on" : "off"}`, op);
  return "needs-update";
}

export const PARAMETER_HANDLERS: { readonly [K in ParameterType]: OpHandler<K> } = {
  VoltageOffset: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: false,
    emit: (op, _item, ctx) => {
      const oi = encoded(encodeOffset, op.offset_path_I, "offset path I", op);
      const oq = encoded(encodeOffset, op.offset_path_Q, "offset path Q", op);
      ctx.b.emit("set_awg_offs", [imm(oi), imm(oq)], sharedComment("offset", op.name, "", offsetComment), op);
      return "needs-update";
    },
  },
  ResetClockPhase: {
    family: "parameter",
    placement: "clock",
    digitalChannelOk: false,
    emit: (op, item, ctx) => {
      checkNcoSpacing(ctx, item.startNs, "phase", op);
      ctx.b.emit("reset_ph", [], op.name, op);
      return "needs-update";
    },
  },
  ShiftClockPhase: {
    family: "parameter",
    placement: "clock",
    digitalChannelOk: false,
    emit: (op, item, ctx) => {
      const steps = encoded(encodePhase, op.phase_shift, "NCO phase", op);
      // quantify tests the shift itself, not its encoding: 360° emits set_ph_delta 0
      if (op.phase_shift === 0) return "done";
      checkNcoSpacing(ctx, item.startNs, "phase", op);
      ctx.b.emit("set_ph_delta", [imm(steps)], `${op.name} (${op.phase_shift} deg)`, op);
      return "needs-update";
    },
  },
  SetClockFrequency: {
    family: "parameter",
    placement: "clock",
    digitalChannelOk: false,
    emit: (op, item, ctx) => {
      if (!ctx.freq.ncoEnabled || ctx.freq.ifHz === null) {
        throw new FrequencyError(
          "NCO_DISABLED",
          `SetClockFrequency "${op.name}" on ${ctx.seq.route.portClock}: the sequencer's NCO is disabled (interm_freq 0 or no output)`,
          {
            path: op.path,
            hint: "remove interm_freq: 0 for this port-clock to enable the NCO",
          },
        );
      }
      checkNcoSpacing(ctx, item.startNs, "frequency", op);
      const ifNew = op.clock_freq_new === null ? ctx.freq.ifHz : ctx.freq.ifHz + op.clock_freq_new - ctx.freq.clockHz;
      const steps = encoded(encodeFrequency, ifNew, "NCO frequency", op);
      ctx.b.emit("set_freq", [imm(steps)], `${op.name} (NCO ${ifNew} Hz)`, op);
      return "needs-update";
    },
  },
  MarkerPulse: { family: "parameter", placement: "port-clock", digitalChannelOk: true, emit: emitMarkerEdge },
  IdlePulse: { family: "idle", placement: "none", digitalChannelOk: false, emit: () => "done" },
};
