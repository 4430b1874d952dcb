/**
 * Sequencer and module commands of the Cluster driver: sequencer configuration and channel maps,
 * module parameters and scope configuration, sequence upload, run control, generation counters and
 * sequencer status. Every command goes through the CMM with the `SLOT{s}:` prefix.
 */
import type { Sequence } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import { ClusterDriverLinq } from "./cluster-driver-linq.js";
import { InstrumentReportedError, MALFORMED_REPLY_HINT, MalformedReplyError } from "./instrument-errors.js";
import {
  channelMapToConnectAcq,
  channelMapToConnectOut,
  connectAcqToChannelMap,
  connectOutToChannelMap,
  type ChannelMap,
  type ConnectAcq,
  type ConnectOut,
} from "./module-info.js";
import { moduleParamCommand, moduleParamNames, type ScopeConfigDoc } from "./module-params.js";
import { parseBool, parseJsonBlock, parseNumber, parseSequencerState, type SequencerStatus } from "./reply-parse.js";
import {
  readConfigParams,
  writeConfigParams,
  type SequencerConfigDoc,
  type SequencerConfigParams,
} from "./sequencer-config.js";

type Fanout = { slot?: number; seq?: number };
/** one sequencer: module slot and sequencer index */
export interface SequencerRef {
  slot: number;
  seq: number;
}
/** `SLOT#:SEQuencer#:GENeration?`: this connection's and other connections' write counts */
export interface Generation {
  config: number;
  run: number;
  configOthers: number;
  runOthers: number;
}

function parseGeneration(reply: string, cmd: string): Generation {
  const m = /^\s*(\d+),(\d+),(\d+),(\d+)\s*$/.exec(reply);
  if (!m)
    throw new MalformedReplyError(
      `${cmd} returned "${reply}", expected "<config>,<run>,<config_others>,<run_others>"`,
      {
        path: cmd,
        hint: MALFORMED_REPLY_HINT,
      },
    );
  return { config: Number(m[1]), run: Number(m[2]), configOthers: Number(m[3]), runOthers: Number(m[4]) };
}

const enc = (text: string) => Buffer.from(text, "utf8");
export const q = (name: string) => `"${name.replace(/"/g, "")}"`;

export class ClusterDriverSequencer extends ClusterDriverLinq {
  protected sp(slot: number, seq: number): string {
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
    const rejected = writeConfigParams(doc, params, `slot ${slot} sequencer ${seq}`);
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
      throw new MalformedReplyError(`${cmd} returned ${JSON.stringify(m)}, expected [[…],[…]]`, {
        path: cmd,
        hint: MALFORMED_REPLY_HINT,
      });
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
  async generation(slot: number, seq: number): Promise<Generation | null> {
    this.generationSupport ??= (await this.idn()).build["q1forgeVirtual"] === "1";
    if (!this.generationSupport) return null;
    const cmd = `${this.sp(slot, seq)}:GENeration?`;
    return parseGeneration(await this.transport.query(cmd, { check: false }), cmd);
  }
  private generationSupport: boolean | null = null;

  /**
   * generation() of several sequencers in one round trip (one batch, no error check: a reply that is
   * not four counters is MALFORMED_REPLY). null when the instrument keeps no counters.
   */
  async generations(targets: readonly SequencerRef[]): Promise<Generation[] | null> {
    this.generationSupport ??= (await this.idn()).build["q1forgeVirtual"] === "1";
    if (!this.generationSupport) return null;
    if (targets.length === 0) return [];
    const cmds = targets.map((t) => ({ cmd: `${this.sp(t.slot, t.seq)}:GENeration?`, reply: "text" as const }));
    const replies = await this.transport.batch(cmds, { check: false });
    return replies.map((r, i) => parseGeneration(r as string, cmds[i]!.cmd));
  }

  /** sequencerStatus() of several sequencers in one round trip. */
  async sequencerStatuses(targets: readonly SequencerRef[]): Promise<SequencerStatus[]> {
    const cmds = targets.map((t) => ({ cmd: `${this.sp(t.slot, t.seq)}:STATE?`, reply: "text" as const }));
    const replies = await this.transport.batch(cmds, { check: false });
    return replies.map((r, i) => parseSequencerState(r as string, cmds[i]!.cmd));
  }

  /**
   * Get a run ready in one round trip: STOP every sequencer, clear the acquisition data of the
   * `targets` that acquire, ARM the `targets` (one error check for all).
   */
  async stopClearArm(targets: readonly (SequencerRef & { readout: boolean })[]): Promise<void> {
    const cmds = [{ cmd: "SLOT:SEQuencer:STOP", reply: "none" as const }];
    for (const t of targets) {
      const p = this.sp(t.slot, t.seq);
      if (t.readout) cmds.push({ cmd: `${p}:ACQ:ALISt:ACQuisition:DATA:DELete "all"`, reply: "none" });
      cmds.push({ cmd: `${p}:ARM`, reply: "none" });
    }
    await this.transport.batch(cmds);
  }

  /** START every armed sequencer, then read the generation counters of `targets`: one round trip. */
  async startAndReadGenerations(targets: readonly SequencerRef[]): Promise<Generation[] | null> {
    this.generationSupport ??= (await this.idn()).build["q1forgeVirtual"] === "1";
    if (!this.generationSupport) {
      await this.start();
      return null;
    }
    const cmds = [
      { cmd: "SLOT:SEQuencer:START", reply: "none" as const },
      ...targets.map((t) => ({ cmd: `${this.sp(t.slot, t.seq)}:GENeration?`, reply: "text" as const })),
    ];
    const replies = await this.transport.batch(cmds);
    return replies.slice(1).map((r, i) => parseGeneration(r as string, cmds[i + 1]!.cmd));
  }

  async sequencerStatus(slot: number, seq: number): Promise<SequencerStatus> {
    const cmd = `${this.sp(slot, seq)}:STATE?`;
    return parseSequencerState(await this.transport.query(cmd, { check: false }), cmd);
  }
}
