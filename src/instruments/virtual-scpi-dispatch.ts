/**
 * SCPI command execution of the virtual Cluster (virtual-cluster.ts): dispatch of one command header
 * to the common (*IDN?, *RST, …), system, LINQ, run-control and module commands, the error queue on
 * failure, and the generation counters of the sequencers a write touches.
 */
import { LinqScpiError } from "./linq-scpi.js";
import type { ModuleType } from "../contract/compiled-schedule.js";
import { assemble } from "../q1/assembler.js";
import { splitHeader, nodeMatches, type HeaderNode, type ScpiArg } from "./scpi-command-parser.js";
import { matchNodes, moduleCommand, ScpiExecError, type DeferredReply, type Reply } from "./virtual-commands.js";
import { SERIAL } from "./virtual-options.js";
import { VirtualClusterRunControl } from "./virtual-run-control.js";

export class VirtualClusterScpiDispatch extends VirtualClusterRunControl {
  /** keys (type + text) of recently uploaded programs that assembled without error */
  private readonly assembled = new Set<string>();
  /** id of the connection whose command is being executed (0: none) */
  private connection = 0;

  /**
   * Execute one command in process (no socket, connection id 0), e.g. for the fuzz harness: the reply,
   * or null for a write (a promise of it for a store that waits for the emulation worker).
   */
  executeCommand(header: string, args: ScpiArg[] = []): DeferredReply {
    return this.execute(header, args, 0);
  }

  /** Execute one command; errors go to the error queue and queries then answer an empty line. */
  protected execute(header: string, args: ScpiArg[], conn = 0): DeferredReply {
    const { nodes, query } = splitHeader(header);
    this.connection = conn;
    const failed = (e: unknown): Reply => {
      if (e instanceof ScpiExecError) this.queueError(e.code, e.message);
      else this.queueError(-300, `Device-specific error; ${(e as Error).message}`);
      return query ? "" : null;
    };
    try {
      const reply = this.dispatch(nodes, query, args);
      if (!query) this.bumpGenerations(nodes, conn);
      this.reapRuns(); // a STOP, ARM or *RST may have left a run in the emulation worker without sequencers
      return reply instanceof Promise ? reply.catch(failed) : reply;
    } catch (e) {
      if (!query) this.bumpGenerations(nodes, conn); // a failed write may have changed state too (e.g. a program that did not assemble)
      return failed(e);
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

  private dispatch(nodes: HeaderNode[], query: boolean, args: ScpiArg[]): DeferredReply {
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
    if (!this.firmware.linq) return undefined; // firmware without LINQ: undefined headers
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
        return `Qblox,Cluster MM,${SERIAL},fwVersion=${this.firmware.version} fwBuild=01/01/2026-00:00:00 fwHash=0x0 fwDirty=0 kmodVersion=0.11.0 swVersion=0.11.0 swSCPIVersion=1.0 cfgManSCPIVersion=1.0 q1forgeVirtual=1`;
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
                  {
                    IDN: `Qblox,Cluster ${this.modules.get(s)!.type},${SERIAL}-${s},fwVersion=${this.firmware.version}`,
                  },
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

  private slotCommand(slot: number | null, nodes: HeaderNode[], query: boolean, args: ScpiArg[]): DeferredReply {
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

  /** Assemble an uploaded program; re-uploads of a text that assembled before skip the assembler. */
  private assembleCached(text: string, type: ModuleType): void {
    const key = `${type}\n${text}`;
    if (this.assembled.has(key)) return;
    assemble(text, { moduleType: type });
    this.assembled.add(key);
    if (this.assembled.size > 32) this.assembled.delete(this.assembled.values().next().value!);
  }
}
