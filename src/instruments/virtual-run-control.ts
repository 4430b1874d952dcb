/**
 * Base of the virtual Cluster (virtual-cluster.ts): its instrument state (modules, LINQ router, error
 * queue, system status, dummy data) and run control: ARM / START / STOP / CLR:FLAGS / STATE? with
 * fan-out, and START's emulation run.
 */
import { VirtualLinqRouter } from "./linq-scpi.js";
import { emptyRawAcquisition } from "./acq-binary.js";
import type { EmuModuleInput, EmuRawAcquisition, EmuRunOptions } from "../emulator/api.js";
import { runCluster } from "../emulator/cluster.js";
import { nodeMatches, type HeaderNode } from "./scpi-command-parser.js";
import type { SystemStatus } from "./reply-parse.js";
import { ScpiExecError, type Reply } from "./virtual-commands.js";
import {
  MAX_ERROR_QUEUE,
  parseModuleList,
  VIRTUAL_RUN_INSTRUCTION_BUDGET,
  VIRTUAL_RUN_WALL_CLOCK_BUDGET_MS,
  virtualFirmware,
  type VirtualClusterOptions,
} from "./virtual-options.js";
import { emulationPool } from "./virtual-emulation-pool.js";
import {
  applyEmulatorFailure,
  applyEmulatorResult,
  beginRun,
  deferScopesAsync,
  emulatorInputs,
  endRun,
  runVirtual,
  stopRun,
  type DummyBin,
  type VirtualRunContext,
} from "./virtual-run.js";
import { VirtualModule, type VirtualSequencer } from "./virtual-state.js";

export class VirtualClusterRunControl {
  readonly name: string;
  readonly modules = new Map<number, VirtualModule>();
  /** LINQ routing set over SCPI (linq-scpi.ts); the emulator routes feedback by it */
  readonly linq = new VirtualLinqRouter((slot) => this.modules.get(slot)?.sequencers.length);
  /** every received command header (most recent 20 000), for tests and diagnostics */
  readonly commandLog: string[] = [];
  systemStatus: SystemStatus = "OKAY";
  systemFlags: string[] = [];
  referenceSource: "internal" | "external" = "internal";
  readonly errors: { code: number; message: string }[] = [];
  readonly dummyData = new Map<string, (DummyBin | null)[]>();

  protected readonly opts: VirtualClusterOptions;
  /** the firmware emulated: its version (`*IDN?`, `*MODS?`) and whether it has the LINQ router */
  readonly firmware: { version: string; linq: boolean };
  /** id of the latest START (a queued emulation runs only for sequencers still in that run) */
  private runId = 0;
  /** true when no emulator is available: runs behave like qblox-instruments' dummy (no execution) */
  get dummyMode(): boolean {
    return this.opts.emulate === false;
  }

  constructor(opts: VirtualClusterOptions) {
    this.opts = opts;
    this.firmware = virtualFirmware(opts);
    this.name = opts.name ?? "cluster0";
    const mods = typeof opts.modules === "string" ? parseModuleList(opts.modules) : opts.modules;
    for (const [slot, type] of Object.entries(mods))
      this.modules.set(Number(slot), new VirtualModule(Number(slot), type));
  }

  /**
   * Queue an error like the instrument: at most MAX_ERROR_QUEUE entries, the last one becoming
   * -350 "Queue overflow" when more arrive (SCPI-99 21.8).
   */
  protected queueError(code: number, message: string): void {
    if (this.errors.length >= MAX_ERROR_QUEUE) {
      this.errors[MAX_ERROR_QUEUE - 1] = { code: -350, message: "Queue overflow" };
      return;
    }
    this.errors.push({ code, message });
  }

