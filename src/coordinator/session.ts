/**
 * A session per Cluster (the Cluster analogue of an open Quantum Machine): it owns the Cluster, runs
 * jobs one at a time from its queue, streams their results, and holds defined idle values on the
 * outputs between jobs (output-idle-values seed, OPX1000 lifecycle). See docs/jobs.md.
 *
 * Built on the InstrumentCoordinator (prepare → start → poll → retrieve, lazy settings); the session
 * adds the queue, the job lifecycle and the output bookkeeping: what every output holds now (`held`)
 * against what it must hold between jobs (`idle`).
 */
import { createHash } from "node:crypto";
import { findAcquisitionEntry, sequencerIntegrationLength, shapeAcquisition } from "../contract/acquisition-results.js";
import type { CompiledSchedule, CompiledSequencer } from "../contract/compiled-schedule.js";
import { InstrumentError, Q1ForgeError, ValueRangeError } from "../core/errors.js";
import { ClusterDriver } from "../instruments/cluster-driver.js";
import type { Idn } from "../instruments/reply-parse.js";
import { checkIdnVersion } from "../instruments/versions.js";
import type { TransportOptions } from "../instruments/transport.js";
import type { SimulateOptions } from "../emulator/simulate.js";
import { InstrumentCoordinator, type SequencerRunStatus } from "./coordinator.js";
import { ExecutionReport } from "./jobs/execution-report.js";
import {
  compiledOffsets,
  mergeSessionConfig,
  parseSessionConfig,
  resolveOutputs,
  withJobOffsets,
  type OutputState,
  type SessionConfig,
} from "./jobs/idle-values.js";
import { Job, type ElementCorrection, type JobHost } from "./jobs/job.js";
import { JobQueue, type QueueAddOptions } from "./jobs/queue.js";
import { planSegments, substituteInputs } from "./jobs/segments.js";
import { SimulatedJob } from "./jobs/simulated-job.js";
import { JobTimeoutError, timeoutMs, waitFor } from "./jobs/status.js";

/** A Cluster to open a session on: a connected driver, "host:port", or an address. */
export type ClusterTarget = ClusterDriver | string | { host: string; port: number };

/** Compiles a schedule for the session's hardware config (the package root injects q1forge's compile). */
export type SessionCompile = (schedule: unknown, hardwareConfig: unknown) => CompiledSchedule;

export interface SessionOptions {
  /** name of the Cluster in compiled schedules (default: the hardware config's Cluster, else "cluster0") */
  clusterName?: string;
  /** idle values (session config, docs/jobs.md); default: every output 0 V, markers not inverted */
  config?: unknown;
  /** needed to run schedules (not compiled schedules); the package root's openSession passes compile() */
  compile?: SessionCompile;
  /** recorded in the provenance of jobs this session compiles */
  compilerVersion?: string;
  /** recorded as userAdded of every job (default null) */
  user?: string;
  /** another session owns the Cluster: wait up to this many seconds for it to close (default 0: refuse) */
  waitForCluster?: number;
  transport?: Partial<TransportOptions>;
  /** a job's run timeout in ms (default 10 s + twice the schedule's duration) */
  runTimeoutMs?: number;
  /** ms between acquisition polls while a job runs (default 20) */
  streamIntervalMs?: number;
}

export interface ExecuteOptions extends QueueAddOptions {}

const DONE_STATES = new Set(["STOPPED", "IDLE"]);
const FORMAT = "q1forge.compiled-schedule";
const FORMAT_VERSION = 1;
/** Qblox mixer-correction ranges; resolution assumed 16-bit (docs/jobs.md) */
const GAIN_RATIO = { min: 0.5, max: 2, step: 2 ** -14 };
const PHASE_DEG = { min: -45, max: 45, step: 45 / 2 ** 15 };
const OFFSET_LIMIT_V = 2.5;

/** Cluster address → owning session id (one session per Cluster in this process). */
const owners = new Map<string, string>();
const released = new Set<() => void>();
let sessionCounter = 0;

function addressOf(target: ClusterTarget): string {
  if (target instanceof ClusterDriver) return target.transport.address;
  if (typeof target === "string") return target;
  return `${target.host}:${target.port}`;
}

