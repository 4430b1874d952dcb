/**
 * Routes under /v1/jobs: submit (with Idempotency-Key), list, get, cancel, results, execution report,
 * resume and input streams. The result stream is in routes-results-stream.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import type { z } from "zod";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { Q1ForgeError, type ErrorJson } from "../core/errors.js";
import { planSegments, type SegmentPlan } from "../coordinator/jobs/segments.js";
import { RemoteError } from "./compile-pool.js";
import { handle } from "./compile-worker.js";
import { ServiceError } from "./errors.js";
import { JOB_SOURCE_FORMAT, type JobSource } from "./executor.js";
import { requireInput, type RouteContext } from "./route-context.js";
import {
  FINAL,
  type JobJson,
  type JobListQuerySchema,
  type ResultsQuerySchema,
  type SubmitJobRequestSchema,
} from "./schemas.js";
import { idempotencyConflict } from "./store/sqlite.js";
import type { JobRecord } from "./store/types.js";

/** The store's 0-based place → the 1-based position the jobs API reports (job.positionInQueue()); −1 stays. */
const oneBased = (position: number): number => (position < 0 ? -1 : position + 1);

function jobJson(j: JobRecord, position: number): JobJson {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    cluster: j.cluster,
    priority: j.priority,
    user_added: j.user,
    time_added: j.timeAdded,
    position_in_queue: oneBased(position),
    status_history: j.history,
    error: j.error,
    provenance: j.provenance,
  };
}

