/**
 * LINQ routing over SCPI (docs/feedback.md): the one table of command strings the driver sends and
 * the virtual Cluster answers, and the virtual Cluster's router state.
 *
 * The Python API calls are documented (cluster.clear_router(), module.set_local_route(id, sequencers),
 * cluster.set_cmm_route(id, targets), cluster.set_broadcast(id), module.clear_router(),
 * module.get_router_config()); their SCPI strings are NOT public (q1asm-and-scpi.md §2.7). The strings
 * below are q1forge's, in the style of the documented commands, and must be confirmed against the
 * firmware before use on hardware.
 */
import type { LinqRouterConfig } from "../contract/linq.js";
import { nodeMatches, type HeaderNode, type ScpiArg } from "./scpi-command-parser.js";

/** Command strings (unconfirmed, see the file comment). `{s}` slot, ids and lists as arguments. */
export const LINQ_SCPI = {
  /** cluster.clear_router() */
  clearRouter: "LINQ:ROUTer:CLEar",
  /** module.clear_router() */
  clearModuleRouter: (slot: number) => `SLOT${slot}:LINQ:ROUTer:CLEar`,
  /** module.set_local_route(id, sequencers): sequencers as a comma-separated string */
  setLocalRoute: (slot: number, id: number, sequencers: readonly number[]) =>
    `SLOT${slot}:LINQ:ROUTe:LOCal ${id},"${sequencers.join(",")}"`,
  /** cluster.set_cmm_route(id, targets): targets as "slot:sequencer" pairs */
  setCmmRoute: (id: number, targets: readonly { slot: number; sequencer: number }[]) =>
    `LINQ:ROUTe:CMM ${id},"${targets.map((t) => `${t.slot}:${t.sequencer}`).join(",")}"`,
  /** cluster.set_broadcast(id) */
  setBroadcast: (id: number) => `LINQ:ROUTe:BROadcast ${id}`,
  /** module.get_router_config(): JSON block {local_routes, cmm_routes, broadcast} as this module sees it */
  routerConfig: (slot: number) => `SLOT${slot}:LINQ:ROUTer:CONFiguration?`,
} as const;

/** A rejected LINQ command: SCPI error code and message (the virtual Cluster queues it). */
export class LinqScpiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const isLinq = (n: HeaderNode | undefined): boolean => n !== undefined && nodeMatches("LINQ", n.name);

/** The virtual Cluster's router: what the routing commands configure and the emulator routes by. */
export class VirtualLinqRouter {
  private readonly local = new Map<string, { slot: number; id: number; sequencers: number[] }>();
  private readonly cmm = new Map<number, { slot: number; sequencer: number }[]>();
  private readonly broadcast = new Set<number>();

  constructor(
    /** slot → number of sequencers of the installed module (undefined: no module) */
    private readonly sequencersIn: (slot: number) => number | undefined,
  ) {}

  clear(slot?: number): void {
    if (slot === undefined) {
      this.local.clear();
      this.cmm.clear();
      this.broadcast.clear();
      return;
    }
    for (const [k, r] of this.local) if (r.slot === slot) this.local.delete(k);
  }

  /** The configuration for the emulator (`EmuRunOptions.linq`). */
  config(): LinqRouterConfig {
    return {
      local_routes: [...this.local.values()].map((r) => ({
        module: `slot${r.slot}`,
        slot: r.slot,
        id: r.id,
        sequencers: [...r.sequencers],
      })),
      cmm_routes: [...this.cmm].map(([id, targets]) => ({ id, targets: targets.map((t) => ({ ...t })) })),
      broadcast: [...this.broadcast],
    };
  }

  /**
   * Handle a LINQ command: cluster level (`nodes` start with LINQ, `slot` null) or module level
   * (`SLOT{s}:LINQ:…`, `nodes` after the slot node). Returns undefined when it is not a LINQ command.
   */
  command(
    slot: number | null,
    nodes: HeaderNode[],
    query: boolean,
    args: ScpiArg[],
  ): string | Buffer[] | null | undefined {
    if (!isLinq(nodes[0])) return undefined;
    const rest = nodes.slice(1).map((n) => n.name);
    const is = (...p: string[]) => rest.length === p.length && p.every((x, i) => nodeMatches(x, rest[i]!));
    if (slot !== null) {
      const n = this.sequencersIn(slot);
      if (n === undefined) throw new LinqScpiError(-241, `Hardware missing; no module in slot ${slot}`);
      if (is("ROUTer", "CLEar") && !query) {
        this.clear(slot);
        return null;
      }
      if (is("ROUTer", "CONFiguration") && query) {
        const c = this.config();
        const mine = { ...c, local_routes: c.local_routes.filter((r) => r.slot === slot) };
        return [Buffer.from(JSON.stringify(mine), "utf8")];
      }
      if (is("ROUTe", "LOCal") && !query) {
        const id = routedId(args[0]);
        const seqs = list(args[1]).map((x) => int(x, "sequencer"));
        for (const s of seqs)
          if (s < 0 || s >= n)
            throw new LinqScpiError(
              -222,
              `Data out of range; sequencer ${s} in a local route of slot ${slot} (0..${n - 1})`,
            );
        this.local.set(`${slot}/${id}`, { slot, id, sequencers: seqs });
        return null;
      }
    } else {
      if (is("ROUTer", "CLEar") && !query) {
        this.clear();
        return null;
      }
      if (is("ROUTe", "CMM") && !query) {
        const id = routedId(args[0]);
        const targets = list(args[1]).map((x) => {
          const m = x.match(/^(\d+):(\d+)$/);
          if (!m) throw new LinqScpiError(-224, `Illegal parameter value; CMM target "${x}" (slot:sequencer)`);
          const t = { slot: Number(m[1]), sequencer: Number(m[2]) };
          const n = this.sequencersIn(t.slot);
          if (n === undefined)
            throw new LinqScpiError(-241, `Hardware missing; CMM route ${id} to slot ${t.slot}, which has no module`);
          if (t.sequencer >= n)
            throw new LinqScpiError(
              -222,
              `Data out of range; CMM route ${id} to sequencer ${t.sequencer} of slot ${t.slot} (0..${n - 1})`,
            );
          return t;
        });
        this.cmm.set(id, targets);
        return null;
      }
      if (is("ROUTe", "BROadcast") && !query) {
        this.broadcast.add(routedId(args[0]));
        return null;
      }
    }
    throw new LinqScpiError(
      -113,
      `Undefined header; ${slot === null ? "" : `SLOT${slot}:`}${nodes.map((n) => n.name).join(":")}${query ? "?" : ""}`,
    );
  }
}

function int(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new LinqScpiError(-224, `Illegal parameter value; ${what} "${String(v)}"`);
  return n;
}
function routedId(a: ScpiArg | undefined): number {
  const id = int(a, "LINQ id");
  if (id < 16 || id > 255)
    throw new LinqScpiError(
      -222,
      `Data out of range; LINQ id ${id} (routes exist for ids 16..255; 1..15 are self-cast)`,
    );
  return id;
}
function list(a: ScpiArg | undefined): string[] {
  const s = String(a ?? "")
    .replace(/^"|"$/g, "")
    .trim();
  return s === "" ? [] : s.split(",").map((x) => x.trim());
}
