/**
 * The service's errors: Q1ForgeErrors (code, path, hint) with the HTTP status they answer with.
 * Library errors (compile, schema, instrument) map to a status by their class; anything else is a
 * 500 "INTERNAL" without its message or stack (those go to the server log only).
 */
import {
  InstrumentError,
  Q1ForgeError,
  SchemaValidationError,
  UsageError,
  InputParseError,
  type ErrorJson,
} from "../core/errors.js";

export class ServiceError extends Q1ForgeError {
  readonly statusCode: number;
  constructor(
    statusCode: number,
    code: string,
    message: string,
    opts: { path?: string | null; hint?: string | null; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, opts);
    this.statusCode = statusCode;
  }
}

/** HTTP status and JSON body for any thrown value; never includes a stack trace. */
export function errorResponse(err: unknown): { status: number; body: ErrorJson } {
  if (err instanceof ServiceError) return { status: err.statusCode, body: err.toJSON() };
  // a schema error from a compile worker arrives as a RemoteError named like the original class
  if (
    err instanceof SchemaValidationError ||
    err instanceof InputParseError ||
    err instanceof UsageError ||
    (err instanceof Q1ForgeError && err.name === "SchemaValidationError")
  )
    return { status: 400, body: err.toJSON() };
  if (err instanceof InstrumentError) return { status: 502, body: err.toJSON() };
  if (err instanceof Q1ForgeError) return { status: 422, body: err.toJSON() };
  return {
    status: 500,
    body: {
      error: "InternalError",
      code: "INTERNAL",
      message: "internal server error",
      path: null,
      hint: "this is a q1forge bug; the server log has the details",
    },
  };
}

export const notFound = (id: string) =>
  new ServiceError(404, "JOB_NOT_FOUND", `no job with id "${id}"`, {
    path: `/v1/jobs/${id}`,
    hint: "list the jobs with GET /v1/jobs",
  });
