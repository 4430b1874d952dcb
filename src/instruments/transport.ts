/**
 * SCPI over raw TCP (reference 10.1/10.2): "\n"-terminated commands, "\r\n"-terminated text replies,
 * IEEE 488.2 definite-length blocks in both directions, one command at a time, a per-command
 * timeout, a transparent reconnect on the next command after the connection broke, and (optionally)
 * an error-queue check after every command that turns instrument errors into exceptions.
 */
import net from "node:net";
import { blockHeader, ByteReader } from "./byte-reader.js";
import {
  InstrumentConnectionError,
  InstrumentReportedError,
  MALFORMED_REPLY_HINT,
  MalformedReplyError,
} from "./instrument-errors.js";

export interface TransportOptions {
  host: string;
  port: number;
  /** per-command timeout (write + reply + error check), ms; default 10 000 */
  timeoutMs?: number;
  /** connect timeout, ms; default = timeoutMs */
  connectTimeoutMs?: number;
  /** read SYSTem:ERRor:COUNt? / NEXT? after every command; default true */
  errorCheck?: boolean;
}

export interface CommandOptions {
  /** override TransportOptions.errorCheck for this command */
  check?: boolean;
  /** override the timeout for this command */
  timeoutMs?: number;
}

/** One command of a batch (ScpiTransport.batch): its reply is one text line, binary blocks, or nothing. */
export interface BatchCommand {
  cmd: string;
  reply: "text" | "blocks" | "none";
}
export type BatchReply = string | Buffer[] | null;

export interface TransportStats {
  commands: number;
  errorChecks: number;
  bytesSent: number;
  bytesReceived: number;
  connects: number;
}

const MAX_SHOWN_COMMAND = 80;
const NEWLINE = Buffer.from("\n");
const CHECK_AFTER_BLOCK = Buffer.from("\nSYSTem:ERRor:COUNt?\n");

/** A command as error messages show it (long ones cut). */
function shownCommand(cmd: string): string {
  return cmd.length > MAX_SHOWN_COMMAND ? cmd.slice(0, MAX_SHOWN_COMMAND) + "…" : cmd;
}

export class ScpiTransport {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  errorCheck: boolean;
  readonly stats: TransportStats = { commands: 0, errorChecks: 0, bytesSent: 0, bytesReceived: 0, connects: 0 };

  private socket: net.Socket | null = null;
  private readonly reader = new ByteReader();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly reconnectListeners: (() => void)[] = [];
  private closed = false;

  constructor(opts: TransportOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? this.timeoutMs;
    this.errorCheck = opts.errorCheck ?? true;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }
  get connected(): boolean {
    return this.socket !== null;
  }

  /** Called whenever a new connection replaces a broken one (instrument state may be unknown). */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  connect(): Promise<void> {
    return this.exclusive(() => this.ensureConnected());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.dropSocket();
  }

  /** Send a command that has no reply (and its error check, in the same send). */
  write(cmd: string, opts: CommandOptions = {}): Promise<void> {
    const check = opts.check ?? this.errorCheck;
    return this.transaction(cmd, { ...opts, check: false }, async () => {
      this.send(Buffer.from(check ? cmd + "\nSYSTem:ERRor:COUNt?\n" : cmd + "\n", "latin1"));
      if (check) await this.checkErrorQueue(shownCommand(cmd), true);
    });
  }

  /** Send `<prefix>#<n><len><bytes>\n`; prefix includes the separator, e.g. `SLOT2:SEQ0:PROG ` or `...:DATA "w",`. */
  writeBinary(prefix: string, payload: Uint8Array, opts: CommandOptions = {}): Promise<void> {
    const check = opts.check ?? this.errorCheck;
    const cmd = prefix + blockHeader(payload.byteLength);
    return this.transaction(cmd, { ...opts, check: false }, async () => {
      const head = Buffer.from(cmd, "latin1");
      this.send(
        Buffer.concat([
          head,
          Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
          check ? CHECK_AFTER_BLOCK : NEWLINE,
        ]),
      );
      if (check) await this.checkErrorQueue(shownCommand(cmd), true);
    });
  }

  /** Send a query and return its text reply (without the line terminator). */
  query(cmd: string, opts: CommandOptions = {}): Promise<string> {
    return this.transaction(cmd, opts, async () => {
      this.send(Buffer.from(cmd + "\n", "latin1"));
      return this.readText(cmd);
    });
  }

