/**
 * The translation between qblox-instruments' `connect_out{k}` / `connect_acq*` parameters and the SCPI
 * channel maps `[[dacs of path0],[dacs of path1]]` (q1asm-and-scpi.md 6.1), and module identification
 * from `*DESCribe?`. Per-module-type facts (outputs, DACs, ADCs, SCPI model, LOs) come from the one
 * catalog in src/core/module-catalog.ts.
 */
import type { ConnectAcqValue, ConnectOutValue } from "../contract/compiled-schedule.js";
import { MODULE_CATALOG, MODULE_TYPES, moduleSpec, type ModuleType } from "../core/module-catalog.js";

/** Module type from a *DESCribe? module entry: the model string, and is_rf where the model has an RF variant. */
export function moduleTypeFromDescribe(model: string, isRF: boolean): ModuleType | null {
  const candidates = MODULE_TYPES.filter((t) => MODULE_CATALOG[t].scpiModel === model);
  if (candidates.length <= 1) return candidates[0] ?? null;
  return candidates.find((t) => MODULE_CATALOG[t].isRF === isRF) ?? null;
}

/** SCPI LO index of module-level LO `lo` (QRM-RF's only LO is LO1 on the wire, reference 10.4). */
export function scpiLoIndex(type: ModuleType, lo: number): number {
  return type === "QRM_RF" ? lo + 1 : lo;
}

export type ChannelMap = [number[], number[]];
export type ConnectOut = Record<string, ConnectOutValue>;
export type ConnectAcq = Record<string, ConnectAcqValue>;

/** connect_out ("out0" → "I"…) → AWG channel map. */
export function connectOutToChannelMap(type: ModuleType, connect: ConnectOut): ChannelMap {
  const info = moduleSpec(type);
  const map: ChannelMap = [[], []];
  for (let k = 0; k < info.outputs; k++) {
    const v = connect[`out${k}`] ?? "off";
    if (info.isRF) {
      if (v === "IQ") {
        map[0].push(2 * k);
        map[1].push(2 * k + 1);
      }
    } else if (v === "I") map[0].push(k);
    else if (v === "Q") map[1].push(k);
    else if (v === "IQ") {
      map[0].push(k);
      map[1].push(k);
    }
  }
  return map;
}

/** AWG channel map → connect_out for every output of the module. */
export function channelMapToConnectOut(type: ModuleType, map: ChannelMap): ConnectOut {
  const info = moduleSpec(type);
  const out: ConnectOut = {};
  for (let k = 0; k < info.outputs; k++) {
    if (info.isRF) out[`out${k}`] = map[0].includes(2 * k) && map[1].includes(2 * k + 1) ? "IQ" : "off";
    else {
      const i = map[0].includes(k),
        q = map[1].includes(k);
      out[`out${k}`] = i && q ? "IQ" : i ? "I" : q ? "Q" : "off";
    }
  }
  return out;
}

/** connect_acq ({I, Q} baseband or {acq} RF) → acquisition channel map. */
export function connectAcqToChannelMap(type: ModuleType, connect: ConnectAcq): ChannelMap {
  const info = moduleSpec(type);
  const map: ChannelMap = [[], []];
  const adc = (v: string | undefined) => (v === "in0" ? 0 : v === "in1" ? 1 : -1);
  if (info.isRF) {
    const n = adc(connect["acq"]);
    if (n >= 0) {
      map[0].push(2 * n);
      map[1].push(2 * n + 1);
    }
  } else {
    const i = adc(connect["I"]),
      q = adc(connect["Q"]);
    if (i >= 0) map[0].push(i);
    if (q >= 0) map[1].push(q);
  }
  return map;
}

/** Acquisition channel map → connect_acq in the compiled form. */
export function channelMapToConnectAcq(type: ModuleType, map: ChannelMap): ConnectAcq {
  const info = moduleSpec(type);
  const name = (n: number | undefined) => (n === 0 ? "in0" : n === 1 ? "in1" : "off");
  if (!info.supportsAcquisition) return {};
  if (info.isRF) {
    const p0 = map[0][0];
    return { acq: p0 !== undefined && p0 % 2 === 0 && map[1].includes(p0 + 1) ? name(p0 / 2) : "off" };
  }
  return { I: name(map[0][0]), Q: name(map[1][0]) };
}
