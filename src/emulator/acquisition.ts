/**
 * Acquisition memory of one sequencer in raw SCPI units (§7.6) and its normalisation to the
 * qblox-instruments get_acquisitions() form. Integration results accumulate per bin; the driver
 * later divides by avg_cnt and by the ADC scale.
 */
import { MAX_TRACE_SAMPLES } from "../core/protocols.js";
import type { EmuRawAcquisition, EmuRawScopePath, QbloxAcquisitionEntry } from "./api.js";

export const SCOPE_SAMPLES = MAX_TRACE_SAMPLES;

export class BinStore {
  readonly valid: Uint8Array;
  readonly path0: Float64Array;
  readonly path1: Float64Array;
  readonly thres: Uint32Array;
  readonly avgCnt: Uint32Array;

  constructor(
    readonly index: number,
    numBins: number,
  ) {
    this.valid = new Uint8Array(numBins);
    this.path0 = new Float64Array(numBins);
    this.path1 = new Float64Array(numBins);
    this.thres = new Uint32Array(numBins);
    this.avgCnt = new Uint32Array(numBins);
  }

  /** Accumulate one integration (raw integers) and its thresholded bit. */
  add(bin: number, raw0: number, raw1: number, bit: number): void {
    this.valid[bin] = 1;
    this.path0[bin]! += raw0;
    this.path1[bin]! += raw1;
    this.thres[bin]! += bit;
    this.avgCnt[bin]! += 1;
  }
}

/** Module scope memory: ADC integer sums per path (§7.1). */
export class ScopeStore {
  readonly paths: Float64Array[];
  readonly outOfRange: boolean[];
  avgCnt = 0;
  constructor(numPaths: number) {
    this.paths = Array.from({ length: numPaths }, () => new Float64Array(SCOPE_SAMPLES));
    this.outOfRange = new Array<boolean>(numPaths).fill(false);
  }
  /** Add (avg mode) or overwrite one trigger's ADC samples (values normalised to ±1). */
  capture(inputs: Float64Array[], bits: number, average: boolean): void {
    this.begin(average);
    this.add(inputs, 0, bits);
    this.end();
  }
  /** Start one trigger: without averaging it overwrites the previous one. */
  begin(average: boolean): void {
    if (!average) {
      for (const p of this.paths) p.fill(0);
      this.avgCnt = 0;
    }
  }
  /** Add samples of the current trigger at offset k0 of the scope window (unset samples are 0). */
  add(inputs: Float64Array[], k0: number, bits: number): void {
    const full = 2 ** (bits - 1);
    for (let p = 0; p < inputs.length && p < this.paths.length; p++) {
      const acc = this.paths[p]!,
        x = inputs[p]!;
      const n = Math.min(x.length, SCOPE_SAMPLES - k0);
      for (let k = 0; k < n; k++) {
        const v = x[k]!;
        if (v > 1 || v < -1) this.outOfRange[p] = true;
        acc[k0 + k]! += Math.max(-full, Math.min(full - 1, Math.round(v * full)));
      }
    }
  }
  end(): void {
    this.avgCnt++;
  }
  /** A trigger whose samples are not captured (EmuRunOptions.deferScope). */
  count(average: boolean): void {
    if (!average) this.avgCnt = 0;
    this.avgCnt++;
  }
  raw(): EmuRawScopePath[] {
    return this.paths.map((data, p) => ({
      data: data.slice(),
      outOfRange: this.outOfRange[p] ?? false,
      avgCnt: this.avgCnt,
    }));
  }
}

/**
 * The normalisation qblox-instruments applies in get_acquisitions() (§7.6). `binScale` is the module
 * catalog's bin divisor: raw = round(Σ x·w · 2^22), or 2^24 on the QRC.
 */
export function normaliseAcquisition(raw: EmuRawAcquisition, binScale: number): QbloxAcquisitionEntry {
  const scale = binScale;
  const full = 2 ** (raw.scopeBits - 1);
  const scope: QbloxAcquisitionEntry["acquisition"]["scope"] = {};
  raw.scope.forEach((s, p) => {
    const div = s.avgCnt > 0 ? full * s.avgCnt : full;
    const data = new Array<number>(s.data.length);
    for (let k = 0; k < data.length; k++) data[k] = s.data[k]! / div;
    scope[`path${p}`] = { data, "out-of-range": s.outOfRange, avg_cnt: s.avgCnt };
  });
  const b = raw.bins;
  const n = b.valid.length;
  const path0: number[] = new Array<number>(n),
    path1: number[] = new Array<number>(n);
  const threshold: number[] = new Array<number>(n),
    avg_cnt: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (!b.valid[i]) {
      path0[i] = NaN;
      path1[i] = NaN;
      threshold[i] = NaN;
      avg_cnt[i] = 0;
      continue;
    }
    const c = b.avgCnt[i]!;
    const div = c > 0 ? c : 1;
    path0[i] = b.path0[i]! / div / scale;
    path1[i] = b.path1[i]! / div / scale;
    threshold[i] = b.thres[i]! / div;
    avg_cnt[i] = c;
  }
  return { index: raw.index, acquisition: { scope, bins: { integration: { path0, path1 }, threshold, avg_cnt } } };
}
