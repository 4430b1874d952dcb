/**
 * One job of a session: pending in the queue, then loading, running, and completed / canceled /
 * error. The same object answers QM's pending-job API (cancel, positionInQueue, waitForExecution)
 * and running-job API (halt, resultHandles, executionReport, element corrections, DC offsets).
 * Instrument actions go through the session that owns the job (JobHost).
 */
import type { AcquisitionData } from "../../contract/acquisition-results.js";
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";
import { InstrumentError, Q1ForgeError, ValueRangeError } from "../../core/errors.js";
import { ExecutionReport } from "./execution-report.js";
import type { SessionConfig } from "./idle-values.js";
import type { SegmentPlan } from "./segments.js";
import { ResultHandles } from "./result-stream.js";
import { FINAL_STATUSES, JobTimeoutError, timeoutMs, waitFor, type JobStatus } from "./status.js";

/** Mixer correction of the sequencer driving a port-clock (Qblox form: gain ratio Q/I and phase offset). */
export interface ElementCorrection {
  gainRatio: number;
  phaseOffsetDegree: number;
}

export interface JobProvenance {
  /** sha256 of the compiled schedule's JSON */
  compiled_hash: string | null;
  format: string | null;
  format_version: number | null;
  /** q1forge version that compiled the schedule (null: compiled elsewhere) */
  compiler_version: string | null;
  instrument: { manufacturer: string; model: string; serial: string; firmware: Record<string, string> } | null;
  /** wall-clock ms per stage */
  stage_ms: { compile: number; prepare: number; start: number; run: number; retrieve: number; restore: number };
  /** ms from each resume / stream advance to the next segment's START (compile + upload + arm + start) */
  segment_boundary_ms: number[];
}

/** What a job needs from its session. */
export interface JobHost {
  positionOf(job: Job): number;
  removePending(job: Job): boolean;
  getElementCorrection(job: Job, portClock: string): Promise<ElementCorrection>;
  setElementCorrection(job: Job, portClock: string, c: ElementCorrection): Promise<ElementCorrection>;
  setOutputDcOffsetByElement(job: Job, portClock: string, path: "I" | "Q", offset: number): Promise<number>;
}

export interface JobSource {
  compiled?: CompiledSchedule;
  schedule?: unknown;
  controllerConfig?: SessionConfig;
  /** pause / input-stream segments of a schedule (docs/jobs.md) */
  segments?: SegmentPlan;
}

export class Job {
  readonly id: string;
  readonly timeAdded: Date;
  readonly userAdded: string | null;
  /** the compiled schedule (set when the job was added compiled, or once loading compiled it) */
  compiled: CompiledSchedule | null;
  readonly source: JobSource;
  readonly resultHandles: ResultHandles;
  readonly provenance: JobProvenance = {
    compiled_hash: null,
    format: null,
    format_version: null,
    compiler_version: null,
    instrument: null,
    stage_ms: { compile: 0, prepare: 0, start: 0, run: 0, retrieve: 0, restore: 0 },
    segment_boundary_ms: [],
  };
  private _status: JobStatus = "pending";
  private _error: Q1ForgeError | null = null;
  private _report = new ExecutionReport();
  private _haltRequested = false;
  private readonly listeners = new Set<() => void>();
  private readonly host: JobHost;

  constructor(host: JobHost, id: string, source: JobSource, userAdded: string | null) {
    this.host = host;
    this.id = id;
    this.source = source;
    this.userAdded = userAdded;
    this.timeAdded = new Date();
    this.compiled = source.compiled ?? null;
    this.resultHandles = new ResultHandles(this.compiled?.acquisitions ?? null);
  }

  get status(): JobStatus {
    return this._status;
  }
  /** the failure of a job in status "error" */
  get error(): Q1ForgeError | null {
    return this._error;
  }
  /** the name of the compiled schedule (null until compiled) */
  get name(): string | null {
    return this.compiled?.name ?? null;
  }

  // --- pending-job API ----------------------------------------------------------------------------

  /** Pending: removed from the queue (true). Loading / running: halted (true). Ended: false. */
  cancel(): boolean {
    if (this._status === "pending") return this.host.removePending(this);
    if (this._status === "loading" || this._status === "running") {
      this._haltRequested = true;
      this.emit();
      return true;
    }
    return false;
  }

  /** 1-based position in the session's queue; −1 once the job is no longer pending. */
  positionInQueue(): number {
    return this._status === "pending" ? this.host.positionOf(this) : -1;
  }

