/**
 * Sessions and jobs over real SCPI/TCP against the virtual Cluster: exclusive ownership, the queue,
 * waitForExecution timeouts, streaming, execution reports, halting, element corrections, simulate,
 * provenance and version checks. The idle-value lifecycle has its own file (session-idle.test.ts).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { openSession, type Session } from "../../src/coordinator/session.js";
import { JobTimeoutError } from "../../src/coordinator/jobs/status.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "./fixtures.js";

let vc: VirtualCluster | null = null;
const sessions: Session[] = [];

async function start(runDurationMs?: number): Promise<{ host: string; port: number }> {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", ...(runDurationMs !== undefined ? { runDurationMs } : {}) });
  return vc.start();
}
async function open(addr: { host: string; port: number }, opts: Parameters<typeof openSession>[2] = {}) {
  const s = await openSession(addr, null, { transport: { timeoutMs: 2000 }, ...opts });
  sessions.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await vc?.stop();
  vc = null;
});

/** The readout fixture with `reps` APPEND repetitions (channel "0": shape [reps, 1]). */
function appendSchedule(reps: number): CompiledSchedule {
  const c = readoutSchedule({
    readoutProgram: [
      " wait_sync 4",
      ` move ${reps},R0`,
      " move 0,R1",
      "loop:",
      " play 0,1,4",
      " acquire 0,R1,400",
      " acquire 1,0,1596",
      " add R1,1,R1",
      " loop R0,@loop",
      " stop",
      "",
    ].join("\n"),
  });
  const qrm = c.clusters["cluster0"]!.modules["cluster0_module4"]!.sequencers["seq0"]!;
  qrm.sequence.acquisitions["0"]!.num_bins = reps;
  c.repetitions = reps;
  c.acquisitions["0"]!.shape = [reps, 1];
  return c;
}

describe("session ownership and versions", () => {
  it("refuses a second session on the same Cluster (SESSION_BUSY), waits with waitForCluster, and frees it on close", async () => {
    const addr = await start();
    const a = await open(addr);
    await expect(openSession(addr, null)).rejects.toMatchObject({
      code: "SESSION_BUSY",
      path: `127.0.0.1:${addr.port}`,
      message: `the Cluster at 127.0.0.1:${addr.port} is owned by session ${a.id}`,
    });
    await expect(openSession(addr, null, { waitForCluster: 0.05 })).rejects.toMatchObject({ code: "JOB_TIMEOUT" });
    const waiting = openSession(`127.0.0.1:${addr.port}`, null, { waitForCluster: 5 });
    await a.close();
    const b = await waiting;
    sessions.push(b);
    expect(b.isOpen).toBe(true);
    expect(a.isOpen).toBe(false);
    expect(() => a.execute(readoutSchedule())).toThrow(expect.objectContaining({ code: "SESSION_CLOSED" }));
  });

  it("refuses compiled schedules of another format version, another cluster or another module layout", async () => {
    const s = await open(await start());
    const bad = { ...readoutSchedule(), version: 2 } as unknown as CompiledSchedule;
    expect(() => s.execute(bad)).toThrow(expect.objectContaining({ code: "FORMAT_VERSION", path: "/version" }));
    const other = readoutSchedule();
    other.clusters = { clusterX: other.clusters["cluster0"]! };
    expect(() => s.execute(other)).toThrow(
      expect.objectContaining({ code: "CLUSTER_MISMATCH", path: "/clusters/clusterX" }),
    );
    const moved = readoutSchedule();
    moved.clusters["cluster0"]!.modules["cluster0_module2"]!.slot = 6;
    expect(() => s.execute(moved)).toThrow(expect.objectContaining({ code: "MODULE_MISSING" }));
    expect(() => s.execute({ name: "x" })).toThrow(expect.objectContaining({ code: "COMPILE_UNAVAILABLE" }));
    expect(s.queue.count).toBe(0);
  });
});

