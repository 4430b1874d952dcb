/**
 * Routes under /v1/jobs: submit (with Idempotency-Key), list, get, cancel, results, execution report,
 * resume and input streams. The result stream is in routes-results-stream.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import type { z } from "zod";
import type { ErrorJson } from "../core/errors.js";
import { RemoteError } from "./compile-pool.js";
import { handle } from "./compile-worker.js";
import { ServiceError } from "./errors.js";
import { requireInput, type RouteContext } from "./route-context.js";
import { FINAL, type JobJson, type JobListQuerySchema, type SubmitJobRequestSchema } from "./schemas.js";
import type { JobRecord } from "./store/types.js";

function jobJson(j: JobRecord, position: number): JobJson {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    cluster: j.cluster,
    priority: j.priority,
    user_added: j.user,
    time_added: j.timeAdded,
    position_in_queue: position,
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
    const requestHash = createHash("sha256").update(JSON.stringify(req.body)).digest("hex");
    // a small compiled schedule is checked here (≈0.1 ms: cheaper than a thread hop); schedules compile,
    // and large compiled schedules are checked, on the worker threads
    const small = Number(req.headers["content-length"] ?? Infinity) <= INLINE_CHECK_BYTES;
    const checked =
      b.compiled !== undefined
        ? small
          ? checkInline(b.compiled)
          : await pool.run({ op: "check", compiled: b.compiled })
        : await pool.run({
            op: "compile",
            schedule: b.schedule,
            hardware: b.hardware,
            ...(b.device !== undefined ? { device: b.device } : {}),
            verify: false,
          });
    const { job, created } = await store.submit({
      id: randomUUID(),
      name: b.name ?? (JSON.parse(checked.text) as { name?: string }).name ?? "job",
      cluster,
      user: user(req),
      priority: b.priority ?? 0,
      idempotencyKey: key,
      requestHash,
      compiled: checked.text,
    });
    if (created) {
      await backend.emit(job.id, "status", { status: "pending" });
      await backend.enqueue(job);
    }
    void reply.code(created ? 201 : 200);
    const cur = (await store.get(job.id)) ?? job;
    return { id: cur.id, status: cur.status, position_in_queue: await store.position(cur) };
  });

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

  route("/v1/jobs/:id/results", "GET", async (req) => {
    const j = await loadJob((req.params as { id: string }).id);
    if (j.status !== "completed")
      throw new ServiceError(
        409,
        "RESULTS_NOT_AVAILABLE",
        `job ${j.id} is ${j.status}${j.error ? `: ${j.error.message}` : ""}`,
        {
          path: `/v1/jobs/${j.id}`,
          hint: FINAL.has(j.status)
            ? "a canceled or failed job has no results; see its execution report"
            : "wait for completion, or follow GET /v1/jobs/:id/results/stream",
        },
      );
    const text = await store.results(j.id);
    return { id: j.id, status: j.status, dataset: JSON.parse(text ?? "null") as unknown };
  });

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
    await backend.resume(j);
    return jobJson(await loadJob(j.id), -1);
  });

  route("/v1/jobs/:id/input-streams/:name", "POST", async (req) => {
    const p = req.params as { id: string; name: string };
    const j = await loadJob(p.id);
    mayModify(req, j);
    await backend.pushToInputStream(j, p.name, (req.body as { values: number[] }).values);
    return jobJson(await loadJob(j.id), -1);
  });
}

const INLINE_CHECK_BYTES = 64 * 1024;

function checkInline(compiled: unknown): { text: string; hash: string; ms: number } {
  const r = handle({ id: 0, op: "check", compiled });
  if (r.ok) return { text: r.text, hash: r.hash, ms: r.ms };
  if (r.internal) throw new Error(String(r.error.message));
  throw new RemoteError(r.error as unknown as ErrorJson);
}
