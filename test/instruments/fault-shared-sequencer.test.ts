/**
 * Two clients on one Cluster over real TCP (issue 9, "no stale or foreign data"): the coordinator
 * checks the sequencers' generation counters before trusting its upload cache and before returning
 * data, refuses runs stopped by someone else (FORCED_STOP) and bins whose count does not match the
 * layout. Every case: the right data or a typed error naming the sequencer, never the other's data.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../coordinator/fixtures.js";

let vc: VirtualCluster;
let a: InstrumentCoordinator;
let b: InstrumentCoordinator;

/** readoutSchedule with the QRM playing `i` / `q` (looped back into the acquisitions). */
function scheduleWith(i: number, q: number): CompiledSchedule {
  const c = readoutSchedule();
  const seq = c.clusters["cluster0"]!.modules["cluster0_module4"]!.sequencers["seq0"]!;
  seq.sequence.waveforms = {
    i: { data: new Array<number>(2000).fill(i), index: 0 },
    q: { data: new Array<number>(2000).fill(q), index: 1 },
  };
  return c;
}
const A = scheduleWith(0.5, -0.25);
const B = scheduleWith(0.25, 0.125);

async function connect(vcl: VirtualCluster): Promise<InstrumentCoordinator> {
  return InstrumentCoordinator.connect({ cluster0: vcl.address }, { transport: { timeoutMs: 2000 } });
}
async function runOnce(ic: InstrumentCoordinator, compiled: CompiledSchedule) {
  await ic.prepare(compiled);
  await ic.start();
  await ic.waitDone(5000);
  return ic.retrieveAcquisitions();
}
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof Q1ForgeError ? e.code : `untyped: ${String(e)}`;
  }
}

describe("two clients on one sequencer", () => {
  beforeEach(async () => {
    vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
    await vc.start();
    a = await connect(vc);
    b = await connect(vc);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await vc.stop();
  });

  it("A, then B, then A again: A re-uploads (its cache is stale) and gets its own data", async () => {
    expect((await runOnce(a, A))["0"]!.real).toEqual([0.5, 0.5, 0.5]);
    expect((await runOnce(b, B))["0"]!.real).toEqual([0.25, 0.25, 0.25]);
    const again = await runOnce(a, A);
    expect(again["0"]!.real).toEqual([0.5, 0.5, 0.5]);
    expect(again["0"]!.imag).toEqual([-0.25, -0.25, -0.25]);
    expect(again["1"]!.real).toEqual([0.5]);
    expect(a.hardwareLog.some((e) => e.action === "foreign" && e.target === "cluster0 slot 4")).toBe(true);
    // the QRM's sequence was uploaded again (its program was written a second time by A)
    expect(vc.countCommands(/^SLOT4:SEQuencer0:PROGram$/)).toBe(3);
  });

  it("the lazy cache still skips writes when nobody else touched the instrument", async () => {
    await runOnce(a, A);
    await a.prepare(A);
    expect(a.lastPrepareWrites).toBe(0);
  });

  it("B uploads between A's prepare and A's start: A's start re-prepares, A gets A's data, B's result is refused", async () => {
    await a.prepare(A);
    await b.prepare(B);
    await b.start();
    await b.waitDone(5000);
    await a.start();
    await a.waitDone(5000);
    expect((await a.retrieveAcquisitions())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
    const err = await b.retrieveAcquisitions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Q1ForgeError);
    expect((err as Q1ForgeError).code).toBe("FOREIGN_ACCESS");
    // both schedules use QCM seq0 and QRM seq0; the first one checked is named
    expect((err as Q1ForgeError).path).toBe("cluster0_module2/seq0");
    expect((err as Q1ForgeError).message).toBe(
      "sequencer 0 of cluster0_module2 (slot 2) was re-configured or re-uploaded by another client after the run; its data is not this run's",
    );
  });

  it("B runs after A's run ended but before A reads: A's retrieve is FOREIGN_ACCESS, not B's numbers", async () => {
    await a.prepare(A);
    await a.start();
    await a.waitDone(5000);
    await runOnce(b, B);
    const err = await a.retrieveAcquisitions().catch((e: unknown) => e);
    expect((err as Q1ForgeError).code).toBe("FOREIGN_ACCESS");
    expect((err as Q1ForgeError).path).toBe("cluster0_module2/seq0");
    expect(a.runState).toBe("failed");
  });

  it("20 concurrent pairs: each result is its own schedule's data or a typed error", async () => {
    const outcomes: string[] = [];
    for (let k = 0; k < 20; k++) {
      const [ra, rb] = await Promise.allSettled([runOnce(a, A), runOnce(b, B)]);
      for (const [r, want] of [
        [ra, 0.5],
        [rb, 0.25],
      ] as const) {
        if (r.status === "fulfilled") {
          expect(r.value["0"]!.real).toEqual([want, want, want]);
          outcomes.push("ok");
        } else {
          expect(r.reason).toBeInstanceOf(Q1ForgeError);
          expect(["FOREIGN_ACCESS", "SEQUENCER_STOPPED", "RUN_NOT_DONE", "INSTRUMENT_ERROR"]).toContain(
            (r.reason as Q1ForgeError).code,
          );
          outcomes.push((r.reason as Q1ForgeError).code);
        }
      }
    }
    expect(outcomes).toHaveLength(40);
  });
});

