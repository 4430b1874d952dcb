/**
 * The per-sequencer configuration document carried by `SLOT{s}:SEQuencer{q}:CONFiguration` (reference
 * 10.4) and the mapping between it and qblox-instruments parameter names. Shared by the driver
 * (read-modify-write of the document) and the virtual Cluster (which runs the emulator from it).
 */
import type { TriggerThresholdParams } from "../contract/driver-params.js";
import { InstrumentError } from "../core/errors.js";

export interface SequencerConfigDoc {
  seq_proc: { sync_en: boolean; trg: { count_threshold: number; threshold_invert: boolean }[] };
  awg: {
    cont_mode: { en_path: [boolean, boolean]; wave_idx_path: [number, number] };
    mixer: { en: boolean; corr_gain_ratio: number; corr_phase_offset_degree: number };
    marker_ovr: { en: boolean; val: number };
    gain_path: [number, number];
    offs_path: [number, number];
    nco: { freq_hz: number; po: number; delay_comp: number; delay_comp_en: boolean };
    upsample_rate_path: [number, number];
  }[];
  acq: {
    demod: { en: boolean };
    th_acq: {
      discr_threshold: number;
      non_weighed_integration_len: number;
      rotation_matrix_a11: number;
      rotation_matrix_a12: number;
    };
    th_acq_mrk_map: { addr: number; en: boolean; inv: boolean };
    th_acq_trg_map: { addr: number; en: boolean; inv: boolean };
    ttl: { auto_bin_incr_en: boolean; in: number; threshold: number };
  }[];
}

export function defaultSequencerConfig(readout: boolean): SequencerConfigDoc {
  const doc: SequencerConfigDoc = {
    seq_proc: {
      sync_en: false,
      trg: Array.from({ length: 15 }, () => ({ count_threshold: 1, threshold_invert: false })),
    },
    awg: [
      {
        cont_mode: { en_path: [false, false], wave_idx_path: [0, 0] },
        mixer: { en: false, corr_gain_ratio: 1.0, corr_phase_offset_degree: 0.0 },
        marker_ovr: { en: false, val: 0 },
        gain_path: [1.0, 1.0],
        offs_path: [0.0, 0.0],
        nco: { freq_hz: 0, po: 0, delay_comp: 0, delay_comp_en: false },
        upsample_rate_path: [0, 0],
      },
    ],
    acq: [],
  };
  if (readout) {
    doc.acq.push({
      demod: { en: false },
      th_acq: {
        discr_threshold: 0,
        non_weighed_integration_len: 1024,
        rotation_matrix_a11: 1.0,
        rotation_matrix_a12: 0.0,
      },
      th_acq_mrk_map: { addr: 0, en: false, inv: false },
      th_acq_trg_map: { addr: 0, en: false, inv: false },
      ttl: { auto_bin_incr_en: false, in: 0, threshold: 0 },
    });
  }
  return doc;
}

/** Sequencer parameters stored in the configuration document (qblox-instruments names). */
export interface SequencerConfigParams extends TriggerThresholdParams {
  sync_en: boolean;
  nco_freq: number;
  nco_phase_offs: number;
  mod_en_awg: boolean;
  mixer_corr_gain_ratio: number;
  mixer_corr_phase_offset_degree: number;
  marker_ovr_en: boolean;
  marker_ovr_value: number;
  gain_awg_path0: number;
  gain_awg_path1: number;
  offset_awg_path0: number;
  offset_awg_path1: number;
  demod_en_acq: boolean;
  integration_length_acq: number;
  thresholded_acq_threshold: number;
  thresholded_acq_rotation: number;
  thresholded_acq_trigger_en: boolean;
  thresholded_acq_trigger_address: number;
  thresholded_acq_trigger_invert: boolean;
  ttl_acq_auto_bin_incr_en: boolean;
  ttl_acq_input_select: number;
  ttl_acq_threshold: number;
}
export type SequencerConfigParamName = keyof SequencerConfigParams;

const ACQ_PARAMS = new Set<SequencerConfigParamName>([
  "demod_en_acq",
  "integration_length_acq",
  "thresholded_acq_threshold",
  "thresholded_acq_rotation",
  "thresholded_acq_trigger_en",
  "thresholded_acq_trigger_address",
  "thresholded_acq_trigger_invert",
  "ttl_acq_auto_bin_incr_en",
  "ttl_acq_input_select",
  "ttl_acq_threshold",
]);