describe("job queue", () => {
  it("queues 10 jobs: positions, cancels, waitForExecution timeouts, and all others complete in order", async () => {
    const s = await open(await start(40), { user: "alice" });
    const jobs = Array.from({ length: 10 }, () => s.queue.add(readoutSchedule()));
    expect(jobs[0]!.status).toBe("loading");
    expect(jobs[0]!.positionInQueue()).toBe(-1);
    expect(jobs.slice(1).map((j) => j.positionInQueue())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.queue.count).toBe(9);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(10);
    expect(jobs.every((j) => j.userAdded === "alice" && j.timeAdded instanceof Date)).toBe(true);
    expect(s.queue.getJob(jobs[4]!.id)).toBe(jobs[4]);
    expect(s.queue.getJob("nope")).toBeNull();

    expect(jobs[4]!.cancel()).toBe(true);
    expect(jobs[4]!.status).toBe("canceled");
    expect(jobs[4]!.cancel()).toBe(false);
    expect(jobs[4]!.positionInQueue()).toBe(-1);
    expect(jobs.slice(5).map((j) => j.positionInQueue())).toEqual([4, 5, 6, 7, 8]);
    expect(s.queue.pendingJobs().map((j) => j.id)).toEqual([1, 2, 3, 5, 6, 7, 8, 9].map((i) => jobs[i]!.id));
    await expect(jobs[4]!.waitForExecution()).rejects.toMatchObject({ code: "JOB_CANCELED" });

    for (const t of [0, -1]) {
      const e = await jobs[9]!.waitForExecution({ timeout: t }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(JobTimeoutError);
      expect(e).toMatchObject({ code: "JOB_TIMEOUT", path: jobs[9]!.id });
      expect((e as Error).message).toContain("is still pending (position 8 in the queue) after");
    }
    await expect(jobs[9]!.waitForExecution({ timeout: 0.01 })).rejects.toMatchObject({ code: "JOB_TIMEOUT" });
    expect(jobs[8]!.cancel()).toBe(true);

    const running = await jobs[1]!.waitForExecution({ timeout: 10 });
    expect(running).toBe(jobs[1]);
    expect(["running", "completed"]).toContain(running.status);
    const finals = await Promise.all(jobs.map((j) => j.wait({ timeout: 20 })));
    expect(finals).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
      "canceled",
      "completed",
      "completed",
      "completed",
      "canceled",
      "completed",
    ]);
    expect(await jobs[9]!.waitForExecution({ timeout: 0 })).toBe(jobs[9]);
    expect((await jobs[9]!.results())["1"]!.real).toEqual([0.5]);
    expect(s.queue.count).toBe(0);
    // ran in queue order: each started after the previous ended
    const started = jobs.filter((j) => j.status === "completed").map((j) => j.provenance.stage_ms.prepare);
    expect(started.every((t) => t > 0)).toBe(true);
  });

  it("describes a job as snake_case JSON with provenance", async () => {
    const s = await open(await start());
    const c = readoutSchedule();
    const job = s.execute(c);
    expect(await job.wait()).toBe("completed");
    const json = JSON.parse(JSON.stringify(job)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      "id",
      "name",
      "status",
      "time_added",
      "user_added",
      "position_in_queue",
      "provenance",
      "execution_report",
      "error",
    ]);
    expect(json).toMatchObject({
      id: job.id,
      name: "readout-test",
      status: "completed",
      time_added: job.timeAdded.toISOString(),
      user_added: null,
      position_in_queue: -1,
      execution_report: { has_errors: false, entries: [] },
      error: null,
    });
    const p = job.provenance;
    const { stage_ms: _timings, ...diagnostics } = c.diagnostics;
    expect(p.compiled_hash).toBe(
      createHash("sha256")
        .update(JSON.stringify({ ...c, diagnostics }))
        .digest("hex"),
    );
    expect(p.format).toBe("q1forge.compiled-schedule");
    expect(p.format_version).toBe(1);
    expect(p.compiler_version).toBeNull();
    expect(p.instrument).toMatchObject({ manufacturer: "Qblox", model: "Cluster MM", serial: "00015_2422_001" });
    expect(p.instrument!.firmware["fwVersion"]).toBe("0.11.0");
    expect(Object.keys(p.stage_ms)).toEqual(["compile", "prepare", "start", "run", "retrieve", "restore"]);
  });
});

