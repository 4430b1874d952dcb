/**
 * Scale-out on Redis: front-ends (`q1forge serve --store redis://…`) store jobs in Redis and add a
 * BullMQ job to the queue of the job's Cluster; one worker per Cluster (`q1forge worker`) consumes
 * that queue. Each BullMQ job is a token meaning "one job was queued": the worker then claims the
 * Cluster's first pending job in fair order (store/redis.ts), so priorities and the round-robin
 * between users hold across any number of front-ends. A Redis lock with a short lease makes sure
 * each Cluster is served by exactly one worker at a time; a worker that starts (or takes over)
 * marks the jobs its Cluster left executing as `error`, and BullMQ re-delivers the token of a job
 * whose worker died, so the next job runs. Cancel, resume and input-stream values reach the worker
 * serving the job's Cluster on the control channel; resume and input streams are answered on the
 * asking front-end's reply channel (typed errors included).
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { InstrumentError, UsageError } from "../core/errors.js";
import type { Backend, ClusterEntry } from "./backend.js";
import { applyControl, controlErrorFrom, controlErrorJson, notRunning, type ControlOp } from "./control.js";
import type { ErrorJson } from "../core/errors.js";
import { ServiceError } from "./errors.js";
import type { ClusterExecutor } from "./executor.js";
import { runClaimedJob } from "./runner.js";
import { RedisStore } from "./store/redis.js";
import type { JobRecord } from "./store/types.js";

const P = "q1f:";
const EVENTS_CHANNEL = `${P}events`;
const CONTROL_CHANNEL = `${P}control`;
/** how long a front-end waits for the worker's answer to a resume / input-stream request */
const CONTROL_TIMEOUT_MS = 5000;

/** A control message: halt (no answer), or resume / input values (answered on `reply` with `req`). */
type ControlMessage =
  | { op: "halt"; cluster: string; id: string }
  | ({ cluster: string; id: string; reply: string; req: string } & ControlOp);

interface ControlReply {
  req: string;
  ok: boolean;
  status?: number;
  error?: ErrorJson;
}
export const queueName = (cluster: string): string => `q1f-${cluster.replace(/[^A-Za-z0-9_.-]/g, "_")}`;

async function connect(url: string): Promise<Redis> {
  const r = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, enableOfflineQueue: true });
  r.on("error", () => undefined);
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw new UsageError(`cannot connect to Redis at ${url}: ${(e as Error).message}`, {
      path: "--store",
      hint: "start redis-server, or check the URL (redis://host:port)",
    });
  }
  return r;
}

interface ClusterAnnouncement extends ClusterEntry {
  worker: string;
}

/** A front-end: stores jobs, hands them to the Cluster's BullMQ queue, relays cancels to workers. */
export class RedisBackend implements Backend {
  readonly storeLabel: string;
  private readonly bus = new EventEmitter();
  private readonly queues = new Map<string, Queue>();

  private readonly replyChannel = `${P}reply:${randomUUID()}`;
  private readonly waiting = new Map<string, (r: ControlReply) => void>();

  private constructor(
    readonly store: RedisStore,
    private readonly sub: Redis,
    private readonly url: string,
  ) {
    this.storeLabel = url.replace(/\/\/[^@/]*@/, "//***@");
    this.bus.setMaxListeners(0);
    sub.on("message", (ch: string, text: string) => {
      if (ch === EVENTS_CHANNEL) this.bus.emit(text);
      else if (ch === this.replyChannel) {
        const r = JSON.parse(text) as ControlReply;
        this.waiting.get(r.req)?.(r);
      }
    });
  }

  static async connect(url: string): Promise<RedisBackend> {
    const redis = await connect(url);
    const sub = await connect(url);
    const b = new RedisBackend(new RedisStore(redis), sub, url);
    await sub.subscribe(EVENTS_CHANNEL, b.replyChannel);
    return b;
  }

  private queue(cluster: string): Queue {
    let q = this.queues.get(cluster);
    if (!q) {
      q = new Queue(queueName(cluster), { connection: this.store.redis.duplicate({ maxRetriesPerRequest: null }) });
      this.queues.set(cluster, q);
    }
    return q;
  }

