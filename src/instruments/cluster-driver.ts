/**
 * Typed Cluster driver over ScpiTransport: the command strings of reference 10.3/10.4 with
 * qblox-instruments' parameter names on top. Every module/sequencer command goes through the CMM
 * with the `SLOT{s}:` prefix. Errors from the instrument's error queue surface as InstrumentError.
 */
import { moduleParamNames, type ScopeConfigDoc } from "./module-params.js";
import { InstrumentError } from "../core/errors.js";
import type { ModuleType } from "../core/module-catalog.js";
import { ClusterDriverAcquisition } from "./cluster-driver-acquisition.js";
import type { ReferenceSource } from "./cluster-driver-connection.js";
import type { ConnectAcq, ConnectOut } from "./module-info.js";
import type { Idn, SequencerStatus, SystemState } from "./reply-parse.js";
import type { SequencerConfigParams } from "./sequencer-config.js";
import { ScpiTransport, type TransportOptions } from "./transport.js";
import { checkIdnVersion } from "./versions.js";

export type { ClusterModule, ReferenceSource } from "./cluster-driver-connection.js";

export interface SequencerSnapshot {
  index: number;
  params: Partial<SequencerConfigParams>;
  connect_out: ConnectOut;
  connect_acq: ConnectAcq;
  status: SequencerStatus;
}
export interface ModuleSnapshot {
  slot: number;
  type: ModuleType;
  params: Record<string, number | boolean>;
  scope: ScopeConfigDoc | null;
  sequencers: SequencerSnapshot[];
}
export interface ClusterSnapshot {
  idn: Idn;
  system_state: SystemState;
  reference_source: ReferenceSource;
  modules: ModuleSnapshot[];
}

/**
 * The typed Cluster driver. Its commands are layered by responsibility: cluster-driver-connection.ts
 * (cluster level), cluster-driver-linq.ts (LINQ routing), cluster-driver-sequencer.ts (sequencer and
 * module settings, upload, run control), cluster-driver-acquisition.ts (acquisitions, output levels);
 * this class adds connect() and snapshot().
 */
export class ClusterDriver extends ClusterDriverAcquisition {
  /** Connect, identify (manufacturer must be Qblox) and discover the modules. */
  static async connect(opts: TransportOptions): Promise<ClusterDriver> {
    const d = new ClusterDriver(new ScpiTransport(opts));
    try {
      // errors an earlier client left in the queue (e.g. a run stopped by the virtual Cluster's
      // wall-clock budget) are not this connection's: drain them before the first checked command
      const stale = Number(await d.transport.query("SYSTem:ERRor:COUNt?", { check: false }));
      for (let i = 0; i < Math.min(stale, 100); i++) await d.transport.query("SYSTem:ERRor:NEXT?", { check: false });
      const idn = await d.idn();
      d.identity = idn;
      if (idn.manufacturer !== "Qblox")
        throw new InstrumentError(
          "UNSUPPORTED",
          `instrument at ${d.transport.address} is "${idn.manufacturer} ${idn.model}", not a Qblox Cluster`,
          { path: d.transport.address, hint: "point --cluster at a Qblox Cluster" },
        );
      checkIdnVersion(idn, d.transport.address);
      await d.discover();
      return d;
    } catch (e) {
      await d.close();
      throw e;
    }
  }

  // --- snapshot -----------------------------------------------------------------------------------

  async snapshot(): Promise<ClusterSnapshot> {
    const modules: ModuleSnapshot[] = [];
    for (const m of [...this.modules.values()].sort((a, b) => a.slot - b.slot)) {
      const params: Record<string, number | boolean> = {};
      for (const n of moduleParamNames(m.type)) params[n] = await this.moduleParam(m.slot, n);
      const sequencers: SequencerSnapshot[] = [];
      for (let s = 0; s < m.info.sequencers; s++) {
        sequencers.push({
          index: s,
          params: await this.sequencerParams(m.slot, s),
          connect_out: await this.connectOut(m.slot, s),
          connect_acq: await this.connectAcq(m.slot, s),
          status: await this.sequencerStatus(m.slot, s),
        });
      }
      modules.push({
        slot: m.slot,
        type: m.type,
        params,
        scope: m.info.scopePaths > 0 ? await this.scopeConfig(m.slot) : null,
        sequencers,
      });
    }
    return {
      idn: await this.idn(),
      system_state: await this.systemState(),
      reference_source: await this.referenceSource(),
      modules,
    };
  }
}
