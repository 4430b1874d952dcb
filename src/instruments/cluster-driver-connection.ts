/**
 * Base of the typed Cluster driver (cluster-driver.ts): the transport, the discovered modules and the
 * cluster-level commands (*IDN?, *DESCribe? discovery, *RST, *CLS, *STB?, system state, reference clock).
 */
import { moduleSpec, type ModuleSpec, type ModuleType } from "../core/module-catalog.js";
import { InstrumentError } from "../core/errors.js";
import { MALFORMED_REPLY_HINT, MalformedReplyError } from "./instrument-errors.js";
import { moduleTypeFromDescribe } from "./module-info.js";
import { parseIdn, parseJsonBlock, parseNumber, parseSystemState, type Idn, type SystemState } from "./reply-parse.js";
import type { ScpiTransport } from "./transport.js";
import { checkModuleVersion, linqSupport, type LinqSupport } from "./versions.js";

export interface ClusterModule {
  slot: number;
  type: ModuleType;
  info: ModuleSpec;
}

export type ReferenceSource = "internal" | "external";

export class ClusterDriverConnection {
  readonly transport: ScpiTransport;
  readonly modules = new Map<number, ClusterModule>();
  /** `*IDN?` as read at connect (firmware and SCPI versions in `build`); null before connect() */
  identity: Idn | null = null;

  constructor(transport: ScpiTransport) {
    this.transport = transport;
  }

  /** Capabilities learnt at connect from the identity (versions.ts): LINQ feedback by firmware version. */
  get capabilities(): { linq: LinqSupport } {
    return { linq: linqSupport(this.identity) };
  }

  async close(): Promise<void> {
    return this.transport.close();
  }

  module(slot: number): ClusterModule {
    const m = this.modules.get(slot);
    if (!m)
      throw new InstrumentError(
        "MODULE_MISSING",
        `no module in slot ${slot} of the Cluster at ${this.transport.address}`,
        {
          path: `slot ${slot}`,
          hint: `installed slots: ${[...this.modules.keys()].join(", ") || "none"}; fix the hardware config or the Cluster`,
        },
      );
    return m;
  }

  // --- cluster level ----------------------------------------------------------------------------

  async idn(): Promise<Idn> {
    return parseIdn(await this.transport.query("*IDN?"));
  }

  /** Module discovery from *DESCribe? (model + is_rf per slot), cross-checked with BP:MODules?. */
  async discover(): Promise<ClusterModule[]> {
    const desc = parseJsonBlock<{
      modules?: Record<string, { model?: string; is_rf?: boolean; sw_compat?: { scpi_version?: string } }>;
    }>((await this.transport.queryBinary("*DESCribe?"))[0], "*DESCribe?");
    const mask = parseNumber(await this.transport.query("BP:MODules?"), "BP:MODules?");
    this.modules.clear();
    for (const [slotText, m] of Object.entries(desc.modules ?? {})) {
      if (m === null || typeof m !== "object") continue; // not a module description
      const slot = Number(slotText);
      const type = moduleTypeFromDescribe(m.model ?? "", Boolean(m.is_rf));
      if (!type || !Number.isInteger(slot) || (mask & (1 << (slot - 1))) === 0) continue;
      checkModuleVersion(slot, m.sw_compat?.scpi_version, this.transport.address);
      this.modules.set(slot, { slot, type, info: moduleSpec(type) });
    }
    return [...this.modules.values()].sort((a, b) => a.slot - b.slot);
  }

  /** *RST: default settings, and programs, waveforms and acquisitions are cleared. */
  async reset(): Promise<void> {
    return this.transport.write("*RST");
  }
  /** *CLS: clears the error queue and a latched CRITICAL system state. */
  async clear(): Promise<void> {
    return this.transport.write("*CLS");
  }
  async statusByte(): Promise<number> {
    return parseNumber(await this.transport.query("*STB?"), "*STB?");
  }
  async systemState(): Promise<SystemState> {
    return parseSystemState(await this.transport.query("STATus:GENeral:STATE?"));
  }

  // The reference-clock SCPI string is not documented (reference 10.3); REFerence:SRC is q1forge's.
  async setReferenceSource(src: ReferenceSource): Promise<void> {
    return this.transport.write(`REFerence:SRC ${src.toUpperCase()}`);
  }
  async referenceSource(): Promise<ReferenceSource> {
    const r = (await this.transport.query("REFerence:SRC?")).trim().toLowerCase();
    if (r !== "internal" && r !== "external")
      throw new MalformedReplyError(`REFerence:SRC? returned "${r}"`, {
        path: "REFerence:SRC?",
        hint: MALFORMED_REPLY_HINT,
      });
    return r;
  }
}
