import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";
import { compileJson } from "../e2e/helpers.js";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    stdout: (s) => void (out.stdout += s),
    stderr: (s) => void (out.stderr += s),
    readStdin: async () => "",
    isTTY: false,
  };
  const code = await main(args, io);
  return { code, ...out };
}

const dir = mkdtempSync(join(tmpdir(), "q1forge-sim-"));
const file = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
};

const compiledPath = file(
  "ssb.json",
  compileJson({
    name: "ssb",
    repetitions: 2,
    schedulables: [
      {
        operation: {
          type: "Composite",
          name: "Measure q0",
          pulse_info: [{ type: "SquarePulse", amp: 0.25, duration: "80 ns", port: "q0:res", clock: "q0.ro" }],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: "100 ns",
              duration: "1 us",
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
            },
          ],
        },
      },
    ],
  }),
);

/** A raw sequence: play a 100-sample square at gain 0.5, then acquire over it (loopback, no NCO). */
const rawSequence = {
  program: " wait_sync 4\n set_awg_gain 16384,0\n play 0,0,4 # play probe (100 ns)\n acquire 0,0,200\n stop\n",
  waveforms: { sq: { data: new Array(100).fill(1), index: 0 } },
  weights: {},
  acquisitions: { iq: { num_bins: 1, index: 0 } },
};

