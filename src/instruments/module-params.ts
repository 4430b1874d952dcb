/**
 * Module-level parameters (qblox-instruments names) → SCPI headers (reference 10.4 "Module-level
 * analog front-end, LO, scope"). One table, used by the driver for set/get/snapshot.
 */
import { moduleSpec, type ModuleType } from "../core/module-catalog.js";
import { scpiLoIndex } from "./module-info.js";

export interface ModuleParamCommand {
  /** SCPI header without the SLOT prefix, e.g. "AFE:OFFSet:DAC0" */
  header: string;
  kind: "number" | "bool";
}

/**
 * Names: `out{n}_offset` (baseband, V), `out{o}_offset_path{p}` (RF, mV), `in{n}_gain` (dB),
 * `out{n}_att` / `in{n}_att` (RF, dB), `lo{k}_freq` (Hz), `lo{k}_en` (module LO index k) and
 * `marker{n}_inv_en` (marker n idles high).
 */
export function moduleParamCommand(type: ModuleType, name: string): ModuleParamCommand | null {
  const info = moduleSpec(type);
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^out(\d+)_offset$/)) && !info.isRF && Number(m[1]) < info.dacs)
    return { header: `AFE:OFFSet:DAC${m[1]}`, kind: "number" };
  if ((m = name.match(/^out(\d+)_offset_path([01])$/)) && info.isRF && Number(m[1]) < info.outputs)
    return { header: `AFE:OFFSet:OUTAMP${2 * Number(m[1]) + Number(m[2])}`, kind: "number" };
  if ((m = name.match(/^in(\d+)_gain$/)) && !info.isRF && info.supportsAcquisition && Number(m[1]) < info.adcs)
    return { header: `AFE:GAIN:INAMP${m[1]}`, kind: "number" };
  if ((m = name.match(/^out(\d+)_att$/)) && info.isRF && Number(m[1]) < info.outputs)
    return { header: `AFE:ATT:OUT${m[1]}`, kind: "number" };
  if ((m = name.match(/^in(\d+)_att$/)) && info.isRF && info.supportsAcquisition && Number(m[1]) < info.adcs / 2)
    return { header: `AFE:ATT:IN${m[1]}`, kind: "number" };
  if ((m = name.match(/^lo(\d+)_freq$/)) && Number(m[1]) < info.internalLos)
    return { header: `STATus:QUEStionable:FREQuency:LO${scpiLoIndex(type, Number(m[1]))}`, kind: "number" };
  if ((m = name.match(/^lo(\d+)_en$/)) && Number(m[1]) < info.internalLos)
    return { header: `LO${scpiLoIndex(type, Number(m[1]))}:ENAble`, kind: "bool" };
  // marker idle polarity (qblox-instruments marker{n}_inv_en); the SCPI string is q1forge's assumption
  if ((m = name.match(/^marker(\d+)_inv_en$/)) && Number(m[1]) < info.markers)
    return { header: `MARKer${m[1]}:INVert:ENAble`, kind: "bool" };
  return null;
}

/** Every module parameter name that applies to a module type (for snapshots). */
export function moduleParamNames(type: ModuleType): string[] {
  const info = moduleSpec(type);
  const names: string[] = [];
  if (info.isRF) {
    for (let o = 0; o < info.outputs; o++) names.push(`out${o}_offset_path0`, `out${o}_offset_path1`, `out${o}_att`);
    if (info.supportsAcquisition) for (let i = 0; i < info.adcs / 2; i++) names.push(`in${i}_att`);
    for (let k = 0; k < info.internalLos; k++) names.push(`lo${k}_freq`, `lo${k}_en`);
  } else {
    for (let o = 0; o < info.dacs; o++) names.push(`out${o}_offset`);
    if (info.supportsAcquisition) for (let i = 0; i < info.adcs; i++) names.push(`in${i}_gain`);
  }
  for (let k = 0; k < info.markers; k++) names.push(`marker${k}_inv_en`);
  return names;
}

/** JSON document of `ACQ:SCOpe:CONFiguration` (reference 10.4). */
export interface ScopeConfigDoc {
  sel_acq: number;
  avg_en_path: boolean[];
  trig: { mode_path: boolean[]; lvl_path: number[] };
}

export function defaultScopeConfig(paths: number): ScopeConfigDoc {
  return {
    sel_acq: 0,
    avg_en_path: new Array(paths).fill(false),
    trig: { mode_path: new Array(paths).fill(false), lvl_path: new Array(paths).fill(0) },
  };
}
