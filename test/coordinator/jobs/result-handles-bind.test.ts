/**
 * Result handles taken right after `execute()` (before the job compiled) are the job's handles for
 * good: they fill in once it compiles — over real TCP against the virtual Cluster.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { openSession } from "../../../src/index.js";
import { VirtualCluster } from "../../../src/instruments/virtual-cluster.js";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../../${p}`, import.meta.url), "utf8"));

let vc: VirtualCluster | null = null;
afterEach(async () => {
  await vc?.stop();
  vc = null;
});

it("handles taken while the job is pending are the same object and fill in once it compiles", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  const s = await openSession(await vc.start(), read("hardware-configs/baseband-transmon.json"), {});
  try {
    const schedule = read("examples/schedules/baseband-transmon.json");
    const busy = s.execute(schedule);
    const job = s.execute(schedule);
    const h = job.resultHandles;
    expect(h.isBound()).toBe(false);
    expect(() => h.get("0")).toThrow(expect.objectContaining({ code: "JOB_NOT_LOADED", path: "acquisitions/0" }));
    expect(() => h.fetchAll()).toThrow(expect.objectContaining({ code: "JOB_NOT_LOADED" }));
    const all = h.waitForAllValues({ timeout: 20 });
    expect(await job.wait({ timeout: 20 })).toBe("completed");
    expect(await busy.wait({ timeout: 20 })).toBe("completed");
    expect(h).toBe(job.resultHandles);
    const channels = Object.keys(job.compiled!.acquisitions).sort();
    expect(channels.length).toBeGreaterThan(0);
    expect(h.keys().sort()).toEqual(channels);
    expect(h.fetchAll()).toEqual(await job.results());
    expect(await all).toEqual(await job.results());
    expect(h.get(channels[0]!).isProcessing()).toBe(false);

    // canceled while pending: the handles say so instead of staying silently empty
    const blocker = s.execute(schedule);
    const dropped = s.execute(schedule);
    const dh = dropped.resultHandles;
    expect(dropped.cancel()).toBe(true);
    expect(() => dh.fetchAll()).toThrow(expect.objectContaining({ code: "JOB_CANCELED", path: dropped.id }));
    await expect(dh.waitForAllValues({ timeout: 1 })).rejects.toMatchObject({ code: "JOB_CANCELED" });
    await blocker.wait({ timeout: 20 });
  } finally {
    await s.close();
  }
});