  /** Send a query whose reply is one or more binary blocks followed by a line end. */
  queryBinary(cmd: string, opts: CommandOptions = {}): Promise<Buffer[]> {
    return this.transaction(cmd, opts, async () => {
      this.send(Buffer.from(cmd + "\n", "latin1"));
      return this.readBlocks(cmd);
    });
  }

  /**
   * Several commands in one send, their replies read in order, then (unless `check: false`) one
   * error-queue check for all of them, sent in the same write: one round trip instead of one or two
   * per command. Every reply must arrive: one the instrument never sends times the whole batch out
   * (and the connection is replaced), so a reply is never taken for another command's. An error
   * reported by the check names the batch (its first command and size), not the command that caused it.
   */
  batch(cmds: readonly BatchCommand[], opts: CommandOptions = {}): Promise<BatchReply[]> {
    const label = cmds.length === 1 ? cmds[0]!.cmd : `${cmds[0]?.cmd ?? ""} … (${cmds.length} commands)`;
    const check = opts.check ?? this.errorCheck;
    return this.transaction(
      label,
      { ...opts, check: false },
      async () => {
        let text = "";
        for (const c of cmds) text += c.cmd + "\n";
        if (check) text += "SYSTem:ERRor:COUNt?\n";
        this.stats.commands += cmds.length - 1;
        this.send(Buffer.from(text, "latin1"));
        const out: BatchReply[] = [];
        for (const c of cmds)
          out.push(
            c.reply === "text"
              ? await this.readText(c.cmd)
              : c.reply === "blocks"
                ? await this.readBlocks(c.cmd)
                : null,
          );
        if (check) await this.checkErrorQueue(shownCommand(label), true);
        return out;
      },
      cmds[0]?.cmd ?? label,
    );
  }

  // ---------------------------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** `path`: what a timeout names (a batch: its first command; the message names the whole batch) */
  private transaction<T>(cmd: string, opts: CommandOptions, body: () => Promise<T>, path = cmd): Promise<T> {
    return this.exclusive(async () => {
      if (this.closed)
        throw new InstrumentConnectionError("CONNECTION_LOST", `transport to ${this.address} was closed`, {
          path: this.address,
          hint: "create a new driver",
        });
      await this.ensureConnected();
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      const shown = shownCommand(cmd);
      const timer = setTimeout(() => {
        // The reply may still arrive later and would be read as the answer to the next command:
        // the only safe recovery is a fresh connection.
        const err = new InstrumentConnectionError(
          "TIMEOUT",
          `instrument at ${this.address} did not answer "${shown}" within ${timeoutMs} ms`,
          {
            path: shownCommand(path),
            hint: "check that the instrument is powered and not busy; the transport reconnects on the next command",
          },
        );
        this.reader.fail(err);
        this.dropSocket();
      }, timeoutMs);
      try {
        this.stats.commands++;
        const result = await body();
        if (opts.check ?? this.errorCheck) await this.checkErrorQueue(shown);
        return result;
      } catch (e) {
        if (e instanceof MalformedReplyError) this.dropSocket(); // stream position unknown
        throw e;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  private async checkErrorQueue(shown: string, sent = false): Promise<void> {
    this.stats.errorChecks++;
    if (!sent) this.send(Buffer.from("SYSTem:ERRor:COUNt?\n"));
    const countText = await this.readText("SYSTem:ERRor:COUNt?");
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 0)
      throw new MalformedReplyError(`SYSTem:ERRor:COUNt? returned "${countText}", expected an integer`, {
        path: "SYSTem:ERRor:COUNt?",
        hint: MALFORMED_REPLY_HINT,
      });
    if (count === 0) return;
    const errors: { code: number; message: string }[] = [];
    for (let i = 0; i < count; i++) {
      this.send(Buffer.from("SYSTem:ERRor:NEXT?\n"));
      const e = parseErrorReply(await this.readText("SYSTem:ERRor:NEXT?"));
      if (e.code === 0 && /^no error$/i.test(e.message)) break;
      errors.push(e);
    }
    if (errors.length === 0) return;
    const text = errors.map((e) => `${e.code}, "${e.message}"`).join("; ");
    throw new InstrumentReportedError(
      `instrument at ${this.address} reported an error after "${shown}": ${text}`,
      errors,
      {
        path: shown,
        hint: errors.some((e) => e.code === -285)
          ? "the uploaded Q1ASM program does not assemble; read the assembler log (STATus:ASSEMbler:LOG?) and fix the program"
          : "fix the command or setting named in the instrument's message",
      },
    );
  }

  private async ensureConnected(): Promise<void> {
    if (this.socket) return;
    const hadConnection = this.stats.connects > 0;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection({ host: this.host, port: this.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(
          new InstrumentConnectionError(
            "TIMEOUT",
            `connecting to ${this.address} timed out after ${this.connectTimeoutMs} ms`,
            { path: this.address, hint: "check the address and the network route to the instrument" },
          ),
        );
      }, this.connectTimeoutMs);
      s.once("connect", () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === "ECONNREFUSED") {
          reject(
            new InstrumentConnectionError("CONNECTION_REFUSED", `connection to ${this.address} was refused`, {
              path: this.address,
              hint: "check the host and port (SCPI default 5025) and that the instrument or `q1forge virtual-cluster` is running",
              cause: err,
            }),
          );
        } else {
          reject(
            new InstrumentConnectionError("CONNECTION_LOST", `cannot connect to ${this.address}: ${err.message}`, {
              path: this.address,
              hint: "check the address and the network route to the instrument",
              cause: err,
            }),
          );
        }
      });
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    this.reader.reset();
    socket.on("data", (chunk: Buffer) => {
      this.stats.bytesReceived += chunk.length;
      this.reader.push(chunk);
    });
    const lost = (why: string) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.reader.fail(
        new InstrumentConnectionError("CONNECTION_LOST", `connection to ${this.address} was lost (${why})`, {
          path: this.address,
          hint: "the transport reconnects on the next command; repeat the operation",
        }),
      );
    };
    socket.on("error", (err) => lost(err.message));
    socket.on("close", () => lost("closed by the instrument"));
    this.socket = socket;
    this.stats.connects++;
    if (hadConnection) for (const l of this.reconnectListeners) l();
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }

