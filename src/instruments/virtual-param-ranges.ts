/**
 * Range checks of the virtual Cluster's settable parameters, as the instrument (and qblox-instruments'
 * parameter validators) enforce them: module parameters (AFE offsets, input gains, attenuations, LO
 * frequencies, enables), the sequencer configuration document (NCO, gains, offsets, mixer
 * corrections, marker override, trigger thresholds, integration length, thresholding, TTL) and the
 * scope configuration. A value out of range is an `ScpiExecError` (-222 Data out of range; -224
 * Illegal parameter value for a wrong type, shape or step) and the instrument keeps the old value:
 * callers check before they store.
 *
 * Ranges: q1asm-and-scpi.md §3.2–3.3, 6.2–6.5, 7.1–7.3 and qblox-instruments (qcm_qrm / sequencer
 * QCoDeS parameters). ASSUMPTIONS where those are silent: QRC attenuations in 0.5 dB steps up to
 * 60 dB (outputs) and 30 dB (inputs); QRC LO frequencies in the catalog's 2–18 GHz range.
 */
import type { ModuleSpec, ModuleType } from "../core/module-catalog.js";
import { moduleSpec } from "../core/module-catalog.js";
import type { ScopeConfigDoc } from "./module-params.js";
import type { SequencerConfigDoc } from "./sequencer-config.js";
import { ScpiExecError } from "./virtual-commands.js";

export interface NumberRange {
  min: number;
  max: number;
  /** the value must be a multiple of `step` (e.g. attenuation in 2 dB steps, integers: 1) */
  step?: number;
  unit: string;
}

/** Maximum output attenuation (dB), as `AFE:ATT:OUT#:MAX?` answers (60 in qblox-instruments' dummy). */
export const MAX_OUT_ATT_DB = 60;
export const MAX_IN_ATT_DB = 30;

/** Largest |thresholded_acq_threshold| (2^24 − 4, reference 7.3). */
export const MAX_ACQ_THRESHOLD = 2 ** 24 - 4;

/** Range of a numeric module parameter (names of module-params.ts), or null for a boolean or unknown one. */
export function moduleParamRange(type: ModuleType, name: string): NumberRange | null {
  const info = moduleSpec(type);
  if (/^out\d+_offset$/.test(name)) {
    const v = type === "QCM" ? 2.5 : 0.5; // QCM ±2.5 V, QRM ±0.5 V (reference 6.3)
    return { min: -v, max: v, unit: "V" };
  }
  if (/^out\d+_offset_path[01]$/.test(name)) return { min: -84, max: 73, unit: "mV" };
  if (/^in\d+_gain$/.test(name)) return { min: -6, max: 26, step: 1, unit: "dB" };
  if (/^out\d+_att$/.test(name)) return { min: 0, max: MAX_OUT_ATT_DB, step: type === "QRC" ? 0.5 : 2, unit: "dB" };
  if (/^in\d+_att$/.test(name)) return { min: 0, max: MAX_IN_ATT_DB, step: type === "QRC" ? 0.5 : 2, unit: "dB" };
  if (/^lo\d+_freq$/.test(name)) {
    const r = info.loFrequencyRangeHz ?? { min: 2e9, max: 18e9 };
    return { min: r.min, max: r.max, unit: "Hz" };
  }
  return null;
}

const withUnit = (v: number, unit: string) => (unit ? `${v} ${unit}` : String(v));

/** Throw -222 when `v` is outside `r`, -224 when it is off its step. */
export function checkRange(v: number, r: NumberRange, what: string): void {
  const span = `${r.min}..${withUnit(r.max, r.unit)}`; // SCPI messages are ASCII
  if (v < r.min || v > r.max)
    throw new ScpiExecError(-222, `Data out of range; ${what}: ${withUnit(v, r.unit)} is outside ${span}`);
  if (r.step !== undefined) {
    const k = v / r.step;
    if (Math.abs(k - Math.round(k)) > 1e-9)
      throw new ScpiExecError(
        -224,
        r.step === 1
          ? `Illegal parameter value; ${what}: ${withUnit(v, r.unit)} is not an integer (${span})`
          : `Illegal parameter value; ${what}: ${withUnit(v, r.unit)} is not a multiple of ${withUnit(r.step, r.unit)} (${span})`,
      );
  }
}

