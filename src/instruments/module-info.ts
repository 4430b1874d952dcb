/**
 * What the instrument layer needs to know per module type (reference 6 of quantify-backend.md,
 * 7.6 of q1asm-and-scpi.md), and the translation between qblox-instruments' `connect_out{k}` /
 * `connect_acq*` parameters and the SCPI channel maps `[[dacs of path0],[dacs of path1]]`.
 */
import type { ModuleType } from "../contract/compiled-schedule.js";

export interface InstrumentModuleInfo {
  type: ModuleType;
  /** *DESCribe? model string */
  model: "cluster_qcm" | "cluster_qrm" | "cluster_qrc" | "cluster_qtm";
  isRF: boolean;
  sequencers: number;
  /** front-panel outputs (connect_out{k}) */
  outputs: number;
  /** DACs (channel-map entries) */
  dacs: number;
  /** ADCs (acquisition channel-map entries) */
  adcs: number;
  readout: boolean;
  /** scope/bin scaling: 2^(bits−1) per sample, reference 7.6 */
  adcBits: number;
  /** internal LOs */
  los: number;
}

const CATALOG: Record<ModuleType, InstrumentModuleInfo> = {
  QCM: { type: "QCM", model: "cluster_qcm", isRF: false, sequencers: 6, outputs: 4, dacs: 4, adcs: 0, readout: false, adcBits: 12, los: 0 },
  QRM: { type: "QRM", model: "cluster_qrm", isRF: false, sequencers: 6, outputs: 2, dacs: 2, adcs: 2, readout: true, adcBits: 12, los: 0 },
  QCM_RF: { type: "QCM_RF", model: "cluster_qcm", isRF: true, sequencers: 6, outputs: 2, dacs: 4, adcs: 0, readout: false, adcBits: 12, los: 2 },
  QRM_RF: { type: "QRM_RF", model: "cluster_qrm", isRF: true, sequencers: 6, outputs: 1, dacs: 2, adcs: 2, readout: true, adcBits: 12, los: 1 },
  QRC: { type: "QRC", model: "cluster_qrc", isRF: true, sequencers: 12, outputs: 6, dacs: 12, adcs: 4, readout: true, adcBits: 15, los: 6 },
  QTM: { type: "QTM", model: "cluster_qtm", isRF: false, sequencers: 8, outputs: 8, dacs: 0, adcs: 0, readout: true, adcBits: 12, los: 0 },
};

export function moduleInfo(type: ModuleType): InstrumentModuleInfo { return CATALOG[type]; }

/** Module type from a *DESCribe? module entry. */
export function moduleTypeFromDescribe(model: string, isRF: boolean): ModuleType | null {
  switch (model) {
    case "cluster_qcm": return isRF ? "QCM_RF" : "QCM";
    case "cluster_qrm": return isRF ? "QRM_RF" : "QRM";
    case "cluster_qrc": return "QRC";
    case "cluster_qtm": return "QTM";
    default: return null;
  }
}

/** SCPI LO index of module-level LO `lo` (QRM-RF's only LO is LO1 on the wire, reference 10.4). */
export function scpiLoIndex(type: ModuleType, lo: number): number {
  return type === "QRM_RF" ? lo + 1 : lo;
}

export type ChannelMap = [number[], number[]];
export type ConnectOut = Record<string, "I" | "Q" | "IQ" | "off">;
export type ConnectAcq = Record<string, "in0" | "in1" | "off">;

/** connect_out ("out0" → "I"…) → AWG channel map. */
export function connectOutToChannelMap(type: ModuleType, connect: ConnectOut): ChannelMap {
  const info = moduleInfo(type);
  const map: ChannelMap = [[], []];
  for (let k = 0; k < info.outputs; k++) {
    const v = connect[`out${k}`] ?? "off";
    if (info.isRF) {
      if (v === "IQ") { map[0].push(2 * k); map[1].push(2 * k + 1); }
    } else if (v === "I") map[0].push(k);
    else if (v === "Q") map[1].push(k);
    else if (v === "IQ") { map[0].push(k); map[1].push(k); }
  }
  return map;
}

/** AWG channel map → connect_out for every output of the module. */
export function channelMapToConnectOut(type: ModuleType, map: ChannelMap): ConnectOut {
  const info = moduleInfo(type);
  const out: ConnectOut = {};
  for (let k = 0; k < info.outputs; k++) {
    if (info.isRF) out[`out${k}`] = map[0].includes(2 * k) && map[1].includes(2 * k + 1) ? "IQ" : "off";
    else {
      const i = map[0].includes(k), q = map[1].includes(k);
      out[`out${k}`] = i && q ? "IQ" : i ? "I" : q ? "Q" : "off";
    }
  }
  return out;
}

/** connect_acq ({I, Q} baseband or {acq} RF) → acquisition channel map. */
export function connectAcqToChannelMap(type: ModuleType, connect: ConnectAcq): ChannelMap {
  const info = moduleInfo(type);
  const map: ChannelMap = [[], []];
  const adc = (v: string | undefined) => (v === "in0" ? 0 : v === "in1" ? 1 : -1);
  if (info.isRF) {
    const n = adc(connect["acq"]);
    if (n >= 0) { map[0].push(2 * n); map[1].push(2 * n + 1); }
  } else {
    const i = adc(connect["I"]), q = adc(connect["Q"]);
    if (i >= 0) map[0].push(i);
    if (q >= 0) map[1].push(q);
  }
  return map;
}

/** Acquisition channel map → connect_acq in the compiled form. */
export function channelMapToConnectAcq(type: ModuleType, map: ChannelMap): ConnectAcq {
  const info = moduleInfo(type);
  const name = (n: number | undefined) => (n === 0 ? "in0" : n === 1 ? "in1" : "off");
  if (!info.readout) return {};
  if (info.isRF) {
    const p0 = map[0][0];
    return { acq: p0 !== undefined && p0 % 2 === 0 && map[1].includes(p0 + 1) ? name(p0 / 2) : "off" };
  }
  return { I: name(map[0][0]), Q: name(map[1][0]) };
}
