/**
 * `q1forge run` and `q1forge demo` end to end: compile an example schedule, run it on an
 * in-process virtual Cluster over real TCP, and check the acquisitions read back through loopback.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";

function io(): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
      readStdin: async () => "",
      isTTY: false,
    },
  };
}

// baseband-transmon.json sets input_gain 2 dB on both QRM inputs: loopback values are amp × 10^(2/20).
const GAIN = 10 ** (2 / 20);

describe("q1forge run", () => {
  it("runs the amplitude sweep on the virtual Cluster and returns one value per step", async () => {
    const dir = mkdtempSync(join(tmpdir(), "q1forge-run-"));
    const outFile = join(dir, "results.json");
    const { io: cli, out } = io();
    const code = await main(
      [
        "run",
        "--schedule",
        "examples/schedules/amplitude-sweep.json",
        "--hardware",
        "hardware-configs/baseband-transmon.json",
        "--out",
        outFile,
        "--json",
      ],
      cli,
    );
    expect(out.stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, out: outFile, channels: ["amplitude_sweep"] });
    const result = JSON.parse(readFileSync(outFile, "utf8"));
    const data = result.acquisitions.amplitude_sweep;
    expect(data).toMatchObject({
      protocol: "SSBIntegrationComplex",
      bin_mode: "average",
      shape: [11],
      dims: ["acq_index_amplitude_sweep"],
    });
    data.real.forEach((re: number, k: number) => expect(re).toBeCloseTo(0.05 * k * GAIN, 4));
    data.imag.forEach((im: number) => expect(Math.abs(im)).toBeLessThan(1e-4));
    expect(result.sequencers).toHaveLength(1);
    expect(result.sequencers[0]).toMatchObject({
      module: "cluster0_module2",
      sequencer: 0,
      state: "STOPPED",
      status: "OKAY",
    });
  });

  it("reports a compile error with exit code 1 and a JSON error on stderr", async () => {
    const { io: cli, out } = io();
    const code = await main(
      [
        "run",
        "--schedule",
        "examples/schedules/amplitude-sweep.json",
        "--hardware",
        "hardware-configs/rf-transmon.json",
        "--json",
      ],
      cli,
    );
    expect(code).toBe(1);
    const err = JSON.parse(out.stderr);
    expect(err.code).toBe("NCO_OUT_OF_RANGE"); // the RF config puts the LO at GHz, far from the 150 MHz clock
    expect(err.message).toContain("q0:res-q0.ro");
  });
});

describe("q1forge demo", () => {
  it("prints the compiled program and the amplitude sweep results", async () => {
    const { io: cli, out } = io();
    const code = await main(["demo"], cli);
    expect(code).toBe(0);
    expect(out.stdout).toContain('q1forge demo — "amplitude-sweep"');
    expect(out.stdout).toContain("cluster0/cluster0_module2/seq0 (QRM) q0:res-q0.ro: NCO 150 MHz");
    expect(out.stdout).toContain(" move 100,R0");
    const row = out.stdout.split("\n").find((l) => l.includes('{"amp":0.5}'))!;
    expect(row.trim().split(/\s+/).slice(1)).toEqual([(0.5 * GAIN).toFixed(5), "0.00000", (0.5 * GAIN).toFixed(5)]);
  });
});
