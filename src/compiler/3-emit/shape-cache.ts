/**
 * The shape cache of the waveforms pass: each pulse's samples normalised once (amplitude carried as
 * gain) and found again by the handler's exact shape key (seeded numeric hash table, text keys by a
 * Map); the content hash that names a waveform.
 */
import { sampleWaveform } from "../../schedule/waveforms.js";
import type { WaveformPulse } from "../../schedule/model.js";
import type { SampleFilter } from "./distortion/software.js";
import { pulseHandler } from "../ops/index.js";
import { SHAPE_KEY_MAX } from "../ops/types.js";
/** A path whose peak is below this is not played (quantify: 2/2^16). */
const NULL_AMPLITUDE = 2 / 65536;

export interface NormalisedShape {
  /** normalised real path (null when its peak is below NULL_AMPLITUDE) */
  re: Float64Array | null;
  im: Float64Array | null;
  ampRe: number;
  ampIm: number;
  hashRe: string;
  hashIm: string;
}

/** A cached shape, its key, and its play on the sequencer that last asked for it. */
export interface ShapeEntry {
  key: number[] | string;
  /** hashNumbers(key) of a numeric key */
  hash: number;
  shape: NormalisedShape;
  /** `play` is the index into `plays` of the sequencer with this number (−1: none yet) */
  playSeq: number;
  play: number;
}

/**
 * Cache of normalised shapes by the handler's exact shape key (pulses.ts `shapeKey`): numeric keys in
 * an open-addressing table by a hash of their numbers, the numbers compared on a hit (equal as Map
 * keys compare: −0 = 0, NaN = NaN), so looking up 100,000 pulses neither formats a float as text nor
 * walks nested Maps; text keys (sample lists) by a Map. The last operation object asked for is
 * remembered: a library operation placed many times in a row is one comparison.
 */
export class ShapeCache {
  /** numeric-key entries by hash, linear probing; a power of two, at most half full */
  private slots: (ShapeEntry | null)[] = new Array<ShapeEntry | null>(16).fill(null);
  private used = 0;
  private readonly byText = new Map<string, ShapeEntry>();
  private lastOp: WaveformPulse | null = null;
  private lastEntry: ShapeEntry | null = null;

  constructor(private readonly filter: SampleFilter | null = null) {}

  get(op: WaveformPulse): ShapeEntry {
    if (op === this.lastOp) return this.lastEntry!;
    const key = pulseHandler(op).shapeKey(op as never, KEY);
    const entry = typeof key === "string" ? this.byTextKey(key, op) : this.byNumbers(key, op);
    this.lastOp = op;
    this.lastEntry = entry;
    return entry;
  }

  private byTextKey(key: string, op: WaveformPulse): ShapeEntry {
    let entry = this.byText.get(key);
    if (!entry) {
      entry = { key, hash: -1, shape: normalise(op, this.filter), playSeq: -1, play: -1 };
      this.byText.set(key, entry);
    }
    return entry;
  }

  /** The entry of the `n` numbers in KEY (copied into the entry only when new). */
  private byNumbers(n: number, op: WaveformPulse): ShapeEntry {
    const hash = hashNumbers(KEY, n);
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = hash & mask;
    for (let probes = 0; ; probes++) {
      const e = slots[i]!;
      if (e === null) break; // an empty slot: the key is new, its entry goes here
      if (e.hash === hash && sameNumbers(e.key as number[], KEY, n)) return e;
      // shapes crafted to collide: the key goes to the text table (exact, linear), never a long probe
      if (probes >= MAX_PROBES) return this.byTextKey(numbersText(KEY, n), op);
      i = (i + 1) & mask;
    }
    const key = Array.from(KEY.subarray(0, n));
    const entry: ShapeEntry = { key, hash, shape: normalise(op, this.filter), playSeq: -1, play: -1 };
    slots[i] = entry;
    if (++this.used * 2 > slots.length) this.grow();
    return entry;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Array<ShapeEntry | null>(old.length * 2).fill(null);
    const mask = slots.length - 1;
    for (const e of old) {
      if (e === null) continue;
      let i = e.hash & mask;
      while (slots[i] !== null) i = (i + 1) & mask;
      slots[i] = e;
    }
    this.slots = slots;
  }
}

