/**
 * Load: 1,000 jobs from 3 users queued at once on one virtual Cluster — none lost, none run twice,
 * round-robin fairness exact, every result retrievable; and a service killed with SIGKILL mid-queue
 * and restarted on the same SQLite store loses nothing (the job it was executing is `error`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalBackend } from "../../src/service/backend.js";
import { startService } from "../../src/service/index.js";
import { HARDWARE, http, inParallel, readSse, shortSchedule, spawnCli, waitUntil } from "./helpers.js";

const USERS = [
  { user: "alice", token: "alice-token-0123456789", jobs: 600, amp: 0.1 },
  { user: "bob", token: "bob-token-0123456789ab", jobs: 300, amp: 0.2 },
  { user: "carol", token: "carol-token-0123456789", jobs: 100, amp: 0.3 },
];
const TOKENS = USERS.map(({ user, token }) => ({ user, token }));
const ENV_TOKENS = USERS.map((u) => `${u.user}=${u.token}`).join(",");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-load-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** compiled schedules per user (compiled once through the service) */
async function compiledFor(url: string, token: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const u of USERS) {
    const r = await http(url, "POST", "/v1/compile", {
      token,
      body: { schedule: shortSchedule({ amp: u.amp, name: u.user }), hardware: HARDWARE },
    });
    expect(r.status).toBe(200);
    out[u.user] = r.json.compiled;
  }
  return out;
}

/** alice, bob, carol, alice, … in submission order until each user's quota is used */
function submissionPlan(): (typeof USERS)[number][] {
  const plan: (typeof USERS)[number][] = [];
  const left = USERS.map((u) => u.jobs);
  while (left.some((n) => n > 0))
    USERS.forEach((u, i) => {
      if (left[i]! > 0) {
        plan.push(u);
        left[i]!--;
      }
    });
  return plan;
}

it("1,000 jobs from 3 users: none lost, none run twice, round-robin, every result retrievable", async () => {
  const svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    store: `sqlite:${join(dir, "load.db")}`,
    tokens: TOKENS,
  });
  const backend = svc.backend as LocalBackend;
  try {
    const compiled = await compiledFor(svc.url, USERS[0]!.token);
    backend.pause();
    const plan = submissionPlan();
    const ids = await inParallel(plan, 16, async (u) => {
      const r = await http(svc.url, "POST", "/v1/jobs", { token: u.token, body: { compiled: compiled[u.user] } });
      expect(r.status).toBe(201);
      expect(r.json.status).toBe("pending");
      return r.json.id as string;
    });
    expect(new Set(ids).size).toBe(1000);
    const t0 = performance.now();
    backend.resumeDispatch();
    await waitUntil(
      async () => backend.executionLog.length === 1000 && (await backend.store.pendingCount("virtual")) === 0,
      120_000,
    );
    await waitUntil(
      async () => (await backend.store.list({ status: "completed", limit: 2000 })).length === 1000,
      30_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(`queue of 1000 short jobs: ${seconds.toFixed(2)} s, ${(1000 / seconds).toFixed(0)} jobs/s`);

    // none lost, none run twice
    const all = (await http(svc.url, "GET", "/v1/jobs?limit=5000", { token: USERS[0]!.token })).json.jobs as {
      id: string;
      status: string;
      user_added: string;
      status_history: { status: string }[];
    }[];
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((j) => j.id))).toEqual(new Set(ids));
    for (const j of all) {
      expect(j.status).toBe("completed");
      expect(j.status_history.map((h) => h.status)).toEqual(["pending", "loading", "running", "completed"]);
    }
    const ran = backend.executionLog.map((e) => e.id);
    expect(new Set(ran).size).toBe(1000);

    // fairness: 100 rounds of all three users, then 200 of alice and bob, then alice alone
    const users = backend.executionLog.map((e) => e.user);
    const round = (from: number, size: number) =>
      users
        .slice(from, from + size)
        .sort()
        .join(",");
    for (let r = 0; r < 100; r++) expect(round(3 * r, 3)).toBe("alice,bob,carol");
    for (let r = 0; r < 200; r++) expect(round(300 + 2 * r, 2)).toBe("alice,bob");
    expect(users.slice(700).every((u) => u === "alice")).toBe(true);

    // every result retrievable, with the values of its user's schedule
    const expected: Record<string, unknown> = {};
    await inParallel(all, 16, async (j) => {
      const r = await http(svc.url, "GET", `/v1/jobs/${j.id}/results`, { token: USERS[1]!.token });
      expect(r.status).toBe(200);
      const v = r.json.dataset.data_vars["0"].data;
      expected[j.user_added] ??= v;
      expect(v).toEqual(expected[j.user_added]);
    });
    const values = USERS.map((u) => (expected[u.user] as number[])[0]!);
    expect(values[0]).toBeLessThan(values[1]!);
    expect(values[1]).toBeLessThan(values[2]!);
  } finally {
    await svc.close();
  }
}, 240_000);

