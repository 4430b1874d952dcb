/**
 * The IQ window shift rule (docs/feedback.md "IQ values"): shift = max(0, floor(log2(L·√2)) − 8) for an
 * integration of L ns, emitted as fb_acq_iq_shift before the acquisition and carried as the route's
 * iq_shift; the emulated word is then floor(Σ·2^22) >> shift and fits the signed 32 bits.
 */
import { describe, expect, it } from "vitest";
import { iqShiftFor } from "../../src/compiler/2-plan/feedback-data.js";
import { compile } from "../../src/compiler/index.js";
import { simulate } from "../../src/emulator/simulate.js";
import { basebandHardware } from "../compiler/fixtures.js";
import { Q1ForgeError } from "../../src/core/errors.js";

function hardware(): Record<string, unknown> {
  const hw = basebandHardware() as { connectivity: { graph: unknown[] } };
  hw.connectivity.graph = [
    ["cluster0.module1.real_output_2", "q0:fl"],
    ["cluster0.module2.complex_output_0", "q0:res"],
    ["cluster0.module2.complex_input_0", "q0:res"],
  ];
  return hw;
}
const schedule = (windowNs: number, t0Ns = 20): Record<string, unknown> => ({
  name: "iq-shift",
  resources: { "q0.ro": { freq: 0 } },
  schedulables: [
    ...(t0Ns > 0 ? [{ operation: { type: "IdlePulse", duration: `${t0Ns} ns` } }] : []),
    {
      operation: {
        type: "ThresholdedAcquisition",
        name: "measure q0",
        port: "q0:res",
        clock: "q0.ro",
        duration: `${windowNs} ns`,
        feedback_trigger_label: "q0",
      },
    },
    {
      rel_time: "600 ns",
      operation: {
        type: "ReceiveFeedback",
        name: "I",
        port: "q0:fl",
        label: "q0",
        data: "iq",
        variable: "i",
        variable_q: "q",
      },
    },
    { rel_time: "100 ns", operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
});

describe("IQ shift rule", () => {
  it("shift = max(0, floor(log2(L·√2)) − 8)", () => {
    expect([1, 100, 362, 363, 724, 725, 4000, 16384].map(iqShiftFor)).toStrictEqual([0, 0, 0, 1, 1, 2, 4, 6]);
  });

  it("a 4000 ns window: fb_acq_iq_shift 4, iq_shift 4 in the route; 0.875 sends floor(3500·√2·2^22) >> 4", () => {
    const c = compile(schedule(4000), hardware());
    expect(c.feedback!.routes.map((r) => [r.data_type, r.iq_shift])).toStrictEqual([["iq", 4]]);
    const ro = c.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.sequence.program;
    expect(ro.split("\n").filter((l) => l.startsWith(" fb_acq_iq"))).toStrictEqual([
      " fb_acq_iq_shift 4,4 # LINQ: send bits 35:4 of the 48-bit IQ accumulators",
      " fb_acq_iq_id 16,4 # LINQ: share the next I and Q values with id 16",
    ]);
    const r = simulate(c, { inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(0.875) });
    const words = r.events.filter((e) => e.kind === "feedback").map((e) => e.linqValue!);
    const expected = Math.floor(Math.floor(3500 * Math.SQRT2 * 2 ** 22) / 16);
    expect(words).toStrictEqual([expected, expected]);
    expect(expected).toBeLessThan(2 ** 31);
  });

  it("an acquisition at 0 ns has no room for fb_acq_iq_shift / fb_acq_iq_id → FEEDBACK_NO_ROOM_FOR_ID", () => {
    let e: unknown;
    try {
      compile(schedule(100, 0), hardware());
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(Q1ForgeError);
    expect([(e as Q1ForgeError).code, (e as Q1ForgeError).path, (e as Q1ForgeError).message]).toStrictEqual([
      "FEEDBACK_NO_ROOM_FOR_ID",
      "/schedulables/0/operation",
      'acquisition "measure q0" at 0 ns on cluster0_module2.seq0 needs the 8 ns before it free for fb_acq_iq_shift, fb_acq_iq_id (its LINQ ids), but it starts 0 ns after the start of the schedule, so 8 ns of them would come before it',
    ]);
    expect((e as Q1ForgeError).hint).toBe(
      'start "measure q0" at 8 ns or later (for example with an IdlePulse of 8 ns before it)',
    );
  });
});
