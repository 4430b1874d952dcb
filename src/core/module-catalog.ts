/**
 * The single catalog of per-module-type resource limits (reference sections 1.2, 3.15, 6;
 * q1asm-and-scpi.md section 5). Every limit check in the compiler reads from here.
 */
import { z } from "zod";

export const ModuleTypeSchema = z.enum(["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC", "QTM"]);
export type ModuleType = z.infer<typeof ModuleTypeSchema>;

/** Static properties of one module type: the single catalog of resource limits (reference 6). */
export interface ModuleSpec {
  type: ModuleType;
  sequencers: number;
  /** analog outputs (DACs) */
  outputs: number;
  /** analog inputs (ADCs) */
  inputs: number;
  markers: number;
  isRF: boolean;
  supportsAcquisition: boolean;
  /** valid channel names, e.g. "complex_output_0", "real_input_1", "digital_output_3" */
  channels: readonly string[];
  maxInstructions: number;
  waveformSampleLimit: number; // 16384
  registers: number; // 64
  acqIndices: number; // 32
  binsPerIndex: number; // 100000 (compiler bookkeeping)
  maxBins: number; // 131072
  /** mixer DC offset range, volts (±) */
  mixerDcOffsetRangeV: number;
  /** internal LO count (RF modules) */
  internalLos: number;
  /** internal LO frequency range in Hz (RF modules), null when the module has no internal LO */
  loFrequencyRangeHz?: { min: number; max: number } | null;
}


function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

const COMMON = {
  waveformSampleLimit: 16384,
  registers: 64,
  acqIndices: 32,
  binsPerIndex: 100_000,
  maxBins: 131_072,
} as const;

/** RF LO range of out{n}_lo_freq / out0_in0_lo_freq (q1asm-and-scpi.md 6.3: 2 … 18 GHz). */
const RF_LO_RANGE_HZ = { min: 2e9, max: 18e9 } as const;

export const MODULE_CATALOG: Readonly<Record<ModuleType, ModuleSpec>> = {
  QCM: {
    type: "QCM", sequencers: 6, outputs: 4, inputs: 0, markers: 4, isRF: false, supportsAcquisition: false,
    channels: [...names("complex_output_", 2), ...names("real_output_", 4), ...names("digital_output_", 4)],
    maxInstructions: 16384, ...COMMON, mixerDcOffsetRangeV: 2.5, internalLos: 0, loFrequencyRangeHz: null,
  },
  QRM: {
    type: "QRM", sequencers: 6, outputs: 2, inputs: 2, markers: 4, isRF: false, supportsAcquisition: true,
    channels: [
      "complex_output_0", "complex_input_0", ...names("real_output_", 2), ...names("real_input_", 2),
      ...names("digital_output_", 4),
    ],
    maxInstructions: 12288, ...COMMON, mixerDcOffsetRangeV: 0.5, internalLos: 0, loFrequencyRangeHz: null,
  },
  // RF modules: `outputs`/`inputs` count physical RF ports (each one an I/Q DAC/ADC pair), which is
  // what the driver's connect_out{k} / connect_acq parameters index (reference 1.6).
  QCM_RF: {
    type: "QCM_RF", sequencers: 6, outputs: 2, inputs: 0, markers: 2, isRF: true, supportsAcquisition: false,
    channels: [...names("complex_output_", 2), ...names("digital_output_", 2)],
    maxInstructions: 16384, ...COMMON, mixerDcOffsetRangeV: 0.05, internalLos: 2, loFrequencyRangeHz: RF_LO_RANGE_HZ,
  },
  QRM_RF: {
    type: "QRM_RF", sequencers: 6, outputs: 1, inputs: 1, markers: 2, isRF: true, supportsAcquisition: true,
    channels: ["complex_output_0", "complex_input_0", ...names("digital_output_", 2)],
    maxInstructions: 12288, ...COMMON, mixerDcOffsetRangeV: 0.05, internalLos: 1, loFrequencyRangeHz: RF_LO_RANGE_HZ,
  },
  QRC: {
    type: "QRC", sequencers: 12, outputs: 6, inputs: 2, markers: 1, isRF: true, supportsAcquisition: true,
    channels: [...names("complex_output_", 6), ...names("complex_input_", 2), "digital_output_0"],
    // ASSUMPTION: the references give no QRC LO range; we use the QCM-RF/QRM-RF 2–18 GHz range.
    maxInstructions: 12288, ...COMMON, mixerDcOffsetRangeV: 0.05, internalLos: 6, loFrequencyRangeHz: RF_LO_RANGE_HZ,
  },
  QTM: {
    type: "QTM", sequencers: 8, outputs: 8, inputs: 8, markers: 0, isRF: false, supportsAcquisition: true,
    channels: [...names("digital_input_", 8), ...names("digital_output_", 8)],
    maxInstructions: 16384, ...COMMON, mixerDcOffsetRangeV: 0, internalLos: 0, loFrequencyRangeHz: null,
  },
};

export function moduleSpec(type: ModuleType): ModuleSpec {
  return MODULE_CATALOG[type];
}

export const MODULE_TYPES: readonly ModuleType[] = ["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC", "QTM"];

export function isModuleType(s: string): s is ModuleType {
  return (MODULE_TYPES as readonly string[]).includes(s);
}
