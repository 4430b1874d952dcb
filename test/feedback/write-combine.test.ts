/**
 * LINQ write-combine (docs/feedback.md, seed "Write-Combine Mode"): six readout sequencers of one QRM
 * measure together in six rounds; 36 conditionals on the QCM consume the bits later. Without
 * write-combine 36 results wait in the receiver's 32-entry queue (FEEDBACK_QUEUE_OVERFLOW); with
 * compiler_options.feedback_write_combine each round is one payload (fb_acq_tb_cfg), the receiver pops
 * it once and extracts every qubit's 2 bits, and the emulator plays exactly the X pulses whose bit is 1.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { basebandHardware } from "../compiler/fixtures.js";
import { FeedbackQueue, LinqRouter, type LinqEndpoint } from "../../src/emulator/linq.js";

const QUBITS = 6;
const ROUNDS = 6;
const ROUND_NS = 300;
const FIRST_COND_NS = 2400;
const COND_PERIOD_NS = 100;

function hardware(writeCombine: boolean | undefined): Record<string, unknown> {
  const hw = basebandHardware() as { connectivity: { graph: unknown[] }; compiler_options?: unknown };
  const ro = Array.from({ length: QUBITS }, (_, k) => `q${k}:res`);
  hw.connectivity.graph = [
    ["cluster0.module1.complex_output_0", "q9:mw"],
    ["cluster0.module2.complex_output_0", ro],
    ["cluster0.module2.complex_input_0", ro],
  ];
  if (writeCombine !== undefined) hw.compiler_options = { feedback_write_combine: writeCombine };
  return hw;
}

/** rounds × qubits thresholded acquisitions (odd qubits rotated by 180°), then one conditional X each. */
function schedule(): Record<string, unknown> {
  const resources: Record<string, unknown> = { "q9.01": { freq: 100e6 } };
  for (let k = 0; k < QUBITS; k++) resources[`q${k}.ro`] = { freq: 150e6 };
  const schedulables: unknown[] = [{ operation: { type: "IdlePulse", duration: "100 ns" } }];
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < QUBITS; k++) {
      schedulables.push({
        ...(k === 0 ? { rel_time: r === 0 ? 0 : (ROUND_NS - 200) * 1e-9 } : { ref_pt: "start" }),
        operation: {
          type: "ThresholdedAcquisition",
          name: `measure q${k} r${r}`,
          port: `q${k}:res`,
          clock: `q${k}.ro`,
          duration: "200 ns",
          acq_channel: `q${k}`,
          bin_mode: "append",
          acq_threshold: 0,
          acq_rotation: k % 2 === 1 ? 180 : 0,
          feedback_trigger_label: `q${k}r${r}`,
        },
      });
    }
  }
  for (let r = 0; r < ROUNDS; r++)
    for (let k = 0; k < QUBITS; k++) {
      const j = r * QUBITS + k;
      schedulables.push({
        rel_time: j === 0 ? (FIRST_COND_NS - 100 - (ROUNDS - 1) * ROUND_NS - 200) * 1e-9 : (COND_PERIOD_NS - 20) * 1e-9,
        operation: {
          type: "ConditionalOperation",
          name: `X q9 if q${k} r${r}`,
          qubit_name: `q${k}r${r}`,
          body: {
            schedulables: [
              { operation: { type: "SquarePulse", amp: 0.25, duration: "20 ns", port: "q9:mw", clock: "q9.01" } },
            ],
          },
        },
      });
    }
  schedulables.push({ operation: { type: "IdlePulse", duration: "100 ns" } });
  return { name: "write-combine", resources, schedulables };
}

/** Rounds 1, 2 and 4 read −0.3 (I > 0: bit 1 unrotated), the others +0.3. */
const NEGATIVE_ROUNDS = new Set([1, 2, 4]);
const input: InputSignalModel = ({ fromNs, toNs }) =>
  new Float32Array(toNs - fromNs).fill(NEGATIVE_ROUNDS.has(Math.floor((fromNs - 100) / ROUND_NS)) ? -0.3 : 0.3);
const bit = (k: number, r: number): number => (NEGATIVE_ROUNDS.has(r) ? 1 : 0) ^ (k % 2);

