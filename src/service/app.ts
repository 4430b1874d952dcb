/**
 * The HTTP service (fastify): versioned routes under /v1, bearer-token auth on every route but
 * /healthz, per-user rate limits, body size limits, request and response validation against the
 * JSON Schemas generated from the zod schemas in schemas.ts, and the OpenAPI document built from
 * the same route table (GET /openapi.json). Every error answers as a typed JSON error
 * (`code`, `path`, `hint`), never with a stack trace.
 */
import { createHash, randomUUID } from "node:crypto";
import { Ajv } from "ajv";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { z } from "zod";
import { SchemaValidationError, type ErrorJson } from "../core/errors.js";
import type { Backend } from "./backend.js";
import { RemoteError, type CompilePool } from "./compile-pool.js";
import { handle } from "./compile-worker.js";
import { errorResponse, notFound, ServiceError } from "./errors.js";
import { RateLimiter, type TokenEntry, type TokenTable } from "./auth.js";
import {
  CancelResponseSchema,
  ClusterListSchema,
  CompileRequestSchema,
  CompileResponseSchema,
  ErrorSchema,
  ExecutionReportSchema,
  FINAL,
  HealthSchema,
  InputStreamRequestSchema,
  JobListQuerySchema,
  JobListSchema,
  JobSchema,
  jsonSchema,
  ResultsResponseSchema,
  SimulateRequestSchema,
  SimulateResponseSchema,
  SubmitJobRequestSchema,
  SubmitJobResponseSchema,
  type JobJson,
} from "./schemas.js";
import type { JobRecord } from "./store/types.js";
import { SERVICE_VERSION } from "./version.js";

export interface AppOptions {
  backend: Backend;
  pool: CompilePool;
  tokens: TokenTable;
  /** hardware config used when a compile / simulate / job request sends none (serve --hardware) */
  defaultHardware?: unknown;
  /** maximum request body in bytes (default 32 MiB) */
  bodyLimit?: number;
  /** per-user requests per second and burst (default 200/s, burst 2000) */
  rateLimit?: { perSecond: number; burst: number };
  /** server-side log lines (errors with stacks go here, never into responses) */
  log?: (line: string) => void;
}

interface Route {
  method: "GET" | "POST" | "DELETE";
  url: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** content type of a non-JSON 200 response */
  produces?: string;
  auth?: boolean;
  status?: number;
}

const ROUTES: Route[] = [
  { method: "GET", url: "/healthz", summary: "liveness (no token needed)", response: HealthSchema, auth: false },
  { method: "GET", url: "/openapi.json", summary: "this OpenAPI document" },
  {
    method: "POST",
    url: "/v1/compile",
    summary: "compile a schedule for a hardware config",
    body: CompileRequestSchema,
    response: CompileResponseSchema,
  },
  {
    method: "POST",
    url: "/v1/simulate",
    summary: "emulate a schedule (or compiled schedule) and return its acquisitions and sequencer states",
    body: SimulateRequestSchema,
    response: SimulateResponseSchema,
  },
  {
    method: "POST",
    url: "/v1/jobs",
    summary: "queue a job (schedule + hardware, or compiled); an Idempotency-Key header makes resubmission safe",
    body: SubmitJobRequestSchema,
    response: SubmitJobResponseSchema,
    status: 201,
  },
  { method: "GET", url: "/v1/jobs", summary: "list jobs", query: JobListQuerySchema, response: JobListSchema },
  { method: "GET", url: "/v1/jobs/:id", summary: "one job with its status history", response: JobSchema },
  {
    method: "DELETE",
    url: "/v1/jobs/:id",
    summary: "cancel a pending job or halt a running one",
    response: CancelResponseSchema,
  },
  {
    method: "GET",
    url: "/v1/jobs/:id/results",
    summary: "final results (xarray Dataset.to_dict layout)",
    response: ResultsResponseSchema,
  },
  {
    method: "GET",
    url: "/v1/jobs/:id/results/stream",
    summary: "Server-Sent Events: status, bins and end; resumable with Last-Event-ID",
    produces: "text/event-stream",
  },
  { method: "POST", url: "/v1/jobs/:id/resume", summary: "resume a job paused at a pause point", response: JobSchema },
  {
    method: "POST",
    url: "/v1/jobs/:id/input-streams/:name",
    summary: "push values to an input stream of a running job",
    body: InputStreamRequestSchema,
    response: JobSchema,
  },
  {
    method: "GET",
    url: "/v1/jobs/:id/execution-report",
    summary: "runtime errors and sequencer states of a finished job, with its provenance",
    response: ExecutionReportSchema,
  },
  {
    method: "GET",
    url: "/v1/clusters",
    summary: "clusters: identity, system state and flags, idle values",
    response: ClusterListSchema,
  },
  { method: "GET", url: "/v1/healthz", summary: "liveness (no token needed)", response: HealthSchema, auth: false },
];