async function claim(address: string, id: string, waitSeconds: number): Promise<void> {
  const free = () => (owners.has(address) ? undefined : true);
  if (owners.has(address)) {
    const holder = owners.get(address)!;
    const busy = () =>
      new InstrumentError("SESSION_BUSY", `the Cluster at ${address} is owned by session ${holder}`, {
        path: address,
        hint: "close() that session first, or pass { waitForCluster: seconds } to wait for it",
      });
    if (!(waitSeconds > 0)) throw busy();
    await waitFor(
      (wake) => {
        released.add(wake);
        return () => released.delete(wake);
      },
      free,
      timeoutMs(waitSeconds),
      () =>
        new JobTimeoutError(`the Cluster at ${address} is still owned by session ${holder} after ${waitSeconds} s`, {
          path: address,
          hint: "close() the other session, or raise waitForCluster",
        }),
    );
  }
  owners.set(address, id);
}
function release(address: string, id: string): void {
  if (owners.get(address) !== id) return;
  owners.delete(address);
  for (const w of [...released]) w();
}

/** The hardware config's Cluster name (first hardware_description entry of instrument_type "Cluster"). */
function clusterNameOf(hardwareConfig: unknown): string | null {
  const desc = (hardwareConfig as { hardware_description?: Record<string, { instrument_type?: string }> } | null)
    ?.hardware_description;
  if (!desc || typeof desc !== "object") return null;
  for (const [name, d] of Object.entries(desc)) if (d?.instrument_type === "Cluster") return name;
  return null;
}

/**
 * Open a session on `cluster`: connect (unless a driver is given), check its versions, claim it
 * (a second session on the same Cluster is refused with SESSION_BUSY, or waits `waitForCluster` s)
 * and set every output to its idle value.
 */
export async function openSession(
  cluster: ClusterTarget,
  hardwareConfig: unknown,
  options: SessionOptions = {},
): Promise<Session> {
  const id = `session-${++sessionCounter}`;
  const address = addressOf(cluster);
  const config = parseSessionConfig(options.config, "the session config");
  await claim(address, id, options.waitForCluster ?? 0);
  let driver: ClusterDriver | null = null;
  const own = !(cluster instanceof ClusterDriver);
  try {
    if (cluster instanceof ClusterDriver) driver = cluster;
    else {
      const a =
        typeof cluster === "string"
          ? {
              host: cluster.slice(0, cluster.lastIndexOf(":")),
              port: Number(cluster.slice(cluster.lastIndexOf(":") + 1)),
            }
          : cluster;
      driver = await ClusterDriver.connect({ ...options.transport, host: a.host, port: a.port });
    }
    const idn = driver.identity ?? (await driver.idn());
    checkIdnVersion(idn, address);
    const s = new Session(id, address, driver, own, idn, hardwareConfig, config, options);
    await s.applyIdle();
    return s;
  } catch (e) {
    release(address, id);
    if (own && driver) await driver.close().catch(() => undefined);
    throw e;
  }
}

