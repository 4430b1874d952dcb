/**
 * Signal path of one sequencer (reference §6.2): path value = offset + gain·waveform, then NCO
 * modulation and mixer correction. Rendering walks the commit History segment by segment, so only
 * the requested window is ever computed.
 */
import { History, REC, R_F, R_G0, R_G1, R_MRK, R_O0, R_O1, R_PH, R_T, R_W0, R_W1, R_WS } from "./history.js";

const TWO_PI = 2 * Math.PI;
const SQRT_HALF = Math.SQRT1_2;
/** samples between exact re-seeds of the rotating NCO phasor (drift stays < 1e-12) */
const RESEED_NS = 4096;

/** cos/sin of the NCO phasor at time t, written by seedPhasor (no allocation in the render loops) */
const PHASOR = new Float64Array(2);

/**
 * The NCO phasor at time `t`: seeded exactly (trig) at the last re-seed point at or before `t`
 * (multiples of RESEED_NS from `base`), then rotated sample by sample up to `t`, exactly as a
 * whole-window render would. Writes cos/sin into PHASOR and returns the seed time.
 */
function seedPhasor(
  base: number,
  t: number,
  t0: number,
  ph: number,
  fTurnsPerNs: number,
  dc: number,
  ds: number,
): number {
  const seed = base + Math.floor((t - base) / RESEED_NS) * RESEED_NS;
  const phi = TWO_PI * (ph + fTurnsPerNs * (seed - t0));
  let c = Math.cos(phi),
    s = Math.sin(phi);
  for (let u = seed; u < t; u++) {
    const nc = c * dc - s * ds;
    s = s * dc + c * ds;
    c = nc;
  }
  PHASOR[0] = c;
  PHASOR[1] = s;
  return seed;
}

export interface SignalConfig {
  modEn: boolean;
  demodEn: boolean;
  /** mixer_corr_gain_ratio (Q/I) */
  gainRatio: number;
  /** mixer_corr_phase_offset_degree, radians (applies to path1) */
  mixPhaseRad: number;
  /** waveform samples by index */
  waves: (Float32Array | undefined)[];
  /** max |sample| of each waveform, by index (bounds the rendered values: renderPaths' result) */
  waveAbsMax?: number[];
  /** weight samples by index */
  weights: (Float32Array | undefined)[];
  /** output routes: DAC index and the path (0 = I, 1 = Q) feeding it */
  routeDac: Int32Array;
  routePath: Uint8Array;
  /** marker_ovr_value when marker_ovr_en, else -1 */
  markerOverride: number;
}

/**
 * Render the two output paths (after modulation and mixer correction) of one sequencer into
 * o0/o1[0 .. to-from). Samples before the first record are 0.
 *
 * The NCO phasor is seeded exactly at max(seedFrom, record time) and every RESEED_NS after, then
 * advanced by rotation. Rendering a sub-range of a window with the window's `seedFrom` therefore
 * gives bit-identical samples to rendering the whole window (chunked and piecewise rendering).
 *
 * Returns an upper bound of |o0|, |o1| over the window (Infinity when `cfg.waveAbsMax` is missing),
 * so a caller can tell without a pass over the samples that a DAC fed by them alone cannot clip.
 */
