/**
 * One job from `loading` to a final state: read its compiled schedule from the store, execute it,
 * record the events a result stream replays (status changes, bins, end), the results, the
 * execution report and the provenance. A job canceled while it ran (DELETE halts it) stays
 * `canceled`; any failure becomes `error` with the typed error — never a silent `completed`.
 */
import { createHash } from "node:crypto";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { Q1ForgeError, type ErrorJson } from "../core/errors.js";
import type { ClusterExecutor } from "./executor.js";
import { toDatasetDict } from "./results.js";
import type { JobRecord, JobStore, Provenance } from "./store/types.js";
import { SERVICE_VERSION } from "./version.js";

export interface EventSink {
  /** append an event to the job's stream (stored, so a stream can resume) and wake its readers */
  emit(id: string, event: string, data: unknown): Promise<void>;
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
  await sink.emit(job.id, "status", { status: "loading" });
  const text = await store.compiled(job.id);
  const provenance: Provenance = {
    compiled_hash: text === null ? "" : createHash("sha256").update(text).digest("hex"),
    compiler_version: SERVICE_VERSION,
    format_version: null,
    instrument: { cluster: executor.name, address: executor.address, identity: null },
    timings_ms: {},
    executor: "session",
  };
  try {
    if (text === null) throw new Q1ForgeError("JOB_DATA_MISSING", `job ${job.id} has no compiled schedule stored`);
    // canceled while loading (DELETE between the claim and now): never start it
    const cur = await store.get(job.id);
    if (cur?.status === "canceled") return cur;
    const compiled = JSON.parse(text) as CompiledSchedule;
    provenance.format_version = String(compiled.version);
    provenance.instrument!.identity = await executor.instrumentIdentity();
    const t1 = performance.now();
    provenance.timings_ms.load = round3(t1 - t0);
    // status and bins events in the order they happened
    let chain: Promise<unknown> = Promise.resolve();
    const outcome = await executor.execute(
      compiled,
      {
        onRunning: () => {
          chain = chain
            .then(() => store.transition(job.id, ["loading"], "running"))
            .then((r) => (r ? sink.emit(job.id, "status", { status: "running" }) : undefined));
        },
        onBins: (ch, a) => {
          const data = { acq_channel: ch, index: a.index, real: a.real, imag: a.imag };
          chain = chain.then(() => sink.emit(job.id, "bins", data));
        },
      },
      job.user,
    );
    await chain;
    Object.assign(provenance.timings_ms, outcome.timings_ms);
    const now = await store.get(job.id);
    if (!now || now.status === "canceled") return now;
    const dataset = toDatasetDict(outcome.acquisitions, { job_id: job.id, name: job.name, user_added: job.user });
    const report = outcome.report;
    provenance.compiled_hash = outcome.provenance.compiled_hash ?? provenance.compiled_hash;
    if (outcome.provenance.instrument) provenance.instrument!.identity = outcome.provenance.instrument;
    provenance.timings_ms.total = round3(performance.now() - t0);
    await store.saveOutcome(job.id, JSON.stringify(dataset), JSON.stringify(report));
    const done = await store.transition(job.id, ["running", "loading"], "completed", null, { provenance });
    if (done) await sink.emit(job.id, "end", { status: "completed" });
    return done ?? (await store.get(job.id));
  } catch (e) {
    const err = errorJson(e);
    const now = await store.get(job.id);
    if (now?.status === "canceled") return now;
    provenance.timings_ms.total = round3(performance.now() - t0);
    await store.saveOutcome(job.id, "null", JSON.stringify(executor.lastReport() ?? { has_errors: true, entries: [] }));
    const r = await store.transition(job.id, ["loading", "running"], "error", err.message, { error: err, provenance });
    if (r) await sink.emit(job.id, "end", { status: "error", error: err });
    return r;
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
