import { describe, expect, it } from "vitest";
import { labelHash, Labels } from "../../src/compiler/1-schedule/timing-labels.js";
import { resolveTiming } from "../../src/compiler/1-schedule/timing.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import type { OpNode } from "../../src/compiler/ir/nodes.js";
import { parseScheduleDocument } from "../../src/schedule/parse.js";
import type { SchedulableSpec } from "../../src/schedule/schema.js";

const sq = (name: string) => ({ type: "SquarePulse", name, amp: 0.1, duration: 20e-9, port: "q0:mw", clock: "q0.01" });
const res = { "q0.01": { freq: 6e9 } };
const time = (schedulables: unknown[]) =>
  resolveTiming(parseScheduleDocument({ name: "t", resources: res, schedulables }));

function errorOf(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Q1ForgeError);
    return e as Q1ForgeError;
  }
  throw new Error("expected an error");
}

const items = (labels: (string | undefined)[]): SchedulableSpec[] =>
  labels.map((label) => ({ ...(label === undefined ? {} : { label }), operation: "x" }) as SchedulableSpec);

describe("the label index of a schedule (timing-labels.ts)", () => {
  it("DUPLICATE_LABEL far apart in a large schedule names both schedulables, at the second label", () => {
    const s = Array.from({ length: 5000 }, (_, i) => ({ label: `m${i}`, operation: sq(`p${i}`) }));
    s[4321] = { label: "m17", operation: sq("again") };
    const e = errorOf(() => time(s));
    expect([e.code, e.path, e.message, e.hint]).toEqual([
      "DUPLICATE_LABEL",
      "/schedulables/4321/label",
      'label "m17" is used by schedulables 17 and 4321',
      "give every schedulable in a schedule a unique label",
    ]);
  });

  it("DUPLICATE_LABEL inside a nested schedule carries the nested path", () => {
    const sub = {
      type: "Schedule",
      name: "sub",
      schedulables: [
        { label: "a", operation: sq("x") },
        { label: "a", operation: sq("y") },
      ],
    };
    const e = errorOf(() => time([{ label: "a", operation: sub }]));
    expect([e.code, e.path]).toEqual(["DUPLICATE_LABEL", "/schedulables/0/operation/schedulables/1/label"]);
  });

  it("resolves references to far-away and later labels", () => {
    const n = 3000;
    const s: Record<string, unknown>[] = Array.from({ length: n }, (_, i) => ({
      label: `m${i}`,
      operation: sq(`p${i}`),
    }));
    // 2999 starts 100 ns after the start of 0 (2,999 schedulables back), 1500 at the end of 2999 (a later one)
    s[n - 1] = { ...s[n - 1], ref_schedulable: "m0", ref_pt: "start", rel_time: 100e-9 };
    s[1500] = { ...s[1500], ref_schedulable: `m${n - 1}` };
    const t = time(s);
    const start = new Map(t.nodes.map((node) => [(node as OpNode).op.name, node.startNs]));
    expect(start.get(`p${n - 1}`)).toBe(100);
    expect(start.get("p1500")).toBe(120);
    expect(start.get("p1501")).toBe(140); // the next one follows its predecessor as before
    expect(start.get("p2")).toBe(40);
  });

  it("DANGLING_REFERENCE names the first ten labels in document order", () => {
    const s = Array.from({ length: 40 }, (_, i) => ({ label: `m${i}`, operation: sq(`p${i}`) }));
    s.push({ label: "last", operation: sq("last"), ref_schedulable: "m40" } as never);
    const e = errorOf(() => time(s));
    expect([e.code, e.path, e.hint]).toEqual([
      "DANGLING_REFERENCE",
      "/schedulables/40/ref_schedulable",
      "refer to a label of this schedule (m0, m1, m2, m3, m4, m5, m6, m7, m8, m9)",
    ]);
  });

  it("finds every label, skips unlabelled schedulables and answers undefined for unknown labels", () => {
    const labels = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? undefined : `L${i}`));
    const index = Labels.of(items(labels), "");
    expect(index.size).toBe(labels.filter((l) => l !== undefined).length);
    expect(index.isMap).toBe(false);
    for (let i = 0; i < labels.length; i++)
      if (labels[i] !== undefined) expect(index.find(labels[i]!, labels.length)).toBe(i);
    expect(index.find("L3", 2000)).toBeUndefined(); // 3 has no label
    expect(index.find("nope", 2000)).toBeUndefined();
    expect(index.first(3)).toEqual(["L1", "L2", "L4"]);
  });

  it("falls back to a Map on a long probe sequence, with the same answers and the same duplicate error", () => {
    const labels = Array.from({ length: 2000 }, (_, i) => `L${i}`);
    const index = Labels.of(items(labels), "", 0); // any collision switches to the Map
    expect(index.isMap).toBe(true);
    expect(index.size).toBe(2000);
    for (let i = 0; i < labels.length; i++) expect(index.find(labels[i]!, 0)).toBe(i);
    expect(index.find("nope", 2000)).toBeUndefined();
    const dup = [...labels, "L1999", "L5"];
    const e = errorOf(() => Labels.of(items(dup), "/x", 0));
    expect([e.code, e.path, e.message]).toEqual([
      "DUPLICATE_LABEL",
      "/x/schedulables/2000/label",
      'label "L1999" is used by schedulables 1999 and 2000',
    ]);
  });

  it("the empty label set finds nothing", () => {
    const index = Labels.of(items([undefined, undefined]), "");
    expect([index.size, index.find("a", 2), index.first(10)]).toEqual([0, undefined, []]);
  });

  it("labelHash is a 32-bit integer that depends on every code unit", () => {
    expect(Number.isInteger(labelHash("a"))).toBe(true);
    expect(labelHash("ab")).not.toBe(labelHash("ba"));
    expect(labelHash("q0/x")).toBe(labelHash("q0/x"));
    expect(labelHash("\ud83d\ude00")).not.toBe(labelHash("\ud83d"));
  });
});
