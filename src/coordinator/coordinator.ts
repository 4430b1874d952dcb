/**
 * InstrumentCoordinator (quantify-backend.md 7): prepare → start → waitDone → retrieveAcquisitions,
 * over one ClusterDriver per compiled cluster. Settings are written lazily; every failure clears
 * the cache and the run state, so the next prepare() rewrites everything and the next run works.
 *
 * Split by responsibility: the types are in coordinator-types.ts, prepare()'s writes in
 * prepare-clusters.ts, the other-client checks in foreign-access.ts, the arming and start of a run in
 * start-run.ts, a finished run's flags and a forced stop in run-flags.ts,
 * the errors of waitDone() and retrieveAcquisitions() in run-errors.ts.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError, Q1ForgeError } from "../core/errors.js";
import { ClusterDriver } from "../instruments/cluster-driver.js";
import type { TransportOptions } from "../instruments/transport.js";
import type { SequencerConfigParams } from "../instruments/sequencer-config.js";
import type { AcquisitionData } from "./acquisitions.js";
import type {
  CoordinatorOptions,
  Generation,
  HardwareLogEntry,
  RunState,
  SequencerRunStatus,
  UsedSequencer,
} from "./coordinator-types.js";
import type { WriteLog } from "./apply-settings.js";
import { verifyRun } from "./foreign-access.js";
import { LazyCache } from "./lazy-cache.js";
import type { LocalOscillatorDriver } from "./local-oscillator.js";
import { prepareClusters } from "./prepare-clusters.js";
import { readAcquisitions } from "./read-acquisitions.js";
import { checkFlags, forcedStopOf, stopRunOnForcedStop } from "./run-flags.js";
import { armAndStart, verifyAllHeld } from "./start-run.js";
import { acquisitionsNotDone, runTimeout } from "./run-errors.js";

export type { CoordinatorOptions, HardwareLogEntry, RunState, SequencerRunStatus } from "./coordinator-types.js";

const MAX_LOG = 5000;
const DONE_STATES = new Set(["STOPPED", "IDLE"]);

export class InstrumentCoordinator {
  readonly clusters: Record<string, ClusterDriver>;
  readonly localOscillators: Record<string, LocalOscillatorDriver>;
  readonly forceSet: boolean;
  private readonly cache = new LazyCache();
  private readonly log: HardwareLogEntry[] = [];
  private readonly t0 = Date.now();
  private compiled: CompiledSchedule | null = null;
  private used: UsedSequencer[] = [];
  /** generation counters of the used sequencers right after this coordinator's START */
  private readonly runGenerations = new Map<string, Generation>();
  private state: RunState = "idle";
  private failure: Q1ForgeError | null = null;
  /** settings written by the last prepare() (0 when nothing changed) */
  lastPrepareWrites = 0;

  constructor(opts: CoordinatorOptions) {
    this.clusters = opts.clusters;
    this.localOscillators = { ...opts.localOscillators };
    this.forceSet = opts.forceSet ?? false;
    for (const [name, drv] of Object.entries(this.clusters)) {
      drv.transport.onReconnect(() => {
        this.cache.clear(`${name}/`);
        this.record(name, "reconnect", "connection re-established; settings cache cleared");
      });
    }
  }

  /** Connect to clusters given as name → host:port. */
  static async connect(
    addresses: Record<string, { host: string; port: number }>,
    opts: Omit<CoordinatorOptions, "clusters"> & { transport?: Partial<TransportOptions> } = {},
  ): Promise<InstrumentCoordinator> {
    const clusters: Record<string, ClusterDriver> = {};
    try {
      for (const [name, a] of Object.entries(addresses))
        clusters[name] = await ClusterDriver.connect({ ...opts.transport, host: a.host, port: a.port });
    } catch (e) {
      await Promise.all(Object.values(clusters).map((c) => c.close()));
      throw e;
    }
    return new InstrumentCoordinator({ ...opts, clusters });
  }

  get runState(): RunState {
    return this.state;
  }
  get hardwareLog(): readonly HardwareLogEntry[] {
    return this.log;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.clusters).map((c) => c.close()));
  }

  /** Forget what the instruments hold (the next prepare writes every setting). */
  invalidateCache(): void {
    this.cache.clear();
  }

  /**
   * Write one module parameter outside prepare() (a session's idle values, a job's runtime change)
   * and keep the lazy cache in step, so the next prepare() writes it again only if it differs.
   */
  async writeModuleParam(cluster: string, slot: number, name: string, value: number | boolean): Promise<void> {
    const key = `${cluster}/${slot}/${name}`;
    try {
      await this.driver(cluster).setModuleParam(slot, name, value);
      this.cache.remember(key, value);
      this.record(`${cluster} slot ${slot}`, "set", `${name}=${String(value)}`);
    } catch (e) {
      this.cache.clear(key);
      throw e;
    }
  }

  /** Write sequencer parameters outside prepare() (a job's element correction), keeping the lazy cache in step. */
  async writeSequencerParams(
    cluster: string,
    slot: number,
    seq: number,
    params: Partial<SequencerConfigParams>,
  ): Promise<void> {
    const key = (n: string) => `${cluster}/${slot}/seq${seq}/${n}`;
    try {
      await this.driver(cluster).setSequencerParams(slot, seq, params);
      for (const [n, v] of Object.entries(params)) this.cache.remember(key(n), v);
      this.record(
        `${cluster} slot ${slot} seq ${seq}`,
        "set",
        Object.entries(params)
          .map(([n, v]) => `${n}=${String(v)}`)
          .join(" "),
      );
    } catch (e) {
      for (const n of Object.keys(params)) this.cache.clear(key(n));
      throw e;
    }
  }

  /** *RST every cluster and forget the cache. */
  async reset(): Promise<void> {
    this.cache.clear();
    for (const [name, d] of Object.entries(this.clusters)) {
      await d.reset();
      this.record(name, "reset", "*RST");
    }
    this.state = "idle";
  }

  async prepare(compiled: CompiledSchedule): Promise<void> {
    await this.guard(async () => {
      if (this.state === "running") await this.stop();
      await this.prepareAll(compiled);
    });
  }

  /** prepare() without the guard (the writes: prepare-clusters.ts). */
  private async prepareAll(compiled: CompiledSchedule): Promise<void> {
    const { used, writes } = await prepareClusters(
      compiled,
      (cluster) => this.driver(cluster),
      this.cache,
      this.forceSet,
      this.localOscillators,
      (target, action, detail) => this.record(target, action, detail),
    );
    this.compiled = compiled;
    this.used = used;
    this.runGenerations.clear();
    this.lastPrepareWrites = writes;
    this.state = "prepared";
    this.failure = null;
  }

  /**
   * Stop everything, clear old data, arm only the used sequencers, then start them together. When
   * another client wrote to a used module since prepare(), the module is written again first; a write
   * by another client while the run is being started is FOREIGN_ACCESS.
   */
  async start(): Promise<void> {
    if (this.state === "idle" || !this.compiled)
      throw new InstrumentError("NOT_PREPARED", "start() before prepare()", {
        path: "start()",
        hint: "call prepare(compiled) first",
      });
    await this.guard(async () => {
      const base = new Map<string, Generation>();
      const record: WriteLog = (target, action, detail) => this.record(target, action, detail);
      if (!(await verifyAllHeld(this.clusters, this.used, base, this.cache, record))) {
        await this.prepareAll(this.compiled!);
        base.clear();
        await verifyAllHeld(this.clusters, this.used, base, this.cache, record);
      }
      this.runGenerations.clear();
      await armAndStart(this.clusters, this.used, base, this.runGenerations, record);
      this.state = "running";
    });
  }

  /** Status of every used sequencer. */
  async status(): Promise<SequencerRunStatus[]> {
    const out: SequencerRunStatus[] = [];
    // one round trip per cluster; statuses in the order of the used sequencers
    const byCluster = new Map<string, UsedSequencer[]>();
    for (const u of this.used) byCluster.set(u.cluster, [...(byCluster.get(u.cluster) ?? []), u]);
    const found = new Map<UsedSequencer, SequencerRunStatus>();
    for (const [cluster, list] of byCluster) {
      const st = await this.driver(cluster).sequencerStatuses(list);
      list.forEach((u, i) =>
        found.set(u, { cluster: u.cluster, module: u.module, slot: u.slot, sequencer: u.seq, ...st[i]! }),
      );
    }
    for (const u of this.used) out.push(found.get(u)!);
    return out;
  }

  /** Poll until every used sequencer stopped. Error flags → SEQUENCER_ERROR; too slow → RUN_TIMEOUT. */
  async waitDone(timeoutMs = 10_000, onPoll?: (elapsedMs: number) => void): Promise<SequencerRunStatus[]> {
    if (this.state === "done") return this.status();
    if (this.state !== "running")
      throw new InstrumentError("RUN_NOT_DONE", `waitDone() while the run is ${this.state}`, {
        path: "waitDone()",
        hint:
          this.state === "failed"
            ? `the last run failed (${this.failure?.message ?? "see the hardware log"}); prepare and start again`
            : "call start() first",
      });
    return this.guard(async () => {
      const t0 = Date.now();
      let delay = 1;
      for (;;) {
        const st = await this.status();
        if (st.every((s) => DONE_STATES.has(s.state))) {
          checkFlags(st, (target, action, detail) => this.record(target, action, detail));
          await this.verifyRun("during the run");
          this.state = "done";
          return st;
        }
        await this.failIfForcedStop(st);
        const elapsed = Date.now() - t0;
        onPoll?.(elapsed);
        if (elapsed >= timeoutMs) throw runTimeout(st, timeoutMs, DONE_STATES);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(20, delay * 2);
      }
    });
  }

  /**
   * waitDone() for a caller that polled status() itself and saw every used sequencer stopped: the
   * same flag check and other-client check, without another status query.
   */
  async completeRun(statuses: SequencerRunStatus[]): Promise<SequencerRunStatus[]> {
    if (this.state !== "running" || !statuses.every((s) => DONE_STATES.has(s.state))) return this.waitDone(0);
    return this.guard(async () => {
      checkFlags(statuses, (target, action, detail) => this.record(target, action, detail));
      await this.verifyRun("during the run");
      this.state = "done";
      return statuses;
    });
  }

  /**
   * While the run goes on: when a sequencer of it was stopped by someone else (FORCED_STOP), the run's
   * data is incomplete whatever the others do, so the others are stopped now and the run fails with
   * SEQUENCER_STOPPED naming that sequencer, instead of once the rest of the run has played out.
   */
  async failIfForcedStop(st: readonly SequencerRunStatus[]): Promise<void> {
    const stopped = forcedStopOf(st);
    if (stopped === undefined || this.state !== "running") return;
    await this.guard(() =>
      stopRunOnForcedStop(
        stopped,
        st,
        this.used,
        DONE_STATES,
        (cluster) => this.driver(cluster),
        (target, action, detail) => this.record(target, action, detail),
      ),
    );
  }

  /** Acquisitions per acq channel in the compiled shape. Refuses unless the run is done. */
  async retrieveAcquisitions(): Promise<Record<string, AcquisitionData>> {
    if (this.state === "running") {
      const st = await this.guard(() => this.status());
      if (st.every((s) => DONE_STATES.has(s.state))) {
        this.guardSync(() => checkFlags(st, (target, action, detail) => this.record(target, action, detail)));
        await this.guard(() => this.verifyRun("during the run"));
        this.state = "done";
      }
    }
    if (this.state !== "done" || !this.compiled) throw acquisitionsNotDone(this.state, this.failure);
    const compiled = this.compiled;
    return this.guard(async () => {
      const out = await readAcquisitions(compiled, (cluster) => this.driver(cluster));
      // the counters only grow: unchanged now, they were unchanged from START through the read
      await this.verifyRun("after the run");
      return out;
    });
  }

  /** Stop all sequencers of every cluster (a running run becomes failed: its data is incomplete). */
  async stop(): Promise<void> {
    await this.guard(async () => {
      for (const [cname, drv] of Object.entries(this.clusters)) {
        await drv.stop();
        this.record(cname, "stop", "all sequencers");
      }
      if (this.state === "running") {
        this.state = "failed";
        this.failure = new InstrumentError("RUN_NOT_DONE", "the run was stopped before it finished", {
          path: "stop()",
          hint: "the run was stopped on request; prepare and start it again to get results",
        });
      }
    });
  }

  /** foreign-access.ts's verifyRun over this run's sequencers. */
  private verifyRun(when: string): Promise<void> {
    return verifyRun(this.used, this.runGenerations, (cluster) => this.driver(cluster), when);
  }

  private driver(cluster: string): ClusterDriver {
    const d = this.clusters[cluster];
    if (!d)
      throw new InstrumentError(
        "MODULE_MISSING",
        `the compiled schedule uses cluster "${cluster}", but the coordinator has no connection to it`,
        { path: `clusters/${cluster}`, hint: `connected clusters: ${Object.keys(this.clusters).join(", ") || "none"}` },
      );
    return d;
  }

  /** Any failure: forget cached settings (instrument state unknown) and mark the run failed. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.onFailure(e);
      throw e;
    }
  }
  private guardSync(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.onFailure(e);
      throw e;
    }
  }
  private onFailure(e: unknown): void {
    this.cache.clear();
    this.state = "failed";
    this.failure =
      e instanceof Q1ForgeError
        ? e
        : new InstrumentError("UNSUPPORTED", String(e), {
            path: null,
            hint: "an unexpected non-q1forge failure has no item to name (path null); see the hardware log (log()) and report it if it recurs",
          });
    this.record("coordinator", "error", e instanceof Error ? e.message : String(e));
  }

  private record(target: string, action: string, detail: string): void {
    if (this.log.length >= MAX_LOG) this.log.splice(0, MAX_LOG / 2);
    this.log.push({ t: Date.now() - this.t0, target, action, detail });
  }
}
