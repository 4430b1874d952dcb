/**
 * The acquisition bin records (reference 7.6: valid u64, path0 i64, path1 i64, thres u32, avg_cnt u32)
 * written and read without BigInt: the bytes equal the BigInt encoding, and the decoded numbers equal
 * Number(readBigInt64LE) — also beyond 2^53, where the halves are rounded once.
 */
import { expect, it } from "vitest";
import { decodeAcquisition, emptyRawAcquisition, encodeAcquisitionBlocks } from "../../src/instruments/acq-binary.js";

const VALUES = [
  0,
  -0,
  1,
  -1,
  4194304,
  -4194304,
  2 ** 31,
  -(2 ** 31),
  2 ** 32 + 5,
  -(2 ** 32) - 5,
  2 ** 53 - 1,
  -(2 ** 53) + 1,
  2 ** 60 + 2 ** 12,
  -(2 ** 62),
];

it("bin records: the same bytes as the BigInt encoding, decoded as Number(readBigInt64LE)", () => {
  const raw = emptyRawAcquisition(3, VALUES.length, 2);
  VALUES.forEach((v, i) => {
    raw.bins.valid[i] = i % 5 === 4 ? 0 : 1;
    raw.bins.path0[i] = v;
    raw.bins.path1[i] = -v + 0.4; // rounded on the way out
    raw.bins.thres[i] = i;
    raw.bins.avgCnt[i] = i === 0 ? 0 : 2;
  });
  const blocks = encodeAcquisitionBlocks(raw);
  const bins = blocks[blocks.length - 1]!;
  VALUES.forEach((v, i) => {
    const o = i * 32;
    expect([bins.readBigUInt64LE(o), bins.readBigInt64LE(o + 8), bins.readBigInt64LE(o + 16)]).toStrictEqual([
      BigInt(raw.bins.valid[i]!),
      BigInt(Math.round(v)),
      BigInt(Math.round(-v + 0.4)),
    ]);
  });
  const d = decodeAcquisition(blocks, 0, { scopePaths: 2, adcBits: 12, binScale: 2 ** 22 }, "test");
  VALUES.forEach((v, i) => {
    const o = i * 32;
    const avg = i === 0 ? 1 : 2;
    const want0 = raw.bins.valid[i] ? Number(bins.readBigInt64LE(o + 8)) / avg / 2 ** 22 : NaN;
    const want1 = raw.bins.valid[i] ? Number(bins.readBigInt64LE(o + 16)) / avg / 2 ** 22 : NaN;
    expect([d.acquisition.bins.integration.path0[i], d.acquisition.bins.integration.path1[i]]).toStrictEqual([
      want0,
      want1,
    ]);
  });
  expect(d.acquisition.bins.avg_cnt).toStrictEqual(VALUES.map((_, i) => (i % 5 === 4 ? 0 : i === 0 ? 0 : 2)));
});

it("an int64 that is not exactly a double decodes to its nearest double", () => {
  const raw = emptyRawAcquisition(0, 1, 2);
  const blocks = encodeAcquisitionBlocks(raw);
  const bins = blocks[blocks.length - 1]!;
  bins.writeBigUInt64LE(1n, 0);
  bins.writeBigInt64LE(2n ** 62n + 1n, 8); // nearest double: 2^62
  bins.writeBigInt64LE(-(2n ** 55n) - 3n, 16); // nearest double: -(2^55) - 4
  bins.writeUInt32LE(1, 28);
  const d = decodeAcquisition(blocks, 0, { scopePaths: 2, adcBits: 12, binScale: 1 }, "test");
  expect([d.acquisition.bins.integration.path0[0], d.acquisition.bins.integration.path1[0]]).toStrictEqual([
    2 ** 62,
    -(2 ** 55) - 4,
  ]);
});
