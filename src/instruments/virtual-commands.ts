/**
 * Module and sequencer SCPI commands of the virtual Cluster (reference 10.4), after the `SLOT{s}:`
 * node. Run control (ARM/START/STOP) is handled by the cluster because it fans out over modules.
 */
import { Q1AsmError } from "../core/errors.js";
import { encodeAcquisitionBlocks, emptyRawAcquisition, u32 } from "./acq-binary.js";
import { moduleParamCommand, moduleParamNames } from "./module-params.js";
import { nodeMatches, type HeaderNode, type ScpiArg } from "./scpi-command-parser.js";
import type { VirtualModule, VirtualSequencer, WaveEntry } from "./virtual-state.js";
import type { ChannelMap } from "./module-info.js";
import { outputLevelCommand, visibleAcquisition } from "./virtual-live.js";
import { checkedModuleParam, checkScopeConfig, checkSequencerConfig, MAX_OUT_ATT_DB } from "./virtual-param-ranges.js";

/** A command the instrument rejects: goes to the error queue as `<code>,"<message>"`. */
export class ScpiExecError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Text reply, block reply (blocks then CRLF), or nothing (a write). */
export type Reply = string | Buffer[] | null;
/** A reply, or one that completes later (a scope store waiting for the emulation worker); the connection waits for it. */
export type DeferredReply = Reply | Promise<Reply>;

export interface ModuleCommandContext {
  /** assemble a program; throw with the assembler's message on failure */
  assemble(text: string, mod: VirtualModule): void;
  /** id of the connection the command came from (generation counters count its writes apart) */
  connection: number;
}

export function matchNodes(nodes: HeaderNode[], ...pattern: string[]): boolean {
  return nodes.length === pattern.length && pattern.every((p, i) => nodeMatches(p, nodes[i]!.name));
}

const str = (a: ScpiArg | undefined, what: string): string => {
  if (a === undefined) throw new ScpiExecError(-109, `Missing parameter; ${what}`);
  return typeof a === "string" ? a : a.toString("utf8");
};
const num = (a: ScpiArg | undefined, what: string): number => {
  const v = Number(str(a, what));
  if (!Number.isFinite(v)) throw new ScpiExecError(-104, `Data type error; ${what} must be a number`);
  return v;
};
const block = (a: ScpiArg | undefined, what: string): Buffer => {
  if (!Buffer.isBuffer(a)) throw new ScpiExecError(-109, `Missing parameter; ${what} needs a binary block`);
  return a;
};
const json = <T>(a: ScpiArg | undefined, what: string): T => {
  try {
    return JSON.parse(block(a, what).toString("utf8")) as T;
  } catch (e) {
    if (e instanceof ScpiExecError) throw e;
    throw new ScpiExecError(-151, `Invalid string data; ${what} is not valid JSON`);
  }
};
const jsonBlock = (v: unknown): Buffer[] => [Buffer.from(JSON.stringify(v), "utf8")];

