/**
 * The session's job queue (QM's `qm.queue`): pending jobs in order; the session runs the head.
 * Every job ever added stays findable by id (getJob) until the session closes.
 */
import type { Job } from "./job.js";

export interface QueueAddOptions {
  /** per-job idle-value overrides (session config layout), for this job only */
  controllerConfig?: unknown;
  /** recorded as the job's userAdded (default: the session's user) */
  user?: string;
}

export class JobQueue {
  private readonly pending: Job[] = [];
  private readonly all = new Map<string, Job>();
  private readonly adder: (what: unknown, opts: QueueAddOptions) => Job;

  /** @internal the session creates the queue; `adder` builds and validates a job */
  constructor(adder: (what: unknown, opts: QueueAddOptions) => Job) {
    this.adder = adder;
  }

  /** Add a compiled schedule (or a schedule, compiled when it loads) behind the pending jobs. */
  add(compiledOrSchedule: unknown, opts: QueueAddOptions = {}): Job {
    return this.adder(compiledOrSchedule, opts);
  }

  /** Number of pending jobs. */
  get count(): number {
    return this.pending.length;
  }

  /** Pending jobs, next first. */
  pendingJobs(): Job[] {
    return [...this.pending];
  }

  /** Any job of this session by id (pending, running or ended), or null. */
  getJob(id: string): Job | null {
    return this.all.get(id) ?? null;
  }

  /** The pending job at 1-based `position`, or null. */
  getAt(position: number): Job | null {
    return this.pending[position - 1] ?? null;
  }

  /** Cancel every pending job; returns how many were removed. */
  clear(): number {
    let n = 0;
    for (const j of [...this.pending]) if (j.cancel()) n++;
    return n;
  }

  // --- for the session ----------------------------------------------------------------------------

  /** @internal */
  push(job: Job): void {
    this.pending.push(job);
    this.all.set(job.id, job);
  }
  /** @internal */
  shift(): Job | undefined {
    return this.pending.shift();
  }
  /** @internal 1-based position, −1 if not pending */
  positionOf(job: Job): number {
    const i = this.pending.indexOf(job);
    return i < 0 ? -1 : i + 1;
  }
  /** @internal */
  remove(job: Job): boolean {
    const i = this.pending.indexOf(job);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }
}
