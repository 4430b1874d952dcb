/**
 * A service stopped (SIGTERM → close()) while a job runs: the job is halted and stored as `canceled`
 * with the reason, its provenance and execution report kept, and no results — not as `error`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompilePool, startService } from "../../src/service/index.js";
import { HARDWARE, http, shortSchedule, waitUntil } from "./helpers.js";

const TOKEN = "stop-token-0123456789abc";
let dir: string;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-stop-"));
  await pool.ready();
}, 180_000);
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("shutdown while a job runs", () => {
  it("stores the halted job as canceled (reason: the service shut down) with its provenance", async () => {
    const store = `sqlite:${join(dir, "jobs.db")}`;
    const opts = {
      port: 0,
      virtual: "1:QCM,2:QRM",
      store,
      tokens: [{ user: "alice", token: TOKEN }],
      compilePool: pool,
    };
    const first = await startService(opts);
    const schedule = shortSchedule({ reps: 100_000 }) as { schedulables: { operation: { duration?: string } }[] };
    schedule.schedulables[0]!.operation.duration = "1 ms";
    const sub = await http(first.url, "POST", "/v1/jobs", { token: TOKEN, body: { schedule, hardware: HARDWARE } });
    expect(sub.status).toBe(201);
    const id = sub.json.id as string;
    await waitUntil(
      async () => (await http(first.url, "GET", `/v1/jobs/${id}`, { token: TOKEN })).json.status === "running",
      60_000,
    );
    await first.close();

    const second = await startService(opts);
    try {
      const job = (await http(second.url, "GET", `/v1/jobs/${id}`, { token: TOKEN })).json;
      expect(job.status).toBe("canceled");
      expect(job.status_history.map((h: { status: string }) => h.status)).toEqual([
        "pending",
        "loading",
        "running",
        "canceled",
      ]);
      expect(job.status_history.at(-1).reason).toBe("halted: the service shut down");
      expect(job.error).toBeNull();
      expect(job.provenance.compiled_hash).toMatch(/^[0-9a-f]{64}$/);
      const res = await http(second.url, "GET", `/v1/jobs/${id}/results`, { token: TOKEN });
      expect(res.status).toBe(409);
      expect(res.json.code).toBe("RESULTS_NOT_AVAILABLE");
    } finally {
      await second.close();
    }
  }, 120_000);
});
