/**
 * The embedded store: jobs, their status history, results and result events in one SQLite file
 * (better-sqlite3, WAL, synchronous=NORMAL: a commit is in the file once it returns, so a killed
 * process loses nothing; only a power loss may undo the last commits). Every state change is one
 * transaction together with what belongs to it (the stream event, the outcome), so a killed process
 * leaves a consistent file; on restart `failInterrupted` marks jobs that were executing as `error`.
 * The compiled schedule and the outcome live in tables of their own, so a status change rewrites a
 * small row only.
 *
 * Execution order per cluster (also used for `position_in_queue`): priority descending, then the
 * fairness round ascending, then submission order. A user's next job gets round
 * max(their last round + 1, the round the cluster is serving), so users interleave round-robin.
 */
import Database from "better-sqlite3";
import type { ErrorJson } from "../../core/errors.js";
import { ServiceError } from "../errors.js";
import { Checkpointer } from "./checkpointer.js";
import type { JobStatus } from "../schemas.js";
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

interface Row {
  id: string;
  seq: number;
  name: string;
  cluster: string;
  user: string;
  priority: number;
  round: number;
  status: string;
  time_added: string;
  idempotency_key: string | null;
  request_hash: string;
  history: string;
  error: string | null;
  provenance: string | null;
}

const COLS =
  "id, seq, name, cluster, user, priority, round, status, time_added, idempotency_key, request_hash, history, error, provenance";

function toRecord(r: Row): JobRecord {
  return {
    id: r.id,
    seq: r.seq,
    name: r.name,
    cluster: r.cluster,
    user: r.user,
    priority: r.priority,
    round: r.round,
    status: r.status as JobStatus,
    timeAdded: r.time_added,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    history: JSON.parse(r.history) as StatusChange[],
    error: r.error === null ? null : (JSON.parse(r.error) as ErrorJson),
    provenance: r.provenance === null ? null : (JSON.parse(r.provenance) as Provenance),
  };
}

export function idempotencyConflict(key: string, id: string): ServiceError {
  return new ServiceError(
    422,
    "IDEMPOTENCY_KEY_REUSED",
    `Idempotency-Key "${key}" was already used for job ${id} with a different request body`,
    { path: "Idempotency-Key", hint: "use a new key for a different job, or resend the original body unchanged" },
  );
}

export class SqliteStore implements JobStore {
  readonly kind = "sqlite" as const;
  readonly db: Database.Database;
  private readonly checkpointer: Checkpointer | null;
  private readonly st: Record<string, Database.Statement>;
  private readonly submitTx: (job: NewJob) => { job: JobRecord; created: boolean };
  private readonly claimTx: (cluster: string) => JobRecord | null;
  private readonly recordEndedTx: (id: string, status: JobStatus, provenance: Provenance, report: string) => boolean;
  private readonly transitionTx: (
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    reason: string | null,
    patch: TransitionPatch,
  ) => JobRecord | null;

