/**
 * A job halted while it runs keeps the provenance of what it loaded (hash, format, instrument, stage
 * timings) — over TCP against the virtual Cluster.
 */
import { afterEach, expect, it } from "vitest";
import { compiledHash } from "../../../src/coordinator/session-compiled.js";
import { openSession, type Session } from "../../../src/coordinator/session.js";
import { VirtualCluster } from "../../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../fixtures.js";

let vc: VirtualCluster | null = null;
let s: Session | null = null;
afterEach(async () => {
  await s?.close();
  await vc?.stop();
  s = null;
  vc = null;
});

it("a job halted while running has its provenance filled", async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 2000 });
  s = await openSession(await vc.start(), null, { transport: { timeoutMs: 2000 } });
  const compiled = readoutSchedule();
  const job = s.execute(compiled);
  await job.waitForExecution({ timeout: 5 });
  expect(await job.halt()).toBe(true);
  expect(job.status).toBe("canceled");
  const p = job.provenance;
  expect(p.compiled_hash).toBe(compiledHash(compiled));
  expect(p.format).toBe("q1forge.compiled-schedule");
  expect(p.format_version).toBe(1);
  expect(p.instrument).toMatchObject({ manufacturer: "Qblox", model: "Cluster MM", serial: "00015_2422_001" });
  expect(p.stage_ms.prepare).toBeGreaterThan(0);
  expect(p.stage_ms.start).toBeGreaterThan(0);
  expect((job.toJSON() as { provenance: unknown }).provenance).toEqual(p);
});
