/**
 * What the route handlers of the service share: the backend, the compile pool, the job store and the
 * helpers buildApp defines (route registration, the caller, default hardware, job lookup, ownership
 * check), and the check that a request sends either compiled or schedule + hardware.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TokenEntry } from "./auth.js";
import type { Backend } from "./backend.js";
import type { CompilePool } from "./compile-pool.js";
import { ServiceError } from "./errors.js";
import type { Route } from "./route-table.js";
import type { JobRecord, JobStore } from "./store/types.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: TokenEntry | null;
  }
}

export interface RouteContext {
  backend: Backend;
  pool: CompilePool;
  store: JobStore;
  route: (
    url: string,
    method: Route["method"],
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) => void;
  user: (req: FastifyRequest) => string;
  withHardware: <T extends { schedule?: unknown; hardware?: unknown }>(b: T) => T;
  loadJob: (id: string) => Promise<JobRecord>;
  mayModify: (req: FastifyRequest, j: JobRecord) => void;
}

export function requireInput(b: { schedule?: unknown; hardware?: unknown; compiled?: unknown }): void {
  if (b.compiled !== undefined) {
    if (b.schedule !== undefined || b.hardware !== undefined)
      throw new ServiceError(400, "AMBIGUOUS_INPUT", "send either compiled, or schedule + hardware, not both", {
        path: "body",
        hint: "drop compiled to compile on the server, or drop schedule and hardware",
      });
    return;
  }
  if (b.schedule === undefined || b.hardware === undefined)
    throw new ServiceError(400, "MISSING_INPUT", `missing ${b.schedule === undefined ? "schedule" : "hardware"}`, {
      path: `body/${b.schedule === undefined ? "schedule" : "hardware"}`,
      hint: "send schedule + hardware (compiled on the server), or compiled (from POST /v1/compile)",
    });
}