  constructor(path: string) {
    try {
      this.db = new Database(path);
    } catch (e) {
      throw new ServiceError(
        500,
        "STORE_OPEN_FAILED",
        `cannot open the SQLite store "${path}": ${(e as Error).message}`,
        {
          path: "--store",
          hint: "give a writable file path, e.g. --store sqlite:./q1forge-jobs.db",
        },
      );
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    migrate(this.db);
    // checkpoints (the only fsyncs in WAL + NORMAL) run on a worker thread, not in a job's commit
    this.db.pragma("wal_autocheckpoint = 0");
    this.db.pragma("journal_size_limit = 67108864");
    this.checkpointer =
      path === ":memory:" || path === ""
        ? null
        : new Checkpointer(path, () => {
            // no checkpoint thread (it could not load better-sqlite3, or died): SQLite's own checkpoints again
            if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
          });
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      byId: p(`SELECT ${COLS} FROM jobs WHERE id = ?`),
      byKey: p(`SELECT ${COLS} FROM jobs WHERE user = ? AND idempotency_key = ?`),
      maxSeq: p(`SELECT COALESCE(MAX(seq), 0) AS m FROM jobs`),
      lastRound: p(`SELECT last FROM rounds WHERE cluster = ? AND user = ?`),
      setRound: p(
        `INSERT INTO rounds (cluster, user, last) VALUES (?, ?, ?) ON CONFLICT(cluster, user) DO UPDATE SET last = excluded.last`,
      ),
      serving: p(`SELECT round FROM serving WHERE cluster = ?`),
      setServing: p(
        `INSERT INTO serving (cluster, round) VALUES (?, ?) ON CONFLICT(cluster) DO UPDATE SET round = excluded.round`,
      ),
      insert: p(`INSERT INTO jobs (${COLS}) VALUES (@id, @seq, @name, @cluster, @user, @priority, @round,
        @status, @time_added, @idempotency_key, @request_hash, @history, NULL, NULL)`),
      insertCompiled: p(`INSERT INTO job_compiled (id, compiled) VALUES (?, ?)`),
      status: p(`SELECT status FROM jobs WHERE id = ?`),
      positionOf: p(`SELECT status, cluster, priority, round, seq FROM jobs WHERE id = ?`),
      next: p(
        `SELECT ${COLS} FROM jobs WHERE cluster = ? AND status = 'pending' ORDER BY priority DESC, round, seq LIMIT 1`,
      ),
      position: p(`SELECT COUNT(*) AS n FROM jobs WHERE cluster = @cluster AND status = 'pending' AND
        (priority > @priority OR (priority = @priority AND (round < @round OR (round = @round AND seq < @seq))))`),
      pendingCount: p(`SELECT COUNT(*) AS n FROM jobs WHERE cluster = ? AND status = 'pending'`),
      update: p(
        `UPDATE jobs SET status = @status, history = @history, error = @error, provenance = @provenance WHERE id = @id`,
      ),
      setProvenance: p(`UPDATE jobs SET provenance = ? WHERE id = ? AND status = ?`),
      compiled: p(`SELECT compiled FROM job_compiled WHERE id = ?`),
      outcome: p(
        `INSERT INTO job_outcome (id, results, report) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET results = excluded.results, report = excluded.report`,
      ),
      results: p(`SELECT results FROM job_outcome WHERE id = ?`),
      report: p(`SELECT report FROM job_outcome WHERE id = ?`),
      lastEvent: p(`SELECT COALESCE(MAX(n), 0) AS m FROM events WHERE job_id = ?`),
      addEvent: p(`INSERT INTO events (job_id, n, event, data) VALUES (?, ?, ?, ?)`),
      events: p(`SELECT n AS id, event, data FROM events WHERE job_id = ? AND n > ? ORDER BY n`),
      interrupted: p(`SELECT id FROM jobs WHERE status IN ('loading', 'running')`),
      interruptedOf: p(`SELECT id FROM jobs WHERE status IN ('loading', 'running') AND cluster = ?`),
    };
    this.submitTx = this.db.transaction((job: NewJob) => {
      if (job.idempotencyKey !== null) {
        const old = this.st.byKey!.get(job.user, job.idempotencyKey) as Row | undefined;
        if (old) {
          if (old.request_hash !== job.requestHash) throw idempotencyConflict(job.idempotencyKey, old.id);
          return { job: toRecord(old), created: false };
        }
      }
      const seq = (this.st.maxSeq!.get() as { m: number }).m + 1;
      const last = (this.st.lastRound!.get(job.cluster, job.user) as { last: number } | undefined)?.last ?? 0;
      const serving = (this.st.serving!.get(job.cluster) as { round: number } | undefined)?.round ?? 0;
      const round = Math.max(last + 1, serving);
      this.st.setRound!.run(job.cluster, job.user, round);
      const time = nowIso();
      const history: StatusChange[] = [{ status: "pending", time, reason: null }];
      this.st.insert!.run({
        id: job.id,
        seq,
        name: job.name,
        cluster: job.cluster,
        user: job.user,
        priority: job.priority,
        round,
        status: "pending",
        time_added: time,
        idempotency_key: job.idempotencyKey,
        request_hash: job.requestHash,
        history: JSON.stringify(history),
      });
      this.st.insertCompiled!.run(job.id, job.compiled);
      this.st.addEvent!.run(job.id, 1, "status", '{"status":"pending"}');
      const rec: JobRecord = {
        id: job.id,
        seq,
        name: job.name,
        cluster: job.cluster,
        user: job.user,
        priority: job.priority,
        round,
        status: "pending",
        timeAdded: time,
        idempotencyKey: job.idempotencyKey,
        requestHash: job.requestHash,
        history,
        error: null,
        provenance: null,
      };
      return { job: rec, created: true };
    });
    this.transitionTx = this.db.transaction((id, from, to, reason, patch) => {
      const row = this.st.byId!.get(id) as Row | undefined;
      if (!row || !from.includes(row.status as JobStatus)) return null;
      const rec = toRecord(row);
      rec.status = to;
      rec.history.push({ status: to, time: nowIso(), reason });
      if (patch.error !== undefined) rec.error = patch.error;
      if (patch.provenance !== undefined) rec.provenance = patch.provenance;
      this.st.update!.run({
        id,
        status: to,
        history: JSON.stringify(rec.history),
        error: rec.error === null ? null : JSON.stringify(rec.error),
        provenance: rec.provenance === null ? null : JSON.stringify(rec.provenance),
      });
      if (patch.outcome) this.st.outcome!.run(id, patch.outcome.dataset, patch.outcome.report);
      if (patch.event) this.addEvent(id, patch.event.event, patch.event.data);
      return rec;
    });
    this.recordEndedTx = this.db.transaction(
      (id: string, status: JobStatus, provenance: Provenance, report: string) => {
        const r = this.st.setProvenance!.run(JSON.stringify(provenance), id, status);
        if (r.changes === 0) return false;
        this.st.outcome!.run(id, "null", report);
        return true;
      },
    );
    this.claimTx = this.db.transaction((cluster: string) => {
      const row = this.st.next!.get(cluster) as Row | undefined;
      if (!row) return null;
      this.st.setServing!.run(cluster, row.round);
      return this.transitionTx(row.id, ["pending"], "loading", null, {
        event: { event: "status", data: { status: "loading" } },
      });
    });
  }

