/**
 * Acquisitions (reference 2.8, 3.12, 4.8): bins are planned in 2-plan/acquisitions.ts, weights
 * stored in 3-emit/waveforms.ts; here each protocol's acquire / acquire_weighed emission.
 */
import { TimingError } from "../../core/errors.js";
import { PROTOCOLS } from "../../core/protocols.js";
import { imm, reg } from "../../q1/types.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import { debugMarkerOff, debugMarkerOn, type EmitContext, type TimelineItem } from "./emit-context.js";
import type { AcquisitionHandler, EmitResult } from "./types.js";
import { sharedComment } from "./comments.js";

/** Minimum spacing of acquisition starts on one sequencer (MIN_TIME_BETWEEN_ACQUISITIONS). */
export const MIN_ACQ_SPACING_NS = 300;

/** "<type> <name> (acq_channel <c>)": makers per protocol, so that no closure is built per acquisition. */
const ACQUISITION_COMMENTS = Object.fromEntries(
  Object.keys(PROTOCOLS).map((type) => [
    type,
    (name: string | number, channel: string | number): string => `${type} ${name} (acq_channel ${channel})`,
  ]),
) as Record<AcquisitionOp["type"], (name: string | number, channel: string | number) => string>;

function emitAcquisition(op: AcquisitionOp, item: TimelineItem, ctx: EmitContext): EmitResult {
  const b = ctx.b;
  const t = item.startNs;
  if (t - ctx.lastAcqStart.t < MIN_ACQ_SPACING_NS) {
    throw new TimingError(
      "ACQUISITIONS_TOO_CLOSE",
      `acquisition "${op.name}" at ${t} ns starts ${t - ctx.lastAcqStart.t} ns after "${ctx.lastAcqStart.by?.name}" on ${ctx.seq.route.portClock}; the minimum is ${MIN_ACQ_SPACING_NS} ns`,
      {
        path: op.path,
        hint: "space acquisitions on one port-clock at least 300 ns apart",
      },
    );
  }
  ctx.lastAcqStart = { t, by: op };
  debugMarkerOn(ctx, "acquire", op);
  const ch = ctx.channelOf.get(op.acq_channel)!;
  const binReg = ctx.binRegister.get(op.acq_channel);
  const comment = sharedComment(op.type, op.name, op.acq_channel, ACQUISITION_COMMENTS[op.type]);
  if (PROTOCOLS[op.type].weighted) {
    const [w0, w1] = ctx.waves.weightsOfNode[item.id]!;
    if (binReg === undefined) {
      b.emitRt("acquire_weighed", [imm(ch.qbloxIndex), imm(ch.binOfNode[item.id]!), imm(w0), imm(w1)], 4, comment, op);
    } else {
      ctx.tempRegisters ??= [b.registers.allocate(op), b.registers.allocate(op)];
      const [rx, ry] = ctx.tempRegisters;
      b.emit("move", [imm(w0), reg(rx)], undefined, op);
      b.emit("move", [imm(w1), reg(ry)], undefined, op);
      b.emitRt("acquire_weighed", [imm(ch.qbloxIndex), reg(binReg), reg(rx), reg(ry)], 4, comment, op);
      b.emit("add", [reg(binReg), imm(1), reg(binReg)], undefined, op);
    }
  } else if (op.type === "Trace") {
    b.emitRt("acquire", [imm(ch.qbloxIndex), imm(0)], 4, comment, op);
  } else if (binReg === undefined) {
    b.emitRt("acquire", [imm(ch.qbloxIndex), imm(ch.binOfNode[item.id]!)], 4, comment, op);
  } else {
    b.emitRt("acquire", [imm(ch.qbloxIndex), reg(binReg)], 4, comment, op);
    b.emit("add", [reg(binReg), imm(1), reg(binReg)], `increment bin for acq_channel ${op.acq_channel}`, op);
  }
  debugMarkerOff(ctx, op);
  return "done";
}

const ACQUISITION = {
  family: "acquisition",
  placement: "port-clock",
  digitalChannelOk: false,
  emit: emitAcquisition,
} as const;

/** weighted / trace come from THE protocol table (core/protocols.ts), shared with the result shaper. */
function acquisition<K extends AcquisitionOp["type"]>(type: K): AcquisitionHandler<K> {
  const info = PROTOCOLS[type];
  return { ...ACQUISITION, weighted: info.weighted, trace: info.scope };
}

export const ACQUISITION_HANDLERS: { readonly [K in AcquisitionOp["type"]]: AcquisitionHandler<K> } = {
  SSBIntegrationComplex: acquisition("SSBIntegrationComplex"),
  ThresholdedAcquisition: acquisition("ThresholdedAcquisition"),
  WeightedThresholdedAcquisition: acquisition("WeightedThresholdedAcquisition"),
  NumericalSeparatedWeightedIntegration: acquisition("NumericalSeparatedWeightedIntegration"),
  NumericalWeightedIntegration: acquisition("NumericalWeightedIntegration"),
  Trace: acquisition("Trace"),
};
