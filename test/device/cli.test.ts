/** `q1forge compile --device` and `validate --device` with quantify's device and Schedule files. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TempDir, runCli } from "../fixtures/cli.js";
import { DATA_DIR, gateSchedule } from "./fixtures.js";

const device = join(DATA_DIR, "transmon_device_2q.json");
const hardware = join(DATA_DIR, "hardware_2q_rf.json");
const schedule = join(DATA_DIR, "quantify_schedule_2q.json");
const tmp = new TempDir();
afterAll(() => tmp.remove());

describe("q1forge compile --device", () => {
  it("compiles quantify's Schedule file (detected) with quantify's device file", async () => {
    const out = tmp.path("compiled.json");
    const r = await runCli([
      "compile",
      "--schedule",
      schedule,
      "--hardware",
      hardware,
      "--device",
      device,
      "--out",
      out,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, out, sequencers: 6 });
    const compiled = JSON.parse(readFileSync(out, "utf8")) as {
      name: string;
      repetitions: number;
      repetition_duration_ns: number;
    };
    expect([compiled.name, compiled.repetitions, compiled.repetition_duration_ns]).toEqual(["gates_2q", 3, 102420]);
  });
  it("a gate-level schedule without --device is a compile error (exit 1) naming the gate", async () => {
    const s = tmp.file("g.json", gateSchedule("g", [{ type: "X", qubit: "q0" }]));
    const r = await runCli(["compile", "--schedule", s, "--hardware", hardware, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "GATE_WITHOUT_DEVICE",
      path: "/schedulables/0/operation",
      message: 'gate "X q0" (X) needs a device to compile',
    });
  });
  it("an unreadable device file is a usage error (exit 2)", async () => {
    const r = await runCli([
      "compile",
      "--schedule",
      schedule,
      "--hardware",
      hardware,
      "--device",
      tmp.path("none.json"),
    ]);
    expect(r.code).toBe(2);
  });
});

describe("q1forge validate --device", () => {
  it("validates a gate-level schedule alone and as a pair", async () => {
    const alone = await runCli(["validate", "--schedule", schedule, "--device", device, "--json"]);
    expect(alone.code).toBe(0);
    expect(JSON.parse(alone.stdout)).toEqual({
      valid: true,
      kind: "schedule",
      name: "gates_2q",
      repetitions: 3,
      duration_ns: 102420,
    });
    const pair = await runCli([
      "validate",
      "--schedule",
      schedule,
      "--hardware",
      hardware,
      "--device",
      device,
      "--json",
    ]);
    expect(pair.code).toBe(0);
    expect(JSON.parse(pair.stdout)).toMatchObject({ valid: true, kind: "pair", name: "gates_2q", duration_ns: 102420 });
  });
  it("reports a gate on an element the device lacks", async () => {
    const s = tmp.file("bad.json", gateSchedule("g", [{ type: "Measure", qubit: "q5" }]));
    const r = await runCli(["validate", "--schedule", s, "--device", device, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "UNKNOWN_ELEMENT", path: "/schedulables/0/operation" });
  });
});
