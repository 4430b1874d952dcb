/**
 * The cluster's trigger network (reference §8; docs/feedback.md "Trigger network"), the older path
 * for conditional playback that quantify compiles to:
 *
 *  - a readout sequencer with `thresholded_acq_trigger_en` sends a trigger on
 *    `thresholded_acq_trigger_address` (1–15) at the end of each acquisition window whose thresholded
 *    bit is 1 (0 with `thresholded_acq_trigger_invert`);
 *  - the network runs on a 28 ns grid aligned at wait_sync: a trigger leaves at the next grid point
 *    (≤ 24 ns later), reaches every sequencer of the cluster TRIGGER_PROPAGATION_NS = 212 ns after
 *    that, and the network is busy for TRIGGER_REPEAT_NS = 252 ns (a trigger sent meanwhile is lost:
 *    TRIGGER_NETWORK_CONFLICT on the sender);
 *  - every sequencer counts the triggers per address while its latch is enabled (`set_latch_en`);
 *    `latch_rst` zeroes the counters; address a's bit is counter ≥ `trigger{a}_count_threshold`
 *    (default 1), flipped by `trigger{a}_threshold_invert`;
 *  - `set_cond enable,mask,operator,else` makes every following RT instruction conditional on the
 *    operator (OR, NOR, AND, NAND, XOR, XNOR) over the bits the mask selects; a false condition turns
 *    the instruction into a wait of the else duration.
 *
 * Ties: a trigger arriving at the very time of a latch_rst is counted and then cleared; one arriving
 * at the time an RT instruction is evaluated counts for it. Times are RT times (ns); the acquisition
 * window end is the sequencer's, before the output/input path latencies the compiler's 364 ns rule
 * also covers.
 */
import type { EmuSequencerParams } from "./api.js";
import { Op } from "./program.js";

export const TRIGGER_ADDRESSES = 15;
/** A trigger reaches all sequencers this long after it leaves (reference §8.1, v0.10 docs). */
export const TRIGGER_PROPAGATION_NS = 212;
/** Triggers leave on this grid, aligned at wait_sync (off-grid sends wait up to 24 ns). */
export const TRIGGER_GRID_NS = 28;
/** The network is free again this long after a trigger left. */
export const TRIGGER_REPEAT_NS = 252;

/** What the network needs of a sequencer (implemented by SequencerEngine). */
export interface TriggerEndpoint {
  readonly params: EmuSequencerParams;
  readonly warnFlags: Set<string>;
  readonly log: string[];
  triggerNet: TriggerNetwork | null;
  counters: TriggerCounters | null;
}

/** The evaluation of set_cond's operator over the selected address bits (bit k = address k + 1). */
export function conditionHolds(operator: number, mask: number, bits: number): boolean {
  const m = mask & 0x7fff;
  const sel = bits & m;
  let n = 0;
  for (let x = sel; x !== 0; x &= x - 1) n++;
  switch (operator) {
    case 0:
      return sel !== 0; // OR: any selected bit is true
    case 1:
      return sel === 0; // NOR
    case 2:
      return sel === m; // AND: all selected bits are true
    case 3:
      return sel !== m; // NAND
    case 4:
      return (n & 1) === 1; // XOR: an odd number of true bits
    default:
      return (n & 1) === 0; // XNOR
  }
}

export class TriggerNetwork {
  private readonly receivers: TriggerCounters[] = [];
  /** RT time the 28 ns grid is aligned to: the first wait_sync release */
  private originNs: number | null = null;
  private busyUntilNs = -Infinity;
  /** every trigger that went out (address, the time it left, its arrival), for tests and reports */
  readonly sent: { address: number; sendNs: number; arrivalNs: number }[] = [];

  /** `settle` integrates every acquisition whose window has passed (so their triggers are sent). */
  constructor(private readonly settle: () => void) {}

  /**
   * Wire up the sequencers of a cluster: each one can send; the ones whose programs use the latch or
   * set_cond get counters. Returns null when nobody uses the network (no cost then).
   */
  static forCluster(
    seqs: readonly (TriggerEndpoint & { readonly program: { op: Uint8Array; length: number } })[],
    settle: () => void,
  ): TriggerNetwork | null {
    const readers = seqs.filter((s) => {
      for (let i = 0; i < s.program.length; i++) {
        const op = s.program.op[i];
        if (op === Op.LATCH_EN || op === Op.LATCH_RST || op === Op.SET_COND) return true;
      }
      return false;
    });
    const writers = seqs.filter((s) => s.params.thresholded_acq_trigger_en === true);
    if (readers.length === 0 && writers.length === 0) return null;
    const net = new TriggerNetwork(settle);
    for (const s of seqs) s.triggerNet = net;
    for (const s of readers) {
      s.counters = new TriggerCounters(net, s.params);
      net.receivers.push(s.counters);
    }
    return net;
  }

