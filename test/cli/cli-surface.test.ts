/**
 * The CLI surface (issue 16): --version, -h/--help on every command, `help <command>`, validate of a
 * `run`'s human summary, --cluster's default SCPI port, stage progress.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { progressLine, withDefaultPort } from "../../src/cli/commands/run.js";
import { main } from "../../src/cli/main.js";
import { commands } from "../../src/cli/registry.js";
import type { CliIo } from "../../src/cli/types.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { runCli } from "../fixtures/cli.js";

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;

describe("q1forge --version and help", () => {
  it.each([["--version"], ["-V"], ["version"]])("%s prints the package version", async (flag) => {
    expect(await runCli([flag])).toEqual({ code: 0, stdout: `q1forge ${version}\n`, stderr: "" });
  });

  it.each(commands.map((c) => [c.name]))("%s: -h, --help and `help %s` print the same usage (exit 0)", async (name) => {
    const long = await runCli([name, "--help"]);
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(new RegExp(`^usage: q1forge ${name}`));
    expect(await runCli([name, "-h"])).toEqual(long);
    expect(await runCli(["help", name])).toEqual(long);
  });

  it("help of an unknown command exits 2 naming it", async () => {
    const r = await runCli(["help", "compil"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "compil"');
  });

  it("the overview lists --version and help <command>", async () => {
    const r = await runCli(["--help"]);
    expect(r.stdout).toContain("q1forge --version | --help | help <command>");
  });

  it("parse errors from util.parseArgs are usage errors naming the option", async () => {
    const missing = await runCli(["compile", "--schedule", "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({ code: "USAGE", message: "option --schedule needs a value" });
    const valued = await runCli(["compile", "--verify=yes", "--json"]);
    expect(JSON.parse(valued.stderr)).toMatchObject({ code: "USAGE", message: "option --verify takes no value" });
    const positional = await runCli(["compile", "s.json", "--json"]);
    expect(JSON.parse(positional.stderr)).toMatchObject({
      code: "USAGE",
      message: 'unexpected argument "s.json" for "compile"',
    });
  });
});

describe("q1forge run: summary, --cluster default port, progress", () => {
  it("without --json prints a short summary, not the JSON dump", async () => {
    const r = await runCli([
      "run",
      "--schedule",
      "examples/schedules/amplitude-sweep.json",
      "--hardware",
      "hardware-configs/baseband-transmon.json",
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe('ran "amplitude-sweep" (100 repetitions) on the in-process virtual Cluster');
    expect(lines[1]).toMatch(
      /^ {2}connect [\d.]+ ms, upload [\d.]+ ms, start [\d.]+ ms, run [\d.]+ ms, retrieve [\d.]+ ms$/,
    );
    expect(lines[2]).toBe("sequencers:");
    expect(lines[3]).toBe("  cluster0/cluster0_module2 seq0: STOPPED OKAY");
    expect(lines[4]).toBe("acquisitions (1 channel(s)):");
    expect(lines[5]).toMatch(
      /^ {2}amplitude_sweep {2}SSBIntegrationComplex\/average {2}shape \[11\] {2}(-?\d\.\d{6}[+-]\d\.\d{6}j ){6}… \(11 values; --json or --out for all\)$/,
    );
    expect(r.stdout).not.toContain("hardware_log");
    expect(lines).toHaveLength(7);
  });

  it("--json prints the results with snake_case sequencer status", async () => {
    const r = await runCli([
      "run",
      "--schedule",
      "examples/schedules/single-pulse.json",
      "--hardware",
      "hardware-configs/baseband-transmon.json",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { sequencers: Record<string, unknown>[] };
    expect(Object.keys(j.sequencers[0]!).sort()).toEqual(
      [
        "cluster",
        "err_flags",
        "info_flags",
        "log",
        "module",
        "sequencer",
        "slot",
        "state",
        "status",
        "warn_flags",
      ].sort(),
    );
  });

  it("--cluster host defaults to the SCPI port 5025", () => {
    expect(withDefaultPort("192.168.0.2")).toBe("192.168.0.2:5025");
    expect(withDefaultPort("localhost")).toBe("localhost:5025");
    expect(withDefaultPort("localhost:6000")).toBe("localhost:6000");
    expect(withDefaultPort("[::1]")).toBe("[::1]:5025");
    expect(withDefaultPort("[::1]:7000")).toBe("[::1]:7000");
    expect(withDefaultPort("fe80::1")).toBe("[fe80::1]:5025");
  });

  it("--cluster host:port runs on that Cluster over SCPI/TCP and says so", async () => {
    const vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
    const { port } = await vc.start();
    try {
      const r = await runCli([
        "run",
        "--schedule",
        "examples/schedules/single-pulse.json",
        "--hardware",
        "hardware-configs/baseband-transmon.json",
        "--cluster",
        `127.0.0.1:${port}`,
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[0]).toBe(`ran "single-pulse" (1 repetition) on 127.0.0.1:${port}`);
    } finally {
      await vc.stop();
    }
  });

  it("progress names the stage and, while running, the time left from the schedule's duration", () => {
    expect(progressLine(0.01, 2000, 0)).toBe(`connect  [${".".repeat(30)}]   1%`);
    expect(progressLine(0.2, 2000, 0)).toBe(`upload   [${"#".repeat(6)}${".".repeat(24)}]  20%`);
    expect(progressLine(0.5, 2000, 500)).toBe(`run      [${"#".repeat(15)}${".".repeat(15)}]  50%  ETA 1.5 s`);
    expect(progressLine(0.95, 2000, 2000)).toBe(`retrieve [${"#".repeat(29)}.]  95%`);
  });

  it("on a terminal, stderr shows compile, then the run stages by name", async () => {
    const out = { stdout: "", stderr: "" };
    const io: CliIo = {
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
      readStdin: async () => "",
      isTTY: true,
    };
    const code = await main(
      [
        "run",
        "--schedule",
        "examples/schedules/single-pulse.json",
        "--hardware",
        "hardware-configs/baseband-transmon.json",
      ],
      io,
    );
    expect(code).toBe(0);
    const stages = [...out.stderr.matchAll(/\r(\w+) +\[/g)].map((m) => m[1]);
    expect([...new Set(stages)]).toEqual(["compile", "connect", "upload", "start", "run", "retrieve", "done"]);
    expect(out.stderr.endsWith("\n")).toBe(true);
  });
});
