/**
 * The package root's openSession: schedules (not compiled) are compiled against the session's
 * hardware config when the job loads, and the compiler version lands in the job's provenance.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { openSession } from "../../src/index.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8"));
const pkg = read("package.json") as { version: string };

let vc: VirtualCluster | null = null;
afterEach(async () => {
  await vc?.stop();
});

it("compiles a schedule for the session's hardware config, runs it and records the compiler version", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  const addr = await vc.start();
  const hw = read("hardware-configs/baseband-transmon.json");
  const s = await openSession(addr, hw, { user: "bob" });
  try {
    expect(s.clusterName).toBe("cluster0");
    const schedule = read("examples/schedules/baseband-transmon.json");
    const job = s.execute(schedule);
    expect(job.compiled).toBeNull();
    expect(await job.wait({ timeout: 20 })).toBe("completed");
    expect(job.compiled!.format).toBe("q1forge.compiled-schedule");
    expect(job.provenance.compiler_version).toBe(pkg.version);
    expect(job.provenance.stage_ms.compile).toBeGreaterThan(0);
    expect(job.userAdded).toBe("bob");
    const results = await job.results();
    expect(Object.keys(results).sort()).toEqual(Object.keys(job.compiled!.acquisitions).sort());
    const sim = s.simulate(schedule);
    expect(Object.keys(sim.getSimulatedSamples()["cluster0"]!).sort()).toEqual(
      Object.keys(job.compiled!.clusters["cluster0"]!.modules).sort(),
    );
    const bad = s.execute({ schedule: "nonsense" });
    expect(await bad.wait({ timeout: 5 })).toBe("error");
    expect(bad.error!.code).toBe("SCHEMA_VALIDATION");
    await expect(bad.waitForExecution({ timeout: 0 })).rejects.toMatchObject({ code: "SCHEMA_VALIDATION" });
  } finally {
    await s.close();
  }
});