export function moduleCommand(
  ctx: ModuleCommandContext,
  mod: VirtualModule,
  nodes: HeaderNode[],
  query: boolean,
  args: ScpiArg[],
): DeferredReply {
  const first = nodes[0];
  if (first && nodeMatches("SEQuencer", first.name)) {
    if (first.num === null || first.num >= mod.sequencers.length)
      throw new ScpiExecError(
        -114,
        `Header suffix out of range; sequencer ${first.num ?? "(none)"} on slot ${mod.slot}`,
      );
    return sequencerCommand(ctx, mod, mod.sequencers[first.num]!, nodes.slice(1), query, args);
  }
  if (matchNodes(nodes, "STATus", "ASSEMbler", "SUCCess") && query) return mod.assemblerSuccess ? "1" : "0";
  if (matchNodes(nodes, "STATus", "ASSEMbler", "LOG") && query) return [Buffer.from(mod.assemblerLog, "utf8")];
  if (matchNodes(nodes, "ACQ", "SCOpe", "CONFiguration")) {
    if (mod.info.scopePaths === 0)
      throw new ScpiExecError(-113, `Undefined header; slot ${mod.slot} (${mod.type}) has no scope`);
    if (query) return jsonBlock(mod.scope);
    mod.scope = checkScopeConfig(json<unknown>(args[0], "ACQ:SCOpe:CONFiguration"), mod.info, `slot ${mod.slot}`);
    return null;
  }
  if (matchNodes(nodes, "AFE", "ATT", "OUT", "MAX") && query && nodes[2]!.num !== null) {
    if (!mod.info.isRF || nodes[2]!.num >= mod.info.outputs)
      throw new ScpiExecError(
        -113,
        `Undefined header; AFE:ATT:OUT${nodes[2]!.num}:MAX on slot ${mod.slot} (${mod.type})`,
      );
    return String(MAX_OUT_ATT_DB); // the maximum output attenuation qblox-instruments validates out{n}_att against
  }
  const level = outputLevelCommand(mod, nodes, query); // q1forge: present output levels (virtual-live.ts)
  if (level !== undefined) return level;
  // AFE / LO parameters: find the module parameter whose SCPI header matches
  for (const name of moduleParamNames(mod.type)) {
    const c = moduleParamCommand(mod.type, name)!;
    const pattern = c.header.split(":");
    if (nodes.length !== pattern.length) continue;
    const ok = pattern.every((p, i) => {
      const m = p.match(/^([A-Za-z_]+?)(\d*)$/)!;
      return (
        nodeMatches(m[1]!, nodes[i]!.name) && (m[2] === "" ? nodes[i]!.num === null : nodes[i]!.num === Number(m[2]))
      );
    });
    if (!ok) continue;
    if (query) return c.kind === "bool" ? (mod.params[name] ? "1" : "0") : String(mod.params[name]);
    // range-checked as the instrument does (virtual-param-ranges.ts): an out-of-range value is refused, the old one kept
    mod.params[name] = checkedModuleParam(mod, name, c.kind, str(args[0], name), (t) => num(t, name));
    return null;
  }
  throw new ScpiExecError(
    -113,
    `Undefined header; ${nodes.map((n) => n.name + (n.num ?? "")).join(":")} on slot ${mod.slot} (${mod.type})`,
  );
}

