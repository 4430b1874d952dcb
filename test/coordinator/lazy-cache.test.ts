/**
 * The coordinator's lazy cache compares a value with the last one written as their JSON texts would
 * compare (key order aside), without serialising them: checked against JSON.stringify on pairs of values.
 */
import { expect, it } from "vitest";
import { LazyCache } from "../../src/coordinator/lazy-cache.js";

const VALUES: unknown[] = [
  0,
  -0,
  1,
  1.5,
  NaN,
  Infinity,
  null,
  true,
  false,
  "",
  "a",
  "0",
  [],
  [1, 2],
  [1, 2, 3],
  [null],
  [undefined],
  [NaN],
  {},
  { a: 1 },
  { a: 1, b: undefined },
  { a: "1" },
  { a: [1, 2], b: { c: null } },
  { a: [1, 2], b: { c: 0 } },
  { program: " play 0,0,4\n stop\n", waveforms: { w: { index: 0, data: [0.5, 0.25] } } },
  { program: " play 0,0,4\n stop\n", waveforms: { w: { index: 0, data: [0.5, 0.26] } } },
  { program: " play 0,0,8\n stop\n", waveforms: { w: { index: 0, data: [0.5, 0.25] } } },
  new Float32Array([0.5, 0.25]),
  [0.5, 0.25],
];

it("changed(key, b) after remember(key, a) is JSON.stringify(a) !== JSON.stringify(b)", () => {
  for (const a of VALUES)
    for (const b of VALUES) {
      const c = new LazyCache();
      c.remember("k", a);
      expect([a, b, c.changed("k", b)]).toStrictEqual([a, b, JSON.stringify(a) !== JSON.stringify(b)]);
    }
});

it("keeps a copy: mutating the written value afterwards is seen as a change; key order is not", () => {
  const c = new LazyCache();
  const seq = { program: " stop\n", waveforms: { w: { index: 0, data: [1, 2] } } };
  c.remember("s", seq);
  expect(c.changed("s", seq)).toBe(false);
  seq.waveforms.w.data[1] = 3;
  expect(c.changed("s", seq)).toBe(true);
  seq.program = " nop\n stop\n";
  c.remember("s", seq);
  expect(c.changed("s", { waveforms: { w: { data: [1, 3], index: 0 } }, program: " nop\n stop\n" })).toBe(false);
  expect(c.changed("other", seq)).toBe(true);
  c.clear("s");
  expect([c.has("s"), c.size]).toStrictEqual([false, 0]);
});
