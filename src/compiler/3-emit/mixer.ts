/**
 * Mixer corrections of one port-clock (reference 1.3, 3.4 step 2, 3.7) with quantify's defaults and
 * auto-calibration rules: with auto_lo_cal on, manual DC offsets are dropped; with auto_sideband_cal
 * on, manual amp_ratio / phase_error are reset to 1.0 / 0.0 (each with a warning).
 */
import { ValueRangeError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { CompileWarning, SequencerPlan } from "../ir/plan.js";

export type AutoLoCal = "off" | "on_lo_freq_change" | "on_lo_interm_freq_change";
export type AutoSidebandCal = "off" | "on_interm_freq_change";

export interface ResolvedMixerCorrections {
  dcOffsetI: number | null;
  dcOffsetQ: number | null;
  ampRatio: number;
  phaseError: number;
  autoLoCal: AutoLoCal;
  autoSidebandCal: AutoSidebandCal;
}

/** MIN/MAX_MIXER_AMP_RATIO and MIN/MAX_MIXER_PHASE_ERROR_DEG (reference 6). */
export const AMP_RATIO_RANGE = [0.5, 2] as const;
export const PHASE_ERROR_RANGE_DEG = [-45, 45] as const;

/** null when the port-clock has no mixer_corrections entry (quantify then leaves the sequencer fields null). */
export function resolveMixerCorrections(
  seq: SequencerPlan,
  hw: HardwareSetup,
  warnings: CompileWarning[],
): ResolvedMixerCorrections | null {
  const pc = seq.route.portClock;
  const m = hw.model.portClock(pc).mixerCorrections;
  if (!m) return null;
  const path = `/hardware_options/mixer_corrections/${pc}`;
  const r: ResolvedMixerCorrections = {
    dcOffsetI: m.dc_offset_i ?? null,
    dcOffsetQ: m.dc_offset_q ?? null,
    ampRatio: m.amp_ratio ?? 1,
    phaseError: m.phase_error ?? 0,
    autoLoCal: m.auto_lo_cal ?? "off",
    autoSidebandCal: m.auto_sideband_cal ?? "off",
  };
  if (r.autoLoCal !== "off" && (r.dcOffsetI !== null || r.dcOffsetQ !== null)) {
    warnings.push({
      code: "AUTO_LO_CAL_OVERRIDES_DC_OFFSETS",
      message: `mixer_corrections of ${pc}: auto_lo_cal is "${r.autoLoCal}", so dc_offset_i/dc_offset_q are ignored (the instrument calibrates them)`,
      path,
    });
    r.dcOffsetI = null;
    r.dcOffsetQ = null;
  }
  if (r.autoSidebandCal !== "off" && (m.amp_ratio !== undefined || m.phase_error !== undefined)) {
    warnings.push({
      code: "AUTO_SIDEBAND_CAL_OVERRIDES_MIXER",
      message: `mixer_corrections of ${pc}: auto_sideband_cal is "${r.autoSidebandCal}", so amp_ratio/phase_error are reset to 1.0/0.0`,
      path,
    });
    r.ampRatio = 1;
    r.phaseError = 0;
  }
  // The schema already bounds these; checked again for setups built programmatically.
  checkRange(r.ampRatio, AMP_RATIO_RANGE, "amp_ratio", "MIXER_AMP_RATIO_OUT_OF_RANGE", seq, path);
  checkRange(r.phaseError, PHASE_ERROR_RANGE_DEG, "phase_error", "MIXER_PHASE_ERROR_OUT_OF_RANGE", seq, path);
  return r;
}

function checkRange(
  v: number,
  [min, max]: readonly [number, number],
  field: string,
  code: string,
  seq: SequencerPlan,
  path: string,
): void {
  if (v >= min && v <= max) return;
  throw new ValueRangeError(
    code,
    `mixer_corrections.${field} = ${v} for ${seq.route.portClock} on ${seq.moduleName} is outside [${min}, ${max}]`,
    {
      path: `${path}/${field}`,
      hint: `${field} must be within ${min} … ${max}${field === "phase_error" ? " degrees" : ""}`,
    },
  );
}