function thrown(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}
const program = (c: ReturnType<typeof compile>, module: string, seq: string): string =>
  c.clusters["cluster0"]!.modules[module]!.sequencers[seq]!.sequence.program;

/** schedule time of conditional j's X when played (+16 ns: the QCM program's header and loop header) */
const playNs = (j: number): number => FIRST_COND_NS + COND_PERIOD_NS * j + 16;

describe("write-combine (fb_acq_tb_cfg)", () => {
  it("without write-combine 36 results wait in the receiver's 32-entry queue → FEEDBACK_QUEUE_OVERFLOW", () => {
    for (const hw of [hardware(undefined), hardware(false)]) {
      const e = thrown(() => compile(schedule(), hw));
      expect([e.name, e.code, e.path]).toStrictEqual([
        "ResourceLimitError",
        "FEEDBACK_QUEUE_OVERFLOW",
        "/schedulables/69/operation",
      ]);
      expect(e.message).toBe(
        '33 measurement results would be waiting in the 32-entry feedback queue of cluster0_module1.seq0 at 1800 ns (the last one from "measure q2 r5")',
      );
      expect(e.hint).toContain("compiler_options.feedback_write_combine");
    }
  });

  it("with write-combine each round is one payload: routes, bit positions and the readout programs", () => {
    for (const c of [
      compile(schedule(), hardware(true)),
      compile(schedule(), hardware(undefined), { feedbackWriteCombine: true }),
    ]) {
      const routes = c.feedback!.routes;
      expect(routes.map((r) => [r.id, r.mode, r.trigger_label, r.write_combine!.length_bytes])).toStrictEqual(
        Array.from({ length: ROUNDS }, (_, r) => [
          16 + r,
          "multi-cast",
          Array.from({ length: QUBITS }, (_, k) => `q${k}r${r}`).join(","),
          2,
        ]),
      );
      expect(routes[3]!.write_combine!.parts).toStrictEqual(
        Array.from({ length: QUBITS }, (_, k) => ({ trigger_label: `q${k}r3`, slot: 2, sequencer: k, bit_pos: 2 * k })),
      );
      expect(c.feedback!.router).toStrictEqual({
        cluster0: {
          local_routes: [],
          cmm_routes: Array.from({ length: ROUNDS }, (_, r) => ({ id: 16 + r, targets: [{ slot: 1, sequencer: 0 }] })),
          broadcast: [],
        },
      });
      // every readout sequencer sets its bit position and the round's id in the 8 ns before each acquisition
      const ro = program(c, "cluster0_module2", "seq3").split("\n");
      expect(ro.slice(7, 13)).toStrictEqual([
        " upd_param 4",
        " wait 92",
        " fb_acq_tb_cfg 1,6,2,4 # LINQ write-combine: the next thresholded bits go to bits 7:6 of a 2-byte payload",
        " fb_acq_tb_id 16,4 # LINQ: share the next thresholded bits with id 16",
        " acquire 0,R0,4 # ThresholdedAcquisition measure q3 r0 (acq_channel q3)",
        " add R0,1,R0 # increment bin for acq_channel q3",
      ]);
      expect(ro.filter((l) => l.startsWith(" fb_acq_tb_id"))).toHaveLength(ROUNDS);
    }
  });

  it("the receiver pops each payload once and extracts every qubit's 2 bits", () => {
    const c = compile(schedule(), hardware(true));
    const rx = program(c, "cluster0_module1", "seq0").split("\n");
    expect(rx.slice(7, 27)).toStrictEqual([
      " wait 2400",
      " fb_pop_data 16,R2 # LINQ id 16: write-combined thresholded bits",
      ' and R2,3,R1 # bits 1:0: "q0r0" (3 = 1, 2 = 0)',
      " jlt R1,3,@cond7_skip # play the body only if the bit is 1",
      " set_awg_gain 8192,0",
      " play 0,0,4 # play SquarePulse (20 ns)",
      " wait 16",
      " jmp @cond7_end",
      "cond7_skip: wait 20",
      "cond7_end: wait 80",
      ' asr R2,2,R1 # bits 3:2: "q1r0"',
      " and R1,3,R1 # (3 = 1, 2 = 0)",
      " jlt R1,3,@cond16_skip # play the body only if the bit is 1",
      " set_awg_gain 8192,0",
      " play 0,0,4 # play SquarePulse (20 ns)",
      " wait 16",
      " jmp @cond16_end",
      "cond16_skip: wait 20",
      "cond16_end: wait 80",
      ' asr R2,4,R1 # bits 5:4: "q2r0"',
    ]);
    expect(rx.filter((l) => l.includes("fb_pop_data"))).toStrictEqual(
      Array.from(
        { length: ROUNDS },
        (_, r) => ` fb_pop_data ${16 + r},R2 # LINQ id ${16 + r}: write-combined thresholded bits`,
      ),
    );
  });

  it("emulated: the X of conditional (qubit k, round r) plays exactly when that bit is 1; no flags", () => {
    const c = compile(schedule(), hardware(true));
    const r = simulate(c, { inputModel: input });
    const expected: number[] = [];
    for (let rr = 0; rr < ROUNDS; rr++)
      for (let k = 0; k < QUBITS; k++) if (bit(k, rr) === 1) expected.push(playNs(rr * QUBITS + k));
    expect(expected).toHaveLength(18);
    expect(r.events.filter((e) => e.kind === "play").map((e) => [e.startNs, e.durationNs])).toStrictEqual(
      expected.map((t) => [t, 20]),
    );
    // the acquisitions themselves (append bins, one per round)
    for (let k = 0; k < QUBITS; k++)
      expect(Array.from(r.acquisitions[`q${k}`]!.re)).toStrictEqual(
        Array.from({ length: ROUNDS }, (_, rr) => bit(k, rr)),
      );
    // the popped payloads: 2 bits per qubit, valid bit set (k-th pair = 2 | bit)
    const pops = r.events.filter((e) => e.kind === "feedback");
    expect(pops.map((e) => [e.linqId, e.linqValue])).toStrictEqual(
      Array.from({ length: ROUNDS }, (_, rr) => [
        16 + rr,
        Array.from({ length: QUBITS }, (_, k) => (2 | bit(k, rr)) << (2 * k)).reduce((a, b) => a | b, 0),
      ]),
    );
    for (const m of Object.values(r.clusters["cluster0"]!.modules))
      for (const s of Object.values(m.sequencers))
        expect([s.status, s.err_flags, s.warn_flags]).toStrictEqual(["OKAY", [], []]);
  });
});

