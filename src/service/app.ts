/**
 * The HTTP service (fastify): versioned routes under /v1, bearer-token auth on every route but
 * /healthz, per-user rate limits, body size limits, request and response validation against the
 * JSON Schemas generated from the zod schemas in schemas.ts, and the OpenAPI document built from
 * the same route table (GET /openapi.json). Every error answers as a typed JSON error
 * (`code`, `path`, `hint`), never with a stack trace.
 */
import { Ajv } from "ajv";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { SchemaValidationError, type ErrorJson } from "../core/errors.js";
import type { Backend } from "./backend.js";
import type { CompilePool } from "./compile-pool.js";
import { errorResponse, notFound, ServiceError } from "./errors.js";
import { RateLimiter, type TokenTable } from "./auth.js";
import type { RouteContext } from "./route-context.js";
import { openApiDocument, ROUTES, type Route } from "./route-table.js";
import { registerClusterRoutes } from "./routes-clusters.js";
import { registerCompileRoutes } from "./routes-compile.js";
import { registerJobRoutes } from "./routes-jobs.js";
import { registerResultStreamRoute } from "./routes-results-stream.js";
import { jsonSchema } from "./schemas.js";
import type { JobRecord } from "./store/types.js";
import { SERVICE_VERSION } from "./version.js";

export { openApiDocument } from "./route-table.js";

/** One matcher per route URL (`:param` matches one path segment) with the methods it serves. */
const ROUTE_MATCHERS: { pattern: RegExp; methods: string[] }[] = (() => {
  const byUrl = new Map<string, Set<string>>();
  for (const r of ROUTES) {
    const set = byUrl.get(r.url) ?? new Set<string>();
    set.add(r.method);
    byUrl.set(r.url, set);
  }
  return [...byUrl].map(([url, methods]) => ({
    pattern: new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+")}$`),
    methods: [...methods].sort(),
  }));
})();

/** The methods served on `path` (empty when no route has this URL). */
function methodsOf(path: string): string[] {
  const found = new Set<string>();
  for (const m of ROUTE_MATCHERS) if (m.pattern.test(path)) for (const x of m.methods) found.add(x);
  return [...found].sort();
}

/**
 * A request body as JSON. `__proto__` keys, and `constructor` keys holding `prototype`, are refused
 * with their JSON pointer: code that copies request objects with Object.assign could otherwise change
 * object prototypes. The walk runs only when the text may hold such a key, and uses no recursion.
 */
function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw new ServiceError(400, "INPUT_PARSE", "request body is empty", { path: "body", hint: "send a JSON object" });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ServiceError(400, "INPUT_PARSE", `request body is not valid JSON: ${(e as Error).message}`, {
      path: "body",
      hint: "send a JSON object",
    });
  }
  if (!text.includes("__proto__") && !text.includes("constructor") && !text.includes("\\u")) return value;
  // objects and arrays only, each with its parent: a pointer is built only for the key refused
  const stack: Visit[] = [{ value, parent: null, key: "" }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const v = at.value as Record<string, unknown>;
    for (const key of Object.keys(v)) {
      const child = v[key];
      const isObject = child !== null && typeof child === "object";
      if (key === "__proto__" || (key === "constructor" && isObject && Object.hasOwn(child, "prototype"))) {
        const where = pointerOf({ value: child, parent: at, key });
        throw new ServiceError(
          400,
          "FORBIDDEN_KEY",
          `request body has the key "${key}" at ${where}${key === "constructor" ? ' holding "prototype"' : ""}, which could change object prototypes`,
          { path: `body${where}`, hint: "rename or remove the key; no q1forge document uses it" },
        );
      }
      if (isObject) stack.push({ value: child, parent: at, key });
    }
  }
  return value;
}

interface Visit {
  value: unknown;
  parent: Visit | null;
  key: string;
}

