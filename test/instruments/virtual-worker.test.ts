/**
 * The virtual Cluster emulates off its event loop (issue 9): while one client's program runs in the
 * emulation worker, another client's `*IDN?` is answered at once over TCP; a runaway program is
 * stopped by the wall-clock budget with a clear state (STOPPED, ERROR, FORCED_STOP, its log) and a
 * -200 error entry; a STOP from a client ends the worker's job; results, the deferred scope store and
 * the instrument's state after a run are what the inline emulation gives.
 */
import { afterEach, expect, it } from "vitest";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { runCluster } from "../../src/emulator/cluster.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { emulationPool } from "../../src/instruments/virtual-emulation-pool.js";
import { readoutSchedule } from "../coordinator/fixtures.js";

const ENDLESS = " move 0,R1\nspin: add R1,1,R1\n jmp @spin\n stop\n";

let vc: VirtualCluster | null = null;
const transports: ScpiTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  await vc?.stop();
  vc = null;
});

async function cluster(opts: { runWallClockBudgetMs?: number } = {}) {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", ...opts });
  const addr = await vc.start();
  // the process's first worker has loaded the emulator: from here on every run is emulated there
  expect(await vc.emulationInWorker()).toBe(true);
  const client = () => {
    const t = new ScpiTransport({ ...addr, timeoutMs: 5000 });
    transports.push(t);
    return t;
  };
  return { addr, a: client(), b: client() };
}

const IDN = /^Qblox,Cluster MM,00015_2422_001,fwVersion=0\.11\.0 .* q1forgeVirtual=1$/;

/** `n` *IDN? queries from `b` while `seq` of slot 2 runs: each reply's latency, checked to arrive while it is RUNNING. */
async function idnLatencies(b: ScpiTransport, seq: number, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    expect(await b.query("*IDN?", { check: false })).toMatch(IDN);
    ms.push(performance.now() - t0);
    // the reply came before the run finished: the program is still running (in the worker)
    expect(await b.query(`SLOT2:SEQuencer${seq}:STATE?`, { check: false })).toBe("OKAY;RUNNING;;;;");
  }
  return ms;
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;