describe("LinqRouter write-combine packing (emulator)", () => {
  const endpoint = (slot: number, index: number): LinqEndpoint => ({
    slot,
    index,
    feedback: new FeedbackQueue(),
    fbWaiting: false,
  });

  it("parts sent together become one payload; a 5-byte payload is two 32-bit entries; a later send starts a new one", () => {
    const router = new LinqRouter({
      local_routes: [],
      cmm_routes: [{ id: 20, targets: [{ slot: 1, sequencer: 0 }] }],
      broadcast: [],
    });
    const rx = endpoint(1, 0);
    const s = [endpoint(2, 0), endpoint(2, 1), endpoint(2, 2)];
    for (const e of [rx, ...s]) router.attach(e);
    router.send(s[0]!, 20, 3, 1000, "thresholded_bits", 0, 5);
    router.send(s[1]!, 20, 2, 1000, "thresholded_bits", 30, 5);
    router.send(s[2]!, 20, 3, 1000, "thresholded_bits", 34, 5);
    router.send(s[0]!, 20, 2, 2000, "thresholded_bits", 0, 1);
    router.send(s[1]!, 20, 3, 2000, "thresholded_bits", 2, 1);
    expect(rx.feedback.entries).toStrictEqual([
      { id: 20, value: (3 | (2 << 30)) >>> 0, arrivalNs: 1472 },
      { id: 20, value: 3 << 2, arrivalNs: 1472 },
      { id: 20, value: 2 | (3 << 2), arrivalNs: 2472 },
    ]);
    expect(rx.fbWaiting).toBe(false);
  });
});
