/**
 * Scale-out on Redis (BullMQ): a real redis-server started by the test on a free port, two virtual
 * Clusters (SCPI over TCP), two `q1forge worker` processes (one per Cluster) and two front-ends
 * (`startService({ store: "redis://…" })`, real HTTP servers): 200 jobs, none lost or duplicated; a
 * worker killed (SIGKILL) mid-job leaves that job `error`, and after a new worker takes the Cluster
 * the next job runs; resume and input-stream values reach the worker running a paused job through
 * either front-end. Skipped, with a message, only when no redis-server binary is installed.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { Redis } from "ioredis";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import { RedisStore } from "../../src/service/store/redis.js";
import {
  aloneValues,
  HARDWARE,
  http,
  inParallel,
  readSse,
  readSseUntil,
  segmentedSchedule,
  shortSchedule,
  spawnCli,
  waitUntil,
  type Child,
} from "./helpers.js";

function hasRedis(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const REDIS = hasRedis();
if (!REDIS) console.warn("redis-server is not installed: the Redis scale-out tests are skipped (.ci/run installs it)");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on("error", reject);
  });
}

const TOKEN = "alice-token-0123456789";
const TOKEN_B = "bob-token-0123456789ab";
const ENV = { Q1FORGE_TOKENS: `alice=${TOKEN},bob=${TOKEN_B}` };

describe.skipIf(!REDIS)("Redis scale-out", () => {
  let dir: string;
  let redis: ChildProcess;
  let url: string;
  const clusters: VirtualCluster[] = [];
  const addrs: string[] = [];
  const workers: Child[] = [];
  const fronts: RunningService[] = [];
  const pool = new CompilePool(1);
  /** wall-clock ms a run takes on cluster 0 (null: the emulated duration) */
  let slowMs: number | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "q1forge-redis-"));
    const port = await freePort();
    redis = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      {
        stdio: "ignore",
      },
    );
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 2; i++) {
      const vc = new VirtualCluster({
        modules: "1:QCM,2:QRM",
        ...(i === 0 ? { runDurationMs: (endNs: number) => slowMs ?? Math.min(2000, endNs / 1e6) } : {}),
      });
      const a = await vc.start();
      clusters.push(vc);
      addrs.push(`${a.host}:${a.port}`);
    }
    // redis-server accepts connections within a few ms; the workers retry until it does
    for (const a of addrs)
      workers.push(
        await spawnCli(["worker", "--cluster", a, "--store", url, "--json"], ENV, (l) =>
          l.some((x) => x.serving === a),
        ),
      );
    for (let i = 0; i < 2; i++)
      fronts.push(
        await startService({
          port: 0,
          store: url,
          tokens: [
            { user: "alice", token: TOKEN },
            { user: "bob", token: TOKEN_B },
          ],
          compilePool: pool,
        }),
      );
  }, 300_000);

  afterAll(async () => {
    for (const f of fronts) await f.close();
    for (const w of workers) await w.kill("SIGTERM");
    for (const c of clusters) await c.stop();
    await pool.close();
    redis?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists both Clusters on every front-end", async () => {
    for (const f of fronts) {
      const r = await http(f.url, "GET", "/v1/clusters", { token: TOKEN });
      expect(r.status).toBe(200);
      expect(r.json.clusters.map((c: { name: string }) => c.name)).toEqual([...addrs].sort());
      for (const c of r.json.clusters) expect(c.system_state).toEqual({ status: "OKAY", flags: [] });
    }
    const h = await http(fronts[0]!.url, "GET", "/healthz");
    expect(h.json.store).toBe("redis"); // the kind only: /healthz needs no token
  });

  it("200 jobs through two front-ends on two Clusters: none lost or duplicated", async () => {
    const compiled = (
      await http(fronts[0]!.url, "POST", "/v1/compile", {
        token: TOKEN,
        body: { schedule: shortSchedule({ amp: 0.2 }), hardware: HARDWARE },
      })
    ).json.compiled;
    const plan = Array.from({ length: 200 }, (_, i) => ({
      front: fronts[i % 2]!,
      cluster: addrs[Math.floor(i / 2) % 2]!,
      token: i % 3 ? TOKEN : TOKEN_B,
    }));
    const ids = await inParallel(plan, 12, async (p, i) => {
      const r = await http(p.front.url, "POST", "/v1/jobs", {
        token: p.token,
        body: { compiled, cluster: p.cluster },
        headers: { "idempotency-key": `job-${i}` },
      });
      expect(r.status).toBe(201);
      return r.json.id as string;
    });
    expect(new Set(ids).size).toBe(200);
    // a resubmission through the other front-end returns the same job
    const again = await http(fronts[1]!.url, "POST", "/v1/jobs", {
      token: TOKEN_B,
      body: { compiled, cluster: plan[0]!.cluster },
      headers: { "idempotency-key": "job-0" },
    });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(ids[0]);
    const jobs = await waitUntil(async () => {
      const all = (await http(fronts[1]!.url, "GET", "/v1/jobs?limit=5000", { token: TOKEN })).json.jobs as {
        id: string;
        status: string;
        cluster: string;
        status_history: { status: string }[];
      }[];
      return all.length === 200 && all.every((j) => j.status === "completed") ? all : null;
    }, 120_000);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(ids));
    for (const j of jobs)
      expect(j.status_history.map((h) => h.status)).toEqual(["pending", "loading", "running", "completed"]);
    expect(jobs.filter((j) => j.cluster === addrs[0]).length).toBe(100);
    expect(jobs.filter((j) => j.cluster === addrs[1]).length).toBe(100);
    let first: unknown = null;
    for (const id of ids.filter((_, i) => i % 20 === 0)) {
      const r = await http(fronts[(ids.indexOf(id) + 1) % 2]!.url, "GET", `/v1/jobs/${id}/results`, { token: TOKEN });
      expect(r.status).toBe(200);
      first ??= r.json.dataset.data_vars["0"].data;
      expect(r.json.dataset.data_vars["0"].data).toEqual(first);
    }
    const events = await readSse(fronts[0]!.url, `/v1/jobs/${ids[1]}/results/stream`, TOKEN);
    expect(events.map((e) => e.event)).toEqual(["status", "status", "status", "bins", "end"]);
  }, 180_000);

  it("forwards resume and input-stream values to the worker running the job (typed errors from the worker)", async () => {
    const a = addrs[1]!;
    const sub = await http(fronts[0]!.url, "POST", "/v1/jobs", {
      token: TOKEN,
      body: { schedule: segmentedSchedule(), hardware: HARDWARE, cluster: a },
    });
    expect(sub.status).toBe(201);
    const id = sub.json.id as string;
    const stream = `/v1/jobs/${id}/results/stream`;
    const paused = await readSseUntil(fronts[1]!.url, stream, TOKEN, (e) => e.event === "paused");
    expect(paused.at(-1)!.data).toEqual({ kind: "pause", name: "calibrate" });

    const forbidden = await http(fronts[1]!.url, "POST", `/v1/jobs/${id}/resume`, { token: TOKEN_B });
    expect(forbidden.status).toBe(403);
    // checked by the worker's session job, answered through Redis with the jobs API's code
    const short = await http(fronts[0]!.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: TOKEN,
      body: { values: [0.1, 0.2, 0.3] },
    });
    expect(short.status).toBe(422);
    expect(short.json).toMatchObject({
      code: "INPUT_SIZE",
      message: 'input stream "amps" takes 2 finite numbers per push, got 3',
      path: `/v1/jobs/${id}/input-streams/amps`,
    });
    const unknown = await http(fronts[1]!.url, "POST", `/v1/jobs/${id}/input-streams/volts`, {
      token: TOKEN,
      body: { values: [0.1, 0.2] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe("UNSUPPORTED");

    const resumed = await http(fronts[1]!.url, "POST", `/v1/jobs/${id}/resume`, { token: TOKEN });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ id, status: "running" });
    const again = await http(fronts[0]!.url, "POST", `/v1/jobs/${id}/resume`, { token: TOKEN });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: "JOB_NOT_PAUSED", path: `/v1/jobs/${id}/resume` });

    const pushed = await http(fronts[0]!.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: TOKEN,
      body: { values: [0.9, 0.1] },
    });
    expect(pushed.status).toBe(200);
    const res = await http(fronts[1]!.url, "GET", `/v1/jobs/${id}/results?wait=60`, { token: TOKEN });
    expect(res.status).toBe(200);
    const vars = res.json.dataset.data_vars;
    for (const [ch, amp] of [
      [0, 0.25],
      [1, 0.2],
      [2, 0.1],
    ] as const) {
      const alone = await aloneValues(ch, amp);
      expect(vars[String(ch)].data).toEqual(alone.real);
      expect(vars[`${ch}_imag`].data).toEqual(alone.imag);
    }
    const events = await readSse(fronts[0]!.url, stream, TOKEN);
    expect(events.map((e) => e.event)).toContain("resumed");
    expect(events.at(-1)).toMatchObject({ event: "end", data: { status: "completed" } });
    // ended: the worker no longer runs it
    const late = await http(fronts[0]!.url, "POST", `/v1/jobs/${id}/resume`, { token: TOKEN });
    expect(late.status).toBe(409);
    expect(late.json.code).toBe("JOB_NOT_RUNNING");
  }, 180_000);

  it("a worker killed mid-job leaves that job error; the next job runs on the worker that takes over", async () => {
    const a = addrs[0]!;
    slowMs = 4000;
    const body = { schedule: shortSchedule(), hardware: HARDWARE, cluster: a };
    const victim = await http(fronts[0]!.url, "POST", "/v1/jobs", { token: TOKEN, body });
    await waitUntil(
      async () =>
        (await http(fronts[0]!.url, "GET", `/v1/jobs/${victim.json.id}`, { token: TOKEN })).json.status === "running",
    );
    const next = await http(fronts[1]!.url, "POST", "/v1/jobs", { token: TOKEN, body });
    await workers[0]!.kill("SIGKILL");
    slowMs = null;
    // a second worker for the same Cluster takes it over once the dead worker's lease ran out
    workers[0] = await spawnCli(["worker", "--cluster", a, "--store", url, "--json"], ENV, (l) =>
      l.some((x) => x.serving === a),
    );
    const dead = await waitUntil(async () => {
      const j = (await http(fronts[1]!.url, "GET", `/v1/jobs/${victim.json.id}`, { token: TOKEN })).json;
      return j.status === "error" ? j : null;
    });
    expect(dead.error.code).toBe("JOB_INTERRUPTED");
    expect(dead.status_history.map((h: { status: string }) => h.status)).toEqual([
      "pending",
      "loading",
      "running",
      "error",
    ]);
    expect(dead.status_history.at(-1).reason).toBe(`the worker serving ${a} stopped while this job was executing`);
    const done = await waitUntil(async () => {
      const j = (await http(fronts[0]!.url, "GET", `/v1/jobs/${next.json.id}`, { token: TOKEN })).json;
      return j.status === "completed" ? j : null;
    }, 60_000);
    expect(done.status_history.filter((h: { status: string }) => h.status === "running")).toHaveLength(1);
    const ev = await readSse(fronts[0]!.url, `/v1/jobs/${victim.json.id}/results/stream`, TOKEN);
    expect(ev.at(-1)).toMatchObject({ event: "end", data: { status: "error" } });
  }, 300_000);

  it("lets one worker serve a Cluster at a time: a second one waits for the lock", async () => {
    const standby = await spawnCli(["worker", "--cluster", addrs[1]!, "--store", url, "--json"], ENV, (l) =>
      l.some((x) => x.cluster === addrs[1]),
    );
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(standby.lines.some((l) => l.serving === addrs[1])).toBe(false);
    } finally {
      await standby.kill("SIGTERM");
    }
  }, 300_000);

  // last: the other tests count every job in the store
  it("store: a lost race writes no outcome; recordEnded keeps a canceled job's provenance, never results", async () => {
    const store = new RedisStore(new Redis(url, { maxRetriesPerRequest: 3 }));
    try {
      const { job } = await store.submit({
        id: "race-1",
        name: "n",
        cluster: "race-cluster",
        user: "alice",
        priority: 0,
        idempotencyKey: null,
        requestHash: "",
        compiled: '{"name":"n"}',
      });
      expect(job.status).toBe("pending");
      await store.transition("race-1", ["pending"], "running");
      await store.transition("race-1", ["running"], "canceled", "canceled by alice");
      const lost = await store.transition("race-1", ["running"], "completed", null, {
        outcome: { dataset: '{"data_vars":{}}', report: "{}" },
      });
      expect(lost).toBeNull();
      expect(await store.results("race-1")).toBeNull();
      const provenance = {
        compiled_hash: "ab".repeat(32),
        compiler_version: "0.1.0",
        format_version: null,
        instrument: null,
        timings_ms: { total: 1 },
        executor: "session",
      };
      expect(await store.recordEnded("race-1", "running", provenance, '{"entries":[]}')).toBe(false);
      expect(await store.recordEnded("race-1", "canceled", provenance, '{"entries":[]}')).toBe(true);
      const rec = (await store.get("race-1"))!;
      expect(rec.status).toBe("canceled");
      expect(rec.provenance).toEqual(provenance);
      expect(await store.report("race-1")).toBe('{"entries":[]}');
      expect(await store.results("race-1")).toBe("null");
    } finally {
      store.redis.disconnect();
    }
  });
});
