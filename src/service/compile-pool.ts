/**
 * Compilation off the event loop: a small pool of worker threads (compile-worker.ts) so status
 * queries and result streams are answered while a large schedule compiles. Requests go to the
 * least busy worker; a worker that dies is replaced and its requests fail with a typed error.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DeviceConfigError, HardwareConfigError, Q1ForgeError, ScheduleError, type ErrorJson } from "../core/errors.js";
import { MAX_INPUT_DEPTH } from "../core/input-guard.js";
import { ServiceError } from "./errors.js";
import { COMPILE_WORKER_DATA, type WorkerReply, type WorkerRequest } from "./compile-worker.js";

type Req = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

const DOCUMENTS = [
  ["schedule", "schedule", ScheduleError],
  ["hardware", "hardware config", HardwareConfigError],
  ["device", "device config", DeviceConfigError],
  ["compiled", "compiled schedule", ScheduleError],
] as const;

/**
 * Refuses a request document nested deeper than the library accepts (MAX_INPUT_DEPTH, the same
 * NESTING_TOO_DEEP error as src/core/input-guard.ts) before it is posted to a worker: structured
 * cloning is recursive and overflows the stack on a few thousand levels. Iterative (an explicit stack),
 * so no depth of input can overflow this check itself; the JSON pointer is rebuilt from parent links
 * only for the error.
 */
export function checkRequestDepth(req: Record<string, unknown>): void {
  for (const [field, what, Cls] of DOCUMENTS) {
    const root = req[field];
    if (root === null || typeof root !== "object") continue;
    type Node = { v: object; depth: number; key: string | null; parent: Node | null };
    const stack: Node[] = [{ v: root, depth: 0, key: null, parent: null }];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.depth > MAX_INPUT_DEPTH) {
        const keys: string[] = [];
        for (let p: Node | null = n; p !== null && p.key !== null; p = p.parent) keys.push(p.key);
        const path = keys
          .reverse()
          .map((k) => `/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)
          .join("");
        throw new Cls(
          "NESTING_TOO_DEEP",
          `the ${what} nests deeper than ${MAX_INPUT_DEPTH} levels (or refers to itself) at ${path}`,
          {
            path,
            hint: `flatten it: at most ${MAX_INPUT_DEPTH} levels of JSON objects and arrays (64 nested loops); use repetitions of a LoopOperation instead of nesting`,
          },
        );
      }
      if (Array.isArray(n.v)) {
        for (let i = n.v.length - 1; i >= 0; i--) {
          const c: unknown = n.v[i];
          if (c !== null && typeof c === "object") stack.push({ v: c, depth: n.depth + 1, key: String(i), parent: n });
        }
      } else {
        const ks = Object.keys(n.v);
        for (let i = ks.length - 1; i >= 0; i--) {
          const c: unknown = (n.v as Record<string, unknown>)[ks[i]!];
          if (c !== null && typeof c === "object") stack.push({ v: c, depth: n.depth + 1, key: ks[i]!, parent: n });
        }
      }
    }
  }
}

/** A library error re-thrown on the service side with its original class name, code, path and hint. */
export class RemoteError extends Q1ForgeError {
  constructor(j: ErrorJson) {
    super(j.code, j.message, { path: j.path, hint: j.hint, ...(j.details ? { details: j.details } : {}) });
    this.name = j.error;
  }
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "q1forge") return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: number;
  pending: Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>;
}

export class CompilePool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size = 1) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const self = fileURLToPath(import.meta.url);
    let worker: Worker;
    if (self.endsWith(".ts")) {
      // running from the TypeScript sources (tests, ts-node): load the worker through ts-node's ESM hooks
      const root = packageRoot();
      const target = new URL("./compile-worker.ts", import.meta.url).href;
      const code = `const { pathToFileURL } = require("node:url");
        import("node:module").then((m) => { m.register("ts-node/esm", pathToFileURL(${JSON.stringify(root + "/")})); return import(${JSON.stringify(target)}); });`;
      worker = new Worker(code, {
        eval: true,
        workerData: COMPILE_WORKER_DATA,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: join(root, "tsconfig.json") },
      });
    } else {
      worker = new Worker(new URL("./compile-worker.js", import.meta.url), { workerData: COMPILE_WORKER_DATA });
    }
    const slot: Slot = { worker, busy: 0, pending: new Map(), ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once("error", reject);
      const onReady = (m: unknown) => {
        if ((m as { ready?: boolean }).ready) {
          worker.off("message", onReady);
          worker.off("error", reject);
          resolve();
        }
      };
      worker.on("message", onReady);
    });
    slot.ready.catch(() => undefined);
    worker.on("message", (m: WorkerReply | { ready: true }) => {
      if ("ready" in m) return;
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      slot.busy--;
      p.resolve(m);
    });
    worker.on("exit", () => {
      for (const p of slot.pending.values())
        p.reject(
          new ServiceError(500, "COMPILE_WORKER_EXITED", "the compile worker stopped while compiling", {
            path: null,
            hint: "the worker died (out of memory or a q1forge bug) and a new one has been started; retry the request (path null: the worker, not an input item, failed)",
          }),
        );
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (!this.closed && i >= 0) this.slots[i] = this.spawn();
    });
    worker.unref();
    return slot;
  }

  /** Resolves when every worker has loaded the compiler. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Run one request; resolves with the JSON text of the result, throws the typed error. */
  async run(req: Req): Promise<{ text: string; hash: string; ms: number }> {
    if (this.closed)
      throw new ServiceError(503, "SHUTTING_DOWN", "the service is shutting down", {
        path: null,
        hint: "retry once the service has been restarted (path null: the whole service, not one item, is stopping)",
      });
    checkRequestDepth(req as Record<string, unknown>);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    try {
      await slot.ready;
    } catch (e) {
      slot.busy--;
      throw new ServiceError(
        503,
        "COMPILE_WORKER_UNAVAILABLE",
        `the compile worker did not start: ${(e as Error).message}`,
        {
          path: null,
          hint: "the service's installation is incomplete or broken; the server log has the details (path null: no request item is at fault)",
        },
      );
    }
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...req, id });
    });
    if (reply.ok) return { text: reply.text, hash: reply.hash, ms: reply.ms };
    if (reply.internal) throw new Error(String(reply.error.message));
    throw new RemoteError(reply.error as unknown as ErrorJson);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