  private send(buf: Buffer): void {
    const s = this.socket;
    if (!s)
      throw new InstrumentConnectionError("CONNECTION_LOST", `connection to ${this.address} was lost`, {
        path: this.address,
        hint: "repeat the operation; the transport reconnects",
      });
    this.stats.bytesSent += buf.length;
    s.write(buf);
  }

  private async readText(cmd: string): Promise<string> {
    const line = await this.reader.readLine();
    // A text reply holds printable ASCII only; anything else means the stream is garbled.
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(line)) {
      throw new MalformedReplyError(`reply to "${cmd}" contains control bytes: ${JSON.stringify(line.slice(0, 40))}`, {
        path: cmd,
        hint: "the connection is reset; repeat the operation",
      });
    }
    return line;
  }

  private async readBlocks(cmd: string): Promise<Buffer[]> {
    const blocks: Buffer[] = [];
    for (;;) {
      let b = await this.reader.peekByte();
      if (b === 0x2c /* , */ && blocks.length > 0) {
        await this.reader.readBytes(1);
        b = await this.reader.peekByte();
      }
      if (b === 0x0d || b === 0x0a) {
        // An empty reply means the instrument rejected the query; the error check that follows reports why.
        await this.reader.readLine();
        return blocks;
      }
      if (b !== 0x23 /* # */)
        throw new MalformedReplyError(`reply to "${cmd}" is not an IEEE 488.2 block (starts with byte ${b})`, {
          path: cmd,
          hint: "the connection is reset; repeat the operation",
        });
      const head = await this.reader.readBytes(2);
      const n = head[1]! - 0x30;
      if (n < 1 || n > 9)
        throw new MalformedReplyError(`reply to "${cmd}" has a bad block header "${head.toString("latin1")}"`, {
          path: cmd,
          hint: MALFORMED_REPLY_HINT,
        });
      const lenText = (await this.reader.readBytes(n)).toString("latin1");
      if (!/^\d+$/.test(lenText))
        throw new MalformedReplyError(`reply to "${cmd}" has a bad block length "${lenText}"`, {
          path: cmd,
          hint: MALFORMED_REPLY_HINT,
        });
      blocks.push(await this.reader.readBytes(Number(lenText)));
    }
  }
}

/** Parse `<code>,"<message>"` (also tolerates an unquoted message). */
export function parseErrorReply(text: string): { code: number; message: string } {
  const comma = text.indexOf(",");
  const code = Number(comma < 0 ? text : text.slice(0, comma));
  let message = comma < 0 ? "" : text.slice(comma + 1).trim();
  if (message.startsWith('"') && message.endsWith('"') && message.length >= 2) message = message.slice(1, -1);
  if (!Number.isInteger(code))
    throw new MalformedReplyError(`SYSTem:ERRor:NEXT? returned "${text}", expected <code>,"<message>"`, {
      path: "SYSTem:ERRor:NEXT?",
      hint: MALFORMED_REPLY_HINT,
    });
  return { code, message };
}
