/**
 * Write-combine of sent values (fb_com_cfg; docs/feedback.md "Values over LINQ"): two QCM sequencers
 * (q0:fl = seq0 and q0:mw = seq1) send an 8-bit value each at the same time to the QRM; with
 * compiler_options.feedback_write_combine both go in one payload (b in bits 7:0, a in bits 15:8), the QRM pops it
 * once and extracts both values, and a ConditionalOperation on the second value plays the readout pulse.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { simulate } from "../../src/emulator/simulate.js";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8"));
const HW = read("hardware-configs/baseband-transmon.json") as Record<string, unknown>;
const withWriteCombine = { ...HW, compiler_options: { feedback_write_combine: true } };

function schedule(a: number, b: number): Record<string, unknown> {
  return {
    name: "two-values",
    resources: { "q0.01": { freq: 6e9 }, "q0.ro": { freq: 150e6 } },
    schedulables: [
      { operation: { type: "SetVariable", port: "q0:mw", clock: "q0.01", variable: "a", value: a } },
      { ref_pt: "start", operation: { type: "SetVariable", port: "q0:fl", variable: "b", value: b } },
      {
        label: "send a",
        rel_time: "100 ns",
        operation: { type: "SendFeedback", port: "q0:mw", clock: "q0.01", label: "a", variable: "a", bits: 8 },
      },
      {
        ref_pt: "start",
        operation: { type: "SendFeedback", port: "q0:fl", label: "b", variable: "b", bits: 8 },
      },
      {
        ref_pt: "start",
        rel_time: "500 ns",
        operation: {
          type: "ReceiveFeedback",
          port: "q0:res",
          clock: "q0.ro",
          label: "a",
          data: "value",
          variable: "va",
        },
      },
      {
        ref_pt: "start",
        operation: {
          type: "ReceiveFeedback",
          port: "q0:res",
          clock: "q0.ro",
          label: "b",
          data: "value",
          variable: "vb",
        },
      },
      {
        rel_time: "100 ns",
        operation: {
          type: "ConditionalOperation",
          name: "readout pulse if b >= 5",
          variable: "vb",
          threshold: 5,
          body: {
            schedulables: [
              {
                operation: {
                  type: "SquarePulse",
                  name: "pulse",
                  amp: 0.25,
                  duration: "40 ns",
                  port: "q0:res",
                  clock: "q0.ro",
                },
              },
            ],
          },
        },
      },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };
}
const prog = (c: ReturnType<typeof compile>, module: string, seq: string) =>
  c.clusters["cluster0"]!.modules[module]!.sequencers[seq]!.sequence.program.split("\n");

describe("write-combine of sent values (fb_com_cfg)", () => {
  it("without write-combine: two ids, two entries; each SendFeedback with bits still takes 12 ns", () => {
    const c = compile(schedule(3, 7), HW, { verify: true });
    expect(c.feedback!.routes.map((r) => [r.id, r.data_type, r.trigger_label, r.write_combine])).toStrictEqual([
      [16, "register", "a", undefined],
      [17, "register", "b", undefined],
    ]);
    expect(prog(c, "cluster0_module1", "seq0").filter((l) => l.includes("fb_com"))).toStrictEqual([
      ' fb_com_cfg 0,0,0,4 # LINQ: "b" is sent alone',
      ' fb_com_data 17,R1,4 # LINQ id 17: send "b"',
      " fb_com_cfg 0,0,0,4",
    ]);
    const r = simulate(c);
    expect(r.events.filter((e) => e.kind === "feedback").map((e) => [e.linqId, e.linqValue])).toStrictEqual([
      [16, 3],
      [17, 7],
    ]);
  });

  it("with write-combine: one id, one payload 3 << 8 | 7, extracted on the QRM; the conditional plays for b = 7", () => {
    const c = compile(schedule(3, 7), withWriteCombine, { verify: true });
    expect(c.feedback!.routes).toStrictEqual([
      {
        id: 16,
        mode: "multi-cast",
        trigger_label: "b,a",
        data_type: "register",
        source: { cluster: "cluster0", module: "cluster0_module1", slot: 1, sequencer: 0 },
        receivers: [{ module: "cluster0_module2", slot: 2, sequencer: 0, path: "multi-cast", latency_ns: 380 }],
        write_combine: {
          length_bytes: 2,
          parts: [
            { trigger_label: "b", slot: 1, sequencer: 0, bit_pos: 0 },
            { trigger_label: "a", slot: 1, sequencer: 1, bit_pos: 8 },
          ],
        },
      },
    ]);
    expect(prog(c, "cluster0_module1", "seq1").filter((l) => l.includes("fb_com"))).toStrictEqual([
      ' fb_com_cfg 1,8,2,4 # LINQ write-combine: "a" goes to bits 15:8 of a 2-byte payload',
      ' fb_com_data 16,R1,4 # LINQ id 16: send "a"',
      " fb_com_cfg 0,0,0,4",
    ]);
    const qrm = prog(c, "cluster0_module2", "seq0");
    const at = qrm.findIndex((l) => l.includes("fb_pop_data"));
    expect(qrm.slice(at, at + 6)).toStrictEqual([
      " fb_pop_data 16,R2 # LINQ id 16: write-combined values",
      ' asr R2,8,R1 # va = bits 15:8 ("a")',
      " and R1,255,R1",
      ' move R2,R3 # vb = bits 7:0 ("b")',
      " and R3,255,R3",
      " wait 100",
    ]);
    const r = simulate(c);
    expect(r.events.filter((e) => e.kind === "feedback").map((e) => [e.slot, e.linqId, e.linqValue])).toStrictEqual([
      [2, 16, (3 << 8) | 7],
    ]);
    const pulses = (x: ReturnType<typeof simulate>) =>
      x.events.filter((e) => e.kind === "play" && e.slot === 2).map((e) => [e.startNs, e.durationNs]);
    expect(pulses(r)).toStrictEqual([[700 + 24, 40]]);
    expect(pulses(simulate(compile(schedule(3, 4), withWriteCombine)))).toStrictEqual([]);
  });
});
