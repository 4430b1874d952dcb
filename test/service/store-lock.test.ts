/**
 * One service per SQLite store: a second `q1forge serve` process on a store a live service holds is
 * refused with STORE_IN_USE (store path, owning pid); once the owner has closed, or if it died and left
 * its lock file behind, a service starts on the store.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompilePool, startService } from "../../src/service/index.js";
import { http, spawnCli } from "./helpers.js";

const TOKEN = "lock-token-0123456789ab";
const ENV_TOKENS = `alice=${TOKEN}`;
let dir: string;
const pool = new CompilePool(1);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "q1forge-lock-"));
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const started = (lines: Record<string, unknown>[]) => lines.some((l) => typeof l.url === "string");

describe("store lock", () => {
  it("refuses a second serve process on the same store with STORE_IN_USE; it starts once the first has closed", async () => {
    const db = join(dir, "jobs.db");
    const args = ["serve", "--port", "0", "--virtual", "1:QCM,2:QRM", "--store", `sqlite:${db}`, "--json"];
    const first = await startService({
      port: 0,
      virtual: "1:QCM,2:QRM",
      store: `sqlite:${db}`,
      tokens: [{ user: "alice", token: TOKEN }],
      compilePool: pool,
    });
    expect(readFileSync(`${db}.lock`, "utf8")).toBe(`${process.pid}\n`);
    let refused: Error | null = null;
    try {
      const second = await spawnCli(args, { Q1FORGE_TOKENS: ENV_TOKENS }, started);
      await second.kill();
    } catch (e) {
      refused = e as Error;
    }
    expect(refused).not.toBeNull();
    const err = JSON.parse(refused!.message.slice(refused!.message.indexOf("{")).trim().split("\n")[0]!);
    expect(err).toMatchObject({
      code: "STORE_IN_USE",
      path: "--store",
      message: `the SQLite store "${db}" is in use by another service (pid ${process.pid}, lock file "${db}.lock")`,
      hint: `stop the other service (pid ${process.pid}) or use another --store; only one service may run on a store`,
    });
    // the first service is untouched and still answers
    expect((await http(first.url, "GET", "/healthz")).status).toBe(200);
    await first.close();
    expect(existsSync(`${db}.lock`)).toBe(false);

    const second = await spawnCli(args, { Q1FORGE_TOKENS: ENV_TOKENS }, started);
    try {
      const url = second.lines.find((l) => typeof l.url === "string")!.url as string;
      expect((await http(url, "GET", "/healthz")).status).toBe(200);
      expect(readFileSync(`${db}.lock`, "utf8")).toBe(`${second.proc.pid}\n`);
    } finally {
      await second.kill();
    }
    expect(existsSync(`${db}.lock`)).toBe(false);
  }, 300_000);

  it("takes over the lock file of a service that died", async () => {
    const db = join(dir, "dead.db");
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // a pid that has exited
    writeFileSync(`${db}.lock`, `${gone}\n`);
    const svc = await startService({
      port: 0,
      virtual: "1:QCM",
      store: `sqlite:${db}`,
      tokens: [{ user: "alice", token: TOKEN }],
      compilePool: pool,
    });
    try {
      expect(readFileSync(`${db}.lock`, "utf8")).toBe(`${process.pid}\n`);
      expect((await http(svc.url, "GET", "/healthz")).status).toBe(200);
    } finally {
      await svc.close();
    }
  });
});
