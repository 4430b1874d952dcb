/**
 * Per-stage overhead of one job on the virtual Cluster over loopback TCP: prepare/upload (cold
 * and lazy), arm+start, wait, retrieve. Median ms over repeated runs.
 */
import type { CompiledSchedule } from "../src/contract/compiled-schedule.js";
import { InstrumentCoordinator } from "../src/coordinator/coordinator.js";
import { openSession } from "../src/coordinator/session.js";
import { VirtualCluster } from "../src/instruments/virtual-cluster.js";

const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The lead's workload A compiled for the bench hardware; the coordinator test schedule if that fails. */
async function workload(): Promise<CompiledSchedule | null> {
  try {
    const w = (await import("./workloads.js")) as Record<string, unknown>;
    if (typeof w["buildWorkloadA"] === "function") return (w["buildWorkloadA"] as () => CompiledSchedule)();
    const { compile } = await import("../src/compiler/index.js");
    return compile((w["workloadA"] as () => unknown)(), (w["benchHardware"] as () => unknown)());
  } catch {
    return null;
  }
}

async function fallback(): Promise<CompiledSchedule> {
  const { readoutSchedule } = await import("../test/coordinator/fixtures.js");
  return readoutSchedule();
}

export async function benchInstruments(): Promise<Record<string, number>> {
  const a = await workload();
  if (a) {
    try {
      return { ...(await benchOne(a)), "instruments.workload_a": 1 };
    } catch {
      // workload A did not run end to end (compiler/emulator mismatch): measure the fallback job
    }
  }
  return { ...(await benchOne(await fallback())), "instruments.workload_a": 0 };
}

async function benchOne(compiled: CompiledSchedule): Promise<Record<string, number>> {
  const modules: Record<number, CompiledSchedule["clusters"][string]["modules"][string]["instrument_type"]> = {};
  const name = Object.keys(compiled.clusters)[0]!;
  for (const m of Object.values(compiled.clusters[name]!.modules)) modules[m.slot] = m.instrument_type;
  const vc = new VirtualCluster({ modules, name, runDurationMs: 0 });
  const addr = await vc.start();
  const ic = await InstrumentCoordinator.connect({ [name]: addr });
  const t = {
    prepareCold: [] as number[],
    prepareLazy: [] as number[],
    start: [] as number[],
    wait: [] as number[],
    retrieve: [] as number[],
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      ic.invalidateCache();
      let t0 = performance.now();
      await ic.prepare(compiled);
      t.prepareCold.push(performance.now() - t0);
      t0 = performance.now();
      await ic.prepare(compiled);
      t.prepareLazy.push(performance.now() - t0);
      t0 = performance.now();
      await ic.start();
      t.start.push(performance.now() - t0);
      t0 = performance.now();
      await ic.waitDone(30_000);
      t.wait.push(performance.now() - t0);
      t0 = performance.now();
      await ic.retrieveAcquisitions();
      t.retrieve.push(performance.now() - t0);
    }
  } finally {
    await ic.close();
  }
  // the same job through a session (issue 14): queue → load (lazy prepare) → start → poll → retrieve → restore
  const session: number[] = [];
  try {
    const s = await openSession(addr, null, { clusterName: name });
    try {
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const job = s.execute(compiled);
        if ((await job.wait()) !== "completed") throw job.error ?? new Error(`job ${job.status}`);
        session.push(performance.now() - t0);
      }
    } finally {
      await s.close();
    }
  } finally {
    await vc.stop();
  }
  return {
    "instruments.session_job_ms": median(session),
    "instruments.prepare_upload_cold_ms": median(t.prepareCold),
    "instruments.prepare_lazy_ms": median(t.prepareLazy),
    "instruments.arm_start_ms": median(t.start),
    "instruments.wait_ms": median(t.wait),
    "instruments.retrieve_ms": median(t.retrieve),
  };
}