/** The OpenAPI 3.1 document of the service, from the route table and the zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.url.replace(/:(\w+)/g, "{$1}");
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const headers: unknown[] = [];
    if (r.url === "/v1/jobs" && r.method === "POST")
      headers.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        schema: { type: "string", maxLength: 200 },
      });
    if (r.produces === "text/event-stream")
      headers.push({ name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" } });
    const query = r.query
      ? Object.entries((jsonSchema(r.query).properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: "query",
          required: false,
          schema,
        }))
      : [];
    const ok = r.produces
      ? { description: "OK", content: { [r.produces]: { schema: { type: "string" } } } }
      : {
          description: "OK",
          content: { "application/json": { schema: r.response ? jsonSchema(r.response, "output") : {} } },
        };
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = {
      summary: r.summary,
      ...(params.length + headers.length + query.length ? { parameters: [...params, ...headers, ...query] } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body) } } } }
        : {}),
      responses: {
        [String(r.status ?? 200)]: ok,
        ...(r.status === 201
          ? { "200": { ...ok, description: "an Idempotency-Key replay: the job already queued" } }
          : {}),
        default: {
          description: "a typed error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      ...(r.auth === false ? { security: [] } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "q1forge orchestration service", version: SERVICE_VERSION },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { Error: jsonSchema(ErrorSchema, "output") },
    },
    paths,
  };
}

declare module "fastify" {
  interface FastifyRequest {
    principal: TokenEntry | null;
  }
}

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

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { backend, pool, tokens } = opts;
  const store = backend.store;
  const limiter = new RateLimiter(opts.rateLimit?.perSecond ?? 200, opts.rateLimit?.burst ?? 2000);
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  const queryAjv = new Ajv({ allErrors: false, strict: false, coerceTypes: true });

  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 32 * 1024 * 1024,
    logger: false,
    return503OnClosing: true,
  });
  app.decorateRequest("principal", null);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const v = (httpPart === "querystring" ? queryAjv : ajv).compile(schema);
    return (data: unknown) =>
      v(data)
        ? { value: data }
        : { error: Object.assign(new Error("invalid"), { validation: v.errors, part: httpPart }) };
  });
  // responses are validated against the published schema before they are sent
  app.setSerializerCompiler(({ schema, url }) => {
    const v = ajv.compile(schema);
    return (data: unknown) => {
      if (!v(data)) {
        log(`response of ${url} does not match its schema: ${JSON.stringify(v.errors?.slice(0, 3))}`);
        throw new ServiceError(500, "RESPONSE_INVALID", `the response of ${url} does not match its published schema`, {
          hint: "this is a q1forge bug; the server log has the details",
        });
      }
      return JSON.stringify(data);
    };
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    const e = err as {
      validation?: { instancePath?: string; message?: string; params?: unknown }[];
      part?: string;
      code?: string;
      statusCode?: number;
    };
    let body: ErrorJson;
    let status: number;
    if (e.validation) {
      const issues = e.validation.map((i) => ({
        path: i.instancePath || "/",
        message: `${i.message ?? "invalid"} ${i.params ? JSON.stringify(i.params) : ""}`.trim(),
      }));
      const first = issues[0]!;
      const where = e.part === "querystring" ? "query" : e.part === "params" ? "params" : "body";
      const se = new SchemaValidationError(`request ${where} is invalid at ${first.path}: ${first.message}`, issues, {
        path: `${where}${first.path === "/" ? "" : first.path}`,
        hint: "see GET /openapi.json for the request schema",
      });
      ({ status, body } = { status: 400, body: se.toJSON() });
    } else if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      status = 413;
      body = new ServiceError(
        413,
        "BODY_TOO_LARGE",
        `request body larger than the limit of ${app.initialConfig.bodyLimit} bytes`,
        {
          path: "body",
          hint: "send a smaller body (compile large schedules locally and submit the compiled schedule), or raise the limit",
        },
      ).toJSON();
    } else if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      status = 415;
      body = new ServiceError(415, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json", {
        path: "Content-Type",
        hint: "send Content-Type: application/json",
      }).toJSON();
    } else if (
      e.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
      (e.statusCode === 400 && e instanceof SyntaxError)
    ) {
      status = 400;
      body = new ServiceError(400, "INPUT_PARSE", "request body is not valid JSON", {
        path: "body",
        hint: "send a JSON object",
      }).toJSON();
    } else {
      ({ status, body } = errorResponse(err));
      if (status === 500) log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    if (status === 429)
      void reply.header(
        "retry-after",
        String((body.details as { retry_after_s?: number } | undefined)?.retry_after_s ?? 1),
      );
    void reply.code(status).type("application/json").serializer(JSON.stringify).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(
      new ServiceError(404, "ROUTE_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`, {
        path: req.url.split("?")[0] ?? null,
        hint: "see GET /openapi.json for the routes",
      }).toJSON(),
    );
  });

  const open = new Set(ROUTES.filter((r) => r.auth === false).map((r) => r.url));
  app.addHook("onRequest", async (req) => {
    const url = req.url.split("?")[0]!;
    if (open.has(url)) return;
    const h = req.headers.authorization;
    const m = typeof h === "string" ? h.match(/^Bearer\s+(\S+)$/i) : null;
    if (!m)
      throw new ServiceError(401, "UNAUTHORIZED", "missing bearer token", {
        path: "Authorization",
        hint: "send the header Authorization: Bearer <token> (tokens come from the service's --tokens file or Q1FORGE_TOKENS)",
      });
    const who = tokens.lookup(m[1]!);
    if (!who)
      throw new ServiceError(401, "UNAUTHORIZED", "unknown bearer token", {
        path: "Authorization",
        hint: "check the token against the service's tokens file",
      });
    req.principal = who;
    const wait = limiter.take(who.user);
    if (wait > 0)
      throw new ServiceError(
        429,
        "RATE_LIMITED",
        `user "${who.user}" exceeded ${limiter.rate} requests/s (burst ${limiter.burst})`,
        {
          path: "Authorization",
          hint: `retry after ${wait} s`,
          details: { retry_after_s: wait },
        },
      );
  });

  const user = (req: FastifyRequest) => req.principal!.user;
  const withHardware = <T extends { schedule?: unknown; hardware?: unknown }>(b: T): T =>
    b.schedule !== undefined && b.hardware === undefined && opts.defaultHardware !== undefined
      ? { ...b, hardware: opts.defaultHardware }
      : b;
  const loadJob = async (id: string) => {
    const j = await store.get(id);
    if (!j) throw notFound(id);
    return j;
  };
  const mayModify = (req: FastifyRequest, j: JobRecord) => {
    if (req.principal!.admin || req.principal!.user === j.user) return;
    throw new ServiceError(
      403,
      "FORBIDDEN",
      `job ${j.id} belongs to user "${j.user}"; "${req.principal!.user}" may not change it`,
      {
        path: `/v1/jobs/${j.id}`,
        hint: "only the user who submitted a job (or an admin token) can cancel, resume or feed it",
      },
    );
  };
  const schemaOf = (r: Route) => ({
    ...(r.body ? { body: jsonSchema(r.body) } : {}),
    ...(r.query ? { querystring: jsonSchema(r.query) } : {}),
    ...(r.response
      ? {
          response: {
            [String(r.status ?? 200)]: jsonSchema(r.response, "output"),
            ...(r.status === 201 ? { 200: jsonSchema(r.response, "output") } : {}),
          },
        }
      : {}),
  });
  const route = (
    url: string,
    method: Route["method"],
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) => {
    const r = ROUTES.find((x) => x.url === url && x.method === method)!;
    app.route({ method, url, schema: schemaOf(r), handler });
  };

  const health = async () => ({
    ok: true,
    version: SERVICE_VERSION,
    store: backend.storeLabel,
    uptime_s: (Date.now() - started) / 1000,
  });
  route("/healthz", "GET", health);
  route("/v1/healthz", "GET", health);
  const doc = openApiDocument();
  route("/openapi.json", "GET", async () => doc);

  route("/v1/compile", "POST", async (req) => {
    const b = withHardware(req.body as z.infer<typeof CompileRequestSchema>);
    const r = await pool.run({
      op: "compile",
      schedule: b.schedule,
      hardware: b.hardware,
      ...(b.device !== undefined ? { device: b.device } : {}),
      verify: b.verify ?? false,
    });
    return { compiled: JSON.parse(r.text) as unknown, compile_ms: Math.round(r.ms * 1000) / 1000 };
  });

  route("/v1/simulate", "POST", async (req) => {
    const b = withHardware(req.body as z.infer<typeof SimulateRequestSchema>);
    requireInput(b);
    const r = await pool.run(
      b.compiled !== undefined
        ? { op: "simulate", compiled: b.compiled }
        : {
            op: "simulate",
            schedule: b.schedule,
            hardware: b.hardware,
            ...(b.device !== undefined ? { device: b.device } : {}),
          },
    );
    return JSON.parse(r.text) as unknown;
  });

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

  route("/v1/clusters", "GET", async () => {
    const list = await backend.clusters();
    const clusters = [];
    for (const c of list) clusters.push({ ...c, pending_jobs: await store.pendingCount(c.name) });
    return { clusters };
  });

  route("/v1/jobs/:id/results/stream", "GET", async (req, reply) => {
    const j = await loadJob((req.params as { id: string }).id);
    const h = req.headers["last-event-id"];
    const q = (req.query as { last_event_id?: string }).last_event_id;
    const lastText = typeof h === "string" ? h : q;
    let last = 0;
    if (lastText !== undefined) {
      last = Number(lastText);
      if (!/^\d+$/.test(lastText))
        throw new ServiceError(400, "BAD_LAST_EVENT_ID", `Last-Event-ID "${lastText}" is not an event id`, {
          path: "Last-Event-ID",
          hint: "send the id of the last event you received (a non-negative integer), or omit it",
        });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    let closed = false;
    let wake: (() => void) | null = null;
    // set by every notification, so one that arrives while events are being read is not lost
    let dirty = false;
    const notify = () => {
      dirty = true;
      wake?.();
    };
    req.raw.on("close", () => {
      closed = true;
      notify();
    });
    const unsubscribe = backend.subscribe(j.id, notify);
    let lastBeat = Date.now();
    try {
      for (;;) {
        dirty = false;
        const events = await store.eventsAfter(j.id, last);
        let ended = false;
        for (const e of events) {
          res.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`);
          last = e.id;
          if (e.event === "end") ended = true;
        }
        if (ended || closed) break;
        if (events.length === 0) {
          const cur = await store.get(j.id);
          // a job that ended without an end event (interrupted by a restart): close with its status
          if (cur && FINAL.has(cur.status) && (await store.eventsAfter(j.id, last)).length === 0) {
            res.write(`event: end\ndata: ${JSON.stringify({ status: cur.status, error: cur.error })}\n\n`);
            break;
          }
        }
        if (Date.now() - lastBeat > 15_000) {
          res.write(": keep-alive\n\n");
          lastBeat = Date.now();
        }
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 200);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unsubscribe();
      res.end();
    }
  });

  return app;
}

const INLINE_CHECK_BYTES = 64 * 1024;

function checkInline(compiled: unknown): { text: string; hash: string; ms: number } {
  const r = handle({ id: 0, op: "check", compiled });
  if (r.ok) return { text: r.text, hash: r.hash, ms: r.ms };
  if (r.internal) throw new Error(String(r.error.message));
  throw new RemoteError(r.error as unknown as ErrorJson);
}

function requireInput(b: { schedule?: unknown; hardware?: unknown; compiled?: unknown }): void {
  if (b.compiled !== undefined) {
    if (b.schedule !== undefined || b.hardware !== undefined)
      throw new ServiceError(400, "AMBIGUOUS_INPUT", "send either compiled, or schedule + hardware, not both", {
        path: "body",
        hint: "drop compiled to compile on the server, or drop schedule and hardware",
      });
    return;
  }
  if (b.schedule === undefined || b.hardware === undefined)
    throw new ServiceError(400, "MISSING_INPUT", `missing ${b.schedule === undefined ? "schedule" : "hardware"}`, {
      path: `body/${b.schedule === undefined ? "schedule" : "hardware"}`,
      hint: "send schedule + hardware (compiled on the server), or compiled (from POST /v1/compile)",
    });
}
