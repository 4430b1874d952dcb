/**
 * What the HTTP layer needs from a deployment: the store, the clusters, and how a job reaches the
 * worker that executes it. `LocalBackend` (SQLite, one process, in-process executors) is the
 * zero-config default; `RedisBackend` (redis-backend.ts) is the BullMQ scale-out.
 */
import { EventEmitter } from "node:events";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { applyControl, notRunning, type ControlOp } from "./control.js";
import type { ClusterDescription, ClusterExecutor } from "./executor.js";
import { runClaimedJob, type EventSink } from "./runner.js";
import type { SqliteStore } from "./store/sqlite.js";
import type { JobRecord, JobStore } from "./store/types.js";

export interface ClusterEntry extends ClusterDescription {
  name: string;
  address: string;
  virtual: boolean;
}

export interface Backend extends EventSink {
  readonly store: JobStore;
  readonly storeLabel: string;
  clusterNames(): Promise<string[]>;
  clusters(): Promise<ClusterEntry[]>;
  /**
   * Refuse (throw the typed error) a compiled schedule the named cluster cannot run, before it is
   * queued; absent where the cluster is remote (Redis: the worker's session checks at execution).
   */
  checkRunnable?(cluster: string, compiled: CompiledSchedule): void;
  /** a new pending job was stored */
  enqueue(job: JobRecord): Promise<void>;
  /** halt the job if it is executing (it was already marked canceled) */
  halt(job: JobRecord): Promise<void>;
  /** resume at a pause point / values for an input stream, applied by whoever executes the job */
  control(job: JobRecord, op: ControlOp): Promise<void>;
  /** call `wake` when the job may have new events; returns the unsubscribe function */
  subscribe(id: string, wake: () => void): () => void;
  close(): Promise<void>;
}

export interface LocalCluster {
  executor: ClusterExecutor;
  virtual: boolean;
}

/** One process: a dispatcher per cluster takes the next job in fair order from SQLite and runs it. */
export class LocalBackend implements Backend {
  readonly storeLabel: string;
  private readonly bus = new EventEmitter();
  private readonly wakeups = new Map<string, () => void>();
  private readonly current = new Map<string, string>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  private paused = false;
  /** execution order as it happened (job ids), for tests and diagnostics; last 100 000 */
  readonly executionLog: { id: string; user: string; cluster: string }[] = [];

  constructor(
    readonly store: SqliteStore,
    private readonly clustersByName: Map<string, LocalCluster>,
    label: string,
  ) {
    this.storeLabel = label;
    this.bus.setMaxListeners(0);
  }

  checkRunnable(cluster: string, compiled: CompiledSchedule): void {
    this.clustersByName.get(cluster)?.executor.checkRunnable(compiled);
  }

  /** Start the dispatchers (after `failInterrupted` on the store). */
  start(): void {
    for (const name of this.clustersByName.keys()) this.loops.push(this.loop(name));
  }

  /** Hold every dispatcher before its next job (running jobs finish). */
  pause(): void {
    this.paused = true;
  }
  resumeDispatch(): void {
    this.paused = false;
    for (const w of this.wakeups.values()) w();
  }

  private async loop(name: string): Promise<void> {
    const cluster = this.clustersByName.get(name)!;
    while (!this.stopped) {
      const job = this.paused ? null : this.store.claimNext(name);
      if (!job) {
        await new Promise<void>((resolve) => this.wakeups.set(name, resolve));
        continue;
      }
      this.current.set(name, job.id);
      if (this.executionLog.length >= 100_000) this.executionLog.shift();
      this.executionLog.push({ id: job.id, user: job.user, cluster: name });
      try {
        await runClaimedJob(this.store, cluster.executor, job, this);
      } catch {
        // runClaimedJob records failures itself; a store failure here leaves the job to failInterrupted
      } finally {
        this.current.delete(name);
      }
    }
  }

  private wakeDispatcher(name: string): void {
    const w = this.wakeups.get(name);
    if (w) {
      this.wakeups.delete(name);
      w();
    }
  }

  async emit(id: string, event: string, data: unknown): Promise<void> {
    await this.store.appendEvent(id, event, data);
    this.bus.emit(id);
  }

  wake(id: string): void {
    this.bus.emit(id);
  }

  subscribe(id: string, wake: () => void): () => void {
    this.bus.on(id, wake);
    return () => this.bus.off(id, wake);
  }

  async clusterNames(): Promise<string[]> {
    return [...this.clustersByName.keys()];
  }

  async clusters(): Promise<ClusterEntry[]> {
    const out: ClusterEntry[] = [];
    for (const [name, c] of this.clustersByName)
      out.push({ name, address: c.executor.address, virtual: c.virtual, ...(await c.executor.describe()) });
    return out;
  }

  async enqueue(job: JobRecord): Promise<void> {
    this.wakeDispatcher(job.cluster);
  }

  async halt(job: JobRecord): Promise<void> {
    if (this.current.get(job.cluster) === job.id) await this.clustersByName.get(job.cluster)?.executor.halt();
  }

  async control(job: JobRecord, op: ControlOp): Promise<void> {
    const c = this.clustersByName.get(job.cluster);
    if (!c || this.current.get(job.cluster) !== job.id) throw notRunning(job.id, job.status, op);
    applyControl(c.executor, job.id, op);
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const name of [...this.wakeups.keys()]) this.wakeDispatcher(name);
    // a job halted by the shutdown (SIGTERM) was canceled, not failed: mark it before the halt makes its run throw
    for (const id of this.current.values()) {
      const r = await this.store.transition(id, ["loading", "running"], "canceled", "halted: the service shut down");
      if (r) await this.emit(id, "end", { status: "canceled" });
    }
    for (const c of this.clustersByName.values()) await c.executor.halt();
    await Promise.race([Promise.all(this.loops), new Promise((r) => setTimeout(r, 2000))]);
    for (const c of this.clustersByName.values()) await c.executor.close();
    await this.store.close();
  }
}
