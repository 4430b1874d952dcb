/**
 * What the virtual Cluster shows while it runs: the present level of each output (so tests can
 * assert idle values) and acquisition bins that fill over the run's wall-clock time (so result
 * streaming sees values arrive before the run completes).
 *
 *   SLOT{s}:OUTput{d}:LEVel?   → DC level of DAC d in volts: the module's output offset
 *                                (RF offsets are mV on the wire, reported here in V) plus the AWG
 *                                offsets the sequencers routed to d hold after their last run
 *                                (a program's set_awg_offs; × the output full scale, before modulation)
 *   SLOT{s}:MARKer{m}:LEVel?   → 1 when marker m is high: its inversion (marker{m}_inv_en) XOR
 *                                marker bit m a sequencer's last run left set (set_mrk)
 *
 * Bins: the emulator computes a run's bins at START; while the sequencer reports RUNNING, only the
 * first ⌊f·n⌋ of its n valid bins (in bin order) are visible, f = elapsed / run duration. While the
 * emulation itself is still going (in the emulation worker), no bin is valid.
 */
import type { RawAcquisition } from "./acq-binary.js";
import type { HeaderNode } from "./scpi-command-parser.js";
import { matchNodes, type Reply } from "./virtual-commands.js";
import type { VirtualModule, VirtualSequencer } from "./virtual-state.js";

/** The level queries, or undefined when `nodes` is not one. */
export function outputLevelCommand(mod: VirtualModule, nodes: HeaderNode[], query: boolean): Reply | undefined {
  if (!query || nodes.length !== 2 || !matchNodes(nodes.slice(1), "LEVel")) return undefined;
  const n = nodes[0]!.num;
  if (n === null) return undefined;
  if (matchNodes(nodes.slice(0, 1), "OUTput") && n < mod.info.dacs) {
    const v = mod.info.isRF
      ? Number(mod.params[`out${Math.floor(n / 2)}_offset_path${n % 2}`] ?? 0) * 1e-3
      : Number(mod.params[`out${n}_offset`] ?? 0);
    return String(v + heldLevel(mod, n));
  }
  if (matchNodes(nodes.slice(0, 1), "MARKer") && n < mod.info.markers)
    return ((mod.params[`marker${n}_inv_en`] ? 1 : 0) ^ heldMarker(mod, n)) === 1 ? "1" : "0";
  return undefined;
}

/** Volts DAC `dac` holds from the sequencers' last runs: their held AWG offsets on the paths routed to it. */
function heldLevel(mod: VirtualModule, dac: number): number {
  let rel = 0;
  for (const s of mod.sequencers)
    for (let p = 0; p < 2; p++) if (s.channelMap[p]!.includes(dac)) rel += s.held.awgOffset[p]!;
  return rel * mod.info.outputFullScaleV;
}

/** 1 when a sequencer's last run left marker bit `m` set. */
function heldMarker(mod: VirtualModule, m: number): number {
  let b = 0;
  for (const s of mod.sequencers) b |= (s.held.markers >> m) & 1;
  return b;
}

/** Wall-clock start of each sequencer's current run (set by runVirtual). */
const runStart = new WeakMap<VirtualSequencer, number>();
export function markRunStart(seq: VirtualSequencer, now: number): void {
  runStart.set(seq, now);
}

/** `raw` as visible now: all of it unless the sequencer is still RUNNING a run with a known end. */
export function visibleAcquisition(seq: VirtualSequencer, raw: RawAcquisition, now = Date.now()): RawAcquisition {
  seq.settle(now);
  if (seq.emulating && seq.state === "RUNNING") return noValidBins(raw); // the run's emulation is still going
  const t0 = runStart.get(seq);
  if (seq.state !== "RUNNING" || t0 === undefined || !Number.isFinite(seq.runEndsAt)) return raw;
  const span = seq.runEndsAt - t0;
  const f = span > 0 ? Math.min(1, Math.max(0, (now - t0) / span)) : 1;
  const valid = raw.bins.valid;
  let total = 0;
  for (let i = 0; i < valid.length; i++) total += valid[i]!;
  let show = Math.floor(f * total);
  if (show >= total) return raw;
  const masked = new Uint8Array(valid.length);
  for (let i = 0; i < valid.length && show > 0; i++)
    if (valid[i]) {
      masked[i] = 1;
      show--;
    }
  return { ...raw, bins: { ...raw.bins, valid: masked } };
}

function noValidBins(raw: RawAcquisition): RawAcquisition {
  return { ...raw, bins: { ...raw.bins, valid: new Uint8Array(raw.bins.valid.length) } };
}
