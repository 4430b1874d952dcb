/** `q1forge validate --hardware H | --schedule S`: exit 0 valid, 1 invalid, 2 usage error. */
import { afterAll, describe, expect, it } from "vitest";
import { basebandHardware, RESOURCES } from "../compiler/fixtures.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const tmp = new TempDir();
const hwPath = tmp.file("hw.json", basebandHardware());
const badHwPath = tmp.file("hw-0.3.json", { ...basebandHardware(), version: "0.3" });
const schedPath = tmp.file("s.json", {
  name: "two",
  repetitions: 10,
  resources: RESOURCES,
  schedulables: [
    { label: "a", operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
    { operation: { type: "IdlePulse", duration: "100 ns" }, ref_schedulable: "a", rel_time: "8 ns" },
  ],
});
const danglingPath = tmp.file("dangling.json", {
  name: "dangling",
  schedulables: [
    { label: "a", operation: { type: "IdlePulse", duration: "20 ns" } },
    { label: "b", operation: { type: "IdlePulse", duration: "20 ns" }, ref_schedulable: "nope" },
  ],
});
afterAll(() => tmp.remove());

describe("q1forge validate --hardware", () => {
  it("a valid config exits 0 with a one-line summary", async () => {
    const r = await runCli(["validate", "--hardware", hwPath]);
    expect(r).toEqual({ code: 0, stdout: "valid hardware config (version 0.2, clusters: cluster0)\n", stderr: "" });
  });

  it("--json prints the summary as JSON", async () => {
    const r = await runCli(["validate", "--hardware", hwPath, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, kind: "hardware", version: "0.2", clusters: ["cluster0"] });
  });

  it("reads stdin with --hardware -", async () => {
    const r = await runCli(["validate", "--hardware", "-"], JSON.stringify(basebandHardware()));
    expect([r.code, r.stdout]).toEqual([0, "valid hardware config (version 0.2, clusters: cluster0)\n"]);
  });

  it("an unknown version exits 1 with UNKNOWN_VERSION at /version", async () => {
    const r = await runCli(["validate", "--hardware", badHwPath, "--json"]);
    expect([r.code, r.stdout]).toEqual([1, ""]);
    const e = JSON.parse(r.stderr) as Record<string, unknown>;
    expect(e).toMatchObject({
      error: "HardwareConfigError",
      code: "UNKNOWN_VERSION",
      message: "Unknown hardware config version '0.3'.",
      path: "/version",
    });
    expect(String(e["hint"])).toContain('Supported versions are "0.1", "0.2"');
  });

  it("a connectivity node naming a missing module exits 1 naming the node", async () => {
    const hw = basebandHardware();
    (hw["connectivity"] as { graph: unknown[] }).graph.push(["cluster0.module5.complex_output_0", "q5:mw"]);
    const r = await runCli(["validate", "--hardware", "-", "--json"], JSON.stringify(hw));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "MODULE_NOT_FOUND",
      message:
        "Module 5 of cluster 'cluster0' (node 'cluster0.module5.complex_output_0') is not in the hardware description.",
    });
  });
});

describe("q1forge validate --schedule", () => {
  it("a valid schedule exits 0 with name, repetitions and duration", async () => {
    const r = await runCli(["validate", "--schedule", schedPath]);
    expect(r).toEqual({ code: 0, stdout: 'valid schedule "two" (10 repetitions of 128 ns)\n', stderr: "" });
  });

  it("--json prints the summary as JSON", async () => {
    const r = await runCli(["validate", "--schedule", schedPath, "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      kind: "schedule",
      name: "two",
      repetitions: 10,
      duration_ns: 128,
    });
  });

  it("a dangling reference exits 1 naming the reference", async () => {
    const r = await runCli(["validate", "--schedule", danglingPath, "--json"]);
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(JSON.parse(r.stderr)).toEqual({
      error: "TimingError",
      code: "DANGLING_REFERENCE",
      message: 'schedulable "b" refers to unknown label "nope"',
      path: "/schedulables/1/ref_schedulable",
      hint: "refer to a label of this schedule (a, b)",
    });
  });

  it("a clock missing from resources exits 1 with UNKNOWN_CLOCK", async () => {
    const doc = {
      name: "x",
      schedulables: [
        { operation: { type: "SquarePulse", name: "p", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
      ],
    };
    const r = await runCli(["validate", "--schedule", "-", "--json"], JSON.stringify(doc));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "UNKNOWN_CLOCK", path: "/schedulables/0/operation" });
  });

  it("malformed JSON exits 1 with INPUT_PARSE", async () => {
    const r = await runCli(["validate", "--schedule", "-", "--json"], '{"name": "x",}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "INPUT_PARSE", path: "schedule (stdin) at line 1, column 14" });
  });
});

describe("q1forge validate usage", () => {
  it("neither --hardware nor --schedule exits 2", async () => {
    const neither = await runCli(["validate", "--json"]);
    expect(neither.code).toBe(2);
    expect(JSON.parse(neither.stderr)).toMatchObject({
      code: "USAGE",
      message: "validate needs --hardware, --schedule, or both",
      hint: "q1forge validate --hardware hw.json, or --schedule s.json --hardware hw.json to check the pair",
    });
  });

  it("an unknown option exits 2", async () => {
    const r = await runCli(["validate", "--hardware", hwPath, "--strict", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "USAGE",
      message: 'unknown option --strict for "validate"',
      hint: "valid options: --hardware, --schedule, --json, --device",
    });
  });

  it("validate --help prints the command usage (exit 0)", async () => {
    const r = await runCli(["validate", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("usage: q1forge validate --hardware H | --schedule S [--device D] [--json]");
  });
});
