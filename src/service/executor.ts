/**
 * How the service runs one job on one Cluster — the only file that talks to the coordinator.
 * It holds one session of the jobs API (`openSession`, src/coordinator/session.ts) per Cluster and
 * hands it one job at a time (the service keeps its own persistent, fair queue): `session.execute`,
 * the job's status changes, its result streams (bins as they fill), `wait()`, `results()`, the
 * execution report and the provenance. Halting a job is `job.halt()`; resume and input streams are
 * the job's own (typed errors where the jobs API does not support them).
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { AcquisitionData } from "../coordinator/acquisitions.js";
import type { Job } from "../coordinator/jobs/job.js";
import { openSession, type Session } from "../coordinator/session.js";
import { InstrumentError } from "../core/errors.js";
import { ServiceError } from "./errors.js";

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

  private constructor(name: string, address: string, session: Session) {
    this.name = name;
    this.address = address;
    this.session = session;
  }

  static async open(name: string, host: string, port: number, opts: ExecutorOptions = {}): Promise<ClusterExecutor> {
    const session = await openSession({ host, port }, opts.hardware ?? null, {
      ...(opts.sessionConfig !== undefined ? { config: opts.sessionConfig } : {}),
    });
    return new ClusterExecutor(name, `${host}:${port}`, session);
  }

  /** the Cluster's name that compiled schedules must use */
  get clusterName(): string {
    return this.session.clusterName;
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

  async execute(compiled: CompiledSchedule, hooks: ExecutionHooks, user?: string): Promise<ExecutionOutcome> {
    const job = this.session.execute(compiled, user !== undefined ? { user } : {});
    this.current = job;
    this.last = null;
    let sawRunning = false;
    const off = job.onChange(() => {
      if (!sawRunning && job.status === "running") {
        sawRunning = true;
        hooks.onRunning();
      }
    });
    const streams = job.resultHandles.keys().map(async (ch) => {
      try {
        for await (const c of job.resultHandles.get(ch)) hooks.onBins(ch, c);
      } catch {
        // the job's own error is reported below
      }
    });
    try {
      const status = await job.wait();
      await Promise.all(streams);
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

  resume(): void {
    const j = this.current;
    if (!j) throw notRunning("resume");
    j.resume();
  }

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
