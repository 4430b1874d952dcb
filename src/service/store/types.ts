/**
 * What the service keeps about jobs, and the store interface the embedded (SQLite) and the
 * scale-out (Redis) backends implement. Records are camelCase inside; routes render snake_case.
 */
import type { ErrorJson } from "../../core/errors.js";
import type { JobStatus } from "../schemas.js";

export interface StatusChange {
  status: JobStatus;
  time: string;
  reason: string | null;
}

export interface Provenance {
  compiled_hash: string;
  compiler_version: string;
  format_version: string | null;
  instrument: { cluster: string; address: string; identity: Record<string, unknown> | null } | null;
  timings_ms: Record<string, number>;
  executor: string | null;
}

export interface JobRecord {
  id: string;
  /** submission order, unique per store */
  seq: number;
  name: string;
  cluster: string;
  user: string;
  priority: number;
  /** fairness round: a user's k-th queued job on a cluster is in round (cluster round at submit) + k */
  round: number;
  status: JobStatus;
  timeAdded: string;
  idempotencyKey: string | null;
  requestHash: string;
  history: StatusChange[];
  error: ErrorJson | null;
  provenance: Provenance | null;
}

export interface NewJob {
  id: string;
  name: string;
  cluster: string;
  user: string;
  priority: number;
  idempotencyKey: string | null;
  requestHash: string;
  /** the compiled schedule as JSON text */
  compiled: string;
}

export interface JobEvent {
  id: number;
  event: string;
  data: string;
}

/** What a status change also writes, atomically with it where the store can (SQLite: one transaction). */
export interface TransitionPatch {
  error?: ErrorJson | null;
  provenance?: Provenance | null;
  /** an event appended to the job's stream with the change */
  event?: { event: string; data: unknown };
  /** the final results (xarray dict JSON, "null" when none) and execution report JSON */
  outcome?: { dataset: string; report: string };
}

export interface JobFilter {
  status?: JobStatus;
  user?: string;
  cluster?: string;
  limit?: number;
}

export interface JobStore {
  readonly kind: "sqlite" | "redis";
  /**
   * Insert a job with its first stream event (`status: pending`), or return the existing one of the
   * same user and Idempotency-Key (created false).
   */
  submit(job: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | null>;
  /** the job `user` submitted with this Idempotency-Key, if any (submit() decides atomically; this lets a route answer early) */
  byIdempotencyKey(user: string, key: string): Promise<JobRecord | null>;
  /** just the status (null for an unknown job) */
  status(id: string): Promise<JobStatus | null>;
  list(filter: JobFilter): Promise<JobRecord[]>;
  compiled(id: string): Promise<string | null>;
  /** 0-based place among the cluster's pending jobs in execution order; -1 when not pending */
  position(job: JobRecord): Promise<number>;
  pendingCount(cluster: string): Promise<number>;
  /**
   * Move a job from one of `from` to `to` atomically, with the patch (error, provenance, a stream
   * event, the outcome) written only when the change happens; null when it was in none of them.
   */
  transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    reason?: string | null,
    patch?: TransitionPatch,
  ): Promise<JobRecord | null>;
  saveOutcome(id: string, dataset: string, report: string): Promise<void>;
  /**
   * A job that ended without the runner's transition (canceled while it ran, halted at shutdown):
   * store the provenance and execution report of what did run, only if the job is still `status`.
   * No results: a run that did not finish produced none. Returns whether it was written.
   */
  recordEnded(id: string, status: JobStatus, provenance: Provenance, report: string): Promise<boolean>;
  results(id: string): Promise<string | null>;
  report(id: string): Promise<string | null>;
  appendEvent(id: string, event: string, data: unknown): Promise<number>;
  eventsAfter(id: string, after: number): Promise<JobEvent[]>;
  /** jobs left `loading` / `running` by a process that died → `error` with `reason`; returns their ids */
  failInterrupted(reason: string, cluster?: string): Promise<string[]>;
  close(): Promise<void>;
}

export const nowIso = (): string => new Date().toISOString();
