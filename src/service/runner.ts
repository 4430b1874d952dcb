/**
 * One job from `loading` to a final state: read its compiled schedule from the store, execute it,
 * record the events a result stream replays (status changes, bins, end), the results, the
 * execution report and the provenance. A job canceled while it ran (DELETE halts it) stays
 * `canceled`; any failure becomes `error` with the typed error — never a silent `completed`.
 */
import { createHash } from "node:crypto";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { Q1ForgeError, type ErrorJson } from "../core/errors.js";
import { JOB_SOURCE_FORMAT, type ClusterExecutor, type JobSource } from "./executor.js";
import { checkDataset, toDatasetDict } from "./results.js";
import type { JobRecord, JobStore, Provenance } from "./store/types.js";
import { SERVICE_VERSION } from "./version.js";

export interface EventSink {
  /** append an event to the job's stream (stored, so a stream can resume) and wake its readers */
  emit(id: string, event: string, data: unknown): Promise<void>;
  /** wake the readers of a job whose events the store already holds */
  wake(id: string): void;
}

export function errorJson(e: unknown): ErrorJson {
  if (e instanceof Q1ForgeError) return e.toJSON();
  return {
    error: "InternalError",
    code: "INTERNAL",
    message: e instanceof Error ? e.message : String(e),
    path: null,
    hint: "this is a q1forge bug; please report it with the schedule that caused it",
  };
}

export async function runClaimedJob(
  store: JobStore,
  executor: ClusterExecutor,
  job: JobRecord,
  sink: EventSink,
): Promise<JobRecord | null> {
  const t0 = performance.now();
  sink.wake(job.id); // the claim stored the `loading` event
  const text = await store.compiled(job.id);
  const provenance: Provenance = {
    compiled_hash: "",
    compiler_version: SERVICE_VERSION,
    format_version: null,
    instrument: { cluster: executor.name, address: executor.address, identity: null },
    timings_ms: {},
    executor: "session",
  };
  const hashOfText = () => (text === null ? "" : createHash("sha256").update(text).digest("hex"));
  try {
    if (text === null) throw new Q1ForgeError("JOB_DATA_MISSING", `job ${job.id} has no compiled schedule stored`);
    // canceled while loading (DELETE between the claim and now): never start it
    if ((await store.status(job.id)) === "canceled") return await store.get(job.id);
    const source = parseSource(text);
    provenance.format_version = source.format === JOB_SOURCE_FORMAT ? null : String(source.version);
    provenance.instrument!.identity = await executor.instrumentIdentity();
    const t1 = performance.now();
    provenance.timings_ms.load = round3(t1 - t0);
    // status, pause and bins events in the order they happened
    let chain: Promise<unknown> = Promise.resolve();
    const running = { event: "status", data: { status: "running" } };
    const outcome = await executor.execute(
      source,
      {
        onRunning: () => {
          chain = chain
            .then(() => store.transition(job.id, ["loading"], "running", null, { event: running }))
            .then((r) => (r ? sink.wake(job.id) : undefined));
        },
        onBins: (ch, a) => {
          const data = { acq_channel: ch, index: a.index, real: a.real, imag: a.imag };
          chain = chain.then(() => sink.emit(job.id, "bins", data));
        },
        onWait: (point) => {
          chain = chain.then(() => sink.emit(job.id, point ? "paused" : "resumed", point ?? {}));
        },
      },
      job.user,
    );
    await chain;
    Object.assign(provenance.timings_ms, outcome.timings_ms);
    const dataset = toDatasetDict(outcome.acquisitions, { job_id: job.id, name: job.name, user_added: job.user });
    checkDataset(dataset);
    provenance.compiled_hash = outcome.provenance.compiled_hash ?? hashOfText();
    if (outcome.provenance.format_version !== null)
      provenance.format_version = String(outcome.provenance.format_version);
    if (outcome.provenance.instrument) provenance.instrument!.identity = outcome.provenance.instrument;
    provenance.timings_ms.total = round3(performance.now() - t0);
    const done = await store.transition(job.id, ["running", "loading"], "completed", null, {
      provenance,
      outcome: { dataset: JSON.stringify(dataset), report: JSON.stringify(outcome.report) },
      event: { event: "end", data: { status: "completed" } },
    });
    if (done) {
      sink.wake(job.id);
      return done;
    }
    // canceled while it ran: keep what did run (provenance, report), never its results
    await store.recordEnded(job.id, "canceled", provenance, JSON.stringify(outcome.report));
    return await store.get(job.id);
  } catch (e) {
    const err = errorJson(e);
    provenance.compiled_hash ||= hashOfText();
    provenance.timings_ms.total = round3(performance.now() - t0);
    const report = JSON.stringify(executor.lastReport() ?? { has_errors: true, entries: [] });
    const r = await store.transition(job.id, ["loading", "running"], "error", err.message, {
      error: err,
      provenance,
      outcome: { dataset: "null", report },
      event: { event: "end", data: { status: "error", error: err } },
    });
    if (r) {
      sink.wake(job.id);
      return r;
    }
    // canceled while it ran (the halt made the run fail): provenance and report as for any ended job
    await store.recordEnded(job.id, "canceled", provenance, report);
    return await store.get(job.id);
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The last compiled schedules run, by their stored text: a resubmitted compiled schedule (a repeated
 * measurement) reuses the parsed object — and so the session's caches keyed by it (its hash, the
 * lazy settings check) — as a program re-running one compiled object with the jobs API does. The
 * session and the executor never modify a compiled schedule (job offsets are applied to a copy).
 * Schedules with segments are parsed afresh (the session rewrites their segments).
 */
const parsed: { text: string; compiled: CompiledSchedule }[] = [];
const PARSED_ENTRIES = 8;
const PARSED_MAX_CHARS = 1 << 20;

function parseSource(text: string): CompiledSchedule | JobSource {
  // compared, not looked up in a Map (hashing a long string costs more than comparing it); the end
  // first: the compiler's diagnostics (stage timings) make two compilations differ there
  const tail = text.slice(-256);
  const i = parsed.findIndex((p) => p.text.length === text.length && p.text.endsWith(tail) && p.text === text);
  if (i >= 0) {
    const hit = parsed[i]!;
    parsed.splice(i, 1);
    parsed.push(hit); // most recently used last
    return hit.compiled;
  }
  const source = JSON.parse(text) as CompiledSchedule | JobSource;
  if (source.format !== JOB_SOURCE_FORMAT && text.length <= PARSED_MAX_CHARS) {
    parsed.push({ text, compiled: source as CompiledSchedule });
    if (parsed.length > PARSED_ENTRIES) parsed.shift();
  }
  return source;
}
