/**
 * Typed access to the per-channel fields of a module description (reference 1.2: ComplexChannel /
 * RealChannel / DigitalChannel descriptions) and to module-level flags.
 */
import type { HardwareSetup } from "./setup.js";

export interface ChannelDescription {
  marker_debug_mode_enable?: boolean;
  mix_lo?: boolean;
  downconverter_freq?: number | null;
  /** bitmask: EXP0=2, EXP1=4, EXP2=8, EXP3=16, FIR=32 */
  distortion_correction_latency_compensation?: number;
}

export function channelDescription(hw: HardwareSetup, cluster: string, slot: number, channel: string): ChannelDescription {
  const mod = hw.module(cluster, slot)?.description as Record<string, unknown> | undefined;
  const ch = mod?.[channel];
  return ch !== null && typeof ch === "object" ? (ch as ChannelDescription) : {};
}

/** rf_output_on of an RF module (default true); false for baseband modules. */
export function rfOutputOn(hw: HardwareSetup, cluster: string, slot: number): boolean {
  const desc = hw.module(cluster, slot)?.description;
  if (!desc || (desc.instrument_type !== "QCM_RF" && desc.instrument_type !== "QRM_RF")) return false;
  return desc.rf_output_on ?? true;
}
