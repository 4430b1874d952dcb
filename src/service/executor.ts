/**
 * How the service runs one job on one Cluster — the only file that talks to the coordinator.
 * It holds one session of the jobs API (`openSession`, src/coordinator/session.ts) per Cluster and
 * hands it one job at a time (the service keeps its own persistent, fair queue): `session.execute`,
 * the job's status changes, its result streams (bins as they fill), `wait()`, `results()`, the
 * execution report and the provenance. Halting a job is `job.halt()`; resume and input streams are
 * the job's own. Schedules with pause points or input streams reach the session as schedules (it
 * compiles them segment by segment, with the job's hardware config); every other job is compiled.
 */
import { compile } from "../compile.js";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { AcquisitionData } from "../coordinator/acquisitions.js";
import type { Job } from "../coordinator/jobs/job.js";
import { checkCompiled } from "../coordinator/session-compiled.js";
import { openSession, type Session } from "../coordinator/session.js";
import { InstrumentError } from "../core/errors.js";
import { Q1FORGE_VERSION } from "../core/version.js";
import { ServiceError } from "./errors.js";

/**
 * What the store holds for a job whose schedule has pause points or input streams (docs/jobs.md):
 * the schedule itself with its hardware config (and device), compiled segment by segment by the
 * session while the job runs. Every other job is stored compiled.
 */
export const JOB_SOURCE_FORMAT = "q1forge.job-source";
export interface JobSource {
  format: typeof JOB_SOURCE_FORMAT;
  schedule: unknown;
  hardware: unknown;
  device?: unknown;
}

export interface ExecutionOutcome {
  acquisitions: Record<string, AcquisitionData>;
  report: { has_errors: boolean; entries: unknown[] };
  timings_ms: Record<string, number>;
  provenance: {
    compiled_hash: string | null;
    format_version: number | null;
    instrument: Record<string, unknown> | null;
  };
}

export interface BinsChunk {
  /** row-major index of the first value */
  index: number;
  real: number[];
  imag: number[] | null;
}

export interface ExecutionHooks {
  /** the sequencers started */
  onRunning(): void;
  /** new values of one acquisition channel, as bins fill */
  onBins(channel: string, chunk: BinsChunk): void;
  /** the job waits at a pause point (`{kind: "pause", name}`), or continues (null) */
  onWait?(point: { kind: "pause"; name: string } | null): void;
}

export interface ClusterDescription {
  identity: Record<string, unknown>;
  system_state: { status: string; flags: string[] };
  modules: { slot: number; type: string }[];
  idle_values: Record<string, unknown>;
}

export interface ExecutorOptions {
  /** hardware config the session is opened with (names the Cluster in compiled schedules; default cluster0) */
  hardware?: unknown;
  /** session config with the output idle values (docs/jobs.md) */
  sessionConfig?: unknown;
  user?: string;
}

export class ClusterExecutor {
  readonly name: string;
  readonly address: string;
  private readonly session: Session;
  private current: Job | null = null;
  private last: { has_errors: boolean; entries: unknown[] } | null = null;
  /** the running job's source when it is a schedule with segments (the session compiles with its hardware) */
  private source: JobSource | null = null;

  private constructor(name: string, address: string, session: Session) {
    this.name = name;
    this.address = address;
    this.session = session;
  }

  static async open(name: string, host: string, port: number, opts: ExecutorOptions = {}): Promise<ClusterExecutor> {
    let self: ClusterExecutor | null = null;
    const session = await openSession({ host, port }, opts.hardware ?? null, {
      ...(opts.sessionConfig !== undefined ? { config: opts.sessionConfig } : {}),
      // segments of a job's schedule compile with the job's own hardware config and device
      compile: (schedule, hardware) => {
        const src = self?.source;
        return compile(schedule, src ? src.hardware : hardware, {
          verify: false,
          ...(src?.device !== undefined ? { device: src.device } : {}),
        });
      },
      compilerVersion: Q1FORGE_VERSION,
    });
    self = new ClusterExecutor(name, `${host}:${port}`, session);
    return self;
  }

  /** the Cluster's name that compiled schedules must use */
  get clusterName(): string {
    return this.session.clusterName;
  }

  /**
   * The check `session.execute` makes before it runs a compiled schedule (format version, cluster
   * name, a module of the right type in every slot it uses, capabilities): throws its typed error.
   */
  checkRunnable(compiled: CompiledSchedule): void {
    checkCompiled(compiled, this.session.clusterName, this.address, this.session.driver);
  }

