/**
 * Request and response bodies of the HTTP service as zod schemas: the single source of the
 * JSON Schemas fastify validates with and of the OpenAPI document (GET /openapi.json).
 * JSON names are snake_case. Schedules, hardware configs and compiled schedules are referenced by
 * the package's own schemas (schemas/*.schema.json), generated from their zod schemas.
 */
import { z } from "zod";
import { CompiledScheduleSchema } from "../contract/compiled-schedule.js";

/** Job statuses: the strings of the jobs API (Quantum Machines' job lifecycle). */
export const JOB_STATUSES = ["unknown", "pending", "loading", "running", "completed", "canceled", "error"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL: ReadonlySet<JobStatus> = new Set(["completed", "canceled", "error"]);

export const ErrorSchema = z
  .object({
    error: z.string(),
    code: z.string(),
    message: z.string(),
    path: z.string().nullable(),
    hint: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe("a typed q1forge error");

const AnyJson = z.unknown();

export const CompileRequestSchema = z
  .object({
    schedule: AnyJson.describe("q1forge schedule JSON or a quantify Schedule JSON (schemas/schedule.schema.json)"),
    hardware: AnyJson.optional().describe(
      "quantify hardware compilation config (schemas/hardware-config.schema.json); optional when the service was started with --hardware",
    ),
    device: AnyJson.optional().describe("quantify QuantumDevice JSON (gate-level schedules)"),
    verify: z.boolean().optional().describe("run every compiled program in the emulator first"),
  })
  .strict();

export const CompileResponseSchema = z.object({
  compiled: AnyJson.describe("schemas/compiled-schedule.schema.json"),
  compile_ms: z.number(),
});

export const SimulateRequestSchema = z
  .object({
    schedule: AnyJson.optional(),
    hardware: AnyJson.optional(),
    device: AnyJson.optional(),
    compiled: AnyJson.optional(),
  })
  .strict()
  .describe("schedule + hardware (compiled first), or compiled");

export const SimulateResponseSchema = z.object({
  end_time_ns: z.record(z.string(), z.number()),
  sequencers: z.array(
    z.object({
      cluster: z.string(),
      module: z.string(),
      sequencer: z.string(),
      state: z.string(),
      flags: z.array(z.string()),
      end_time_ns: z.number(),
    }),
  ),
  acquisitions: z.record(z.string(), AnyJson),
  events: z.number().int(),
});

export const SubmitJobRequestSchema = z
  .object({
    schedule: AnyJson.optional(),
    hardware: AnyJson.optional(),
    device: AnyJson.optional(),
    compiled: AnyJson.optional(),
    cluster: z.string().optional().describe("cluster name (GET /v1/clusters); default: the only one"),
    priority: z.number().int().min(0).max(9).optional().describe("0..9, higher runs sooner; default 0"),
    name: z.string().max(200).optional(),
  })
  .strict()
  .describe("schedule + hardware, or compiled");

export const SubmitJobResponseSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  position_in_queue: z
    .number()
    .int()
    .describe("1 for the next job to run (as job.positionInQueue()); -1 when no longer pending"),
});

export const StatusChangeSchema = z.object({
  status: z.enum(JOB_STATUSES),
  time: z.string(),
  reason: z.string().nullable(),
});

export const ProvenanceSchema = z.object({
  compiled_hash: z.string(),
  compiler_version: z.string(),
  format_version: z.string().nullable(),
  instrument: z
    .object({
      cluster: z.string(),
      address: z.string(),
      identity: z.record(z.string(), z.unknown()).nullable(),
    })
    .nullable(),
  timings_ms: z.record(z.string(), z.number()),
  executor: z.string().nullable(),
});

export const JobSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  cluster: z.string(),
  priority: z.number().int(),
  user_added: z.string(),
  time_added: z.string(),
  position_in_queue: z.number().int(),
  status_history: z.array(StatusChangeSchema),
  error: ErrorSchema.nullable(),
  provenance: ProvenanceSchema.nullable(),
});
export type JobJson = z.infer<typeof JobSchema>;

export const JobListSchema = z.object({ jobs: z.array(JobSchema) });

export const JobListQuerySchema = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    user: z.string().optional(),
    cluster: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(10000).optional(),
  })
  .strict();

export const CancelResponseSchema = z.object({ id: z.string(), canceled: z.boolean(), status: z.enum(JOB_STATUSES) });

/** xarray's `Dataset.to_dict()` layout, loadable with `xarray.Dataset.from_dict`. */
export const DatasetDictSchema = z.object({
  coords: z.record(z.string(), z.unknown()),
  attrs: z.record(z.string(), z.unknown()),
  dims: z.record(z.string(), z.number().int()),
  data_vars: z.record(
    z.string(),
    z.object({ dims: z.array(z.string()), data: z.unknown(), attrs: z.record(z.string(), z.unknown()) }),
  ),
});

export const ResultsQuerySchema = z
  .object({
    wait: z.coerce
      .number()
      .min(0)
      .max(600)
      .optional()
      .describe("seconds to wait for the job to end first (like the jobs API's job.results({ timeout })); default 0"),
  })
  .strict();

export const ResultsResponseSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  dataset: DatasetDictSchema,
});

export const ExecutionReportSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  has_errors: z.boolean(),
  entries: z
    .array(z.record(z.string(), z.unknown()))
    .describe(
      "per sequencer with flags: cluster, module, slot, sequencer, port_clock, severity, flags, log, line, operation",
    ),
  error: ErrorSchema.nullable(),
  provenance: ProvenanceSchema.nullable(),
});

export const InputStreamRequestSchema = z.object({ values: z.array(z.number()).min(1) }).strict();

export const ClusterInfoSchema = z.object({
  name: z.string(),
  address: z.string(),
  virtual: z.boolean(),
  identity: z.record(z.string(), z.unknown()),
  system_state: z.object({ status: z.string(), flags: z.array(z.string()) }),
  modules: z.array(z.object({ slot: z.number().int(), type: z.string() })),
  idle_values: z.record(z.string(), z.unknown()),
  pending_jobs: z.number().int(),
});

export const ClusterListSchema = z.object({ clusters: z.array(ClusterInfoSchema) });

export const HealthSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  /** the store's kind only (/healthz needs no token) */
  store: z.enum(["sqlite", "redis"]),
  uptime_s: z.number(),
});

export { CompiledScheduleSchema };

/** JSON Schema (draft 2020-12 without $schema, as fastify's ajv takes it) of a zod schema. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { unrepresentable: "any", io, target: "draft-7" }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}
