/**
 * Driver channel map of one sequencer (reference 1.6 table): connect_out{k} and connect_acq values,
 * keyed "out0".."out<N-1>" and, for connect_acq, "I"/"Q" (baseband QRM) or "acq" (RF readout).
 */
import { MODULE_CATALOG } from "../core/module-catalog.js";
import { channelMode } from "./channels.js";
import type { PortClockRoute } from "./model.js";

export type ConnectOut = "I" | "Q" | "IQ" | "off";
export type ConnectAcq = "in0" | "in1" | "off";

export interface ChannelMap {
  connect_out: Record<string, ConnectOut>;
  connect_acq: Record<string, ConnectAcq>;
}

export function channelMap(route: PortClockRoute): ChannelMap {
  const type = route.moduleType;
  if (type === "QTM") return { connect_out: {}, connect_acq: {} };
  const spec = MODULE_CATALOG[type];
  const mode = channelMode(route.channelName);
  const outs = route.outputIndices;
  const ins = route.inputIndices;
  const connect_out: Record<string, ConnectOut> = {};
  const connect_acq: Record<string, ConnectAcq> = {};

  if (!spec.isRF) {
    for (let k = 0; k < spec.outputs; k++) {
      let v: ConnectOut = "off";
      if (outs.includes(k) && mode === "complex") v = k % 2 === 0 ? "I" : "Q";
      else if (outs.includes(k) && mode === "real") v = "I";
      connect_out[`out${k}`] = v;
    }
    if (type === "QRM") {
      connect_acq["I"] = ins.includes(0) ? "in0" : "off";
      connect_acq["Q"] = ins.includes(1) ? "in1" : "off";
    }
    return { connect_out, connect_acq };
  }

  for (let k = 0; k < spec.outputs; k++) {
    const iq = mode !== "digital" && outs.length === 2 && outs[0] === 2 * k && outs[1] === 2 * k + 1;
    connect_out[`out${k}`] = iq ? "IQ" : "off";
  }
  const pair = ins.length === 2 ? `${ins[0]},${ins[1]}` : "";
  if (type === "QRM_RF") connect_acq["acq"] = pair === "0,1" ? "in0" : "off";
  if (type === "QRC") connect_acq["acq"] = pair === "0,1" ? "in0" : pair === "2,3" ? "in1" : "off";
  return { connect_out, connect_acq };
}
