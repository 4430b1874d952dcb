/**
 * VirtualCluster: a SCPI server on 127.0.0.1 that speaks the Cluster subset the driver uses
 * (reference 10, 13), assembles uploaded programs with the q1 assembler and runs them with the
 * emulator on START. Fault hooks let tests provoke every failure the coordinator must survive.
 */
import { LinqScpiError, VirtualLinqRouter } from "./linq-scpi.js";
import net from "node:net";
import type { ModuleType } from "../contract/compiled-schedule.js";
import type { EmuRunOptions, InputSignalModel, RunCluster } from "../emulator/api.js";
import { UsageError } from "../core/errors.js";
import { assemble } from "../q1/assembler.js";
import { runCluster } from "../emulator/cluster.js";
import {
  ScpiCommandParser,
  ScpiParseError,
  splitHeader,
  nodeMatches,
  type HeaderNode,
  type ScpiArg,
} from "./scpi-command-parser.js";
import type { SystemStatus } from "./reply-parse.js";
import { blockHeader } from "./byte-reader.js";
import { matchNodes, moduleCommand, ScpiExecError, type Reply } from "./virtual-commands.js";
import { runVirtual, type DummyBin } from "./virtual-run.js";
import { VirtualModule, type VirtualSequencer } from "./virtual-state.js";

export type VirtualFault =
  /** close the listening socket and all connections until clearFaults() */
  | { kind: "refuse" }
  /** swallow matching commands without answering (the client times out) */
  | { kind: "silent"; match?: RegExp; times?: number }
  /** close the connection when a matching command starts arriving (e.g. mid-upload) */
  | { kind: "drop"; match?: RegExp; times?: number }
  /** answer matching queries with garbage bytes */
  | { kind: "malformed"; match?: RegExp; times?: number };

export interface VirtualClusterOptions {
  /** "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF" or a slot → type map */
  modules: string | Record<number, ModuleType>;
  name?: string;
  /** emulator; default: src/emulator's runCluster */
  runCluster?: RunCluster;
  /** false: never execute programs (qblox-instruments dummy behaviour: injected data only) */
  emulate?: boolean;
  inputModel?: InputSignalModel;
  timeOfFlightNs?: number;
  /** false: emulate firmware without LINQ feedback (the routing commands are undefined headers); default true */
  linq?: boolean;
  /** wall-clock time a run takes; default: the emulated duration (capped at 2 s) */
  runDurationMs?: number | ((endTimeNs: number) => number);
  /**
   * Q1 instructions one START may execute over all its sequencers (default VIRTUAL_RUN_INSTRUCTION_BUDGET):
   * the emulation runs on the server's thread, so a runaway program (an endless loop) is stopped here —
   * its sequencer reports STOPPED with FORCED_STOP and the emulator's message in its log — instead of
   * blocking every client.
   */
  runInstructionBudget?: number;
}

const SERIAL = "00015_2422_001";
/** Q1 instructions one START may execute, shared by its sequencers (about a second of emulation) */
export const VIRTUAL_RUN_INSTRUCTION_BUDGET = 50_000_000;
/** error queue length (entries); more errors turn the last entry into -350 Queue overflow */
export const MAX_ERROR_QUEUE = 100;
/** replies a client leaves unread (bytes in the socket's send buffer) before further replies are dropped (-410) */
export const MAX_UNREAD_REPLY_BYTES = 64 << 20;

export function parseModuleList(spec: string): Record<number, ModuleType> {
  const out: Record<number, ModuleType> = {};
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = part.match(/^(\d+)\s*:\s*([A-Za-z_]+)$/);
    const type = m?.[2]?.toUpperCase().replace("-", "_");
    const slot = Number(m?.[1]);
    if (!m || !["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC"].includes(type!) || slot < 1 || slot > 20) {
      throw new UsageError(`bad module entry "${part}" in "${spec}"`, {
        path: "--modules",
        hint: 'write slot:type pairs, e.g. "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF" (types QCM, QRM, QCM_RF, QRM_RF, QRC; slots 1..20)',
      });
    }
    if (out[slot])
      throw new UsageError(`slot ${slot} is listed twice in "${spec}"`, {
        path: "--modules",
        hint: "give each slot once",
      });
    out[slot] = type as ModuleType;
  }
  return out;
}

