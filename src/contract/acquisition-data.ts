/**
 * Acquisition data in the form qblox-instruments' `get_acquisitions()` returns it (q1asm-and-scpi.md
 * 7.6, normalised): what the Cluster driver decodes, what the emulator reports and what the
 * acquisition-result shaper (acquisition-results.ts) reads.
 */

/** One scope path: samples normalised to ±1 full scale and averaged over `avg_cnt` triggers. */
export interface ScopePathData {
  data: number[];
  "out-of-range": boolean;
  avg_cnt: number;
}

/** Bins of one acquisition index, normalised (÷ avg_cnt, ÷ bin scale); NaN where a bin holds no data. */
export interface AcquisitionBins {
  integration: { path0: number[]; path1: number[] };
  threshold: number[];
  avg_cnt: number[];
}

/** Acquisition data exactly as qblox-instruments' get_acquisitions() returns it (normalised). */
export interface QbloxAcquisitionEntry {
  index: number;
  acquisition: {
    scope: Record<string, ScopePathData>;
    bins: AcquisitionBins;
  };
}
