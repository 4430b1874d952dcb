/**
 * THE catalog per module type (reference sections 1.2, 3.15, 6; q1asm-and-scpi.md sections 5, 6.3,
 * 7.4, 7.6): the compiler's resource limits, the instrument layer's SCPI model names and DAC/ADC
 * counts, and the emulator's full scales and ADC resolution. Every layer reads from here; there is
 * no second table per module type anywhere in src/.
 *
 * Where the former catalogs (compiler, instruments/module-info.ts, emulator/module.ts) were compared
 * they agreed on every shared value; the one difference was the number of scope paths the driver and
 * the virtual Cluster assumed for modules without ADCs (2), which disagreed with the emulator (0 = its
 * ADC count) and with reference 6 ("scope paths": QCM 0, QTM 0). `scopePaths` follows the reference.
 */
import { z } from "zod";

export const ModuleTypeSchema = z.enum(["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC", "QTM"]);
export type ModuleType = z.infer<typeof ModuleTypeSchema>;

/** Model string of a module in the Cluster's `*DESCribe?` reply (RF variants share the baseband model). */
export type ScpiModuleModel = "cluster_qcm" | "cluster_qrm" | "cluster_qrc" | "cluster_qtm";

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
  /** `*DESCribe?` model string (q1asm-and-scpi.md 10.3) */
  scpiModel: ScpiModuleModel;
  /** DACs = entries of the AWG channel map (RF: 2 per output, an I/Q pair; q1asm-and-scpi.md 5, 6.1) */
  dacs: number;
  /** ADCs = entries of the acquisition channel map (RF: 2 per input) */
  adcs: number;
  /** scope input paths (reference 6 "scope paths"; q1asm-and-scpi.md 5: QRM 2, QRC 4) */
  scopePaths: number;
  /** ADC resolution of the scope: raw scope value = sample · 2^(adcBits − 1) (q1asm-and-scpi.md 7.4, 7.6) */
  adcBits: number;
  /** raw integration bin = normalised value · binScale · avg_cnt: 2048² (QRM, QRM-RF), 4096² on the QRC (7.6) */
  binScale: number;
  /**
   * Output full scale in volts (q1asm-and-scpi.md 6.3: QCM ±2.5 V, QRM ±0.5 V): the emulator divides
   * DC offsets in volts by it. ASSUMPTION: RF modules (no volt full scale in the references) use 1 V.
   */
  outputFullScaleV: number;
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

/** Bin divisors of q1asm-and-scpi.md 7.6: (2^(bits−1))², i.e. 2048² for 12-bit ADCs and 4096² on the QRC. */
const BIN_SCALE_12 = 2048 * 2048;
const BIN_SCALE_15 = 4096 * 4096;

/** RF LO range of out{n}_lo_freq / out0_in0_lo_freq (q1asm-and-scpi.md 6.3: 2 … 18 GHz). */
const RF_LO_RANGE_HZ = { min: 2e9, max: 18e9 } as const;