/** A SCPI boolean argument: 1/0, ON/OFF (and TRUE/FALSE); anything else is -224. */
export function parseScpiBool(text: string, what: string): boolean {
  if (/^(1|on|true)$/i.test(text)) return true;
  if (/^(0|off|false)$/i.test(text)) return false;
  throw new ScpiExecError(-224, `Illegal parameter value; ${what} "${text}" must be 0 or 1 (OFF or ON)`);
}

/** The value a module-parameter write stores, checked (the caller stores it only when this returns). */
export function checkedModuleParam(
  mod: { type: ModuleType; slot: number },
  name: string,
  kind: "number" | "bool",
  text: string,
  num: (text: string) => number,
): number | boolean {
  const what = `${name} of slot ${mod.slot} (${mod.type})`;
  if (kind === "bool") return parseScpiBool(text, what);
  const v = num(text);
  const r = moduleParamRange(mod.type, name);
  if (r) checkRange(v, r, what);
  return v;
}

// ---- JSON documents -------------------------------------------------------------------------------

class DocChecker {
  constructor(readonly where: string) {}

  fail(code: number, msg: string): never {
    throw new ScpiExecError(code, `${code === -222 ? "Data out of range" : "Illegal parameter value"}; ${msg}`);
  }

  obj(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== "object" || Array.isArray(v))
      this.fail(-224, `${path} of the configuration of ${this.where} must be an object`);
    return v as Record<string, unknown>;
  }

  arr(v: unknown, path: string, length: number): unknown[] {
    if (!Array.isArray(v) || v.length !== length)
      this.fail(-224, `${path} of the configuration of ${this.where} must be a list of ${length}`);
    return v;
  }

  bool(v: unknown, name: string): void {
    if (typeof v !== "boolean")
      this.fail(-224, `${name} of ${this.where} must be true or false, not ${JSON.stringify(v)}`);
  }

  num(v: unknown, name: string, r: NumberRange): void {
    if (typeof v !== "number" || !Number.isFinite(v))
      this.fail(-224, `${name} of ${this.where} must be a finite number, not ${JSON.stringify(v)}`);
    checkRange(v, r, `${name} of ${this.where}`);
  }
}

const int = (min: number, max: number): NumberRange => ({ min, max, step: 1, unit: "" });
const real = (min: number, max: number, unit = ""): NumberRange => ({ min, max, unit });

/**
 * Check a `SEQuencer#:CONFiguration` document before it replaces the sequencer's: its shape (as the
 * driver reads it back) and every parameter's range, named by its qblox-instruments parameter.
 */