  /**
   * Wait until the job runs (or already ran): resolves with the job. `timeout` in seconds (default:
   * forever; zero or negative: checks once). JOB_TIMEOUT when it elapses; a job that was canceled or
   * failed before running rejects with JOB_CANCELED / its error.
   */
  waitForExecution(opts: { timeout?: number } = {}): Promise<Job> {
    return waitFor(
      (wake) => this.subscribe(wake),
      () => {
        if (this._status === "running" || this._status === "completed") return this;
        if (this._status === "canceled" && !this.ranOnce) throw this.canceledError();
        if (this._status === "canceled") return this;
        if (this._status === "error") {
          if (this.ranOnce) return this;
          throw this._error!;
        }
        return undefined;
      },
      timeoutMs(opts.timeout),
      () =>
        new JobTimeoutError(
          `job ${this.id} is still ${this._status}${this._status === "pending" ? ` (position ${this.positionInQueue()} in the queue)` : ""} after ${opts.timeout ?? 0} s`,
          { path: this.id, hint: "raise the timeout, cancel jobs ahead of it, or call waitForExecution again later" },
        ),
    );
  }

  /** Wait until the job ended (completed, canceled or error); resolves with its final status. */
  wait(opts: { timeout?: number } = {}): Promise<JobStatus> {
    return waitFor(
      (wake) => this.subscribe(wake),
      () => (FINAL_STATUSES.has(this._status) ? this._status : undefined),
      timeoutMs(opts.timeout),
      () =>
        new JobTimeoutError(`job ${this.id} is still ${this._status} after ${opts.timeout ?? 0} s`, {
          path: this.id,
          hint: "raise the timeout, or halt() the job",
        }),
    );
  }

  /** Completed job: every channel's final values. Otherwise the job's error (or JOB_NOT_COMPLETED). */
  async results(opts: { timeout?: number } = {}): Promise<Record<string, AcquisitionData>> {
    const st = await this.wait(opts);
    if (st === "completed") return this.resultHandles.fetchAll();
    if (st === "error") throw this._error!;
    throw new InstrumentError("JOB_NOT_COMPLETED", `job ${this.id} was canceled; it has no complete results`, {
      path: this.id,
      hint: "read resultHandles for the values acquired before it was halted",
    });
  }

  // --- running-job API ----------------------------------------------------------------------------

  /** Stop a loading or running job (status "canceled"); resolves true once it has stopped, false if it had ended. */
  async halt(): Promise<boolean> {
    if (this._status === "pending") return this.cancel();
    if (!this.cancel()) return false;
    await this.wait();
    return true;
  }

  /** Runtime errors and warnings of this job, each with the operation that caused it. */
  executionReport(): ExecutionReport {
    return this._report;
  }

  /** true while the job waits at a pause point of its schedule (its sequencers stopped there). */
  isPaused(): boolean {
    return this._paused !== null;
  }
  /** The pause point the job waits at (null when not paused). */
  get pausedAt(): string | null {
    return this._paused;
  }
  /** Continue a paused job: the host uploads and arms the next segment. Returns false when not paused. */
  resume(): boolean {
    if (this._paused === null) return false;
    this._paused = null;
    this._resumes++;
    this.emit();
    return true;
  }
  /**
   * Queue `values` (exactly the stream's size) for input stream `name`; each input-stream point of
   * the schedule consumes one push, in order. Several pushes may wait before the job reads them.
   */
  pushToInputStream(name: string, values: readonly number[]): void {
    const size = this.source.segments?.streams.get(name);
    if (size === undefined)
      throw new InstrumentError("UNSUPPORTED", `job ${this.id} has no input stream "${name}"`, {
        path: `${this.id}/${name}`,
        hint: `declare a top-level { "type": "InputStream", "name": "${name}", "size": n } in the schedule (docs/jobs.md)`,
      });
    if (FINAL_STATUSES.has(this._status))
      throw new InstrumentError("JOB_NOT_RUNNING", `pushToInputStream() on job ${this.id}, which is ${this._status}`, {
        path: this.id,
        hint: "push input only while the job is queued or running; submit a new job to feed more values",
      });
    if (values.length !== size || !values.every((v) => typeof v === "number" && Number.isFinite(v)))
      throw new ValueRangeError(
        "INPUT_SIZE",
        `input stream "${name}" takes ${size} finite numbers per push, got ${values.length}`,
        { path: `${this.id}/${name}`, hint: `push exactly ${size} values` },
      );
    const q = this.inputs.get(name) ?? [];
    q.push([...values]);
    this.inputs.set(name, q);
    this.emit();
  }