  /** The first wait_sync release aligns the trigger grid. */
  synced(atNs: number): void {
    this.originNs ??= atNs;
  }

  /** A readout sequencer's thresholded result at the end of its window. */
  result(from: TriggerEndpoint, bit: number, endNs: number): void {
    const p = from.params;
    const address = p.thresholded_acq_trigger_address ?? 0;
    if (p.thresholded_acq_trigger_en !== true || address < 1 || address > TRIGGER_ADDRESSES) return;
    if ((bit ^ (p.thresholded_acq_trigger_invert === true ? 1 : 0)) !== 1) return;
    const origin = this.originNs ?? 0;
    const sendNs = origin + Math.ceil((endNs - origin) / TRIGGER_GRID_NS) * TRIGGER_GRID_NS;
    if (sendNs < this.busyUntilNs) {
      if (!from.warnFlags.has("TRIGGER_NETWORK_CONFLICT"))
        from.log.push(
          `trigger on address ${address} at ${sendNs} ns lost: the trigger network is busy until ${this.busyUntilNs} ns (one trigger per ${TRIGGER_REPEAT_NS} ns)`,
        );
      from.warnFlags.add("TRIGGER_NETWORK_CONFLICT");
      return;
    }
    this.busyUntilNs = sendNs + TRIGGER_REPEAT_NS;
    const arrivalNs = sendNs + TRIGGER_PROPAGATION_NS;
    this.sent.push({ address, sendNs, arrivalNs });
    for (const r of this.receivers) r.deliver(address, arrivalNs);
  }

  /** Make sure every trigger that can arrive by `atNs` has been sent. */
  settleUntil(): void {
    this.settle();
  }
}

/** One sequencer's trigger counters (one per address) and latch. */
export class TriggerCounters {
  private readonly counts = new Uint32Array(TRIGGER_ADDRESSES + 1);
  private readonly thresholds = new Uint32Array(TRIGGER_ADDRESSES + 1);
  private invertMask = 0;
  private latchEn = false;
  /** arrivals not yet applied, ascending time */
  private readonly pending: { address: number; t: number }[] = [];

  constructor(
    private readonly net: TriggerNetwork,
    params: EmuSequencerParams,
  ) {
    const p = params as Record<string, unknown>;
    for (let a = 1; a <= TRIGGER_ADDRESSES; a++) {
      const thr = p[`trigger${a}_count_threshold`];
      this.thresholds[a] = typeof thr === "number" ? thr : 1;
      if (p[`trigger${a}_threshold_invert`] === true) this.invertMask |= 1 << (a - 1);
    }
  }

  deliver(address: number, t: number): void {
    const q = this.pending;
    let i = q.length;
    while (i > 0 && q[i - 1]!.t > t) i--;
    q.splice(i, 0, { address, t });
  }

  /** Count the arrivals up to `t` under the latch state in force. */
  private applyUntil(t: number): void {
    this.net.settleUntil();
    const q = this.pending;
    let k = 0;
    while (k < q.length && q[k]!.t <= t) {
      if (this.latchEn) this.counts[q[k]!.address]!++;
      k++;
    }
    if (k > 0) q.splice(0, k);
  }

  /** set_latch_en at RT time t. */
  setLatchEnabled(t: number, enabled: boolean): void {
    this.applyUntil(t);
    this.latchEn = enabled;
  }

  /** latch_rst at RT time t. */
  reset(t: number): void {
    this.applyUntil(t);
    this.counts.fill(0);
  }

  /** The address bits at RT time t (bit k = address k + 1). */
  bits(t: number): number {
    this.applyUntil(t);
    let bits = 0;
    for (let a = 1; a <= TRIGGER_ADDRESSES; a++) if (this.counts[a]! >= this.thresholds[a]!) bits |= 1 << (a - 1);
    return bits ^ this.invertMask;
  }

  /** Counter of one address (tests). */
  count(address: number): number {
    return this.counts[address] ?? 0;
  }
}
