/**
 * CLI defects from a new-user review (issue 9 / 14 follow-ups): `virtual-cluster --run-budget-ms`,
 * usage-error paths and hints, `run --device` / `run --compiled`. Real TCP to the virtual Cluster.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";
import { ScpiTransport } from "../../src/instruments/transport.js";

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
