/**
 * Time-ordered log of a sequencer's active signal state. Every commit (upd_param / play / acquire*)
 * appends one fixed-stride record holding the complete state from that time on, so any window can
 * be rendered from the last record before it without replaying the program.
 */

/** record fields (Float64, stride REC) */
export const R_T = 0; // RT time of the commit, ns
export const R_G0 = 1; // gain path0 (1.0 = full scale)
export const R_G1 = 2;
export const R_O0 = 3; // offset path0
export const R_O1 = 4;
export const R_F = 5; // NCO frequency, Hz
export const R_PH = 6; // total NCO phase at R_T, turns in [0, 1)
export const R_W0 = 7; // waveform index playing on path0 (-1 none)
export const R_W1 = 8;
export const R_WS = 9; // start time of the playing waveforms, ns
export const R_MRK = 10; // marker bits
export const REC = 11;

export class History {
  data: Float64Array;
  /** first live record */
  head = 0;
  /** one past the last record */
  tail = 0;

  constructor(capacityRecords = 64) {
    this.data = new Float64Array(capacityRecords * REC);
  }

  get size(): number {
    return this.tail - this.head;
  }

  /** Append a copy of `rec` (REC values). A record at the same time as the last one replaces it. */
  push(rec: Float64Array): void {
    if (this.tail > this.head && this.data[(this.tail - 1) * REC + R_T] === rec[R_T]) {
      this.data.set(rec, (this.tail - 1) * REC);
      return;
    }
    if ((this.tail + 1) * REC > this.data.length) this.grow();
    this.data.set(rec, this.tail * REC);
    this.tail++;
  }

  /** Keep only the last record at or before `t` and everything after it. */
  pruneBefore(t: number): void {
    let h = this.head;
    while (h + 1 < this.tail && this.data[(h + 1) * REC + R_T]! <= t) h++;
    this.head = h;
  }

  /** Keep only the newest record (the state in force from now on). */
  keepLast(): void {
    if (this.tail > this.head) this.head = this.tail - 1;
  }

  /** Index of the last record with time ≤ t, or head - 1 when t precedes all records. */
  indexAt(t: number): number {
    let lo = this.head,
      hi = this.tail - 1,
      found = this.head - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.data[mid * REC + R_T]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private grow(): void {
    const live = this.tail - this.head;
    // compact when more than half the buffer is dead, else double
    const cap = live * 2 + 2 > this.data.length / REC ? Math.max(64, live * 2 + 2) : this.data.length / REC;
    const next = new Float64Array(Math.max(cap, 64) * REC);
    next.set(this.data.subarray(this.head * REC, this.tail * REC));
    this.data = next;
    this.tail = live;
    this.head = 0;
  }
}