interface Revert {
  corrections: Map<string, { cluster: string; slot: number; seq: number; gain: number; phase: number }>;
}

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
    if (!isCompiled(compiledOrSchedule) && planSegments(compiledOrSchedule))
      throw new InstrumentError("UNSUPPORTED", "simulate() runs schedules without pause / input-stream points", {
        path: "simulate",
        hint: "simulate the segments between the points one by one",
      });
    const compiled = this.toCompiled(compiledOrSchedule);
    this.checkCompiled(compiled);
    const outputs = opts.controllerConfig
      ? resolveOutputs(
          parseSessionConfig(opts.controllerConfig, "controllerConfig"),
          this.driver.modules.values(),
          "controllerConfig",
          this.idle,
        )
      : this.idle;
    const patched = withJobOffsets(compiled, this.clusterName, outputs, (s) => this.isRF(s));
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
    await this.syncOutputs(this.idle);
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
        await this.syncOutputs(zero);
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
    for (const [slot, st] of this.idle) {
      const h = { offsets: [...st.offsets], inverted: [...st.inverted] };
      for (let d = 0; d < st.offsets.length; d++) await this.writeOffset(slot, d, st.offsets[d]!);
      for (let m = 0; m < st.inverted.length; m++) await this.writeMarker(slot, m, st.inverted[m]!);
      this.held.set(slot, h);
    }
  }

  private add(what: unknown, opts: QueueAddOptions): Job {
    this.requireOpen("queue.add");
    const controllerConfig =
      opts.controllerConfig === undefined ? undefined : parseSessionConfig(opts.controllerConfig, "controllerConfig");
    if (controllerConfig) resolveOutputs(controllerConfig, this.driver.modules.values(), "controllerConfig", this.idle);
    const compiled = isCompiled(what) ? what : undefined;
    const segments = compiled ? null : planSegments(what);
    if (compiled) this.checkCompiled(compiled);
    else if (!this.options.compile)
      throw new InstrumentError("COMPILE_UNAVAILABLE", "a schedule was given, but this session has no compiler", {
        path: "execute",
        hint: "pass a compiled schedule, or open the session with q1forge's openSession (package root), which compiles",
      });
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
      const t = this.sequencerFor(job, pc);
      const p = await this.driver.sequencerParams(t.slot, t.seq.index);
      return { gainRatio: p.mixer_corr_gain_ratio ?? 1, phaseOffsetDegree: p.mixer_corr_phase_offset_degree ?? 0 };
    },
    setElementCorrection: (job, pc, c) => this.jobWrite(() => this.setCorrection(job, pc, c)),
    setOutputDcOffsetByElement: (job, pc, path, offset) => this.jobWrite(() => this.setDcOffset(job, pc, path, offset)),
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
          compiled = this.toCompiled(substituteInputs(segments[k]!.schedule, inputs));
          this.checkCompiled(compiled);
          if (k === 0) job.setCompiled(compiled);
          else job.addSegment(compiled);
          job.provenance.compiler_version = this.options.compilerVersion ?? null;
          t.compile += lap();
        } else if (!compiled) {
          compiled = this.toCompiled(job.source.schedule);
          this.checkCompiled(compiled);
          job.setCompiled(compiled);
          job.provenance.compiler_version = this.options.compilerVersion ?? null;
          t.compile += lap();
        }
        if (k === 0) this.fillProvenance(job, compiled!);
        const done = await this.runSegment(job, compiled!, outputs, entries, lap);
        if (point) job.provenance.segment_boundary_ms.push(done.startedAt - boundaryStart);
        if (!done.completed) return;
      }
      finish = () => job.setStatus("completed");
    } catch (e) {
      const err = e instanceof Q1ForgeError ? e : new InstrumentError("UNSUPPORTED", String(e), { cause: e });
      const seqs = (err.details?.["sequencers"] as SequencerRunStatus[] | undefined) ?? null;
      if (compiled && seqs) entries.push(...ExecutionReport.fromStatuses(compiled, seqs).entries);
      finish = () => job.fail(err, new ExecutionReport(entries));
    } finally {
      lap();
      await this.restore();
      t.restore = lap();
      finish();
    }
  }

  /** prepare → START → poll → retrieve of one compiled schedule (a whole job, or one segment of it). */
  private async runSegment(
    job: Job,
    compiled: CompiledSchedule,
    outputs: OutputState,
    entries: ExecutionReport["entries"],
    lap: () => number,
  ): Promise<{ completed: boolean; startedAt: number }> {
    const t = job.provenance.stage_ms;
    if (job.haltRequested) return { completed: false, startedAt: performance.now() };
    const patched = withJobOffsets(compiled, this.clusterName, outputs, (s) => this.isRF(s));
    await this.coordinator.prepare(patched);
    this.notePrepared(patched);
    await this.syncOutputs(outputs, patched);
    t.prepare += lap();
    if (job.haltRequested) return { completed: false, startedAt: performance.now() };
    await this.coordinator.start();
    const startedAt = performance.now();
    t.start += lap();
    job.setStatus("running");
    const stopped = await this.poll(job, compiled);
    t.run += lap();
    if (stopped) {
      entries.push(...ExecutionReport.fromStatuses(compiled, stopped).entries);
      job.setReport(new ExecutionReport(entries));
      for (const s of job.resultHandles.values())
        s.fail(new InstrumentError("JOB_CANCELED", `job ${job.id} was halted`, { path: job.id }));
      return { completed: false, startedAt };
    }
    const statuses = await this.coordinator.waitDone(0);
    entries.push(...ExecutionReport.fromStatuses(compiled, statuses).entries);
    job.setReport(new ExecutionReport(entries));
    const final = await this.coordinator.retrieveAcquisitions();
    t.retrieve += lap();
    job.resultHandles.completeAll(final);
    return { completed: true, startedAt };
  }

  /** Poll until every used sequencer stopped; streams acquisitions meanwhile. Returns statuses when halted. */
  private async poll(job: Job, compiled: CompiledSchedule): Promise<SequencerRunStatus[] | null> {
    const t0 = Date.now();
    const timeout =
      this.options.runTimeoutMs ?? 10_000 + (2 * compiled.repetition_duration_ns * compiled.repetitions) / 1e6;
    const interval = this.options.streamIntervalMs ?? 20;
    const streaming = Object.values(compiled.acquisitions).some((l) => l.protocol !== "Trace");
    let lastStream = Date.now(); // a job shorter than one interval never pays for a stream poll
    let delay = 1;
    for (;;) {
      if (job.haltRequested) {
        await this.coordinator.stop();
        return this.coordinator.status();
      }
      const st = await this.coordinator.status();
      if (st.every((s) => DONE_STATES.has(s.state))) return null;
      const now = Date.now();
      if (streaming && now - lastStream >= interval) {
        await this.pollStreams(job, compiled);
        lastStream = Date.now();
      }
      if (now - t0 >= timeout) await this.coordinator.waitDone(0); // throws RUN_TIMEOUT naming the busy sequencers
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(interval, delay * 2);
    }
  }

  private async pollStreams(job: Job, compiled: CompiledSchedule): Promise<void> {
    const bySeq = new Map<string, { slot: number; seq: number; layouts: CompiledSchedule["acquisitions"][string][] }>();
    for (const l of Object.values(compiled.acquisitions)) {
      if (l.protocol === "Trace") continue;
      const mod = compiled.clusters[l.cluster]?.modules[l.module];
      if (!mod) continue;
      const key = `${mod.slot}/${l.sequencer}`;
      const e = bySeq.get(key) ?? { slot: mod.slot, seq: l.sequencer, layouts: [] };
      e.layouts.push(l);
      bySeq.set(key, e);
    }
    for (const { slot, seq, layouts } of bySeq.values()) {
      const raw = await this.driver.acquisitions(slot, seq);
      for (const l of layouts) {
        let r;
        try {
          r = shapeAcquisition(l, findAcquisitionEntry(raw, l), sequencerIntegrationLength(compiled, l));
        } catch {
          continue; // protocols q1forge cannot shape stream nothing; retrieve reports them
        }
        job.resultHandles.get(l.acq_channel).update(r);
      }
    }
  }

  /** After a job: undo its runtime changes, apply idle values (updated ones included). */
  private async restore(): Promise<void> {
    try {
      await this.jobWrites;
      const rev = this.currentRevert;
      if (rev)
        for (const c of rev.corrections.values())
          await this.coordinator.writeSequencerParams(c.cluster, c.slot, c.seq, {
            mixer_corr_gain_ratio: c.gain,
            mixer_corr_phase_offset_degree: c.phase,
          });
      if (this.pendingIdle) {
        this.idle = this.pendingIdle;
        this.pendingIdle = null;
      }
      await this.syncOutputs(this.idle);
      this.lastRestoreError = null;
    } catch (e) {
      this.lastRestoreError = e instanceof Q1ForgeError ? e : new InstrumentError("UNSUPPORTED", String(e));
    }
  }

  /** prepare() wrote the module offsets of every module the schedule uses (null → 0). */
  private notePrepared(compiled: CompiledSchedule): void {
    for (const m of Object.values(compiled.clusters[this.clusterName]?.modules ?? {})) {
      const h = this.held.get(m.slot);
      if (!h) continue;
      const offs = compiledOffsets(compiled, this.clusterName, m.slot, this.isRF(m.slot));
      offs.forEach((v, d) => {
        if (d < h.offsets.length) h.offsets[d] = v ?? 0;
      });
    }
  }

  /**
   * Make the outputs hold `target`, writing only what differs from what they hold. With `compiled`,
   * offsets the compiled schedule sets itself are left as prepare() wrote them.
   */
  private async syncOutputs(target: OutputState, compiled?: CompiledSchedule): Promise<void> {
    for (const [slot, want] of target) {
      const h = this.held.get(slot);
      if (!h) continue;
      const own = compiled ? compiledOffsets(compiled, this.clusterName, slot, this.isRF(slot)) : [];
      for (let d = 0; d < want.offsets.length; d++) {
        if (own[d] !== undefined && own[d] !== null) continue;
        if (h.offsets[d] !== want.offsets[d]) await this.writeOffset(slot, d, want.offsets[d]!);
      }
      for (let m = 0; m < want.inverted.length; m++)
        if (h.inverted[m] !== want.inverted[m]) await this.writeMarker(slot, m, want.inverted[m]!);
    }
  }

  private async writeOffset(slot: number, dac: number, volts: number): Promise<void> {
    const rf = this.isRF(slot);
    const name = rf ? `out${Math.floor(dac / 2)}_offset_path${dac % 2}` : `out${dac}_offset`;
    await this.coordinator.writeModuleParam(this.clusterName, slot, name, rf ? volts * 1e3 : volts);
    const h = this.held.get(slot);
    if (h) h.offsets[dac] = volts;
  }
  private async writeMarker(slot: number, marker: number, inverted: boolean): Promise<void> {
    await this.coordinator.writeModuleParam(this.clusterName, slot, `marker${marker}_inv_en`, inverted);
    const h = this.held.get(slot);
    if (h) h.inverted[marker] = inverted;
  }

  private isRF(slot: number): boolean {
    return this.driver.modules.get(slot)?.info.isRF ?? false;
  }

  private sequencerFor(job: Job, portClock: string): { slot: number; seq: CompiledSequencer } {
    const c = job.compiled?.clusters[this.clusterName];
    for (const m of Object.values(c?.modules ?? {}))
      for (const s of Object.values(m.sequencers)) if (s.port_clock === portClock) return { slot: m.slot, seq: s };
    const known = Object.values(c?.modules ?? {}).flatMap((m) => Object.values(m.sequencers).map((s) => s.port_clock));
    throw new InstrumentError("ELEMENT_UNKNOWN", `job ${job.id} has no sequencer for port-clock "${portClock}"`, {
      path: portClock,
      hint: `port-clocks of this job: ${known.join(", ") || "none"}`,
    });
  }

  private async setCorrection(job: Job, pc: string, c: ElementCorrection): Promise<ElementCorrection> {
    const { slot, seq } = this.sequencerFor(job, pc);
    const check = (v: number, r: { min: number; max: number }, what: string) => {
      if (!Number.isFinite(v) || v < r.min || v > r.max)
        throw new ValueRangeError("CORRECTION_RANGE", `${what} ${v} for "${pc}" is outside ${r.min} … ${r.max}`, {
          path: `${pc}.${what}`,
          hint: `give a ${what} within ${r.min} … ${r.max}`,
        });
    };
    check(c.gainRatio, GAIN_RATIO, "gainRatio");
    check(c.phaseOffsetDegree, PHASE_DEG, "phaseOffsetDegree");
    const applied: ElementCorrection = {
      gainRatio: Math.round(c.gainRatio / GAIN_RATIO.step) * GAIN_RATIO.step,
      phaseOffsetDegree: Math.round(c.phaseOffsetDegree / PHASE_DEG.step) * PHASE_DEG.step,
    };
    const key = `${slot}/${seq.index}`;
    const rev = this.currentRevert!;
    if (!rev.corrections.has(key)) {
      const p = await this.driver.sequencerParams(slot, seq.index);
      rev.corrections.set(key, {
        cluster: this.clusterName,
        slot,
        seq: seq.index,
        gain: p.mixer_corr_gain_ratio ?? 1,
        phase: p.mixer_corr_phase_offset_degree ?? 0,
      });
    }
    await this.coordinator.writeSequencerParams(this.clusterName, slot, seq.index, {
      mixer_corr_gain_ratio: applied.gainRatio,
      mixer_corr_phase_offset_degree: applied.phaseOffsetDegree,
    });
    return applied;
  }

  private async setDcOffset(job: Job, pc: string, path: "I" | "Q", offset: number): Promise<number> {
    const { slot, seq } = this.sequencerFor(job, pc);
    if (!Number.isFinite(offset) || Math.abs(offset) > OFFSET_LIMIT_V)
      throw new ValueRangeError(
        "OFFSET_RANGE",
        `offset ${offset} V for "${pc}" path ${path} is outside ±${OFFSET_LIMIT_V} V`,
        {
          path: pc,
          hint: `give an offset within ±${OFFSET_LIMIT_V} V`,
        },
      );
    const rf = this.isRF(slot);
    const dacs: number[] = [];
    for (const [out, v] of Object.entries(seq.settings.connect_out)) {
      const k = Number(out.replace(/^out/, ""));
      if (rf && v === "IQ") dacs.push(2 * k + (path === "I" ? 0 : 1));
      else if (!rf && v === path) dacs.push(k);
    }
    if (dacs.length === 0)
      throw new InstrumentError("ELEMENT_UNKNOWN", `"${pc}" has no output on path ${path}`, {
        path: pc,
        hint: `its outputs: ${JSON.stringify(seq.settings.connect_out)}`,
      });
    for (const d of dacs) await this.writeOffset(slot, d, offset);
    return offset;
  }

  private toCompiled(what: unknown): CompiledSchedule {
    if (isCompiled(what)) return what;
    if (!this.options.compile)
      throw new InstrumentError("COMPILE_UNAVAILABLE", "a schedule was given, but this session has no compiler", {
        path: "execute",
        hint: "pass a compiled schedule, or open the session with q1forge's openSession (package root), which compiles",
      });
    return this.options.compile(what, this.hardwareConfig);
  }

  /** Format version, cluster name and module types: refuse what this session cannot run. */
  private checkCompiled(c: CompiledSchedule): void {
    if (c.format !== FORMAT || c.version !== FORMAT_VERSION)
      throw new InstrumentError(
        "FORMAT_VERSION",
        `compiled schedule "${String(c.name)}" has format ${String(c.format)} version ${String(c.version)}; this session runs ${FORMAT} version ${FORMAT_VERSION}`,
        { path: "/version", hint: "recompile the schedule with this q1forge version" },
      );
    const names = Object.keys(c.clusters);
    const foreign = names.filter((n) => n !== this.clusterName);
    if (foreign.length > 0)
      throw new InstrumentError(
        "CLUSTER_MISMATCH",
        `compiled schedule "${c.name}" uses cluster(s) ${foreign.join(", ")}; this session owns cluster "${this.clusterName}" at ${this.address}`,
        {
          path: `/clusters/${foreign[0]}`,
          hint: "open one session per Cluster, or pass { clusterName } to openSession",
        },
      );
    for (const [mname, m] of Object.entries(c.clusters[this.clusterName]?.modules ?? {})) {
      const have = this.driver.modules.get(m.slot);
      if (!have || have.type !== m.instrument_type)
        throw new InstrumentError(
          "MODULE_MISSING",
          `compiled schedule "${c.name}" needs a ${m.instrument_type} in slot ${m.slot} (${mname}); the Cluster has ${have ? `a ${have.type}` : "no module"} there`,
          {
            path: `/clusters/${this.clusterName}/modules/${mname}`,
            hint: "fix the hardware config's modules, or the Cluster",
          },
        );
    }
    const sync = c.clusters[this.clusterName]?.settings.sync_on_external_trigger;
    if (sync !== null && sync !== undefined)
      throw new InstrumentError(
        "CAPABILITY_MISSING",
        `compiled schedule "${c.name}" synchronises on an external trigger, which this driver does not support`,
        {
          path: `/clusters/${this.clusterName}/settings/sync_on_external_trigger`,
          hint: "remove sync_on_external_trigger from the hardware config",
        },
      );
  }

  private fillProvenance(job: Job, c: CompiledSchedule): void {
    let h = this.hashes.get(c);
    if (!h) {
      h = createHash("sha256").update(JSON.stringify(c)).digest("hex");
      this.hashes.set(c, h);
    }
    const p = job.provenance;
    p.compiled_hash = h;
    p.compiler_version = c.compiler_version ?? p.compiler_version;
    p.format = c.format;
    p.format_version = c.version;
    p.instrument = {
      manufacturer: this.idn.manufacturer,
      model: this.idn.model,
      serial: this.idn.serial,
      firmware: { ...this.idn.build },
    };
  }

  private requireOpen(what: string): void {
    if (this.closed)
      throw new InstrumentError("SESSION_CLOSED", `${what}() on session ${this.id}, which is closed`, {
        path: this.id,
        hint: "open a new session with openSession()",
      });
  }
}

function isCompiled(x: unknown): x is CompiledSchedule {
  return typeof x === "object" && x !== null && (x as { format?: unknown }).format !== undefined && "clusters" in x;
}
