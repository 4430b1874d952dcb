/**
 * The errors a Session (src/coordinator/session.ts) builds itself: a closed session, a schedule without a
 * compiler, and a non-q1forge failure of a job or of restoring the idle outputs wrapped as UNSUPPORTED.
 */
import { InstrumentError, Q1ForgeError } from "../core/errors.js";

/** A schedule given to a session opened without a compiler. */
export function compileUnavailable(): InstrumentError {
  return new InstrumentError("COMPILE_UNAVAILABLE", "a schedule was given, but this session has no compiler", {
    path: "execute",
    hint: "pass a compiled schedule, or open the session with q1forge's openSession (package root), which compiles",
  });
}

/** The failure of job `jobId` as a Q1ForgeError. */
export function jobFailure(e: unknown, jobId: string): Q1ForgeError {
  return e instanceof Q1ForgeError
    ? e
    : new InstrumentError("UNSUPPORTED", String(e), {
        cause: e,
        path: jobId,
        hint: "an unexpected non-q1forge failure while running this job; see the session's hardware log and report it if it recurs",
      });
}

/** A failure while restoring the idle outputs of session `sessionId` as a Q1ForgeError. */
export function restoreFailure(e: unknown, sessionId: string): Q1ForgeError {
  return e instanceof Q1ForgeError
    ? e
    : new InstrumentError("UNSUPPORTED", String(e), {
        cause: e,
        path: sessionId,
        hint: "restoring the idle outputs of this session failed unexpectedly; close and reopen the session",
      });
}

/** `what`() called on session `sessionId` after close(). */
export function sessionClosed(what: string, sessionId: string): InstrumentError {
  return new InstrumentError("SESSION_CLOSED", `${what}() on session ${sessionId}, which is closed`, {
    path: sessionId,
    hint: "open a new session with openSession()",
  });
}
