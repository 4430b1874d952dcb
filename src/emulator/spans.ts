/**
 * Active spans of a module's outputs: the union, over its routed sequencers, of the times where a
 * path can be non-zero (a waveform is playing or an offset is set). Outside them every DAC holds
 * its constant output offset, so acquisitions and the scope only need samples inside the spans.
 */
import { History, REC, R_O0, R_O1, R_T, R_W0, R_W1, R_WS } from "./history.js";
import type { SignalConfig } from "./render.js";

/** Growable [start, end) pair list in a Float64Array (no per-call allocation once grown). */
export class SpanList {
  data = new Float64Array(64);
  count = 0;

  push(a: number, b: number): void {
    if (b <= a) return;
    if (2 * this.count + 2 > this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[2 * this.count] = a;
    this.data[2 * this.count + 1] = b;
    this.count++;
  }
  start(i: number): number {
    return this.data[2 * i]!;
  }
  end(i: number): number {
    return this.data[2 * i + 1]!;
  }

  /** Sort by start (insertion sort: the input is a few interleaved sorted runs) and merge overlaps. */
  normalise(): void {
    const d = this.data,
      n = this.count;
    for (let i = 1; i < n; i++) {
      const a = d[2 * i]!,
        b = d[2 * i + 1]!;
      let j = i - 1;
      while (j >= 0 && d[2 * j]! > a) {
        d[2 * j + 2] = d[2 * j]!;
        d[2 * j + 3] = d[2 * j + 1]!;
        j--;
      }
      d[2 * j + 2] = a;
      d[2 * j + 3] = b;
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = d[2 * i]!,
        b = d[2 * i + 1]!;
      if (m > 0 && a <= d[2 * m - 1]!) {
        if (b > d[2 * m - 1]!) d[2 * m - 1] = b;
        continue;
      }
      d[2 * m] = a;
      d[2 * m + 1] = b;
      m++;
    }
    this.count = m;
  }
}

/** Append to `out` the spans of [from, to) where this sequencer's paths may be non-zero. */
export function sequencerActiveSpans(h: History, cfg: SignalConfig, from: number, to: number, out: SpanList): void {
  const d = h.data;
  let i = Math.max(h.indexAt(from), h.head);
  for (; i < h.tail; i++) {
    const r = i * REC;
    const segStart = Math.max(d[r + R_T]!, from);
    if (segStart >= to) break;
    const segEnd = i + 1 < h.tail ? Math.min(d[(i + 1) * REC + R_T]!, to) : to;
    if (segEnd <= segStart) continue;
    if (d[r + R_O0] !== 0 || d[r + R_O1] !== 0) {
      out.push(segStart, segEnd);
      continue;
    }
    const w0 = d[r + R_W0]! >= 0 ? cfg.waves[d[r + R_W0]!] : undefined;
    const w1 = d[r + R_W1]! >= 0 ? cfg.waves[d[r + R_W1]!] : undefined;
    const waveEnd = d[r + R_WS]! + Math.max(w0 ? w0.length : 0, w1 ? w1.length : 0);
    out.push(segStart, Math.min(segEnd, waveEnd));
  }
}