describe("running jobs", () => {
  it("streams APPEND values before completion, equal to the final values", async () => {
    const s = await open(await start(600), { streamIntervalMs: 10 });
    const job = s.execute(appendSchedule(200));
    await job.waitForExecution({ timeout: 5 });
    const stream = job.resultHandles.get("0");
    expect(stream.isProcessing()).toBe(true);
    const partial = await stream.waitForValues(20, { timeout: 5 });
    expect(job.status).toBe("running");
    expect(partial.real.length).toBeGreaterThanOrEqual(20);
    expect(partial.real.length).toBeLessThan(200);
    expect(stream.countSoFar()).toBeLessThan(200);
    const chunks: { index: number; real: number[]; imag: number[] | null; during: boolean }[] = [];
    for await (const c of stream) chunks.push({ ...c, during: job.status === "running" });
    expect(await job.wait()).toBe("completed");
    expect(stream.isProcessing()).toBe(false);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.during).toBe(true);
    // chunks are contiguous and together equal the final values
    let next = 0;
    for (const c of chunks) {
      expect(c.index).toBe(next);
      next += c.real.length;
    }
    const final = stream.fetchAll();
    expect(final.shape).toEqual([200, 1]);
    expect(next).toBe(200);
    expect(chunks.flatMap((c) => c.real)).toEqual(final.real);
    expect(chunks.flatMap((c) => c.imag!)).toEqual(final.imag);
    expect(final.real).toEqual(new Array(200).fill(0.5));
    expect(final.imag).toEqual(new Array(200).fill(-0.25));
    expect(partial.real).toEqual(final.real.slice(0, partial.real.length));
    expect(job.resultHandles.fetchAll()["1"]!.real).toEqual([0.5]);
    await expect(stream.waitForValues(200, { timeout: 0 })).resolves.toMatchObject({ shape: [200, 1] });
    await expect(stream.waitForValues(500, { timeout: 0 })).rejects.toMatchObject({ code: "USAGE", path: "n" });
  });

  it("waitForValues times out with JOB_TIMEOUT while the bins are not there", async () => {
    const s = await open(await start(400));
    const job = s.execute(appendSchedule(200));
    await job.waitForExecution({ timeout: 5 });
    await expect(job.resultHandles.get("0").waitForValues(200, { timeout: 0.02 })).rejects.toMatchObject({
      code: "JOB_TIMEOUT",
      path: "acquisitions/0",
    });
    expect(() => job.resultHandles.get("9")).toThrow(expect.objectContaining({ code: "ACQUISITION_MISSING" }));
    await job.wait();
  });

  it("halts a running job: canceled, streams end, the next job runs", async () => {
    const s = await open(await start(800));
    const job = s.execute(appendSchedule(100));
    const next = s.execute(readoutSchedule());
    await job.waitForExecution({ timeout: 5 });
    expect(await job.halt()).toBe(true);
    expect(job.status).toBe("canceled");
    expect(job.resultHandles.isProcessing()).toBe(false);
    await expect(job.resultHandles.get("0").waitForValues(100)).rejects.toMatchObject({ code: "JOB_CANCELED" });
    expect(await job.halt()).toBe(false);
    await expect(job.results()).rejects.toMatchObject({ code: "JOB_NOT_COMPLETED" });
    expect(await next.wait({ timeout: 10 })).toBe("completed");
  });

  it("reports an underflow with the operation that caused it; the session stays usable", async () => {
    const s = await open(await start());
    const c = readoutSchedule({ qcmProgram: " move 2000,R0\nl: play 0,0,4\n loop R0,@l\n stop\n" });
    c.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.source_map = {
      operations: [{ id: 7, name: "FastPulseTrain", path: "/operations/3", label: "train" }],
      lines: [-1, 0, 0, -1],
    };
    const bad = s.execute(c);
    const good = s.execute(readoutSchedule());
    expect(await bad.wait()).toBe("error");
    expect(bad.error).toMatchObject({ code: "SEQUENCER_ERROR", path: "cluster0_module2/seq0" });
    const report = bad.executionReport();
    expect(report.hasErrors()).toBe(true);
    const e = report.errors()[0]!;
    expect(e).toMatchObject({
      cluster: "cluster0",
      module: "cluster0_module2",
      slot: 2,
      sequencer: 0,
      port_clock: "q0:mw-q0.01",
      severity: "error",
      flags: ["SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW"],
      operation: { id: 7, name: "FastPulseTrain", path: "/operations/3", label: "train" },
    });
    expect([2, 3]).toContain(e.line);
    expect(report.toString()).toContain('operation "FastPulseTrain" [train]');
    expect(JSON.parse(JSON.stringify(bad)).error).toMatchObject({ code: "SEQUENCER_ERROR" });
    expect(await good.wait()).toBe("completed");
    expect((await good.results())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
  });

  it("changes the element correction for one job only, rounded to the resolution", async () => {
    const v = await start(300);
    const s = await open(v);
    const a = s.execute(readoutSchedule());
    const b = s.execute(readoutSchedule());
    await a.waitForExecution({ timeout: 5 });
    expect(await a.getElementCorrection("q0:mw-q0.01")).toEqual({ gainRatio: 1, phaseOffsetDegree: 0 });
    const applied = await a.setElementCorrection("q0:mw-q0.01", { gainRatio: 1.1, phaseOffsetDegree: 3.3 });
    expect(applied).toEqual({ gainRatio: 18022 / 16384, phaseOffsetDegree: (2403 * 45) / 32768 });
    expect(await a.getElementCorrection("q0:mw-q0.01")).toEqual(applied);
    await expect(a.setElementCorrection("q0:mw-q0.01", { gainRatio: 3, phaseOffsetDegree: 0 })).rejects.toMatchObject({
      code: "CORRECTION_RANGE",
    });
    await expect(a.getElementCorrection("q9:mw-q9.01")).rejects.toMatchObject({ code: "ELEMENT_UNKNOWN" });
    await b.waitForExecution({ timeout: 5 });
    expect(a.status).toBe("completed");
    expect(await b.getElementCorrection("q0:mw-q0.01")).toEqual({ gainRatio: 1, phaseOffsetDegree: 0 });
    expect(await s.driver.sequencerParams(2, 0)).toMatchObject({
      mixer_corr_gain_ratio: 1,
      mixer_corr_phase_offset_degree: 0,
    });
    await b.wait();
    expect(() => b.setElementCorrection("q0:mw-q0.01", { gainRatio: 1, phaseOffsetDegree: 0 })).toThrow(
      expect.objectContaining({ code: "JOB_NOT_RUNNING" }),
    );
  });

  it("a job without pause points or input streams: isPaused() false, resume() false, pushToInputStream UNSUPPORTED", async () => {
    const s = await open(await start());
    const job = s.execute(readoutSchedule());
    expect(job.isPaused()).toBe(false);
    expect(job.resume()).toBe(false);
    expect(() => job.pushToInputStream("amps", [1])).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    await job.wait();
  });
});