export function isAcquisitionParam(name: SequencerConfigParamName): boolean {
  return ACQ_PARAMS.has(name);
}

const DEG = Math.PI / 180;

/** `trigger{a}_count_threshold` / `trigger{a}_threshold_invert` ↔ `seq_proc.trg[a − 1]` (reference 10.4). */
const TRIGGER_PARAM = /^trigger([1-9]|1[0-5])_(count_threshold|threshold_invert)$/;

/** The trigger-network parameters of a parameter set (for the emulator). */
export function triggerNetworkParams(c: Partial<SequencerConfigParams>): Partial<SequencerConfigParams> {
  const out: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(c))
    if (v !== undefined && (TRIGGER_PARAM.test(k) || k.startsWith("thresholded_acq_trigger_"))) out[k] = v;
  return out as Partial<SequencerConfigParams>;
}

/** Read every parameter from a document (acquisition parameters only when the document has `acq`). */
export function readConfigParams(doc: SequencerConfigDoc): Partial<SequencerConfigParams> {
  const a = doc.awg[0]!;
  const out: Partial<SequencerConfigParams> = {
    sync_en: doc.seq_proc.sync_en,
    nco_freq: a.nco.freq_hz,
    nco_phase_offs: a.nco.po,
    mod_en_awg: a.mixer.en,
    mixer_corr_gain_ratio: a.mixer.corr_gain_ratio,
    mixer_corr_phase_offset_degree: a.mixer.corr_phase_offset_degree,
    marker_ovr_en: a.marker_ovr.en,
    marker_ovr_value: a.marker_ovr.val,
    gain_awg_path0: a.gain_path[0],
    gain_awg_path1: a.gain_path[1],
    offset_awg_path0: a.offs_path[0],
    offset_awg_path1: a.offs_path[1],
  };
  const trg = out as Record<string, number | boolean>;
  doc.seq_proc.trg.forEach((t, i) => {
    trg[`trigger${i + 1}_count_threshold`] = t.count_threshold;
    trg[`trigger${i + 1}_threshold_invert`] = t.threshold_invert;
  });
  const q = doc.acq[0];
  if (q) {
    // rotation is stored as a11 = cos(360°−θ), a12 = sin(360°−θ) (reference 7.3)
    const theta = (360 - Math.atan2(q.th_acq.rotation_matrix_a12, q.th_acq.rotation_matrix_a11) / DEG) % 360;
    Object.assign(out, {
      demod_en_acq: q.demod.en,
      integration_length_acq: q.th_acq.non_weighed_integration_len,
      thresholded_acq_threshold: q.th_acq.discr_threshold,
      thresholded_acq_rotation: Math.round(theta * 1e9) / 1e9,
      thresholded_acq_trigger_en: q.th_acq_trg_map.en,
      thresholded_acq_trigger_address: q.th_acq_trg_map.addr,
      thresholded_acq_trigger_invert: q.th_acq_trg_map.inv,
      ttl_acq_auto_bin_incr_en: q.ttl.auto_bin_incr_en,
      ttl_acq_input_select: q.ttl.in,
      ttl_acq_threshold: q.ttl.threshold,
    });
  }
  return out;
}

/** Sequencer parameters that take true / false (the others take finite numbers). */
const BOOLEAN_PARAMS = new Set<string>([
  "sync_en",
  "mod_en_awg",
  "marker_ovr_en",
  "demod_en_acq",
  "thresholded_acq_trigger_en",
  "thresholded_acq_trigger_invert",
  "ttl_acq_auto_bin_incr_en",
]);

/**
 * Every value of `params` has its parameter's type: a boolean for the `…_en` / `…_invert` switches,
 * a finite number for the others (never coerced: `2` is not `true`, `"yes"` is not a switch).
 * Throws a typed INVALID_PARAMETER error naming the parameter (and `where`, e.g. "slot 2 sequencer 0").
 */
