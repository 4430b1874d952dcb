/**
 * Base of the virtual Cluster (virtual-cluster.ts): its instrument state (modules, LINQ router, error
 * queue, system status, dummy data) and run control: ARM / START / STOP / CLR:FLAGS / STATE? with
 * fan-out, and START's emulation run.
 */
import { VirtualLinqRouter } from "./linq-scpi.js";
import type { EmuRunOptions } from "../emulator/api.js";
import { runCluster } from "../emulator/cluster.js";
import { nodeMatches, type HeaderNode } from "./scpi-command-parser.js";
import type { SystemStatus } from "./reply-parse.js";
import { ScpiExecError, type Reply } from "./virtual-commands.js";
import {
  MAX_ERROR_QUEUE,
  parseModuleList,
  VIRTUAL_RUN_INSTRUCTION_BUDGET,
  type VirtualClusterOptions,
} from "./virtual-options.js";
import { runVirtual, type DummyBin } from "./virtual-run.js";
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
  /** id of the latest START (a queued emulation runs only for sequencers still in that run) */
  private runId = 0;
  /** true when no emulator is available: runs behave like qblox-instruments' dummy (no execution) */
  get dummyMode(): boolean {
    return this.opts.emulate === false;
  }

  constructor(opts: VirtualClusterOptions) {
    this.opts = opts;
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
   * emulation runs right after the reply has been written. Sequencers stopped, re-armed or reset
   * before it runs are left out.
   */
  private startRun(armed: VirtualSequencer[]): void {
    const id = ++this.runId;
    for (const s of armed) {
      s.state = "RUNNING";
      s.clearFlags();
      s.pending = null;
      s.runEndsAt = Number.POSITIVE_INFINITY;
      s.runId = id;
    }
    const opts: EmuRunOptions = {};
    if (this.opts.inputModel) opts.inputModel = this.opts.inputModel;
    if (this.opts.timeOfFlightNs !== undefined) opts.timeOfFlightNs = this.opts.timeOfFlightNs;
    opts.linq = this.linq.config();
    const budget = this.opts.runInstructionBudget ?? VIRTUAL_RUN_INSTRUCTION_BUDGET;
    opts.maxInstructions = Math.max(1, Math.floor(budget / armed.length));
    setImmediate(() => {
      const live = armed.filter(
        (s) => s.runId === id && s.state === "RUNNING" && this.modules.get(s.module.slot)?.sequencers[s.index] === s,
      );
      if (live.length === 0) return;
      runVirtual({
        modules: this.modules,
        armed: live,
        runCluster: this.opts.emulate === false ? undefined : (this.opts.runCluster ?? runCluster),
        runOptions: opts,
        runDurationMs: this.opts.runDurationMs,
        dummyData: this.dummyData,
      });
    });
  }
}
