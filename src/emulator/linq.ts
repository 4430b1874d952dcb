/**
 * LINQ in the emulated cluster (docs/feedback.md, seed linq-feedback.txt): the router (self-cast ids
 * 1–15 always back to the source; 16–255 per module local route, CMM route or broadcast, dropped when
 * unrouted; id 0 sends nothing), the latency table, and the 32-entry feedback queue of each sequencer.
 * Entries carry their arrival time on the RT time axis; `fb_pop_data` / `fb_pull_data` on the Q1
 * core take the first matching entry and continue at max(core time, arrival).
 */
import type { LinqRouterConfig } from "../contract/linq.js";

export type { LinqRouterConfig };

export type LinqDataType = "thresholded_bits" | "iq" | "register";
export type LinqPath = "multi-cast" | "intra-cast" | "self-cast";

/** Source Q1 core → receiver feedback queue, ns (seed, latency table; readout and "all" rows). */
export const LINQ_LATENCY_NS: Readonly<Record<LinqDataType, Readonly<Record<LinqPath, number>>>> = {
  thresholded_bits: { "multi-cast": 472, "intra-cast": 250, "self-cast": 160 },
  iq: { "multi-cast": 492, "intra-cast": 270, "self-cast": 164 },
  register: { "multi-cast": 380, "intra-cast": 150, "self-cast": 60 },
};

export const FEEDBACK_QUEUE_DEPTH = 32;

export interface FeedbackEntry {
  id: number;
  value: number;
  arrivalNs: number;
}

/** One sequencer's feedback queue, kept in arrival order. */
export class FeedbackQueue {
  readonly entries: FeedbackEntry[] = [];
  /** set when an entry was added since the owner last looked (wakes a blocked pop) */
  fresh = false;
  overflowed = 0;

  push(e: FeedbackEntry): void {
    if (this.entries.length >= FEEDBACK_QUEUE_DEPTH) {
      this.overflowed++;
      return;
    }
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.arrivalNs > e.arrivalNs) i--;
    this.entries.splice(i, 0, e);
    this.fresh = true;
  }

  /** fb_pop_data: the first entry with `id`; the entries before it are discarded. */
  pop(id: number): FeedbackEntry | undefined {
    const k = this.entries.findIndex((e) => e.id === id);
    if (k < 0) return undefined;
    const e = this.entries[k]!;
    this.entries.splice(0, k + 1);
    return e;
  }

  /** fb_pull_data: the next entry. */
  pull(): FeedbackEntry | undefined {
    return this.entries.shift();
  }
}

/** Where a sequencer sits: the receiver side of the router. */
export interface LinqEndpoint {
  readonly slot: number;
  readonly index: number;
  readonly feedback: FeedbackQueue;
  /** the Q1 core waits for an entry; a delivery wakes it */
  fbWaiting: boolean;
}

function deliver(e: LinqEndpoint, entry: FeedbackEntry, out: FeedbackEntry[] | null): void {
  e.feedback.push(entry);
  e.fbWaiting = false;
  out?.push(entry);
}

/**
 * A write-combined payload being assembled: the entries delivered for it (per 32-bit word, one per
 * receiver), so that the other sequencers' parts are OR-ed in. Keyed by source module and id; a part
 * with another send time starts a new payload.
 */
interface CombinedPayload {
  sendNs: number;
  words: FeedbackEntry[][];
}

export class LinqRouter {
  private readonly bySlot = new Map<number, LinqEndpoint[]>();
  private readonly all: LinqEndpoint[] = [];
  private readonly local = new Map<string, number[]>();
  private readonly cmm = new Map<number, { slot: number; sequencer: number }[]>();
  private readonly broadcast = new Set<number>();
  /** sends dropped because their id was not routed (ids 16–255), for the report */
  dropped = 0;
  private readonly combining = new Map<string, CombinedPayload>();

  constructor(config: LinqRouterConfig | undefined) {
    for (const r of config?.local_routes ?? []) this.local.set(`${r.slot}/${r.id}`, r.sequencers);
    for (const r of config?.cmm_routes ?? []) this.cmm.set(r.id, r.targets);
    for (const id of config?.broadcast ?? []) this.broadcast.add(id);
  }

  attach(e: LinqEndpoint): void {
    this.all.push(e);
    const l = this.bySlot.get(e.slot);
    if (l) l.push(e);
    else this.bySlot.set(e.slot, [e]);
  }

  /**
   * Send `value` with `id` from a sequencer at RT time `sendNs`. Write-combine (fb_acq_tb_cfg, thresholded
   * bits only): with `wcLengthBytes` > 0 the value is this sequencer's part of a payload of that many bytes
   * at bit `wcBitPos`; the parts of one module's sequencers sent with the same id at the same time form one
   * payload, delivered as ceil(length / 4) 32-bit entries (word k holds bits 32k+31 … 32k).
   */
  send(
    from: LinqEndpoint,
    id: number,
    value: number,
    sendNs: number,
    type: LinqDataType,
    wcBitPos = 0,
    wcLengthBytes = 0,
  ): void {
    if (id === 0) return;
    if (wcLengthBytes > 0) {
      const key = `${from.slot}/${id}`;
      const c = this.combining.get(key);
      const word = wcBitPos >>> 5,
        bits = (value << (wcBitPos & 31)) >>> 0;
      if (c && c.sendNs === sendNs) {
        for (const e of c.words[word] ?? []) e.value = (e.value | bits) >>> 0;
        return;
      }
      const words: FeedbackEntry[][] = [];
      for (let w = 0; w < Math.ceil(wcLengthBytes / 4); w++) {
        const out: FeedbackEntry[] = [];
        this.route(from, id, w === word ? bits : 0, sendNs, type, out);
        words.push(out);
      }
      this.combining.set(key, { sendNs, words });
      return;
    }
    this.route(from, id, value, sendNs, type, null);
  }

  private route(
    from: LinqEndpoint,
    id: number,
    value: number,
    sendNs: number,
    type: LinqDataType,
    out: FeedbackEntry[] | null,
  ): void {
    const lat = LINQ_LATENCY_NS[type];
    const entry = (path: LinqPath): FeedbackEntry => ({ id, value: value >>> 0, arrivalNs: sendNs + lat[path] });
    if (id <= 15) {
      deliver(from, entry("self-cast"), out);
      return;
    }
    let routed = false;
    if (this.broadcast.has(id)) {
      for (const e of this.all) deliver(e, entry("multi-cast"), out);
      return;
    }
    const local = this.local.get(`${from.slot}/${id}`);
    if (local) {
      routed = true;
      for (const e of this.bySlot.get(from.slot) ?? [])
        if (local.includes(e.index)) deliver(e, entry("intra-cast"), out);
    }
    const targets = this.cmm.get(id);
    if (targets) {
      routed = true;
      for (const t of targets)
        for (const e of this.bySlot.get(t.slot) ?? [])
          if (e.index === t.sequencer) deliver(e, entry("multi-cast"), out);
    }
    if (!routed) this.dropped++;
  }
}