  /** ARM / START / STOP / CLR:FLAGS / STATE? with fan-out over sequencers and modules (reference 10.4). */
  protected runControl(slot: number | null, nodes: HeaderNode[], query: boolean): Reply | undefined {
    if (nodes.length < 2 || !nodeMatches("SEQuencer", nodes[0]!.name)) return undefined;
    const op =
      nodes
        .slice(1)
        .map((n) => n.name)
        .join(":") + (query ? "?" : "");
    if (!["ARM", "START", "STOP", "CLR:FLAGS", "STATE?"].includes(op)) return undefined;
    const seqNum = nodes[0]!.num;
    const mods =
      slot === null
        ? [...this.modules.values()]
        : [this.modules.get(slot)].filter((m): m is VirtualModule => m !== undefined);
    if (mods.length === 0) throw new ScpiExecError(-241, `Hardware missing; no module in slot ${slot}`);
    const targets: VirtualSequencer[] = [];
    for (const m of mods) {
      if (seqNum !== null && seqNum >= m.sequencers.length)
        throw new ScpiExecError(-114, `Header suffix out of range; sequencer ${seqNum} on slot ${m.slot}`);
      targets.push(...(seqNum === null ? m.sequencers : [m.sequencers[seqNum]!]));
    }
    const now = Date.now();
    for (const s of targets) s.settle(now);
    switch (op) {
      case "STATE?":
        if (targets.length !== 1) throw new ScpiExecError(-113, "Undefined header; STATE? needs one sequencer");
        return targets[0]!.stateReply();
      case "CLR:FLAGS":
        for (const s of targets) s.clearFlags();
        return null;
      case "STOP":
        for (const s of targets) {
          if (s.state === "ARMED" || s.state === "RUNNING" || s.state === "Q1_STOPPED") {
            if (s.emulating) {
              // stopped before its emulation ended: nothing of this run was acquired (no valid bins)
              for (const a of s.acquisitions.values()) {
                a.raw = emptyRawAcquisition(a.index, a.numBins, s.module.scopePaths);
                a.pendingScope = null;
              }
              s.emulating = false;
            }
            s.state = "STOPPED";
            s.pending = null;
            s.infoFlags = [...s.infoFlags.filter((f) => f !== "FORCED_STOP"), "FORCED_STOP"];
          }
        }
        return null;
      case "ARM":
        for (const s of targets) {
          if (s.program === null) {
            if (seqNum === null) continue; // fan-out arms only sequencers with a program
            throw new ScpiExecError(
              -200,
              `Execution error; sequencer ${s.index} in slot ${s.module.slot} has no valid program to arm`,
            );
          }
          s.pending = null;
          s.clearFlags();
          s.state = "ARMED";
        }
        return null;
      case "START": {
        const armed = targets.filter((s) => s.state === "ARMED");
        if (armed.length === 0)
          throw new ScpiExecError(-200, "Execution error; no sequencer is armed, arm sequencers before START");
        this.startRun(armed);
        return null;
      }
    }
    return undefined;
  }

  /**
   * START answers at once, like hardware: the sequencers report RUNNING (no flags) and the
   * emulation runs right after the reply has been written — in the emulation worker by default, so
   * every client is answered while it runs. Sequencers stopped, re-armed or reset before it ends are
   * left out of its result.
   */
  private startRun(armed: VirtualSequencer[]): void {
    const id = ++this.runId;
    for (const s of armed) {
      s.state = "RUNNING";
      s.clearFlags();
      s.pending = null;
      s.deferredScope = null;
      s.emulating = true;
      s.runEndsAt = Number.POSITIVE_INFINITY;
      s.runId = id;
    }
    // in the worker even while the process's first worker is still loading: the run waits for it
    // (asynchronously, its wall-clock budget counted from when the worker picks it up), so the event
    // loop stays free and the budget applies to every run
    const worker = this.emulatesInWorker();
    const opts: EmuRunOptions = {};
    if (this.opts.inputModel) opts.inputModel = this.opts.inputModel;
    if (this.opts.timeOfFlightNs !== undefined) opts.timeOfFlightNs = this.opts.timeOfFlightNs;
    opts.linq = this.linq.config();
    opts.maxInstructions = this.instructionBudget(worker, armed.length);
    setImmediate(() => {
      const ctx = this.runContext(this.liveOf(armed, id), opts);
      if (ctx.armed.length === 0) return;
      if (worker) this.runInWorker(ctx, id);
      else runVirtual(ctx);
    });
  }

