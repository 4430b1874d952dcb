/**
 * HTTP edge cases over a real server: a body in another media type is 415, a body with a
 * `__proto__` key is refused by name, and a known URL with a method it does not serve is 405 with
 * an Allow header (not 404, which would tell a client the resource does not exist).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompilePool, startService, type RunningService } from "../../src/service/index.js";
import { http } from "./helpers.js";

const TOKEN = "edge-token-0123456789abc";
let dir: string;
let svc: RunningService;
const pool = new CompilePool(1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-edges-"));
  svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    store: `sqlite:${join(dir, "jobs.db")}`,
    tokens: [{ user: "alice", token: TOKEN }],
    compilePool: pool,
  });
  await pool.ready();
}, 180_000);
afterAll(async () => {
  await svc?.close();
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("request media type", () => {
  it("answers a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const r = await http(svc.url, "POST", "/v1/compile", {
      token: TOKEN,
      raw: '{"schedule":{}}',
      headers: { "content-type": "text/plain" },
    });
    expect(r.status).toBe(415);
    expect(r.json.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(r.json.path).toBe("Content-Type");
    expect(r.json.message).toBe('request body must be application/json, not "text/plain"');
  });
  it("accepts application/json with a charset parameter", async () => {
    const r = await http(svc.url, "POST", "/v1/compile", {
      token: TOKEN,
      raw: '{"schedule":{"name":"x","repetitions":1,"schedulables":[]}}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    // the body parses; the compile itself fails for want of a hardware config
    expect(r.status).not.toBe(415);
    expect(r.json.code).not.toBe("INPUT_PARSE");
  });
});

describe("forbidden keys", () => {
  for (const key of ["__proto__", "constructor"]) {
    it(`refuses a body with a "${key}" key by name (400 FORBIDDEN_KEY)`, async () => {
      const raw =
        key === "__proto__"
          ? '{"schedule":{"name":"x","__proto__":{"polluted":1}}}'
          : '{"schedule":{"name":"x","constructor":{"prototype":{"polluted":1}}}}';
      const r = await http(svc.url, "POST", "/v1/compile", { token: TOKEN, raw });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe("FORBIDDEN_KEY");
      expect(r.json.path).toBe(`body/schedule/${key}`);
      expect(r.json.message).toContain(`the key "${key}" at /schedule/${key}`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
  it("names a forbidden key deep in the body by its JSON pointer", async () => {
    const raw = '{"schedule":{"name":"x","schedulables":[{"label":"a/b"},{"operation":{"__proto__":{"x":1}}}]}}';
    const r = await http(svc.url, "POST", "/v1/compile", { token: TOKEN, raw });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe("FORBIDDEN_KEY");
    expect(r.json.path).toBe("body/schedule/schedulables/1/operation/__proto__");
  });

  it("still answers malformed JSON with 400 INPUT_PARSE", async () => {
    const r = await http(svc.url, "POST", "/v1/compile", { token: TOKEN, raw: '{"schedule":' });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe("INPUT_PARSE");
  });
});

describe("methods", () => {
  it("answers PUT /v1/jobs with 405 and Allow: GET, POST", async () => {
    const r = await http(svc.url, "PUT", "/v1/jobs", { token: TOKEN, body: {} });
    expect(r.status).toBe(405);
    expect(r.json.code).toBe("METHOD_NOT_ALLOWED");
    expect(r.headers.allow).toBe("GET, POST");
    expect(r.json.message).toBe("PUT is not allowed on /v1/jobs; allowed: GET, POST");
  });
  it("answers PATCH /v1/jobs/:id with 405 and Allow: DELETE, GET", async () => {
    const r = await http(svc.url, "PATCH", "/v1/jobs/abc", { token: TOKEN, body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("DELETE, GET");
  });
  it("still answers an unknown URL with 404 ROUTE_NOT_FOUND", async () => {
    const r = await http(svc.url, "GET", "/v1/nothing", { token: TOKEN });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe("ROUTE_NOT_FOUND");
  });
});