function sequencerCommand(
  ctx: ModuleCommandContext,
  mod: VirtualModule,
  seq: VirtualSequencer,
  nodes: HeaderNode[],
  query: boolean,
  args: ScpiArg[],
): DeferredReply {
  const where = `slot ${mod.slot} sequencer ${seq.index}`;
  if (matchNodes(nodes, "GENeration") && query) return seq.generationReply(ctx.connection);
  if (matchNodes(nodes, "PROGram")) {
    if (query) return [Buffer.from(seq.program ?? "", "utf8")];
    const text = block(args[0], "PROGram").toString("utf8");
    try {
      ctx.assemble(text, mod);
      mod.assemblerSuccess = true;
      mod.assemblerLog = "assembly completed successfully";
      seq.program = text;
    } catch (e) {
      mod.assemblerSuccess = false;
      mod.assemblerLog =
        e instanceof Q1AsmError
          ? `line ${e.line}, column ${e.column}: ${e.message}`
          : e instanceof Error
            ? e.message
            : String(e);
      seq.program = null;
      throw new ScpiExecError(
        -285,
        `module command SEQ#:PROG failed on module in slot ${mod.slot}: Syntax error (-285): Assembly failed.`,
      );
    }
    return null;
  }
  if (matchNodes(nodes, "CONFiguration")) {
    if (query) return jsonBlock(seq.config);
    // shape and every parameter's range checked before it replaces the sequencer's (virtual-param-ranges.ts)
    seq.config = checkSequencerConfig(json<unknown>(args[0], "CONFiguration"), mod.info, where);
    seq.reloadHeld();
    return null;
  }
  if (matchNodes(nodes, "CHANnelmap") || matchNodes(nodes, "ACQ", "CHANnelmap")) {
    const acq = nodes.length === 2;
    if (acq && !mod.info.supportsAcquisition)
      throw new ScpiExecError(-113, `Undefined header; ${where} (${mod.type}) has no acquisition path`);
    if (query) return jsonBlock(acq ? seq.acqChannelMap : seq.channelMap);
    const map = json<ChannelMap>(args[0], "CHANnelmap");
    const limit = acq ? mod.info.adcs : mod.info.dacs;
    if (
      !Array.isArray(map) ||
      map.length !== 2 ||
      !map.every((p) => Array.isArray(p) && p.every((d) => Number.isInteger(d) && d >= 0 && d < limit))
    ) {
      throw new ScpiExecError(
        -224,
        `Illegal parameter value; channel map ${JSON.stringify(map)} of ${where} must be [[…],[…]] with indices < ${limit}`,
      );
    }
    if (acq) seq.acqChannelMap = map;
    else seq.channelMap = map;
    return null;
  }
  if (nodes.length >= 3 && matchNodes(nodes.slice(0, 3), "AWG", "WLISt", "WAVeform"))
    return waveListCommand(seq.waveforms, nodes.slice(3), query, args, where, mod.info.waveformSampleLimit);
  if (nodes.length >= 3 && matchNodes(nodes.slice(0, 3), "ACQ", "WLISt", "WEIght")) {
    if (!mod.info.supportsAcquisition)
      throw new ScpiExecError(-113, `Undefined header; ${where} (${mod.type}) has no weights`);
    return waveListCommand(seq.weights, nodes.slice(3), query, args, where, mod.info.waveformSampleLimit);
  }
  if (matchNodes(nodes, "AWG", "WLISt", "SIZE") && query) return String(seq.waveforms.size);
  if (matchNodes(nodes, "ACQ", "WLISt", "SIZE") && query) return String(seq.weights.size);
  if (matchNodes(nodes, "AWG", "WLISt") && query) return waveListBlocks(seq.waveforms);
  if (matchNodes(nodes, "ACQ", "WLISt") && query) return waveListBlocks(seq.weights);
  if (nodes.length >= 3 && matchNodes(nodes.slice(0, 3), "ACQ", "ALISt", "ACQuisition")) {
    if (!mod.info.supportsAcquisition)
      throw new ScpiExecError(-113, `Undefined header; ${where} (${mod.type}) has no acquisitions`);
    return acqListCommand(mod, seq, nodes.slice(3), query, args, where);
  }
  if (matchNodes(nodes, "ACQ", "ALISt", "SIZE") && query) return String(seq.acquisitions.size);
  if (matchNodes(nodes, "ACQ", "ALISt") && query) {
    const out: Buffer[] = [u32(seq.acquisitions.size)];
    for (const [name, a] of [...seq.acquisitions].sort((x, y) => x[1].index - y[1].index))
      out.push(Buffer.from(name, "utf8"), u32(a.index), ...encodeAcquisitionBlocks(visibleAcquisition(seq, a.raw)));
    return out;
  }
  throw new ScpiExecError(-113, `Undefined header; ${nodes.map((n) => n.name + (n.num ?? "")).join(":")} on ${where}`);
}

function nextFreeIndex(used: Iterable<{ index: number }>): number {
  const s = new Set([...used].map((u) => u.index));
  let i = 0;
  while (s.has(i)) i++;
  return i;
}

