/**
 * Acquisition commands of the Cluster driver (acquisition lists, bin and scope data, deletion) and the
 * output levels of the q1forge virtual Cluster.
 */
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import { decodeAcquisition, readU32Block } from "./acq-binary.js";
import { ClusterDriverSequencer, q, type SequencerRef } from "./cluster-driver-sequencer.js";
import { MALFORMED_REPLY_HINT, MalformedReplyError } from "./instrument-errors.js";
import { parseBool, parseNumber } from "./reply-parse.js";

export class ClusterDriverAcquisition extends ClusterDriverSequencer {
  /** All acquisitions of a sequencer, normalised (reference 7.6), keyed by name. */
  async acquisitions(slot: number, seq: number): Promise<Record<string, QbloxAcquisitionEntry>> {
    const cmd = `${this.sp(slot, seq)}:ACQ:ALISt?`;
    return this.decodeAcquisitionList(slot, await this.transport.queryBinary(cmd), cmd);
  }

  /** acquisitions() of several sequencers in one round trip (one error check for all). */
  async acquisitionsOf(targets: readonly SequencerRef[]): Promise<Record<string, QbloxAcquisitionEntry>[]> {
    const cmds = targets.map((t) => ({ cmd: `${this.sp(t.slot, t.seq)}:ACQ:ALISt?`, reply: "blocks" as const }));
    const replies = await this.transport.batch(cmds);
    return replies.map((r, i) => this.decodeAcquisitionList(targets[i]!.slot, r as Buffer[], cmds[i]!.cmd));
  }

  private decodeAcquisitionList(slot: number, blocks: Buffer[], cmd: string): Record<string, QbloxAcquisitionEntry> {
    const count = readU32Block(blocks[0], cmd);
    const out: Record<string, QbloxAcquisitionEntry> = {};
    let k = 1;
    for (let i = 0; i < count; i++) {
      const name = blocks[k++]?.toString("utf8");
      const index = readU32Block(blocks[k++], cmd);
      if (name === undefined)
        throw new MalformedReplyError(`${cmd}: missing name block of acquisition ${i}`, {
          path: cmd,
          hint: MALFORMED_REPLY_HINT,
        });
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
}