export function checkConfigParamTypes(params: Partial<SequencerConfigParams>, where: string): void {
  for (const [key, value] of Object.entries(params) as [string, unknown][]) {
    if (value === undefined) continue;
    const trg = TRIGGER_PARAM.exec(key);
    const bool = trg ? trg[2] !== "count_threshold" : BOOLEAN_PARAMS.has(key);
    const ok = bool ? typeof value === "boolean" : typeof value === "number" && Number.isFinite(value);
    if (ok) continue;
    const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
    throw new InstrumentError(
      "INVALID_PARAMETER",
      `${key} of ${where} must be ${bool ? "a boolean (true or false)" : "a finite number"}, not ${shown} (${typeof value})`,
      {
        path: `${where}/${key}`,
        hint: bool ? `pass ${key}: true or ${key}: false` : `pass ${key} as a number, e.g. ${key}: 0`,
      },
    );
  }
}

/**
 * Write parameters into a document (mutates it). Returns the names that do not apply (acq params on a
 * control module). Values of the wrong type are refused first (checkConfigParamTypes), the document untouched.
 */
export function writeConfigParams(
  doc: SequencerConfigDoc,
  params: Partial<SequencerConfigParams>,
  where = "the sequencer",
): SequencerConfigParamName[] {
  checkConfigParamTypes(params, where);
  const a = doc.awg[0]!;
  const q = doc.acq[0];
  const rejected: SequencerConfigParamName[] = [];
  for (const [key, value] of Object.entries(params) as [SequencerConfigParamName, number | boolean][]) {
    if (value === undefined) continue;
    const trg = TRIGGER_PARAM.exec(key);
    if (trg) {
      const t = doc.seq_proc.trg[Number(trg[1]) - 1]!;
      if (trg[2] === "count_threshold") t.count_threshold = Number(value);
      else t.threshold_invert = Boolean(value);
      continue;
    }
    if (isAcquisitionParam(key) && !q) {
      rejected.push(key);
      continue;
    }
    switch (key) {
      case "sync_en":
        doc.seq_proc.sync_en = Boolean(value);
        break;
      case "nco_freq":
        a.nco.freq_hz = Number(value);
        break;
      case "nco_phase_offs":
        a.nco.po = Number(value);
        break;
      case "mod_en_awg":
        a.mixer.en = Boolean(value);
        break;
      case "mixer_corr_gain_ratio":
        a.mixer.corr_gain_ratio = Number(value);
        break;
      case "mixer_corr_phase_offset_degree":
        a.mixer.corr_phase_offset_degree = Number(value);
        break;
      case "marker_ovr_en":
        a.marker_ovr.en = Boolean(value);
        break;
      case "marker_ovr_value":
        a.marker_ovr.val = Number(value);
        break;
      case "gain_awg_path0":
        a.gain_path[0] = Number(value);
        break;
      case "gain_awg_path1":
        a.gain_path[1] = Number(value);
        break;
      case "offset_awg_path0":
        a.offs_path[0] = Number(value);
        break;
      case "offset_awg_path1":
        a.offs_path[1] = Number(value);
        break;
      case "demod_en_acq":
        q!.demod.en = Boolean(value);
        break;
      case "integration_length_acq":
        q!.th_acq.non_weighed_integration_len = Number(value);
        break;
      case "thresholded_acq_threshold":
        q!.th_acq.discr_threshold = Number(value);
        break;
      case "thresholded_acq_rotation": {
        const r = (360 - Number(value)) * DEG;
        q!.th_acq.rotation_matrix_a11 = Math.cos(r);
        q!.th_acq.rotation_matrix_a12 = Math.sin(r);
        break;
      }
      case "thresholded_acq_trigger_en":
        q!.th_acq_trg_map.en = Boolean(value);
        break;
      case "thresholded_acq_trigger_address":
        q!.th_acq_trg_map.addr = Number(value);
        break;
      case "thresholded_acq_trigger_invert":
        q!.th_acq_trg_map.inv = Boolean(value);
        break;
      case "ttl_acq_auto_bin_incr_en":
        q!.ttl.auto_bin_incr_en = Boolean(value);
        break;
      case "ttl_acq_input_select":
        q!.ttl.in = Number(value);
        break;
      case "ttl_acq_threshold":
        q!.ttl.threshold = Number(value);
        break;
      default:
        rejected.push(key);
    }
  }
  return rejected;
}
