/**
 * Resume and input-stream requests for a running job (POST /v1/jobs/:id/resume and
 * /v1/jobs/:id/input-streams/:name), applied to the session job by whoever executes it: the
 * single-process backend directly, or — with Redis — the worker serving the job's Cluster, which
 * receives them on the control channel and answers on the front-end's reply channel. Errors of the
 * jobs API become typed HTTP errors with the service's paths.
 */
import { Q1ForgeError, type ErrorJson } from "../core/errors.js";
import { ServiceError } from "./errors.js";
import type { ClusterExecutor } from "./executor.js";

export type ControlOp = { op: "resume" } | { op: "input"; name: string; values: number[] };

const STATUS_OF: Record<string, number> = {
  JOB_NOT_RUNNING: 409,
  JOB_NOT_PAUSED: 409,
  UNSUPPORTED: 422,
  INPUT_SIZE: 422,
};

const routeOf = (jobId: string, op: ControlOp) =>
  op.op === "resume" ? `/v1/jobs/${jobId}/resume` : `/v1/jobs/${jobId}/input-streams/${op.name}`;

export function notRunning(jobId: string, status: string, op: ControlOp): ServiceError {
  return new ServiceError(
    409,
    "JOB_NOT_RUNNING",
    `job ${jobId} is ${status}, not running: it cannot take ${op.op === "resume" ? "a resume" : `values for input stream "${op.name}"`}`,
    {
      path: routeOf(jobId, op),
      hint:
        status === "pending"
          ? "wait until the job is loading or running (GET /v1/jobs/:id or its result stream), then send it again"
          : "resume and input streams apply to a running job only",
    },
  );
}

/** Apply `op` to the executor's running job (the service job `jobId`); throws typed ServiceErrors. */
export function applyControl(executor: ClusterExecutor, jobId: string, op: ControlOp): void {
  try {
    if (op.op === "resume") {
      if (!executor.resume())
        throw new ServiceError(409, "JOB_NOT_PAUSED", `job ${jobId} is running but not paused at a pause point`, {
          path: routeOf(jobId, op),
          hint: 'resume a job once it waits at a Pause point (its result stream sends a "paused" event)',
        });
    } else executor.pushToInputStream(op.name, op.values);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    if (e instanceof Q1ForgeError)
      throw new ServiceError(STATUS_OF[e.code] ?? 422, e.code, e.message.replace(/job \S+/, `job ${jobId}`), {
        path: routeOf(jobId, op),
        hint: e.hint,
      });
    throw e;
  }
}

/** The control error as it travels from a worker to a front-end. */
export function controlErrorJson(e: unknown): { status: number; error: ErrorJson } {
  if (e instanceof ServiceError) return { status: e.statusCode, error: e.toJSON() };
  if (e instanceof Q1ForgeError) return { status: 422, error: e.toJSON() };
  return {
    status: 500,
    error: {
      error: "InternalError",
      code: "INTERNAL",
      message: e instanceof Error ? e.message : String(e),
      path: null,
      hint: "this is a q1forge bug; the worker log has the details",
    },
  };
}

export function controlErrorFrom(j: { status: number; error: ErrorJson }): ServiceError {
  return new ServiceError(j.status, j.error.code, j.error.message, {
    path: j.error.path,
    hint: j.error.hint,
    ...(j.error.details ? { details: j.error.details } : {}),
  });
}
