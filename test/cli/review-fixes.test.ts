/**
 * CLI defects from a new-user review (issue 9 / 14 follow-ups): `virtual-cluster --run-budget-ms`,
 * usage-error paths and hints, `run --device` / `run --compiled`. Real TCP to the virtual Cluster.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { simulate } from "../../src/emulator/simulate.js";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { TempDir, runCli } from "../fixtures/cli.js";
import { DATA_DIR, gateSchedule } from "../device/fixtures.js";

const tmp = new TempDir();
afterAll(() => tmp.remove());
const device = join(DATA_DIR, "transmon_device_2q.json");
const hardware2q = join(DATA_DIR, "hardware_2q_rf.json");
const gates2q = join(DATA_DIR, "quantify_schedule_2q.json");

function io() {
  const out = { stdout: "", stderr: "" };
  const cli: CliIo = {
    stdout: (s) => void (out.stdout += s),
    stderr: (s) => void (out.stderr += s),
    readStdin: async () => "",
    isTTY: false,
  };
  return { out, cli };
}

const ENDLESS = " move 0,R1\nspin: add R1,1,R1\n jmp @spin\n stop\n";

describe("q1forge virtual-cluster --run-budget-ms", () => {
  it("stops a runaway run after N ms, the log naming the option and the flag", async () => {
    const { out, cli } = io();
    const done = main(
      ["virtual-cluster", "--port", "0", "--modules", "2:QCM", "--run-budget-ms", "600", "--json"],
      cli,
    );
    while (!out.stdout) await new Promise((r) => setTimeout(r, 10));
    const { host, port } = JSON.parse(out.stdout) as { host: string; port: number };
    const t = new ScpiTransport({ host, port, timeoutMs: 5000 });
    try {
      await t.writeBinary("SLOT2:SEQuencer0:PROGram ", Buffer.from(ENDLESS));
      await t.write("SLOT2:SEQuencer0:ARM");
      await t.write("SLOT2:SEQuencer0:START");
      let state = "";
      const t0 = Date.now();
      while (!/STOPPED/.test((state = await t.query("SLOT2:SEQuencer0:STATE?", { check: false })))) {
        if (Date.now() - t0 > 20_000) throw new Error(`still ${state}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(state).toBe(
        "ERROR;STOPPED;;;FORCED_STOP,;stopped by the virtual Cluster's wall-clock budget: the run's emulation took longer than 600 ms (an endless loop?); q1forge option runWallClockBudgetMs (q1forge virtual-cluster --run-budget-ms)",
      );
    } finally {
      await t.close();
      process.emit("SIGINT");
    }
    expect(await done).toBe(0);
  });

  it.each(["0", "1.5", "-3", "abc", "2147483648"])("--run-budget-ms %s is a usage error (exit 2)", async (v) => {
    const { out, cli } = io();
    expect(await main(["virtual-cluster", "--port", "0", `--run-budget-ms=${v}`, "--json"], cli)).toBe(2);
    expect(JSON.parse(out.stderr)).toMatchObject({
      code: "USAGE",
      message: `--run-budget-ms must be a whole number of ms in 1..2147483647, not "${v}"`,
      path: "--run-budget-ms",
      hint: "e.g. --run-budget-ms 60000 lets one run's emulation take a minute",
    });
  });
});

describe("q1forge run --device / --compiled", () => {
  type RunJson = { name: string; acquisitions: Record<string, { real: number[]; imag: number[] | null }> };

  it("runs a gate-level schedule with --device, and the same compiled file with --compiled: the emulator's values", async () => {
    const r = await runCli(["run", "--schedule", gates2q, "--hardware", hardware2q, "--device", device, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const viaDevice = JSON.parse(r.stdout) as RunJson;
    expect(viaDevice.name).toBe("gates_2q");
    const out = tmp.path("compiled.json");
    const c = await runCli([
      "compile",
      "--schedule",
      gates2q,
      "--hardware",
      hardware2q,
      "--device",
      device,
      "--out",
      out,
    ]);
    expect(c.code).toBe(0);
    const rc = await runCli(["run", "--compiled", out, "--json"]);
    expect(rc.stderr).toBe("");
    expect(rc.code).toBe(0);
    const viaCompiled = JSON.parse(rc.stdout) as RunJson;
    // the values the emulator gives for the compiled schedule, both ways
    const sim = simulate(JSON.parse(readFileSync(out, "utf8")) as CompiledSchedule);
    expect(Object.keys(viaDevice.acquisitions).sort()).toEqual(["0", "1"]);
    for (const ch of ["0", "1"]) {
      expect(viaDevice.acquisitions[ch]!.real).toEqual(Array.from(sim.acquisitions[ch]!.re));
      expect(viaDevice.acquisitions[ch]!.imag).toEqual(Array.from(sim.acquisitions[ch]!.im));
      expect(viaCompiled.acquisitions[ch]).toEqual(viaDevice.acquisitions[ch]);
    }
  });

  it("a gate-level schedule without --device is a compile error (exit 1) naming the gate", async () => {
    const s = tmp.file("g.json", gateSchedule("g", [{ type: "X", qubit: "q0" }]));
    const r = await runCli(["run", "--schedule", s, "--hardware", hardware2q, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "GATE_WITHOUT_DEVICE",
      path: "/schedulables/0/operation",
      message: 'gate "X q0" (X) needs a device to compile',
      hint: "pass the device config: compile(schedule, hardware, { device }), or --device D.json to q1forge compile or q1forge run",
    });
  });

  it("usage errors (exit 2, JSON on stderr): --compiled with --hardware, neither input, an unreadable device", async () => {
    const both = await runCli(["run", "--compiled", "c.json", "--hardware", hardware2q, "--json"]);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stderr)).toMatchObject({
      code: "USAGE",
      message: "run takes either --compiled or --schedule/--hardware, not --compiled with --hardware",
      path: "--hardware",
      hint: "a compiled schedule carries its hardware settings: q1forge run --compiled c.json",
    });
    const none = await runCli(["run", "--json"]);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stderr)).toMatchObject({
      code: "USAGE",
      message: "run needs --schedule and --hardware, or --compiled",
      path: "--schedule",
    });
    const noDevice = await runCli([
      "run",
      "--schedule",
      gates2q,
      "--hardware",
      hardware2q,
      "--device",
      tmp.path("none.json"),
      "--json",
    ]);
    expect(noDevice.code).toBe(2);
    expect(JSON.parse(noDevice.stderr)).toMatchObject({
      code: "USAGE",
      message: `cannot read device file "${tmp.path("none.json")}": ENOENT`,
    });
  });

  it("--compiled with a file that is not a compiled schedule is a typed error naming the path", async () => {
    const bad = tmp.file("bad.json", { name: "x" });
    const r = await runCli(["run", "--compiled", bad, "--json"]);
    expect(r.code).not.toBe(0);
    const e = JSON.parse(r.stderr) as { code: string; message: string; hint: string };
    expect(e.code).toBe("SCHEMA_VALIDATION");
    expect(e.message.startsWith(`${bad} is not a q1forge CompiledSchedule: `)).toBe(true);
    expect(e.hint).toBe("pass the output of `q1forge compile`");
  });
});

describe("usage errors name the option given", () => {
  it("serve --virtual with a bad module entry names --virtual (exit 2)", async () => {
    const r = await runCli(["serve", "--port", "0", "--virtual", "2:QXM", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      code: "USAGE",
      message: 'bad module entry "2:QXM" in "2:QXM"',
      path: "--virtual",
    });
  });

  it("an option with no value: the hint gives an example value of that option", async () => {
    const fm = await runCli(["compile", "--schedule", "s.json", "--hardware", "h.json", "--json", "--feedback-mode"]);
    expect(fm.code).toBe(2);
    expect(JSON.parse(fm.stderr)).toMatchObject({
      code: "USAGE",
      message: "option --feedback-mode needs a value",
      path: "--feedback-mode",
      hint: 'e.g. --feedback-mode trigger_network (a value starting with "-" is written --feedback-mode=-value)',
    });
    const dev = await runCli(["run", "--json", "--device"]);
    expect(JSON.parse(dev.stderr)).toMatchObject({
      path: "--device",
      hint: 'e.g. --device file.json (a value starting with "-" is written --device=-value)',
    });
  });
});

describe("simulate: a sequencer blocked in fb_pop_data", () => {
  const sequence = (program: string) =>
    tmp.file(`pop-${program.length}.json`, {
      program,
      waveforms: { a: { data: [0.5, 0.5, 0.5, 0.5], index: 0 } },
      weights: {},
      acquisitions: {},
    });

  it("after wait 0 (waits forever): the hint names the blocked fb_pop_data and its id, not an endless loop", async () => {
    const s = sequence(" wait_sync 4\n wait 0\n fb_pop_data 3,R1\n play 0,0,4\n wait 100\n stop\n");
    const r = await runCli(["simulate", "--sequence", s, "--module-type", "QCM", "--json"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({
      code: "FORCED_STOP",
      path: "cluster0/cluster0_module1/seq0/line 3",
      hint: "the sequencer is blocked in `fb_pop_data 3,R1` (line 3): no LINQ data was routed to id 3 for it; route id 3 to this sequencer (ids 16–255 need a route) and check that the source sends with that id",
    });
  });

  it("without wait 0 (RT underflow): the same hint", async () => {
    const s = sequence(" wait_sync 4\n fb_pop_data 3,R1\n play 0,0,4\n wait 100\n stop\n");
    const r = await runCli(["simulate", "--sequence", s, "--module-type", "QCM", "--json"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({
      code: "RT_UNDERFLOW",
      path: "cluster0/cluster0_module1/seq0/line 2",
      hint: "the sequencer is blocked in `fb_pop_data 3,R1` (line 2): no LINQ data was routed to id 3 for it; route id 3 to this sequencer (ids 16–255 need a route) and check that the source sends with that id",
    });
  });
});

describe("simulate: LINQ conditionals in the waveform report", () => {
  type Row = Record<string, unknown> & { kind: string; module: string };
  const activeReset = (threshold?: number) => {
    const doc = JSON.parse(readFileSync("examples/schedules/active-reset.json", "utf8")) as {
      schedulables: { operation: { acquisition_info?: { acq_threshold?: number }[] } }[];
    };
    if (threshold !== undefined) doc.schedulables[0]!.operation.acquisition_info![0]!.acq_threshold = threshold;
    return doc;
  };
  const simulateRows = async (threshold?: number) => {
    const sched = tmp.file(`ar-${threshold ?? "x"}.json`, activeReset(threshold));
    const out = tmp.path(`ar-${threshold ?? "x"}.c.json`);
    expect(
      (
        await runCli([
          "compile",
          "--schedule",
          sched,
          "--hardware",
          "hardware-configs/baseband-transmon.json",
          "--out",
          out,
        ])
      ).code,
    ).toBe(0);
    const json = await runCli(["simulate", "--compiled", out, "--json"]);
    expect(json.code).toBe(0);
    const text = await runCli(["simulate", "--compiled", out]);
    return { rows: (JSON.parse(json.stdout) as { events: Row[] }).events, text: text.stdout };
  };

  it("bit 0: the feedback event (id, value) and the X as a skipped play where it would have started", async () => {
    const { rows, text } = await simulateRows(1000);
    const qcm = rows.filter((r) => r.module === "cluster0_module1");
    expect(qcm).toStrictEqual([
      {
        kind: "feedback",
        cluster: "cluster0",
        module: "cluster0_module1",
        slot: 1,
        sequencer: 0,
        port_clock: "q0:mw-q0.01",
        operation: "reset q0",
        repetition: 0,
        start_ns: 784,
        program_start_ns: 800,
        duration_ns: 0,
        line: 9,
        linq_id: 16,
        linq_value: 2,
      },
      {
        kind: "skipped",
        cluster: "cluster0",
        module: "cluster0_module1",
        slot: 1,
        sequencer: 0,
        port_clock: "q0:mw-q0.01",
        operation: "X q0",
        repetition: 0,
        start_ns: 900,
        program_start_ns: 916,
        duration_ns: 20,
        line: 12,
        skipped: "play",
      },
    ]);
    expect(text).toContain("        LINQ id 16: value 2 (thresholded bits: 3 = 1, 2 = 0)\n");
    expect(text).toContain("\n    0       900      916           20  skipped          X q0 / q0:mw-q0.01      ");
    expect(text).toContain("        play not played: its condition was false\n");
  });

  it("bit 1: the feedback event with value 3 and the X played, nothing skipped", async () => {
    const { rows } = await simulateRows();
    const qcm = rows.filter((r) => r.module === "cluster0_module1");
    expect(qcm.map((r) => [r.kind, r.operation, r.start_ns, r.linq_value ?? null])).toStrictEqual([
      ["feedback", "reset q0", 784, 3],
      ["play", "X q0", 900, null],
    ]);
  });
});
