/**
 * The user-facing commands on the trigger-network example: `q1forge compile` then `q1forge simulate
 * --compiled … --json`: the waveform report lists the conditional X (played here: the loopback of the
 * readout pulse thresholds to 1; the skipped case is in trigger-network-example.test.ts).
 */
import { afterAll, expect, it } from "vitest";
import { runCli, TempDir } from "../fixtures/cli.js";

const tmp = new TempDir();
afterAll(() => tmp.remove());

it("compile → simulate --json: the report row of X says whether it played (20 ns) or was skipped (4 ns)", async () => {
  const out = tmp.path("compiled.json");
  const c = await runCli([
    "compile",
    "--schedule",
    "examples/schedules/active-reset-trigger-network.json",
    "--hardware",
    "hardware-configs/baseband-transmon.json",
    "--out",
    out,
  ]);
  expect([c.code, c.stderr]).toStrictEqual([0, ""]);
  const s = await runCli(["simulate", "--compiled", out, "--json"]);
  expect(s.code).toBe(0);
  const j = JSON.parse(s.stdout) as { events: Record<string, unknown>[] };
  const x = j.events.filter((r) => r["operation"] === "X q0");
  // no input model: the readout pulse loops back to the input and thresholds to 1, so X plays
  expect(
    x.map((r) => [r["kind"], r["repetition"], r["start_ns"], r["program_start_ns"], r["duration_ns"]]),
  ).toStrictEqual([["play", 0, 700, 720, 20]]);
});
