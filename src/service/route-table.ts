/**
 * The service's route table (method, url, summary and the zod schemas of body, query and response)
 * and the OpenAPI document built from it (GET /openapi.json).
 */
import type { z } from "zod";
import {
  CancelResponseSchema,
  ClusterListSchema,
  CompileRequestSchema,
  CompileResponseSchema,
  ErrorSchema,
  ExecutionReportSchema,
  HealthSchema,
  InputStreamRequestSchema,
  JobListQuerySchema,
  JobListSchema,
  JobSchema,
  jsonSchema,
  ResultsQuerySchema,
  ResultsResponseSchema,
  SimulateRequestSchema,
  SimulateResponseSchema,
  SubmitJobRequestSchema,
  SubmitJobResponseSchema,
} from "./schemas.js";
import { SERVICE_VERSION } from "./version.js";

export interface Route {
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

export const ROUTES: Route[] = [
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
    summary: "final results (xarray Dataset.to_dict layout); ?wait=S waits up to S seconds for the job to end",
    query: ResultsQuerySchema,
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