describe("a run stopped by another client", () => {
  beforeEach(async () => {
    vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 400 });
    await vc.start();
    a = await connect(vc);
  });
  afterEach(async () => {
    await a.close();
    await vc.stop();
  });

  it("FORCED_STOP is SEQUENCER_STOPPED naming the sequencer, and its data is never returned", async () => {
    const other = await ClusterDriver.connect({ ...vc.address, timeoutMs: 2000 });
    try {
      await a.prepare(A);
      await a.start();
      await other.stop({ slot: 4, seq: 0 });
      const err = await a.waitDone(5000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Q1ForgeError);
      expect((err as Q1ForgeError).code).toBe("SEQUENCER_STOPPED");
      expect((err as Q1ForgeError).path).toBe("cluster0_module4/seq0");
      expect((err as Q1ForgeError).message).toBe(
        "sequencer 0 of cluster0_module4 (slot 4) was stopped before it finished (FORCED_STOP): its data is incomplete",
      );
      expect(await codeOf(a.retrieveAcquisitions())).toBe("RUN_NOT_DONE");
    } finally {
      await other.close();
    }
  });

  it("a FORCED_STOP while the run's other sequencers still play fails the run at once and stops them", async () => {
    const other = await ClusterDriver.connect({ ...vc.address, timeoutMs: 2000 });
    try {
      await a.prepare(A);
      await a.start();
      await other.stop({ slot: 4, seq: 0 }); // the QRM's sequencer; the QCM's plays on (the run lasts 400 ms)
      const err = await a.waitDone(5000).catch((e: unknown) => e);
      expect((err as Q1ForgeError).code).toBe("SEQUENCER_STOPPED");
      expect((err as Q1ForgeError).path).toBe("cluster0_module4/seq0");
      // the QCM's sequencer was stopped by the coordinator, not waited for
      const stops = a.hardwareLog.filter((e) => e.action === "stop");
      expect(stops).toContainEqual(
        expect.objectContaining({
          target: "cluster0 slot 2 seq 0",
          detail: "cluster0_module4 seq0 was force-stopped",
        }),
      );
      expect((await other.sequencerStatus(2, 0)).state).toBe("STOPPED");
    } finally {
      await other.close();
    }
  });

  it("FORCED_STOP seen first by retrieveAcquisitions() is refused too", async () => {
    const other = await ClusterDriver.connect({ ...vc.address, timeoutMs: 2000 });
    try {
      await a.prepare(A);
      await a.start();
      await other.stop();
      expect(await codeOf(a.retrieveAcquisitions())).toBe("SEQUENCER_STOPPED");
    } finally {
      await other.close();
    }
  });
});

describe("bin counts checked against the layout", () => {
  beforeEach(async () => {
    vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
    await vc.start();
    a = await connect(vc);
  });
  afterEach(async () => {
    await a.close();
    await vc.stop();
  });

  it("a valid AVERAGE bin with a count of 0 is ACQUISITION_COUNT_MISMATCH (not a value avg_cnt× too large)", async () => {
    vc.setDummyBinnedAcquisitionData(4, 0, "1", [{ i: 0.5, q: -0.25, avgCnt: 0 }]);
    const err = await runOnce(a, A).catch((e: unknown) => e);
    expect((err as Q1ForgeError).code).toBe("ACQUISITION_COUNT_MISMATCH");
    expect((err as Q1ForgeError).path).toBe("acquisitions/1");
    expect((err as Q1ForgeError).message).toBe(
      'bin 0 of channel "1" on sequencer 0 of cluster0_module4 holds 0 acquisition(s), expected a positive multiple of the 3 repetition(s)',
    );
  });

  it("an AVERAGE bin holding 2 of 3 repetitions is refused", async () => {
    vc.setDummyBinnedAcquisitionData(4, 0, "1", [{ i: 0.5, q: -0.25, avgCnt: 2 }]);
    expect(await codeOf(runOnce(a, A))).toBe("ACQUISITION_COUNT_MISMATCH");
  });

  it("an APPEND bin counted twice is refused; counted once it is returned", async () => {
    vc.setDummyBinnedAcquisitionData(4, 0, "0", [
      { i: 1, q: 0, avgCnt: 1 },
      { i: 1, q: 0, avgCnt: 2 },
      { i: 1, q: 0, avgCnt: 1 },
    ]);
    const err = await runOnce(a, A).catch((e: unknown) => e);
    expect((err as Q1ForgeError).message).toBe(
      'bin 1 of channel "0" on sequencer 0 of cluster0_module4 holds 2 acquisition(s), expected 1 (bin mode append)',
    );
    vc.setDummyBinnedAcquisitionData(4, 0, "0", [
      { i: 1, q: 0, avgCnt: 1 },
      { i: 1, q: 0, avgCnt: 1 },
      { i: 1, q: 0, avgCnt: 1 },
    ]);
    expect((await runOnce(a, A))["0"]!.real).toEqual([0.001, 0.001, 0.001]);
  });
});
