/**
 * Typed Cluster driver over ScpiTransport: the command strings of reference 10.3/10.4 with
 * qblox-instruments' parameter names on top. Every module/sequencer command goes through the CMM
 * with the `SLOT{s}:` prefix. Errors from the instrument's error queue surface as InstrumentError.
 */
import { LINQ_SCPI } from "./linq-scpi.js";
import type { LinqRouterConfig } from "../contract/linq.js";
import type { Sequence } from "../contract/compiled-schedule.js";
import { moduleSpec, type ModuleSpec, type ModuleType } from "../core/module-catalog.js";
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import { decodeAcquisition, readU32Block } from "./acq-binary.js";
import { InstrumentError } from "../core/errors.js";
import { InstrumentReportedError, MalformedReplyError } from "./instrument-errors.js";
import {
  channelMapToConnectAcq,
  channelMapToConnectOut,
  connectAcqToChannelMap,
  connectOutToChannelMap,
  moduleTypeFromDescribe,
  type ChannelMap,
  type ConnectAcq,
  type ConnectOut,
} from "./module-info.js";
import { moduleParamCommand, moduleParamNames, type ScopeConfigDoc } from "./module-params.js";
import {
  parseBool,
  parseIdn,
  parseJsonBlock,
  parseNumber,
  parseSequencerState,
  parseSystemState,
  type Idn,
  type SequencerStatus,
  type SystemState,
} from "./reply-parse.js";
import {
  readConfigParams,
  writeConfigParams,
  type SequencerConfigDoc,
  type SequencerConfigParams,
} from "./sequencer-config.js";
import { ScpiTransport, type TransportOptions } from "./transport.js";
import { checkIdnVersion, checkModuleVersion } from "./versions.js";

export interface ClusterModule {
  slot: number;
  type: ModuleType;
  info: ModuleSpec;
}

export type ReferenceSource = "internal" | "external";

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

type Fanout = { slot?: number; seq?: number };

const enc = (text: string) => Buffer.from(text, "utf8");
const q = (name: string) => `"${name.replace(/"/g, "")}"`;

export class ClusterDriver {
  readonly transport: ScpiTransport;
  readonly modules = new Map<number, ClusterModule>();
  /** `*IDN?` as read at connect (firmware and SCPI versions in `build`); null before connect() */
  identity: Idn | null = null;

  constructor(transport: ScpiTransport) {
    this.transport = transport;
  }