export function renderPaths(
  h: History,
  cfg: SignalConfig,
  from: number,
  to: number,
  o0: Float64Array,
  o1: Float64Array,
  seedFrom = from,
): number {
  let bound = 0;
  const wmax = cfg.waveAbsMax;
  const d = h.data;
  let i = h.indexAt(from);
  let t = from;
  if (i < h.head) {
    const first = h.tail > h.head ? Math.min(d[h.head * REC + R_T]!, to) : to;
    if (first > t) {
      o0.fill(0, 0, first - from);
      o1.fill(0, 0, first - from);
      t = first;
    }
    i = h.head;
  }
  const scale = cfg.modEn ? SQRT_HALF : 1;
  const g = cfg.gainRatio,
    theta = cfg.mixPhaseRad;
  const c0 = g > 1 ? scale / g : scale;
  const c1 = g < 1 ? scale * g : scale;
  const sinT = Math.sin(theta),
    cosT = Math.cos(theta);
  for (; t < to && i < h.tail; i++) {
    const r = i * REC;
    const end = i + 1 < h.tail ? Math.min(d[(i + 1) * REC + R_T]!, to) : to;
    if (end <= t) continue;
    const g0 = d[r + R_G0]!,
      g1 = d[r + R_G1]!,
      off0 = d[r + R_O0]!,
      off1 = d[r + R_O1]!;
    const w0 = d[r + R_W0]! >= 0 ? cfg.waves[d[r + R_W0]!] : undefined;
    const w1 = d[r + R_W1]! >= 0 ? cfg.waves[d[r + R_W1]!] : undefined;
    const ws = d[r + R_WS]!,
      t0 = d[r + R_T]!;
    const len0 = w0 ? w0.length : 0,
      len1 = w1 ? w1.length : 0;
    const waveEnd = ws + Math.max(len0, len1);
    if (off0 === 0 && off1 === 0 && waveEnd <= t) {
      o0.fill(0, t - from, end - from);
      o1.fill(0, t - from, end - from);
      t = end;
      continue;
    }
    if (wmax) {
      // |I| ≤ |off0| + |g0|·max|w0|, |Q| likewise; |phasor| ≤ 1 (+ rotation drift), |mixer terms| ≤ max(c0, c1)
      const mI = Math.abs(off0) + Math.abs(g0) * (w0 ? (wmax[d[r + R_W0]!] ?? Infinity) : 0),
        mQ = Math.abs(off1) + Math.abs(g1) * (w1 ? (wmax[d[r + R_W1]!] ?? Infinity) : 0);
      const b = Math.max(Math.abs(c0), Math.abs(c1)) * (mI + mQ) * 1.001;
      if (b > bound) bound = b;
    } else bound = Infinity;
    if (!cfg.modEn) {
      for (; t < end; t++) {
        const k = t - ws;
        const I = off0 + g0 * (k >= 0 && k < len0 ? w0![k]! : 0),
          Q = off1 + g1 * (k >= 0 && k < len1 ? w1![k]! : 0);
        o0[t - from] = c0 * I;
        o1[t - from] = c1 * (sinT * I + cosT * Q);
      }
      continue;
    }
    // NCO phasor by rotation (no trig per sample), re-seeded exactly every RESEED_NS against drift
    const fTurnsPerNs = d[r + R_F]! * 1e-9,
      ph = d[r + R_PH]!;
    const dc = Math.cos(TWO_PI * fTurnsPerNs),
      ds = Math.sin(TWO_PI * fTurnsPerNs);
    const base = Math.max(seedFrom, t0);
    while (t < end) {
      const stop = Math.min(end, seedPhasor(base, t, t0, ph, fTurnsPerNs, dc, ds) + RESEED_NS);
      let c = PHASOR[0]!,
        s = PHASOR[1]!;
      // pieces of constant waveform coverage, so the inner loops carry no per-sample branch
      while (t < stop) {
        const k = t - ws;
        const in0 = k >= 0 && k < len0,
          in1 = k >= 0 && k < len1;
        let pe = stop;
        if (k < 0) pe = Math.min(stop, ws);
        else {
          if (in0) pe = Math.min(pe, ws + len0);
          if (in1) pe = Math.min(pe, ws + len1);
        }
        const n = pe - t,
          o = t - from;
        if (in0 && in1) {
          for (let j = 0; j < n; j++) {
            const I = off0 + g0 * w0![k + j]!,
              Q = off1 + g1 * w1![k + j]!;
            const cp = c * cosT - s * sinT,
              sp = s * cosT + c * sinT; // cos/sin(phi + theta)
            o0[o + j] = c0 * (c * I - s * Q);
            o1[o + j] = c1 * (sp * I + cp * Q);
            const nc = c * dc - s * ds;
            s = s * dc + c * ds;
            c = nc;
          }
        } else if (in0 || in1) {
          const w = in0 ? w0! : w1!;
          for (let j = 0; j < n; j++) {
            const v = w[k + j]!;
            const I = off0 + g0 * (in0 ? v : 0),
              Q = off1 + g1 * (in1 ? v : 0);
            const cp = c * cosT - s * sinT,
              sp = s * cosT + c * sinT;
            o0[o + j] = c0 * (c * I - s * Q);
            o1[o + j] = c1 * (sp * I + cp * Q);
            const nc = c * dc - s * ds;
            s = s * dc + c * ds;
            c = nc;
          }
        } else {
          const I = off0 + g0 * 0,
            Q = off1 + g1 * 0;
          for (let j = 0; j < n; j++) {
            const cp = c * cosT - s * sinT,
              sp = s * cosT + c * sinT;
            o0[o + j] = c0 * (c * I - s * Q);
            o1[o + j] = c1 * (sp * I + cp * Q);
            const nc = c * dc - s * ds;
            s = s * dc + c * ds;
            c = nc;
          }
        }
        t = pe;
      }
    }
  }
  if (t < to) {
    o0.fill(0, t - from, to - from);
    o1.fill(0, t - from, to - from);
  }
  return bound;
}

