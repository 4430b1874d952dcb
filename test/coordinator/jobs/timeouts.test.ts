/**
 * Timeouts that are not numbers and waits for more values than a channel holds are USAGE errors,
 * not endless waits or silent early resolves — on jobs over TCP against the virtual Cluster.
 */
import { afterEach, expect, it } from "vitest";
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

const bad: unknown[] = [Number.NaN, "x", null, "5", {}];

it("waitForExecution / wait / waitForValues / waitForAllValues reject a timeout that is not a number", async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 300 });
  s = await openSession(await vc.start(), null, { transport: { timeoutMs: 2000 } });
  const job = s.execute(readoutSchedule());
  for (const timeout of bad) {
    const opts = { timeout } as unknown as { timeout: number };
    await expect(job.waitForExecution(opts)).rejects.toMatchObject({ code: "USAGE", path: "timeout" });
    await expect(job.wait(opts)).rejects.toMatchObject({ code: "USAGE", path: "timeout" });
  }
  await expect(job.waitForExecution({ timeout: Number.NaN })).rejects.toThrow(
    "timeout must be a number of seconds, got NaN",
  );
  await expect(job.wait({ timeout: "x" as unknown as number })).rejects.toThrow(
    'timeout must be a number of seconds, got "x"',
  );
  await job.waitForExecution({ timeout: 5 });
  const stream = job.resultHandles.get("1");
  expect(stream.expectedCount).toBe(1);
  for (const timeout of bad) {
    const opts = { timeout } as unknown as { timeout: number };
    await expect(stream.waitForValues(1, opts)).rejects.toMatchObject({ code: "USAGE", path: "timeout" });
    await expect(job.resultHandles.waitForAllValues(opts)).rejects.toMatchObject({ code: "USAGE", path: "timeout" });
  }
  expect(await job.wait({ timeout: 10 })).toBe("completed");

  // more values than the channel holds: never satisfiable, a USAGE error naming the size
  await expect(stream.waitForValues(5, { timeout: 1 })).rejects.toMatchObject({
    code: "USAGE",
    path: "n",
    message: 'channel "1" holds 1 values; waitForValues(5) can never resolve',
  });
  await expect(stream.waitForValues(Number.NaN)).rejects.toMatchObject({ code: "USAGE", path: "n" });
  await expect(stream.waitForValues(1, { timeout: 0 })).resolves.toMatchObject({ real: [0.5] });
});
