/**
 * The simulate plot (uPlot, inlined) renders in a real browser: headless Chromium (Debian's, installed
 * by .ci/run) loads the self-contained page from a file, runs its scripts, and dumps the DOM. Checked
 * from the DOM: one panel per physical output and marker, the legend entries, the operation labels on
 * the outputs their sequencer drives (every overlapping one), and the acquisition labels.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderPlotHtml } from "../../src/emulator/plot.js";
import { conditionalLinesOf, outputRoutes } from "../../src/emulator/plot/routes.js";
import { timeOrigins } from "../../src/emulator/report-time.js";
import { simulate } from "../../src/emulator/simulate.js";
import { compileJson } from "../e2e/helpers.js";

function findChromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const d of (process.env["PATH"] ?? "").split(delimiter)) {
    const p = join(d, "chromium");
    if (d && existsSync(p)) return p;
  }
  return null;
}
const chromium = findChromium();
const dir = mkdtempSync(join(tmpdir(), "q1forge-chromium-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Load the page in headless Chromium and return the DOM after its scripts ran. */
function renderedDom(html: string, name: string): string {
  const page = join(dir, `${name}.html`);
  writeFileSync(page, html);
  return execFileSync(
    chromium!,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(dir, `profile-${name}`)}`,
      "--window-size=1400,1200",
      "--dump-dom",
      `file://${page}`,
    ],
    { encoding: "utf8", timeout: 90_000, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 },
  );
}

interface PanelDom {
  id: string;
  legend: string[];
  labels: string[];
}

/** The panels of the dumped DOM: data-panel id, legend labels (uPlot's), span labels (ours). */
function panels(dom: string): PanelDom[] {
  return dom
    .split('<section class="q1f-panel')
    .slice(1)
    .map((chunk) => ({
      id: /data-panel="([^"]+)"/.exec(chunk)![1]!,
      legend: [...chunk.matchAll(/<div class="u-label">([^<]*)<\/div>/g)].map((m) => m[1]!),
      labels: [...chunk.matchAll(/<div class="q1f-label [^"]*"[^>]*>([^<]*)<\/div>/g)].map((m) => decode(m[1]!)),
    }));
}
const decode = (s: string): string => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

const compiled = compileJson({
  name: "plot",
  repetitions: 1,
  schedulables: [
    {
      label: "x0",
      operation: {
        type: "DRAGPulse",
        G_amp: 0.5,
        D_amp: 0.1,
        phase: 0,
        duration: "20 ns",
        port: "q0:mw",
        clock: "q0.01",
      },
    },
    {
      label: "x1",
      ref_schedulable: "x0",
      ref_pt: "start",
      operation: {
        type: "DRAGPulse",
        G_amp: 0.4,
        D_amp: 0.1,
        phase: 0,
        duration: "20 ns",
        port: "q1:mw",
        clock: "q1.01",
      },
    },
    {
      label: "flux",
      ref_schedulable: "x0",
      ref_pt: "start",
      operation: { type: "SquarePulse", amp: 0.3, duration: "40 ns", port: "q0:fl", clock: "cl0.baseband" },
    },
    {
      operation: {
        type: "Composite",
        name: "Measure q0",
        pulse_info: [{ type: "SquarePulse", amp: 0.25, duration: "300 ns", port: "q0:res", clock: "q0.ro" }],
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
});
const context = {
  routes: outputRoutes(compiled),
  conditional: conditionalLinesOf(compiled),
  origins: timeOrigins(compiled),
};

describe("simulate plot in headless Chromium", () => {
  it.skipIf(chromium === null)(
    "one uPlot panel per physical output with its legend, operation labels per output, acquisition labels",
    () => {
      const html = renderPlotHtml(simulate(compiled, { from: 0, to: 2e-6 }), { title: "chromium check", ...context });
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained: nothing to fetch
      const dom = renderedDom(html, "outputs");
      expect(dom).toContain("<h1>chromium check</h1>");
      expect(dom).toContain('data-q1f-ready="6"');
      const got = panels(dom);
      expect(got.map((p) => [p.id, p.legend])).toEqual([
        ["cluster0/cluster0_module1/out0", ["time", "out0"]],
        ["cluster0/cluster0_module1/out1", ["time", "out1"]],
        ["cluster0/cluster0_module1/out2", ["time", "out2"]],
        ["cluster0/cluster0_module1/out3", ["time", "out3"]],
        ["cluster0/cluster0_module2/out0", ["time", "out0"]],
        ["cluster0/cluster0_module2/out1", ["time", "out1"]],
      ]);
      const labels = Object.fromEntries(got.map((p) => [p.id.split("/").slice(1).join("/"), p.labels]));
      // q0's drive on out0/out1 only; q1's drive and the overlapping flux pulse both on out2
      expect(labels["cluster0_module1/out0"]).toEqual(["DRAGPulse · q0:mw-q0.01"]);
      expect(labels["cluster0_module1/out1"]).toEqual(["DRAGPulse · q0:mw-q0.01"]);
      expect([...labels["cluster0_module1/out2"]!].sort()).toEqual([
        "DRAGPulse · q1:mw-q1.01",
        "SquarePulse · q0:fl-cl0.baseband",
      ]);
      expect(labels["cluster0_module1/out3"]).toEqual(["DRAGPulse · q1:mw-q1.01"]);
      // the 300 ns readout square is one pulse (offset + 4 ns play merged); the acquisition window names channel and bin
      for (const out of ["cluster0_module2/out0", "cluster0_module2/out1"])
        expect(labels[out]).toEqual([
          "Measure q0 · q0:res-q0.ro",
          "SSBIntegrationComplex Measure q0 (acq_channel 0) · bin 0",
        ]);
      // x ticks (drawn on canvas; the page records them): distinct, with a unit
      const ticks = /data-x-ticks="([^"]+)"/.exec(dom)![1]!.split("|");
      expect(ticks).toEqual([
        "0 ns",
        "200 ns",
        "400 ns",
        "600 ns",
        "800 ns",
        "1000 ns",
        "1200 ns",
        "1400 ns",
        "1600 ns",
        "1800 ns",
        "2000 ns",
      ]);
    },
    120_000,
  );

  it.skipIf(chromium === null)(
    "a 10⁶-sample window is decimated for display: small page, every panel rendered",
    () => {
      const sim = simulate(compiled, { from: 0, to: 1e-3 });
      expect(sim.clusters["cluster0"]!.modules["cluster0_module1"]!.outputs[0]!.length).toBe(1_000_000);
      const html = renderPlotHtml(sim, { title: "long", ...context });
      expect(html.length).toBeLessThan(1_200_000);
      const dom = renderedDom(html, "long");
      expect(dom).toContain('data-q1f-ready="6"');
      expect(dom).toMatch(/data-q1f-render-ms="[\d.]+"/);
      const got = panels(dom);
      expect(got[0]!.id).toBe("cluster0/cluster0_module1/out0");
      expect(got[0]!.legend).toEqual(["time", "out0"]);
      expect(dom).toContain("min/max envelope, 500 ns per column");
      const ticks = /data-x-ticks="([^"]+)"/.exec(dom)![1]!.split("|");
      expect(new Set(ticks).size).toBe(ticks.length);
      expect(ticks.every((t) => t.endsWith(" µs"))).toBe(true);
    },
    120_000,
  );
});
