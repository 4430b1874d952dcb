/**
 * A session per Cluster (the Cluster analogue of an open Quantum Machine): it owns the Cluster, runs
 * jobs one at a time from its queue, streams their results, and holds defined idle values on the
 * outputs between jobs (output-idle-values seed, OPX1000 lifecycle). See docs/jobs.md.
 *
 * Built on the InstrumentCoordinator (prepare → start → poll → retrieve, lazy settings); the session
 * adds the queue, the job lifecycle and the output bookkeeping: what every output holds now (`held`)
 * against what it must hold between jobs (`idle`). openSession and the session's parts by job:
 * session-open / -options / -ownership / -compiled / -outputs / -corrections / -runner / -errors.ts.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { Q1ForgeError } from "../core/errors.js";
import { ClusterDriver } from "../instruments/cluster-driver.js";
import type { Idn } from "../instruments/reply-parse.js";
import type { SimulateOptions } from "../emulator/simulate.js";
import { InstrumentCoordinator, type SequencerRunStatus } from "./coordinator.js";
import { ExecutionReport } from "./jobs/execution-report.js";
import {
  mergeSessionConfig,
  parseSessionConfig,
  resolveOutputs,
  type OutputState,
  type SessionConfig,
} from "./jobs/idle-values.js";
import { Job, type JobHost } from "./jobs/job.js";
import { JobQueue, type QueueAddOptions } from "./jobs/queue.js";
import { planSegments, substituteInputs } from "./jobs/segments.js";
import { SimulatedJob } from "./jobs/simulated-job.js";
import { checkCompiled, clusterNameOf, fillProvenance, isCompiled, toCompiled } from "./session-compiled.js";
import { revertCorrections, sequencerFor, setCorrection, setDcOffset, type Revert } from "./session-corrections.js";
import type { ExecuteOptions, SessionOptions } from "./session-options.js";
import { heldTargets, releaseHeld, type HeldTarget } from "./session-held.js";
import { syncOutputs, writeIdle } from "./session-outputs.js";
import { release } from "./session-ownership.js";
import { runSegment } from "./session-runner.js";
import { simulationInput } from "./session-simulate.js";
import { compileUnavailable, jobFailure, restoreFailure, sessionClosed } from "./session-errors.js";

export type { ClusterTarget, ExecuteOptions, SessionCompile, SessionOptions } from "./session-options.js";
export { openSession } from "./session-open.js";

export class Session {
  readonly id: string;
  readonly address: string;
  readonly clusterName: string;
  readonly driver: ClusterDriver;
  readonly coordinator: InstrumentCoordinator;
  readonly queue: JobQueue;
  readonly idn: Idn;
  readonly hardwareConfig: unknown;
  private config: SessionConfig;
  private idle: OutputState;
  private held: OutputState = new Map();
  private pendingIdle: OutputState | null = null;
  private current: Job | null = null;
  private currentRevert: Revert | null = null;
  /** sequencers the current job's programs may leave holding an AWG offset or a marker (session-held.ts) */
  private readonly touched = new Map<string, HeldTarget>();
  private working: Promise<void> = Promise.resolve();
  private jobWrites: Promise<unknown> = Promise.resolve();
  private closed = false;
  private jobCounter = 0;
  private readonly ownDriver: boolean;
  private readonly options: SessionOptions;
  private readonly hashes = new WeakMap<CompiledSchedule, string>();
  /** an error while restoring the idle values after a job (null when the last restore succeeded) */
  lastRestoreError: Q1ForgeError | null = null;

  /** @internal use openSession() */
  constructor(
    id: string,
    address: string,
    driver: ClusterDriver,
    ownDriver: boolean,
    idn: Idn,
    hardwareConfig: unknown,
    config: SessionConfig,
    options: SessionOptions,
  ) {
    this.id = id;
    this.address = address;
    this.driver = driver;
    this.ownDriver = ownDriver;
    this.idn = idn;
    this.hardwareConfig = hardwareConfig;
    this.options = options;
    this.clusterName = options.clusterName ?? clusterNameOf(hardwareConfig) ?? "cluster0";
    this.coordinator = new InstrumentCoordinator({ clusters: { [this.clusterName]: driver } });
    this.config = config;
    this.idle = resolveOutputs(config, driver.modules.values(), "the session config");
    this.queue = new JobQueue((what, opts) => this.add(what, opts));
  }

  /** true until close() */
  get isOpen(): boolean {
    return !this.closed;
  }
  /** the job loading or running now, or null */
  get currentJob(): Job | null {
    return this.current;
  }
  /** the session config in effect (idle values), as last set by openSession / updateConfig */
  get sessionConfig(): SessionConfig {
    return structuredClone(this.config);
  }
  /** The idle value of every output (offsets V per DAC, marker inversion), by slot. */
  idleValues(): Record<string, { offsets: number[]; inverted: boolean[] }> {
    return Object.fromEntries(
      [...this.idle].map(([s, v]) => [String(s), { offsets: [...v.offsets], inverted: [...v.inverted] }]),
    );
  }

  /** Queue a job (compiled schedule or schedule) and return it; it runs after the jobs ahead of it. */
  execute(compiledOrSchedule: unknown, opts: ExecuteOptions = {}): Job {
    return this.queue.add(compiledOrSchedule, opts);
  }

  /** Run in the emulator with the session's idle values applied; nothing is sent to the Cluster. */
  simulate(compiledOrSchedule: unknown, opts: SimulateOptions & { controllerConfig?: unknown } = {}): SimulatedJob {
    this.requireOpen("simulate");
    const patched = simulationInput(compiledOrSchedule, opts.controllerConfig, this, this.options.compile, this.idle);
    const { controllerConfig: _c, ...simOpts } = opts;
    return new SimulatedJob(`${this.id}-sim-${++this.jobCounter}`, patched, simOpts);
  }

  /**
   * Change idle values (a partial session config, merged). During a job: the running job is not
   * touched; the new values apply when it ends. Between jobs: applied now.
   */
  async updateConfig(partial: unknown): Promise<void> {
    this.requireOpen("updateConfig");
    const p = parseSessionConfig(partial, "updateConfig()");
    const merged = mergeSessionConfig(this.config, p);
    const idle = resolveOutputs(merged, this.driver.modules.values(), "updateConfig()");
    this.config = merged;
    if (this.current) {
      this.pendingIdle = idle;
      return;
    }
    this.idle = idle;
    await syncOutputs(this.coordinator, this.clusterName, this.driver, this.held, this.idle);
  }

  /**
   * Cancel pending jobs, halt the running one, and return the outputs to 0 V / not inverted (unless
   * `keepDcOffsets`: they then keep their idle values). Releases the Cluster; closes the connection
   * when the session opened it.
   */
  async close(opts: { keepDcOffsets?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.current?.cancel();
    await this.working;
    try {
      if (!opts.keepDcOffsets) {
        const zero: OutputState = new Map();
        for (const [slot, st] of this.held)
          zero.set(slot, { offsets: st.offsets.map(() => 0), inverted: st.inverted.map(() => false) });
        await syncOutputs(this.coordinator, this.clusterName, this.driver, this.held, zero);
      }
    } finally {
      release(this.address, this.id);
      if (this.ownDriver) await this.driver.close();
    }
  }

  /** Present level of an output as the instrument reports it (V), for checks and tests. */
  outputLevel(slot: number, dac: number): Promise<number> {
    return this.driver.outputLevel(slot, dac);
  }
  markerLevel(slot: number, marker: number): Promise<boolean> {
    return this.driver.markerLevel(slot, marker);
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      address: this.address,
      cluster_name: this.clusterName,
      open: !this.closed,
      current_job: this.current?.id ?? null,
      pending_jobs: this.queue.pendingJobs().map((j) => j.id),
      config: this.config,
      instrument: {
        manufacturer: this.idn.manufacturer,
        model: this.idn.model,
        serial: this.idn.serial,
        firmware: this.idn.build,
      },
    };
  }

  // --- internals --------------------------------------------------------------------------------

  /** @internal Set every output to its idle value (session open). */
  async applyIdle(): Promise<void> {
    await writeIdle(this.coordinator, this.clusterName, this.driver, this.held, this.idle);
  }

  private add(what: unknown, opts: QueueAddOptions): Job {
    this.requireOpen("queue.add");
    const controllerConfig =
      opts.controllerConfig === undefined ? undefined : parseSessionConfig(opts.controllerConfig, "controllerConfig");
    if (controllerConfig) resolveOutputs(controllerConfig, this.driver.modules.values(), "controllerConfig", this.idle);
    const compiled = isCompiled(what) ? what : undefined;
    const segments = compiled ? null : planSegments(what);
    if (compiled) checkCompiled(compiled, this.clusterName, this.address, this.driver);
    else if (!this.options.compile) throw compileUnavailable();
    const job = new Job(
      this.host,
      `${this.id}-job-${++this.jobCounter}`,
      {
        ...(compiled ? { compiled } : { schedule: what }),
        ...(controllerConfig ? { controllerConfig } : {}),
        ...(segments ? { segments } : {}),
      },
      opts.user ?? this.options.user ?? null,
    );
    this.queue.push(job);
    this.pump();
    return job;
  }

  private readonly host: JobHost = {
    positionOf: (job) => this.queue.positionOf(job),
    removePending: (job) => {
      if (!this.queue.remove(job)) return false;
      job.setStatus("canceled");
      return true;
    },
    getElementCorrection: async (job, pc) => {
      const t = sequencerFor(job, this.clusterName, pc);
      const p = await this.driver.sequencerParams(t.slot, t.seq.index);
      return { gainRatio: p.mixer_corr_gain_ratio ?? 1, phaseOffsetDegree: p.mixer_corr_phase_offset_degree ?? 0 };
    },
    setElementCorrection: (job, pc, c) =>
      this.jobWrite(() =>
        setCorrection(this.coordinator, this.clusterName, this.driver, this.currentRevert!, job, pc, c),
      ),
    setOutputDcOffsetByElement: (job, pc, path, offset) =>
      this.jobWrite(() =>
        setDcOffset(this.coordinator, this.clusterName, this.driver, this.held, job, pc, path, offset),
      ),
  };

  /** A job's runtime change; restore() waits for those in flight, so none lands after the job's outputs reverted. */
  private jobWrite<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.jobWrites.then(fn);
    this.jobWrites = p.catch(() => undefined);
    return p;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.working = this.run(job)
      .then(async () => {
        this.current = null;
        this.currentRevert = null;
        // an updateConfig() that arrived while the job was restoring its outputs
        if (this.pendingIdle) await this.restore();
      })
      .finally(() => this.pump());
  }

  private async run(job: Job): Promise<void> {
    const t = job.provenance.stage_ms;
    let last = performance.now();
    const lap = () => {
      const now = performance.now();
      const d = now - last;
      last = now;
      return d;
    };
    this.currentRevert = { corrections: new Map() };
    let compiled: CompiledSchedule | null = job.compiled;
    const segments = job.source.segments?.segments ?? null;
    const inputs = new Map<string, number[]>();
    const entries: ExecutionReport["entries"] = [];
    // the job's final status is set after its outputs were restored: a "completed" job's outputs hold the idle values
    let finish = () => job.setStatus("canceled");
    let prepared = false;
    let failed = false;
    try {
      job.setStatus("loading");
      await Promise.resolve(); // execute() returns before the job compiles
      const outputs = job.source.controllerConfig
        ? resolveOutputs(job.source.controllerConfig, this.driver.modules.values(), "controllerConfig", this.idle)
        : this.idle;
      const count = segments ? segments.length : 1;
      for (let k = 0; k < count; k++) {
        let boundaryStart = 0;
        const point = segments?.[k]?.after ?? null;
        if (point) {
          // the job stopped at the point: wait for the host, then compile, upload and re-arm the next segment
          if (point.kind === "pause") {
            if (!(await job.waitResume(point.name))) return;
          } else {
            const v = await job.takeInput(point.name);
            if (!v) return;
            inputs.set(point.name, v);
          }
          boundaryStart = performance.now();
          lap();
        }
        if (segments) {
          compiled = toCompiled(
            substituteInputs(segments[k]!.schedule, inputs),
            this.options.compile,
            this.hardwareConfig,
            this.driver,
          );
          checkCompiled(compiled, this.clusterName, this.address, this.driver);
          if (k === 0) job.setCompiled(compiled);
          else job.addSegment(compiled);
          job.provenance.compiler_version = this.options.compilerVersion ?? null;
          t.compile += lap();
        } else if (!compiled) {
          compiled = toCompiled(job.source.schedule, this.options.compile, this.hardwareConfig, this.driver);
          checkCompiled(compiled, this.clusterName, this.address, this.driver);
          job.setCompiled(compiled);
          job.provenance.compiler_version = this.options.compilerVersion ?? null;
          t.compile += lap();
        }
        if (k === 0) fillProvenance(job, compiled!, this.idn, this.hashes);
        for (const h of heldTargets(compiled!, this.clusterName)) this.touched.set(`${h.slot}/${h.seq}`, h);
        prepared = true;
        const done = await runSegment(
          this.coordinator,
          this.clusterName,
          this.driver,
          this.held,
          this.options,
          job,
          compiled!,
          outputs,
          entries,
          lap,
        );
        if (point) job.provenance.segment_boundary_ms.push(done.startedAt - boundaryStart);
        if (!done.completed) return;
      }
      finish = () => job.setStatus("completed");
    } catch (e) {
      const err = jobFailure(e, job.id);
      const seqs = (err.details?.["sequencers"] as SequencerRunStatus[] | undefined) ?? null;
      if (compiled && seqs) entries.push(...ExecutionReport.fromStatuses(compiled, seqs).entries);
      finish = () => job.fail(err, new ExecutionReport(entries));
      failed = true;
    } finally {
      lap();
      // a failed run may still be playing (e.g. RUN_TIMEOUT): stop it before its outputs are put back
      await this.restore(failed && prepared);
      t.restore = lap();
      finish();
    }
  }

  /**
   * After a job: undo its runtime changes (corrections, DC offsets, what its programs left on the
   * outputs), apply idle values (updated ones included). `stop`: stop the sequencers first.
   */
  private async restore(stop = false): Promise<void> {
    try {
      await this.jobWrites;
      if (stop) await this.coordinator.stop();
      await revertCorrections(this.coordinator, this.currentRevert);
      if (this.touched.size > 0) {
        const targets = [...this.touched.values()];
        this.touched.clear();
        await releaseHeld(this.coordinator, this.clusterName, targets);
      }
      if (this.pendingIdle) {
        this.idle = this.pendingIdle;
        this.pendingIdle = null;
      }
      await syncOutputs(this.coordinator, this.clusterName, this.driver, this.held, this.idle);
      this.lastRestoreError = null;
    } catch (e) {
      this.lastRestoreError = restoreFailure(e, this.id);
    }
  }

  private requireOpen(what: string): void {
    if (this.closed) throw sessionClosed(what, this.id);
  }
}
