/**
 * Incoming byte stream of one TCP connection, read with awaitable primitives (line, exact bytes,
 * IEEE 488.2 definite-length block). Chunks are kept in a list and joined only when a read needs
 * them, so a large acquisition block is copied once, not once per TCP segment.
 */

export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private waiter: { need: () => boolean; resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  get buffered(): number {
    return this.length;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.wake();
  }

  /** Fail the pending read and every later read until reset() (connection closed, timeout). */
  fail(err: Error): void {
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
  }

  reset(): void {
    this.chunks = [];
    this.length = 0;
    this.failure = null;
    this.waiter = null;
  }

  /** Read up to and including "\n"; returns the line without "\r\n" / "\n". */
  async readLine(): Promise<string> {
    let idx = this.indexOf(0x0a);
    while (idx < 0) {
      await this.wait(() => this.indexOf(0x0a) >= 0);
      idx = this.indexOf(0x0a);
    }
    const raw = this.take(idx + 1);
    const end = raw.length >= 2 && raw[raw.length - 2] === 0x0d ? raw.length - 2 : raw.length - 1;
    return raw.toString("latin1", 0, end);
  }

  async readBytes(n: number): Promise<Buffer> {
    if (this.length < n) await this.wait(() => this.length >= n);
    return this.take(n);
  }

  async peekByte(): Promise<number> {
    if (this.length < 1) await this.wait(() => this.length >= 1);
    return this.chunks[0]![0]!;
  }

  private indexOf(byte: number): number {
    let base = 0;
    for (const c of this.chunks) {
      const i = c.indexOf(byte);
      if (i >= 0) return base + i;
      base += c.length;
    }
    return -1;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.length -= n;
    return out;
  }

  private wait(need: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.waiter = { need, resolve, reject };
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (w && w.need()) {
      this.waiter = null;
      w.resolve();
    }
  }
}

/** Encode an IEEE 488.2 definite-length block header `#<n><len>` for `byteLength` bytes. */
export function blockHeader(byteLength: number): string {
  const len = String(byteLength);
  return `#${len.length}${len}`;
}