async function waitState(t: ScpiTransport, header: string, re: RegExp, ms = 20_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = await t.query(header, { check: false });
    if (re.test(s)) return s;
    if (Date.now() - t0 > ms) throw new Error(`${header} still ${s} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it("*IDN? from another client is answered within 50 ms (median of 10) while an endless program runs; STOP ends the worker's job", async () => {
  const { a, b } = await cluster({ runWallClockBudgetMs: 60_000 });
  await a.writeBinary("SLOT2:SEQuencer0:PROGram ", Buffer.from(ENDLESS));
  await a.write("SLOT2:SEQuencer0:ARM");
  await a.write("SLOT2:SEQuencer0:START");
  const ms = await idnLatencies(b, 0, 10);
  console.log(
    `*IDN? latency while a program runs in the emulation worker: median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${ms.map((x) => x.toFixed(1)).join(", ")})`,
  );
  expect(median(ms)).toBeLessThan(50);
  // another client's STOP: FORCED_STOP as on hardware, and the worker's job is cancelled (the worker is replaced)
  await b.write("SLOT2:SEQuencer0:STOP");
  expect(await a.query("SLOT2:SEQuencer0:STATE?")).toBe("OKAY;STOPPED;FORCED_STOP,;;;");
  // the next run gets a worker again and finishes normally
  await a.writeBinary("SLOT2:SEQuencer1:PROGram ", Buffer.from(" move 1000,R0\nl: loop R0,@l\n stop\n"));
  await a.write("SLOT2:SEQuencer1:ARM");
  await a.write("SLOT2:SEQuencer1:START");
  expect(await waitState(a, "SLOT2:SEQuencer1:STATE?", /STOPPED/)).toBe("OKAY;STOPPED;;;;");
  expect(await a.query("SYSTem:ERRor:COUNt?")).toBe("0");
});

it("a runaway program is stopped by the wall-clock budget: STOPPED, ERROR, FORCED_STOP, its log and a -200 entry", async () => {
  const { a, b } = await cluster({ runWallClockBudgetMs: 2500 });
  for (const seq of [0, 1]) {
    await a.writeBinary(`SLOT2:SEQuencer${seq}:PROGram `, Buffer.from(ENDLESS));
    await a.write(`SLOT2:SEQuencer${seq}:ARM`);
  }
  const t0 = Date.now();
  await a.write("SLOT2:SEQuencer:START");
  const ms = await idnLatencies(b, 1, 5);
  expect(median(ms)).toBeLessThan(50);
  const log =
    "stopped by the virtual Cluster's wall-clock budget: the run's emulation took longer than 2500 ms (an endless loop?); q1forge option runWallClockBudgetMs (q1forge virtual-cluster --run-budget-ms)";
  for (const seq of [0, 1])
    expect(await waitState(b, `SLOT2:SEQuencer${seq}:STATE?`, /STOPPED/)).toBe(`ERROR;STOPPED;;;FORCED_STOP,;${log}`);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
  expect(await a.query("SYSTem:ERRor:NEXT?", { check: false })).toBe(
    `-200,"Execution error; run of slot 2 sequencer 0, slot 2 sequencer 1 ${log}"`,
  );
  expect(await a.query("SYSTem:ERRor:NEXT?", { check: false })).toBe('0,"No error"');
  // the driver reads the same state
  const drv = await ClusterDriver.connect({ ...vc!.address, timeoutMs: 5000 });
  try {
    expect(await drv.sequencerStatus(2, 1)).toMatchObject({
      status: "ERROR",
      state: "STOPPED",
      infoFlags: [],
      errFlags: ["FORCED_STOP"],
      log,
    });
  } finally {
    await drv.close();
  }
});

it("a run in the worker: coordinator results, a scope store that waits for the worker, idle state after", async () => {
  await cluster();
  const ic = await InstrumentCoordinator.connect({ cluster0: vc!.address }, { transport: { timeoutMs: 5000 } });
  const drv = await ClusterDriver.connect({ ...vc!.address, timeoutMs: 5000 });
  try {
    await ic.prepare(readoutSchedule());
    const seq = vc!.modules.get(4)!.sequencers[0]!;
    const want = runCluster([vc!.modules.get(4)!.emuInput([seq])]).modules[0]!.sequencers[0]!.acquisitions["0"]!;
    await ic.start();
    await ic.waitDone(10_000);
    expect((await ic.retrieveAcquisitions())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
    // the scope samples are computed by a second run in the worker when stored; the store waits for it
    await drv.storeScopeAcquisition(4, 0, "0");
    const got = (await drv.acquisitions(4, 0))["0"]!.acquisition;
    expect(got.scope["path0"]!.avg_cnt).toBe(want.acquisition.scope["path0"]!.avg_cnt);
    expect(got.scope["path0"]!.data).toEqual(want.acquisition.scope["path0"]!.data);
    expect(got.scope["path0"]!.data.some((v) => v !== 0)).toBe(true);
    expect(got.bins.integration.path0).toEqual(want.acquisition.bins.integration.path0);
    expect(emulationPool().started).toBe(true);
  } finally {
    await drv.close();
    await ic.close();
  }
});

it("the coordinator reports a run stopped by the wall-clock budget as SEQUENCER_ERROR naming the sequencer", async () => {
  await cluster({ runWallClockBudgetMs: 800 });
  const ic = await InstrumentCoordinator.connect({ cluster0: vc!.address }, { transport: { timeoutMs: 5000 } });
  try {
    await ic.prepare(readoutSchedule({ qcmProgram: " wait_sync 4\nspin: add R0,1,R0\n jmp @spin\n stop\n" }));
    await ic.start();
    const err = await ic.waitDone(20_000).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SEQUENCER_ERROR", path: "cluster0_module2/seq0" });
    expect((err as Error).message).toMatch(
      /^sequencer error during the run: cluster0_module2 seq0: FORCED_STOP \(stopped by the virtual Cluster's wall-clock budget: the run's emulation took longer than 800 ms/,
    );
  } finally {
    await ic.close();
  }
});

it("the -200 entry of a budget-stopped run does not leak to the next client: the driver drains stale errors at connect", async () => {
  const { a } = await cluster({ runWallClockBudgetMs: 500 });
  await a.writeBinary("SLOT2:SEQuencer0:PROGram ", Buffer.from(ENDLESS));
  await a.write("SLOT2:SEQuencer0:ARM");
  await a.write("SLOT2:SEQuencer0:START");
  await waitState(a, "SLOT2:SEQuencer0:STATE?", /STOPPED/);
  // the error is left unread in the queue
  expect(await a.query("SYSTem:ERRor:COUNt?", { check: false })).toBe("1");
  const ic = await InstrumentCoordinator.connect({ cluster0: vc!.address }, { transport: { timeoutMs: 5000 } });
  try {
    expect(await a.query("SYSTem:ERRor:COUNt?", { check: false })).toBe("0");
    await ic.prepare(readoutSchedule());
    await ic.start();
    await ic.waitDone(10_000);
    expect((await ic.retrieveAcquisitions())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
  } finally {
    await ic.close();
  }
});
