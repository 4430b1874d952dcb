/**
 * The service as a real HTTP server on 127.0.0.1 with an in-process virtual Cluster (reached over
 * SCPI/TCP by the session): auth on every route, body and rate limits, typed errors, submit → stream
 * → results, Last-Event-ID resumption, cancel pending and halt running, idempotent resubmission,
 * priorities, OpenAPI and response validation, compilation off the event loop.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalBackend } from "../../src/service/backend.js";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import { HARDWARE, http, readSse, shortSchedule, waitUntil } from "./helpers.js";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-0123456789ab";
const ADMIN = "admin-token-0123456789";
const TOKENS = [
  { user: "alice", token: ALICE },
  { user: "bob", token: BOB },
  { user: "root", token: ADMIN, admin: true },
];

let dir: string;
let svc: RunningService;
let backend: LocalBackend;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-service-"));
  svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    store: `sqlite:${join(dir, "jobs.db")}`,
    tokens: TOKENS,
    bodyLimit: 1024 * 1024,
    compilePool: pool,
  });
  backend = svc.backend as LocalBackend;
  await pool.ready(); // the worker loads the compiler (from the TypeScript sources under ts-node: seconds)
}, 180_000);
afterAll(async () => {
  await svc?.close();
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

async function finished(id: string, token = ALICE) {
  return waitUntil(async () => {
    const r = await http(svc.url, "GET", `/v1/jobs/${id}`, { token });
    return ["completed", "error", "canceled"].includes(r.json.status) ? r.json : null;
  });
}

describe("security", () => {
  it("answers /healthz without a token and every other route only with one (401 as typed JSON)", async () => {
    const h = await http(svc.url, "GET", "/healthz");
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ ok: true, store: "sqlite" }); // not the path: /healthz needs no token
    const doc = (await http(svc.url, "GET", "/openapi.json", { token: ALICE })).json;
    const routes: [string, string][] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>))
      for (const m of Object.keys(ops)) routes.push([m.toUpperCase(), path.replace(/\{(\w+)\}/g, "x-$1")]);
    expect(routes.length).toBe(15);
    for (const [method, path] of routes) {
      const open = path === "/healthz" || path === "/v1/healthz";
      for (const token of [null, "not-a-valid-token-at-all"]) {
        const r = await http(svc.url, method, path, { token, ...(method === "POST" ? { body: {} } : {}) });
        if (open) expect(r.status).toBe(200);
        else {
          expect(r.status, `${method} ${path}`).toBe(401);
          expect(r.json).toEqual({
            error: "ServiceError",
            code: "UNAUTHORIZED",
            message: token === null ? "missing bearer token" : "unknown bearer token",
            path: "Authorization",
            hint: expect.any(String),
          });
        }
      }
    }
  });

  it("refuses a body over the limit with 413 BODY_TOO_LARGE", async () => {
    const big = { schedule: { name: "x".repeat(1100 * 1024) }, hardware: {} };
    const r = await http(svc.url, "POST", "/v1/compile", { token: ALICE, body: big });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe("BODY_TOO_LARGE");
    expect(r.json.message).toBe("request body larger than the limit of 1048576 bytes");
    expect(r.text).not.toMatch(/at \w+ \(/); // no stack trace
  });

  it("rate-limits per user with 429 and Retry-After", async () => {
    const limited = await startService({
      port: 0,
      virtual: "1:QCM,2:QRM",
      store: `sqlite:${join(dir, "rate.db")}`,
      tokens: TOKENS,
      rateLimit: { perSecond: 1, burst: 3 },
      compilePool: pool,
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await http(limited.url, "GET", "/v1/jobs", { token: ALICE })).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      const r = await http(limited.url, "GET", "/v1/jobs", { token: ALICE });
      expect(r.json.code).toBe("RATE_LIMITED");
      expect(r.headers["retry-after"]).toBe("1");
      // another user has a bucket of their own
      expect((await http(limited.url, "GET", "/v1/jobs", { token: BOB })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("binds to 127.0.0.1 by default", () => {
    expect(svc.host).toBe("127.0.0.1");
    expect(svc.url).toBe(`http://127.0.0.1:${svc.port}`);
  });
});

describe("compile and simulate", () => {
  it("compiles a schedule without hardware only when the service has a default (serve --hardware)", async () => {
    const none = await http(svc.url, "POST", "/v1/compile", { token: ALICE, body: { schedule: shortSchedule() } });
    expect(none.status).toBe(400);
    expect(none.json).toMatchObject({ code: "MISSING_INPUT", path: "body/hardware" });
    const withDefault = await startService({
      port: 0,
      virtual: "1:QCM,2:QRM",
      store: `sqlite:${join(dir, "default-hw.db")}`,
      tokens: TOKENS,
      hardware: HARDWARE,
      compilePool: pool,
    });
    try {
      const body = { schedule: shortSchedule() };
      const r = await http(withDefault.url, "POST", "/v1/compile", { token: ALICE, body });
      const direct = await http(svc.url, "POST", "/v1/compile", {
        token: ALICE,
        body: { schedule: shortSchedule(), hardware: HARDWARE },
      });
      expect(r.status).toBe(200);
      expect(r.json.compiled.sequencers).toEqual(direct.json.compiled.sequencers);
    } finally {
      await withDefault.close();
    }
  });

  it("returns a compile error as typed JSON with code, path and hint", async () => {
    const bad = shortSchedule() as { schedulables: { operation: Record<string, unknown> }[] };
    bad.schedulables[1]!.operation = {
      type: "SquarePulse",
      amp: 0.2,
      duration: "100 ns",
      port: "q9:mw",
      clock: "q0.ro",
    };
    const r = await http(svc.url, "POST", "/v1/compile", { token: ALICE, body: { schedule: bad, hardware: HARDWARE } });
    expect(r.status).toBe(422);
    expect(Object.keys(r.json).sort()).toEqual(["code", "error", "hint", "message", "path"]);
    expect(r.json.code).toMatch(/^[A-Z_]+$/);
    expect(r.json.path).toBe("/schedulables/1/operation");
    expect(r.json.message).toContain("q9:mw");
    expect(typeof r.json.hint).toBe("string");
  });

  it("validates request bodies against the published schema (400 SCHEMA_VALIDATION)", async () => {
    const r = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: shortSchedule(), hardware: HARDWARE, priority: 11 },
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe("SCHEMA_VALIDATION");
    expect(r.json.path).toBe("body/priority");
    const extra = await http(svc.url, "POST", "/v1/compile", {
      token: ALICE,
      body: { schedule: {}, hardware: {}, x: 1 },
    });
    expect(extra.status).toBe(400);
    expect(extra.json.code).toBe("SCHEMA_VALIDATION");
    const notJson = await http(svc.url, "POST", "/v1/compile", { token: ALICE, raw: "{nope" });
    expect(notJson.status).toBe(400);
    expect(notJson.json.code).toBe("INPUT_PARSE");
  });

  it("compiles and simulates", async () => {
    const c = await http(svc.url, "POST", "/v1/compile", {
      token: ALICE,
      body: { schedule: shortSchedule(), hardware: HARDWARE },
    });
    expect(c.status).toBe(200);
    expect(c.json.compiled.version).toBe(1);
    expect(Object.keys(c.json.compiled.clusters)).toEqual(["cluster0"]);
    const s = await http(svc.url, "POST", "/v1/simulate", { token: ALICE, body: { compiled: c.json.compiled } });
    expect(s.status).toBe(200);
    expect(Object.keys(s.json.acquisitions)).toEqual(["0"]);
    expect(s.json.acquisitions["0"].shape).toEqual([1]);
  });
});

describe("jobs", () => {
  it("submit → stream → results: the streamed bins equal the final values; Last-Event-ID resumes", async () => {
    const sub = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: {
        schedule: shortSchedule({ reps: 5, binMode: "append", amp: 0.3 }),
        hardware: HARDWARE,
        name: "stream me",
      },
    });
    expect(sub.status).toBe(201);
    expect(Object.keys(sub.json).sort()).toEqual(["id", "position_in_queue", "status"]);
    const events = await readSse(svc.url, `/v1/jobs/${sub.json.id}/results/stream`, ALICE);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const statuses = events.filter((e) => e.event === "status").map((e) => e.data.status);
    expect(statuses).toEqual(["pending", "loading", "running"]);
    expect(events.at(-1)).toEqual({ id: events.length, event: "end", data: { status: "completed" } });
    const real: number[] = [];
    const imag: number[] = [];
    for (const e of events.filter((x) => x.event === "bins")) {
      expect(e.data.acq_channel).toBe("0");
      expect(e.data.index).toBe(real.length);
      real.push(...e.data.real);
      imag.push(...e.data.imag);
    }
    const res = await http(svc.url, "GET", `/v1/jobs/${sub.json.id}/results`, { token: BOB });
    expect(res.status).toBe(200);
    const ds = res.json.dataset;
    expect(ds.dims).toEqual({ repetition: 5, acq_index_0: 1 });
    expect(ds.data_vars["0"].dims).toEqual(["repetition", "acq_index_0"]);
    expect(ds.data_vars["0"].data).toEqual(real.map((v) => [v]));
    expect(ds.data_vars["0_imag"].data).toEqual(imag.map((v) => [v]));
    expect(real).toHaveLength(5);
    expect(new Set(real).size).toBe(1);
    expect(real[0]).not.toBe(0);
    // resume after event 2: exactly the events from 3 on
    const resumed = await readSse(svc.url, `/v1/jobs/${sub.json.id}/results/stream`, ALICE, { lastEventId: 2 });
    expect(resumed).toEqual(events.slice(2));
    // an id past the end of the stream is refused, not waited for (it would skip every event up to it)
    const past = await http(svc.url, "GET", `/v1/jobs/${sub.json.id}/results/stream`, {
      token: ALICE,
      headers: { "last-event-id": String(events.length + 5) },
    });
    expect(past.status).toBe(400);
    expect(past.json.code).toBe("BAD_LAST_EVENT_ID");
    expect(past.json.message).toBe(
      `Last-Event-ID ${events.length + 5} is past the end of job ${sub.json.id}'s stream, which has ${events.length} event(s) so far`,
    );
    const job = (await http(svc.url, "GET", `/v1/jobs/${sub.json.id}`, { token: ALICE })).json;
    expect(job).toMatchObject({ name: "stream me", status: "completed", user_added: "alice", position_in_queue: -1 });
    expect(job.status_history.map((h: { status: string }) => h.status)).toEqual([
      "pending",
      "loading",
      "running",
      "completed",
    ]);
    expect(job.provenance.compiled_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(job.provenance.instrument.identity.manufacturer).toBe("Qblox");
    const rep = await http(svc.url, "GET", `/v1/jobs/${sub.json.id}/execution-report`, { token: ALICE });
    expect(rep.json).toMatchObject({ status: "completed", has_errors: false, error: null });
  });

  it("streams bins while the job runs (several bins events before the end), equal to the final values", async () => {
    const slow = shortSchedule({ reps: 400, binMode: "append", amp: 0.2 }) as {
      schedulables: { operation: { duration?: string } }[];
    };
    slow.schedulables[0]!.operation.duration = "1 ms"; // 400 repetitions of ≈1 ms: the run takes ≈0.4 s
    const sub = await http(svc.url, "POST", "/v1/jobs", { token: ALICE, body: { schedule: slow, hardware: HARDWARE } });
    const events = await readSse(svc.url, `/v1/jobs/${sub.json.id}/results/stream`, ALICE);
    const bins = events.filter((e) => e.event === "bins");
    expect(bins.length).toBeGreaterThan(1);
    let next = 0;
    const real: number[] = [];
    for (const b of bins) {
      expect(b.data.index).toBe(next);
      next += b.data.real.length;
      real.push(...b.data.real);
    }
    expect(next).toBe(400);
    expect(events.at(-1)!.data).toEqual({ status: "completed" });
    const res = await http(svc.url, "GET", `/v1/jobs/${sub.json.id}/results`, { token: ALICE });
    expect(res.json.dataset.data_vars["0"].data).toEqual(real.map((v) => [v]));
  });

  it("cancels a pending job (position -1) and halts a running one; the next job runs", async () => {
    backend.pause();
    try {
      const a = await http(svc.url, "POST", "/v1/jobs", {
        token: ALICE,
        body: { schedule: shortSchedule(), hardware: HARDWARE },
      });
      const b = await http(svc.url, "POST", "/v1/jobs", {
        token: ALICE,
        body: { schedule: shortSchedule(), hardware: HARDWARE },
      });
      expect([a.json.position_in_queue, b.json.position_in_queue]).toEqual([1, 2]); // 1-based, as job.positionInQueue()
      const forbidden = await http(svc.url, "DELETE", `/v1/jobs/${a.json.id}`, { token: BOB });
      expect(forbidden.status).toBe(403);
      expect(forbidden.json.code).toBe("FORBIDDEN");
      const del = await http(svc.url, "DELETE", `/v1/jobs/${a.json.id}`, { token: ALICE });
      expect(del.json).toEqual({ id: a.json.id, canceled: true, status: "canceled" });
      expect((await http(svc.url, "GET", `/v1/jobs/${b.json.id}`, { token: ALICE })).json.position_in_queue).toBe(1);
      expect((await http(svc.url, "GET", `/v1/jobs/${a.json.id}`, { token: ALICE })).json.position_in_queue).toBe(-1);
      const again = await http(svc.url, "DELETE", `/v1/jobs/${a.json.id}`, { token: ADMIN });
      expect(again.json).toEqual({ id: a.json.id, canceled: false, status: "canceled" });
      backend.resumeDispatch();
      expect((await finished(b.json.id)).status).toBe("completed");
    } finally {
      backend.resumeDispatch();
    }
    // a long job (1000 repetitions of 1 ms): halt it while it runs
    const longSchedule = shortSchedule({ reps: 1000 }) as { schedulables: { operation: { duration?: string } }[] };
    longSchedule.schedulables[0]!.operation.duration = "1 ms";
    const long = await http(svc.url, "POST", "/v1/jobs", {
      token: BOB,
      body: { schedule: longSchedule, hardware: HARDWARE },
    });
    await waitUntil(
      async () => (await http(svc.url, "GET", `/v1/jobs/${long.json.id}`, { token: BOB })).json.status === "running",
    );
    const next = await http(svc.url, "POST", "/v1/jobs", {
      token: BOB,
      body: { schedule: shortSchedule(), hardware: HARDWARE },
    });
    const halted = await http(svc.url, "DELETE", `/v1/jobs/${long.json.id}`, { token: ADMIN });
    expect(halted.json).toEqual({ id: long.json.id, canceled: true, status: "canceled" });
    const end = await finished(long.json.id, BOB);
    expect(end.status).toBe("canceled");
    expect(end.status_history.at(-1)).toMatchObject({ status: "canceled", reason: "canceled by root" });
    // what did run is on record: provenance and execution report (the runner writes them once the halt lands)
    await waitUntil(
      async () => (await http(svc.url, "GET", `/v1/jobs/${long.json.id}`, { token: BOB })).json.provenance !== null,
    );
    const kept = (await http(svc.url, "GET", `/v1/jobs/${long.json.id}`, { token: BOB })).json;
    expect(kept.status).toBe("canceled");
    expect(kept.provenance.compiled_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(kept.provenance.instrument.identity.manufacturer).toBe("Qblox");
    expect(typeof kept.provenance.timings_ms.total).toBe("number");
    const report = await http(svc.url, "GET", `/v1/jobs/${long.json.id}/execution-report`, { token: BOB });
    expect(report.status).toBe(200);
    expect(report.json.status).toBe("canceled");
    expect(report.json.provenance.compiled_hash).toBe(kept.provenance.compiled_hash);
    const r = await http(svc.url, "GET", `/v1/jobs/${long.json.id}/results`, { token: BOB });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe("RESULTS_NOT_AVAILABLE");
    expect((await finished(next.json.id, BOB)).status).toBe("completed");
  });

  it("makes resubmission with the same Idempotency-Key safe", async () => {
    const body = { schedule: shortSchedule({ amp: 0.11 }), hardware: HARDWARE };
    const headers = { "idempotency-key": "b3f1c2a0-retry-1" };
    const first = await http(svc.url, "POST", "/v1/jobs", { token: ALICE, body, headers });
    const second = await http(svc.url, "POST", "/v1/jobs", { token: ALICE, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.id).toBe(first.json.id);
    // the same key from another user is another job
    const bobs = await http(svc.url, "POST", "/v1/jobs", { token: BOB, body, headers });
    expect(bobs.status).toBe(201);
    expect(bobs.json.id).not.toBe(first.json.id);
    const other = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { ...body, name: "different" },
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe("IDEMPOTENCY_KEY_REUSED");
    // the key is checked before anything compiles: a reused key with a broken schedule is still named as such
    const broken = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: {
        schedule: { name: "x", repetitions: 1, schedulables: [{ operation: { type: "NoSuchPulse" } }] },
        hardware: HARDWARE,
      },
      headers,
    });
    expect(broken.status).toBe(422);
    expect(broken.json.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(broken.json.message).toContain(first.json.id);
    await finished(first.json.id);
    const list = (await http(svc.url, "GET", "/v1/jobs?user=alice", { token: ALICE })).json.jobs as { id: string }[];
    expect(list.filter((j) => j.id === first.json.id)).toHaveLength(1);
  });

  it("runs a higher priority first, and users round-robin", async () => {
    // a fresh store: fairness rounds start from nothing
    const fresh = await startService({
      port: 0,
      virtual: "1:QCM,2:QRM",
      store: `sqlite:${join(dir, "prio.db")}`,
      tokens: TOKENS,
      compilePool: pool,
    });
    const fb = fresh.backend as LocalBackend;
    fb.pause();
    const ids: Record<string, string> = {};
    try {
      for (const [name, token, priority] of [
        ["a1", ALICE, 0],
        ["a2", ALICE, 0],
        ["a3", ALICE, 0],
        ["b1", BOB, 0],
        ["b2", BOB, 0],
        ["urgent", BOB, 5],
      ] as const) {
        const r = await http(fresh.url, "POST", "/v1/jobs", {
          token,
          body: { schedule: shortSchedule(), hardware: HARDWARE, name, priority },
        });
        ids[name] = r.json.id;
      }
      const expected = ["urgent", "a1", "b1", "a2", "b2", "a3"];
      const pos: number[] = [];
      for (const n of expected)
        pos.push((await http(fresh.url, "GET", `/v1/jobs/${ids[n]}`, { token: ALICE })).json.position_in_queue);
      expect(pos).toEqual([1, 2, 3, 4, 5, 6]);
      fb.resumeDispatch();
      for (const id of Object.values(ids))
        await waitUntil(
          async () => (await http(fresh.url, "GET", `/v1/jobs/${id}`, { token: ALICE })).json.status === "completed",
        );
      const order = fb.executionLog.map((e) => Object.keys(ids).find((k) => ids[k] === e.id));
      expect(order).toEqual(expected);
    } finally {
      await fresh.close();
    }
  });

  it("answers 404 and 409 as typed errors", async () => {
    const r = await http(svc.url, "GET", "/v1/jobs/no-such-job", { token: ALICE });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: "JOB_NOT_FOUND", path: "/v1/jobs/no-such-job" });
    const sub = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: shortSchedule(), hardware: HARDWARE },
    });
    await finished(sub.json.id);
    const res = await http(svc.url, "POST", `/v1/jobs/${sub.json.id}/resume`, { token: ALICE });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe("JOB_NOT_RUNNING");
    const push = await http(svc.url, "POST", `/v1/jobs/${sub.json.id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [1, 2] },
    });
    expect(push.status).toBe(409);
  });
});

describe("cluster, OpenAPI and response schemas", () => {
  it("lists the Cluster with identity, system state, modules and idle values", async () => {
    const r = await http(svc.url, "GET", "/v1/clusters", { token: ALICE });
    expect(r.status).toBe(200);
    const [c] = r.json.clusters;
    expect(c).toMatchObject({
      name: "virtual",
      virtual: true,
      system_state: { status: "OKAY", flags: [] },
      modules: [
        { slot: 1, type: "QCM" },
        { slot: 2, type: "QRM" },
      ],
      pending_jobs: 0,
    });
    expect(c.identity).toMatchObject({ manufacturer: "Qblox", serial: "00015_2422_001" });
    expect(c.idle_values.outputs["2"]).toEqual({ offsets: [0, 0], inverted: [false, false, false, false] });
  });

  it("publishes an OpenAPI document whose schemas the responses match", async () => {
    const doc = (await http(svc.url, "GET", "/openapi.json", { token: ALICE })).json;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/jobs/{id}/results/stream");
    expect(doc.paths["/v1/jobs"].post.parameters.map((p: { name: string }) => p.name)).toEqual(["Idempotency-Key"]);
    const ajv = new Ajv({ strict: false });
    const job = (await http(svc.url, "GET", "/v1/jobs?limit=1", { token: ALICE })).json;
    const schema = doc.paths["/v1/jobs"].get.responses["200"].content["application/json"].schema;
    expect(ajv.validate(schema, job), JSON.stringify(ajv.errors)).toBe(true);
    expect(job.jobs).toHaveLength(1);
  });

  it("compiles off the event loop: a status query is answered while a large schedule compiles", async () => {
    const big = shortSchedule() as { schedulables: unknown[] };
    for (let i = 0; i < 4000; i++)
      big.schedulables.push({
        label: `p${i}`,
        operation: {
          type: "SquarePulse",
          amp: 0.1 + (i % 500) / 1000,
          duration: "40 ns",
          port: "q0:fl",
          clock: "cl0.baseband",
        },
      });
    await pool.ready(); // measure while compiling, not while the worker starts
    const order: string[] = [];
    const compiling = http(svc.url, "POST", "/v1/compile", {
      token: ALICE,
      body: { schedule: big, hardware: HARDWARE },
    }).then((r) => {
      order.push(`compile ${r.status}`);
      return r;
    });
    await new Promise((r) => setTimeout(r, 30));
    const h = await http(svc.url, "GET", "/v1/jobs?limit=1", { token: ALICE });
    order.push(`jobs ${h.status}`);
    const c = await compiling;
    expect(order).toEqual(["jobs 200", c.status === 200 ? "compile 200" : `compile ${c.status}`]);
    expect(c.status).toBe(200);
    expect(c.json.compile_ms).toBeGreaterThan(0);
  });
});
