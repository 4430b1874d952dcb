/**
 * A START issued before the process's first emulation worker has loaded is queued for that worker
 * (review defect: it used to be emulated inline on the server's thread, blocking every client — the
 * in-process virtual Cluster of `q1forge run` / `demo` / runExperiment() timed out on START): the
 * event loop stays free while the worker loads and while it runs, and the wall-clock budget applies.
 * Its own file, so that its first test is the process's first run.
 */
import { afterEach, expect, it } from "vitest";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { emulationPool } from "../../src/instruments/virtual-emulation-pool.js";

const ENDLESS = " move 0,R1\nspin: add R1,1,R1\n jmp @spin\n stop\n";

let vc: VirtualCluster | null = null;
const transports: ScpiTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  await vc?.stop();
  vc = null;
});

it("a run started while the first worker loads waits for it: other clients answered, the wall-clock budget stops it", async () => {
  vc = new VirtualCluster({ modules: "2:QCM", runWallClockBudgetMs: 1500 });
  const addr = await vc.start();
  const a = new ScpiTransport({ ...addr, timeoutMs: 5000 });
  const b = new ScpiTransport({ ...addr, timeoutMs: 5000 });
  transports.push(a, b);
  await a.writeBinary("SLOT2:SEQuencer0:PROGram ", Buffer.from(ENDLESS));
  await a.write("SLOT2:SEQuencer0:ARM");
  // the process's first worker is still loading the emulator
  expect(emulationPool().started).toBe(false);
  const t0 = Date.now();
  await a.write("SLOT2:SEQuencer0:START");
  // not emulated inline: while it waits for the worker and runs there, every query is answered at once
  const ms: number[] = [];
  for (let i = 0; i < 8; i++) {
    const q0 = performance.now();
    expect(await b.query("SLOT2:SEQuencer0:STATE?", { check: false })).toBe("OKAY;RUNNING;;;;");
    ms.push(performance.now() - q0);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect([...ms].sort((x, y) => x - y)[4]!).toBeLessThan(50);
  let state = "";
  while (!/STOPPED/.test((state = await b.query("SLOT2:SEQuencer0:STATE?", { check: false })))) {
    if (Date.now() - t0 > 20_000) throw new Error(`still ${state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const log =
    "stopped by the virtual Cluster's wall-clock budget: the run's emulation took longer than 1500 ms (an endless loop?); q1forge option runWallClockBudgetMs (q1forge virtual-cluster --run-budget-ms)";
  // the worker's wall-clock budget, not the inline instruction budget (the emulator's message)
  expect(state).toBe(`ERROR;STOPPED;;;FORCED_STOP,;${log}`);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  expect(emulationPool().started).toBe(true);
  expect(await a.query("SYSTem:ERRor:NEXT?", { check: false })).toBe(
    `-200,"Execution error; run of slot 2 sequencer 0 ${log}"`,
  );
});