export function checkSequencerConfig(v: unknown, info: ModuleSpec, where: string): SequencerConfigDoc {
  const c = new DocChecker(where);
  const doc = c.obj(v, "the document");
  const sp = c.obj(doc["seq_proc"], "seq_proc");
  c.bool(sp["sync_en"], "sync_en");
  c.arr(sp["trg"], "seq_proc.trg", 15).forEach((t, i) => {
    const o = c.obj(t, `seq_proc.trg[${i}]`);
    c.num(o["count_threshold"], `trigger${i + 1}_count_threshold`, int(0, 65535));
    c.bool(o["threshold_invert"], `trigger${i + 1}_threshold_invert`);
  });
  const awg = c.obj(c.arr(doc["awg"], "awg", 1)[0], "awg[0]");
  const cont = c.obj(awg["cont_mode"], "awg[0].cont_mode");
  const en = c.arr(cont["en_path"], "awg[0].cont_mode.en_path", 2);
  const idx = c.arr(cont["wave_idx_path"], "awg[0].cont_mode.wave_idx_path", 2);
  const gain = c.arr(awg["gain_path"], "awg[0].gain_path", 2);
  const offs = c.arr(awg["offs_path"], "awg[0].offs_path", 2);
  const up = c.arr(awg["upsample_rate_path"], "awg[0].upsample_rate_path", 2);
  for (const p of [0, 1]) {
    c.bool(en[p], `cont_mode_en_awg_path${p}`);
    c.num(idx[p], `cont_mode_waveform_idx_awg_path${p}`, int(0, 1023));
    c.num(gain[p], `gain_awg_path${p}`, real(-1, 1));
    c.num(offs[p], `offset_awg_path${p}`, real(-1, 1));
    c.num(up[p], `upsample_rate_awg_path${p}`, int(0, 65535));
  }
  const mixer = c.obj(awg["mixer"], "awg[0].mixer");
  c.bool(mixer["en"], "mod_en_awg");
  c.num(mixer["corr_gain_ratio"], "mixer_corr_gain_ratio", real(0.5, 2));
  c.num(mixer["corr_phase_offset_degree"], "mixer_corr_phase_offset_degree", real(-45, 45, "deg"));
  const mrk = c.obj(awg["marker_ovr"], "awg[0].marker_ovr");
  c.bool(mrk["en"], "marker_ovr_en");
  c.num(mrk["val"], "marker_ovr_value", int(0, 15));
  const nco = c.obj(awg["nco"], "awg[0].nco");
  c.num(nco["freq_hz"], "nco_freq", real(-500e6, 500e6, "Hz"));
  c.num(nco["po"], "nco_phase_offs", real(0, 360, "deg"));
  c.num(nco["delay_comp"], "nco_prop_delay_comp", { min: -50, max: 109, step: 1, unit: "ns" });
  c.bool(nco["delay_comp_en"], "nco_prop_delay_comp_en");
  const acq = c.arr(doc["acq"], "acq", info.supportsAcquisition ? 1 : 0);
  if (acq.length === 1) {
    const q = c.obj(acq[0], "acq[0]");
    c.bool(c.obj(q["demod"], "acq[0].demod")["en"], "demod_en_acq");
    const th = c.obj(q["th_acq"], "acq[0].th_acq");
    c.num(th["discr_threshold"], "thresholded_acq_threshold", real(-MAX_ACQ_THRESHOLD, MAX_ACQ_THRESHOLD));
    c.num(th["non_weighed_integration_len"], "integration_length_acq", {
      min: 4,
      max: 2 ** 24 - 4,
      step: 4,
      unit: "ns",
    });
    // thresholded_acq_rotation is stored as cos / sin of (360° − θ)
    c.num(th["rotation_matrix_a11"], "thresholded_acq_rotation (rotation_matrix_a11)", real(-1, 1));
    c.num(th["rotation_matrix_a12"], "thresholded_acq_rotation (rotation_matrix_a12)", real(-1, 1));
    const mm = c.obj(q["th_acq_mrk_map"], "acq[0].th_acq_mrk_map");
    c.num(mm["addr"], "thresholded_acq_marker_address", int(0, info.isRF ? 3 : 15));
    c.bool(mm["en"], "thresholded_acq_marker_en");
    c.bool(mm["inv"], "thresholded_acq_marker_invert");
    const tm = c.obj(q["th_acq_trg_map"], "acq[0].th_acq_trg_map");
    c.bool(tm["en"], "thresholded_acq_trigger_en");
    // T1…T15 while enabled; 0 is the document's default (nothing mapped)
    c.num(tm["addr"], "thresholded_acq_trigger_address", int(tm["en"] ? 1 : 0, 15));
    c.bool(tm["inv"], "thresholded_acq_trigger_invert");
    const ttl = c.obj(q["ttl"], "acq[0].ttl");
    c.bool(ttl["auto_bin_incr_en"], "ttl_acq_auto_bin_incr_en");
    c.num(ttl["in"], "ttl_acq_input_select", int(0, 1));
    c.num(ttl["threshold"], "ttl_acq_threshold", real(-1, 1));
  }
  return doc as unknown as SequencerConfigDoc;
}

/** Check an `ACQ:SCOpe:CONFiguration` document (scope_acq_* parameters) of a module with `info`. */
export function checkScopeConfig(v: unknown, info: ModuleSpec, where: string): ScopeConfigDoc {
  const c = new DocChecker(where);
  const doc = c.obj(v, "the document");
  c.num(doc["sel_acq"], "scope_acq_sequencer_select", int(0, info.sequencers - 1));
  const avg = c.arr(doc["avg_en_path"], "avg_en_path", info.scopePaths);
  const trig = c.obj(doc["trig"], "trig");
  const mode = c.arr(trig["mode_path"], "trig.mode_path", info.scopePaths);
  const lvl = c.arr(trig["lvl_path"], "trig.lvl_path", info.scopePaths);
  for (let p = 0; p < info.scopePaths; p++) {
    c.bool(avg[p], `scope_acq_avg_mode_en_path${p}`);
    c.bool(mode[p], `scope_acq_trigger_mode_path${p}`);
    c.num(lvl[p], `scope_acq_trigger_level_path${p}`, real(-1, 1));
  }
  return doc as unknown as ScopeConfigDoc;
}
