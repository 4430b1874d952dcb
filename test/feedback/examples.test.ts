/** examples/schedules with feedback, compiled (and verified) on hardware-configs/baseband-transmon.json and emulated. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { simulate, type SimulationResult } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";

const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));
const hw = read("hardware-configs/baseband-transmon.json");
const example = (name: string) => compile(read(`examples/schedules/${name}.json`), hw, { verify: true });
const input =
  (bit: (fromNs: number) => 0 | 1): InputSignalModel =>
  ({ fromNs, toNs }) =>
    new Float32Array(toNs - fromNs).fill(bit(fromNs) ? -0.3 : 0.3);
const plays = (r: SimulationResult) =>
  r.events.filter((e) => e.kind === "play").map((e) => [e.module, e.portClock, e.startNs, e.durationNs]);

describe("feedback examples on baseband-transmon (QCM slot 1 drives, QRM slot 2 reads out)", () => {
  it("active-reset: multi-cast to the QCM; X plays only in the repetitions whose bit is 1", () => {
    const c = example("active-reset");
    expect(
      c.feedback!.routes.map((r) => [r.id, r.mode, r.receivers.map((x) => [x.module, x.sequencer])]),
    ).toStrictEqual([[16, "multi-cast", [["cluster0_module1", 0]]]]);
    // repetitions are 1924 ns apart (1920 ns schedule + the 4 ns loop header); the QRM's 8 ns latency
    // correction puts the windows at 124 + 1924·k; bit 1 in repetitions 1 and 3
    const r = simulate(c, { to: 10e-6, inputModel: input((t) => (Math.floor((t - 124) / 1924) % 2 === 1 ? 1 : 0)) });
    expect(plays(r).filter((p) => p[1] === "q0:mw-q0.01")).toStrictEqual([
      ["cluster0_module1", "q0:mw-q0.01", 1924 + 916, 20],
      ["cluster0_module1", "q0:mw-q0.01", 3 * 1924 + 916, 20],
    ]);
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([0.5]);
  });

  it("repeat-until-success: the QRM itself (local route) and the QCM drive (CMM) receive the bit; success at the 2nd body", () => {
    const c = example("repeat-until-success");
    expect(c.feedback!.routes[0]!.mode).toBe("multi-cast");
    expect(c.feedback!.router).toStrictEqual({
      cluster0: {
        local_routes: [{ module: "cluster0_module2", slot: 2, id: 16, sequencers: [0] }],
        cmm_routes: [{ id: 16, targets: [{ slot: 1, sequencer: 1 }] }],
        broadcast: [],
      },
    });
    // bodies of 920 ns: the flux pulse after the 5-body maximum stays at 16 + 5 · 920 ns
    const r = simulate(c, { to: 6e-6, inputModel: input((t) => (t < 1000 ? 1 : 0)) });
    expect(plays(r).filter((p) => p[1] !== "q0:res-q0.ro")).toStrictEqual([
      ["cluster0_module1", "q0:mw-q0.01", 16, 20],
      ["cluster0_module1", "q0:mw-q0.01", 936, 20],
      ["cluster0_module1", "q0:fl-cl0.baseband", 16 + 5 * 920, 40],
    ]);
  });

  it("feed-forward: the QCM's flux pulse depends on the QRM's measurement", () => {
    const c = example("feed-forward");
    expect(c.feedback!.router).toStrictEqual({
      cluster0: { local_routes: [], cmm_routes: [{ id: 16, targets: [{ slot: 1, sequencer: 0 }] }], broadcast: [] },
    });
    const one = simulate(c, { inputModel: input(() => 1) });
    expect(plays(one).filter((p) => p[0] === "cluster0_module1")).toStrictEqual([
      ["cluster0_module1", "q0:fl-cl0.baseband", 916, 40],
    ]);
    const zero = simulate(c, { inputModel: input(() => 0) });
    expect(plays(zero).filter((p) => p[0] === "cluster0_module1")).toStrictEqual([]);
  });
});