  /** Q1 instructions each of `n` sequencers of a run may execute (the run's budget shared). */
  private instructionBudget(worker: boolean, n: number): number {
    const budget = this.opts.runInstructionBudget ?? (worker ? undefined : VIRTUAL_RUN_INSTRUCTION_BUDGET);
    return budget === undefined ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.floor(budget / n));
  }

  /** A run's sequencers still in it: same START, still RUNNING, not replaced by *RST. */
  private liveOf(armed: VirtualSequencer[], id: number): VirtualSequencer[] {
    return armed.filter(
      (s) => s.runId === id && s.state === "RUNNING" && this.modules.get(s.module.slot)?.sequencers[s.index] === s,
    );
  }

  private runContext(armed: VirtualSequencer[], runOptions: EmuRunOptions): VirtualRunContext {
    return {
      modules: this.modules,
      armed,
      runCluster: this.opts.emulate === false ? undefined : (this.opts.runCluster ?? runCluster),
      runOptions,
      runDurationMs: this.opts.runDurationMs,
      dummyData: this.dummyData,
    };
  }

  /** Start the emulation worker ahead of the first run (VirtualCluster.start). */
  protected warmEmulation(): void {
    if (this.emulatesInWorker()) emulationPool().warm();
  }

  /**
   * Resolves true once runs are emulated in the worker thread (the process's first worker has
   * loaded the emulator), false when this cluster emulates inline (a user runCluster / inputModel,
   * `emulation: "inline"`, no emulator) or no worker can start. Runs started before wait for it.
   */
  async emulationInWorker(): Promise<boolean> {
    if (!this.emulatesInWorker()) return false;
    return emulationPool().whenStarted();
  }

  /** The emulation worker runs the emulator's own runCluster on plain data: no user functions. */
  private emulatesInWorker(): boolean {
    return (
      this.opts.emulate !== false &&
      this.opts.emulation !== "inline" &&
      this.opts.runCluster === undefined &&
      this.opts.inputModel === undefined
    );
  }

  /** Runs whose emulation is in the worker now, so STOP / *RST / stop() can cancel them. */
  private readonly inFlight = new Map<number, { armed: VirtualSequencer[]; cancel: () => void }>();

  /** Cancel runs none of whose sequencers is still in them (stopped, re-armed, reset). */
  protected reapRuns(): void {
    for (const [id, run] of this.inFlight) if (this.liveOf(run.armed, id).length === 0) run.cancel();
  }

  /** Cancel every run in the worker (the server stops). */
  protected cancelRuns(): void {
    for (const run of this.inFlight.values()) run.cancel();
  }

  private runInWorker(ctx: VirtualRunContext, id: number): void {
    const budgetMs = this.opts.runWallClockBudgetMs ?? VIRTUAL_RUN_WALL_CLOCK_BUDGET_MS;
    let inputs: EmuModuleInput[];
    try {
      inputs = emulatorInputs(ctx);
    } catch (e) {
      // as inline: a state the emulator cannot take is an error of the run, never an exception of the server
      beginRun(ctx);
      applyEmulatorFailure(ctx, e instanceof Error ? e.message : String(e));
      endRun(ctx, 0, new Set());
      return;
    }
    const options: EmuRunOptions = { ...ctx.runOptions, deferScope: true };
    const job = emulationPool().submit({ kind: "run", inputs, options }, budgetMs);
    this.inFlight.set(id, { armed: ctx.armed, cancel: job.cancel });
    void job.promise.then((outcome) => {
      this.inFlight.delete(id);
      const live = this.runContext(this.liveOf(ctx.armed, id), ctx.runOptions);
      if (live.armed.length === 0) return;
      switch (outcome.kind) {
        case "run": {
          beginRun(live);
          deferScopesAsync(live, inputs, (slot, seq) => this.scopeInWorker(inputs, options, slot, seq, budgetMs));
          const { endTimeNs, neverEnds } = applyEmulatorResult(live, outcome.result);
          endRun(live, endTimeNs, neverEnds);
          return;
        }
        case "failed":
          beginRun(live);
          applyEmulatorFailure(live, outcome.message);
          endRun(live, 0, new Set());
          return;
        case "timeout": {
          const where = live.armed.map((s) => `slot ${s.module.slot} sequencer ${s.index}`).join(", ");
          const log = `stopped by the virtual Cluster's wall-clock budget: the run's emulation took longer than ${budgetMs} ms (an endless loop?); q1forge option runWallClockBudgetMs (q1forge virtual-cluster --run-budget-ms)`;
          stopRun(live, log);
          this.queueError(-200, `Execution error; run of ${where} ${log}`);
          return;
        }
        case "unavailable":
          // no worker thread in this installation: emulate here, under the inline instruction budget
          runVirtual({
            ...live,
            runOptions: { ...live.runOptions, maxInstructions: this.instructionBudget(false, live.armed.length) },
          });
          return;
        case "cancelled":
          return;
      }
    });
  }

  /** A deferred scope of a run emulated in the worker: the same inputs again with the scope captured. */
  private async scopeInWorker(
    inputs: EmuModuleInput[],
    options: EmuRunOptions,
    slot: number,
    seq: number,
    budgetMs: number,
  ): Promise<EmuRawAcquisition["scope"] | null> {
    const { deferScope: _, ...withScope } = options;
    const outcome = await emulationPool().submit({ kind: "scope", inputs, options: withScope, slot, seq }, budgetMs)
      .promise;
    if (outcome.kind === "scope") return outcome.scope;
    if (outcome.kind === "unavailable") {
      const sr = runCluster(inputs, { ...withScope, maxInstructions: VIRTUAL_RUN_INSTRUCTION_BUDGET })
        .modules.find((m) => m.slot === slot)
        ?.sequencers.find((s) => s.index === seq);
      const raw = sr?.rawAcquisitions ? Object.values(sr.rawAcquisitions)[0] : undefined;
      return raw ? raw.scope : null;
    }
    this.queueError(
      -200,
      `Execution error; the scope of slot ${slot} sequencer ${seq} could not be computed (${outcome.kind === "timeout" ? `over the wall-clock budget of ${budgetMs} ms` : outcome.kind === "failed" ? outcome.message : "cancelled"})`,
    );
    return null;
  }
}
