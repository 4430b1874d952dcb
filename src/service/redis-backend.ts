/**
 * Scale-out on Redis: front-ends (`q1forge serve --store redis://…`) store jobs in Redis and add a
 * BullMQ job to the queue of the job's Cluster; one worker per Cluster (`q1forge worker`) consumes
 * that queue. Each BullMQ job is a token meaning "one job was queued": the worker then claims the
 * Cluster's first pending job in fair order (store/redis.ts), so priorities and the round-robin
 * between users hold across any number of front-ends. A Redis lock with a short lease makes sure
 * each Cluster is served by exactly one worker at a time; a worker that starts (or takes over)
 * marks the jobs its Cluster left executing as `error`, and BullMQ re-delivers the token of a job
 * whose worker died, so the next job runs.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { InstrumentError, UsageError } from "../core/errors.js";
import type { Backend, ClusterEntry } from "./backend.js";
import { ServiceError } from "./errors.js";
import type { ClusterExecutor } from "./executor.js";
import { runClaimedJob } from "./runner.js";
import { RedisStore } from "./store/redis.js";
import type { JobRecord } from "./store/types.js";

const P = "q1f:";
const EVENTS_CHANNEL = `${P}events`;
const CONTROL_CHANNEL = `${P}control`;
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

  private constructor(
    readonly store: RedisStore,
    private readonly sub: Redis,
    private readonly url: string,
  ) {
    this.storeLabel = url.replace(/\/\/[^@/]*@/, "//***@");
    this.bus.setMaxListeners(0);
    sub.on("message", (_ch: string, id: string) => this.bus.emit(id));
  }

  static async connect(url: string): Promise<RedisBackend> {
    const redis = await connect(url);
    const sub = await connect(url);
    await sub.subscribe(EVENTS_CHANNEL);
    return new RedisBackend(new RedisStore(redis), sub, url);
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
  async resume(job: JobRecord): Promise<void> {
    throw notRunningHere(job, "resume");
  }
  async pushToInputStream(job: JobRecord, name: string): Promise<void> {
    throw notRunningHere(job, `input stream "${name}"`);
  }
  async close(): Promise<void> {
    for (const q of this.queues.values()) await q.close();
    this.sub.disconnect();
    await this.store.close();
  }
}

function notRunningHere(job: JobRecord, what: string): ServiceError {
  return new ServiceError(
    409,
    job.status === "running" ? "JOB_NOT_PAUSED" : "JOB_NOT_RUNNING",
    `job ${job.id} (${job.status}) cannot take ${what}`,
    {
      path: `/v1/jobs/${job.id}`,
      hint: "only a running job of a schedule with a pause point or input stream accepts this",
    },
  );
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
  const sink = {
    emit: async (id: string, event: string, data: unknown) => {
      await store.appendEvent(id, event, data);
      await redis.publish(EVENTS_CHANNEL, id);
    },
  };
  await sub.subscribe(CONTROL_CHANNEL);
  sub.on("message", (_ch: string, text: string) => {
    const m = JSON.parse(text) as { op: string; cluster: string; id: string };
    if (m.op === "halt" && m.cluster === cluster && m.id === current) void executor.halt();
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