  async submit(job: NewJob) {
    return this.submitTx(job);
  }
  async byIdempotencyKey(user: string, key: string) {
    const row = this.st.byKey!.get(user, key) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  async get(id: string) {
    const r = this.st.byId!.get(id) as Row | undefined;
    return r ? toRecord(r) : null;
  }
  async status(id: string) {
    return ((this.st.status!.get(id) as { status: JobStatus } | undefined)?.status ?? null) as JobStatus | null;
  }
  async list(f: JobFilter) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.status) (where.push("status = ?"), args.push(f.status));
    if (f.user) (where.push("user = ?"), args.push(f.user));
    if (f.cluster) (where.push("cluster = ?"), args.push(f.cluster));
    const sql = `SELECT ${COLS} FROM jobs ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit ?? 1000) as Row[]).map(toRecord);
  }
  async compiled(id: string) {
    return (this.st.compiled!.get(id) as { compiled: string } | undefined)?.compiled ?? null;
  }
  async position(job: JobRecord) {
    const cur = this.st.positionOf!.get(job.id) as
      { status: string; cluster: string; priority: number; round: number; seq: number } | undefined;
    if (!cur || cur.status !== "pending") return -1;
    return (this.st.position!.get(cur) as { n: number }).n;
  }
  async pendingCount(cluster: string) {
    return (this.st.pendingCount!.get(cluster) as { n: number }).n;
  }
  /** The cluster's next pending job in execution order, moved to `loading` (with its `status: loading` event). */
  claimNext(cluster: string): JobRecord | null {
    return this.claimTx(cluster);
  }
  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    reason: string | null = null,
    patch: TransitionPatch = {},
  ) {
    return this.transitionTx(id, from, to, reason, patch);
  }
  async recordEnded(id: string, status: JobStatus, provenance: Provenance, report: string) {
    return this.recordEndedTx(id, status, provenance, report);
  }
  async saveOutcome(id: string, dataset: string, report: string) {
    this.st.outcome!.run(id, dataset, report);
  }
  async results(id: string) {
    return (this.st.results!.get(id) as { results: string | null } | undefined)?.results ?? null;
  }
  async report(id: string) {
    return (this.st.report!.get(id) as { report: string | null } | undefined)?.report ?? null;
  }
  async appendEvent(id: string, event: string, data: unknown) {
    return this.addEvent(id, event, data);
  }
  private addEvent(id: string, event: string, data: unknown): number {
    const n = (this.st.lastEvent!.get(id) as { m: number }).m + 1;
    this.st.addEvent!.run(id, n, event, JSON.stringify(data));
    return n;
  }
  async eventsAfter(id: string, after: number) {
    return this.st.events!.all(id, after) as JobEvent[];
  }
  async failInterrupted(reason: string, cluster?: string) {
    const rows = (cluster === undefined ? this.st.interrupted!.all() : this.st.interruptedOf!.all(cluster)) as {
      id: string;
    }[];
    const ids: string[] = [];
    for (const { id } of rows) {
      const err: ErrorJson = {
        error: "InstrumentError",
        code: "JOB_INTERRUPTED",
        message: reason,
        path: `/v1/jobs/${id}`,
        hint: "resubmit the job (with a new Idempotency-Key); its results, if any, were not kept",
      };
      const end = { event: "end", data: { status: "error", error: err } };
      if (this.transitionTx(id, ["loading", "running"], "error", reason, { error: err, event: end })) ids.push(id);
    }
    return ids;
  }
  async close() {
    await this.checkpointer?.close();
    this.db.close();
  }
}

/**
 * Tables of the current layout (user_version 2): the compiled schedule and the outcome apart from
 * the job row (a status change then rewrites a small row, not a schedule of many kB), and stream
 * events without a rowid. A store written by the first layout (compiled, results and report as
 * columns of `jobs`) is moved over in one transaction.
 */
function migrate(db: Database.Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version >= 2) return;
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, name TEXT NOT NULL, cluster TEXT NOT NULL,
        user TEXT NOT NULL, priority INTEGER NOT NULL, round INTEGER NOT NULL, status TEXT NOT NULL,
        time_added TEXT NOT NULL, idempotency_key TEXT, request_hash TEXT NOT NULL, history TEXT NOT NULL,
        error TEXT, provenance TEXT);
      CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs(user, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(cluster, status, priority DESC, round, seq);
      CREATE TABLE IF NOT EXISTS job_compiled (id TEXT PRIMARY KEY, compiled TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS job_outcome (id TEXT PRIMARY KEY, results TEXT, report TEXT);
      CREATE TABLE IF NOT EXISTS rounds (cluster TEXT NOT NULL, user TEXT NOT NULL, last INTEGER NOT NULL,
        PRIMARY KEY (cluster, user));
      CREATE TABLE IF NOT EXISTS serving (cluster TEXT PRIMARY KEY, round INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (job_id TEXT NOT NULL, n INTEGER NOT NULL, event TEXT NOT NULL,
        data TEXT NOT NULL, PRIMARY KEY (job_id, n)) WITHOUT ROWID;
    `);
    const cols = (db.pragma("table_info(jobs)") as { name: string }[]).map((c) => c.name);
    if (cols.includes("compiled")) {
      db.exec(`
        INSERT OR IGNORE INTO job_compiled (id, compiled) SELECT id, compiled FROM jobs;
        INSERT OR IGNORE INTO job_outcome (id, results, report)
          SELECT id, results, report FROM jobs WHERE results IS NOT NULL OR report IS NOT NULL;
        ALTER TABLE jobs DROP COLUMN compiled;
        ALTER TABLE jobs DROP COLUMN results;
        ALTER TABLE jobs DROP COLUMN report;
      `);
    }
    db.pragma("user_version = 2");
  })();
}
