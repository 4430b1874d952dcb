/**
 * The scale-out store: job records, status history, results and result events in Redis, shared by
 * every `q1forge serve` front-end and `q1forge worker`. Keys (prefix `q1f:`):
 *   job:<id>          hash: record fields, compiled, results, report
 *   hist:<id>         list of status changes;   ev:<id>  list of stream events (event id = index + 1)
 *   pending:<cluster> sorted set of pending job ids in execution order (priority, fairness round, seq)
 *   jobs              sorted set of all job ids by seq;  idem:<user>:<key> → job id
 *   round:<cluster>:<user>, serving:<cluster>  fairness rounds (see store/sqlite.ts)
 * Status changes are compare-and-set Lua scripts, so a front-end's cancel and a worker's
 * completion never both win.
 */
import { Redis } from "ioredis";
import type { ErrorJson } from "../../core/errors.js";
import type { JobStatus } from "../schemas.js";
import { idempotencyConflict } from "./sqlite.js";
import {
  nowIso,
  type JobEvent,
  type JobFilter,
  type JobRecord,
  type JobStore,
  type NewJob,
  type Provenance,
  type StatusChange,
  type TransitionPatch,
} from "./types.js";

const P = "q1f:";

/** Sorted-set score: priority first (9 → smallest), then the round, then the submission order. */
export function queueScore(priority: number, round: number, seq: number): number {
  return (9 - priority) * 1e14 + round * 1e8 + seq;
}

const SUBMIT = `
local existing = nil
if ARGV[1] ~= '' then existing = redis.call('GET', KEYS[1]) end
if existing then return {0, existing} end
local seq = redis.call('INCR', KEYS[2])
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local serving = tonumber(redis.call('GET', KEYS[4]) or '0')
local round = math.max(last + 1, serving)
redis.call('SET', KEYS[3], round)
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[2]) end
local key = '${P}job:' .. ARGV[2]
redis.call('HSET', key, 'id', ARGV[2], 'seq', seq, 'name', ARGV[3], 'cluster', ARGV[4], 'user', ARGV[5],
  'priority', ARGV[6], 'round', round, 'status', 'pending', 'time_added', ARGV[7], 'idempotency_key', ARGV[1],
  'request_hash', ARGV[8], 'compiled', ARGV[9])
redis.call('RPUSH', '${P}hist:' .. ARGV[2], ARGV[10])
redis.call('RPUSH', '${P}ev:' .. ARGV[2], ARGV[11])
redis.call('ZADD', KEYS[5], (9 - tonumber(ARGV[6])) * 1e14 + round * 1e8 + seq, ARGV[2])
redis.call('ZADD', KEYS[6], seq, ARGV[2])
return {1, ARGV[2]}
`;

// KEYS: job hash, hist list, pending zset; ARGV: to, change JSON, error JSON|'', provenance JSON|'',
// outcome flag ('1': write results and report with the change), results, report, from...
const TRANSITION = `
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return false end
for i = 8, #ARGV do
  if ARGV[i] == s then
    redis.call('HSET', KEYS[1], 'status', ARGV[1])
    redis.call('RPUSH', KEYS[2], ARGV[2])
    if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[3]) end
    if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'provenance', ARGV[4]) end
    if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'results', ARGV[6], 'report', ARGV[7]) end
    if s == 'pending' then redis.call('ZREM', KEYS[3], redis.call('HGET', KEYS[1], 'id')) end
    return s
  end
end
return false
`;

// pop the cluster's first pending job and move it to loading; KEYS: pending zset, serving key; ARGV: change JSON
const CLAIM = `
local ids = redis.call('ZRANGE', KEYS[1], 0, 0)
local id = ids[1]
if not id then return false end
redis.call('ZREM', KEYS[1], id)
local key = '${P}job:' .. id
if redis.call('HGET', key, 'status') ~= 'pending' then return false end
redis.call('HSET', key, 'status', 'loading')
redis.call('RPUSH', '${P}hist:' .. id, ARGV[1])
redis.call('SET', KEYS[2], redis.call('HGET', key, 'round'))
return id
`;

