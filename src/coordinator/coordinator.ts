/**
 * InstrumentCoordinator (quantify-backend.md 7): prepare → start → waitDone → retrieveAcquisitions,
 * over one ClusterDriver per compiled cluster. Settings are written lazily; every failure clears
 * the cache and the run state, so the next prepare() rewrites everything and the next run works.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError, Q1ForgeError } from "../core/errors.js";
import { ClusterDriver } from "../instruments/cluster-driver.js";
import type { SequencerStatus } from "../instruments/reply-parse.js";
import type { TransportOptions } from "../instruments/transport.js";
import type { SequencerConfigParams } from "../instruments/sequencer-config.js";
import { sequencerIntegrationLength } from "../contract/acquisition-results.js";
import { completeAcquisition, type AcquisitionData } from "./acquisitions.js";
import { prepareModule } from "./apply-settings.js";
import { LazyCache } from "./lazy-cache.js";
import { VirtualLocalOscillator, type LocalOscillatorDriver } from "./local-oscillator.js";

export type RunState = "idle" | "prepared" | "running" | "done" | "failed";

export interface SequencerRunStatus extends SequencerStatus {
  cluster: string;
  module: string;
  slot: number;
  sequencer: number;
}

export interface HardwareLogEntry {
  /** ms since the coordinator was created */
  t: number;
  target: string;
  action: string;
  detail: string;
}

export interface CoordinatorOptions {
  /** one driver per cluster name of the compiled schedules */
  clusters: Record<string, ClusterDriver>;
  localOscillators?: Record<string, LocalOscillatorDriver>;
  /** write every setting on every prepare (disables the lazy cache) */
  forceSet?: boolean;
}

interface UsedSequencer {
  cluster: string;
  module: string;
  slot: number;
  seq: number;
  readout: boolean;
  integrationLength: number | null;
}

