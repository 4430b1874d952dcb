/**
 * THE acquisition-protocol table (quantify-backend.md 2.8, 3.12, 7.4; q1asm-and-scpi.md 7): per
 * protocol the bin modes quantify accepts, whether it integrates with uploaded weights, uses the
 * scope or thresholds, whether its result is real or complex, and the rule that turns the normalised
 * bins of qblox-instruments' get_acquisitions() into the user's value. The compiler (bin-mode checks,
 * instruction choice), the acquisition-result shaper (contract/acquisition-results.ts) and the
 * emulator's reports read from here.
 */

export const PROTOCOL_NAMES = [
  "Trace",
  "SSBIntegrationComplex",
  "ThresholdedAcquisition",
  "NumericalSeparatedWeightedIntegration",
  "NumericalWeightedIntegration",
  "WeightedIntegratedSeparated",
  "WeightedThresholdedAcquisition",
  "TriggerCount",
  "ThresholdedTriggerCount",
] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** integration_length_acq when a sequencer's settings give none: the driver default (q1asm-and-scpi.md 7.2) */
export const DEFAULT_INTEGRATION_LENGTH_NS = 1024;
/** scope memory per input path, and so the longest Trace (reference 6 MAX_SAMPLE_SIZE_SCOPE_ACQUISITIONS) */
export const MAX_TRACE_SAMPLES = 16384;

/** quantify_scheduler/enums.py BinMode values, lower case as in compiled schedules. */
export const BIN_MODES = ["average", "append", "sum", "distribution", "first"] as const;
export type BinModeName = (typeof BIN_MODES)[number];

/**
 * How one value is computed from normalised bins (quantify-backend.md 7.4; qblox-instruments has
 * already divided the raw sums by avg_cnt and by the module's bin scale):
 * - `integration_per_length`: (path0[b] + i·path1[b]) / integration_length_acq
 * - `integration`: path0[b] + i·path1[b] (weighted integration, not normalised)
 * - `integration_sum`: path0[b] + path1[b], a complex number with zero imaginary part
 * - `threshold`: threshold[b] (the fraction of 1s when averaged); an empty bin gives −1
 * - `count`: avg_cnt[b], the number of triggers counted into the bin
 * - `count_threshold`: 1 if the count meets the acquisition's threshold condition, else 0
 * - `scope`: scope path0[:L] + i·path1[:L], L = integration_length_acq (at most 16384 samples)
 */
export type BinValueRule =
  "integration_per_length" | "integration" | "integration_sum" | "threshold" | "count" | "count_threshold" | "scope";

/** The Q1 instruction that records the protocol (q1asm-and-scpi.md 2.6, 7.5). */
export type AcquireInstruction = "acquire" | "acquire_weighed" | "acquire_ttl";

export interface ProtocolInfo {
  name: ProtocolName;
  /** bin mode when the operation gives none (quantify-backend.md 2.8) */
  defaultBinMode: BinModeName;
  /** bin modes on QRM / QRM-RF / QRC (quantify bin_mode_compat.py); empty: not supported there */
  binModes: readonly BinModeName[];
  /** bin modes on the QTM; empty: not supported there */
  qtmBinModes: readonly BinModeName[];
  instruction: AcquireInstruction;
  /** integrates with weights uploaded to sequence.weights (acquire_weighed) */
  weighted: boolean;
  /** records the scope (one trace, no bins) */
  scope: boolean;
  /** compares with a threshold (thresholded_acq_* settings, feedback triggers) */
  thresholded: boolean;
  /** the result's type: complex values carry an imaginary part (possibly zero) */
  result: "real" | "complex";
  value: BinValueRule;
}

const ANALOG_BINNED: readonly BinModeName[] = ["append", "average"];

export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolInfo>> = {
  Trace: {
    name: "Trace",
    defaultBinMode: "average",
    binModes: ["average"],
    qtmBinModes: ["first"],
    instruction: "acquire",
    weighted: false,
    scope: true,
    thresholded: false,
    result: "complex",
    value: "scope",
  },
  SSBIntegrationComplex: {
    name: "SSBIntegrationComplex",
    defaultBinMode: "average",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire",
    weighted: false,
    scope: false,
    thresholded: false,
    result: "complex",
    value: "integration_per_length",
  },
  ThresholdedAcquisition: {
    name: "ThresholdedAcquisition",
    defaultBinMode: "average",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire",
    weighted: false,
    scope: false,
    thresholded: true,
    result: "real",
    value: "threshold",
  },
  NumericalSeparatedWeightedIntegration: {
    name: "NumericalSeparatedWeightedIntegration",
    defaultBinMode: "append",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire_weighed",
    weighted: true,
    scope: false,
    thresholded: false,
    result: "complex",
    value: "integration",
  },
  NumericalWeightedIntegration: {
    name: "NumericalWeightedIntegration",
    defaultBinMode: "append",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire_weighed",
    weighted: true,
    scope: false,
    thresholded: false,
    result: "complex",
    value: "integration_sum",
  },
  WeightedIntegratedSeparated: {
    name: "WeightedIntegratedSeparated",
    defaultBinMode: "append",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire_weighed",
    weighted: true,
    scope: false,
    thresholded: false,
    result: "complex",
    value: "integration",
  },
  WeightedThresholdedAcquisition: {
    name: "WeightedThresholdedAcquisition",
    defaultBinMode: "append",
    binModes: ANALOG_BINNED,
    qtmBinModes: [],
    instruction: "acquire_weighed",
    weighted: true,
    scope: false,
    thresholded: true,
    result: "real",
    value: "threshold",
  },
  TriggerCount: {
    name: "TriggerCount",
    defaultBinMode: "append",
    binModes: ["append", "sum", "distribution"],
    qtmBinModes: ["append", "sum"],
    instruction: "acquire_ttl",
    weighted: false,
    scope: false,
    thresholded: false,
    result: "real",
    value: "count",
  },
  ThresholdedTriggerCount: {
    name: "ThresholdedTriggerCount",
    defaultBinMode: "append",
    binModes: ["append"],
    qtmBinModes: ["append"],
    instruction: "acquire_ttl",
    weighted: false,
    scope: false,
    thresholded: true,
    result: "real",
    value: "count_threshold",
  },
};

export function isProtocolName(s: string): s is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(s);
}

export function protocolInfo(name: ProtocolName): ProtocolInfo {
  return PROTOCOLS[name];
}

/** The protocol accepts `mode` on an analog readout module (QRM, QRM-RF, QRC) or, with `qtm`, on the QTM. */
export function supportsBinMode(name: ProtocolName, mode: BinModeName, qtm = false): boolean {
  return (qtm ? PROTOCOLS[name].qtmBinModes : PROTOCOLS[name].binModes).includes(mode);
}
