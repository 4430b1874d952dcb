/** Overlapping pulses on one port-clock are played summed; compile says so, naming both. */
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { basebandHardware, RESOURCES } from "../compiler/fixtures.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const tmp = new TempDir();
afterAll(() => tmp.remove());
const schedule = {
  name: "overlap",
  resources: RESOURCES,
  schedulables: [
    { label: "a", operation: { type: "SquarePulse", amp: 0.2, duration: "100 ns", port: "q0:mw", clock: "q0.01" } },
    {
      label: "b",
      ref_schedulable: "a",
      ref_pt: "start",
      rel_time: "40 ns",
      operation: { type: "SquarePulse", name: "kick", amp: 0.1, duration: "100 ns", port: "q0:mw", clock: "q0.01" },
    },
  ],
};
const message =
  'pulses "SquarePulse" (/schedulables/0/operation) and "kick" (/schedulables/1/operation) overlap on q0:mw-q0.01 from 40 to 100 ns and are played summed (their amplitudes add)';

describe("overlapping pulses summed", () => {
  it("compile returns an OVERLAPPING_PULSES_SUMMED warning naming both pulses", () => {
    const c = compile(schedule, basebandHardware());
    expect(c.diagnostics.warnings).toEqual([
      { code: "OVERLAPPING_PULSES_SUMMED", message, path: "/schedulables/1/operation" },
    ]);
  });

  it("q1forge compile prints it", async () => {
    const s = tmp.file("s.json", schedule);
    const hw = tmp.file("hw.json", basebandHardware());
    const r = await runCli(["compile", "--schedule", s, "--hardware", hw, "--out", tmp.file("c.json", "")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`warning: ${message}\n`);
  });

  it("non-overlapping pulses give no warning", () => {
    const apart = structuredClone(schedule);
    apart.schedulables[1]!.rel_time = "200 ns";
    expect(compile(apart, basebandHardware()).diagnostics.warnings).toEqual([]);
  });
});
