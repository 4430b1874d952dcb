/**
 * Per-stage overhead of one job of workload (a) on the virtual Cluster over loopback TCP (issue 14's
 * budget: upload + arm + start + wait + retrieve at most 5 ms median, excluding the program's own run
 * time). The virtual Cluster runs with `runDurationMs: 0` (no wall-clock run) and an emulator wrapped
 * in a timer, so the time it spends emulating the program (runCluster: the program's run on this
 * instrument) is measured apart and subtracted: overhead = wall time − emulation time, and likewise
 * CPU time. What the virtual Cluster does around the emulation (its input, storing the results)
 * counts as overhead. Median ms over repeated runs.
 *
 * Also: the virtual Cluster's emulation speed on workload (c) (emulated ns of program per wall-clock
 * ns, START → every sequencer STOPPED).
 */
import type { CompiledSchedule } from "../src/contract/compiled-schedule.js";
import { InstrumentCoordinator } from "../src/coordinator/coordinator.js";
import { openSession } from "../src/coordinator/session.js";
import type { RunCluster } from "../src/emulator/api.js";
import { runCluster } from "../src/emulator/cluster.js";
import { VirtualCluster } from "../src/instruments/virtual-cluster.js";

const RUNS = 31;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The lead's workload A compiled for the bench hardware; the coordinator test schedule if that fails. */
async function workload(name: "workloadA" | "workloadC"): Promise<CompiledSchedule | null> {
  try {
    const w = (await import("./workloads.js")) as Record<string, unknown>;
    const { compile } = await import("../src/compiler/index.js");
    return compile((w[name] as () => unknown)(), (w["benchHardware"] as () => unknown)(), {
      instructionLimit: "warn",
    });
  } catch {
    return null;
  }
}

async function fallback(): Promise<CompiledSchedule> {
  const { readoutSchedule } = await import("../test/coordinator/fixtures.js");
  return readoutSchedule();
}

/** The emulator, timed: `ms` accumulates the wall time spent emulating. */
function timedEmulator(): { run: RunCluster; ms: number; cpuMs: number; endNs: number } {
  const t = {
    ms: 0,
    /** CPU time of this process spent emulating (the emulation runs inline: a user runCluster) */
    cpuMs: 0,
    /** emulated end time of the last run (ns) */
    endNs: 0,
    run: ((modules, options) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      try {
        const r = runCluster(modules, options);
        t.endNs = r.endTimeNs;
        return r;
      } finally {
        t.ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        t.cpuMs += (c.user + c.system) / 1000;
      }
    }) as RunCluster,
  };
  return t;
}

function virtualCluster(compiled: CompiledSchedule, emu: { run: RunCluster }): VirtualCluster {
  const modules: Record<number, CompiledSchedule["clusters"][string]["modules"][string]["instrument_type"]> = {};
  const name = Object.keys(compiled.clusters)[0]!;
  for (const m of Object.values(compiled.clusters[name]!.modules)) modules[m.slot] = m.instrument_type;
  return new VirtualCluster({ modules, name, runDurationMs: 0, runCluster: emu.run });
}

/** A copy whose programs differ by a comment (so every sequence is uploaded again). */
function variant(c: CompiledSchedule, k: number): CompiledSchedule {
  const v = structuredClone(c);
  for (const cl of Object.values(v.clusters))
    for (const m of Object.values(cl.modules))
      for (const s of Object.values(m.sequencers)) s.sequence.program += `# variant ${k}\n`;
  return v;
}

export async function benchInstruments(): Promise<Record<string, number>> {
  const a = await workload("workloadA");
  let out: Record<string, number>;
  if (a) {
    try {
      out = { ...(await benchOne(a)), "instruments.workload_a": 1 };
    } catch {
      // workload A did not run end to end (compiler/emulator mismatch): measure the fallback job
      out = { ...(await benchOne(await fallback())), "instruments.workload_a": 0 };
    }
  } else out = { ...(await benchOne(await fallback())), "instruments.workload_a": 0 };
  const c = await workload("workloadC");
  if (c) Object.assign(out, await benchEmulationRate(c));
  return out;
}