export function registerJobRoutes({
  backend,
  pool,
  store,
  route,
  user,
  withHardware,
  loadJob,
  mayModify,
}: RouteContext): void {
  route("/v1/jobs", "POST", async (req, reply) => {
    const b = withHardware(req.body as z.infer<typeof SubmitJobRequestSchema>);
    requireInput(b);
    const keyHeader = req.headers["idempotency-key"];
    const key = typeof keyHeader === "string" && keyHeader.length > 0 ? keyHeader : null;
    if (key !== null && key.length > 200)
      throw new ServiceError(400, "BAD_IDEMPOTENCY_KEY", "Idempotency-Key longer than 200 characters", {
        path: "Idempotency-Key",
        hint: "use a UUID",
      });
    const names = await backend.clusterNames();
    const cluster = b.cluster ?? (names.length === 1 ? names[0]! : undefined);
    if (cluster === undefined || !names.includes(cluster))
      throw new ServiceError(
        422,
        "UNKNOWN_CLUSTER",
        b.cluster === undefined ? `this service has ${names.length} clusters; name one` : `no cluster "${b.cluster}"`,
        {
          path: "body/cluster",
          hint: `one of: ${names.join(", ") || "(none registered yet)"}`,
        },
      );
    // the request hash identifies a resubmission; only needed with an Idempotency-Key
    const requestHash = key === null ? "" : createHash("sha256").update(JSON.stringify(req.body)).digest("hex");
    if (key !== null) {
      // a resubmission is answered before any compile: the same job (200), or 409 for another request
      // (store.submit below decides again, atomically, for two first submissions racing)
      const earlier = await store.byIdempotencyKey(user(req), key);
      if (earlier) {
        if (earlier.requestHash !== requestHash) throw idempotencyConflict(key, earlier.id);
        void reply.code(200);
        return submitAnswer(earlier);
      }
    }
    const segmented = b.compiled === undefined ? planSegments(b.schedule) : null;
    // a small compiled schedule is checked here (≈0.1 ms: cheaper than a thread hop); schedules compile,
    // and large compiled schedules are checked, on the worker threads. A schedule with pause points or
    // input streams is stored as it is: the session compiles it segment by segment (docs/jobs.md).
    const small = Number(req.headers["content-length"] ?? Infinity) <= INLINE_CHECK_BYTES;
    const text =
      b.compiled !== undefined
        ? small
          ? checkInline(b.compiled)
          : (await pool.run({ op: "check", compiled: b.compiled })).text
        : segmented
          ? await checkSegmented(b, segmented, pool)
          : (
              await pool.run({
                op: "compile",
                schedule: b.schedule,
                hardware: b.hardware,
                ...(b.device !== undefined ? { device: b.device } : {}),
                verify: false,
              })
            ).text;
    // refuse at once what the cluster's session would refuse when the job runs (MODULE_MISSING, …):
    // embedded clusters only; a Redis worker's session checks at execution (docs/service.md)
    if (!segmented && backend.checkRunnable) {
      try {
        backend.checkRunnable(cluster, JSON.parse(text) as CompiledSchedule);
      } catch (e) {
        if (!(e instanceof Q1ForgeError)) throw e;
        throw new ServiceError(422, e.code, e.message, { path: e.path, hint: e.hint });
      }
    }
    const named = ((b.compiled ?? b.schedule) as { name?: unknown } | null)?.name;
    const { job, created } = await store.submit({
      id: randomUUID(),
      name: b.name ?? (typeof named === "string" ? named : "job"),
      cluster,
      user: user(req),
      priority: b.priority ?? 0,
      idempotencyKey: key,
      requestHash,
      compiled: text,
    });
    if (created) await backend.enqueue(job);
    void reply.code(created ? 201 : 200);
    return submitAnswer(job);
  });

  async function submitAnswer(job: JobRecord) {
    const position = await store.position(job);
    return {
      id: job.id,
      status: position >= 0 ? ("pending" as const) : ((await store.status(job.id)) ?? job.status),
      position_in_queue: oneBased(position),
    };
  }

  route("/v1/jobs", "GET", async (req) => {
    const q = req.query as z.infer<typeof JobListQuerySchema>;
    const jobs = await store.list({ ...q, limit: q.limit ?? 1000 });
    const out: JobJson[] = [];
    for (const j of jobs) out.push(jobJson(j, j.status === "pending" ? await store.position(j) : -1));
    return { jobs: out };
  });

  route("/v1/jobs/:id", "GET", async (req) => {
    const j = await loadJob((req.params as { id: string }).id);
    return jobJson(j, await store.position(j));
  });

  route("/v1/jobs/:id", "DELETE", async (req) => {
    const j = await loadJob((req.params as { id: string }).id);
    mayModify(req, j);
    const by = `canceled by ${user(req)}`;
    const r = await store.transition(j.id, ["pending", "loading", "running"], "canceled", by);
    if (!r) return { id: j.id, canceled: false, status: (await loadJob(j.id)).status };
    if (j.status !== "pending") await backend.halt(j);
    await backend.emit(j.id, "end", { status: "canceled" });
    return { id: j.id, canceled: true, status: r.status };
  });

  route("/v1/jobs/:id/results", "GET", async (req, reply) => {
    let j = await loadJob((req.params as { id: string }).id);
    const wait = (req.query as z.infer<typeof ResultsQuerySchema>).wait ?? 0;
    if (!FINAL.has(j.status) && wait > 0) j = await waitForEnd(j, wait * 1000);
    if (j.status !== "completed")
      throw new ServiceError(
        409,
        "RESULTS_NOT_AVAILABLE",
        `job ${j.id} is ${j.status}${j.error ? `: ${j.error.message}` : ""}`,
        {
          path: `/v1/jobs/${j.id}`,
          hint: FINAL.has(j.status)
            ? "a canceled or failed job has no results; see its execution report"
            : "wait for completion (GET /v1/jobs/:id/results?wait=S), or follow GET /v1/jobs/:id/results/stream",
        },
      );
    // the dataset was checked against DatasetDictSchema when it was stored (runner.ts): sent as stored
    const text = (await store.results(j.id)) ?? "null";
    void reply.type("application/json; charset=utf-8");
    return `{"id":${JSON.stringify(j.id)},"status":"completed","dataset":${text}}`;
  });

  /** The job once it ended, or as it is after `ms`. */
  async function waitForEnd(j: JobRecord, ms: number): Promise<JobRecord> {
    let wake: (() => void) | null = null;
    // set by every notification, so one that arrives while the status is read is not lost
    let dirty = false;
    const unsubscribe = backend.subscribe(j.id, () => {
      dirty = true;
      wake?.();
    });
    const deadline = Date.now() + ms;
    try {
      for (;;) {
        dirty = false;
        const status = await store.status(j.id);
        if (status === null || FINAL.has(status) || Date.now() >= deadline) return await loadJob(j.id);
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now())));
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unsubscribe();
    }
  }

  route("/v1/jobs/:id/execution-report", "GET", async (req) => {
    const j = await loadJob((req.params as { id: string }).id);
    if (!FINAL.has(j.status))
      throw new ServiceError(
        409,
        "REPORT_NOT_AVAILABLE",
        `job ${j.id} is ${j.status}; the report is written when it ends`,
        {
          path: `/v1/jobs/${j.id}`,
          hint: "poll GET /v1/jobs/:id or follow the result stream until it ends",
        },
      );
    const rep = JSON.parse((await store.report(j.id)) ?? "null") as { has_errors: boolean; entries: unknown[] } | null;
    return {
      id: j.id,
      status: j.status,
      has_errors: (rep?.has_errors ?? false) || j.status === "error",
      entries: (rep?.entries ?? []) as Record<string, unknown>[],
      error: j.error,
      provenance: j.provenance,
    };
  });

  route("/v1/jobs/:id/resume", "POST", async (req) => {
    const j = await loadJob((req.params as { id: string }).id);
    mayModify(req, j);
    await backend.control(j, { op: "resume" });
    return jobJson(await loadJob(j.id), -1);
  });

  route("/v1/jobs/:id/input-streams/:name", "POST", async (req) => {
    const p = req.params as { id: string; name: string };
    const j = await loadJob(p.id);
    mayModify(req, j);
    await backend.control(j, { op: "input", name: p.name, values: (req.body as { values: number[] }).values });
    return jobJson(await loadJob(j.id), -1);
  });
}

const INLINE_CHECK_BYTES = 64 * 1024;

function checkInline(compiled: unknown): string {
  const r = handle({ id: 0, op: "check", compiled, hash: false });
  if (r.ok) return r.text;
  if (r.internal) throw new Error(String(r.error.message));
  throw new RemoteError(r.error as unknown as ErrorJson);
}

/**
 * A schedule with pause points or input streams: the plan was checked (SEGMENT_PLACEMENT errors),
 * and its first segment compiles (it has no input values yet) — on a worker thread, so compile
 * errors answer now, not when the job runs. Stored as the schedule with its hardware and device.
 */
async function checkSegmented(
  b: { schedule?: unknown; hardware?: unknown; device?: unknown },
  plan: SegmentPlan,
  pool: RouteContext["pool"],
): Promise<string> {
  await pool.run({
    op: "compile",
    schedule: plan.segments[0]!.schedule,
    hardware: b.hardware,
    ...(b.device !== undefined ? { device: b.device } : {}),
    verify: false,
  });
  const source: JobSource = {
    format: JOB_SOURCE_FORMAT,
    schedule: b.schedule,
    hardware: b.hardware,
    ...(b.device !== undefined ? { device: b.device } : {}),
  };
  return JSON.stringify(source);
}
