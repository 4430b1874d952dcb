/**
 * One run on the Cluster of a session's job (src/coordinator/session.ts): prepare → START → poll →
 * retrieve of a compiled schedule (a whole job, or one segment of it), streaming the acquisitions
 * while it runs and stopping it when the job is halted.
 */
import { findAcquisitionEntry, sequencerIntegrationLength, shapeAcquisition } from "../contract/acquisition-results.js";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { InstrumentCoordinator, SequencerRunStatus } from "./coordinator.js";
import { ExecutionReport } from "./jobs/execution-report.js";
import { withJobOffsets, type OutputState } from "./jobs/idle-values.js";
import type { Job } from "./jobs/job.js";
import type { SessionOptions } from "./session-options.js";
import { isRF, notePrepared, syncOutputs } from "./session-outputs.js";

const DONE_STATES = new Set(["STOPPED", "IDLE"]);
/** for the first EARLY_POLL_MS of a run, status polls are at most EARLY_POLL_CAP_MS apart */
const EARLY_POLL_MS = 200;
const EARLY_POLL_CAP_MS = 5;

/** prepare → START → poll → retrieve of one compiled schedule (a whole job, or one segment of it). */
export async function runSegment(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
  options: SessionOptions,
  job: Job,
  compiled: CompiledSchedule,
  outputs: OutputState,
  entries: ExecutionReport["entries"],
  lap: () => number,
): Promise<{ completed: boolean; startedAt: number }> {
  const t = job.provenance.stage_ms;
  if (job.haltRequested) return { completed: false, startedAt: performance.now() };
  const patched = withJobOffsets(compiled, clusterName, outputs, (s) => isRF(driver, s));
  await coordinator.prepare(patched);
  notePrepared(patched, clusterName, driver, held);
  await syncOutputs(coordinator, clusterName, driver, held, outputs, patched);
  t.prepare += lap();
  if (job.haltRequested) return { completed: false, startedAt: performance.now() };
  await coordinator.start();
  const startedAt = performance.now();
  t.start += lap();
  job.setStatus("running");
  const polled = await poll(coordinator, driver, options, job, compiled);
  t.run += lap();
  if (polled.halted) {
    entries.push(...ExecutionReport.fromStatuses(compiled, polled.statuses).entries);
    job.setReport(new ExecutionReport(entries));
    for (const s of job.resultHandles.values())
      s.fail(
        new InstrumentError("JOB_CANCELED", `job ${job.id} was halted`, {
          path: job.id,
          hint: "the job was halted on request; its partial execution report is kept, submit it again for results",
        }),
      );
    return { completed: false, startedAt };
  }
  const statuses = await coordinator.completeRun(polled.statuses);
  entries.push(...ExecutionReport.fromStatuses(compiled, statuses).entries);
  job.setReport(new ExecutionReport(entries));
  const final = await coordinator.retrieveAcquisitions();
  t.retrieve += lap();
  job.resultHandles.completeAll(final);
  return { completed: true, startedAt };
}

/** Poll until every used sequencer stopped (or the job is halted: then stopped); streams acquisitions meanwhile. */
export async function poll(
  coordinator: InstrumentCoordinator,
  driver: ClusterDriver,
  options: SessionOptions,
  job: Job,
  compiled: CompiledSchedule,
): Promise<{ halted: boolean; statuses: SequencerRunStatus[] }> {
  const t0 = Date.now();
  const timeout = options.runTimeoutMs ?? 10_000 + (2 * compiled.repetition_duration_ns * compiled.repetitions) / 1e6;
  const interval = options.streamIntervalMs ?? 20;
  const streaming = Object.values(compiled.acquisitions).some((l) => l.protocol !== "Trace");
  let lastStream = Date.now(); // a job shorter than one interval never pays for a stream poll
  let delay = 1;
  for (;;) {
    if (job.haltRequested) {
      await coordinator.stop();
      return { halted: true, statuses: await coordinator.status() };
    }
    const st = await coordinator.status();
    if (st.every((s) => DONE_STATES.has(s.state))) return { halted: false, statuses: st };
    await coordinator.failIfForcedStop(st); // another client stopped part of the run: fail now, not at its end
    const now = Date.now();
    if (streaming && now - lastStream >= interval) {
      await pollStreams(driver, job, compiled);
      lastStream = Date.now();
    }
    if (now - t0 >= timeout) await coordinator.waitDone(0); // throws RUN_TIMEOUT naming the busy sequencers
    await new Promise((r) => setTimeout(r, delay));
    // status polls back off to the stream interval, but not before the run has had 200 ms: a short
    // run is seen ending within ~5 ms instead of up to a whole interval late
    delay = Math.min(Date.now() - t0 < EARLY_POLL_MS ? Math.min(EARLY_POLL_CAP_MS, interval) : interval, delay * 2);
  }
}

export async function pollStreams(driver: ClusterDriver, job: Job, compiled: CompiledSchedule): Promise<void> {
  const bySeq = new Map<string, { slot: number; seq: number; layouts: CompiledSchedule["acquisitions"][string][] }>();
  for (const l of Object.values(compiled.acquisitions)) {
    if (l.protocol === "Trace") continue;
    const mod = compiled.clusters[l.cluster]?.modules[l.module];
    if (!mod) continue;
    const key = `${mod.slot}/${l.sequencer}`;
    const e = bySeq.get(key) ?? { slot: mod.slot, seq: l.sequencer, layouts: [] };
    e.layouts.push(l);
    bySeq.set(key, e);
  }
  for (const { slot, seq, layouts } of bySeq.values()) {
    const raw = await driver.acquisitions(slot, seq);
    for (const l of layouts) {
      let r;
      try {
        r = shapeAcquisition(l, findAcquisitionEntry(raw, l), sequencerIntegrationLength(compiled, l));
      } catch {
        continue; // protocols q1forge cannot shape stream nothing; retrieve reports them
      }
      job.resultHandles.get(l.acq_channel).update(r);
    }
  }
}