async function benchOne(compiled: CompiledSchedule): Promise<Record<string, number>> {
  const emu = timedEmulator();
  const vc = virtualCluster(compiled, emu);
  const name = Object.keys(compiled.clusters)[0]!;
  const addr = await vc.start();
  const t = {
    prepareCold: [] as number[],
    prepareLazy: [] as number[],
    start: [] as number[],
    wait: [] as number[],
    retrieve: [] as number[],
    emulation: [] as number[],
  };
  const session = { lazy: [] as number[], cold: [] as number[], lazyWall: [] as number[], lazyCpu: [] as number[] };
  try {
    const ic = await InstrumentCoordinator.connect({ [name]: addr });
    try {
      for (let i = 0; i < RUNS; i++) {
        ic.invalidateCache();
        let t0 = performance.now();
        await ic.prepare(compiled);
        t.prepareCold.push(performance.now() - t0);
        t0 = performance.now();
        await ic.prepare(compiled);
        t.prepareLazy.push(performance.now() - t0);
        const e0 = emu.ms;
        t0 = performance.now();
        await ic.start();
        const e1 = emu.ms;
        t.start.push(performance.now() - t0 - (e1 - e0));
        t.emulation.push(e1 - e0);
        t0 = performance.now();
        await ic.waitDone(30_000);
        t.wait.push(performance.now() - t0 - (emu.ms - e1));
        t0 = performance.now();
        await ic.retrieveAcquisitions();
        t.retrieve.push(performance.now() - t0);
      }
    } finally {
      await ic.close();
    }
    // the same job through a session (issue 14): queue → load (lazy prepare) → start → poll → retrieve → restore
    const s = await openSession(addr, null, { clusterName: name });
    const variants = [variant(compiled, 0), variant(compiled, 1)];
    try {
      const job = async (c: CompiledSchedule): Promise<{ wall: number; overhead: number; cpu: number }> => {
        const e0 = emu.ms,
          ec0 = emu.cpuMs;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const j = s.execute(c);
        if ((await j.wait()) !== "completed") throw j.error ?? new Error(`job ${j.status}`);
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        return {
          wall,
          overhead: wall - (emu.ms - e0),
          cpu: (cpu.user + cpu.system) / 1000 - (emu.cpuMs - ec0),
        };
      };
      await job(compiled);
      for (let i = 0; i < RUNS; i++) {
        const r = await job(compiled); // unchanged: the lazy check, nothing uploaded
        session.lazy.push(r.overhead);
        session.lazyWall.push(r.wall);
        session.lazyCpu.push(r.cpu);
      }
      // every sequence uploaded: two variants in turn
      for (let i = 0; i < RUNS; i++) session.cold.push((await job(variants[i % 2]!)).overhead);
    } finally {
      await s.close();
    }
  } finally {
    await vc.stop();
  }
  return {
    "instruments.session_job_overhead_ms (unchanged schedule, excl. the program's run; target <= 5)": median(
      session.lazy,
    ),
    "instruments.session_job_overhead_cold_ms (every sequence uploaded, excl. the program's run)": median(session.cold),
    "instruments.session_job_overhead_cpu_ms (unchanged schedule: CPU of driver, coordinator, virtual Cluster SCPI)":
      median(session.lazyCpu),
    "instruments.session_job_wall_ms (unchanged schedule, incl. the program's run)": median(session.lazyWall),
    "instruments.emulation_ms (the program's run: the virtual Cluster's emulator)": median(t.emulation),
    "instruments.prepare_upload_cold_ms": median(t.prepareCold),
    "instruments.prepare_lazy_ms": median(t.prepareLazy),
    "instruments.arm_start_ms (excl. emulation)": median(t.start),
    "instruments.wait_ms": median(t.wait),
    "instruments.retrieve_ms": median(t.retrieve),
  };
}

/**
 * Workload (c) on the virtual Cluster as users get it (default options: the emulation in its worker
 * thread): the program's duration (repetitions × repetition duration) per wall-clock ns from START to
 * every sequencer STOPPED, and per CPU ns of this process (all threads) over the same span.
 */
async function benchEmulationRate(compiled: CompiledSchedule): Promise<Record<string, number>> {
  const modules: Record<number, CompiledSchedule["clusters"][string]["modules"][string]["instrument_type"]> = {};
  const name = Object.keys(compiled.clusters)[0]!;
  for (const m of Object.values(compiled.clusters[name]!.modules)) modules[m.slot] = m.instrument_type;
  const vc = new VirtualCluster({ modules, name, runDurationMs: 0 });
  const ic = await InstrumentCoordinator.connect({ [name]: await vc.start() });
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const programNs = compiled.repetitions * compiled.repetition_duration_ns;
  try {
    await ic.prepare(compiled);
    for (let i = 0; i < 4; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await ic.start();
      await ic.waitDone(600_000);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      if (i === 0) continue; // the worker's first start
      rates.push(programNs / (wall * 1e6));
      cpuRates.push(programNs / ((cpu.user + cpu.system) * 1e3));
    }
  } finally {
    await ic.close();
    await vc.stop();
  }
  return {
    "instruments.workload_c_program_ms": programNs / 1e6,
    "instruments.virtual_cluster_workload_c_emulated_ns_per_wall_ns (target >= 20)": median(rates),
    "instruments.virtual_cluster_workload_c_emulated_ns_per_cpu_ns": median(cpuRates),
  };
}