export class VirtualCluster {
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

  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private faults: VirtualFault[] = [];
  private port = 0;
  private host = "127.0.0.1";
  private readonly opts: VirtualClusterOptions;
  /** keys (type + text) of recently uploaded programs that assembled without error */
  private readonly assembled = new Set<string>();
  /** connections accepted so far (each gets the next number as its id) */
  private connections = 0;
  /** id of the connection whose command is being executed (0: none) */
  private connection = 0;
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

  get address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  async start(opts: { port?: number; host?: string } = {}): Promise<{ host: string; port: number }> {
    this.host = opts.host ?? "127.0.0.1";
    await this.listen(opts.port ?? 0);
    return this.address;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  injectFault(f: VirtualFault): void {
    if (f.kind === "refuse") void this.stop();
    this.faults.push(f);
  }

  async clearFaults(): Promise<void> {
    const refused = this.faults.some((f) => f.kind === "refuse");
    this.faults = [];
    if (refused) await this.listen(this.port);
  }

  /** Like qblox-instruments' set_dummy_binned_acquisition_data: overrides emulated bins of `acq` on the next runs. */
  setDummyBinnedAcquisitionData(slot: number, seq: number, acq: string, bins: (DummyBin | null)[]): void {
    this.dummyData.set(`${slot}/${seq}/${acq}`, bins);
  }

  countCommands(re: RegExp): number {
    return this.commandLog.filter((c) => re.test(c)).length;
  }

  // ---------------------------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    const srv = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(port, this.host, () => resolve());
    });
    this.server = srv;
    this.port = (srv.address() as net.AddressInfo).port;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const parser = new ScpiCommandParser();
    const conn = ++this.connections;
    socket.on("close", () => {
      this.sockets.delete(socket);
      for (const m of this.modules.values()) for (const s of m.sequencers) s.forgetConnection(conn);
    });
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      parser.push(chunk);
      const pending = parser.pendingHeader();
      if (pending && this.takeFault("drop", pending)) {
        socket.destroy();
        return;
      }
      for (;;) {
        let cmd;
        try {
          cmd = parser.next();
        } catch (e) {
          if (e instanceof ScpiParseError) this.queueError(e.code, e.message);
          else this.queueError(-100, `Command error; ${(e as Error).message}`);
          continue;
        }
        if (!cmd) break;
        if (this.takeFault("drop", cmd.header)) {
          socket.destroy();
          return;
        }
        this.log(cmd.header);
        if (this.takeFault("silent", cmd.header)) continue;
        const reply = this.execute(cmd.header, cmd.args, conn);
        if (reply === null) continue;
        if (this.takeFault("malformed", cmd.header)) {
          socket.write(Buffer.from("\x15\x00garbage\x7f\r\n", "latin1"));
          continue;
        }
        if (socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
          // the client does not read its replies: drop this one instead of buffering without end
          this.queueError(-410, `Query INTERRUPTED; more than ${MAX_UNREAD_REPLY_BYTES} bytes of replies unread`);
          continue;
        }
        if (typeof reply === "string") socket.write(reply + "\r\n");
        else
          socket.write(
            Buffer.concat([
              ...reply.flatMap((b) => [Buffer.from(blockHeader(b.length), "latin1"), b]),
              Buffer.from("\r\n"),
            ]),
          );
      }
    });
  }

  private takeFault(kind: VirtualFault["kind"], header: string): boolean {
    const i = this.faults.findIndex((f) => f.kind === kind && (!("match" in f) || !f.match || f.match.test(header)));
    if (i < 0) return false;
    const f = this.faults[i]!;
    if (f.kind !== "refuse") {
      const left = (f.times ?? 1) - 1;
      if (left <= 0) this.faults.splice(i, 1);
      else f.times = left;
    }
    return true;
  }

  private log(header: string): void {
    if (this.commandLog.length >= 20_000) this.commandLog.splice(0, 10_000);
    this.commandLog.push(header);
  }

  /**
   * Queue an error like the instrument: at most MAX_ERROR_QUEUE entries, the last one becoming
   * -350 "Queue overflow" when more arrive (SCPI-99 21.8).
   */
  private queueError(code: number, message: string): void {
    if (this.errors.length >= MAX_ERROR_QUEUE) {
      this.errors[MAX_ERROR_QUEUE - 1] = { code: -350, message: "Queue overflow" };
      return;
    }
    this.errors.push({ code, message });
  }

  /** Execute one command in process (no socket, connection id 0), e.g. for the fuzz harness: the reply, or null for a write. */
  executeCommand(header: string, args: ScpiArg[] = []): Reply {
    return this.execute(header, args, 0);
  }

  /** Execute one command; errors go to the error queue and queries then answer an empty line. */
  private execute(header: string, args: ScpiArg[], conn = 0): Reply {
    const { nodes, query } = splitHeader(header);
    this.connection = conn;
    try {
      const reply = this.dispatch(nodes, query, args);
      if (!query) this.bumpGenerations(nodes, conn);
      return reply;
    } catch (e) {
      if (!query) this.bumpGenerations(nodes, conn); // a failed write may have changed state too (e.g. a program that did not assemble)
      if (e instanceof ScpiExecError) this.queueError(e.code, e.message);
      else this.queueError(-300, `Device-specific error; ${(e as Error).message}`);
      return query ? "" : null;
    }
  }

  /** Count a write in the generation counters of the sequencers it touches (VirtualSequencer.configGeneration). */
  private bumpGenerations(nodes: HeaderNode[], conn: number): void {
    const head = nodes[0]?.name ?? "";
    const all = () => [...this.modules.values()].flatMap((m) => m.sequencers);
    if (head.startsWith("*")) {
      if (nodeMatches("*RST", head))
        for (const s of all()) {
          s.countWrite("config", conn);
          s.countWrite("run", conn);
        }
      return;
    }
    if (head !== "SLOT") {
      if (matchNodes(nodes, "REFerence", "SRC")) for (const s of all()) s.countWrite("config", conn);
      return;
    }
    const slot = nodes[0]!.num;
    const mods = slot === null ? [...this.modules.values()] : [this.modules.get(slot)].filter((m) => m !== undefined);
    const seqNode = nodes[1] && nodeMatches("SEQuencer", nodes[1].name) ? nodes[1] : null;
    const seqs = mods.flatMap((m) =>
      seqNode === null || seqNode.num === null ? m.sequencers : m.sequencers.filter((s) => s.index === seqNode.num),
    );
    const rest = nodes
      .slice(seqNode ? 2 : 1)
      .map((n) => n.name.toUpperCase())
      .join(":");
    const run = seqNode !== null && /^(ARM|START|STOP|CLR:FLAGS)$/.test(rest);
    const dataDelete = /^ACQ:ALIST:ACQ(UISITION)?:DATA:DEL(ETE)?$/.test(rest);
    const dataStore = /^ACQ:ALIST:ACQ(UISITION)?:DATA$/.test(rest); // storing the scope into an acquisition: part of reading results
    for (const s of seqs) {
      if (run || dataDelete) s.countWrite("run", conn);
      else if (!dataStore) s.countWrite("config", conn);
    }
  }

  private dispatch(nodes: HeaderNode[], query: boolean, args: ScpiArg[]): Reply {
    const head = nodes[0]?.name ?? "";
    if (head.startsWith("*")) return this.common(head, query);
    if (matchNodes(nodes, "SYSTem", "ERRor", "COUNt") && query) return String(this.errors.length);
    if (matchNodes(nodes, "SYSTem", "ERRor", "NEXT") && query) {
      const e = this.errors.shift();
      return e ? `${e.code},"${e.message.replace(/"/g, "'")}"` : '0,"No error"';
    }
    if (matchNodes(nodes, "STATus", "GENeral", "STATE") && query)
      return `${this.systemStatus};${this.systemFlags.map((f) => f + ",").join("")}`;
    if (matchNodes(nodes, "BP", "MODules") && query)
      return String([...this.modules.keys()].reduce((m, s) => m | (1 << (s - 1)), 0));
    if (matchNodes(nodes, "REFerence", "SRC")) {
      if (query) return this.referenceSource.toUpperCase();
      const v = String(args[0] ?? "").toLowerCase();
      if (v !== "internal" && v !== "external")
        throw new ScpiExecError(-224, `Illegal parameter value; reference source "${v}" (INTERNAL or EXTERNAL)`);
      this.referenceSource = v;
      return null;
    }
    const linq = this.linqCommand(
      head === "SLOT" ? nodes[0]!.num : null,
      head === "SLOT" ? nodes.slice(1) : nodes,
      query,
      args,
    );
    if (linq !== undefined) return linq;
    if (head === "SLOT") return this.slotCommand(nodes[0]!.num, nodes.slice(1), query, args);
    throw new ScpiExecError(
      -113,
      `Undefined header; ${nodes.map((n) => n.name + (n.num ?? "")).join(":")}${query ? "?" : ""}`,
    );
  }

  /** LINQ routing commands (linq-scpi.ts); undefined when the command is not one. */
  private linqCommand(slot: number | null, nodes: HeaderNode[], query: boolean, args: ScpiArg[]): Reply | undefined {
    if (this.opts.linq === false) return undefined; // firmware without LINQ: undefined headers
    try {
      return this.linq.command(slot, nodes, query, args);
    } catch (e) {
      if (e instanceof LinqScpiError) throw new ScpiExecError(e.code, e.message);
      throw e;
    }
  }

  private common(head: string, query: boolean): Reply {
    const canonical =
      ["*DESCribe", "*IDN", "*RST", "*CLS", "*STB", "*OPC", "*WAI", "*TST", "*MODS"].find((p) =>
        nodeMatches(p, head),
      ) ?? head;
    switch (canonical + (query ? "?" : "")) {
      case "*IDN?":
        return `Qblox,Cluster MM,${SERIAL},fwVersion=0.11.0 fwBuild=01/01/2026-00:00:00 fwHash=0x0 fwDirty=0 kmodVersion=0.11.0 swVersion=0.11.0 swSCPIVersion=1.0 cfgManSCPIVersion=1.0 q1forgeVirtual=1`;
      case "*RST":
        for (const m of this.modules.values()) m.reset();
        this.errors.length = 0;
        this.systemStatus = "OKAY";
        this.systemFlags = [];
        this.referenceSource = "internal";
        this.linq.clear();
        return null;
      case "*CLS":
        this.errors.length = 0;
        if (this.systemStatus === "CRITICAL" || this.systemStatus === "RESOLVED") {
          this.systemStatus = "OKAY";
          this.systemFlags = [];
        }
        return null;
      case "*STB?":
        return String(this.errors.length > 0 ? 4 : 0);
      case "*OPC?":
        return "1";
      case "*OPC":
      case "*WAI":
        return null;
      case "*TST?":
        return "0";
      case "*DESCribe?":
        return [Buffer.from(JSON.stringify(this.describe()), "utf8")];
      case "*MODS?":
        return [
          Buffer.from(
            JSON.stringify(
              Object.fromEntries(
                [...this.modules.keys()].map((s) => [
                  `SLOT ${s}`,
                  { IDN: `Qblox,Cluster ${this.modules.get(s)!.type},${SERIAL}-${s},fwVersion=0.11.0` },
                ]),
              ),
            ),
            "utf8",
          ),
        ];
      default:
        throw new ScpiExecError(-113, `Undefined header; ${head}${query ? "?" : ""}`);
    }
  }

  private describe(): Record<string, unknown> {
    const modules: Record<string, unknown> = {};
    for (const [slot, m] of this.modules) {
      modules[String(slot)] = {
        model: m.info.scpiModel,
        is_rf: m.info.isRF,
        qtm_eom: false,
        ser: `${SERIAL}-${slot}`,
        name: `${this.name}_module${slot}`,
        sw_compat: { scpi_version: "1.0" },
      };
    }
    return {
      manufacturer: "qblox",
      model: "cluster_mm",
      name: this.name,
      ser: SERIAL,
      is_extended_instrument: false,
      modules,
    };
  }

  private slotCommand(slot: number | null, nodes: HeaderNode[], query: boolean, args: ScpiArg[]): Reply {
    const run = this.runControl(slot, nodes, query);
    if (run !== undefined) return run;
    if (slot === null) throw new ScpiExecError(-113, "Undefined header; SLOT needs a slot number for this command");
    const mod = this.modules.get(slot);
    if (!mod) throw new ScpiExecError(-241, `Hardware missing; no module in slot ${slot}`);
    return moduleCommand(
      { assemble: (text, m) => this.assembleCached(text, m.type), connection: this.connection },
      mod,
      nodes,
      query,
      args,
    );
  }

  /** ARM / START / STOP / CLR:FLAGS / STATE? with fan-out over sequencers and modules (reference 10.4). */
  private runControl(slot: number | null, nodes: HeaderNode[], query: boolean): Reply | undefined {
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

  /** Assemble an uploaded program; re-uploads of a text that assembled before skip the assembler. */
  private assembleCached(text: string, type: ModuleType): void {
    const key = `${type}\n${text}`;
    if (this.assembled.has(key)) return;
    assemble(text, { moduleType: type });
    this.assembled.add(key);
    if (this.assembled.size > 32) this.assembled.delete(this.assembled.values().next().value!);
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