  getElementCorrection(portClock: string): Promise<ElementCorrection> {
    this.requireActive("getElementCorrection");
    return this.host.getElementCorrection(this, portClock);
  }
  /** For this job only: reverted when it ends. Returns the correction as applied (rounded). */
  setElementCorrection(portClock: string, correction: ElementCorrection): Promise<ElementCorrection> {
    this.requireActive("setElementCorrection");
    return this.host.setElementCorrection(this, portClock, correction);
  }
  /** For this job only: the output DC offset (V) of path I or Q of the port-clock's outputs; reverts to the idle value when the job ends. */
  setOutputDcOffsetByElement(portClock: string, path: "I" | "Q", offset: number): Promise<number> {
    this.requireActive("setOutputDcOffsetByElement");
    return this.host.setOutputDcOffsetByElement(this, portClock, path, offset);
  }

  /** snake_case JSON description (for the HTTP service and logs). */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.name,
      status: this._status,
      time_added: this.timeAdded.toISOString(),
      user_added: this.userAdded,
      position_in_queue: this.positionInQueue(),
      provenance: this.provenance,
      execution_report: this._report.toJSON(),
      error: this._error ? this._error.toJSON() : null,
    };
  }

  // --- driven by the session ----------------------------------------------------------------------

  /** @internal */
  get haltRequested(): boolean {
    return this._haltRequested;
  }
  private ranOnce = false;
  private _paused: string | null = null;
  private _resumes = 0;
  private readonly inputs = new Map<string, number[][]>();
  /** @internal */
  setStatus(s: JobStatus): void {
    if (FINAL_STATUSES.has(this._status)) return;
    if (s === "running") this.ranOnce = true;
    if (s === "canceled" && !this.resultHandles.isBound()) this.resultHandles.failAll(this.canceledError());
    this._status = s;
    this.emit();
  }
  /** @internal */
  setCompiled(c: CompiledSchedule): void {
    this.compiled = c;
    this.resultHandles.bind(c.acquisitions);
  }
  /** @internal */
  fail(e: Q1ForgeError, report?: ExecutionReport): void {
    this._error = e;
    if (report) this._report = report;
    this.resultHandles.failAll(e);
    this.setStatus("error");
  }
  /** @internal a later segment compiled: its channels join the result handles */
  addSegment(c: CompiledSchedule): void {
    this.compiled = c;
    this.resultHandles.add(c.acquisitions);
  }
  /** @internal wait at pause point `name` until resume() or a halt; true when resumed */
  async waitResume(name: string): Promise<boolean> {
    const before = this._resumes;
    this._paused = name;
    this.emit();
    await waitFor(
      (wake) => this.subscribe(wake),
      () => (this._resumes > before || this._haltRequested ? true : undefined),
      Number.POSITIVE_INFINITY,
      () => new Error("unreachable"),
    );
    this._paused = null;
    this.emit();
    return !this._haltRequested;
  }
  /** @internal wait for one push to stream `name` (or a halt); the values, or null when halted */
  async takeInput(name: string): Promise<number[] | null> {
    await waitFor(
      (wake) => this.subscribe(wake),
      () => ((this.inputs.get(name)?.length ?? 0) > 0 || this._haltRequested ? true : undefined),
      Number.POSITIVE_INFINITY,
      () => new Error("unreachable"),
    );
    if (this._haltRequested) return null;
    return this.inputs.get(name)!.shift()!;
  }
  /** @internal */
  setReport(r: ExecutionReport): void {
    this._report = r;
  }
  /** @internal */
  onChange(fn: () => void): () => void {
    return this.subscribe(fn);
  }

  private requireActive(what: string): void {
    if (this._status !== "running" && this._status !== "loading")
      throw new InstrumentError("JOB_NOT_RUNNING", `${what}() on job ${this.id}, which is ${this._status}`, {
        path: this.id,
        hint: "these changes apply to a running job only; use session.updateConfig() for the idle values",
      });
  }
  private canceledError(): InstrumentError {
    return new InstrumentError("JOB_CANCELED", `job ${this.id} was canceled before it ran`, {
      path: this.id,
      hint: "add it again with session.queue.add()",
    });
  }
  private subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