/** The shape key being looked up (written by PulseHandler.shapeKey; compilation is synchronous). */
const KEY = new Float64Array(SHAPE_KEY_MAX);
/** Slots a numeric-key lookup probes before the key goes to the text table (far above a half-full table's runs). */
const MAX_PROBES = 128;
/** Per-process seed of hashNumbers (shape parameters come from user input). */
const SEED = (Math.random() * 0x100000000) | 0;

/**
 * The exact text of the first `n` numbers of `key` as a text-table key: "#" first (no sample-list key
 * starts so), −0 written as 0 and every NaN alike, as the numeric table compares them.
 */
export function numbersText(key: ArrayLike<number>, n: number): string {
  let t = "#";
  for (let i = 0; i < n; i++) {
    const x = key[i]!;
    t += `${x === 0 ? 0 : x}|`; // String(NaN) is "NaN" for every NaN; 0 covers −0
  }
  return t;
}
const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

/**
 * A 30-bit hash (a small integer as Map key) of the first `n` numbers of `key`, alike for numbers
 * equal as Map keys compare them.
 */
export function hashNumbers(key: ArrayLike<number>, n = key.length): number {
  let h = Math.imul(SEED ^ 0x811c9dc5 ^ n, 0x01000193);
  for (let i = 0; i < n; i++) {
    const x = key[i]!;
    let lo: number, hi: number;
    if ((x | 0) === x) {
      lo = x | 0; // −0 | 0 is 0
      hi = 0;
    } else if (x !== x) {
      lo = 0x7ff80000; // every NaN alike
      hi = -1;
    } else {
      F64[0] = x;
      lo = I32[0]!;
      hi = I32[1]!;
    }
    h = Math.imul(h ^ lo, 0x01000193);
    h = Math.imul(h ^ hi, 0x5bd1e995);
    h ^= h >>> 15;
  }
  // murmur3's finaliser: every bit of every number reaches the low bits that pick the slot
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** Equal element by element as Map keys compare (SameValueZero: −0 = 0, NaN = NaN). */
/** Whether `a` is the first `n` numbers of `b` (−0 = 0, NaN = NaN, as Map keys compare). */
function sameNumbers(a: readonly number[], b: ArrayLike<number>, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x === x || y === y)) return false;
  }
  return true;
}

function normalise(op: WaveformPulse, filter: SampleFilter | null): NormalisedShape {
  const sampled = sampleWaveform(op);
  const re = filter ? filter(sampled.re) : sampled.re;
  const im = filter && sampled.im ? filter(sampled.im) : sampled.im;
  const ampRe = signedPeak(re);
  const ampIm = im ? signedPeak(im) : 0;
  const reN = Math.abs(ampRe) >= NULL_AMPLITUDE ? scale(re, 1 / ampRe) : null;
  const imN = im && Math.abs(ampIm) >= NULL_AMPLITUDE ? scale(im, 1 / ampIm) : null;
  return { re: reN, im: imN, ampRe, ampIm, hashRe: reN ? hashSamples(reN) : "", hashIm: imN ? hashSamples(imN) : "" };
}

function signedPeak(x: Float64Array): number {
  let best = 0;
  for (let k = 0; k < x.length; k++) if (Math.abs(x[k]!) > Math.abs(best)) best = x[k]!;
  return best;
}

function scale(x: Float64Array, f: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) y[k] = x[k]! * f + 0; // + 0 turns -0 into 0
  return y;
}

/** Deterministic content hash of samples rounded to 12 decimals (FNV-1a, 2×32 bit), used as waveform name. */
export function hashSamples(x: Float64Array): string {
  let h1 = 0x811c9dc5,
    h2 = 0x01000193 ^ x.length;
  for (let k = 0; k < x.length; k++) {
    const v = Math.round(x[k]! * 1e12);
    const lo = v | 0,
      hi = Math.floor(v / 4294967296) | 0;
    h1 = Math.imul(h1 ^ lo, 0x01000193);
    h2 = Math.imul(h2 ^ hi ^ lo, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0") + `_${x.length}`;
}
