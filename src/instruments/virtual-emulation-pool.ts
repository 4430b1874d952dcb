/**
 * The virtual Cluster's emulation off the event loop: a process-wide pool of worker threads
 * (virtual-emulation-worker.ts) shared by every VirtualCluster of the process. A job runs on the
 * first idle worker (at most `MAX_EMULATION_WORKERS`, started on demand and kept while idle); its
 * wall-clock budget starts when a worker picks it up, and a job over budget — or cancelled because no
 * sequencer of its run is still running — terminates its worker (a new one starts for the next job).
 *
 * The worker is loaded like the service's compile pool (src/service/compile-pool.ts): from compiled
 * JS next to this file (dist/, the `q1forge` bin), or, when running from the TypeScript sources
 * (vitest, ts-node), through ESM loader hooks — TS_HOOKS, a cached transpile-only loader, because
 * ts-node's hooks take seconds to start a worker and a first run would wait for them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EmuClusterResult, EmuModuleInput, EmuRawScopePath, EmuRunOptions } from "../emulator/api.js";
import type { EmulationReply, EmulationRequest } from "./virtual-emulation-worker.js";

/** Worker threads the pool starts at most (runs beyond that wait in FIFO order). */
export const MAX_EMULATION_WORKERS = 2;

export type EmulationJobRequest =
  | { kind: "run"; inputs: EmuModuleInput[]; options: EmuRunOptions }
  | { kind: "scope"; inputs: EmuModuleInput[]; options: EmuRunOptions; slot: number; seq: number };

export type EmulationOutcome =
  | { kind: "run"; result: EmuClusterResult; ms: number }
  | { kind: "scope"; scope: EmuRawScopePath[] | null; ms: number }
  /** the emulator threw (its message) */
  | { kind: "failed"; message: string }
  /** the job used up its wall-clock budget: its worker was terminated */
  | { kind: "timeout"; budgetMs: number }
  | { kind: "cancelled" }
  /** no worker could be started (e.g. an installation without the worker file): run in process instead */
  | { kind: "unavailable"; message: string };

export interface EmulationJob {
  readonly promise: Promise<EmulationOutcome>;
  /** Stop the job (queued: dropped; running: its worker is terminated). No-op once settled. */
  cancel(): void;
}

interface Pending {
  id: number;
  req: EmulationJobRequest;
  budgetMs: number;
  resolve: (o: EmulationOutcome) => void;
  settled: boolean;
  slot: Slot | null;
  timer: NodeJS.Timeout | null;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job: Pending | null;
  dead: boolean;
  /** terminated by the pool (timeout, cancel) */
  killed: boolean;
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

/**
 * ESM loader hooks for a worker started from the TypeScript sources: `.js` specifiers resolve to the
 * `.ts` file beside them, and `.ts` files are transpiled with the project's TypeScript (types
 * stripped, like ts-node's transpile-only mode) into a content-addressed cache, so only the first
 * worker after a source change pays for the TypeScript compiler (ts-node takes seconds per worker).
 */
const TS_HOOKS = `
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
let root = "", ts = null;
const dir = join(tmpdir(), "q1forge-ts-cache-" + (process.getuid ? process.getuid() : 0));
export function initialize(data) { root = data.root; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (context.parentURL && context.parentURL.endsWith(".ts") && specifier.startsWith(".") && specifier.endsWith(".js"))
      return next(specifier.slice(0, -3) + ".ts", context);
    throw e;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const path = fileURLToPath(url);
  const text = readFileSync(path, "utf8");
  const file = join(dir, createHash("sha256").update("q1forge-ts-hooks-1\\0" + text).digest("hex") + ".js");
  if (existsSync(file)) return { format: "module", source: readFileSync(file, "utf8"), shortCircuit: true };
  ts ??= createRequire(join(root, "package.json"))("typescript");
  const source = ts.transpileModule(text, {
    fileName: path,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      isolatedModules: true,
      preserveConstEnums: true,
      sourceMap: false,
    },
  }).outputText;
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = file + "." + process.pid + "." + Math.random().toString(36).slice(2);
    writeFileSync(tmp, source);
    renameSync(tmp, file);
  } catch {}
  return { format: "module", source, shortCircuit: true };
}
`;

/** The parent's node options without `--loader X` / `--experimental-loader X` (TS_HOOKS replaces ts-node's, which is slow to start). */
function withoutLoaders(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^--(experimental-)?loader$/.test(a)) i++;
    else if (!/^--(experimental-)?loader=/.test(a)) out.push(a);
  }
  return out;
}

function startWorker(): Worker {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts")) {
    // running from the TypeScript sources (vitest, ts-node): load the worker through TS_HOOKS
    const root = packageRoot();
    const target = new URL("./virtual-emulation-worker.ts", import.meta.url).href;
    const hooks = "data:text/javascript," + encodeURIComponent(TS_HOOKS);
    const code = `import("node:module").then((m) => {
        m.register(${JSON.stringify(hooks)}, { data: { root: ${JSON.stringify(root)} } });
        return import(${JSON.stringify(target)});
      });`;
    return new Worker(code, { eval: true, execArgv: withoutLoaders(process.execArgv) });
  }
  return new Worker(new URL("./virtual-emulation-worker.js", import.meta.url));
}