export const MODULE_CATALOG: Readonly<Record<ModuleType, ModuleSpec>> = {
  QCM: {
    type: "QCM",
    sequencers: 6,
    outputs: 4,
    inputs: 0,
    markers: 4,
    isRF: false,
    supportsAcquisition: false,
    channels: [...names("complex_output_", 2), ...names("real_output_", 4), ...names("digital_output_", 4)],
    maxInstructions: 16384,
    ...COMMON,
    mixerDcOffsetRangeV: 2.5,
    internalLos: 0,
    loFrequencyRangeHz: null,
    scpiModel: "cluster_qcm",
    dacs: 4,
    adcs: 0,
    scopePaths: 0,
    adcBits: 12,
    binScale: BIN_SCALE_12,
    outputFullScaleV: 2.5,
  },
  QRM: {
    type: "QRM",
    sequencers: 6,
    outputs: 2,
    inputs: 2,
    markers: 4,
    isRF: false,
    supportsAcquisition: true,
    channels: [
      "complex_output_0",
      "complex_input_0",
      ...names("real_output_", 2),
      ...names("real_input_", 2),
      ...names("digital_output_", 4),
    ],
    maxInstructions: 12288,
    ...COMMON,
    mixerDcOffsetRangeV: 0.5,
    internalLos: 0,
    loFrequencyRangeHz: null,
    scpiModel: "cluster_qrm",
    dacs: 2,
    adcs: 2,
    scopePaths: 2,
    adcBits: 12,
    binScale: BIN_SCALE_12,
    outputFullScaleV: 0.5,
  },
  // RF modules: `outputs`/`inputs` count physical RF ports (each one an I/Q DAC/ADC pair), which is
  // what the driver's connect_out{k} / connect_acq parameters index (reference 1.6).
  QCM_RF: {
    type: "QCM_RF",
    sequencers: 6,
    outputs: 2,
    inputs: 0,
    markers: 2,
    isRF: true,
    supportsAcquisition: false,
    channels: [...names("complex_output_", 2), ...names("digital_output_", 2)],
    maxInstructions: 16384,
    ...COMMON,
    mixerDcOffsetRangeV: 0.05,
    internalLos: 2,
    loFrequencyRangeHz: RF_LO_RANGE_HZ,
    scpiModel: "cluster_qcm",
    dacs: 4,
    adcs: 0,
    scopePaths: 0,
    adcBits: 12,
    binScale: BIN_SCALE_12,
    outputFullScaleV: 1,
  },
  QRM_RF: {
    type: "QRM_RF",
    sequencers: 6,
    outputs: 1,
    inputs: 1,
    markers: 2,
    isRF: true,
    supportsAcquisition: true,
    channels: ["complex_output_0", "complex_input_0", ...names("digital_output_", 2)],
    maxInstructions: 12288,
    ...COMMON,
    mixerDcOffsetRangeV: 0.05,
    internalLos: 1,
    loFrequencyRangeHz: RF_LO_RANGE_HZ,
    scpiModel: "cluster_qrm",
    dacs: 2,
    adcs: 2,
    scopePaths: 2,
    adcBits: 12,
    binScale: BIN_SCALE_12,
    outputFullScaleV: 1,
  },
  QRC: {
    type: "QRC",
    sequencers: 12,
    outputs: 6,
    inputs: 2,
    markers: 1,
    isRF: true,
    supportsAcquisition: true,
    channels: [...names("complex_output_", 6), ...names("complex_input_", 2), "digital_output_0"],
    // ASSUMPTION: the references give no QRC LO range; we use the QCM-RF/QRM-RF 2–18 GHz range.
    maxInstructions: 12288,
    ...COMMON,
    mixerDcOffsetRangeV: 0.05,
    internalLos: 6,
    loFrequencyRangeHz: RF_LO_RANGE_HZ,
    // 15-bit scope and the doubled bin divisor: q1asm-and-scpi.md 7.4 and 7.6
    scpiModel: "cluster_qrc",
    dacs: 12,
    adcs: 4,
    scopePaths: 4,
    adcBits: 15,
    binScale: BIN_SCALE_15,
    outputFullScaleV: 1,
  },
  QTM: {
    type: "QTM",
    sequencers: 8,
    outputs: 8,
    inputs: 8,
    markers: 0,
    isRF: false,
    supportsAcquisition: true,
    channels: [...names("digital_input_", 8), ...names("digital_output_", 8)],
    maxInstructions: 16384,
    ...COMMON,
    mixerDcOffsetRangeV: 0,
    internalLos: 0,
    loFrequencyRangeHz: null,
    // digital I/O only: no DACs, ADCs or scope paths (reference 6); adcBits/binScale are unused
    scpiModel: "cluster_qtm",
    dacs: 0,
    adcs: 0,
    scopePaths: 0,
    adcBits: 12,
    binScale: BIN_SCALE_12,
    outputFullScaleV: 1,
  },
};

export function moduleSpec(type: ModuleType): ModuleSpec {
  return MODULE_CATALOG[type];
}

export const MODULE_TYPES: readonly ModuleType[] = ["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC", "QTM"];

export function isModuleType(s: string): s is ModuleType {
  return (MODULE_TYPES as readonly string[]).includes(s);
}

/** The module has analog inputs (QRM, QRM-RF, QRC): integration, scope and the acquisition channel map. */
export function hasAnalogInputs(type: ModuleType): boolean {
  return MODULE_CATALOG[type].adcs > 0;
}