  /** Connect, identify (manufacturer must be Qblox) and discover the modules. */
  static async connect(opts: TransportOptions): Promise<ClusterDriver> {
    const d = new ClusterDriver(new ScpiTransport(opts));
    try {
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
      throw new MalformedReplyError(`REFerence:SRC? returned "${r}"`, { path: "REFerence:SRC?" });
    return r;
  }

  // --- LINQ routing (linq-scpi.ts: the SCPI strings are q1forge's, unconfirmed) ---------------------

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
          hint: "update the Cluster firmware to one with LINQ feedback, or remove the ConditionalOperation / RepeatUntilSuccess operations",
          cause: e,
        },
      );
    }
    for (const r of config.local_routes) await this.setLocalRoute(r.slot, r.id, r.sequencers);
    for (const r of config.cmm_routes) await this.setCmmRoute(r.id, r.targets);
    for (const id of config.broadcast) await this.setBroadcast(id);
  }

  // --- sequencer settings -------------------------------------------------------------------------

  private sp(slot: number, seq: number): string {
    this.module(slot);
    return `SLOT${slot}:SEQuencer${seq}`;
  }

  async sequencerConfig(slot: number, seq: number): Promise<SequencerConfigDoc> {
    const cmd = `${this.sp(slot, seq)}:CONFiguration?`;
    return parseJsonBlock<SequencerConfigDoc>((await this.transport.queryBinary(cmd))[0], cmd);
  }
  async setSequencerConfig(slot: number, seq: number, doc: SequencerConfigDoc): Promise<void> {
    return this.transport.writeBinary(`${this.sp(slot, seq)}:CONFiguration `, enc(JSON.stringify(doc)));
  }
  /** Read-modify-write of the configuration document: one read and one write for any number of parameters. */
  async setSequencerParams(slot: number, seq: number, params: Partial<SequencerConfigParams>): Promise<void> {
    const doc = await this.sequencerConfig(slot, seq);
    const rejected = writeConfigParams(doc, params);
    if (rejected.length > 0)
      throw new InstrumentError(
        "UNSUPPORTED",
        `sequencer ${seq} of the ${this.module(slot).type} in slot ${slot} has no parameter(s) ${rejected.join(", ")}`,
        {
          path: `slot ${slot} sequencer ${seq}`,
          hint: "acquisition parameters exist on readout modules (QRM, QRM_RF, QRC) only",
        },
      );
    await this.setSequencerConfig(slot, seq, doc);
  }
  async sequencerParams(slot: number, seq: number): Promise<Partial<SequencerConfigParams>> {
    return readConfigParams(await this.sequencerConfig(slot, seq));
  }

  async channelMap(slot: number, seq: number, acq: boolean): Promise<ChannelMap> {
    const cmd = `${this.sp(slot, seq)}:${acq ? "ACQ:" : ""}CHANnelmap?`;
    const m = parseJsonBlock<unknown>((await this.transport.queryBinary(cmd))[0], cmd);
    if (!Array.isArray(m) || m.length !== 2 || !m.every((p) => Array.isArray(p)))
      throw new MalformedReplyError(`${cmd} returned ${JSON.stringify(m)}, expected [[…],[…]]`, { path: cmd });
    return m as ChannelMap;
  }
  async setChannelMap(slot: number, seq: number, acq: boolean, map: ChannelMap): Promise<void> {
    return this.transport.writeBinary(
      `${this.sp(slot, seq)}:${acq ? "ACQ:" : ""}CHANnelmap `,
      enc(JSON.stringify(map)),
    );
  }
  async setConnectOut(slot: number, seq: number, connect: ConnectOut): Promise<void> {
    return this.setChannelMap(slot, seq, false, connectOutToChannelMap(this.module(slot).type, connect));
  }
  async connectOut(slot: number, seq: number): Promise<ConnectOut> {
    return channelMapToConnectOut(this.module(slot).type, await this.channelMap(slot, seq, false));
  }
  async setConnectAcq(slot: number, seq: number, connect: ConnectAcq): Promise<void> {
    return this.setChannelMap(slot, seq, true, connectAcqToChannelMap(this.module(slot).type, connect));
  }
  async connectAcq(slot: number, seq: number): Promise<ConnectAcq> {
    if (!this.module(slot).info.supportsAcquisition) return {};
    return channelMapToConnectAcq(this.module(slot).type, await this.channelMap(slot, seq, true));
  }

  // --- module settings ----------------------------------------------------------------------------

  private moduleCmd(slot: number, name: string) {
    const m = this.module(slot);
    const c = moduleParamCommand(m.type, name);
    if (!c)
      throw new InstrumentError("UNSUPPORTED", `the ${m.type} in slot ${slot} has no parameter ${name}`, {
        path: `slot ${slot}.${name}`,
        hint: `valid: ${moduleParamNames(m.type).join(", ")}`,
      });
    return c;
  }
  async setModuleParam(slot: number, name: string, value: number | boolean): Promise<void> {
    const c = this.moduleCmd(slot, name);
    return this.transport.write(
      `SLOT${slot}:${c.header} ${typeof value === "boolean" ? (value ? 1 : 0) : String(value)}`,
    );
  }
  async moduleParam(slot: number, name: string): Promise<number | boolean> {
    const c = this.moduleCmd(slot, name);
    const cmd = `SLOT${slot}:${c.header}?`;
    const r = await this.transport.query(cmd);
    return c.kind === "bool" ? parseBool(r, cmd) : parseNumber(r, cmd);
  }
  async scopeConfig(slot: number): Promise<ScopeConfigDoc> {
    const cmd = `SLOT${slot}:ACQ:SCOpe:CONFiguration?`;
    return parseJsonBlock<ScopeConfigDoc>((await this.transport.queryBinary(cmd))[0], cmd);
  }
  async setScopeConfig(slot: number, doc: ScopeConfigDoc): Promise<void> {
    this.module(slot);
    return this.transport.writeBinary(`SLOT${slot}:ACQ:SCOpe:CONFiguration `, enc(JSON.stringify(doc)));
  }

  // --- sequence upload ----------------------------------------------------------------------------

  /**
   * Program, waveforms, weights and acquisitions in the order of qblox-instruments' _update_sequence.
   * Intermediate commands skip the error check; one check at the end reports any failure.
   */
  async uploadSequence(slot: number, seq: number, sequence: Sequence): Promise<void> {
    const p = this.sp(slot, seq);
    await this.uploadProgram(slot, seq, sequence.program);
    const nc = { check: false };
    await this.uploadWaveList(`${p}:AWG:WLISt:WAVeform`, sequence.waveforms);
    if (this.module(slot).info.supportsAcquisition) {
      await this.uploadWaveList(`${p}:ACQ:WLISt:WEIght`, sequence.weights);
      await this.transport.write(`${p}:ACQ:ALISt:ACQuisition:DELete "all"`, nc);
      for (const [name, a] of Object.entries(sequence.acquisitions)) {
        await this.transport.write(`${p}:ACQ:ALISt:ACQuisition:NEW ${q(name)},${a.num_bins}`, nc);
        await this.transport.write(`${p}:ACQ:ALISt:ACQuisition:INDex ${q(name)},${a.index}`, nc);
      }
    } else if (Object.keys(sequence.weights).length + Object.keys(sequence.acquisitions).length > 0) {
      throw new InstrumentError(
        "UNSUPPORTED",
        `sequence for sequencer ${seq} of the ${this.module(slot).type} in slot ${slot} has weights or acquisitions, but the module cannot acquire`,
        { path: `slot ${slot} sequencer ${seq}`, hint: "route acquisitions to a readout module (QRM, QRM_RF, QRC)" },
      );
    }
    await this.transport.query("*OPC?");
  }

  private async uploadWaveList(prefix: string, list: Sequence["waveforms"]): Promise<void> {
    const nc = { check: false };
    await this.transport.write(`${prefix}:DELete "all"`, nc);
    for (const [name, w] of Object.entries(list)) {
      const data = Float32Array.from(w.data);
      await this.transport.write(`${prefix}:NEW ${q(name)},${data.length},0`, nc);
      await this.transport.writeBinary(`${prefix}:DATA ${q(name)},`, new Uint8Array(data.buffer), nc);
      await this.transport.write(`${prefix}:INDex ${q(name)},${w.index}`, nc);
    }
  }

  /** Upload Q1ASM; on an assembly failure the error carries the instrument's assembler log. */
  async uploadProgram(slot: number, seq: number, program: string): Promise<void> {
    try {
      await this.transport.writeBinary(`${this.sp(slot, seq)}:PROGram `, enc(program), { check: true });
    } catch (e) {
      if (!(e instanceof InstrumentReportedError) || e.instrumentCode !== -285) throw e;
      const log = await this.assemblerLog(slot).catch(() => "");
      throw new InstrumentReportedError(
        `sequencer ${seq} of the module in slot ${slot} rejected its program: ${e.instrumentErrors[0]!.message}${log ? `\nassembler log:\n${log}` : ""}`,
        e.instrumentErrors,
        {
          path: `slot ${slot} sequencer ${seq} program`,
          hint: "fix the Q1ASM line named in the assembler log (compile with q1forge to catch this before upload)",
          details: { assemblerLog: log },
        },
      );
    }
  }

  async assemblerLog(slot: number): Promise<string> {
    const blocks = await this.transport.queryBinary(`SLOT${slot}:STATus:ASSEMbler:LOG?`, { check: false });
    return (blocks[0] ?? Buffer.alloc(0)).toString("utf8");
  }

  // --- run control --------------------------------------------------------------------------------

  private fan({ slot, seq }: Fanout): string {
    if (slot === undefined) return "SLOT:SEQuencer";
    this.module(slot);
    return seq === undefined ? `SLOT${slot}:SEQuencer` : `SLOT${slot}:SEQuencer${seq}`;
  }
  async arm(target: Fanout = {}): Promise<void> {
    return this.transport.write(`${this.fan(target)}:ARM`);
  }
  async start(target: Fanout = {}): Promise<void> {
    return this.transport.write(`${this.fan(target)}:START`);
  }
  async stop(target: Fanout = {}): Promise<void> {
    return this.transport.write(`${this.fan(target)}:STOP`);
  }
  async clearFlags(target: Fanout = {}): Promise<void> {
    return this.transport.write(`${this.fan(target)}:CLR:FLAGS`);
  }

  /**
   * Generation counters of a sequencer (`SLOT#:SEQuencer#:GENeration?` → "config,run,config_others,
   * run_others"), which the q1forge virtual Cluster keeps (VirtualSequencer.configGeneration): the
   * `*Others` counts are the writes of every other connection, so a client that reads them unchanged
   * knows nobody else touched the sequencer in between. null when the instrument keeps none (a Cluster
   * whose *IDN? lacks `q1forgeVirtual=1`): the caller cannot know what it holds.
   */
  async generation(
    slot: number,
    seq: number,
  ): Promise<{ config: number; run: number; configOthers: number; runOthers: number } | null> {
    this.generationSupport ??= (await this.idn()).build["q1forgeVirtual"] === "1";
    if (!this.generationSupport) return null;
    const cmd = `${this.sp(slot, seq)}:GENeration?`;
    const reply = await this.transport.query(cmd);
    const m = /^\s*(\d+),(\d+),(\d+),(\d+)\s*$/.exec(reply);
    if (!m)
      throw new MalformedReplyError(
        `${cmd} returned "${reply}", expected "<config>,<run>,<config_others>,<run_others>"`,
        {
          path: cmd,
        },
      );
    return { config: Number(m[1]), run: Number(m[2]), configOthers: Number(m[3]), runOthers: Number(m[4]) };
  }
  private generationSupport: boolean | null = null;

  async sequencerStatus(slot: number, seq: number): Promise<SequencerStatus> {
    const cmd = `${this.sp(slot, seq)}:STATE?`;
    return parseSequencerState(await this.transport.query(cmd, { check: false }), cmd);
  }

  // --- acquisitions -------------------------------------------------------------------------------

  /** All acquisitions of a sequencer, normalised (reference 7.6), keyed by name. */
  async acquisitions(slot: number, seq: number): Promise<Record<string, QbloxAcquisitionEntry>> {
    const cmd = `${this.sp(slot, seq)}:ACQ:ALISt?`;
    const blocks = await this.transport.queryBinary(cmd);
    const count = readU32Block(blocks[0], cmd);
    const out: Record<string, QbloxAcquisitionEntry> = {};
    let k = 1;
    for (let i = 0; i < count; i++) {
      const name = blocks[k++]?.toString("utf8");
      const index = readU32Block(blocks[k++], cmd);
      if (name === undefined)
        throw new MalformedReplyError(`${cmd}: missing name block of acquisition ${i}`, { path: cmd });
      const d = decodeAcquisition(blocks, k, this.module(slot).info, cmd);
      k = d.next;
      out[name] = { index, acquisition: d.acquisition };
    }
    return out;
  }

  async acquisition(slot: number, seq: number, name: string): Promise<QbloxAcquisitionEntry> {
    const p = this.sp(slot, seq);
    const index = parseNumber(await this.transport.query(`${p}:ACQ:ALISt:ACQuisition:INDex? ${q(name)}`), "INDex?");
    const cmd = `${p}:ACQ:ALISt:ACQuisition:DATA? ${q(name)}`;
    const blocks = await this.transport.queryBinary(cmd);
    return { index, acquisition: decodeAcquisition(blocks, 0, this.module(slot).info, cmd).acquisition };
  }

  /** Copy the scope buffer into acquisition `name` (reference 7.1); read it with acquisition(s)(). */
  async storeScopeAcquisition(slot: number, seq: number, name: string): Promise<void> {
    return this.transport.write(`${this.sp(slot, seq)}:ACQ:ALISt:ACQuisition:DATA ${q(name)}`);
  }
  /** Clear bin and scope data but keep the acquisition definitions. */
  async deleteAcquisitionData(slot: number, seq: number, name = "all"): Promise<void> {
    return this.transport.write(`${this.sp(slot, seq)}:ACQ:ALISt:ACQuisition:DATA:DELete ${q(name)}`);
  }
  async deleteAcquisitions(slot: number, seq: number, name = "all"): Promise<void> {
    return this.transport.write(`${this.sp(slot, seq)}:ACQ:ALISt:ACQuisition:DELete ${q(name)}`);
  }
  async deleteWaveforms(slot: number, seq: number, name = "all"): Promise<void> {
    return this.transport.write(`${this.sp(slot, seq)}:AWG:WLISt:WAVeform:DELete ${q(name)}`);
  }
  /** Scope samples of the last run, after storing them into acquisition `name`. */
  async scopeData(slot: number, seq: number, name: string): Promise<Record<string, number[]>> {
    await this.storeScopeAcquisition(slot, seq, name);
    const a = await this.acquisition(slot, seq, name);
    return Object.fromEntries(Object.entries(a.acquisition.scope).map(([k, v]) => [k, v.data]));
  }

  // --- output levels (q1forge virtual Cluster: SLOT#:OUTput#:LEVel?, SLOT#:MARKer#:LEVel?) ---------

  /** Present DC level of DAC `dac` of the module in `slot`, in volts. */
  async outputLevel(slot: number, dac: number): Promise<number> {
    this.module(slot);
    const cmd = `SLOT${slot}:OUTput${dac}:LEVel?`;
    return parseNumber(await this.transport.query(cmd), cmd);
  }
  /** Present idle level of marker `marker` of the module in `slot` (true = high). */
  async markerLevel(slot: number, marker: number): Promise<boolean> {
    this.module(slot);
    const cmd = `SLOT${slot}:MARKer${marker}:LEVel?`;
    return parseBool(await this.transport.query(cmd), cmd);
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