export class EmulationPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  /** set when a worker failed to start: later jobs run in process at once instead of trying again */
  private broken: string | null = null;
  /** a worker has loaded the emulator */
  private wasReady = false;

  constructor(readonly maxWorkers = MAX_EMULATION_WORKERS) {}

  /** Workers alive now (for tests and diagnostics). */
  get workers(): number {
    return this.slots.length;
  }

  /** Start a worker now if none is alive, so the first run does not wait for it to load. */
  warm(): void {
    if (this.broken === null && this.slots.length === 0) this.spawn();
  }

  /** True once a worker of this pool has loaded the emulator (later ones start from warm caches). */
  get started(): boolean {
    return this.wasReady;
  }

  /** Resolves when a worker has loaded the emulator (starting one if needed); false if none can start. */
  async whenStarted(): Promise<boolean> {
    this.warm();
    for (;;) {
      if (this.wasReady) return true;
      const slot = this.slots[0];
      if (!slot || this.broken !== null) return false;
      await slot.ready.catch(() => undefined);
    }
  }

  submit(req: EmulationJobRequest, budgetMs: number): EmulationJob {
    let resolve!: (o: EmulationOutcome) => void;
    const promise = new Promise<EmulationOutcome>((r) => (resolve = r));
    const job: Pending = { id: this.nextId++, req, budgetMs, resolve, settled: false, slot: null, timer: null };
    if (this.broken !== null) {
      job.settled = true;
      resolve({ kind: "unavailable", message: this.broken });
    } else {
      this.queue.push(job);
      this.dispatch();
    }
    return { promise, cancel: () => this.finish(job, { kind: "cancelled" }, true) };
  }

  private dispatch(): void {
    if (this.broken !== null) {
      for (const j of this.queue.splice(0)) this.finish(j, { kind: "unavailable", message: this.broken }, false);
      return;
    }
    while (this.queue.length > 0) {
      let slot: Slot | null = this.slots.find((s) => s.job === null && !s.dead) ?? null;
      if (!slot) {
        if (this.slots.length >= this.maxWorkers) return;
        slot = this.spawn();
        if (!slot) {
          // no worker at all: every queued job runs in process
          for (const j of this.queue.splice(0)) this.finish(j, { kind: "unavailable", message: "no worker" }, false);
          return;
        }
      }
      const job = this.queue.shift()!;
      this.assign(slot, job);
    }
  }

  private assign(slot: Slot, job: Pending): void {
    slot.job = job;
    job.slot = slot;
    slot.ready.then(
      () => {
        if (job.settled || slot.dead) return;
        job.timer = setTimeout(() => this.finish(job, { kind: "timeout", budgetMs: job.budgetMs }, true), job.budgetMs);
        job.timer.unref();
        slot.worker.postMessage({ ...job.req, id: job.id } as EmulationRequest);
      },
      (e: unknown) =>
        this.finish(
          job,
          { kind: "unavailable", message: `the emulation worker did not start: ${(e as Error).message}` },
          true,
        ),
    );
  }

  private spawn(): Slot | null {
    let worker: Worker;
    try {
      worker = startWorker();
    } catch {
      return null;
    }
    const slot: Slot = { worker, ready: Promise.resolve(), job: null, dead: false, killed: false };
    slot.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: unknown) => {
        if ((m as { ready?: boolean }).ready) {
          worker.off("message", onReady);
          this.wasReady = true;
          resolve();
        }
      };
      worker.on("message", onReady);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the emulation worker exited with code ${code} while starting`)));
    });
    slot.ready.catch((e: unknown) => {
      // a worker that cannot load (not one we terminated while it loaded): run everything in process from now on
      if (!slot.killed) this.broken ??= `the emulation worker did not start: ${(e as Error).message}`;
    });
    worker.on("message", (m: EmulationReply | { ready: true }) => {
      if ("ready" in m) return;
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      this.finish(
        job,
        !m.ok
          ? { kind: "failed", message: m.message }
          : m.kind === "run"
            ? { kind: "run", result: m.result, ms: m.ms }
            : { kind: "scope", scope: m.scope, ms: m.ms },
        false,
      );
    });
    worker.on("error", () => undefined);
    worker.on("exit", () => {
      slot.dead = true;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const job = slot.job;
      slot.job = null;
      if (job && !job.settled) this.finish(job, { kind: "failed", message: "the emulation worker stopped" }, false);
      this.dispatch();
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /** Terminate every worker (queued and running jobs end as cancelled); the pool starts new ones on demand. */
  async close(): Promise<void> {
    for (const j of this.queue.splice(0)) this.finish(j, { kind: "cancelled" }, false);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      slot.killed = true;
      if (slot.job) this.finish(slot.job, { kind: "cancelled" }, false);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Settle a job once; `kill`: terminate its worker (timeout, cancel) so the next job gets a fresh one. */
  private finish(job: Pending, outcome: EmulationOutcome, kill: boolean): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    const slot = job.slot;
    if (slot === null) {
      const i = this.queue.indexOf(job);
      if (i >= 0) this.queue.splice(i, 1);
    } else if (slot.job === job) {
      slot.job = null;
      if (kill && !slot.dead) {
        slot.dead = true;
        slot.killed = true;
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        void slot.worker.terminate();
        this.warm(); // a replacement, loading while nothing waits for it
      }
    }
    job.resolve(outcome);
    if (slot !== null) this.dispatch();
  }
}

let shared: EmulationPool | null = null;
/** The process-wide pool every VirtualCluster uses. */
export function emulationPool(): EmulationPool {
  return (shared ??= new EmulationPool());
}
