/**
 * Token configuration errors name the entry and what is wrong with it, never the token itself
 * (these messages go to logs and terminals).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTokensFile, parseTokensEnv } from "../../src/service/auth.js";
import { UsageError } from "../../src/core/errors.js";

const SECRET = "s3cr3t-token-abcdefgh";

function errorOf(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("no error");
}

describe("Q1FORGE_TOKENS", () => {
  it("parses user=token pairs with :admin", () => {
    expect(parseTokensEnv(`alice=${SECRET}, bob=${SECRET}x:admin`)).toEqual([
      { user: "alice", token: SECRET, admin: false },
      { user: "bob", token: `${SECRET}x`, admin: true },
    ]);
  });
  const cases: [string, string][] = [
    [
      `alice=${SECRET},bob=short-${"x".repeat(3)}`,
      'entry 2 of Q1FORGE_TOKENS (user "bob") has a token of 9 characters (at least 16 needed)',
    ],
    [`${SECRET}`, "entry 1 of Q1FORGE_TOKENS has no '=' between user and token"],
    [`al ice=${SECRET}`, "entry 1 of Q1FORGE_TOKENS has a user name that is not 1–64 of A–Z a–z 0–9 _ . @ -"],
    [
      `alice=${SECRET}:root`,
      `entry 1 of Q1FORGE_TOKENS (user "alice") has a ':' in its token (only ':admin' may follow it)`,
    ],
  ];
  for (const [env, message] of cases) {
    it(`refuses ${JSON.stringify(env.replaceAll(SECRET, "<token>"))} without showing the token`, () => {
      const e = errorOf(() => parseTokensEnv(env));
      expect(e.message).toBe(message);
      expect(e.path).toBe("Q1FORGE_TOKENS");
      expect(e.message).not.toContain(SECRET.slice(0, 8));
      expect(e.message).not.toContain("short-");
    });
  }
});

describe("tokens file", () => {
  it("reports a JSON syntax error by position, without quoting the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "q1forge-auth-"));
    try {
      const f = join(dir, "tokens.json");
      writeFileSync(f, `{"tokens": [{"user": "alice", "token": "${SECRET}"}`);
      const e = errorOf(() => loadTokensFile(f));
      expect(e.message).toMatch(new RegExp(`^the tokens file ".*tokens\\.json" is not JSON \\(at character \\d+\\)$`));
      expect(e.message).not.toContain(SECRET.slice(0, 8));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
