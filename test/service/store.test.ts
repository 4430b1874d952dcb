/**
 * The SQLite store's layout: a store file written by the first layout (compiled schedule, results
 * and report as columns of `jobs`) opens with everything kept — pending jobs stay queued, finished
 * results stay retrievable — and each state change writes its stream event in the same transaction.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/service/store/sqlite.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HISTORY = (s: string) => JSON.stringify([{ status: s, time: "2026-01-01T00:00:00.000Z", reason: null }]);

describe("SqliteStore", () => {
  it("moves a store of the first layout over: pending jobs stay queued, results stay retrievable", async () => {
    const path = join(dir, "old.db");
    const old = new Database(path);
    old.pragma("journal_mode = WAL");
    old.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, name TEXT NOT NULL, cluster TEXT NOT NULL,
        user TEXT NOT NULL, priority INTEGER NOT NULL, round INTEGER NOT NULL, status TEXT NOT NULL,
        time_added TEXT NOT NULL, idempotency_key TEXT, request_hash TEXT NOT NULL, history TEXT NOT NULL,
        error TEXT, provenance TEXT, compiled TEXT NOT NULL, results TEXT, report TEXT);
      CREATE UNIQUE INDEX jobs_idem ON jobs(user, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX jobs_queue ON jobs(cluster, status, priority DESC, round, seq);
      CREATE TABLE rounds (cluster TEXT NOT NULL, user TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (cluster, user));
      CREATE TABLE serving (cluster TEXT PRIMARY KEY, round INTEGER NOT NULL);
      CREATE TABLE events (job_id TEXT NOT NULL, n INTEGER NOT NULL, event TEXT NOT NULL,
        data TEXT NOT NULL, PRIMARY KEY (job_id, n));
    `);
    const ins = old.prepare(`INSERT INTO jobs VALUES (?, ?, ?, 'virtual', 'alice', 0, ?, ?, '2026-01-01T00:00:00.000Z',
      NULL, '', ?, NULL, NULL, ?, ?, ?)`);
    ins.run("done", 1, "a", 1, "completed", HISTORY("completed"), '{"name":"a"}', '{"dims":{}}', '{"entries":[]}');
    ins.run("queued", 2, "b", 2, "pending", HISTORY("pending"), '{"name":"b"}', null, null);
    old.prepare(`INSERT INTO events VALUES ('queued', 1, 'status', '{"status":"pending"}')`).run();
    old.close();

    const store = new SqliteStore(path);
    try {
      expect((await store.get("done"))!.status).toBe("completed");
      expect(await store.results("done")).toBe('{"dims":{}}');
      expect(await store.report("done")).toBe('{"entries":[]}');
      expect(await store.compiled("done")).toBe('{"name":"a"}');
      expect(await store.compiled("queued")).toBe('{"name":"b"}');
      expect(await store.position((await store.get("queued"))!)).toBe(0);
      const claimed = store.claimNext("virtual");
      expect(claimed!.id).toBe("queued");
      expect((await store.eventsAfter("queued", 0)).map((e) => [e.id, e.event, e.data])).toEqual([
        [1, "status", '{"status":"pending"}'],
        [2, "status", '{"status":"loading"}'],
      ]);
      const cols = (store.db.pragma("table_info(jobs)") as { name: string }[]).map((c) => c.name);
      expect(cols).not.toContain("compiled");
      expect(store.db.pragma("user_version", { simple: true })).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("writes a state change, its stream event and the outcome in one transaction; a lost race writes none", async () => {
    const store = new SqliteStore(join(dir, "new.db"));
    try {
      const { job, created } = await store.submit({
        id: "j1",
        name: "n",
        cluster: "virtual",
        user: "alice",
        priority: 0,
        idempotencyKey: null,
        requestHash: "",
        compiled: '{"name":"n"}',
      });
      expect(created).toBe(true);
      expect(job.status).toBe("pending");
      expect(await store.status("j1")).toBe("pending");
      store.claimNext("virtual");
      await store.transition("j1", ["loading"], "running", null, {
        event: { event: "status", data: { status: "running" } },
      });
      // canceled meanwhile: the completion (and its outcome and end event) loses
      await store.transition("j1", ["running"], "canceled", "canceled by alice");
      const lost = await store.transition("j1", ["running"], "completed", null, {
        outcome: { dataset: "{}", report: "{}" },
        event: { event: "end", data: { status: "completed" } },
      });
      expect(lost).toBeNull();
      expect(await store.results("j1")).toBeNull();
      expect((await store.eventsAfter("j1", 0)).map((e) => e.data)).toEqual([
        '{"status":"pending"}',
        '{"status":"loading"}',
        '{"status":"running"}',
      ]);
      expect((await store.get("j1"))!.history.map((h) => h.status)).toEqual([
        "pending",
        "loading",
        "running",
        "canceled",
      ]);
    } finally {
      await store.close();
    }
  });

  it("checkpoints the WAL on its own thread; falls back to SQLite's own checkpoints if that thread dies", async () => {
    const { statSync } = await import("node:fs");
    const path = join(dir, "ck.db");
    const store = new SqliteStore(path);
    try {
      expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
      for (let i = 0; i < 50; i++)
        await store.submit({
          id: `c${i}`,
          name: "n",
          cluster: "virtual",
          user: "alice",
          priority: 0,
          idempotencyKey: null,
          requestHash: "",
          compiled: "x".repeat(5000),
        });
      const before = statSync(path).size;
      // the thread's PASSIVE checkpoint (every 200 ms) copies the WAL into the database file
      const t0 = Date.now();
      while (statSync(path).size === before && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(statSync(path).size).toBeGreaterThan(before + 50 * 5000);
      await (
        store as unknown as { checkpointer: { worker: { terminate(): Promise<number> } } }
      ).checkpointer.worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    } finally {
      await store.close();
    }
  });
});
