/**
 * VirtualCluster: a SCPI server on 127.0.0.1 that speaks the Cluster subset the driver uses
 * (reference 10, 13), assembles uploaded programs with the q1 assembler and runs them with the
 * emulator on START — in a worker thread (virtual-emulation-pool.ts), so every client is answered
 * while a program runs. Fault hooks let tests provoke every failure the coordinator must survive.
 */
import net from "node:net";
import { ScpiCommandParser, ScpiParseError } from "./scpi-command-parser.js";
import { blockHeader } from "./byte-reader.js";
import { MAX_UNREAD_REPLY_BYTES, type VirtualFault } from "./virtual-options.js";
import type { DummyBin } from "./virtual-run.js";
import { VirtualClusterScpiDispatch } from "./virtual-scpi-dispatch.js";
import type { Reply } from "./virtual-commands.js";

export {
  MAX_ERROR_QUEUE,
  MAX_UNREAD_REPLY_BYTES,
  parseModuleList,
  VIRTUAL_RUN_INSTRUCTION_BUDGET,
  VIRTUAL_RUN_WALL_CLOCK_BUDGET_MS,
  type VirtualClusterOptions,
  type VirtualFault,
} from "./virtual-options.js";

/**
 * The virtual Cluster's SCPI server: sockets, fault hooks and the command log. Its layers:
 * virtual-run-control.ts (instrument state, run control, START's emulation), virtual-scpi-dispatch.ts
 * (command execution), virtual-param-ranges.ts (parameter range checks); options and limits in
 * virtual-options.ts. A connection's commands run in order: one that completes later (a scope store
 * waiting for the emulation worker) holds back that connection's next commands, not other clients'.
 */
export class VirtualCluster extends VirtualClusterScpiDispatch {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private faults: VirtualFault[] = [];
  private port = 0;
  private host = "127.0.0.1";
  /** connections accepted so far (each gets the next number as its id) */
  private connections = 0;

  get address(): { host: string; port: number } {
    return { host: this.host, port: this.port };
  }

  async start(opts: { port?: number; host?: string } = {}): Promise<{ host: string; port: number }> {
    this.host = opts.host ?? "127.0.0.1";
    await this.listen(opts.port ?? 0);
    this.warmEmulation();
    return this.address;
  }

  async stop(): Promise<void> {
    this.cancelRuns(); // runs still in the emulation worker end with the server
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  injectFault(f: VirtualFault): void {
    if (f.kind === "refuse") void this.stop();
    this.faults.push(f);
  }

  async clearFaults(): Promise<void> {
    const refused = this.faults.some((f) => f.kind === "refuse");
    this.faults = [];
    if (refused) await this.listen(this.port);
  }

  /** Like qblox-instruments' set_dummy_binned_acquisition_data: overrides emulated bins of `acq` on the next runs. */
  setDummyBinnedAcquisitionData(slot: number, seq: number, acq: string, bins: (DummyBin | null)[]): void {
    this.dummyData.set(`${slot}/${seq}/${acq}`, bins);
  }

  countCommands(re: RegExp): number {
    return this.commandLog.filter((c) => re.test(c)).length;
  }

  // ---------------------------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    const srv = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(port, this.host, () => resolve());
    });
    this.server = srv;
    this.port = (srv.address() as net.AddressInfo).port;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const parser = new ScpiCommandParser();
    const conn = ++this.connections;
    /** a command of this connection is waiting (a scope store on the emulation worker): later ones wait for it */
    let waiting = false;
    socket.on("close", () => {
      this.sockets.delete(socket);
      for (const m of this.modules.values()) for (const s of m.sequencers) s.forgetConnection(conn);
    });
    socket.on("error", () => socket.destroy());
    const send = (reply: Reply) => {
      if (reply === null || socket.destroyed) return;
      if (socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
        // the client does not read its replies: drop this one instead of buffering without end
        this.queueError(-410, `Query INTERRUPTED; more than ${MAX_UNREAD_REPLY_BYTES} bytes of replies unread`);
        return;
      }
      if (typeof reply === "string") socket.write(reply + "\r\n");
      else
        socket.write(
          Buffer.concat([
            ...reply.flatMap((b) => [Buffer.from(blockHeader(b.length), "latin1"), b]),
            Buffer.from("\r\n"),
          ]),
        );
    };
    /** Execute the commands received so far, in order; stops at one that completes later and resumes after it. */
    const pump = () => {
      while (!waiting && !socket.destroyed) {
        let cmd;
        try {
          cmd = parser.next();
        } catch (e) {
          if (e instanceof ScpiParseError) this.queueError(e.code, e.message);
          else this.queueError(-100, `Command error; ${(e as Error).message}`);
          continue;
        }
        if (!cmd) break;
        if (this.takeFault("drop", cmd.header)) {
          socket.destroy();
          return;
        }
        this.log(cmd.header);
        if (this.takeFault("silent", cmd.header)) continue;
        const reply = this.execute(cmd.header, cmd.args, conn);
        const malformed = reply !== null && this.takeFault("malformed", cmd.header);
        if (malformed) {
          socket.write(Buffer.from("\x15\x00garbage\x7f\r\n", "latin1"));
          continue;
        }
        if (reply instanceof Promise) {
          waiting = true;
          void reply.then((r) => {
            waiting = false;
            send(r);
            pump();
          });
          return;
        }
        send(reply);
      }
    };
    socket.on("data", (chunk: Buffer) => {
      parser.push(chunk);
      const pending = parser.pendingHeader();
      if (pending && this.takeFault("drop", pending)) {
        socket.destroy();
        return;
      }
      pump();
    });
  }

  private takeFault(kind: VirtualFault["kind"], header: string): boolean {
    const i = this.faults.findIndex((f) => f.kind === kind && (!("match" in f) || !f.match || f.match.test(header)));
    if (i < 0) return false;
    const f = this.faults[i]!;
    if (f.kind !== "refuse") {
      const left = (f.times ?? 1) - 1;
      if (left <= 0) this.faults.splice(i, 1);
      else f.times = left;
    }
    return true;
  }

  private log(header: string): void {
    if (this.commandLog.length >= 20_000) this.commandLog.splice(0, 10_000);
    this.commandLog.push(header);
  }
}
