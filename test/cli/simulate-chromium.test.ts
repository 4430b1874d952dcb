/** The simulate plot renders in a real browser: headless Chromium dumps the DOM of the HTML page. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPlotHtml } from "../../src/emulator/plot.js";
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

describe("simulate plot in headless Chromium", () => {
  it.skipIf(chromium === null)("renders one SVG per channel with ticks and operation labels", () => {
    const c = compileJson({
      name: "plot",
      repetitions: 1,
      schedulables: [
        {
          label: "x",
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
    // a 20 µs window: traces are reduced to per-pixel envelopes
    const html = renderPlotHtml(simulate(c, { from: 0, to: 20e-6 }), { title: "chromium check" });
    expect(html.length).toBeLessThan(200_000);
    const dir = mkdtempSync(join(tmpdir(), "q1forge-chromium-"));
    const page = join(dir, "plot.html");
    writeFileSync(page, html);
    const dom = execFileSync(
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
        `--user-data-dir=${join(dir, "profile")}`,
        "--dump-dom",
        `file://${page}`,
      ],
      { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "ignore"] },
    );
    expect(dom).toContain("<h1>chromium check</h1>");
    const channels = [...dom.matchAll(/<svg class="channel (analog|marker)" data-channel="([^"]+)"/g)].map((m) => m[2]);
    expect(channels).toEqual([
      "cluster0/cluster0_module1/out0",
      "cluster0/cluster0_module1/out1",
      "cluster0/cluster0_module2/out0",
      "cluster0/cluster0_module2/out1",
    ]);
    expect(dom).toContain(">DRAGPulse · q0:mw-q0.01</text>");
    expect(dom).toContain(">Measure q0 · q0:res-q0.ro</text>");
    // overlapping labels are left to the span's tooltip
    expect(dom).toContain(
      "<title>SSBIntegrationComplex Measure q0 (acq_channel 0) · q0:res-q0.ro\nacquire seq0 start 136 ns, 1000 ns",
    );
    expect(dom).toContain('text-anchor="middle">10 µs</text>');
    expect(dom.match(/<polygon class="trace envelope"/g)).toHaveLength(4);
  });
});