/** The JSON pointer of a visited value, from its chain of parents. */
function pointerOf(v: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = v; at !== null && at.parent !== null; at = at.parent) keys.push(at.key);
  return keys
    .reverse()
    .map((k) => `/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)
    .join("");
}

function unsupportedMediaType(contentType: string | undefined): ServiceError {
  const what = contentType === undefined ? "no Content-Type" : JSON.stringify(contentType.split(";")[0]!.trim());
  return new ServiceError(415, "UNSUPPORTED_MEDIA_TYPE", `request body must be application/json, not ${what}`, {
    path: "Content-Type",
    hint: "send the body as JSON with Content-Type: application/json",
  });
}

export interface AppOptions {
  backend: Backend;
  pool: CompilePool;
  tokens: TokenTable;
  /** hardware config used when a compile / simulate / job request sends none (serve --hardware) */
  defaultHardware?: unknown;
  /** maximum request body in bytes (default 32 MiB) */
  bodyLimit?: number;
  /** per-user requests per second and burst (default 200/s, burst 2000) */
  rateLimit?: { perSecond: number; burst: number };
  /** server-side log lines (errors with stacks go here, never into responses) */
  log?: (line: string) => void;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { backend, pool, tokens } = opts;
  const store = backend.store;
  const limiter = new RateLimiter(opts.rateLimit?.perSecond ?? 200, opts.rateLimit?.burst ?? 2000);
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  const queryAjv = new Ajv({ allErrors: false, strict: false, coerceTypes: true });

  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 32 * 1024 * 1024,
    logger: false,
    return503OnClosing: true,
  });
  app.decorateRequest("principal", null);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const v = (httpPart === "querystring" ? queryAjv : ajv).compile(schema);
    return (data: unknown) =>
      v(data)
        ? { value: data }
        : { error: Object.assign(new Error("invalid"), { validation: v.errors, part: httpPart }) };
  });
  // responses are validated against the published schema before they are sent
  app.setSerializerCompiler(({ schema, url }) => {
    const v = ajv.compile(schema);
    return (data: unknown) => {
      if (!v(data)) {
        log(`response of ${url} does not match its schema: ${JSON.stringify(v.errors?.slice(0, 3))}`);
        throw new ServiceError(500, "RESPONSE_INVALID", `the response of ${url} does not match its published schema`, {
          path: url,
          hint: "this is a q1forge bug; the server log has the details",
        });
      }
      return JSON.stringify(data);
    };
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    const e = err as {
      validation?: { instancePath?: string; message?: string; params?: unknown }[];
      part?: string;
      code?: string;
      statusCode?: number;
    };
    let body: ErrorJson;
    let status: number;
    if (e.validation) {
      const issues = e.validation.map((i) => ({
        path: i.instancePath || "/",
        message: `${i.message ?? "invalid"} ${i.params ? JSON.stringify(i.params) : ""}`.trim(),
      }));
      const first = issues[0]!;
      const where = e.part === "querystring" ? "query" : e.part === "params" ? "params" : "body";
      const se = new SchemaValidationError(`request ${where} is invalid at ${first.path}: ${first.message}`, issues, {
        path: `${where}${first.path === "/" ? "" : first.path}`,
        hint: "see GET /openapi.json for the request schema",
      });
      ({ status, body } = { status: 400, body: se.toJSON() });
    } else if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      status = 413;
      body = new ServiceError(
        413,
        "BODY_TOO_LARGE",
        `request body larger than the limit of ${app.initialConfig.bodyLimit} bytes`,
        {
          path: "body",
          hint: "send a smaller body (compile large schedules locally and submit the compiled schedule), or raise the limit",
        },
      ).toJSON();
    } else if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      status = 415;
      body = unsupportedMediaType(req.headers["content-type"]).toJSON();
    } else if (
      e.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
      e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
      (e.statusCode === 400 && e instanceof SyntaxError)
    ) {
      status = 400;
      body = new ServiceError(400, "INPUT_PARSE", "request body is not valid JSON", {
        path: "body",
        hint: "send a JSON object",
      }).toJSON();
    } else {
      ({ status, body } = errorResponse(err));
      if (status === 500) log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    if (status === 429)
      void reply.header(
        "retry-after",
        String((body.details as { retry_after_s?: number } | undefined)?.retry_after_s ?? 1),
      );
    void reply.code(status).type("application/json").serializer(JSON.stringify).send(body);
  });
  // only JSON bodies: fastify's built-in text/plain parser would hand a string to routes that expect objects
  app.removeContentTypeParser("text/plain");
  // our own JSON parser, so that a forbidden key is named with its path instead of "not valid JSON"
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, text, done) => {
    try {
      done(null, parseJsonBody(text as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    const allowed = methodsOf(path);
    if (allowed.length > 0) {
      const list = allowed.join(", ");
      void reply
        .code(405)
        .header("allow", list)
        .send(
          new ServiceError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${path}; allowed: ${list}`, {
            path,
            hint: `use one of ${list} (GET /openapi.json lists the routes)`,
          }).toJSON(),
        );
      return;
    }
    void reply.code(404).send(
      new ServiceError(404, "ROUTE_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`, {
        path: req.url.split("?")[0] ?? null,
        hint: "see GET /openapi.json for the routes",
      }).toJSON(),
    );
  });

  const open = new Set(ROUTES.filter((r) => r.auth === false).map((r) => r.url));
  // a callback hook (no promise per request); errors go to done()
  app.addHook("onRequest", (req, _reply, done) => {
    try {
      authorize(req);
      done();
    } catch (e) {
      done(e as Error);
    }
  });
  function authorize(req: FastifyRequest): void {
    const q = req.url.indexOf("?");
    const url = q < 0 ? req.url : req.url.slice(0, q);
    if (open.has(url)) return;
    const h = req.headers.authorization;
    const m = typeof h === "string" ? h.match(/^Bearer\s+(\S+)$/i) : null;
    if (!m)
      throw new ServiceError(401, "UNAUTHORIZED", "missing bearer token", {
        path: "Authorization",
        hint: "send the header Authorization: Bearer <token> (tokens come from the service's --tokens file or Q1FORGE_TOKENS)",
      });
    const who = tokens.lookup(m[1]!);
    if (!who)
      throw new ServiceError(401, "UNAUTHORIZED", "unknown bearer token", {
        path: "Authorization",
        hint: "check the token against the service's tokens file",
      });
    req.principal = who;
    const wait = limiter.take(who.user);
    if (wait > 0)
      throw new ServiceError(
        429,
        "RATE_LIMITED",
        `user "${who.user}" exceeded ${limiter.rate} requests/s (burst ${limiter.burst})`,
        {
          path: "Authorization",
          hint: `retry after ${wait} s`,
          details: { retry_after_s: wait },
        },
      );
  }

  const user = (req: FastifyRequest) => req.principal!.user;
  const withHardware = <T extends { schedule?: unknown; hardware?: unknown }>(b: T): T =>
    b.schedule !== undefined && b.hardware === undefined && opts.defaultHardware !== undefined
      ? { ...b, hardware: opts.defaultHardware }
      : b;
  const loadJob = async (id: string) => {
    const j = await store.get(id);
    if (!j) throw notFound(id);
    return j;
  };
  const mayModify = (req: FastifyRequest, j: JobRecord) => {
    if (req.principal!.admin || req.principal!.user === j.user) return;
    throw new ServiceError(
      403,
      "FORBIDDEN",
      `job ${j.id} belongs to user "${j.user}"; "${req.principal!.user}" may not change it`,
      {
        path: `/v1/jobs/${j.id}`,
        hint: "only the user who submitted a job (or an admin token) can cancel, resume or feed it",
      },
    );
  };
  const schemaOf = (r: Route) => ({
    ...(r.body ? { body: jsonSchema(r.body) } : {}),
    ...(r.query ? { querystring: jsonSchema(r.query) } : {}),
    ...(r.response
      ? {
          response: {
            [String(r.status ?? 200)]: jsonSchema(r.response, "output"),
            ...(r.status === 201 ? { 200: jsonSchema(r.response, "output") } : {}),
          },
        }
      : {}),
  });
  const route = (
    url: string,
    method: Route["method"],
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) => {
    const r = ROUTES.find((x) => x.url === url && x.method === method)!;
    app.route({ method, url, schema: schemaOf(r), handler });
  };

  const health = async () => ({
    ok: true,
    version: SERVICE_VERSION,
    // the kind only: /healthz needs no token, and a store's path or URL is not for everyone to read
    store: backend.storeLabel.startsWith("redis") ? "redis" : "sqlite",
    uptime_s: (Date.now() - started) / 1000,
  });
  route("/healthz", "GET", health);
  route("/v1/healthz", "GET", health);
  const doc = openApiDocument();
  route("/openapi.json", "GET", async () => doc);

  const ctx: RouteContext = { backend, pool, store, route, user, withHardware, loadJob, mayModify };
  registerCompileRoutes(ctx);
  registerJobRoutes(ctx);
  registerClusterRoutes(ctx);
  registerResultStreamRoute(ctx);

  return app;
}