it("SIGKILL mid-queue (150 jobs), restart on the same SQLite store: nothing lost, the executing job is error", async () => {
  const store = `sqlite:${join(dir, "kill.db")}`;
  const args = ["serve", "--port", "0", "--virtual", "1:QCM,2:QRM", "--store", store, "--json"];
  const started = (lines: Record<string, unknown>[]) => lines.some((l) => typeof l.url === "string");
  let child = await spawnCli(args, { Q1FORGE_TOKENS: ENV_TOKENS }, started);
  const url = () => child.lines.find((l) => typeof l.url === "string")!.url as string;
  const token = USERS[0]!.token;
  try {
    const compiled = await compiledFor(url(), token);
    const plan = submissionPlan().slice(0, 150);
    const ids = await inParallel(plan, 8, async (u) => {
      const r = await http(url(), "POST", "/v1/jobs", { token: u.token, body: { compiled: compiled[u.user] } });
      expect(r.status).toBe(201);
      return r.json.id as string;
    });
    await waitUntil(
      async () => (await http(url(), "GET", "/v1/jobs?status=completed&limit=5000", { token })).json.jobs.length >= 30,
      60_000,
    );
    await child.kill("SIGKILL");
    expect(child.proc.signalCode).toBe("SIGKILL");

    child = await spawnCli(args, { Q1FORGE_TOKENS: ENV_TOKENS }, started);
    const final = await waitUntil(async () => {
      const jobs = (await http(url(), "GET", "/v1/jobs?limit=5000", { token })).json.jobs as {
        id: string;
        status: string;
        error: { code: string; message: string } | null;
        status_history: { status: string; reason: string | null }[];
      }[];
      return jobs.every((j) => ["completed", "error"].includes(j.status)) ? jobs : null;
    }, 120_000);
    expect(final.map((j) => j.id).sort()).toEqual([...ids].sort());
    const errors = final.filter((j) => j.status === "error");
    expect(errors.length).toBeLessThanOrEqual(1);
    for (const e of errors) {
      expect(e.error!.code).toBe("JOB_INTERRUPTED");
      expect(e.status_history.at(-1)).toMatchObject({
        status: "error",
        reason: "the service stopped while this job was executing",
      });
      const events = await readSse(url(), `/v1/jobs/${e.id}/results/stream`, token);
      expect(events.at(-1)!.event).toBe("end");
      expect(events.at(-1)!.data.status).toBe("error");
    }
    for (const j of final.filter((x) => x.status === "completed")) {
      expect(j.status_history.filter((h) => h.status === "running")).toHaveLength(1);
      const r = await http(url(), "GET", `/v1/jobs/${j.id}/results`, { token });
      expect(r.status).toBe(200);
    }
    expect(final.filter((j) => j.status === "completed").length).toBe(150 - errors.length);
  } finally {
    await child.kill("SIGTERM");
  }
}, 500_000);
