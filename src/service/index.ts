/**
 * `startService(options)`: the orchestration service in one call — the job store (SQLite file or
 * Redis), the Clusters (a real one at host:port, or an in-process virtual Cluster), the compile
 * worker pool and the HTTP server. `q1forge serve` is a thin wrapper around it.
 */
import type { FastifyInstance } from "fastify";
import { UsageError } from "../core/errors.js";
import { parseHostPort } from "../coordinator/run-experiment.js";
import { VirtualCluster, parseModuleList } from "../instruments/virtual-cluster.js";
import { buildApp } from "./app.js";
import { TokenTable, parseTokensEnv, randomToken, loadTokensFile, type TokenEntry } from "./auth.js";
import { LocalBackend, type Backend, type LocalCluster } from "./backend.js";
import { CompilePool } from "./compile-pool.js";
import { ClusterExecutor } from "./executor.js";
import { SqliteStore } from "./store/sqlite.js";
import { lockStore, type StoreLock } from "./store/lock.js";

export interface ServiceOptions {
  host?: string;
  port?: number;
  /** "host:port" of a Cluster */
  cluster?: string;
  /** modules of an in-process virtual Cluster, e.g. "2:QCM,4:QRM" (default when no cluster is given) */
  virtual?: string;
  /** hardware config: names the Cluster in compiled schedules, and compiles requests that send no hardware */
  hardware?: unknown;
  /** session config with the output idle values held between jobs (docs/jobs.md) */
  sessionConfig?: unknown;
  /** "sqlite:PATH" (default sqlite:./q1forge-jobs.db) or "redis://host:port" */
  store?: string;
  /** bearer tokens; default: --tokens file, else Q1FORGE_TOKENS, else one random token for user "local" */
  tokens?: TokenEntry[];
  tokensFile?: string;
  bodyLimit?: number;
  rateLimit?: { perSecond: number; burst: number };
  compileWorkers?: number;
  /** a compile pool to share (not closed with the service); default: one of its own */
  compilePool?: CompilePool;
  log?: (line: string) => void;
}

export interface RunningService {
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  backend: Backend;
  tokens: TokenEntry[];
  /** the token printed when none was configured */
  generatedToken: string | null;
  virtualClusters: VirtualCluster[];
  close(): Promise<void>;
}

export function resolveTokens(opts: Pick<ServiceOptions, "tokens" | "tokensFile">): {
  tokens: TokenEntry[];
  generated: string | null;
} {
  if (opts.tokens) return { tokens: opts.tokens, generated: null };
  if (opts.tokensFile) return { tokens: loadTokensFile(opts.tokensFile), generated: null };
  const env = process.env.Q1FORGE_TOKENS;
  if (env) return { tokens: parseTokensEnv(env), generated: null };
  const token = randomToken();
  return { tokens: [{ user: "local", token, admin: true }], generated: token };
}

export function parseStoreSpec(
  spec: string | undefined,
): { kind: "sqlite"; path: string } | { kind: "redis"; url: string } {
  const s = spec ?? "sqlite:./q1forge-jobs.db";
  if (s.startsWith("sqlite:") && s.length > 7) return { kind: "sqlite", path: s.slice(7) };
  if (/^rediss?:\/\/./.test(s)) return { kind: "redis", url: s };
  throw new UsageError(`--store "${s}" is neither sqlite:PATH nor redis://…`, {
    path: "--store",
    hint: "e.g. --store sqlite:./jobs.db (embedded, the default) or --store redis://127.0.0.1:6379",
  });
}

/** Open the local executors: a real Cluster at `cluster`, or a virtual one with `virtual`'s modules. */
export async function openClusters(
  opts: Pick<ServiceOptions, "cluster" | "virtual" | "hardware" | "sessionConfig">,
): Promise<{ clusters: Map<string, LocalCluster>; virtuals: VirtualCluster[] }> {
  if (opts.cluster !== undefined && opts.virtual !== undefined)
    throw new UsageError("give --cluster or --virtual, not both", {
      path: "--cluster",
      hint: "pass --cluster host:port for a real Cluster or --virtual for a virtual one, not both",
    });
  const clusters = new Map<string, LocalCluster>();
  const eo = {
    ...(opts.hardware !== undefined ? { hardware: opts.hardware } : {}),
    ...(opts.sessionConfig !== undefined ? { sessionConfig: opts.sessionConfig } : {}),
  };
  const virtuals: VirtualCluster[] = [];
  if (opts.cluster !== undefined) {
    const a = parseHostPort(opts.cluster);
    clusters.set(opts.cluster, {
      executor: await ClusterExecutor.open(opts.cluster, a.host, a.port, eo),
      virtual: false,
    });
  } else {
    const modules = parseModuleList(opts.virtual ?? "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF");
    const vc = new VirtualCluster({ modules, name: "virtual" });
    const a = await vc.start();
    virtuals.push(vc);
    clusters.set("virtual", { executor: await ClusterExecutor.open("virtual", a.host, a.port, eo), virtual: true });
  }
  return { clusters, virtuals };
}

export async function startService(opts: ServiceOptions = {}): Promise<RunningService> {
  const store = parseStoreSpec(opts.store);
  const { tokens, generated } = resolveTokens(opts);
  const ownPool = opts.compilePool === undefined;
  const pool = opts.compilePool ?? new CompilePool(opts.compileWorkers ?? 1);
  const closePool = async () => {
    if (ownPool) await pool.close();
  };
  let backend: Backend;
  let virtuals: VirtualCluster[] = [];
  let lock: StoreLock | null = null;
  try {
    if (store.kind === "sqlite") {
      lock = lockStore(store.path); // STORE_IN_USE while another live service holds the store
      const sqlite = new SqliteStore(store.path);
      const failed = await sqlite.failInterrupted("the service stopped while this job was executing");
      if (failed.length) opts.log?.(`marked ${failed.length} interrupted job(s) as error`);
      const opened = await openClusters(opts).catch(async (e: unknown) => {
        await sqlite.close();
        throw e;
      });
      virtuals = opened.virtuals;
      const local = new LocalBackend(sqlite, opened.clusters, `sqlite:${store.path}`);
      local.start();
      backend = local;
    } else {
      const { RedisBackend } = await import("./redis-backend.js");
      backend = await RedisBackend.connect(store.url);
    }
  } catch (e) {
    lock?.release();
    await closePool();
    throw e;
  }
  const app = await buildApp({
    backend,
    pool,
    tokens: new TokenTable(tokens),
    ...(opts.hardware !== undefined ? { defaultHardware: opts.hardware } : {}),
    ...(opts.bodyLimit !== undefined ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const host = opts.host ?? "127.0.0.1";
  try {
    await app.listen({ host, port: opts.port ?? 8420 });
  } catch (e) {
    await backend.close();
    lock?.release();
    await closePool();
    for (const v of virtuals) await v.stop();
    throw new UsageError(`cannot listen on ${host}:${opts.port ?? 8420}: ${(e as Error).message}`, {
      path: "--port",
      hint: "choose a free port (0 = any)",
    });
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : (opts.port ?? 8420);
  let closed = false;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    app,
    backend,
    tokens,
    generatedToken: generated,
    virtualClusters: virtuals,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await backend.close();
      lock?.release();
      await closePool();
      for (const v of virtuals) await v.stop();
    },
  };
}

export { buildApp, openApiDocument } from "./app.js";
export { ClusterExecutor } from "./executor.js";
export { CompilePool } from "./compile-pool.js";
export { SqliteStore } from "./store/sqlite.js";
export { LocalBackend } from "./backend.js";
