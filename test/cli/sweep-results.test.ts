/**
 * Sweep results as an xarray dataset (docs/sweeps.md): `q1forge run --out results.json` on the
 * virtual Cluster writes `Dataset.to_dict(data=True)` keys at the top level; the layout is checked
 * against xarray's documented from_dict format here, and loaded with Python's xarray where it is
 * installed (`.ci/run` installs python3-xarray).
 */
import { execFileSync, spawnSync } from "node:child_process";
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

/** A Python with xarray: the one on PATH, or Debian's (python3-xarray installs there). */
const PYTHON = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import xarray"]).status === 0);
const hasXarray = PYTHON !== undefined;
const GAIN = 10 ** (2 / 20); // the baseband-transmon QRM's 2 dB input gain on the loopback

async function run(schedule: string): Promise<{ file: string; result: Record<string, any> }> {
  const dir = mkdtempSync(join(tmpdir(), "q1forge-sweep-"));
  const file = join(dir, "results.json");
  const { io: cli, out } = io();
  const code = await main(
    ["run", "--schedule", schedule, "--hardware", "hardware-configs/baseband-transmon.json", "--out", file, "--json"],
    cli,
  );
  expect(out.stderr).toBe("");
  expect(code).toBe(0);
  return { file, result: JSON.parse(readFileSync(file, "utf8")) };
}

/** Nesting depth and sizes of a JSON array match `dims` and the dataset's dim sizes. */
function checkShape(data: unknown, dims: string[], sizes: Record<string, number>): void {
  if (dims.length === 0) {
    expect(Array.isArray(data)).toBe(false);
    return;
  }
  expect(Array.isArray(data)).toBe(true);
  const list = data as unknown[];
  expect(list.length).toBe(sizes[dims[0]!]);
  for (const x of list) checkShape(x, dims.slice(1), sizes);
}

describe("run --out results.json: xarray Dataset.from_dict layout", () => {
  it("amplitude sweep: data variable named after the acq_channel, dims [amp, complex], played and requested coords", async () => {
    const { file, result } = await run("examples/schedules/amplitude-sweep.json");
    // from_dict reads coords and data_vars (each {dims, data, attrs}); dims and attrs are optional
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["coords", "data_vars", "dims", "attrs"]));
    expect(result["dims"]).toEqual({ amp: 11, complex: 2 });
    for (const [name, v] of Object.entries<any>({ ...result["coords"], ...result["data_vars"] })) {
      expect(Object.keys(v).sort(), name).toEqual(["attrs", "data", "dims"]);
      checkShape(v.data, v.dims, result["dims"]);
    }
    const amp = result["coords"].amp;
    expect(amp.dims).toEqual(["amp"]);
    expect(amp.data.map((v: number) => v * 32768)).toEqual([
      0, 1638, 3277, 4915, 6554, 8192, 9830, 11469, 13107, 14746, 16384,
    ]);
    expect(result["coords"].amp_requested.data).toEqual(Array.from({ length: 11 }, (_, k) => (0.5 * k) / 10));
    expect(result["coords"].complex.data).toEqual(["real", "imag"]);
    const v = result["data_vars"].amplitude_sweep;
    expect(v.dims).toEqual(["amp", "complex"]);
    v.data.forEach(([re, im]: [number, number], k: number) => {
      expect(re).toBeCloseTo(amp.data[k] * GAIN, 4);
      expect(Math.abs(im)).toBeLessThan(1e-4);
    });
    // the flat form is still there
    expect(result["acquisitions"].amplitude_sweep.shape).toEqual([11]);

    if (!hasXarray) return;
    const py = `
import json, xarray
ds = xarray.Dataset.from_dict(json.load(open(${JSON.stringify(file)})))
v = ds["amplitude_sweep"]
z = v.sel(complex="real") + 1j * v.sel(complex="imag")
print(json.dumps({"dims": dict(ds.sizes), "coords": sorted(ds.coords), "amp": ds["amp"].values.tolist(),
  "req": ds["amp_requested"].values.tolist(), "abs": abs(z).values.tolist(), "vdims": list(v.dims)}))
`;
    const got = JSON.parse(execFileSync(PYTHON!, ["-c", py], { encoding: "utf8" }));
    expect(got.dims).toEqual({ amp: 11, complex: 2 });
    expect(got.coords).toEqual(["amp", "amp_requested", "complex"]);
    expect(got.vdims).toEqual(["amp", "complex"]);
    expect(got.amp).toEqual(amp.data);
    expect(got.req).toEqual(result["coords"].amp_requested.data);
    got.abs.forEach((a: number, k: number) => expect(a).toBeCloseTo(amp.data[k] * GAIN, 4));
  }, 60_000);

  it("simulate --json: the emulated results in the same layout (T1 example, dims [tau, complex])", async () => {
    const dir = mkdtempSync(join(tmpdir(), "q1forge-sweep-"));
    const compiledFile = join(dir, "t1.compiled.json");
    const c1 = io();
    expect(
      await main(
        [
          "compile",
          "--schedule",
          "examples/schedules/t1-sweep.json",
          "--hardware",
          "hardware-configs/baseband-transmon.json",
          "--out",
          compiledFile,
        ],
        c1.io,
      ),
    ).toBe(0);
    const c2 = io();
    expect(await main(["simulate", "--compiled", compiledFile, "--to", "1e-6", "--json"], c2.io)).toBe(0);
    const sim = JSON.parse(c2.out.stdout);
    expect(sim.dims).toEqual({ tau: 51, complex: 2 });
    expect(sim.coords.tau.attrs.units).toBe("s");
    expect(sim.coords.tau.data[0]).toBe(20e-9);
    expect(sim.coords.tau.data[50]).toBe(60e-6);
    expect(sim.data_vars.T1.dims).toEqual(["tau", "complex"]);
    expect(sim.data_vars.T1.data).toHaveLength(51);
  }, 60_000);

  it("resonator spectroscopy: 201 frequencies in one register loop, dims [frequency, complex]", async () => {
    const { file, result } = await run("examples/schedules/resonator-spectroscopy.json");
    expect(result["dims"]).toEqual({ frequency: 201, complex: 2 });
    const f = result["coords"].frequency;
    expect(f.attrs.units).toBe("Hz");
    expect(f.data[0]).toBe(140e6);
    expect(f.data[200]).toBe(160e6);
    expect(f.data[100]).toBe(150e6);
    // loopback: the output and the demodulation share the swept NCO, so every point reads the 0.25 pulse back
    const data = result["data_vars"].S21.data as [number, number][];
    expect(data).toHaveLength(201);
    for (const z of data) expect(Math.hypot(...z)).toBeCloseTo(0.25 * GAIN, 3);
    if (!hasXarray) return;
    const py = `
import json, xarray
ds = xarray.Dataset.from_dict(json.load(open(${JSON.stringify(file)})))
print(json.dumps({"dims": dict(ds.sizes), "f": ds["frequency"].values[[0, 100, 200]].tolist()}))
`;
    const got = JSON.parse(execFileSync(PYTHON!, ["-c", py], { encoding: "utf8" }));
    expect(got).toEqual({ dims: { frequency: 201, complex: 2 }, f: [140e6, 150e6, 160e6] });
  }, 60_000);
});