export class RedisStore implements JobStore {
  readonly kind = "redis" as const;
  constructor(readonly redis: Redis) {
    redis.defineCommand("q1fSubmit", { numberOfKeys: 6, lua: SUBMIT });
    redis.defineCommand("q1fTransition", { numberOfKeys: 3, lua: TRANSITION });
    redis.defineCommand("q1fClaim", { numberOfKeys: 2, lua: CLAIM });
  }

  private call(name: string, ...args: (string | number)[]): Promise<unknown> {
    return (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!(...args);
  }

  async submit(job: NewJob) {
    const change: StatusChange = { status: "pending", time: nowIso(), reason: null };
    const r = (await this.call(
      "q1fSubmit",
      `${P}idem:${job.user}:${job.idempotencyKey ?? ""}`,
      `${P}seq`,
      `${P}round:${job.cluster}:${job.user}`,
      `${P}serving:${job.cluster}`,
      `${P}pending:${job.cluster}`,
      `${P}jobs`,
      job.idempotencyKey ?? "",
      job.id,
      job.name,
      job.cluster,
      job.user,
      job.priority,
      change.time,
      job.requestHash,
      job.compiled,
      JSON.stringify(change),
      JSON.stringify({ event: "status", data: JSON.stringify({ status: "pending" }) }),
    )) as [number, string];
    const rec = await this.get(r[1]);
    if (!rec) throw new Error(`job ${r[1]} vanished from Redis`);
    if (r[0] === 0 && rec.requestHash !== job.requestHash) throw idempotencyConflict(job.idempotencyKey!, rec.id);
    return { job: rec, created: r[0] === 1 };
  }

  async byIdempotencyKey(user: string, key: string): Promise<JobRecord | null> {
    const id = await this.redis.get(`${P}idem:${user}:${key}`);
    return id ? this.get(id) : null;
  }

  async get(id: string): Promise<JobRecord | null> {
    const [[, h], [, hist]] = (await this.redis
      .multi()
      .hmget(
        `${P}job:${id}`,
        "id",
        "seq",
        "name",
        "cluster",
        "user",
        "priority",
        "round",
        "status",
        "time_added",
        "idempotency_key",
        "request_hash",
        "error",
        "provenance",
      )
      .lrange(`${P}hist:${id}`, 0, -1)
      .exec()) as [[unknown, (string | null)[]], [unknown, string[]]];
    if (!h[0]) return null;
    return {
      id: h[0],
      seq: Number(h[1]),
      name: h[2] ?? "",
      cluster: h[3] ?? "",
      user: h[4] ?? "",
      priority: Number(h[5]),
      round: Number(h[6]),
      status: h[7] as JobStatus,
      timeAdded: h[8] ?? "",
      idempotencyKey: h[9] ? h[9] : null,
      requestHash: h[10] ?? "",
      history: hist.map((x) => JSON.parse(x) as StatusChange),
      error: h[11] ? (JSON.parse(h[11]) as ErrorJson) : null,
      provenance: h[12] ? (JSON.parse(h[12]) as Provenance) : null,
    };
  }

  async status(id: string) {
    return (await this.redis.hget(`${P}job:${id}`, "status")) as JobStatus | null;
  }

  async list(f: JobFilter) {
    const ids = await this.redis.zrange(`${P}jobs`, 0, -1);
    const out: JobRecord[] = [];
    const limit = f.limit ?? 1000;
    for (const id of ids) {
      const j = await this.get(id);
      if (!j) continue;
      if (f.status && j.status !== f.status) continue;
      if (f.user && j.user !== f.user) continue;
      if (f.cluster && j.cluster !== f.cluster) continue;
      out.push(j);
      if (out.length >= limit) break;
    }
    return out;
  }
  async compiled(id: string) {
    return this.redis.hget(`${P}job:${id}`, "compiled");
  }
  async position(job: JobRecord) {
    const r = await this.redis.zrank(`${P}pending:${job.cluster}`, job.id);
    return r === null ? -1 : r;
  }
  async pendingCount(cluster: string) {
    return this.redis.zcard(`${P}pending:${cluster}`);
  }
  /** The cluster's next pending job in execution order, moved to `loading` (null when none). */
  async claimNext(cluster: string): Promise<JobRecord | null> {
    const change: StatusChange = { status: "loading", time: nowIso(), reason: null };
    const id = (await this.call(
      "q1fClaim",
      `${P}pending:${cluster}`,
      `${P}serving:${cluster}`,
      JSON.stringify(change),
    )) as string | null;
    if (!id) return null;
    await this.appendEvent(id, "status", { status: "loading" });
    return this.get(id);
  }
  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    reason: string | null = null,
    patch: TransitionPatch = {},
  ) {
    const cluster = await this.redis.hget(`${P}job:${id}`, "cluster");
    if (cluster === null) return null;
    const change: StatusChange = { status: to, time: nowIso(), reason };
    const r = await this.call(
      "q1fTransition",
      `${P}job:${id}`,
      `${P}hist:${id}`,
      `${P}pending:${cluster}`,
      to,
      JSON.stringify(change),
      patch.error ? JSON.stringify(patch.error) : "",
      patch.provenance ? JSON.stringify(patch.provenance) : "",
      // the outcome is written with the change, or not at all (a lost race must not leave results behind)
      patch.outcome ? "1" : "0",
      patch.outcome?.dataset ?? "",
      patch.outcome?.report ?? "",
      ...from,
    );
    if (!r) return null;
    if (patch.event) await this.appendEvent(id, patch.event.event, patch.event.data);
    return this.get(id);
  }
  async recordEnded(id: string, status: JobStatus, provenance: Provenance, report: string) {
    const r = await this.redis.eval(
      `if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
       redis.call('HSET', KEYS[1], 'provenance', ARGV[2], 'results', 'null', 'report', ARGV[3])
       return 1`,
      1,
      `${P}job:${id}`,
      status,
      JSON.stringify(provenance),
      report,
    );
    return r === 1;
  }
  async saveOutcome(id: string, dataset: string, report: string) {
    await this.redis.hset(`${P}job:${id}`, "results", dataset, "report", report);
  }
  async results(id: string) {
    return this.redis.hget(`${P}job:${id}`, "results");
  }
  async report(id: string) {
    return this.redis.hget(`${P}job:${id}`, "report");
  }
  async appendEvent(id: string, event: string, data: unknown) {
    return this.redis.rpush(`${P}ev:${id}`, JSON.stringify({ event, data: JSON.stringify(data) }));
  }
  async eventsAfter(id: string, after: number): Promise<JobEvent[]> {
    const items = await this.redis.lrange(`${P}ev:${id}`, after, -1);
    return items.map((x, i) => ({ id: after + i + 1, ...(JSON.parse(x) as { event: string; data: string }) }));
  }
  async failInterrupted(reason: string, cluster?: string) {
    const ids = await this.redis.zrange(`${P}jobs`, 0, -1);
    const out: string[] = [];
    for (const id of ids) {
      const [status, c] = await this.redis.hmget(`${P}job:${id}`, "status", "cluster");
      if ((status !== "loading" && status !== "running") || (cluster !== undefined && c !== cluster)) continue;
      const err: ErrorJson = {
        error: "InstrumentError",
        code: "JOB_INTERRUPTED",
        message: reason,
        path: `/v1/jobs/${id}`,
        hint: "resubmit the job (with a new Idempotency-Key); its results, if any, were not kept",
      };
      const end = { event: "end", data: { status: "error", error: err } };
      if (await this.transition(id, ["loading", "running"], "error", reason, { error: err, event: end })) out.push(id);
    }
    return out;
  }
  async close() {
    this.redis.disconnect();
  }
}