  async instrumentIdentity(): Promise<Record<string, unknown>> {
    const idn = this.session.idn;
    return { manufacturer: idn.manufacturer, model: idn.model, serial: idn.serial, ...idn.build };
  }

  async describe(): Promise<ClusterDescription> {
    const state = await this.session.driver.systemState();
    return {
      identity: await this.instrumentIdentity(),
      system_state: { status: state.status, flags: state.flags },
      modules: [...this.session.driver.modules.values()].map((m) => ({ slot: m.slot, type: String(m.type) })),
      idle_values: { cluster_name: this.session.clusterName, outputs: this.session.idleValues() },
    };
  }

  async execute(source: CompiledSchedule | JobSource, hooks: ExecutionHooks, user?: string): Promise<ExecutionOutcome> {
    const segmented = source.format === JOB_SOURCE_FORMAT;
    this.source = segmented ? (source as JobSource) : null;
    const what = segmented ? (source as JobSource).schedule : source;
    let job: Job;
    try {
      job = this.session.execute(what, user !== undefined ? { user } : {});
    } catch (e) {
      this.source = null;
      throw e;
    }
    this.current = job;
    this.last = null;
    let sawRunning = false;
    let paused: string | null = null;
    // channels join while the job runs (a schedule compiles when it loads, segments when they start)
    const followed = new Set<string>();
    const streams: Promise<void>[] = [];
    const follow = () => {
      for (const ch of job.resultHandles.keys()) {
        if (followed.has(ch)) continue;
        followed.add(ch);
        const stream = job.resultHandles.get(ch);
        streams.push(
          (async () => {
            try {
              for await (const c of stream) hooks.onBins(ch, c);
            } catch {
              // the job's own error is reported below
            }
          })(),
        );
      }
    };
    follow();
    // pause and resume are told after the bins the session handed to the result streams before them:
    // the streams' for-await loops deliver on microtasks, so the call waits for the next macrotask
    const waits: Promise<void>[] = [];
    const off = job.onChange(() => {
      follow();
      if (!sawRunning && job.status === "running") {
        sawRunning = true;
        hooks.onRunning();
      }
      if (job.pausedAt !== paused) {
        paused = job.pausedAt;
        const point = paused === null ? null : { kind: "pause" as const, name: paused };
        waits.push(new Promise<void>((resolve) => setImmediate(() => resolve(hooks.onWait?.(point)))));
      }
    });
    try {
      const status = await job.wait();
      follow();
      await Promise.all(streams);
      await Promise.all(waits);
      this.last = job.executionReport().toJSON();
      if (status === "canceled")
        throw new InstrumentError("JOB_CANCELED", `job was halted`, {
          path: job.id,
          hint: "resubmit it to run it again",
        });
      if (status !== "completed")
        throw (
          job.error ??
          new InstrumentError("JOB_FAILED", `job ended ${status}`, { path: job.id, hint: "see the execution report" })
        );
      const acquisitions = await job.results();
      const p = job.provenance;
      return {
        acquisitions,
        report: job.executionReport().toJSON(),
        timings_ms: { ...p.stage_ms },
        provenance: {
          compiled_hash: p.compiled_hash,
          format_version: p.format_version,
          instrument: p.instrument ? { ...p.instrument } : null,
        },
      };
    } finally {
      off();
      this.current = null;
      this.source = null;
    }
  }

  /** the execution report of the last job (entries naming the operations of runtime errors) */
  lastReport(): { has_errors: boolean; entries: unknown[] } | null {
    return this.last;
  }

  async halt(): Promise<void> {
    const j = this.current;
    if (j) await j.halt().catch(() => undefined);
  }

  /** Resume the running job at its pause point: false when it is not paused (or no job runs). */
  resume(): boolean {
    const j = this.current;
    if (!j) throw notRunning("resume");
    return j.resume();
  }

  /** Values for an input stream of the running job (the jobs API's typed errors otherwise). */
  pushToInputStream(name: string, values: number[]): void {
    const j = this.current;
    if (!j) throw notRunning(`input stream "${name}"`);
    j.pushToInputStream(name, values);
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
  }
}

function notRunning(what: string): ServiceError {
  return new ServiceError(409, "JOB_NOT_RUNNING", `no job is running on this Cluster to take ${what}`, {
    path: what,
    hint: "resume and input streams apply to the running job only",
  });
}
