/**
 * Pause points and input streams through the service (embedded SQLite mode, real HTTP on
 * 127.0.0.1, the virtual Cluster over SCPI/TCP): a schedule that stops at a top-level Pause is
 * resumed with POST /v1/jobs/:id/resume, values for its InputStream arrive with
 * POST /v1/jobs/:id/input-streams/:name, and the results are each segment's values — the values of
 * the pushed amplitude included. Typed errors for every misuse.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import {
  aloneValues,
  HARDWARE,
  http,
  readSse,
  readSseUntil,
  segmentedSchedule,
  segMeasure,
  shortSchedule,
} from "./helpers.js";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-0123456789ab";

let dir: string;
let svc: RunningService;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-segments-"));
  svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    store: `sqlite:${join(dir, "jobs.db")}`,
    tokens: [
      { user: "alice", token: ALICE },
      { user: "bob", token: BOB },
    ],
    compilePool: pool,
  });
  await pool.ready();
}, 180_000);
afterAll(async () => {
  await svc?.close();
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pause points and input streams through the service (SQLite)", () => {
  it("pauses, resumes through the service, takes pushed values, and returns each segment's values", async () => {
    const sub = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: segmentedSchedule(), hardware: HARDWARE },
    });
    expect(sub.status).toBe(201);
    const id = sub.json.id as string;
    const stream = `/v1/jobs/${id}/results/stream`;

    const untilPaused = await readSseUntil(svc.url, stream, ALICE, (e) => e.event === "paused");
    expect(untilPaused.at(-1)!.data).toEqual({ kind: "pause", name: "calibrate" });
    // the first segment's bins (channel 0) are all in the stream before it says paused
    expect(untilPaused.filter((e) => e.event === "bins").map((e) => e.data.acq_channel)).toContain("0");
    const job = await http(svc.url, "GET", `/v1/jobs/${id}`, { token: ALICE });
    expect(job.json.status).toBe("running");

    // only the job's user (or an admin) may resume it
    const forbidden = await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: BOB });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.code).toBe("FORBIDDEN");

    const resumed = await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: ALICE });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ id, status: "running" });
    // the job left the pause at once: a second resume has nothing to resume
    const again = await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: ALICE });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: "JOB_NOT_PAUSED", path: `/v1/jobs/${id}/resume` });

    // input streams: the jobs API's checks as typed errors with the service's paths
    const short = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [0.1] },
    });
    expect(short.status).toBe(422);
    expect(short.json).toMatchObject({
      code: "INPUT_SIZE",
      message: 'input stream "amps" takes 2 finite numbers per push, got 1',
      path: `/v1/jobs/${id}/input-streams/amps`,
    });
    const unknown = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/volts`, {
      token: ALICE,
      body: { values: [0.1, 0.2] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({ code: "UNSUPPORTED", path: `/v1/jobs/${id}/input-streams/volts` });
    const empty = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [] },
    });
    expect(empty.status).toBe(400);
    expect(empty.json.code).toBe("SCHEMA_VALIDATION");

    const pushed = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [0.9, 0.1] },
    });
    expect(pushed.status).toBe(200);

    const res = await http(svc.url, "GET", `/v1/jobs/${id}/results?wait=30`, { token: ALICE });
    expect(res.status).toBe(200);
    const vars = res.json.dataset.data_vars;
    expect(Object.keys(vars).sort()).toEqual(["0", "0_imag", "1", "1_imag", "2", "2_imag"]);
    // each segment returns what its measurement gives alone; segment 2 ran with amps[1] = 0.1
    for (const [ch, amp] of [
      [0, 0.25],
      [1, 0.2],
      [2, 0.1],
    ] as const) {
      const alone = await aloneValues(ch, amp);
      expect(vars[String(ch)].dims).toEqual([`acq_index_${ch}`]);
      expect(vars[String(ch)].data).toEqual(alone.real);
      expect(vars[`${ch}_imag`].data).toEqual(alone.imag);
    }
    expect(vars["2"].data[0] / vars["0"].data[0]).toBeCloseTo(0.4, 3);

    // the stream: pending, loading, running, bins, paused, resumed, …, end — bins of all three channels
    const events = await readSse(svc.url, stream, ALICE);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(["status", "status", "status"]);
    expect(names.filter((n) => n === "paused")).toHaveLength(1);
    expect(names.indexOf("resumed")).toBeGreaterThan(names.indexOf("paused"));
    const lastBinOfFirstSegment = events.reduce(
      (last, e, i) => (e.event === "bins" && e.data.acq_channel === "0" ? i : last),
      -1,
    );
    expect(lastBinOfFirstSegment).toBeGreaterThan(0);
    expect(lastBinOfFirstSegment).toBeLessThan(names.indexOf("paused"));
    expect(events.at(-1)).toMatchObject({ event: "end", data: { status: "completed" } });
    const binned = new Set(events.filter((e) => e.event === "bins").map((e) => e.data.acq_channel));
    expect([...binned].sort()).toEqual(["0", "1", "2"]);
    const final = await http(svc.url, "GET", `/v1/jobs/${id}`, { token: ALICE });
    expect(final.json.status).toBe("completed");
    expect(final.json.provenance.format_version).toBe("1");

    // once ended: typed 409s
    const late = await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: ALICE });
    expect(late.status).toBe(409);
    expect(late.json.code).toBe("JOB_NOT_RUNNING");
    const latePush = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [0.5, 0.5] },
    });
    expect(latePush.status).toBe(409);
    expect(latePush.json).toMatchObject({ code: "JOB_NOT_RUNNING", path: `/v1/jobs/${id}/input-streams/amps` });
  }, 120_000);

  it("values pushed while the job waits at its pause are used after the resume", async () => {
    const sub = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: segmentedSchedule(), hardware: HARDWARE },
    });
    const id = sub.json.id as string;
    await readSseUntil(svc.url, `/v1/jobs/${id}/results/stream`, ALICE, (e) => e.event === "paused");
    const pushed = await http(svc.url, "POST", `/v1/jobs/${id}/input-streams/amps`, {
      token: ALICE,
      body: { values: [0.5, 0.3] },
    });
    expect(pushed.status).toBe(200);
    expect((await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: ALICE })).status).toBe(200);
    const res = await http(svc.url, "GET", `/v1/jobs/${id}/results?wait=30`, { token: ALICE });
    expect(res.status).toBe(200);
    expect(res.json.dataset.data_vars["2"].data).toEqual((await aloneValues(2, 0.3)).real);
  }, 120_000);

  it("a job of a compiled schedule has no pause to resume; a pending job none either", async () => {
    const sub = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: shortSchedule({ reps: 2 }), hardware: HARDWARE },
    });
    const id = sub.json.id as string;
    const res = await http(svc.url, "GET", `/v1/jobs/${id}/results?wait=30`, { token: ALICE });
    expect(res.status).toBe(200);
    const r = await http(svc.url, "POST", `/v1/jobs/${id}/resume`, { token: ALICE });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe("JOB_NOT_RUNNING");
    // a job paused at its pause point holds the Cluster: the next job stays pending until it ends
    const first = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: segmentedSchedule(), hardware: HARDWARE },
    });
    await readSseUntil(svc.url, `/v1/jobs/${first.json.id}/results/stream`, ALICE, (e) => e.event === "paused");
    const second = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { schedule: segmentedSchedule(), hardware: HARDWARE },
    });
    expect(second.json).toMatchObject({ status: "pending", position_in_queue: 1 });
    const early = await http(svc.url, "POST", `/v1/jobs/${second.json.id}/resume`, { token: ALICE });
    expect(early.status).toBe(409);
    expect(early.json).toMatchObject({ code: "JOB_NOT_RUNNING" });
    expect(early.json.hint).toMatch(/wait until the job is loading or running/);
    // canceling the paused job frees the Cluster for the next one
    const del = await http(svc.url, "DELETE", `/v1/jobs/${first.json.id}`, { token: ALICE });
    expect(del.json).toMatchObject({ canceled: true, status: "canceled" });
    await readSseUntil(svc.url, `/v1/jobs/${second.json.id}/results/stream`, ALICE, (e) => e.event === "paused");
    expect((await http(svc.url, "DELETE", `/v1/jobs/${second.json.id}`, { token: ALICE })).json.canceled).toBe(true);
  }, 120_000);

  it("rejects a misplaced pause point at submission (422 SEGMENT_PLACEMENT with its JSON pointer)", async () => {
    const r = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: {
        schedule: {
          name: "bad",
          repetitions: 2,
          resources: { "q0.ro": { freq: "150 MHz" } },
          schedulables: [
            segMeasure(0, 0.25, "m0"),
            { operation: { type: "Pause", name: "p" } },
            segMeasure(1, 0.2, "m1"),
          ],
        },
        hardware: HARDWARE,
      },
    });
    expect(r.status).toBe(422);
    expect(r.json.code).toBe("SEGMENT_PLACEMENT");
    expect(r.json.path).toMatch(/^\//);
    expect(r.json.hint).toBeTruthy();
  });
});

describe("compiled schedules at submission (the certainly-valid fast check, zod otherwise)", () => {
  it("stores a valid compiled schedule as sent, strips unknown keys as zod does, refuses an invalid one", async () => {
    const { createHash } = await import("node:crypto");
    const compiled = (
      await http(svc.url, "POST", "/v1/compile", {
        token: ALICE,
        body: { schedule: shortSchedule({ reps: 3 }), hardware: HARDWARE },
      })
    ).json.compiled;
    // compiled_hash: sha256 of the compiled JSON without diagnostics.stage_ms (docs/jobs.md, provenance)
    const want = createHash("sha256")
      .update(JSON.stringify({ ...compiled, diagnostics: { ...compiled.diagnostics, stage_ms: undefined } }))
      .digest("hex");
    const hashOf = async (body: unknown) => {
      const sub = await http(svc.url, "POST", "/v1/jobs", { token: ALICE, body });
      expect(sub.status).toBe(201);
      expect((await http(svc.url, "GET", `/v1/jobs/${sub.json.id}/results?wait=30`, { token: ALICE })).status).toBe(
        200,
      );
      return (await http(svc.url, "GET", `/v1/jobs/${sub.json.id}`, { token: ALICE })).json.provenance.compiled_hash;
    };
    expect(await hashOf({ compiled })).toBe(want);
    expect(await hashOf({ compiled: { ...compiled, written_by: "another tool" } })).toBe(want);
    const bad = await http(svc.url, "POST", "/v1/jobs", {
      token: ALICE,
      body: { compiled: { ...compiled, repetitions: 0 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: "SCHEMA_VALIDATION", path: "/compiled/repetitions" });
  }, 120_000);
});
