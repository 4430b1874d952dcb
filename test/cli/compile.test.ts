/**
 * `q1forge compile` and general CLI behaviour, driven in-process through main(argv, io):
 * exit codes 0 (success), 1 (compile / input error), 2 (usage error).
 */
import { commands } from "../../src/cli/registry.js";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { CompiledScheduleSchema, type CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { packageRoot } from "../../src/cli/package-root.js";
import { basebandHardware, lines, RESOURCES, sequencer } from "../compiler/fixtures.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const SINGLE = {
  name: "single",
  repetitions: 1024,
  resources: RESOURCES,
  schedulables: [
    { operation: { type: "SquarePulse", amp: 0.25, duration: "40 ns", port: "q0:mw", clock: "q0.01" } },
    { operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
};
const SINGLE_PROGRAM = [
  "set_mrk 0",
  "wait_sync 4",
  "upd_param 4",
  "wait 4",
  "move 1024,R0",
  "start: reset_ph",
  "upd_param 4",
  "set_awg_gain 8192,0",
  "play 0,0,4",
  "wait 136",
  "loop R0,@start",
  "stop",
];
const OVERLAP = {
  name: "overlap",
  resources: RESOURCES,
  schedulables: [
    {
      label: "o",
      operation: {
        type: "VoltageOffset",
        name: "offset",
        offset_path_I: 0.1,
        offset_path_Q: 0,
        port: "q0:mw",
        clock: "q0.01",
      },
    },
    {
      operation: { type: "SquarePulse", name: "late", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
      ref_schedulable: "o",
      rel_time: "2 ns",
    },
  ],
};

const tmp = new TempDir();
const hwPath = tmp.file("hw.json", basebandHardware());
const schedPath = tmp.file("single.json", SINGLE);
const overlapPath = tmp.file("overlap.json", OVERLAP);
afterAll(() => tmp.remove());

function checkSingle(c: CompiledSchedule): void {
  expect(c.name).toBe("single");
  expect(c.repetitions).toBe(1024);
  expect(c.repetition_duration_ns).toBe(140);
  expect(lines(sequencer(c, "cluster0_module1", 0).sequence.program)).toEqual(SINGLE_PROGRAM);
}

describe("q1forge compile", () => {
  it("compiles files to stdout as CompiledSchedule JSON (exit 0)", async () => {
    const r = await runCli(["compile", "--schedule", schedPath, "--hardware", hwPath]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    checkSingle(CompiledScheduleSchema.parse(JSON.parse(r.stdout)));
  });

  it("reads the schedule from stdin with --schedule -", async () => {
    const r = await runCli(["compile", "--schedule", "-", "--hardware", hwPath], JSON.stringify(SINGLE));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    checkSingle(CompiledScheduleSchema.parse(JSON.parse(r.stdout)));
  });

  it("reads the hardware config from stdin with --hardware - and accepts --opt=value", async () => {
    const r = await runCli(
      ["compile", `--schedule=${schedPath}`, "--hardware=-", "--out=-"],
      JSON.stringify(basebandHardware()),
    );
    expect(r.code).toBe(0);
    checkSingle(CompiledScheduleSchema.parse(JSON.parse(r.stdout)));
  });

  it("--out writes the file and prints a one-line summary", async () => {
    const out = tmp.path("out.json");
    const r = await runCli(["compile", "--schedule", schedPath, "--hardware", hwPath, "--out", out]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(
      new RegExp(
        `^compiled "single": 1 sequencer\\(s\\) in \\d+\\.\\d\\d ms → ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`,
      ),
    );
    checkSingle(CompiledScheduleSchema.parse(JSON.parse(readFileSync(out, "utf8"))));
  });

  it("--out with --json prints a JSON summary", async () => {
    const out = tmp.path("out2.json");
    const r = await runCli(["compile", "--schedule", schedPath, "--hardware", hwPath, "--out", out, "--json"]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(["ok", "out", "sequencers", "compile_ms", "warnings"]);
    expect(summary).toMatchObject({ ok: true, out, sequencers: 1, warnings: [] });
    checkSingle(CompiledScheduleSchema.parse(JSON.parse(readFileSync(out, "utf8"))));
  });

  it("a compile error exits 1 with the error, location and hint as text on stderr", async () => {
    const r = await runCli(["compile", "--schedule", overlapPath, "--hardware", hwPath]);
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr.split("\n")).toEqual([
      'TimingError [OVERLAPPING_OPERATIONS]: operation "late" starts at 2 ns, but the sequencer cluster0_module1.seq0 (q0:mw-q0.01) is busy until 4 ns',
      "  at: /schedulables/1/operation",
      "  hint: every real-time instruction (play, acquire, upd_param after a parameter change) occupies the sequencer for 4 ns; start the operation at the same time as the previous one or at least 4 ns after it",
      "",
    ]);
  });

  it("--json reports a compile error as one JSON object on stderr (exit 1)", async () => {
    const r = await runCli(["compile", "--schedule", overlapPath, "--hardware", hwPath, "--json"]);
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr.endsWith("\n") && r.stderr.indexOf("\n") === r.stderr.length - 1).toBe(true);
    expect(JSON.parse(r.stderr)).toEqual({
      error: "TimingError",
      code: "OVERLAPPING_OPERATIONS",
      message:
        'operation "late" starts at 2 ns, but the sequencer cluster0_module1.seq0 (q0:mw-q0.01) is busy until 4 ns',
      path: "/schedulables/1/operation",
      hint: "every real-time instruction (play, acquire, upd_param after a parameter change) occupies the sequencer for 4 ns; start the operation at the same time as the previous one or at least 4 ns after it",
    });
  });

  it("malformed schedule JSON exits 1 with INPUT_PARSE naming the file, line and column", async () => {
    const bad = tmp.file("bad.json", '{\n  "name": "x",\n  "schedulables": [],\n}\n');
    const r = await runCli(["compile", "--schedule", bad, "--hardware", hwPath, "--json"]);
    expect(r.code).toBe(1);
    const e = JSON.parse(r.stderr) as { code: string; path: string; hint: string; message: string };
    expect(e.code).toBe("INPUT_PARSE");
    expect(e.path).toBe(`${bad} at line 4, column 1`);
    expect(e.message.startsWith(`${bad} is not valid JSON at line 4, column 1: `)).toBe(true);
    expect(e.hint).toBe("fix the JSON syntax (a trailing comma or a missing quote is the usual cause)");
  });

  it("malformed JSON on stdin is named as stdin", async () => {
    const r = await runCli(["compile", "--schedule", "-", "--hardware", hwPath, "--json"], '{"name": 1,}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "INPUT_PARSE", path: "schedule (stdin) at line 1, column 12" });
  });

  it("a schedule that fails schema validation exits 1 with SCHEMA_VALIDATION at the field's operation", async () => {
    const doc = {
      name: "x",
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01", colour: 1 } },
      ],
    };
    const r = await runCli(["compile", "--schedule", "-", "--hardware", hwPath, "--json"], JSON.stringify(doc));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: "SchemaValidationError",
      code: "SCHEMA_VALIDATION",
      path: "/schedulables/0/operation",
      message:
        'schedule does not match the schema at /schedulables/0/operation: unknown field "colour" (allowed: type, name, t0, amp, duration, port, clock)',
      hint: "see docs/schedule-format.md for the fields of each operation",
    });
  });

  it("a missing required option exits 2 with a usage error", async () => {
    const r = await runCli(["compile", "--schedule", schedPath, "--json"]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(JSON.parse(r.stderr)).toEqual({
      error: "UsageError",
      code: "USAGE",
      message: "compile needs --schedule and --hardware",
      path: "--hardware",
      hint: "q1forge compile --schedule s.json --hardware hw.json",
    });
  });

  it("an unknown option exits 2 and lists the valid ones", async () => {
    const r = await runCli(["compile", "--schedule", schedPath, "--hardware", hwPath, "--fast", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "USAGE",
      message: 'unknown option --fast for "compile"',
      hint: "valid options: --schedule, --hardware, --out, --json, --verify, --instruction-limit, --device, --feedback-mode",
    });
  });

  it("an option without its value, a stray argument and stdin twice exit 2", async () => {
    expect((await runCli(["compile", "--schedule", schedPath, "--hardware"])).code).toBe(2);
    expect((await runCli(["compile", "extra", "--schedule", schedPath, "--hardware", hwPath])).code).toBe(2);
    const twice = await runCli(["compile", "--schedule", "-", "--hardware", "-"]);
    expect([twice.code, twice.stderr]).toEqual([
      2,
      "UsageError [USAGE]: only one of --schedule / --hardware can read stdin\n" +
        "  at: --hardware\n" +
        "  hint: read one of them from a file, e.g. --schedule - --hardware hw.json\n",
    ]);
    expect(
      (await runCli(["compile", "--schedule", schedPath, "--hardware", hwPath, "--instruction-limit", "maybe"])).code,
    ).toBe(2);
  });

  it("a file that does not exist exits 2 naming it", async () => {
    const missing = tmp.path("nope.json");
    const r = await runCli(["compile", "--schedule", missing, "--hardware", hwPath, "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "USAGE",
      message: `cannot read schedule file "${missing}": ENOENT`,
      hint: "check the path",
    });
  });

  it("compile --help prints the command usage (exit 0)", async () => {
    const r = await runCli(["compile", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "usage: q1forge compile --schedule S --hardware H [--device D] [--out F] [--json] [--verify] [--instruction-limit error|warn] [--feedback-mode linq|trigger_network]",
    );
  });
});

describe("q1forge (top level)", () => {
  it("--help lists the commands (exit 0)", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    const out = r.stdout.split("\n");
    expect(out[0]).toBe("usage: q1forge <command> [options]");
    const listed = out.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    // every registered command, in registry order (other issues add commands after these)
    expect(listed).toEqual(commands.map((c) => c.name));
    expect(listed.slice(0, 6)).toEqual(["compile", "validate", "simulate", "demo", "run", "virtual-cluster"]);
  });

  it("no command prints the usage and exits 2", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout.startsWith("usage: q1forge <command> [options]\n")).toBe(true);
  });

  it("an unknown command exits 2 naming it", async () => {
    const r = await runCli(["compiel", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toEqual({
      error: "UsageError",
      code: "USAGE",
      message: 'unknown command "compiel"',
      path: "compiel",
      hint: `one of: ${commands.map((c) => c.name).join(", ")}`,
    });
  });
});

describe("the built CLI (bin/q1forge.js)", () => {
  const root = packageRoot();
  const built = existsSync(`${root}/dist/src/cli/main.js`);
  it.skipIf(!built)("validate --hardware on a shipped config exits 0", () => {
    const r = spawnSync(
      process.execPath,
      ["bin/q1forge.js", "validate", "--hardware", "hardware-configs/baseband-transmon.json"],
      { cwd: root, encoding: "utf8" },
    );
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe("valid hardware config (version 0.2, clusters: cluster0)\n");
  });
});