describe("simulated jobs", () => {
  it("returns samples per cluster → module → analog / digital output, a waveform report and an HTML plot", async () => {
    const s = await open(await start(), { config: { modules: { "2": { analog_outputs: { "1": { offset: 0.1 } } } } } });
    const sim = s.simulate(readoutSchedule());
    expect(sim.status).toBe("completed");
    const samples = sim.getSimulatedSamples();
    expect(Object.keys(samples)).toEqual(["cluster0"]);
    expect(Object.keys(samples["cluster0"]!).sort()).toEqual(["cluster0_module2", "cluster0_module4"]);
    const qcm = samples["cluster0"]!["cluster0_module2"]!;
    expect(Object.keys(qcm.analog)).toEqual(["0", "1", "2", "3"]);
    expect(Object.keys(qcm.digital)).toEqual(["0", "1", "2", "3"]);
    // the idle offset of analog output 1 shows in the simulation (compiled offsets are null there)
    expect(sim.compiled.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch0_path_Q).toBe(0.1);
    const plays = sim.getSimulatedWaveformReport().filter((e) => e.kind === "play" && e.slot === 2);
    expect(plays.length).toBe(1);
    expect(plays[0]!.durationNs).toBe(1000);
    const dir = mkdtempSync(join(tmpdir(), "q1forge-sim-"));
    const path = qcm.plot(join(dir, "qcm.html"));
    expect(readFileSync(path, "utf8").slice(0, 200)).toContain("<title>readout-test: cluster0_module2</title>");
    expect(readFileSync(sim.plot(join(dir, "all.html")), "utf8").slice(0, 200)).toContain(
      "<title>readout-test</title>",
    );
    expect(vc!.countCommands(/:START$/)).toBe(0);
  });
});
