/**
 * Bearer tokens and per-user rate limits. Tokens come from a JSON file
 * (`{"tokens": [{"user": "alice", "token": "…", "admin": false}]}`) or from the environment
 * (`Q1FORGE_TOKENS="alice=tok1,bob=tok2"`); each token's user becomes the `user_added` of the
 * jobs submitted with it. An admin may cancel other users' jobs.
 */
import { readFileSync } from "node:fs";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { UsageError } from "../core/errors.js";

export interface TokenEntry {
  user: string;
  token: string;
  admin?: boolean;
}

export const TokensFileSchema = z
  .object({
    tokens: z
      .array(
        z
          .object({
            user: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
            token: z.string().min(16),
            admin: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export function loadTokensFile(path: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the tokens file "${path}": ${(e as NodeJS.ErrnoException).code ?? ""}`, {
      path: "--tokens",
      hint: 'write {"tokens": [{"user": "alice", "token": "<at least 16 characters>"}]}',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error, which may be a token: say where, not what
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new UsageError(`the tokens file "${path}" is not JSON${at !== undefined ? ` (at character ${at})` : ""}`, {
      path: "--tokens",
      hint: "fix the JSON syntax of the tokens file (format: docs/service.md)",
    });
  }
  const r = TokensFileSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError(`the tokens file "${path}" is invalid at /${i.path.join("/")}: ${i.message}`, {
      path: "--tokens",
      hint: 'write {"tokens": [{"user": "alice", "token": "<at least 16 characters>", "admin": false}]}',
    });
  }
  return r.data.tokens;
}

/** `Q1FORGE_TOKENS="alice=tok1,bob=tok2"` (admins: `alice=tok1:admin`). */
export function parseTokensEnv(text: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  const parts = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  parts.forEach((part, k) => {
    const m = part.match(/^([A-Za-z0-9_.@-]{1,64})=([^:]{16,})(:admin)?$/);
    if (!m) throw badTokenEntry(part, k);
    out.push({ user: m[1]!, token: m[2]!, admin: m[3] !== undefined });
  });
  return out;
}

/** A bad Q1FORGE_TOKENS entry, named by its position and user, never by its token (errors are logged). */
function badTokenEntry(part: string, k: number): UsageError {
  const eq = part.indexOf("=");
  const user = eq < 0 ? null : part.slice(0, eq);
  const token = eq < 0 ? "" : part.slice(eq + 1).replace(/:admin$/, "");
  const why =
    eq < 0
      ? "has no '=' between user and token"
      : !/^[A-Za-z0-9_.@-]{1,64}$/.test(user!)
        ? "has a user name that is not 1–64 of A–Z a–z 0–9 _ . @ -"
        : token.length < 16
          ? `has a token of ${token.length} characters (at least 16 needed)`
          : "has a ':' in its token (only ':admin' may follow it)";
  const who = user !== null && /^[A-Za-z0-9_.@-]{1,64}$/.test(user) ? ` (user "${user}")` : "";
  return new UsageError(`entry ${k + 1} of Q1FORGE_TOKENS${who} ${why}`, {
    path: "Q1FORGE_TOKENS",
    hint: "write user=token pairs separated by commas (tokens of at least 16 characters), e.g. alice=…,bob=…",
  });
}

export function randomToken(): string {
  return randomBytes(24).toString("base64url");
}

export class TokenTable {
  private readonly byToken = new Map<string, TokenEntry>();
  constructor(entries: TokenEntry[]) {
    for (const e of entries) this.byToken.set(e.token, e);
  }
  get size(): number {
    return this.byToken.size;
  }
  /** The entry of a bearer token (constant-time comparison against the candidate of the same key). */
  lookup(token: string): TokenEntry | null {
    const e = this.byToken.get(token);
    if (!e) return null;
    const a = Buffer.from(e.token);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b) ? e : null;
  }
}

/** Token bucket per user: `rate` requests per second, bursts of up to `burst`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; t: number }>();
  constructor(
    readonly rate: number,
    readonly burst: number,
  ) {}
  /** 0 when allowed, else the seconds to wait */
  take(user: string, now = performance.now()): number {
    let b = this.buckets.get(user);
    if (!b) {
      b = { tokens: this.burst, t: now };
      this.buckets.set(user, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.t) / 1000) * this.rate);
    b.t = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.rate);
  }
}