const MAX_LOG = 5000;
/** cache key of a sequencer's count of other clients' writes, as read after this coordinator's writes */
const genKey = (cluster: string, slot: number, seq: number) => `${cluster}/${slot}/seq${seq}/#generation`;
type Generation = NonNullable<Awaited<ReturnType<ClusterDriver["generation"]>>>;
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

  /**
   * prepare() without the guard. Before trusting the lazy cache for a module it checks that nobody
   * else wrote to the instrument since this coordinator did (the sequencers' generation counters count
   * other connections' writes apart); a module touched by anyone else, or on an instrument that keeps
   * no counter, is rewritten in full. A write by someone else during the writes makes it start over
   * (3 attempts, then FOREIGN_ACCESS).
   */
  private async prepareAll(compiled: CompiledSchedule): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const used: UsedSequencer[] = [];
      const seen = new Map<string, Generation>();
      let writes = 0;
      let interfered: string | null = null;
      for (const [cname, cluster] of Object.entries(compiled.clusters)) {
        const drv = this.driver(cname);
        let stale = false;
        for (const mod of Object.values(cluster.modules))
          if (!(await this.verifyHeld(drv, cname, mod.slot, seen))) stale = true;
        if (stale) this.cache.clear(`${cname}/reference_source`);
        const ref = cluster.settings.reference_source;
        if (this.forceSet || this.cache.changed(`${cname}/reference_source`, ref)) {
          await drv.setReferenceSource(ref);
          this.cache.remember(`${cname}/reference_source`, ref);
          writes++;
        }
        for (const [mname, mod] of Object.entries(cluster.modules)) {
          drv.module(mod.slot);
          writes += await prepareModule(drv, cname, mod, this.cache, this.forceSet, (target, action, detail) =>
            this.record(`${cname} ${target}`, action, detail),
          );
          for (const s of Object.values(mod.sequencers)) {
            used.push({
              cluster: cname,
              module: mname,
              slot: mod.slot,
              seq: s.index,
              readout: drv.module(mod.slot).info.supportsAcquisition,
              integrationLength: s.settings.integration_length_acq,
            });
          }
        }
        for (const [mname, mod] of Object.entries(cluster.modules))
          if (!(await this.recordHeld(drv, cname, mod.slot, seen))) {
            interfered ??= mname;
            this.cache.clear(`${cname}/reference_source`);
          }
      }
      if (interfered !== null) {
        if (attempt >= 3)
          throw new InstrumentError(
            "FOREIGN_ACCESS",
            `another client kept writing to ${interfered} while prepare() wrote it (${attempt} attempts)`,
            {
              path: interfered,
              hint: "two clients share this module: run the schedules one after the other (or on different modules)",
            },
          );
        this.record(
          interfered,
          "foreign",
          `written by another client during prepare(); writing again (attempt ${attempt + 1})`,
        );
        continue;
      }
      for (const [name, lo] of Object.entries(compiled.local_oscillators)) writes += await this.prepareLo(name, lo);
      // LINQ routing (docs/feedback.md): the compiled router configuration, applied before arming
      for (const [cname, router] of Object.entries(compiled.feedback?.router ?? {})) {
        await this.driver(cname).applyRouting(router);
        this.record(
          cname,
          "linq",
          `router: ${router.local_routes.length} local, ${router.cmm_routes.length} CMM, ${router.broadcast.length} broadcast`,
        );
        writes++;
      }
      this.compiled = compiled;
      this.used = used;
      this.runGenerations.clear();
      this.lastPrepareWrites = writes;
      this.state = "prepared";
      this.failure = null;
      return;
    }
  }

  /**
   * true when no other client wrote to any sequencer of the module since this coordinator recorded
   * its writes (the `configOthers` count is unchanged). Otherwise the module's cache entries are
   * dropped (so prepare rewrites them): someone else wrote to it, it was reset, or the instrument
   * keeps no counter. The counters read are added to `seen`.
   */
  private async verifyHeld(
    drv: ClusterDriver,
    cname: string,
    slot: number,
    seen: Map<string, Generation>,
  ): Promise<boolean> {
    const n = drv.module(slot).info.sequencers;
    let held = true;
    for (let q = 0; q < n; q++) {
      const key = genKey(cname, slot, q);
      const g = await drv.generation(slot, q);
      if (g === null) {
        this.cache.clear(`${cname}/${slot}/`);
        this.record(
          `${cname} slot ${slot}`,
          "info",
          "the instrument keeps no generation counter: every setting and sequence is written",
        );
        return false;
      }
      seen.set(`${cname}/${slot}/${q}`, g);
      if (!this.cache.changed(key, g.configOthers)) continue;
      if (held && this.cache.has(key))
        this.record(
          `${cname} slot ${slot}`,
          "foreign",
          `sequencer ${q} was written by another client since this coordinator wrote it; rewriting the module`,
        );
      held = false;
    }
    if (!held) this.cache.clear(`${cname}/${slot}/`);
    return held;
  }

  /**
   * After this coordinator's writes: remember every sequencer's `configOthers` count, or return false
   * (and forget the module) when another client wrote to it since `seen` was read.
   */
  private async recordHeld(
    drv: ClusterDriver,
    cname: string,
    slot: number,
    seen: Map<string, Generation>,
  ): Promise<boolean> {
    const n = drv.module(slot).info.sequencers;
    for (let q = 0; q < n; q++) {
      const g = await drv.generation(slot, q);
      if (g === null) return true;
      if (g.configOthers !== seen.get(`${cname}/${slot}/${q}`)?.configOthers) {
        this.cache.clear(`${cname}/${slot}/`);
        return false;
      }
      this.cache.remember(genKey(cname, slot, q), g.configOthers);
    }
    return true;
  }

  /**
   * The run's sequencers must still hold this run: nobody else wrote settings or sequences, armed,
   * started, stopped or deleted data since this coordinator's START. Throws FOREIGN_ACCESS naming the
   * first sequencer touched.
   */
  private async verifyRun(when: string): Promise<void> {
    for (const u of this.used) {
      const mine = this.runGenerations.get(`${u.cluster}/${u.slot}/${u.seq}`);
      if (!mine) continue;
      const g = await this.driver(u.cluster).generation(u.slot, u.seq);
      if (g === null || (g.configOthers === mine.configOthers && g.runOthers === mine.runOthers)) continue;
      throw this.foreign(
        u,
        g.configOthers !== mine.configOthers ? "re-configured or re-uploaded" : "armed, started, stopped or cleared",
        when,
        { expected: mine, found: g },
      );
    }
  }

  private foreign(
    u: UsedSequencer,
    what: string,
    when: string,
    details: Record<string, unknown> = {},
  ): InstrumentError {
    return new InstrumentError(
      "FOREIGN_ACCESS",
      `sequencer ${u.seq} of ${u.module} (slot ${u.slot}) was ${what} by another client ${when}; its data is not this run's`,
      {
        path: `${u.module}/seq${u.seq}`,
        hint: "two clients share this sequencer: run the schedules one after the other (or on different sequencers), then prepare and start again",
        details: { cluster: u.cluster, slot: u.slot, sequencer: u.seq, ...details },
      },
    );
  }

  private async prepareLo(name: string, lo: CompiledSchedule["local_oscillators"][string]): Promise<number> {
    let drv = this.localOscillators[name];
    if (!drv) {
      drv = new VirtualLocalOscillator(name);
      this.localOscillators[name] = drv;
      this.record(name, "info", "no LocalOscillatorDriver registered; using a VirtualLocalOscillator");
    }
    let writes = 0;
    const set = async (key: string, v: unknown, write: () => Promise<void>) => {
      if (!this.forceSet && !this.cache.changed(`lo/${name}/${key}`, v)) return;
      await write();
      this.cache.remember(`lo/${name}/${key}`, v);
      this.record(name, "set", `${key}=${String(v)}`);
      writes++;
    };
    if (lo.frequency !== null) await set("frequency", lo.frequency, () => drv.setFrequency(lo.frequency!));
    if (lo.power !== null) await set("power", lo.power, () => drv.setPower(lo.power!));
    await set("status", lo.status, () => drv.setOutput(lo.status));
    return writes;
  }

  /**
   * Stop everything, clear old data, arm only the used sequencers, then start them together. When
   * another client wrote to a used module since prepare(), the module is written again first; a write
   * by another client while the run is being started is FOREIGN_ACCESS.
   */
  async start(): Promise<void> {
    if (this.state === "idle" || !this.compiled)
      throw new InstrumentError("NOT_PREPARED", "start() before prepare()", { hint: "call prepare(compiled) first" });
    await this.guard(async () => {
      const slotsOf = (cname: string) => new Set(this.used.filter((u) => u.cluster === cname).map((u) => u.slot));
      const base = new Map<string, Generation>();
      let held = true;
      for (const [cname, drv] of Object.entries(this.clusters))
        for (const slot of slotsOf(cname)) if (!(await this.verifyHeld(drv, cname, slot, base))) held = false;
      if (!held) {
        await this.prepareAll(this.compiled!);
        base.clear();
        for (const [cname, drv] of Object.entries(this.clusters))
          for (const slot of slotsOf(cname)) await this.verifyHeld(drv, cname, slot, base);
      }
      this.runGenerations.clear();
      for (const [cname, drv] of Object.entries(this.clusters)) {
        const mine = this.used.filter((u) => u.cluster === cname);
        if (mine.length === 0) continue;
        await drv.stop();
        for (const u of mine) {
          if (u.readout) await drv.deleteAcquisitionData(u.slot, u.seq);
          await drv.arm({ slot: u.slot, seq: u.seq });
        }
      }
      for (const [cname, drv] of Object.entries(this.clusters)) {
        if (this.used.some((u) => u.cluster === cname)) await drv.start();
        this.record(
          cname,
          "start",
          this.used
            .filter((u) => u.cluster === cname)
            .map((u) => `slot ${u.slot} seq ${u.seq}`)
            .join(", "),
        );
      }
      for (const u of this.used) {
        const g = await this.driver(u.cluster).generation(u.slot, u.seq);
        if (g === null) continue;
        const b = base.get(`${u.cluster}/${u.slot}/${u.seq}`);
        if (!b || g.configOthers !== b.configOthers || g.runOthers !== b.runOthers)
          throw this.foreign(
            u,
            g.configOthers !== b?.configOthers ? "re-configured" : "armed, started or stopped",
            "while this run was being started",
          );
        this.runGenerations.set(`${u.cluster}/${u.slot}/${u.seq}`, g);
      }
      this.state = "running";
    });
  }

  /** Status of every used sequencer. */
  async status(): Promise<SequencerRunStatus[]> {
    const out: SequencerRunStatus[] = [];
    for (const u of this.used) {
      const s = await this.driver(u.cluster).sequencerStatus(u.slot, u.seq);
      out.push({ cluster: u.cluster, module: u.module, slot: u.slot, sequencer: u.seq, ...s });
    }
    return out;
  }

  /** Poll until every used sequencer stopped. Error flags → SEQUENCER_ERROR; too slow → RUN_TIMEOUT. */
  async waitDone(timeoutMs = 10_000, onPoll?: (elapsedMs: number) => void): Promise<SequencerRunStatus[]> {
    if (this.state === "done") return this.status();
    if (this.state !== "running")
      throw new InstrumentError("RUN_NOT_DONE", `waitDone() while the run is ${this.state}`, {
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
          this.checkFlags(st);
          await this.verifyRun("during the run");
          this.state = "done";
          return st;
        }
        const elapsed = Date.now() - t0;
        onPoll?.(elapsed);
        if (elapsed >= timeoutMs) {
          const busy = st
            .filter((s) => !DONE_STATES.has(s.state))
            .map((s) => `${s.module} seq${s.sequencer} (${s.state})`);
          throw new InstrumentError(
            "RUN_TIMEOUT",
            `run not finished after ${timeoutMs} ms: ${busy.join(", ")} still busy`,
            {
              path: busy[0] ?? null,
              hint: "raise the timeout, or look for a sequencer waiting on wait_sync / a trigger; the next start() stops it",
            },
          );
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(20, delay * 2);
      }
    });
  }

  private checkFlags(st: SequencerRunStatus[]): void {
    for (const s of st)
      for (const f of [...s.infoFlags, ...s.warnFlags])
        if (f !== "ACQ_BINNING_DONE" && !f.startsWith("ACQ_SCOPE_DONE"))
          this.record(`${s.cluster} slot ${s.slot} seq ${s.sequencer}`, "flag", f);
    const stopped = st.find((s) => s.infoFlags.includes("FORCED_STOP") || s.warnFlags.includes("FORCED_STOP"));
    if (stopped)
      throw new InstrumentError(
        "SEQUENCER_STOPPED",
        `sequencer ${stopped.sequencer} of ${stopped.module} (slot ${stopped.slot}) was stopped before it finished (FORCED_STOP${stopped.log ? `: ${stopped.log}` : ""}): its data is incomplete`,
        {
          path: `${stopped.module}/seq${stopped.sequencer}`,
          hint: "another client or a STOP command ended the run; start it again (one client per sequencer at a time)",
          details: { sequencers: [stopped] },
        },
      );
    const bad = st.filter((s) => s.errFlags.length > 0 || s.status === "ERROR");
    if (bad.length === 0) return;
    const text = bad
      .map((s) => `${s.module} seq${s.sequencer}: ${s.errFlags.join(", ") || "ERROR"}${s.log ? ` (${s.log})` : ""}`)
      .join("; ");
    throw new InstrumentError("SEQUENCER_ERROR", `sequencer error during the run: ${text}`, {
      path: `${bad[0]!.module}/seq${bad[0]!.sequencer}`,
      hint: bad.some((s) => s.errFlags.some((f) => f.includes("UNDERFLOW")))
        ? "the Q1 core fell behind the real-time queue: lengthen short real-time instructions or move classical work out of tight loops"
        : "see the flags and log; fix the program or settings and run again",
      details: { sequencers: bad },
    });
  }

  /** Acquisitions per acq channel in the compiled shape. Refuses unless the run is done. */
  async retrieveAcquisitions(): Promise<Record<string, AcquisitionData>> {
    if (this.state === "running") {
      const st = await this.guard(() => this.status());
      if (st.every((s) => DONE_STATES.has(s.state))) {
        this.guardSync(() => this.checkFlags(st));
        await this.guard(() => this.verifyRun("during the run"));
        this.state = "done";
      }
    }
    if (this.state !== "done" || !this.compiled) {
      throw new InstrumentError(
        "RUN_NOT_DONE",
        `acquisitions requested while the run is ${this.state === "running" ? "still running" : this.state}`,
        {
          hint:
            this.state === "running"
              ? "call waitDone() first"
              : this.state === "failed"
                ? `the run failed (${this.failure?.message ?? "see the hardware log"}); its data is not returned`
                : "prepare() and start() a run first",
        },
      );
    }
    const compiled = this.compiled;
    return this.guard(async () => {
      await this.verifyRun("after the run");
      const raw = new Map<string, Awaited<ReturnType<ClusterDriver["acquisitions"]>>>();
      const layouts = Object.values(compiled.acquisitions);
      for (const l of layouts.filter((x) => x.protocol === "Trace")) {
        const slot = compiled.clusters[l.cluster]!.modules[l.module]!.slot;
        await this.driver(l.cluster).storeScopeAcquisition(slot, l.sequencer, String(l.qblox_index));
      }
      const out: Record<string, AcquisitionData> = {};
      for (const [ch, l] of Object.entries(compiled.acquisitions)) {
        const mod = compiled.clusters[l.cluster]?.modules[l.module];
        if (!mod)
          throw new InstrumentError(
            "ACQUISITION_MISSING",
            `acquisition channel "${ch}" refers to module ${l.module} of cluster ${l.cluster}, which the schedule does not use`,
            { path: `acquisitions/${ch}` },
          );
        const key = `${l.cluster}/${mod.slot}/${l.sequencer}`;
        if (!raw.has(key)) raw.set(key, await this.driver(l.cluster).acquisitions(mod.slot, l.sequencer));
        out[ch] = completeAcquisition(l, raw.get(key)!, sequencerIntegrationLength(compiled, l), compiled.repetitions);
      }
      await this.verifyRun("while its data was read");
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
        this.failure = new InstrumentError("RUN_NOT_DONE", "the run was stopped before it finished");
      }
    });
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
    this.failure = e instanceof Q1ForgeError ? e : new InstrumentError("UNSUPPORTED", String(e));
    this.record("coordinator", "error", e instanceof Error ? e.message : String(e));
  }

  private record(target: string, action: string, detail: string): void {
    if (this.log.length >= MAX_LOG) this.log.splice(0, MAX_LOG / 2);
    this.log.push({ t: Date.now() - this.t0, target, action, detail });
  }
}