function waveListCommand(
  list: Map<string, WaveEntry>,
  nodes: HeaderNode[],
  query: boolean,
  args: ScpiArg[],
  where: string,
  sampleLimit: number,
): Reply {
  const op = nodes.map((n) => n.name).join(":");
  const name = str(args[0], `${op} name`);
  /** the memory of the sequencer holds `sampleLimit` samples over all its waveforms (or weights) */
  const fits = (samples: number, replacing: WaveEntry | undefined) => {
    let used = samples;
    for (const w of list.values()) if (w !== replacing) used += w.data.length;
    if (!Number.isInteger(samples) || samples < 0 || used > sampleLimit)
      throw new ScpiExecError(
        -222,
        `Data out of range; waveform "${name}" of ${samples} samples on ${where} needs ${used} of ${sampleLimit} samples of memory`,
      );
  };
  const get = () => {
    const w = list.get(name);
    if (!w) throw new ScpiExecError(-224, `Illegal parameter value; waveform "${name}" does not exist on ${where}`);
    return w;
  };
  if (nodeMatches("NEW", op) && !query) {
    if (/^all$/i.test(name)) throw new ScpiExecError(-224, `Illegal parameter value; "${name}" is reserved`);
    if (list.has(name))
      throw new ScpiExecError(-224, `Illegal parameter value; waveform "${name}" already exists on ${where}`);
    const length = num(args[1], "length");
    fits(length, undefined);
    list.set(name, { index: nextFreeIndex(list.values()), data: new Float32Array(length) });
    return null;
  }
  if (nodeMatches("DELete", op) && !query) {
    if (/^all$/i.test(name)) list.clear();
    else {
      get();
      list.delete(name);
    }
    return null;
  }
  if (nodeMatches("DATA", op)) {
    if (query) {
      const d = get().data;
      return [Buffer.from(d.buffer, d.byteOffset, d.byteLength)];
    }
    const b = block(args[1], "DATA");
    if (b.length % 4 !== 0)
      throw new ScpiExecError(-224, `Illegal parameter value; waveform data of "${name}" is not float32`);
    fits(b.length / 4, get());
    const data = new Float32Array(b.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = b.readFloatLE(i * 4);
    get().data = data;
    return null;
  }
  if (nodeMatches("INDex", op)) {
    if (query) return String(get().index);
    const index = num(args[1], "index");
    if (!Number.isInteger(index) || index < 0 || index > 1023)
      throw new ScpiExecError(-222, `Data out of range; waveform index ${index} of "${name}" on ${where} (0..1023)`);
    get().index = index;
    return null;
  }
  if (nodeMatches("LENGth", op) && query) return String(get().data.length);
  throw new ScpiExecError(-113, `Undefined header; ${op} on ${where}`);
}

function waveListBlocks(list: Map<string, WaveEntry>): Buffer[] {
  const out: Buffer[] = [u32(list.size)];
  for (const [name, w] of list)
    out.push(Buffer.from(name, "utf8"), u32(w.index), Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  return out;
}

function acqListCommand(
  mod: VirtualModule,
  seq: VirtualSequencer,
  nodes: HeaderNode[],
  query: boolean,
  args: ScpiArg[],
  where: string,
): DeferredReply {
  const op = nodes.map((n) => n.name).join(":");
  const name = str(args[0], `${op} name`);
  const all = /^all$/i.test(name);
  const get = () => {
    const a = seq.acquisitions.get(name);
    if (!a) throw new ScpiExecError(-224, `Illegal parameter value; acquisition "${name}" does not exist on ${where}`);
    return a;
  };
  if (matchNodes(nodes, "NEW") && !query) {
    if (all) throw new ScpiExecError(-224, `Illegal parameter value; "${name}" is reserved`);
    const numBins = num(args[1], "num_bins");
    if (!Number.isInteger(numBins) || numBins < 0 || numBins > 131072)
      throw new ScpiExecError(-222, `Data out of range; num_bins ${numBins} of "${name}" on ${where} (0..131072)`);
    const index = nextFreeIndex(seq.acquisitions.values());
    seq.acquisitions.set(name, {
      index,
      numBins,
      raw: emptyRawAcquisition(index, numBins, mod.scopePaths),
      pendingScope: null,
    });
    return null;
  }
  if (matchNodes(nodes, "INDex")) {
    if (query) return String(get().index);
    const a = get();
    const index = num(args[1], "index");
    if (!Number.isInteger(index) || index < 0 || index >= mod.info.acqIndices)
      throw new ScpiExecError(
        -222,
        `Data out of range; acquisition index ${index} of "${name}" on ${where} (0..${mod.info.acqIndices - 1})`,
      );
    a.index = index;
    a.raw.index = a.index;
    return null;
  }
  if (matchNodes(nodes, "DELete") && !query) {
    if (all) seq.acquisitions.clear();
    else {
      get();
      seq.acquisitions.delete(name);
    }
    return null;
  }
  if (matchNodes(nodes, "DATA", "DELete") && !query) {
    const clear = (a: ReturnType<typeof get>) => {
      a.raw = emptyRawAcquisition(a.index, a.numBins, mod.scopePaths);
      a.pendingScope = null;
    };
    if (all) seq.acquisitions.forEach(clear);
    else clear(get());
    return null;
  }
  if (matchNodes(nodes, "DATA")) {
    if (query) return encodeAcquisitionBlocks(visibleAcquisition(seq, get().raw));
    // store the scope buffer into this acquisition (reference 7.1); may wait for the emulation worker
    const stored = seq.storeScope(get());
    return stored ? stored.then(() => null) : null;
  }
  if (matchNodes(nodes, "NUM_BINS") && query) return String(get().numBins);
  throw new ScpiExecError(-113, `Undefined header; ACQuisition:${op} on ${where}`);
}
