/**
 * Binary layout of acquisition data (reference 7.6) in both directions: the virtual Cluster encodes
 * raw accumulators, the driver decodes and normalises them exactly like qblox-instruments.
 *
 * Per acquisition: for each scope path (2, or 4 on QRC) an int32 LE sample block, a 1-byte
 * out-of-range block and a uint32 avg_cnt block; then one bins block of 32-byte records
 * `{valid u64, path0 i64, path1 i64, thres u32, avg_cnt u32}`.
 */
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import type { ModuleSpec } from "../core/module-catalog.js";
import { MALFORMED_REPLY_HINT, MalformedReplyError } from "./instrument-errors.js";

export const BIN_RECORD_BYTES = 32;

/** Raw (unnormalised) accumulators of one acquisition, as the instrument holds them. */
export interface RawAcquisition {
  index: number;
  numBins: number;
  scope: { data: Int32Array; outOfRange: boolean; avgCnt: number }[];
  bins: { valid: Uint8Array; path0: Float64Array; path1: Float64Array; thres: Uint32Array; avgCnt: Uint32Array };
}

export function emptyRawAcquisition(index: number, numBins: number, scopePaths: number): RawAcquisition {
  return {
    index,
    numBins,
    scope: Array.from({ length: scopePaths }, () => ({ data: new Int32Array(0), outOfRange: false, avgCnt: 0 })),
    bins: {
      valid: new Uint8Array(numBins),
      path0: new Float64Array(numBins),
      path1: new Float64Array(numBins),
      thres: new Uint32Array(numBins),
      avgCnt: new Uint32Array(numBins),
    },
  };
}

/** The data blocks of one acquisition (without name/index), in wire order. */
export function encodeAcquisitionBlocks(acq: RawAcquisition): Buffer[] {
  const out: Buffer[] = [];
  for (const p of acq.scope) {
    out.push(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength));
    out.push(Buffer.from([p.outOfRange ? 1 : 0]));
    out.push(u32(p.avgCnt));
  }
  const n = acq.numBins;
  const bins = Buffer.alloc(n * BIN_RECORD_BYTES);
  const b = acq.bins;
  for (let i = 0; i < n; i++) {
    const o = i * BIN_RECORD_BYTES;
    bins.writeUInt32LE(b.valid[i]!, o); // the high half stays 0
    writeI64(bins, Math.round(b.path0[i]!), o + 8);
    writeI64(bins, Math.round(b.path1[i]!), o + 16);
    bins.writeUInt32LE(b.thres[i]!, o + 24);
    bins.writeUInt32LE(b.avgCnt[i]!, o + 28);
  }
  out.push(bins);
  return out;
}

/** Write integer `v` as int64 LE: two 32-bit halves when it is a safe integer (no BigInt), else via BigInt. */
function writeI64(buf: Buffer, v: number, o: number): void {
  if (!Number.isSafeInteger(v)) {
    buf.writeBigInt64LE(BigInt(v), o);
    return;
  }
  const hi = Math.floor(v / 4294967296);
  buf.writeUInt32LE(v - hi * 4294967296, o);
  buf.writeInt32LE(hi, o + 4);
}

/** int64 LE at `o` as the nearest number (exactly Number(buf.readBigInt64LE(o)): one rounding of exact halves). */
function readI64(buf: Buffer, o: number): number {
  return buf.readInt32LE(o + 4) * 4294967296 + buf.readUInt32LE(o);
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

export function readU32Block(block: Buffer | undefined, what: string): number {
  if (!block || block.length !== 4)
    throw new MalformedReplyError(`${what}: expected a 4-byte uint32 block, got ${block ? block.length : 0} bytes`, {
      path: what,
      hint: MALFORMED_REPLY_HINT,
    });
  return block.readUInt32LE(0);
}

/** What decoding needs from the module catalog: scope path count, ADC bits and bin divisor. */
export type AcquisitionScales = Pick<ModuleSpec, "scopePaths" | "adcBits" | "binScale">;

/** Decode the blocks of one acquisition (starting at `start`) and normalise as qblox-instruments does. */
export function decodeAcquisition(
  blocks: Buffer[],
  start: number,
  module: AcquisitionScales,
  what: string,
): { acquisition: QbloxAcquisitionEntry["acquisition"]; next: number } {
  const { scopePaths, adcBits, binScale } = module;
  const need = start + scopePaths * 3 + 1;
  if (blocks.length < need)
    throw new MalformedReplyError(`${what}: expected ${scopePaths * 3 + 1} data blocks, got ${blocks.length - start}`, {
      path: what,
      hint: MALFORMED_REPLY_HINT,
    });
  const scale = 2 ** (adcBits - 1);
  const scope: QbloxAcquisitionEntry["acquisition"]["scope"] = {};
  let k = start;
  for (let p = 0; p < scopePaths; p++) {
    const raw = blocks[k++]!;
    if (raw.length % 4 !== 0)
      throw new MalformedReplyError(`${what}: scope path${p} block length ${raw.length} is not a multiple of 4`, {
        path: what,
        hint: MALFORMED_REPLY_HINT,
      });
    const oor = blocks[k++]!;
    if (oor.length !== 1)
      throw new MalformedReplyError(`${what}: scope path${p} out-of-range block must be 1 byte`, {
        path: what,
        hint: MALFORMED_REPLY_HINT,
      });
    const avg = readU32Block(blocks[k++], what);
    const div = avg > 0 ? scale * avg : scale;
    const data: number[] = new Array(raw.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = raw.readInt32LE(i * 4) / div;
    scope[`path${p}`] = { data, "out-of-range": oor[0] !== 0, avg_cnt: avg };
  }
  const bins = blocks[k++]!;
  if (bins.length % BIN_RECORD_BYTES !== 0)
    throw new MalformedReplyError(
      `${what}: bins block length ${bins.length} is not a multiple of ${BIN_RECORD_BYTES}`,
      { path: what, hint: MALFORMED_REPLY_HINT },
    );
  const n = bins.length / BIN_RECORD_BYTES;
  const path0: number[] = new Array(n),
    path1: number[] = new Array(n),
    threshold: number[] = new Array(n),
    avgCnt: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * BIN_RECORD_BYTES;
    const valid = (bins.readUInt32LE(o) | bins.readUInt32LE(o + 4)) !== 0;
    const avg = bins.readUInt32LE(o + 28);
    if (!valid) {
      path0[i] = NaN;
      path1[i] = NaN;
      threshold[i] = NaN;
      avgCnt[i] = 0;
      continue;
    }
    const d = avg > 0 ? avg : 1;
    path0[i] = readI64(bins, o + 8) / d / binScale;
    path1[i] = readI64(bins, o + 16) / d / binScale;
    threshold[i] = bins.readUInt32LE(o + 24) / d;
    avgCnt[i] = avg;
  }
  return { acquisition: { scope, bins: { integration: { path0, path1 }, threshold, avg_cnt: avgCnt } }, next: k };
}
