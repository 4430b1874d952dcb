/**
 * Server side of the SCPI stream (reference 13.1/13.2): splits incoming bytes into commands
 * `<header>[ <arg>{,<arg>}]\n`, where an argument is a quoted string, a bare token or an IEEE 488.2
 * block (whose bytes may contain "\n"), and matches headers case-insensitively in long or short form.
 */

export type ScpiArg = string | Buffer;

export interface ScpiCommand {
  header: string;
  args: ScpiArg[];
}

/** Longest command line outside binary blocks (bytes); longer: -363 and the line is skipped. */
export const MAX_LINE_BYTES = 1 << 20;
/** Largest binary block argument (bytes); larger: -223 and the block is skipped. */
export const MAX_BLOCK_BYTES = 256 << 20;

/** A command the parser rejects, with the SCPI error code the instrument queues for it. */
export class ScpiParseError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class ScpiCommandParser {
  private buf: Buffer = Buffer.alloc(0);
  /** bytes received but not yet joined into `buf` (joined only when a parse can make progress) */
  private chunks: Buffer[] = [];
  private total = 0;
  /** total byte count below which next() cannot complete a command (an incomplete block or line) */
  private needed = 0;
  /** bytes still to drop of an oversized block, then the rest of its line */
  private skipBytes = 0;
  private skipLine = false;
  /** the last parse stopped inside a binary block that has not fully arrived */
  private inBlock = false;

  push(chunk: Buffer): void {
    let c = chunk;
    if (this.skipBytes > 0) {
      const n = Math.min(this.skipBytes, c.length);
      this.skipBytes -= n;
      c = c.subarray(n);
    }
    if (this.skipLine && c.length > 0) {
      const nl = c.indexOf(0x0a);
      if (nl < 0) return;
      this.skipLine = false;
      c = c.subarray(nl + 1);
    }
    if (c.length === 0) return;
    this.chunks.push(c);
    this.total += c.length;
  }

  /** `buf` with every pushed chunk appended (one copy per call that can make progress: linear in the input) */
  private joined(): Buffer {
    if (this.chunks.length > 0) {
      this.buf =
        this.buf.length === 0 && this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat([this.buf, ...this.chunks]);
      this.chunks = [];
    }
    return this.buf;
  }

  /** Header of a command whose bytes have started arriving but is not complete yet. */
  pendingHeader(): string | null {
    const head = this.buf.length > 0 ? this.buf : this.chunks[0];
    if (!head || head.length === 0) return null;
    const end = head.indexOf(0x20);
    const nl = head.indexOf(0x0a);
    if (end < 0 || (nl >= 0 && nl < end)) return null;
    return head.toString("latin1", 0, end).trim();
  }

