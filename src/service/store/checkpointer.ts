/**
 * WAL checkpoints of the SQLite store on a worker thread of their own. A checkpoint copies the
 * write-ahead log into the database file and fsyncs it (synchronous=NORMAL fsyncs only there);
 * done by SQLite's automatic checkpoint, that stalls whichever commit crosses the threshold — a job
 * submission or status change — for milliseconds to tens of ms on a busy disk. Here a second
 * connection runs PASSIVE checkpoints (they never block the writer) every `intervalMs`, and the
 * store's own connection has automatic checkpoints off. Durability is unchanged: every commit is
 * in the WAL file when it returns; a killed process's WAL is replayed when the store is opened.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 100");
const checkpoint = () => { try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {} };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  private closing = false;

  /** `onFailure` runs if the thread dies before close() (the store then checkpoints itself again). */
  constructor(path: string, onFailure: () => void, intervalMs = 200) {
    const module = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(CODE, { eval: true, workerData: { module, path, intervalMs } });
    this.worker.unref();
    this.worker.on("error", () => undefined);
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", () => {
        if (!this.closing) onFailure();
        resolve();
      }),
    );
  }

  /** Last checkpoint, then the worker's connection closes (before the store's own, which removes the WAL). */
  async close(): Promise<void> {
    this.closing = true;
    this.worker.postMessage("close");
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
