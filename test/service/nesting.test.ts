/**
 * Deeply nested request bodies over real HTTP: beyond the structured-clone limit of the compile
 * workers (5,000 levels) the service answers the same 422 NESTING_TOO_DEEP as for a few hundred levels,
 * on every route that posts a document to a worker.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_INPUT_DEPTH } from "../../src/core/input-guard.js";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import { HARDWARE, http } from "./helpers.js";

const TOKEN = "nest-token-0123456789ab";
let dir: string;
let svc: RunningService;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-nesting-"));
  svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    store: `sqlite:${join(dir, "jobs.db")}`,
    tokens: [{ user: "alice", token: TOKEN }],
    bodyLimit: 1024 * 1024,
    compilePool: pool,
  });
  await pool.ready();
}, 180_000);
afterAll(async () => {
  await svc?.close();
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

/** {"a":{"a":…{}…}} nested `levels` deep, as text (no recursion needed to build or send it) */
const nested = (levels: number) => '{"a":'.repeat(levels) + "{}" + "}".repeat(levels);
const deepPath = "/a".repeat(MAX_INPUT_DEPTH + 1);

describe("deeply nested request bodies", () => {
  for (const route of ["/v1/jobs", "/v1/compile", "/v1/simulate"]) {
    for (const levels of [300, 5000]) {
      it(`answers ${route} with ${levels} levels of schedule nesting with 422 NESTING_TOO_DEEP`, async () => {
        const raw = `{"schedule":${nested(levels)},"hardware":${JSON.stringify(HARDWARE)}}`;
        const r = await http(svc.url, "POST", route, { token: TOKEN, raw });
        expect(r.status).toBe(422);
        expect(r.json.code).toBe("NESTING_TOO_DEEP");
        expect(r.json.path).toBe(deepPath);
        expect(r.json.message).toBe(
          `the schedule nests deeper than ${MAX_INPUT_DEPTH} levels (or refers to itself) at ${deepPath}`,
        );
        expect(r.json.hint).toContain(`at most ${MAX_INPUT_DEPTH} levels`);
      });
    }
  }
  it("answers 5000 levels of hardware config nesting with 422 NESTING_TOO_DEEP", async () => {
    const raw = `{"schedule":{},"hardware":${nested(5000)}}`;
    const r = await http(svc.url, "POST", "/v1/compile", { token: TOKEN, raw });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ code: "NESTING_TOO_DEEP", path: deepPath });
    expect(r.json.message).toContain("the hardware config nests deeper");
  });
});