  /** Next complete command, or null if more bytes are needed. Throws ScpiParseError on a malformed command (and skips it). */
  next(): ScpiCommand | null {
    if (this.total < this.needed) return null;
    const cmd = this.parse();
    if (cmd === null) {
      this.needed = Math.max(this.needed, this.total + 1);
      if (!this.inBlock && this.buf.length > MAX_LINE_BYTES) {
        // no line end after 1 MiB of text (a block being received is exempt: its size is checked apart)
        this.buf = Buffer.alloc(0);
        this.total = 0;
        this.needed = 0;
        this.skipLine = true;
        throw new ScpiParseError(-363, `Input buffer overrun; a command line longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
    return cmd;
  }

  private parse(): ScpiCommand | null {
    const b = this.joined();
    this.inBlock = false;
    let i = 0;
    while (i < b.length && (b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x20)) i++;
    const start = i;
    while (i < b.length && b[i] !== 0x20 && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    if (i >= b.length) return null;
    const header = b.toString("latin1", start, i);
    let blockBytes = 0;
    const args: ScpiArg[] = [];
    while (i < b.length && b[i] === 0x20) i++; // tolerate 1+ spaces after the header
    for (;;) {
      if (i >= b.length) return null;
      const c = b[i]!;
      if (c === 0x0d || c === 0x0a) {
        if (c === 0x0d) {
          if (i + 1 >= b.length) return null;
          i++;
        }
        i++;
        break;
      }
      if (c === 0x23 /* # */) {
        if (i + 2 > b.length) return null;
        const n = b[i + 1]! - 0x30;
        if (n < 1 || n > 9) return this.fail(i, `bad block header after "${header}"`);
        if (i + 2 + n > b.length) return null;
        const len = Number(b.toString("latin1", i + 2, i + 2 + n));
        if (!Number.isInteger(len)) return this.fail(i, `bad block length after "${header}"`);
        const from = i + 2 + n;
        if (len > MAX_BLOCK_BYTES) {
          // drop the block as it arrives, then the rest of its line
          this.skipBytes = Math.max(0, from + len - b.length);
          this.skipLine = true;
          this.buf = Buffer.alloc(0);
          this.total = 0;
          this.needed = 0;
          if (this.skipBytes === 0) this.push(b.subarray(from + len));
          throw new ScpiParseError(
            -223,
            `Too much data; block of ${len} bytes after "${header}" (at most ${MAX_BLOCK_BYTES})`,
          );
        }
        if (from + len > b.length) {
          this.needed = from + len; // nothing to parse until the whole block is here
          this.inBlock = true;
          return null;
        }
        args.push(Buffer.from(b.subarray(from, from + len)));
        blockBytes += len;
        i = from + len;
      } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
        const close = b.indexOf(c, i + 1);
        if (close < 0) {
          if (b.indexOf(0x0a, i) >= 0) return this.fail(i, `unterminated string after "${header}"`);
          return null;
        }
        args.push(b.toString("utf8", i + 1, close));
        i = close + 1;
      } else {
        let j = i;
        while (j < b.length && b[j] !== 0x2c && b[j] !== 0x0a && b[j] !== 0x0d) j++;
        if (j >= b.length) return null;
        args.push(b.toString("latin1", i, j).trim());
        i = j;
      }
      while (i < b.length && b[i] === 0x20) i++;
      if (i < b.length && b[i] === 0x2c) {
        i++;
        while (i < b.length && b[i] === 0x20) i++;
      }
    }
    this.buf = b.subarray(i);
    this.total = this.buf.length;
    this.needed = 0;
    if (i - start - blockBytes > MAX_LINE_BYTES)
      throw new ScpiParseError(-363, `Input buffer overrun; a command line longer than ${MAX_LINE_BYTES} bytes`);
    return { header, args };
  }

  private fail(at: number, message: string): never {
    const nl = this.buf.indexOf(0x0a, at);
    this.buf = nl < 0 ? Buffer.alloc(0) : this.buf.subarray(nl + 1);
    this.total = this.buf.length;
    this.needed = 0;
    throw new ScpiParseError(-100, message);
  }
}

/** One parsed header node: mnemonic (upper case, suffix stripped) and its numeric suffix. */
export interface HeaderNode {
  name: string;
  num: number | null;
}

export function splitHeader(header: string): { nodes: HeaderNode[]; query: boolean } {
  const query = header.endsWith("?");
  const text = query ? header.slice(0, -1) : header;
  const nodes = text
    .split(":")
    .filter((n) => n !== "")
    .map((n) => {
      const m = n.match(/^(\*?[A-Za-z_]+?)(\d*)$/);
      if (!m) return { name: n.toUpperCase(), num: null };
      return { name: m[1]!.toUpperCase(), num: m[2] === "" ? null : Number(m[2]) };
    });
  return { nodes, query };
}

/** Pattern node such as "SEQuencer": matches "SEQUENCER" (long) or "SEQ" (short = its upper-case letters). */
export function nodeMatches(pattern: string, name: string): boolean {
  const long = pattern.toUpperCase();
  const short = pattern.replace(/[a-z]/g, "");
  return name === long || name === short;
}