/**
 * NCO phasor cos φ / sin φ at every ns of [from, to) (demodulation), by rotation like renderPaths,
 * seeded as if the whole window from `seedFrom` were rendered (bit-identical for sub-ranges).
 */
export function renderPhasor(
  h: History,
  from: number,
  to: number,
  cosOut: Float64Array,
  sinOut: Float64Array,
  seedFrom = from,
): void {
  const d = h.data;
  let i = Math.max(h.indexAt(from), h.head);
  // index of the first segment of the whole-window walk from seedFrom
  const first = seedFrom === from ? i : Math.max(h.indexAt(seedFrom), h.head);
  for (let t = from; t < to; i++) {
    const r = i * REC;
    const end = i + 1 < h.tail ? Math.min(d[(i + 1) * REC + R_T]!, to) : to;
    if (end <= t) continue;
    const f = d[r + R_F]! * 1e-9,
      ph = d[r + R_PH]!,
      t0 = d[r + R_T]!;
    const dc = Math.cos(TWO_PI * f),
      ds = Math.sin(TWO_PI * f);
    // the whole-window walk seeds its first segment at the window start, later ones at their record
    const base = i === first ? seedFrom : t0;
    while (t < end) {
      const stop = Math.min(end, seedPhasor(base, t, t0, ph, f, dc, ds) + RESEED_NS);
      let c = PHASOR[0]!,
        s = PHASOR[1]!;
      for (; t < stop; t++) {
        cosOut[t - from] = c;
        sinOut[t - from] = s;
        const nc = c * dc - s * ds;
        s = s * dc + c * ds;
        c = nc;
      }
    }
  }
}

/**
 * The plain SSB integration of [from, to) without storing the phasor: exactly renderPhasor followed
 * by integrateInto's demodulating loop (mix.ts), sample by sample in the same order, so the sums are
 * bit-identical: acc[0] += cos φ·I + sin φ·Q, acc[1] += cos φ·Q − sin φ·I with I = i0[t − from],
 * Q = q0[t − from].
 */
export function integratePhasor(
  h: History,
  from: number,
  to: number,
  i0: Float64Array,
  q0: Float64Array,
  acc: Float64Array,
  seedFrom = from,
): void {
  const d = h.data;
  let sum0 = acc[0]!,
    sum1 = acc[1]!;
  let i = Math.max(h.indexAt(from), h.head);
  const first = seedFrom === from ? i : Math.max(h.indexAt(seedFrom), h.head);
  for (let t = from; t < to; i++) {
    const r = i * REC;
    const end = i + 1 < h.tail ? Math.min(d[(i + 1) * REC + R_T]!, to) : to;
    if (end <= t) continue;
    const f = d[r + R_F]! * 1e-9,
      ph = d[r + R_PH]!,
      t0 = d[r + R_T]!;
    const dc = Math.cos(TWO_PI * f),
      ds = Math.sin(TWO_PI * f);
    const base = i === first ? seedFrom : t0;
    while (t < end) {
      const stop = Math.min(end, seedPhasor(base, t, t0, ph, f, dc, ds) + RESEED_NS);
      let c = PHASOR[0]!,
        s = PHASOR[1]!;
      for (; t < stop; t++) {
        const k = t - from;
        const x = i0[k]!,
          y = q0[k]!;
        sum0 += c * x + s * y;
        sum1 += c * y - s * x;
        const nc = c * dc - s * ds;
        s = s * dc + c * ds;
        c = nc;
      }
    }
  }
  acc[0] = sum0;
  acc[1] = sum1;
}

/** OR the sequencer's marker bits (or its override) into per-marker 0/1 streams over [from, to). */
export function renderMarkers(
  h: History,
  markerOverride: number,
  from: number,
  to: number,
  markers: Uint8Array[],
): void {
  const d = h.data;
  let i = h.indexAt(from);
  let t = from;
  if (i < h.head) {
    t = h.tail > h.head ? Math.min(d[h.head * REC + R_T]!, to) : to;
    i = h.head;
  }
  for (; t < to && i < h.tail; i++) {
    const end = i + 1 < h.tail ? Math.min(d[(i + 1) * REC + R_T]!, to) : to;
    if (end <= t) continue;
    const bits = markerOverride >= 0 ? markerOverride : d[i * REC + R_MRK]!;
    for (let m = 0; m < markers.length; m++) {
      if (bits & (1 << m)) markers[m]!.fill(1, t - from, end - from);
    }
    t = end;
  }
}
