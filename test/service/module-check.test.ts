/**
 * A job for a module the Cluster does not have is refused at submission over real HTTP (422
 * MODULE_MISSING, the error `session.execute` throws), not accepted and failed later; nothing is queued.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import { HARDWARE, http, shortSchedule } from "./helpers.js";

const TOKEN = "module-token-0123456789";
let dir: string;
let svc: RunningService;
let full: RunningService;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-module-"));
  const common = { port: 0, tokens: [{ user: "alice", token: TOKEN }], hardware: HARDWARE, compilePool: pool };
  // the hardware config has a QCM in slot 1 and a QRM in slot 2; this Cluster has only the QCM
  svc = await startService({ ...common, virtual: "1:QCM", store: `sqlite:${join(dir, "qcm.db")}` });
  full = await startService({ ...common, virtual: "1:QCM,2:QRM", store: `sqlite:${join(dir, "full.db")}` });
  await pool.ready();
}, 180_000);
afterAll(async () => {
  await svc?.close();
  await full?.close();
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const missing = {
  code: "MODULE_MISSING",
  path: "/clusters/cluster0/modules/cluster0_module2",
  message: 'compiled schedule "short" needs a QRM in slot 2 (cluster0_module2); the Cluster has no module there',
  hint: "fix the hardware config's modules, or the Cluster",
};

describe("jobs for modules the Cluster does not have", () => {
  it("refuses a schedule using slot 2 with 422 MODULE_MISSING and queues nothing", async () => {
    const r = await http(svc.url, "POST", "/v1/jobs", { token: TOKEN, body: { schedule: shortSchedule() } });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject(missing);
    expect((await http(svc.url, "GET", "/v1/jobs", { token: TOKEN })).json.jobs).toEqual([]);
  });

  it("refuses a compiled schedule using slot 2 the same way", async () => {
    const c = await http(full.url, "POST", "/v1/compile", { token: TOKEN, body: { schedule: shortSchedule() } });
    expect(c.status).toBe(200);
    // accepted where the QRM exists
    const ok = await http(full.url, "POST", "/v1/jobs", { token: TOKEN, body: { compiled: c.json.compiled } });
    expect(ok.status).toBe(201);
    const r = await http(svc.url, "POST", "/v1/jobs", { token: TOKEN, body: { compiled: c.json.compiled } });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject(missing);
    expect((await http(svc.url, "GET", "/v1/jobs", { token: TOKEN })).json.jobs).toEqual([]);
  });
});
