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

export class ScpiCommandParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** Header of a command whose bytes have started arriving but is not complete yet. */
  pendingHeader(): string | null {
    if (this.buf.length === 0) return null;
    const end = this.buf.indexOf(0x20);
    const nl = this.buf.indexOf(0x0a);
    if (end < 0 || (nl >= 0 && nl < end)) return null;
    return this.buf.toString("latin1", 0, end).trim();
  }

  /** Next complete command, or null if more bytes are needed. Throws on a malformed command (and skips its line). */
  next(): ScpiCommand | null {
    const b = this.buf;
    let i = 0;
    while (i < b.length && (b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x20)) i++;
    const start = i;
    while (i < b.length && b[i] !== 0x20 && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    if (i >= b.length) return null;
    const header = b.toString("latin1", start, i);
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
        if (from + len > b.length) return null;
        args.push(Buffer.from(b.subarray(from, from + len)));
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
    return { header, args };
  }

  private fail(at: number, message: string): never {
    const nl = this.buf.indexOf(0x0a, at);
    this.buf = nl < 0 ? Buffer.alloc(0) : this.buf.subarray(nl + 1);
    throw new Error(message);
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
