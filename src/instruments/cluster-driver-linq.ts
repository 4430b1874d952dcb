/** LINQ routing commands of the Cluster driver (linq-scpi.ts: the SCPI strings are q1forge's, unconfirmed). */
import { LINQ_SCPI } from "./linq-scpi.js";
import type { LinqRouterConfig } from "../contract/linq.js";
import { InstrumentError } from "../core/errors.js";
import { ClusterDriverConnection } from "./cluster-driver-connection.js";
import { InstrumentReportedError } from "./instrument-errors.js";
import { parseJsonBlock } from "./reply-parse.js";

export class ClusterDriverLinq extends ClusterDriverConnection {
  /** cluster.clear_router(): every route back to the defaults (ids 16–255 dropped). */
  async clearRouter(): Promise<void> {
    return this.transport.write(LINQ_SCPI.clearRouter);
  }
  /** module.set_local_route(id, sequencers): intra-cast of `id` within the module in `slot`. */
  async setLocalRoute(slot: number, id: number, sequencers: readonly number[]): Promise<void> {
    this.module(slot);
    return this.transport.write(LINQ_SCPI.setLocalRoute(slot, id, sequencers));
  }
  /** cluster.set_cmm_route(id, targets): multi-cast of `id` through the CMM. */
  async setCmmRoute(id: number, targets: readonly { slot: number; sequencer: number }[]): Promise<void> {
    for (const t of targets) this.module(t.slot);
    return this.transport.write(LINQ_SCPI.setCmmRoute(id, targets));
  }
  /** cluster.set_broadcast(id) */
  async setBroadcast(id: number): Promise<void> {
    return this.transport.write(LINQ_SCPI.setBroadcast(id));
  }
  /** module.get_router_config() */
  async routerConfig(slot: number): Promise<LinqRouterConfig> {
    this.module(slot);
    const cmd = LINQ_SCPI.routerConfig(slot);
    return parseJsonBlock<LinqRouterConfig>((await this.transport.queryBinary(cmd))[0], cmd);
  }
  /** Apply a compiled router configuration (`compiled.feedback.router[cluster]`): clear, then every route. */
  async applyRouting(config: LinqRouterConfig): Promise<void> {
    try {
      await this.clearRouter();
    } catch (e) {
      // firmware without LINQ: the routing commands are undefined headers (-113)
      if (!(e instanceof InstrumentReportedError) || e.instrumentCode !== -113) throw e;
      const fw = (await this.idn()).build["fwVersion"] ?? "unknown";
      const ids = [...config.local_routes.map((r) => r.id), ...config.cmm_routes.map((r) => r.id), ...config.broadcast];
      throw new InstrumentError(
        "UNSUPPORTED_FIRMWARE",
        `the Cluster at ${this.transport.address} (firmware ${fw}) does not accept LINQ routing commands, but the schedule uses real-time feedback routed over LINQ (ids ${[...new Set(ids)].join(", ")})`,
        {
          path: this.transport.address,
          hint: 'update the Cluster firmware to one with LINQ feedback, or compile the schedule with "feedback_mode": "trigger_network" (ConditionalOperation as quantify compiles it; docs/feedback.md)',
          cause: e,
        },
      );
    }
    for (const r of config.local_routes) await this.setLocalRoute(r.slot, r.id, r.sequencers);
    for (const r of config.cmm_routes) await this.setCmmRoute(r.id, r.targets);
    for (const id of config.broadcast) await this.setBroadcast(id);
  }
}
