/**
 * Job states and the typed errors of the job API. The status strings are Quantum Machines' job
 * statuses (job-api seed), so a client written against QM's `job.status` reads q1forge's unchanged.
 */
import { InstrumentError, UsageError } from "../../core/errors.js";

export const JOB_STATUSES = ["unknown", "pending", "loading", "running", "completed", "canceled", "error"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States a job never leaves. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["completed", "canceled", "error"]);

/** `waitForExecution` / `waitForValues` / `wait` ran out of time (code JOB_TIMEOUT). */
export class JobTimeoutError extends InstrumentError {
  constructor(message: string, opts: { path?: string | null; hint?: string | null } = {}) {
    super("JOB_TIMEOUT", message, opts);
  }
}

/**
 * Seconds (as the QM API takes them) → ms; undefined = wait forever, ≤ 0 = check once. Anything
 * that is not a number (NaN, null, a string, …) is a USAGE error (path `timeout`), which `waitFor`
 * rejects with.
 */
export function timeoutMs(timeout: unknown): number | UsageError {
  if (timeout === undefined) return Number.POSITIVE_INFINITY;
  if (typeof timeout !== "number" || Number.isNaN(timeout))
    return new UsageError(`timeout must be a number of seconds, got ${describe(timeout)}`, {
      path: "timeout",
      hint: "pass { timeout: <seconds> } (0 checks once), or leave it out to wait without a limit",
    });
  return timeout <= 0 ? 0 : timeout * 1000;
}
function describe(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  return v === null ? "null" : typeof v;
}

/** Resolve when `ready()` holds (re-checked on every `signal`), reject with `onTimeout()` after `ms`. */
export function waitFor<T>(
  subscribe: (wake: () => void) => () => void,
  ready: () => T | undefined,
  ms: number | Error,
  onTimeout: () => Error,
): Promise<T> {
  if (ms instanceof Error) return Promise.reject(ms);
  let now: T | undefined;
  try {
    now = ready();
  } catch (e) {
    return Promise.reject(e as Error);
  }
  if (now !== undefined) return Promise.resolve(now);
  if (ms <= 0) return Promise.reject(onTimeout());
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const unsubscribe = subscribe(() => {
      let v: T | undefined;
      try {
        v = ready();
      } catch (e) {
        finish();
        reject(e);
        return;
      }
      if (v === undefined) return;
      finish();
      resolve(v);
    });
    const finish = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
    if (Number.isFinite(ms))
      timer = setTimeout(() => {
        finish();
        reject(onTimeout());
      }, ms);
  });
}