describe("q1forge simulate --compiled", () => {
  it("prints statuses, the waveform report and acquisitions", async () => {
    const r = await run(["simulate", "--compiled", compiledPath, "--from", "0", "--to", "1.2 us"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe('simulated "ssb": window 0 … 1200 ns of program time, run ended at 2220 ns');
    expect(lines[2]).toBe("  cluster0/cluster0_module2 seq0  q0:res-q0.ro  STOPPED OKAY  end 2220 ns");
    expect(lines[3]).toBe("waveform report (3 rows):");
    // the report names its time origin: header 16 ns, period = 1100 + 4 ns (loop header)
    expect(lines[4]).toBe(
      "  times: t_ns is schedule time, ns since the start of repetition rep; prog_ns is program time = t_ns + origin + rep × period, the origin being the program header (wait_sync, upd_param, latency correction, loop header): 16 ns, period 1104 ns",
    );
    expect(lines[6]).toBe(
      "    0         0       16           80  play             Measure q0 / q0:res-q0.ro                cluster0_module2 0  0.25,0          150  216",
    );
    expect(lines[7]).toBe(
      "    0       100      116         1000  acquire          SSBIntegrationComplex Measure q0 (acq_channel 0) / q0:res-q0.ro cluster0_module2 0  0.25,0          150  216",
    );
    // second repetition: schedule time 0 again, program time 16 + 1104
    expect(lines[8]).toBe(
      "    1         0     1120           80  play             Measure q0 / q0:res-q0.ro                cluster0_module2 0  0.25,0          150  216",
    );
    expect(lines[10]).toMatch(/^ {2}0 {2}SSBIntegrationComplex\/average {2}shape \[1\] {2}-?0\.000000[+-]0\.000000j$/);
  });

  it("emits JSON with --json and writes an HTML plot", async () => {
    const plot = join(dir, "ssb.html");
    const r = await run(["simulate", "--compiled", compiledPath, "--to", "2e-7", "--plot", plot, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      ok: boolean;
      window: unknown;
      plot: string;
      time_origin: unknown;
      events: { kind: string; start_ns: number; program_start_ns: number; operation: string }[];
      acquisitions: Record<string, { shape: number[] }>;
      clusters: Record<
        string,
        { modules: Record<string, { outputs: { index: number; samples: number; max: number }[] }> }
      >;
    };
    expect(j.ok).toBe(true);
    expect(j.window).toEqual({ from_ns: 0, to_ns: 200 });
    expect(j.plot).toBe(plot);
    expect(j.events.map((e) => [e.kind, e.start_ns, e.program_start_ns, e.operation])).toEqual([
      ["play", 0, 16, "Measure q0"],
      ["acquire", 100, 116, "SSBIntegrationComplex Measure q0 (acq_channel 0)"],
    ]);
    expect(j.time_origin).toEqual({ "cluster0/cluster0_module2/0": { origin_ns: 16, period_ns: 1104 } });
    expect(j.acquisitions["0"]!.shape).toEqual([1]);
    expect(j.clusters["cluster0"]!.modules["cluster0_module2"]!.outputs.map((o) => o.samples)).toEqual([200, 200]);
    const html = readFileSync(plot, "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // uPlot inlined: no external script, stylesheet or URL to fetch
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain("uPlot");
    const data = JSON.parse(/<script type="application\/json" id="q1f-data">(.*?)<\/script>/s.exec(html)![1]!) as {
      panels: { id: string; spans: { label: string; start_ns: number; duration_ns: number }[] }[];
    };
    expect(data.panels.map((p) => p.id)).toEqual(["cluster0/cluster0_module2/out0", "cluster0/cluster0_module2/out1"]);
    expect(data.panels[0]!.spans.map((sp) => [sp.label, sp.start_ns, sp.duration_ns])).toEqual([
      ["Measure q0 · q0:res-q0.ro", 16, 80],
      ["SSBIntegrationComplex Measure q0 (acq_channel 0) · bin 0", 116, 1000],
    ]);
  });
});

describe("q1forge simulate --sequence", () => {
  const seqPath = file("seq.json", rawSequence);
  it("runs a raw sequence with default settings (sync off, NCO off) and reports bins", async () => {
    const r = await run(["simulate", "--sequence", seqPath, "--module-type", "QRM", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      window: unknown;
      events: {
        kind: string;
        start_ns: number | null;
        program_start_ns: number;
        duration_ns: number;
        gain: number[];
      }[];
      acquisitions: Record<string, { re: number[]; im: number[]; shape: number[] }>;
    };
    expect(j.window).toEqual({ from_ns: 0, to_ns: 208 });
    // a raw sequence has no known schedule time origin: program time only
    expect(j.events.map((e) => [e.kind, e.start_ns, e.program_start_ns, e.duration_ns])).toEqual([
      ["play", null, 4, 100],
      ["acquire", null, 8, 1024],
    ]);
    expect(j.events[0]!.gain).toEqual([0.5, 0]);
    // default integration length 1024: the window sees 96 samples of 0.5 on path0 (unnormalised bins)
    expect(j.acquisitions["iq"]!.shape).toEqual([1]);
    expect(j.acquisitions["iq"]!.re[0]).toBeCloseTo(48, 5);
    expect(j.acquisitions["iq"]!.im[0]).toBe(0);
  });

  it("applies driver-parameter settings (NCO, flat connect_outN)", async () => {
    const settings = file("s.json", {
      mod_en_awg: true,
      nco_freq: 100e6,
      connect_out0: "I",
      connect_out1: "Q",
      integration_length_acq: 100,
    });
    const r = await run([
      "simulate",
      "--sequence",
      seqPath,
      "--module-type",
      "qrm",
      "--settings",
      settings,
      "--to",
      "50 ns",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  cluster0/cluster0_module1 seq0  -  STOPPED OKAY  end 208 ns");
    // 100 MHz NCO from 0 ns: 0.4 turns at the play
    // a raw sequence has no source map, so no operation label (the "# play probe" comment is not parsed)
    expect(r.stdout).toContain(
      "    -         -        4          100  play             - / -                                    cluster0_module1 0  0.5,0           100  144\n",
    );
    expect(r.stdout).toContain(
      "    -         -        8          100  acquire          - / -                                    cluster0_module1 0  0.5,0           100  144\n",
    );
  });

  it("exits 1 naming the flag when the program underflows", async () => {
    const p = file("under.json", { ...rawSequence, program: " move 100,R0\nl: play 0,0,4\n loop R0,@l\n stop\n" });
    const r = await run(["simulate", "--sequence", p, "--module-type", "QCM"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("STOPPED ERROR");
    expect(r.stderr).toMatch(
      /^EmulationError \[RT_UNDERFLOW\]: cluster0_module1 sequencer 0 \(-\) stopped with SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW at Q1ASM line 2 \(`l: play 0,0,4`\)/,
    );
  });

  it("exits 1 with line and column on an assembly error", async () => {
    const p = file("bad.json", { ...rawSequence, program: " wait_sync 4\n plya 0,0,4\n stop\n" });
    const r = await run(["simulate", "--sequence", p, "--module-type", "QRM", "--json"]);
    expect(r.code).toBe(1);
    const e = JSON.parse(r.stderr) as { error: string; path: string };
    expect(e.error).toBe("Q1AsmError");
    expect(e.path).toMatch(/^line 2, column \d+$/);
  });

  it("exits 1 on invalid settings, naming the key", async () => {
    const settings = file("bad-s.json", { nco_frequency: 1e8 });
    const r = await run(["simulate", "--sequence", seqPath, "--module-type", "QRM", "--settings", settings]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SCHEMA_VALIDATION");
    expect(r.stderr).toContain("nco_frequency");
  });
});

describe("q1forge simulate usage errors (exit 2)", () => {
  it.each([
    [["simulate"], "exactly one of --compiled and --sequence"],
    [["simulate", "--compiled", "a.json", "--sequence", "b.json"], "exactly one of --compiled and --sequence"],
    [["simulate", "--sequence", "b.json"], "--sequence needs --module-type"],
    [["simulate", "--sequence", "b.json", "--module-type", "XYZ"], '--module-type "XYZ" is not a module type'],
    [["simulate", "--compiled", "a.json", "--from", "2 parsecs"], '--from "2 parsecs" is not a time'],
    [["simulate", "--compiled", "a.json", "--from", "2 us", "--to", "1 us"], "must be later than --from"],
    [["simulate", "--compiled", "a.json", "--bogus"], "unknown option --bogus"],
  ])("%j", async (args, text) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(text);
  });
});