  async emit(id: string, event: string, data: unknown): Promise<void> {
    await this.store.appendEvent(id, event, data);
    await this.store.redis.publish(EVENTS_CHANNEL, id);
  }
  wake(id: string): void {
    void this.store.redis.publish(EVENTS_CHANNEL, id).catch(() => undefined);
  }
  subscribe(id: string, wake: () => void): () => void {
    this.bus.on(id, wake);
    return () => this.bus.off(id, wake);
  }
  async clusterNames(): Promise<string[]> {
    return (await this.store.redis.smembers(`${P}clusters`)).sort();
  }
  async clusters(): Promise<ClusterEntry[]> {
    const out: ClusterEntry[] = [];
    for (const name of await this.clusterNames()) {
      const text = await this.store.redis.get(`${P}cluster:${name}`);
      if (text) {
        const a = JSON.parse(text) as ClusterAnnouncement;
        out.push({ ...a, worker: undefined } as unknown as ClusterEntry);
      } else
        out.push({
          name,
          address: name,
          virtual: false,
          identity: {},
          system_state: { status: "NO_WORKER", flags: ["no worker has served this Cluster in the last 10 s"] },
          modules: [],
          idle_values: {},
        });
    }
    return out.map(({ name, address, virtual, identity, system_state, modules, idle_values }) => ({
      name,
      address,
      virtual,
      identity,
      system_state,
      modules,
      idle_values,
    }));
  }
  async enqueue(job: JobRecord): Promise<void> {
    await this.queue(job.cluster).add("job", { cluster: job.cluster }, { removeOnComplete: true, removeOnFail: 1000 });
  }
  async halt(job: JobRecord): Promise<void> {
    await this.store.redis.publish(CONTROL_CHANNEL, JSON.stringify({ op: "halt", cluster: job.cluster, id: job.id }));
  }
  /** Forward to the worker serving the job's Cluster and wait for its answer. */
  async control(job: JobRecord, op: ControlOp): Promise<void> {
    if (job.status !== "running" && job.status !== "loading") throw notRunning(job.id, job.status, op);
    const req = randomUUID();
    const answer = new Promise<ControlReply | null>((resolve) => {
      const t = setTimeout(() => resolve(null), CONTROL_TIMEOUT_MS);
      this.waiting.set(req, (r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
    try {
      const m: ControlMessage = { ...op, cluster: job.cluster, id: job.id, reply: this.replyChannel, req };
      await this.store.redis.publish(CONTROL_CHANNEL, JSON.stringify(m));
      const r = await answer;
      if (!r)
        throw new ServiceError(
          504,
          "WORKER_UNAVAILABLE",
          `no worker serving cluster "${job.cluster}" answered within ${CONTROL_TIMEOUT_MS / 1000} s`,
          {
            path: `/v1/jobs/${job.id}`,
            hint: `check that a q1forge worker serves cluster ${job.cluster} (GET /v1/clusters), then send it again`,
          },
        );
      if (!r.ok) throw controlErrorFrom({ status: r.status ?? 500, error: r.error! });
    } finally {
      this.waiting.delete(req);
    }
  }
  async close(): Promise<void> {
    for (const q of this.queues.values()) await q.close();
    this.sub.disconnect();
    await this.store.close();
  }
}

export interface WorkerHandle {
  cluster: string;
  /** resolves once this worker holds the Cluster's lock and consumes its queue */
  serving: Promise<void>;
  close(): Promise<void>;
}

const LEASE_MS = 3000;

/**
 * `q1forge worker`: serve one Cluster from the Redis queue. Waits for the Cluster's lock (another
 * live worker keeps it), then marks the Cluster's interrupted jobs `error` and runs jobs one at a time.
 */
export async function startWorker(opts: {
  url: string;
  executor: ClusterExecutor;
  virtual: boolean;
  log?: (s: string) => void;
}): Promise<WorkerHandle> {
  const { executor } = opts;
  const cluster = executor.name;
  const log = opts.log ?? (() => undefined);
  const redis = await connect(opts.url);
  const sub = await connect(opts.url);
  const store = new RedisStore(redis);
  const me = randomUUID();
  const lockKey = `${P}lock:${cluster}`;
  let stopped = false;
  let current: string | null = null;
  let bull: Worker | null = null;
  let renew: NodeJS.Timeout | null = null;
  // true while this worker holds the Cluster's lock (a standby neither halts nor answers)
  let holding = false;
  const sink = {
    emit: async (id: string, event: string, data: unknown) => {
      await store.appendEvent(id, event, data);
      await redis.publish(EVENTS_CHANNEL, id);
    },
    wake: (id: string) => {
      void redis.publish(EVENTS_CHANNEL, id).catch(() => undefined);
    },
  };
  await sub.subscribe(CONTROL_CHANNEL);
  sub.on("message", (_ch: string, text: string) => {
    const m = JSON.parse(text) as ControlMessage;
    if (m.cluster !== cluster || !holding) return;
    if (m.op === "halt") {
      if (m.id === current) void executor.halt();
      return;
    }
    const answer = async (): Promise<ControlReply> => {
      try {
        if (m.id !== current) throw notRunning(m.id, (await store.status(m.id)) ?? "unknown", m);
        applyControl(executor, m.id, m);
        return { req: m.req, ok: true };
      } catch (e) {
        return { req: m.req, ok: false, ...controlErrorJson(e) };
      }
    };
    void answer()
      .then((r) => redis.publish(m.reply, JSON.stringify(r)))
      .catch(() => undefined);
  });
  const description = await executor.describe();
  const announce = async () => {
    const a: ClusterAnnouncement = {
      name: cluster,
      address: executor.address,
      virtual: opts.virtual,
      ...description,
      worker: me,
    };
    await redis
      .multi()
      .sadd(`${P}clusters`, cluster)
      .set(`${P}cluster:${cluster}`, JSON.stringify(a), "PX", 10_000)
      .exec();
  };
  await announce();
  const serving = (async () => {
    // exactly one worker per Cluster: a lease renewed while this process lives
    for (;;) {
      if (stopped) return;
      if ((await redis.set(lockKey, me, "PX", LEASE_MS, "NX")) === "OK") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    holding = true;
    renew = setInterval(() => {
      void redis
        .eval(
          `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
          1,
          lockKey,
          me,
          LEASE_MS,
        )
        .then((ok) => {
          if (ok !== 1 && !stopped) {
            log(`lost the lock of cluster ${cluster}; stopping`);
            void handle.close();
          }
        })
        .catch(() => undefined);
      void announce().catch(() => undefined);
    }, LEASE_MS / 3);
    const failed = await store.failInterrupted(
      `the worker serving ${cluster} stopped while this job was executing`,
      cluster,
    );
    if (failed.length) log(`marked ${failed.length} interrupted job(s) on ${cluster} as error`);
    for (const id of failed) await redis.publish(EVENTS_CHANNEL, id);
    bull = new Worker(
      queueName(cluster),
      async () => {
        const job = await store.claimNext(cluster);
        if (!job) return;
        current = job.id;
        try {
          await runClaimedJob(store, executor, job, sink);
        } finally {
          current = null;
        }
      },
      {
        connection: redis.duplicate({ maxRetriesPerRequest: null }),
        concurrency: 1,
        lockDuration: 5000,
        stalledInterval: 2000,
        maxStalledCount: 1000,
      },
    );
    bull.on("error", (e) => log(`bullmq: ${e.message}`));
    log(`serving cluster ${cluster} (${executor.address})`);
  })();
  const handle: WorkerHandle = {
    cluster,
    serving,
    async close() {
      if (stopped) return;
      stopped = true;
      holding = false;
      if (renew) clearInterval(renew);
      await serving.catch(() => undefined);
      if (bull) await (bull as Worker).close();
      await redis
        .eval(
          `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
          1,
          lockKey,
          me,
        )
        .catch(() => undefined);
      sub.disconnect();
      redis.disconnect();
      await executor.close();
    },
  };
  return handle;
}

export const redisUnavailable = (url: string) =>
  new InstrumentError("REDIS_UNAVAILABLE", `Redis at ${url} does not answer`, {
    path: "--store",
    hint: "start redis-server",
  });
